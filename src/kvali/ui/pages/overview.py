"""Overblik: what the project holds, which municipalities it covers and how far coding has come."""

from __future__ import annotations

import pandas as pd
import streamlit as st
from sqlite_utils import Database

from kvali.domain import KIND_LABELS_PLURAL, STATUS_LABELS
from kvali.ui.charts import nominal, quantitative, show, y_labels
from kvali.ui.render import md
from kvali.ui.state import open_project_or_stop, show_feedback
from kvali.views.codes import code_tree
from kvali.views.overview import CoderProgress, project_overview

STATUS_ORDER = [STATUS_LABELS[s] for s in ("manual", "accepted", "suggested", "rejected")]
STATUS_COLORS = ["#1B5E20", "#43A047", "#B0BEC5", "#E57373"]
STATUS_COLOR = nominal("Status", scale={"domain": STATUS_ORDER, "range": STATUS_COLORS})
# A survey document holds one question's answers: the chart of documents counts questions, and
# "Survey-svar" is the metric that counts answers.
MATERIAL_LABELS = {**KIND_LABELS_PLURAL, "survey": "Survey-spørgsmål"}


def _number(value: int) -> str:
    return f"{value:,}".replace(",", ".")


def overview_page() -> None:
    """Counts, coverage per region, codes with counts, and progress per coder."""
    db = open_project_or_stop()
    st.title("Overblik")
    show_feedback()
    overview = project_overview(db)
    if not overview.documents:
        st.info("Projektet er tomt. Importér filer under Importér, eller byg demoen med "
                "`kvali demo`.")
        return
    metrics = st.columns(4)
    metrics[0].metric("Dokumenter", _number(overview.documents))
    metrics[1].metric("Segmenter", _number(overview.segments))
    metrics[2].metric("Survey-svar", _number(overview.responses),
                      help="Svar på åbne spørgsmål (et pr. respondent og spørgsmål)")
    metrics[3].metric("Kommuner", f"{overview.municipalities} af {overview.municipalities_total}")
    left, right = st.columns(2)
    with left:
        st.subheader("Materiale")
        kinds = [{"Type": MATERIAL_LABELS.get(k, k), "Dokumenter": v}
                 for k, v in overview.documents_by_kind.items()]
        show(kinds, {"mark": {"type": "bar"}, "encoding": {
            "x": quantitative("Dokumenter"), "y": y_labels("Type", sort="-x"),
            "tooltip": [nominal("Type"), quantitative("Dokumenter")]}})
    with right:
        st.subheader("Kommuner pr. region")
        regions = [{"Region": r.region, "Dækket": r.covered, "I alt": r.total}
                   for r in overview.regions]
        show(regions, {"layer": [
            {"mark": {"type": "bar", "color": "#CFD8DC"},
             "encoding": {"x": quantitative("I alt", title="Kommuner"), "y": y_labels("Region")}},
            {"mark": {"type": "bar", "color": "#1565C0"},
             "encoding": {"x": quantitative("Dækket"), "y": y_labels("Region"),
                          "tooltip": [nominal("Region"), quantitative("Dækket"),
                                      quantitative("I alt")]}}]})
    if overview.unmatched_cases:
        st.caption("Ikke genkendt som kommune: " + md(", ".join(overview.unmatched_cases)))
    _codes(db)
    _progress(overview.progress)
    _coders(overview.coders)


def _codes(db: Database) -> None:
    tree = code_tree(db)
    if not tree:
        st.info("Ingen kodebog er indlæst endnu.")
        return
    st.subheader("Koder")
    rows = [{"Kode": node.label.strip(), "Status": STATUS_LABELS[status], "Kodninger": count}
            for node in tree for status, count in node.counts.items()
            if status in STATUS_LABELS and status != "rejected"]
    if not rows:
        st.caption("Ingen kodninger endnu.")
        return
    order = [node.label.strip() for node in tree]
    show(rows, {"mark": {"type": "bar"}, "encoding": {
        "x": quantitative("Kodninger", aggregate="sum", title="Kodninger"),
        "y": y_labels("Kode", sort=order), "color": STATUS_COLOR,
        "tooltip": [nominal("Kode"), nominal("Status"), quantitative("Kodninger")]}})


def _progress(progress: list[dict]) -> None:
    if not progress:
        return
    st.subheader("Fremdrift pr. koder")
    rows = [{"Koder": p["coder"], "Status": STATUS_LABELS.get(p["status"], p["status"]),
             "Kodninger": p["count"]} for p in progress]
    show(rows, {"mark": {"type": "bar"}, "encoding": {
        "x": quantitative("Kodninger", aggregate="sum", title="Kodninger"),
        "y": y_labels("Koder"), "color": STATUS_COLOR,
        "tooltip": [nominal("Koder"), nominal("Status"), quantitative("Kodninger")]}})
    frame = pd.DataFrame(rows)
    st.dataframe(frame.pivot_table(index="Koder", columns="Status", values="Kodninger",
                                   aggfunc="sum", fill_value=0), width="stretch")


def _coders(coders: list[CoderProgress]) -> None:
    """Per coder: documents assigned and done, documents with codings, and codings."""
    if not coders:
        return
    st.subheader("Dobbeltkodning pr. koder")
    st.dataframe([{"Koder": p.coder, "Tildelt": p.assigned, "Færdigkodet": p.done,
                   "Dokumenter med kodninger": p.documents, "Kodninger": p.codings,
                   "Blind kodning": "til" if p.blind else "fra"} for p in coders],
                 hide_index=True)

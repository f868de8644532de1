"""Enighed: how far chosen coders agree, per code and overall, what each figure means, where
they differ (each passage opens in the reader), and keeping one coder's version as the
consensus. Reads go through kvali.agreement; nothing here is SQL."""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st
from sqlite_utils import Database

from kvali.agreement.consensus import settle
from kvali.agreement.disagreements import Disagreement
from kvali.agreement.material import consensus_decisions, document_names, project_coders
from kvali.agreement.report import MEASURES, AgreementReport, agreement_report
from kvali.agreement.table import COLUMNS, table_bytes, table_rows
from kvali.errors import KvaliError
from kvali.selection import Selection
from kvali.ui.navigation import reader_link
from kvali.ui.render import error_text, md
from kvali.ui.state import action, coder, get_db, open_project_or_stop, show_feedback
from kvali.views.codes import code_tree

K = "kvali.agreement."
UNITS = {"segment": "Segmenter", "char": "Tegn"}
SHOWN = 100
"""Disagreements listed at most (the downloads and the CLI have them all)."""
MIME = {"csv": "text/csv",
        "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
ALPHA_BANDS = ("α ≥ 0,800: pålidelig; α ≥ 0,667: kun til foreløbige konklusioner; lavere: for "
               "usikker.")
KAPPA_BANDS = ("Under 0: ringere end tilfældigt; 0,00–0,20 ringe; 0,21–0,40 nogen; 0,41–0,60 "
               "moderat; 0,61–0,80 betydelig; 0,81–1,00 næsten perfekt (Landis & Koch).")
EXPLAIN = {
    "units": "Enheder (segmenter eller tegn), som mindst to af koderne har set.",
    "percent": "Andelen af enhederne, hvor alle kodere har valgt det samme (koden sat eller "
               "ikke sat). Tager ikke højde for enighed, der opstår tilfældigt.",
    "kappa": "To kodere: enighed korrigeret for den enighed, man kunne vente tilfældigt ud fra "
             "hver koders egen fordeling. " + KAPPA_BANDS,
    "fleiss": "Tre eller flere kodere: enighed korrigeret for tilfældig enighed ud fra alle "
              "koderes samlede fordeling. " + KAPPA_BANDS,
    "alpha": "Enighed korrigeret for tilfældighed for et vilkårligt antal kodere; en enhed, en "
             "koder ikke har set, tæller som manglende, ikke som »ikke kodet«. " + ALPHA_BANDS,
    "alpha_u": "Sammenligner, hvor kodernes kodede stykker begynder og slutter i teksten (tegn "
               "for tegn); ukodet tekst tæller ikke som enighed. " + ALPHA_BANDS,
}


def agreement_page() -> None:
    """Choose coders, codes and unit; the table, the explanations and the disagreements."""
    db = open_project_or_stop()
    st.title("Enighed")
    show_feedback()
    tree = code_tree(db)
    names = {node.key: node.name for node in tree}
    coders = st.multiselect("Kodere", project_coders(db), key=K + "coders",
                            placeholder="Vælg mindst to kodere …", select_all=False)
    left, right = st.columns(2)
    codes = left.multiselect("Koder (med underkoder)", list(names), key=K + "codes",
                             format_func={n.key: n.label for n in tree}.__getitem__,
                             placeholder="Alle koder, koderne har brugt", select_all=False)
    unit = right.radio("Enhed", list(UNITS), format_func=UNITS.__getitem__, horizontal=True,
                       key=K + "unit")
    every = right.toggle("Alle dokumenter i udvalget", key=K + "all",
                         help="Ellers tæller kun dokumenter, som alle de valgte kodere har "
                              "kodet i eller markeret som færdige.")
    if len(coders) < 2:
        st.info("Vælg mindst to kodere for at se, hvor enige de er.")
        return
    try:
        report = agreement_report(db, tuple(coders), Selection(code=tuple(codes)), unit=unit,
                                  all_documents=every)
    except KvaliError as exc:
        st.error(error_text(exc))
        return
    _documents(db, report)
    if not report.codes:
        st.info("De valgte kodere har ingen kodninger i de samme dokumenter endnu.")
        return
    _overall(report)
    _table(report, names)
    _disagreements(db, report, names)


def _documents(db: Database, report: AgreementReport) -> None:
    titles = document_names(db, [*report.document_ids, *report.left_out])
    listed = ", ".join(titles[d] for d in report.document_ids) or "ingen"
    st.caption(md(f"Sammenlignet i {len(report.document_ids)} dokument(er): {listed}"))
    if report.left_out:
        st.caption(md("Ikke med (ikke kodet eller markeret færdig af alle): "
                      + ", ".join(titles[d] for d in report.left_out)))


def _overall(report: AgreementReport) -> None:
    st.subheader("Alle koder")
    figures = report.overall.to_dict()
    for column, measure in zip(st.columns(len(MEASURES)), MEASURES, strict=True):
        value = figures[measure]
        column.metric(COLUMNS[measure], _shown(measure, value), help=EXPLAIN[measure])
        column.caption(_verdict(measure, value))


def _table(report: AgreementReport, names: dict[str, str]) -> None:
    st.subheader("Pr. kode")
    rows = table_rows(report, names)
    # A measure that does not apply to this many coders (κ or Fleiss) is left out, not a
    # column of "None".
    shown = [m for m in MEASURES if any(row[COLUMNS[m]] is not None for row in rows)]
    config = {COLUMNS[m]: st.column_config.NumberColumn(COLUMNS[m], help=EXPLAIN[m],
                                                        format="%.3f" if m != "units" else None)
              for m in shown}
    st.dataframe([{COLUMNS["code"]: row[COLUMNS["code"]], **{COLUMNS[m]: row[COLUMNS[m]]
                                                              for m in shown}} for row in rows],
                 hide_index=True, column_config=config, width="stretch")
    for fmt in ("csv", "xlsx"):
        st.download_button(f"Hent tabellen ({fmt.upper()})", key=K + f"table.{fmt}",
                           mime=MIME[fmt], file_name=f"enighed.{fmt}",
                           data=lambda fmt=fmt: table_bytes(report, names, fmt))


def _disagreements(db: Database, report: AgreementReport, names: dict[str, str]) -> None:
    found = report.disagreements
    st.subheader(f"Uenigheder ({len(found)})")
    if not found:
        st.caption("Koderne er enige om alle enheder.")
        return
    if len(found) > SHOWN:
        st.caption(f"Viser de første {SHOWN}; resten står i `kvali agreement --json`.")
    titles = document_names(db, report.document_ids)
    settled = consensus_decisions(db)
    for index, disagreement in enumerate(found[:SHOWN]):
        with st.container(border=True):
            _disagreement(disagreement, index, titles, names, settled, report.coders)


def _disagreement(d: Disagreement, index: int, titles: dict[int, str], names: dict[str, str],
                  settled: dict, coders: tuple[str, ...]) -> None:
    place = f"{K}disagreement.{index}"
    st.text(f"{names.get(d.code, d.code)} · {titles.get(d.document_id, d.document_id)} · "
            f"tegn {d.start}–{d.end}")
    st.text("  ".join(f"{name}: {'kodet' if on else 'ikke kodet'}"
                      for name, on in d.coders.items()))
    kept = settled.get((d.document_id, d.start, d.end, d.code))
    if kept:
        st.caption(md(f"Afgjort: {genitive(kept)} version er konsensus."))
    columns = st.columns(1 + len(d.coders))
    with columns[0]:
        reader_link(d.document_id, d.start, d.end)
    for column, name in zip(columns[1:], d.coders, strict=True):
        column.button(f"Behold {genitive(name)} version", key=f"{place}.{name}",
                      on_click=action, args=(_settle_work(d, name, coders), place))
    show_feedback(place)


def _settle_work(d: Disagreement, keep: str, coders: tuple[str, ...]) -> Callable[[], str]:
    """The write behind a »Behold …« button (run in its callback)."""
    def work() -> str:
        settle(get_db(), d.document_id, d.start, d.end, d.code, keep, coder(), compared=coders)
        return f"{genitive(keep)} version er gemt som konsensus."
    return work


def genitive(name: str) -> str:
    """The Danish genitive of a name: »Mettes«, »Jens'«."""
    return name + ("'" if name[-1:].lower() in "sxz" else "s")


def _shown(measure: str, value: float | None) -> str:
    if value is None:
        return "–"
    if measure == "units":
        return f"{value:,.0f}".replace(",", ".")
    if measure == "percent":
        return f"{value:.1f} %".replace(".", ",")
    return f"{value:.3f}".replace(".", ",")


def _verdict(measure: str, value: float | None) -> str:
    """A few Danish words on what the figure says."""
    if value is None:
        return {"kappa": "Kun for to kodere.", "fleiss": "Kun for tre eller flere kodere."}.get(
            measure, "Kan ikke beregnes her.")
    if measure in ("alpha", "alpha_u"):
        if value >= 0.800:
            return "Pålidelig."
        return "Kun til foreløbige konklusioner." if value >= 0.667 else "For usikker."
    if measure in ("kappa", "fleiss"):
        bands = ((0.81, "Næsten perfekt."), (0.61, "Betydelig."), (0.41, "Moderat."),
                 (0.21, "Nogen."), (0.0, "Ringe."))
        return next((text for low, text in bands if value >= low), "Ringere end tilfældigt.")
    if measure == "percent":
        return "Uden korrektion for tilfældighed."
    return "Sete enheder."

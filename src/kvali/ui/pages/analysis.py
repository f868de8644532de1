"""Analyse og eksport: crosstabs with bar charts, a co-occurrence heatmap, and every download.

The page only lays out what `kvali.analysis` and `kvali.export` compute; the tables and the
matrix are kept up to date in the server process (kvali.analysis.kept), so a view after a coding
action recounts only what it changed. Downloads are built when clicked, from the project file,
on Streamlit's download thread.
"""

from __future__ import annotations

from dataclasses import asdict

import pandas as pd
import streamlit as st
from sqlite_utils import Database

from kvali.analysis.cooccurrence import kept_cooccurrence
from kvali.analysis.crosstab import TOTAL, kept_crosstab, pivot
from kvali.domain import KIND_LABELS, STATUS_LABELS, status_label
from kvali.export.downloads import codings_bytes, crosstab_bytes, qdpx_bytes, summary_bytes
from kvali.export.summary import summary_selection
from kvali.municipalities import MUNICIPALITIES, REGIONS
from kvali.privacy.pseudonymise import has_confirmed_findings
from kvali.selection import Selection, project_coders
from kvali.ui.charts import nominal, quantitative, show, y_labels
from kvali.ui.state import open_project_or_stop, project_file
from kvali.views.codes import code_tree

K = "kvali.analysis."
ATTRIBUTE_LABELS = {"region": "Region", "size_class": "Kommunestørrelse", "kommune": "Kommune",
                    "role": "Rolle", "kind": "Dokumenttype", "question": "Spørgsmål"}
MEASURES = {"municipalities": "Kommuner", "segments": "Segmenter", "share": "Andel af kommunerne",
            "share_of_material": "Andel af kommunerne i materialet"}
MIME = {"md": "text/markdown", "html": "text/html", "csv": "text/csv", "json": "application/json",
        "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "qdpx": "application/zip"}


# Streamlit's own "Choose options" and "Select all" are English: our placeholder, no "Select all".
CHOOSE = "Vælg …"
DEFAULT_STATUSES = "Standard"
VIEWS = {"crosstab": "Krydstabeller", "cooccurrence": "Samforekomst", "export": "Eksport"}
LEVELS = {"themes": "Temaer", "codes": "Koder"}
WINDOW = 0
"""The co-occurrence window before the analyst moves the slider."""


def warm_analysis(db: Database) -> None:
    """Compute (and keep) the figures of both computed views as they first open: no filters,
    the first attribute with sub-codes rolled up, the first level and the default window."""
    kept_crosstab(db, next(iter(ATTRIBUTE_LABELS)), Selection(), rollup=True)
    kept_cooccurrence(db, Selection(), window=WINDOW, level=next(iter(LEVELS)))


def analysis_page() -> None:
    """Filters, then one view at a time: crosstabs, co-occurrence or downloads."""
    db = open_project_or_stop()
    st.title("Analyse og eksport")
    filters, anonymise = _filters(db)
    view = st.radio("Visning", list(VIEWS), format_func=VIEWS.__getitem__, horizontal=True,
                    key=K + "view", label_visibility="collapsed")
    if view == "crosstab":
        _crosstab_tab(db, filters)
    elif view == "cooccurrence":
        _cooccurrence_tab(db, filters)
    else:
        _downloads_tab(db, filters, anonymise)


def _filters(db: Database) -> tuple[Selection, bool]:
    tree = code_tree(db)
    names = {node.key: node.label for node in tree}
    with st.expander("Udvalg", expanded=False):
        left, right = st.columns(2)
        codes = left.multiselect("Koder (med underkoder)", list(names),
                                 format_func=names.__getitem__, key=K + "codes",
                                 placeholder=CHOOSE, select_all=False)
        regions = left.multiselect("Regioner", list(REGIONS), key=K + "regions",
                                   placeholder=CHOOSE, select_all=False)
        kommuner = left.multiselect("Kommuner", sorted(m.name for m in MUNICIPALITIES),
                                    key=K + "kommuner", placeholder=CHOOSE, select_all=False)
        kinds = right.multiselect("Dokumenttyper", list(KIND_LABELS),
                                  format_func=KIND_LABELS.__getitem__, key=K + "kinds",
                                  placeholder=CHOOSE, select_all=False)
        statuses = right.multiselect("Status", list(STATUS_LABELS),
                                     format_func=STATUS_LABELS.__getitem__, key=K + "statuses",
                                     placeholder=DEFAULT_STATUSES, select_all=False,
                                     help="Uden valg tæller tabellerne kodninger med status "
                                          f"{_statuses(Selection())}, temaopsummeringen dem "
                                          f"med status {_statuses(summary_selection())}.")
        chosen_coders = right.multiselect("Kodere", project_coders(db), key=K + "coders",
                                          placeholder=CHOOSE, select_all=False)
        anonymise = right.toggle("Anonymisér citater (kun region)", key=K + "anonymise")
    filters = Selection(code=tuple(codes), kommune=tuple(kommuner), region=tuple(regions),
                        kind=tuple(kinds), coder=tuple(chosen_coders), status=tuple(statuses))
    return filters, anonymise


def _statuses(selection: Selection) -> str:
    """The statuses a selection counts, in Danish: "accepteret og manuel"."""
    labels = [status_label(s).lower() for s in selection.statuses]
    return ", ".join(labels[:-1]) + " og " + labels[-1] if len(labels) > 1 else labels[0]


def _crosstab_tab(db: Database, filters: Selection) -> None:
    left, middle, right = st.columns(3)
    attribute = left.selectbox("Kode ×", list(ATTRIBUTE_LABELS),
                               format_func=ATTRIBUTE_LABELS.__getitem__, key=K + "attribute")
    measure = middle.selectbox("Vis", list(MEASURES), format_func=MEASURES.__getitem__,
                               key=K + "measure")
    rollup = right.toggle("Tæl underkoder med", value=True, key=K + "rollup")
    rows = kept_crosstab(db, attribute, filters, rollup=rollup)
    if not rows:
        st.info("Projektet har ingen koder endnu.")
        return
    columns, table = pivot(rows, measure)
    st.dataframe(crosstab_display(columns, table, attribute), hide_index=True, width="stretch")
    st.caption("Andel: kommuner, der nævner koden, ud af kommunerne i gruppen (regionens eller "
               "størrelsesklassens andel af de 98; for rolle, type og spørgsmål: kommunerne med "
               "den værdi i materialet).")
    themes = [asdict(r) for r in rows if r.depth == 0 and r.value != TOTAL]
    if attribute == "kind":
        for theme in themes:
            theme["value"] = KIND_LABELS.get(theme["value"], theme["value"])
    if themes:
        values = list(dict.fromkeys(theme["value"] for theme in themes))
        names = list(dict.fromkeys(theme["code_name"] for theme in themes))
        label = ATTRIBUTE_LABELS[attribute]
        show(themes, {"mark": {"type": "bar"}, "encoding": {
            "y": y_labels("code_name", sort=names), "yOffset": nominal("value", sort=values),
            "x": quantitative(measure, title=MEASURES[measure]),
            "color": nominal("value", title=label, sort=values),
            "tooltip": [nominal("code_name", title="Kode"), nominal("value", title=label),
                        quantitative(measure, title=MEASURES[measure]),
                        quantitative("municipalities", title="Kommuner"),
                        quantitative("group_total", title="Kommuner i gruppen"),
                        quantitative("segments", title="Segmenter")]},
            "height": 80 + 12 * len(themes), "padding": {"left": 10, "right": 10}})
    project = project_file()
    for fmt in ("csv", "xlsx"):
        st.download_button(
            f"Hent krydstabel ({fmt.upper()})", key=K + f"crosstab.{fmt}", mime=MIME[fmt],
            file_name=f"krydstabel-{attribute}.{fmt}",
            data=lambda fmt=fmt: crosstab_bytes(project, fmt, attribute, filters, rollup=rollup))


def crosstab_display(columns: list[str], table: list[list], attribute: str) -> pd.DataFrame:
    """The pivot as the analyst sees it: Danish headers and "–" where a share has no group (the
    downloaded files keep the `code`/`code_name` keys and empty cells)."""
    shown = {"code": "Nøgle", "code_name": "Kode"}
    if attribute == "kind":
        shown.update(KIND_LABELS)
    frame = pd.DataFrame(table, columns=[shown.get(c, c) for c in columns])
    return frame.astype(object).where(frame.notna(), "–")


def _cooccurrence_tab(db: Database, filters: Selection) -> None:
    left, right = st.columns(2)
    window = left.slider("Vindue (segmenter før og efter)", 0, 5, WINDOW, key=K + "window")
    level = right.radio("Niveau", list(LEVELS), horizontal=True, key=K + "level",
                        format_func=LEVELS.__getitem__)
    result = kept_cooccurrence(db, filters, window=window, level=level)
    data = [{"kode": result.names[a], "anden kode": result.names[b], "segmenter": n}
            for a, b, n in result.rows()]
    if not data:
        st.info("Ingen kodede segmenter i udvalget.")
        return
    order = [result.names[key] for key in result.codes]
    axes = {"x": nominal("anden kode", sort=order, title=None,
                         axis={"labelLimit": 0, "labelAngle": -45, "labelOverlap": False}),
            "y": y_labels("kode", sort=order)}
    layers = [{"mark": {"type": "rect"}, "encoding": {
        **axes, "color": quantitative("segmenter", title="Segmenter", scale={"scheme": "blues"}),
        "tooltip": [nominal("kode", title="Kode"), nominal("anden kode", title="Anden kode"),
                    quantitative("segmenter", title="Segmenter")]}}]
    if len(order) <= 15:
        layers.append({"mark": {"type": "text", "fontSize": 11},
                       "encoding": {**axes, "text": quantitative("segmenter")}})
    show(data, {"layer": layers, "height": 200 + 24 * len(order),  # fits the labels
                "padding": {"left": 10, "right": 10, "bottom": 10}})
    st.caption("Tallet er antal segmenter med koden (rækken), hvor den anden kode (kolonnen) "
               "også er kodet i samme segment eller inden for vinduet. Diagonalen er antal "
               "segmenter med koden.")


def _downloads_tab(db: Database, filters: Selection, anonymise: bool) -> None:
    project = project_file()
    pseudonymise = st.toggle(
        "Pseudonymisér", value=has_confirmed_findings(db), key=K + "pseudonymise",
        help="Bekræftede personoplysninger erstattes i alle downloads: navne med [Person 1], "
             "[Person 2] … (samme person, samme nummer i hele projektet), CPR-numre, adresser, "
             "telefonnumre og e-mails med [CPR], [Adresse], [Telefon] og [E-mail]. "
             "Kildehenvisningen nævner erstatningerne i citatet.")
    st.subheader("Temaopsummering")
    st.caption("Temaer og koder i kodebogens rækkefølge med omfang, memoer og citater med "
               "kildehenvisning. Nøglecitater kommer først; resten er informanters udsagn med "
               "temaets ord, spredt over kommuner, roller og dokumenter. "
               f"Tæller kodninger med status {_statuses(summary_selection(filters))}.")
    columns = st.columns(4)
    for column, fmt in zip(columns, ("docx", "md", "html", "xlsx"), strict=True):
        column.download_button(
            fmt.upper(), key=K + f"summary.{fmt}", mime=MIME[fmt],
            file_name=f"temaopsummering.{fmt}",
            data=lambda fmt=fmt: summary_bytes(project, fmt, filters, anonymise=anonymise,
                                               pseudonymise=pseudonymise))
    st.subheader("Kodninger som data")
    columns = st.columns(3)
    for column, fmt in zip(columns, ("csv", "xlsx", "json"), strict=True):
        column.download_button(
            fmt.upper(), key=K + f"codings.{fmt}", mime=MIME[fmt], file_name=f"kodninger.{fmt}",
            data=lambda fmt=fmt: codings_bytes(project, fmt, filters, anonymise=anonymise,
                                               pseudonymise=pseudonymise))
    st.subheader("REFI-QDA")
    st.caption("Hele projektet med accepterede og manuelle kodninger til NVivo, ATLAS.ti, "
               "MAXQDA eller QualCoder.")
    st.download_button("QDPX", key=K + "qdpx", mime=MIME["qdpx"], file_name="projekt.qdpx",
                       data=lambda: qdpx_bytes(project, pseudonymise=pseudonymise))

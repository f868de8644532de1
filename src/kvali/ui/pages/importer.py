"""Importér: upload files, choose a survey table's case and text columns from a preview, import
with a progress bar, and see what was imported, skipped or not matched; a REFI-QDA project from
another tool in its own section (`kvali.ui.pages.importer_qdpx`)."""

from __future__ import annotations

from pathlib import Path

import streamlit as st
from sqlite_utils import Database

from kvali.domain import IMPORT_KIND_LABELS
from kvali.errors import KvaliError
from kvali.importer import FileOutcome, ImportReport, import_paths
from kvali.ingest.model import ReadOptions
from kvali.tagging.run import codebook_has_rules, tag_project
from kvali.ui.pages.importer_qdpx import qdpx_section
from kvali.ui.render import error_text, md
from kvali.ui.state import notify, open_project_or_stop, show_feedback
from kvali.ui.uploads import parse_attributes, stage_uploads, upload_folder
from kvali.views.imports import (
    TablePreview,
    import_history,
    is_surveyxact,
    is_table,
    surveyxact_preview,
    table_preview,
)

K = "kvali.import."
FILE_TYPES = ["txt", "md", "docx", "pdf", "srt", "vtt", "csv", "tsv", "xlsx", "yaml", "yml"]
STATUS = {"imported": "importeret", "duplicate": "sprunget over", "failed": "fejlede"}
AUTO = "(find selv)"
NO_ROLE = "(ingen)"


def importer_page() -> None:
    """Upload, preview, import, summary and history."""
    db = open_project_or_stop()
    st.title("Importér")
    show_feedback()
    round_no = st.session_state.setdefault(K + "round", 0)
    uploads = st.file_uploader(
        "Filer (interviews, survey-tabeller, SurveyXact-eksport, rapporter)", type=FILE_TYPES,
        accept_multiple_files=True, key=f"{K}files.{round_no}",
        help="En SurveyXact-eksport i CSV: upload dataset.csv, structure.csv og labels.csv "
             "sammen. En .yaml-fil med samme navn som en transskription giver dens metadata.")
    columns = st.columns(2)
    kind = columns[0].selectbox("Type", list(IMPORT_KIND_LABELS), key=K + "kind",
                                format_func=IMPORT_KIND_LABELS.get)
    case = columns[1].text_input("Kommune for alle dokumenterne (valgfrit)", key=K + "case")
    attributes = st.text_area("Egenskaber for alle dokumenterne (NØGLE=værdi, én pr. linje)",
                              key=K + "attributes", height=70)
    files = [(u.name, u.getvalue()) for u in uploads or []]
    with upload_folder(bool(files)) as folder:
        _preview_and_import(db, files, folder, kind, case, attributes)
    _last_report()
    qdpx_section()
    history = import_history(db)
    if history:
        with st.expander(f"Tidligere importer ({len(history)})"):
            st.dataframe(history, hide_index=True)


def _preview_and_import(db: Database, files: list[tuple[str, bytes]], folder: Path | None,
                        kind: str, case: str, attributes: str) -> None:
    """Stage the uploads in `folder`, preview survey tables and import when asked."""
    try:
        staged = stage_uploads(files, folder) if folder else []
        options = ReadOptions(kind=kind, case=case.strip() or None,
                              attributes=parse_attributes(attributes))
        surveyxact = [path for path in staged if kind in ("auto", "survey", "surveyxact")
                      and is_surveyxact(path)]
        for path in surveyxact:
            _surveyxact_preview(path)
        table_options = {path: _table_choices(path, options) for path in staged
                         if is_table(path) and kind in ("auto", "survey")
                         and path not in surveyxact}
    except KvaliError as exc:
        st.error(md(error_text(exc)))
        staged, table_options = [], {}
    tag = st.checkbox("Foreslå koder i de nye dokumenter bagefter", value=True, key=K + "tag")
    if st.button("Importér", type="primary", key=K + "run", disabled=not staged):
        _run_import(db, staged, options, table_options, tag)


def _surveyxact_preview(path: Path) -> None:
    """Show a SurveyXact export's answers by open question, as the import will read them."""
    name = "SurveyXact-eksport (CSV)" if path.is_dir() else path.name
    try:
        preview = surveyxact_preview(path)
    except KvaliError as exc:
        st.error(f"{md(name)} kan ikke vises: {md(exc)}")
        return
    with st.container(border=True):
        st.markdown(f"**{md(name)}** – {len(preview.rows)} åbne spørgsmål, "
                    f"{preview.answers} svar fra {preview.respondents} respondenter")
        st.dataframe(preview.rows, hide_index=True)


def _table_choices(path: Path, options: ReadOptions) -> ReadOptions:
    """Preview a survey table and let the analyst pick its case and free-text columns."""
    try:
        preview: TablePreview = table_preview(path)
    except KvaliError as exc:
        st.error(f"{md(path.name)} kan ikke vises: {md(exc)}")
        return options
    with st.container(border=True):
        st.markdown(f"**{md(path.name)}** – {preview.total_rows} rækker")
        st.dataframe([dict(zip(preview.columns, row, strict=True)) for row in preview.rows],
                     hide_index=True)
        left, middle, right = st.columns(3)
        case_column = left.selectbox(
            "Kolonne med kommune/respondent", [AUTO, *preview.columns],
            key=f"{K}case_col.{path.name}",
            index=1 + preview.columns.index(preview.case_column) if preview.case_column else 0)
        role_column = middle.selectbox(
            "Kolonne med respondentens rolle", [NO_ROLE, *preview.columns],
            key=f"{K}role_col.{path.name}",
            index=1 + preview.columns.index(preview.role_column) if preview.role_column else 0)
        text_columns = right.multiselect(
            "Kolonner med fritekst", preview.columns, default=preview.text_columns,
            key=f"{K}text_cols.{path.name}", placeholder="Vælg …", select_all=False)
    return ReadOptions(kind="survey", case=options.case, attributes=options.attributes,
                       case_column=None if case_column == AUTO else case_column,
                       role_column="" if role_column == NO_ROLE else role_column,
                       text_columns=list(text_columns), max_bytes=options.max_bytes)


def _run_import(db: Database, staged: list[Path], options: ReadOptions,
                table_options: dict[Path, ReadOptions], tag: bool) -> None:
    bar = st.progress(0.0, text="Importerer …")
    report = ImportReport()
    total = len(staged)

    def progress(done: int, outcome: FileOutcome) -> None:
        bar.progress(done / total, text=f"{done} af {total}: {Path(outcome.path).name}")

    for path in staged:
        part = import_paths(db, [path], table_options.get(path, options),
                            progress=lambda _i, _n, outcome: progress(
                                len(report.files) + 1, outcome))
        report.files.extend(part.files)
    imported = sum(f.status == "imported" for f in report.files)
    summary = {"report": report.to_dict(), "tagged": None}
    if tag and imported and codebook_has_rules(db):
        with st.spinner("Foreslår koder …"):
            tagged = tag_project(db)
        summary["tagged"] = sum(tagged.added.values())
    st.session_state[K + "report"] = summary
    st.session_state[K + "round"] += 1
    failed = sum(f.status == "failed" for f in report.files)
    notify(f"{imported} fil(er) importeret" + (f", {failed} fejlede" if failed else "") + ".",
           icon=":material/warning:" if failed else ":material/check_circle:")
    st.rerun()


def _last_report() -> None:
    summary = st.session_state.get(K + "report")
    if not summary:
        return
    files = summary["report"]["files"]
    st.subheader("Resultat af sidste import")
    st.dataframe([{
        "Fil": Path(f["path"]).name, "Status": STATUS.get(f["status"], f["status"]),
        "Dokumenter": f["documents"], "Segmenter": f["segments"], "Svar": f["responses"],
        "Ord": f["words"],
        "Besked": f["error"] or "; ".join(f["warnings"]),
        "Ikke genkendte kommuner": ", ".join(sorted(f["unmatched_municipalities"])),
    } for f in files], hide_index=True)
    unmatched = sorted({name for f in files for name in f["unmatched_municipalities"]})
    if unmatched:
        st.warning("Ikke genkendt som en af de 98 kommuner (gemt som skrevet): "
                   + md(", ".join(unmatched)))
    for f in files:
        if f["status"] == "failed":
            st.error(f"{md(Path(f['path']).name)}: {md(f['error'])}")
    if summary["tagged"] is not None:
        st.caption(f"{summary['tagged']} nye forslag fra kodebogens regler.")

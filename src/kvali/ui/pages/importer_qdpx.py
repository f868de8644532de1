"""Importér, REFI-QDA: upload a .qdpx project from NVivo, ATLAS.ti, MAXQDA, QualCoder or kvali and
import it as `kvali import-qdpx` does; then see what came in, how each source's positions were
read, every source that could not be placed with the codings lost, and the other warnings. A
failed import is one line beside the button, with what the import had found before it stopped."""

from __future__ import annotations

from dataclasses import dataclass, field

import streamlit as st

from kvali.refiqda.load import QdpxImport
from kvali.ui.actions import import_refiqda
from kvali.ui.render import md
from kvali.ui.state import action, get_db, may, show_feedback
from kvali.ui.uploads import stage_uploads, upload_folder
from kvali.views.refiqda_import import (
    imported_sentence,
    missing_lines,
    other_warnings,
    reading_rows,
)

K = "kvali.import.qdpx."
PLACE = "import.qdpx"
RESULT = K + "result"
ROUND = K + "round"  # a new round empties the uploader after a successful import
TITLE = "Importér et REFI-QDA-projekt (.qdpx) fra NVivo, ATLAS.ti, MAXQDA, QualCoder …"


@dataclass
class QdpxOutcome:
    """The last REFI-QDA import of this session: the upload's name, its report, and whether
    it failed (then nothing was stored, and the report holds what was found until then)."""

    name: str
    report: QdpxImport = field(default_factory=QdpxImport)
    failed: bool = True


def qdpx_section() -> None:
    """The upload, the import button, its error line and the last import's report."""
    state = st.session_state
    outcome: QdpxOutcome | None = state.get(RESULT)
    with st.expander(TITLE, expanded=outcome is not None):
        upload = st.file_uploader(
            "REFI-QDA-projekt (.qdpx)", type=["qdpx"],
            key=f"{K}upload.{state.setdefault(ROUND, 0)}",
            help="Kilder, koder, kodninger, brugere, noter og cases kommer med. En kilde, hvis "
                 "tekst mangler i filen, springes over og vises nedenfor.")
        st.button("Importér projektet", type="primary", key=K + "run",
                  disabled=upload is None or not may("import"), on_click=_import_upload,
                  args=(upload.name, upload.getvalue()) if upload else ())
        show_feedback(PLACE)
        if outcome is not None:
            _show(outcome)


def _import_upload(name: str, data: bytes) -> None:
    """Stage the upload in a folder removed afterwards and import it."""
    state = st.session_state
    outcome = state[RESULT] = QdpxOutcome(name)

    def work() -> str:
        with upload_folder(True) as folder:
            [path] = stage_uploads([(name, data)], folder)
            message = import_refiqda(get_db(), path, name, outcome.report)
        outcome.failed = False
        state[ROUND] = state.get(ROUND, 0) + 1
        return message

    action(work, PLACE)


def _show(outcome: QdpxOutcome) -> None:
    """The report of the last import; after a failure only what was found before it."""
    report = outcome.report
    if outcome.failed:
        if not (report.conventions or report.missing or report.skipped or report.warnings):
            return
        st.caption("Det, importen nåede at finde, før den stoppede (intet er gemt):")
    else:
        st.markdown(f"**{md(outcome.name)}**: {md(imported_sentence(report))}")
    readings = reading_rows(report)
    if readings:
        st.dataframe(readings, hide_index=True)
    missing = missing_lines(report)
    if missing:
        st.warning(f"{len(missing)} kilde(r) kunne ikke placeres, og deres kodninger er ikke "
                   "importeret:\n\n" + "\n".join(f"- {md(line)}" for line in missing))
    others = other_warnings(report)
    if others:
        st.warning("Andre advarsler fra importen:\n\n"
                   + "\n".join(f"- {md(line)}" for line in others))

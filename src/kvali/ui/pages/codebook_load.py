"""Kodebog, loading: upload a codebook.yaml, a REFI-QDA .qdc or a CSV codebook, or take the
default one (checked through `kvali.codebook.install`; problems listed by line, nothing loaded),
saved beside the project as codebook.yaml and synced; "Kør automatisk kodning" runs the
incremental tagger with a progress bar (it commits in short batches, so other analysts can
write meanwhile)."""

from __future__ import annotations

import tempfile
from pathlib import Path

import streamlit as st
from sqlite_utils import Database

import kvali
from kvali.codebook.edit import file_digest
from kvali.codebook.install import SUFFIXES, install_codebook
from kvali.codebook.load import Problem
from kvali.tagging.run import codebook_has_rules, tag_project
from kvali.ui.render import md
from kvali.ui.state import CODEBOOK, action, current_coder, get_db, project_file
from kvali.views.codes import code_keys

K = "kvali.codebook."
OPENED = K + "opened"  # {codebook path: digest of the file as this session knows it}
PROBLEMS = K + "problems"  # (the uploaded file's name, its problems as lines) of the last try
UPLOAD_ROUND = K + "upload_round"  # a new round empties the uploader after a successful load


def forget_form_values(db: Database) -> None:
    """Drop the edit forms' remembered values of every code, so they show the file anew."""
    keys = set(code_keys(db))
    for name in [n for n in st.session_state if isinstance(n, str) and n.startswith(K)]:
        code, _, _field = name[len(K):].rpartition(".")
        if code in keys:
            del st.session_state[name]


def default_codebook() -> Path | None:
    """The default codebook.yaml shipped inside the package (in a source checkout the link
    kvali/data/codebook.yaml points at the repository's codebook.yaml); None if missing."""
    path = Path(kvali.__file__).resolve().parent / "data" / "codebook.yaml"
    return path if path.is_file() else None


def problem_line(problem: Problem) -> str:
    """A validation problem as the page lists it: line, code key and the reason."""
    where = f"Linje {problem.line}" if problem.line else "Filen"
    return f"{where}{f' (kode {problem.key})' if problem.key else ''}: {problem.message}"


def load_controls() -> None:
    """Upload a codebook (.yaml, .qdc or .csv) or take the default one; the problems of the
    last try."""
    state = st.session_state
    upload = st.file_uploader("Kodebog (codebook.yaml, REFI-QDA .qdc eller CSV)",
                              type=[suffix.lstrip(".") for suffix in SUFFIXES],
                              key=f"{K}upload.{state.setdefault(UPLOAD_ROUND, 0)}")
    columns = st.columns(2)
    columns[0].button("Indlæs den uploadede kodebog", type="primary", key=K + "load_upload",
                      disabled=upload is None, on_click=_load_upload,
                      args=(upload.name, upload.getvalue()) if upload else ())
    default = default_codebook()
    if default is not None:
        columns[1].button("Brug standardkodebogen", key=K + "load_default",
                          on_click=_load_default, args=(default,),
                          help="Opfølgningstemaerne på det specialiserede socialområde.")
    name, lines = state.get(PROBLEMS) or ("", [])
    if lines:
        st.error(f"{md(name)} er ikke indlæst: {len(lines)} problem(er) i filen.\n\n"
                 + "\n".join(f"- {md(line)}" for line in lines))


def _load_upload(name: str, data: bytes) -> None:
    """Stage the upload under its own stem and suffix (the codebook's name comes from it)."""
    upload = Path(name)
    suffix = upload.suffix.lower() if upload.suffix.lower() in SUFFIXES else ".yaml"
    stem = upload.stem if upload.stem.isprintable() and upload.stem.strip(". ") else "kodebog"
    with tempfile.TemporaryDirectory(prefix="kvali-codebook-") as folder:
        staged = Path(folder) / f"{stem}{suffix}"
        staged.write_bytes(data)
        _load_file(staged, name)


def _load_default(path: Path) -> None:
    _load_file(path, path.name)


def _load_file(source: Path, name: str) -> None:
    """Check SOURCE; when it is valid, save it beside the project as codebook.yaml and sync."""
    state = st.session_state

    def work() -> str | None:
        target = project_file().resolve().parent / "codebook.yaml"
        db = get_db()
        report, problems = install_codebook(db, source, target, current_coder() or "kvali")
        if report is None:
            state[PROBLEMS] = (name, [problem_line(line) for line in problems]
                               or ["Filen kan ikke bruges."])
            return None
        state.pop(PROBLEMS, None)
        state.pop(CODEBOOK, None)  # the page edits the file beside the project from now on
        state.setdefault(OPENED, {})[str(target)] = file_digest(target)
        state[UPLOAD_ROUND] = state.get(UPLOAD_ROUND, 0) + 1
        forget_form_values(db)
        return (f"{name} er indlæst som projektets kodebog med {len(report.added)} nye, "
                f"{len(report.changed)} ændrede, {len(report.deactivated)} deaktiverede koder. "
                "Kør automatisk kodning for at få forslag.")

    action(work)


def autocode(db: Database) -> None:
    """The button that runs the incremental tagger, with a progress bar over the segments."""
    if not codebook_has_rules(db):
        return
    if not st.button("Kør automatisk kodning", key=K + "autocode", icon=":material/auto_awesome:",
                     help="Foreslår koder, hvor dokumenter er nye, eller reglerne er ændret."):
        return
    bar = st.progress(0.0, text="Foreslår koder …")

    def progress(done: int, total: int) -> None:
        bar.progress(done / total if total else 1.0, text=f"{done} af {total} segmenter")

    def work() -> str:
        report = tag_project(db, progress=progress)
        if not report.codes:
            return "Alt er allerede kodet automatisk; ingen nye dokumenter eller ændrede regler."
        return (f"Automatisk kodning i {report.documents} dokument(er) gav "
                f"{sum(report.added.values())} nye forslag, "
                f"{sum(report.removed.values())} fjernet.")

    action(work)
    st.rerun()

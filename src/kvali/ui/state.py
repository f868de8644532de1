"""Session state in one place: the project file, a connection per rerun, the coder, feedback.

Keys are namespaced `kvali.*`. A connection is opened per rerun (and per thread) and kept only
in this browser session's state, never shared between sessions, so two analysts each write
through their own short transactions (the project runs in WAL mode).
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import streamlit as st
from sqlite_utils import Database

from kvali.errors import KvaliError, UsageError
from kvali.store import ProjectBusyError, busy_as_error, open_db, project_path
from kvali.ui.render import error_text, md

PROJECT = "kvali.project"
CODER = "kvali.coder"
CODEBOOK = "kvali.codebook_path"
RUN = "kvali.run"
DB = "kvali.db"
FLASH = "kvali.flash"
BUSY = error_text(ProjectBusyError())
"""The sentence shown when the project stays locked past the busy timeout."""


def init_session(project: str | os.PathLike[str] | None = None) -> None:
    """Set defaults once per session and start a new run (the next `get_db` opens afresh)."""
    state = st.session_state
    state.setdefault(PROJECT, str(project_path(project)))
    state.setdefault(CODER, "")
    state.setdefault(FLASH, [])
    state[RUN] = state.get(RUN, 0) + 1


def project_file() -> Path:
    """The project file this session works on."""
    return Path(st.session_state.get(PROJECT) or project_path())


def get_db() -> Database:
    """This rerun's connection to the project (opened on first use in the run and thread)."""
    state = st.session_state
    key = (state.get(RUN, 0), threading.get_ident())
    held = state.get(DB)
    if held is not None and held[0] == key:
        return held[1]
    db = open_db(project_file(), create=False)
    state[DB] = (key, db)
    if held is not None and held[0][1] == key[1]:
        held[1].close()
    return db


def current_coder() -> str:
    """The coder name from the sidebar, or an empty string."""
    return str(st.session_state.get(CODER) or "").strip()


def coder() -> str:
    """The coder name from the sidebar; raises a UsageError the page shows when it is empty."""
    name = current_coder()
    if not name:
        raise UsageError("Skriv dit navn som koder i sidepanelet, før du koder eller skriver "
                         "memoer.")
    return name


def codebook_file() -> Path:
    """The codebook.yaml that the codebook page edits: chosen, $KVALI_CODEBOOK, or beside the
    project file, else in the working folder."""
    chosen = st.session_state.get(CODEBOOK) or os.environ.get("KVALI_CODEBOOK")
    if chosen:
        return Path(chosen)
    beside = project_file().resolve().parent / "codebook.yaml"
    return beside if beside.exists() else Path("codebook.yaml").resolve()


def sidebar() -> None:
    """The coder name (stamped on every coding and memo) and the project file."""
    with st.sidebar:
        st.text_input("Koder", key=CODER, placeholder="Dit navn eller initialer",
                      help="Navnet gemmes på alle kodninger og memoer, du laver i denne session.")
        if not current_coder():
            st.caption("Skriv dit navn for at kunne kode.")
        st.caption(f"Projekt: {md(project_file().name)}")


def notify(message: str, icon: str = ":material/check_circle:") -> None:
    """Queue a toast for the next render (actions run in callbacks, before the page is drawn)."""
    st.session_state.setdefault(FLASH, []).append(("toast", message, icon))


def fail(message: str) -> None:
    """Queue an error message for the next render."""
    st.session_state.setdefault(FLASH, []).append(("error", message, ""))


def show_feedback() -> None:
    """Show and clear the queued toasts and errors."""
    for kind, message, icon in st.session_state.get(FLASH, []):
        if kind == "toast":
            st.toast(md(message), icon=icon)
        else:
            st.error(md(message))
    st.session_state[FLASH] = []


@contextmanager
def busy_shown() -> Iterator[None]:
    """Draw a page; a project still locked after the busy timeout ends it with one sentence."""
    try:
        with busy_as_error():
            yield
    except ProjectBusyError:
        st.error(BUSY)


def action(work: Callable[[], str | None]) -> None:
    """Run a write; its returned sentence becomes a toast, a KvaliError an error message."""
    try:
        with busy_as_error():
            message = work()
    except KvaliError as exc:
        fail(error_text(exc))
        return
    if message:
        notify(message)


def open_project_or_stop() -> Database:
    """The connection; when the project cannot open, an error message ends the page."""
    try:
        return get_db()
    except ProjectBusyError:
        st.error(BUSY)
        st.stop()
    except KvaliError as exc:
        st.error(f"Projektet kunne ikke åbnes: {md(exc)}. Byg demoen med `kvali demo` eller "
                 "importér filer med `kvali import`.")
        st.stop()

"""Session state in one place: the project file, a connection per rerun, the coder, the
log-in, feedback.

Keys are namespaced `kvali.*`. A connection is opened per rerun (and per thread) and kept only
in this browser session's state, never shared between sessions, so two analysts each write
through their own short transactions (the project runs in WAL mode).

Every `get_db` also sets the rerun's actor for `kvali.access.require`: in a project with users,
the logged-in user with the role the project gives them now (or nobody, who may change
nothing); in a project without users, no actor, so everything is allowed. Callbacks run before
the page and call `get_db` first, so they are checked the same way.
"""

from __future__ import annotations

import os
import secrets
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import streamlit as st
from sqlite_utils import Database

from kvali.access import Actor, Permission, allowed, current_actor, require, set_actor
from kvali.access.roles import ROLE_LABELS
from kvali.access.users import authenticate, get_user, has_users
from kvali.coders.blind import is_blind
from kvali.errors import KvaliError, UsageError
from kvali.store import ProjectBusyError, busy_as_error, open_db, project_path
from kvali.ui.render import error_text, md

PROJECT = "kvali.project"
CODER = "kvali.coder"
CODEBOOK = "kvali.codebook_path"
RUN = "kvali.run"
DB = "kvali.db"
FLASH = "kvali.flash"
CHOOSING = "kvali.choosing_project"
LOGIN = "kvali.login"
"""(project file, user name) of this session's log-in."""
CLIENT = "kvali.client"
"""A random id of this browser session, for the limit on failed log-ins."""
LOGGED_OUT = Actor("", None)
CODER_PARAM = "koder"
"""The URL query parameter that keeps the coder name across a browser reload."""
BUSY = error_text(ProjectBusyError())
"""The sentence shown when the project stays locked past the busy timeout."""


def init_session(project: str | os.PathLike[str] | None = None) -> None:
    """Set defaults once per session and start a new run (the next `get_db` opens afresh)."""
    state = st.session_state
    state.setdefault(PROJECT, str(project_path(project)))
    state.setdefault(CODER, str(st.query_params.get(CODER_PARAM) or ""))
    state.setdefault(FLASH, [])
    state.setdefault(CLIENT, secrets.token_hex(16))
    state[RUN] = state.get(RUN, 0) + 1


def project_file() -> Path:
    """The project file this session works on."""
    return Path(st.session_state.get(PROJECT) or project_path())


def set_project(path: str | os.PathLike[str]) -> None:
    """Make PATH this session's project: the next `get_db` opens it, the codebook follows it."""
    state = st.session_state
    state[PROJECT] = str(Path(path))
    _drop_connection()
    state.pop(CODEBOOK, None)
    state[CHOOSING] = False


def _drop_connection() -> None:
    """Close the held connection (the next `get_db` opens afresh and sets the actor anew)."""
    held = st.session_state.pop(DB, None)
    if held is not None and held[0][1] == threading.get_ident():
        held[1].close()


def project_problem() -> KvaliError | None:
    """Why this session's project cannot be opened (missing, foreign, damaged), else None;
    a busy project counts as openable (the page says so)."""
    try:
        get_db()
    except ProjectBusyError:
        return None
    except KvaliError as exc:
        return exc
    return None


def choosing_project() -> bool:
    """Whether the analyst asked for the start screen to switch project."""
    return bool(st.session_state.get(CHOOSING))


def choose_project(choosing: bool = True) -> None:
    """Show (or leave) the start screen on the next render; in a project with users only an
    admin may go there."""
    if choosing:
        get_db()  # this callback's actor
        require("projects")
    st.session_state[CHOOSING] = choosing


def get_db() -> Database:
    """This rerun's connection to the project (opened on first use in the run and thread)."""
    state = st.session_state
    key = (state.get(RUN, 0), threading.get_ident())
    held = state.get(DB)
    if held is not None and held[0] == key:
        set_actor(held[2])
        return held[1]
    db = open_db(project_file(), create=False)
    actor = _actor(db)
    state[DB] = (key, db, actor)
    set_actor(actor)
    if held is not None and held[0][1] == key[1]:
        held[1].close()
    from kvali.ui.warmup import warm_up  # imports the pages, which import this module

    warm_up(db)  # the first views' figures, in the background (once per project and material)
    return db


def _actor(db: Database) -> Actor | None:
    """Who acts in this rerun: the logged-in user with their current role (a removed user is
    logged out), LOGGED_OUT before a log-in, None in a project without users."""
    if not has_users(db):
        return None
    login = st.session_state.get(LOGIN)
    user = get_user(db, login[1]) if login and login[0] == str(project_file()) else None
    return Actor(user.name, user.role) if user else LOGGED_OUT


def login_needed() -> bool:
    """Whether the app must ask for a log-in before it shows anything: the project has users
    and this session is not logged in to it, or the project is too busy to tell. A project that
    cannot be opened needs none (the start screen shows)."""
    try:
        get_db()
    except ProjectBusyError:
        return True
    except KvaliError:
        return False
    return current_actor() == LOGGED_OUT


def log_in(name: str, password: str) -> None:
    """Log this session in to the project; raises LoginFailed with a Danish sentence."""
    user = authenticate(get_db(), name, password, st.session_state[CLIENT])
    st.session_state[LOGIN] = (str(project_file()), user.name)
    _drop_connection()


def log_out() -> None:
    """End this session's log-in; the next rerun asks for a log-in again."""
    st.session_state.pop(LOGIN, None)
    _drop_connection()


def signed_in() -> Actor | None:
    """The logged-in user of this rerun, or None (a project without users)."""
    actor = current_actor()
    return actor if actor is not None and actor.role else None


def may(permission: Permission) -> bool:
    """Whether the logged-in user may do PERMISSION (always, without users): for disabling
    buttons; the write functions check for themselves."""
    return allowed(permission)


def current_coder() -> str:
    """The logged-in user's name, else the coder name from the sidebar, or an empty string."""
    user = signed_in()
    return user.name if user else str(st.session_state.get(CODER) or "").strip()


def coder() -> str:
    """The coder name from the sidebar; raises a UsageError the page shows when it is empty."""
    name = current_coder()
    if not name:
        raise UsageError("Skriv dit navn som koder i sidepanelet, før du koder eller skriver "
                         "memoer.")
    return name


def blind_coder() -> str | None:
    """The current coder's name while their blind mode is on (the pages then show only their
    own codings), else None."""
    name = current_coder()
    return name if name and is_blind(get_db(), name) else None


def codebook_file() -> Path:
    """The codebook.yaml that the codebook page edits: chosen, $KVALI_CODEBOOK, or beside the
    project file, else in the working folder."""
    chosen = st.session_state.get(CODEBOOK) or os.environ.get("KVALI_CODEBOOK")
    if chosen:
        return Path(chosen)
    beside = project_file().resolve().parent / "codebook.yaml"
    return beside if beside.exists() else Path("codebook.yaml").resolve()


def sidebar(switch: bool = True) -> None:
    """The coder name (stamped on every coding and memo) — the logged-in user with a button to
    log out, or a text box without users —, the project file and (with SWITCH) a button to the
    start screen to open or create another project."""
    with st.sidebar:
        user = signed_in()
        if user is not None:
            st.markdown(f"Logget ind som {md(user.name)} ({ROLE_LABELS[user.role or '']})")
            st.button("Log ud", key="kvali.log_out", on_click=log_out, icon=":material/logout:")
        else:
            st.text_input("Koder", key=CODER, placeholder="Dit navn eller initialer",
                          help="Navnet gemmes på alle kodninger og memoer, du laver i denne "
                               "session.")
            _remember_coder()
            if not current_coder():
                st.caption("Skriv dit navn for at kunne kode.")
        if not switch:
            return
        st.caption(f"Projekt: {md(project_file().name)}", help=md(project_file().resolve()))
        st.button("Skift projekt", key="kvali.switch_project", on_click=choose_project,
                  icon=":material/swap_horiz:", disabled=not may("projects"))


def _remember_coder() -> None:
    """Keep the coder name in the URL (?koder=NAME) so a browser reload keeps it."""
    name = current_coder()
    if str(st.query_params.get(CODER_PARAM) or "") == name:
        return
    if name:
        st.query_params[CODER_PARAM] = name
    else:
        del st.query_params[CODER_PARAM]


def notify(message: str, icon: str = ":material/check_circle:") -> None:
    """Queue a toast for the next render (actions run in callbacks, before the page is drawn)."""
    st.session_state.setdefault(FLASH, []).append(("toast", message, icon, ""))


def fail(message: str, place: str = "") -> None:
    """Queue an error message for the next render, shown where `show_feedback(place)` is."""
    st.session_state.setdefault(FLASH, []).append(("error", message, "", place))


def show_feedback(place: str = "") -> None:
    """Show and clear the queued toasts and the errors meant for PLACE ('' = the page top)."""
    kept = []
    for kind, message, icon, where in st.session_state.get(FLASH, []):
        if kind == "toast":
            st.toast(md(message), icon=icon)
        elif where == place:
            st.error(md(message))
        else:
            kept.append((kind, message, icon, where))
    st.session_state[FLASH] = kept


@contextmanager
def busy_shown() -> Iterator[None]:
    """Draw a page; a project still locked after the busy timeout ends it with one sentence."""
    try:
        with busy_as_error():
            yield
    except ProjectBusyError:
        st.error(BUSY)


def action(work: Callable[[], str | None], place: str = "") -> None:
    """Run a write; its returned sentence becomes a toast, a KvaliError an error message shown
    at PLACE (next to the control that ran it; '' = the page top)."""
    try:
        with busy_as_error():
            message = work()
    except KvaliError as exc:
        fail(error_text(exc), place)
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

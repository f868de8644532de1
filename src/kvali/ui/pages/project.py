"""Start: create a new project or open an existing one, shown when the session's project cannot
be opened (it does not exist yet, or it is not a kvali project) and when the analyst switches.

Creating makes NAME.db in the chosen folder with `open_db(create=True)`; opening refuses a file
that is not a kvali project in one line. The chosen file becomes the session's project
(`kvali.ui.state.set_project`).
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from kvali.errors import KvaliError, ProjectError
from kvali.store import open_db
from kvali.ui.render import md
from kvali.ui.state import (
    action,
    choose_project,
    choosing_project,
    project_file,
    project_problem,
    set_project,
    show_feedback,
)

K = "kvali.start."
SUFFIX = ".db"


def project_page() -> None:
    """The start screen: a new project (name and folder) or an existing project file."""
    st.title("Kom i gang med kvali")
    show_feedback()
    problem = project_problem() if not choosing_project() else None
    if problem is not None and project_file().exists():
        reason = problem.danish or "filen kan ikke læses som et kvali-projekt."
        st.warning(f"{md(project_file().name)} kan ikke åbnes: {md(reason)} Opret et nyt "
                   "projekt, eller åbn et andet.")
    elif not choosing_project():
        st.info(f"Der er intet projekt i {md(project_file().resolve())} endnu. Opret et nyt "
                "projekt, eller åbn et, du har i forvejen.")
    new, existing = st.columns(2)
    with new, st.container(border=True):
        st.subheader("Opret et nyt projekt")
        st.text_input("Projektets navn", key=K + "name", placeholder="fx opfoelgning-2026")
        st.text_input("Mappe", value=str(Path.cwd()), key=K + "folder",
                      help="Projektfilen NAVN.db lægges i denne mappe.")
        st.button("Opret projekt", type="primary", key=K + "create", on_click=_create)
    with existing, st.container(border=True):
        st.subheader("Åbn et eksisterende projekt")
        st.text_input("Projektfil (.db)", key=K + "path",
                      placeholder=str(Path.cwd() / f"projekt{SUFFIX}"))
        st.button("Åbn projekt", key=K + "open", on_click=_open)
    if choosing_project():
        st.button("Tilbage til projektet", key=K + "back", on_click=choose_project,
                  args=(False,))


def new_project_path(name: str, folder: str) -> Path:
    """NAME.db in FOLDER; raises ProjectError (in Danish) for an empty or path-like name, a
    missing folder or a file that is already there."""
    name = name.strip()
    if not name or name in (".", "..") or any(c in name for c in "/\\\0"):
        raise ProjectError("a project needs a name without / or \\",
                           danish="Skriv et navn til projektet (uden / og \\).")
    where = Path(folder.strip() or ".").expanduser()
    if not where.is_dir():
        raise ProjectError(f"no folder {where}", danish=f"Mappen {where} findes ikke.")
    path = where / (name if name.lower().endswith(SUFFIX) else name + SUFFIX)
    if path.exists():
        raise ProjectError(f"{path} exists", danish=f"{path} findes allerede; åbn det i stedet.")
    return path


def _create() -> None:
    state = st.session_state

    def work() -> str:
        path = new_project_path(str(state.get(K + "name") or ""),
                                str(state.get(K + "folder") or ""))
        open_db(path, create=True).close()
        set_project(path)
        return f"Projektet {path.name} er oprettet."

    action(work)


def _open() -> None:
    def work() -> str:
        text = str(st.session_state.get(K + "path") or "").strip()
        if not text:
            raise ProjectError("no project file", danish="Skriv stien til en projektfil (.db).")
        path = Path(text).expanduser()
        if not path.is_file():
            raise ProjectError(f"no file {path}", danish=f"Filen {path} findes ikke.")
        try:
            open_db(path, create=False).close()
        except KvaliError as exc:
            raise ProjectError(str(exc), danish=exc.danish or
                               f"{path.name} er ikke et kvali-projekt.") from None
        set_project(path)
        return f"Projektet {path.name} er åbnet."

    action(work)

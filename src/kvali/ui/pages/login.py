"""Log ind: in a project with users, the only page until this session has logged in."""

from __future__ import annotations

from collections.abc import Sequence

import streamlit as st
from streamlit.navigation.page import StreamlitPage

from kvali.access.users import NAME_LENGTH, PASSWORD_LENGTH
from kvali.errors import KvaliError
from kvali.store import ProjectBusyError
from kvali.ui.render import error_text
from kvali.ui.state import BUSY, get_db, log_in

K = "kvali.login."


def login_navigation(pages: Sequence[StreamlitPage]) -> StreamlitPage:
    """The log-in page under the address of each of PAGES (none of them shown); the default
    page's address is empty, so its stand-in is the default."""
    return st.navigation([st.Page(login_page, title="Log ind", icon=":material/login:",
                                  url_path=page.url_path or "log-ind", default=not page.url_path)
                          for page in pages], position="hidden")


def login_page() -> None:
    """The log-in form; a right name and password open the workbench, a wrong one says so."""
    st.title("Log ind")
    try:
        get_db()
    except ProjectBusyError:
        st.error(BUSY)
        return
    with st.form(K + "form", clear_on_submit=True, enter_to_submit=True):
        name = st.text_input("Brugernavn", key=K + "name", max_chars=NAME_LENGTH)
        password = st.text_input("Adgangskode", key=K + "password", type="password",
                                 max_chars=PASSWORD_LENGTH[1])
        submitted = st.form_submit_button("Log ind", type="primary", icon=":material/login:")
    st.caption("Projektet er delt. En administrator opretter brugere med `kvali users add`.")
    if not submitted:
        return
    try:
        log_in(name, password)
    except KvaliError as exc:
        st.error(error_text(exc))
        return
    st.rerun()

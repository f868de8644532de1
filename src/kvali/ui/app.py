"""The workbench: page setup, the session, navigation over the pages, and the chosen page.

`run()` draws one rerun. Streamlit executes a script from the top on every interaction, so the
scripts it runs (the packaged `app-script/kvali_workbench.py` behind `kvali app`, and `app.py` in
a source checkout) only call `run()`; importing this module once does nothing by itself.
"""

from __future__ import annotations

import os
from importlib.resources import files

import streamlit as st

from kvali.ui.navigation import remember
from kvali.ui.pages.agreement import agreement_page
from kvali.ui.pages.analysis import analysis_page
from kvali.ui.pages.codebook import codebook_page
from kvali.ui.pages.documents import documents_page
from kvali.ui.pages.importer import importer_page
from kvali.ui.pages.login import login_navigation
from kvali.ui.pages.overview import overview_page
from kvali.ui.pages.privacy import privacy_page
from kvali.ui.pages.project import project_page
from kvali.ui.pages.search import search_page
from kvali.ui.pages.suggestions import suggestions_page
from kvali.ui.state import (
    busy_shown,
    choosing_project,
    init_session,
    login_needed,
    project_problem,
    sidebar,
)

DANISH_CSS = (files("kvali.ui") / "assets" / "danish.css").read_text(encoding="utf-8")
"""Danish for the texts Streamlit gives no parameter for (the file uploader's)."""


def run() -> None:
    """Draw the workbench for this rerun on the project in $KVALI_DB (default kvali.db)."""
    st.set_page_config(page_title="kvali", page_icon=":material/format_quote:", layout="wide")
    # User mistakes are shown by the pages as st.error sentences; an unexpected failure shows
    # Streamlit's short notice in the page and its traceback only in the server log.
    st.set_option("client.showErrorDetails", "none")
    # No Deploy button or developer menu (rerun, clear cache) for the analyst.
    st.set_option("client.toolbarMode", "viewer")
    st.html(f"<style>{DANISH_CSS}</style>")
    init_session(os.environ.get("KVALI_DB") or "kvali.db")
    work = [
        st.Page(overview_page, title="Overblik", icon=":material/dashboard:",
                url_path="overblik", default=True),
        st.Page(documents_page, title="Dokumenter", icon=":material/description:",
                url_path="dokumenter"),
        st.Page(suggestions_page, title="Forslag", icon=":material/rule:", url_path="forslag"),
        st.Page(search_page, title="Søg", icon=":material/search:", url_path="soeg"),
        st.Page(analysis_page, title="Analyse og eksport", icon=":material/bar_chart:",
                url_path="analyse"),
        st.Page(agreement_page, title="Enighed", icon=":material/handshake:", url_path="enighed"),
    ]
    project = [
        st.Page(codebook_page, title="Kodebog", icon=":material/account_tree:",
                url_path="kodebog"),
        st.Page(importer_page, title="Importér", icon=":material/upload_file:",
                url_path="importer"),
        st.Page(privacy_page, title="Personoplysninger", icon=":material/shield_person:",
                url_path="personoplysninger"),
    ]
    if login_needed():
        # A project with users shows nothing before a log-in: no pages, no sidebar; the log-in
        # answers at every page's address, so a link opens that page once logged in.
        login_navigation([*work, *project]).run()
        return
    if choosing_project() or project_problem() is not None:
        # No project to work on yet (or the analyst switches): only the start screen.
        start = st.navigation([st.Page(project_page, title="Projekt", icon=":material/folder_open:",
                                       url_path="projekt")], position="hidden")
        sidebar(switch=False)
        start.run()
        return
    page = st.navigation({"Arbejde": work, "Projekt": project})
    remember([*work, *project])
    sidebar()
    with busy_shown():
        page.run()

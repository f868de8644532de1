"""Links between the workbench's pages: the pages of this run, and a link that opens the reader
at an exact span of a document.

`app.run()` hands the pages it built to `remember`; a page draws `reader_link` to send the analyst
to the Dokumenter reader with the document chosen, the page turned to the span and the span
highlighted (query parameters `dokument`, `fra`, `til`; the reader consumes them once).
"""

from __future__ import annotations

from collections.abc import Iterable

import streamlit as st

from kvali.ui.state import CODER_PARAM, current_coder

PAGES = "kvali.pages"
READER = "dokumenter"
DOCUMENT_PARAM = "dokument"
START_PARAM = "fra"
END_PARAM = "til"


def remember(pages: Iterable[st.Page]) -> None:
    """Keep this run's pages so that other pages can link to them."""
    st.session_state[PAGES] = {page.url_path: page for page in pages}


def reader_target(document_id: int, start: int, end: int) -> dict[str, str]:
    """The query parameters that open the reader at `document_id`, span [start, end)."""
    params = {DOCUMENT_PARAM: str(document_id), START_PARAM: str(start), END_PARAM: str(end)}
    name = current_coder()
    if name:
        params[CODER_PARAM] = name
    return params


def reader_link(document_id: int, start: int, end: int, label: str = "Åbn i læseren") -> None:
    """A link to the reader at the span (nothing when the reader page is not in this run)."""
    page = st.session_state.get(PAGES, {}).get(READER)
    if page is None:
        return
    st.page_link(page, label=label, icon=":material/open_in_new:",
                 query_params=reader_target(document_id, start, end))


def take_reader_target() -> tuple[int, int, int] | None:
    """(document, start, end) when the URL asks the reader to open a span; the parameters are
    removed so that later reruns stay where the analyst is."""
    params = st.query_params
    try:
        target = (int(params[DOCUMENT_PARAM]), int(params[START_PARAM]), int(params[END_PARAM]))
    except (KeyError, ValueError):
        return None
    finally:
        for name in (DOCUMENT_PARAM, START_PARAM, END_PARAM):
            params.pop(name, None)
    return target if 0 <= target[1] <= target[2] else None

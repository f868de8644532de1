"""Dokumenter › Ret dokumentet: switch the open document between interview and report, or delete
it after an explicit confirmation. Writes go through kvali.store.documents; nothing here is SQL."""

from __future__ import annotations

import streamlit as st

from kvali.domain import kind_label
from kvali.store.documents import CHANGEABLE_KINDS, delete_documents, set_document_kind
from kvali.ui.render import md
from kvali.ui.state import action, coder, get_db
from kvali.views.documents import DocumentHeader

K = "kvali.docs.admin."
WITH_ARTICLE = {"interview": "et interview", "report": "en rapport"}


def document_admin(header: DocumentHeader) -> None:
    """"Skift type" and "Slet dokument" for the open document."""
    with st.expander("Ret dokumentet (type, sletning)"):
        if header.kind in CHANGEABLE_KINDS:
            _kind_switch(header)
        else:
            st.caption("Survey-svar kan ikke skifte type.")
        _delete_step(header)


def _kind_switch(header: DocumentHeader) -> None:
    choice_key = f"{K}kind.{header.id}"
    chosen = st.radio("Type", CHANGEABLE_KINDS, index=CHANGEABLE_KINDS.index(header.kind),
                      format_func=kind_label, horizontal=True, key=choice_key,
                      help="Teksten ændres ikke. Segmenterne bygges op igen, menneskelige "
                           "kodninger bevares, og ventende forslag fjernes.")
    st.button("Skift type", key=K + "set_kind", disabled=chosen == header.kind,
              on_click=_set_kind, args=(header.id, choice_key))


def _delete_step(header: DocumentHeader) -> None:
    confirm_key = f"{K}confirm.{header.id}"
    if not st.session_state.get(confirm_key):
        st.button("Slet dokument", key=K + "delete", on_click=_ask, args=(confirm_key,))
        return
    st.warning(f"Slet »{md(header.name)}« med {header.segments} segmenter og alle dokumentets "
               "kodninger og memoer? Det kan ikke fortrydes.")
    yes, no = st.columns(2)
    yes.button("Ja, slet dokumentet", type="primary", key=K + "confirm_delete",
               on_click=_delete, args=(header.id, confirm_key))
    no.button("Fortryd", key=K + "cancel", on_click=_cancel, args=(confirm_key,))


def _ask(confirm_key: str) -> None:
    st.session_state[confirm_key] = True


def _cancel(confirm_key: str) -> None:
    st.session_state.pop(confirm_key, None)


def _delete(document_id: int, confirm_key: str) -> None:
    def work() -> str:
        report = delete_documents(get_db(), [document_id], coder())
        st.session_state.pop(confirm_key, None)
        again = " Filen kan importeres igen." if report.imports else ""
        return (f"Dokumentet er slettet med {report.segments} segmenter og {report.codings} "
                f"kodninger.{again}")
    action(work)


def _set_kind(document_id: int, choice_key: str) -> None:
    def work() -> str:
        kind = str(st.session_state[choice_key])
        change = set_document_kind(get_db(), document_id, kind, coder())
        dropped = (f", og {change.suggestions_dropped} ventende forslag er fjernet (de "
                   "foreslås igen ved næste tagging)" if change.suggestions_dropped else "")
        return (f"Dokumentet er nu {WITH_ARTICLE[kind]} med {change.segments} segmenter; "
                f"{change.codings_kept} kodninger er bevaret{dropped}.")
    action(work)

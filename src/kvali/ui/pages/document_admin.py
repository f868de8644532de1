"""Dokumenter › Ret dokumentet: switch the open document between interview and report, import a
corrected version of its file in its place, or delete it after an explicit confirmation. Writes go
through kvali.store.documents and kvali.store.reimport; nothing here is SQL."""

from __future__ import annotations

import streamlit as st

from kvali.domain import kind_label
from kvali.errors import UsageError
from kvali.store.documents import CHANGEABLE_KINDS, delete_documents, set_document_kind
from kvali.store.reimport import reimport_document
from kvali.ui.pages.importer import FILE_TYPES
from kvali.ui.render import md
from kvali.ui.state import action, coder, get_db, show_feedback
from kvali.ui.uploads import stage_uploads, upload_folder
from kvali.views.documents import DocumentHeader

K = "kvali.docs.admin."
DOCUMENT = "kvali.docs.document"  # the reader's document choice
PLACE = "admin"  # where errors of this section are shown
WITH_ARTICLE = {"interview": "et interview", "report": "en rapport"}


def document_admin(header: DocumentHeader) -> None:
    """"Skift type", "Importér igen" and "Slet dokument" for the open document."""
    with st.expander("Ret dokumentet (type, ny udgave, sletning)"):
        if header.kind in CHANGEABLE_KINDS:
            _kind_switch(header)
            _reimport_step(header)
        else:
            st.caption("Survey-svar kan ikke skifte type eller importeres igen.")
        _delete_step(header)


def _kind_switch(header: DocumentHeader) -> None:
    choice_key = f"{K}kind.{header.id}"
    chosen = st.radio("Type", CHANGEABLE_KINDS, index=CHANGEABLE_KINDS.index(header.kind),
                      format_func=kind_label, horizontal=True, key=choice_key,
                      help="Teksten ændres ikke. Segmenterne bygges op igen, menneskelige "
                           "kodninger bevares, og ventende forslag fjernes.")
    st.button("Skift type", key=K + "set_kind", disabled=chosen == header.kind,
              on_click=_set_kind, args=(header.id, choice_key))


def _reimport_step(header: DocumentHeader) -> None:
    upload_key = f"{K}file.{header.id}"
    st.file_uploader("Importér en ny udgave af filen", type=FILE_TYPES,
                     accept_multiple_files=True, key=upload_key,
                     help="Den rettede fil erstatter dokumentet. Kodninger, memoer og "
                          "nøglecitater flyttes med, hvor deres tekst stadig står i filen; "
                          "ventende forslag laves på ny. Tag filens .yaml-fil med, hvis den "
                          "har en.")
    st.button("Importér igen", key=K + "reimport",
              disabled=not st.session_state.get(upload_key),
              on_click=_reimport, args=(header.id, upload_key))
    show_feedback(PLACE)


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


def _reimport(document_id: int, upload_key: str) -> None:
    def work() -> str:
        actor = coder()
        files = [(u.name, u.getvalue()) for u in st.session_state.get(upload_key) or []]
        with upload_folder(bool(files)) as folder:
            staged = stage_uploads(files, folder) if folder else []
            if len(staged) != 1:
                raise UsageError("Vælg én fil: den nye udgave af dokumentet (og evt. dens "
                                 ".yaml-fil).")
            report = reimport_document(get_db(), document_id, staged[0], None, actor)
        if report.unchanged:
            return "Filen er den samme som den importerede, så intet er ændret."
        st.session_state[DOCUMENT] = report.new_document
        return (f"Dokumentet er importeret igen: {report.kept} kodninger bevaret, "
                f"{len(report.lost)} kunne ikke placeres.")
    action(work, PLACE)

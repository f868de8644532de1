"""Personoplysninger: scan the project for personal data, review the findings (type, the found
text, why, status), confirm or dismiss them, and mark what the scan missed by hand. Reads and
writes go through kvali.privacy.findings; nothing here is SQL or parsing."""

from __future__ import annotations

import streamlit as st

from kvali.privacy.findings import (
    STATUS_LABELS,
    TYPE_LABELS,
    FindingRow,
    add_manual,
    add_manual_text,
    decide,
    list_findings,
    scan_project,
)
from kvali.store.documents import document_summaries
from kvali.ui.state import action, coder, get_db, open_project_or_stop, show_feedback

K = "kvali.privacy."
ANY = "Alle"
REASONS = {"cpr": "CPR-form med gyldig dato", "phone": "8 cifre i dansk gruppering",
           "email": "e-mailadresse", "address": "gadenavn og husnummer / postnummer og by",
           "name": "navn"}


def privacy_page() -> None:
    """The findings of personal data and the decisions on them."""
    db = open_project_or_stop()
    st.title("Personoplysninger")
    show_feedback()
    st.button("Scan for personoplysninger", key=K + "scan", type="primary", on_click=_scan,
              help="Finder CPR-numre, telefonnumre, e-mails, adresser og navne. Fund, der er "
                   "bekræftet, afvist eller tilføjet i hånden, ændres ikke.")
    show_feedback("scan")
    left, right = st.columns(2)
    type_ = left.selectbox("Type", [ANY, *TYPE_LABELS], key=K + "type",
                           format_func=lambda t: TYPE_LABELS.get(t, t))
    status = right.selectbox("Status", [ANY, *STATUS_LABELS], key=K + "status",
                             format_func=lambda s: STATUS_LABELS.get(s, s))
    rows = list_findings(db, None if status == ANY else status, None if type_ == ANY else type_)
    st.caption(f"{len(rows)} fund")
    if rows:
        st.dataframe([_row(r) for r in rows], hide_index=True)
        _decisions(rows)
    _add_by_hand()


def _row(row: FindingRow) -> dict:
    return {"Nr.": row.id, "Dokument": row.document, "Type": TYPE_LABELS[row.type],
            "Tekst": row.text, "Hvorfor": _why(row), "Status": STATUS_LABELS[row.status],
            "Position": f"{row.start}–{row.end}"}


def _why(row: FindingRow) -> str:
    """The rule in Danish words (the stored reason is the English rule name)."""
    if row.origin == "manual":
        return "tilføjet i hånden"
    return f"{REASONS[row.type]} ({row.reason.partition(': ')[2]})"


def _decisions(rows: list[FindingRow]) -> None:
    labels = {r.id: f"{r.id} · {TYPE_LABELS[r.type]} · {r.text}" for r in rows}
    chosen = st.multiselect("Vælg fund", list(labels), key=K + "chosen",
                            format_func=lambda i: labels.get(i, str(i)))
    yes, no = st.columns(2)
    yes.button("Bekræft valgte", key=K + "confirm", disabled=not chosen, on_click=_decide,
               args=("confirmed",))
    no.button("Afvis valgte", key=K + "dismiss", disabled=not chosen, on_click=_decide,
              args=("dismissed",))
    show_feedback("decide")


def _add_by_hand() -> None:
    with st.expander("Tilføj i hånden"):
        documents = {d["id"]: d["name"] for d in document_summaries(get_db())}
        st.selectbox("Dokument", list(documents), key=K + "add.document",
                     format_func=lambda i: documents.get(i, str(i)))
        st.selectbox("Type", list(TYPE_LABELS), key=K + "add.type",
                     format_func=TYPE_LABELS.__getitem__)
        st.text_input("Præcis tekst", key=K + "add.text",
                      help="Alle steder i dokumentet, hvor teksten står præcis sådan.")
        st.caption("… eller positioner i dokumentets tekst (tom tekst ovenfor):")
        start, end = st.columns(2)
        start.number_input("Fra", min_value=0, step=1, key=K + "add.start")
        end.number_input("Til", min_value=0, step=1, key=K + "add.end")
        st.button("Tilføj", key=K + "add", on_click=_add)
        show_feedback("add")


def _scan() -> None:
    def work() -> str:
        report = scan_project(get_db())
        return (f"{report.documents} dokumenter er scannet: {report.added} nye fund, "
                f"{report.removed} fjernet, {report.kept} uændret.")
    action(work, "scan")


def _decide(status: str) -> None:
    def work() -> str:
        ids = list(st.session_state.get(K + "chosen") or [])
        count = decide(get_db(), ids, status, coder())
        st.session_state[K + "chosen"] = []
        return f"{count} fund er {STATUS_LABELS[status].lower()}."
    action(work, "decide")


def _add() -> None:
    def work() -> str:
        state = st.session_state
        document, type_ = int(state[K + "add.document"]), str(state[K + "add.type"])
        text = str(state.get(K + "add.text") or "")
        if text:
            ids = add_manual_text(get_db(), document, text, type_, coder())
        else:
            ids = [add_manual(get_db(), document, int(state[K + "add.start"]),
                              int(state[K + "add.end"]), type_, coder())]
        return f"{len(ids)} fund er tilføjet."
    action(work, "add")

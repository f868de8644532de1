"""Dokumenter: filter the documents and read one, a page of segments at a time, with every
coded span highlighted in its code's colour; select words in the reader and press a code.

For double coding the page shows the coder's documents only ("Mine dokumenter"), a switch for
blind mode (only the coder's own codings in the list, the reader and the panel), a button to
mark the document done ("færdigkodet"), and who the document is assigned to."""

from __future__ import annotations

import math

import streamlit as st
from sqlite_utils import Database

from kvali.coders.blind import set_blind
from kvali.coders.work import coder_names, document_coders, is_done, set_document_coders, set_done
from kvali.domain import HUMAN_STATUSES, KIND_LABELS, SHOWN_STATUSES
from kvali.privacy.findings import TYPE_LABELS
from kvali.selection import Selection, selection_choices
from kvali.ui.actions import code_selection, mark_personal_data, write_memo
from kvali.ui.navigation import take_reader_target
from kvali.ui.pages.coding_panel import OPENED, coding_panel
from kvali.ui.pages.document_admin import document_admin
from kvali.ui.reader import reader, reader_data, reader_event
from kvali.ui.render import legend_html, md
from kvali.ui.state import (
    RUN,
    action,
    blind_coder,
    coder,
    current_coder,
    get_db,
    may,
    open_project_or_stop,
    show_feedback,
)
from kvali.views.codes import CodeNode, code_tree, recent_codes
from kvali.views.documents import (
    DocumentHeader,
    DocumentRow,
    SegmentView,
    document_header,
    list_documents,
    segment_page,
    seq_at,
)
from kvali.views.memos import memo_text, memos_for

K = "kvali.docs."
PER_PAGE = 200
TEXT_HEIGHT = 720  # px; the text scrolls beside the coding panel
ANY = "Alle"
HAS_CODES = {ANY: None, "Med kodninger": True, "Uden kodninger": False}
FILTERS = ("kind", "region", "municipality", "size", "role", "has", "name", "mine")
FOCUS = K + "focus"  # (document, start, end) a link asked the reader to show
READER_PLACE = "reader"


def documents_page() -> None:
    """The document list with filters, the reader and the coding panel."""
    db = open_project_or_stop()
    st.title("Dokumenter")
    show_feedback()
    _follow_link(db)
    selection, has_codes, name, mine = _filters(db)
    blind = blind_coder()
    rows = list_documents(db, selection, has_codes=has_codes, name=name, coder=blind,
                          assigned_to=mine)
    if not rows:
        st.info("Ingen dokumenter passer til filtrene.")
        return
    document_id = _pick_document(rows)
    header = document_header(db, document_id)
    _show_header(header)
    page = _pick_page(header)
    suggestions_column, blind_column, done_column, assigned_column = st.columns(
        4, vertical_alignment="center")
    with suggestions_column:
        show_suggestions = st.toggle("Vis forslag (stiplet)", key=K + "suggestions",
                                     help="Vis også de automatiske forslag, der venter på "
                                          "review.")
    with blind_column:
        blind_toggle(K + "blind")
    with done_column:
        _done_button(db, document_id)
    with assigned_column:
        _assignment(db, document_id)
    _workbench(document_id, page, SHOWN_STATUSES if show_suggestions else HUMAN_STATUSES, blind)
    _document_memo(db, document_id, blind)
    document_admin(header)


def blind_toggle(key: str) -> str | None:
    """The current coder's 'Blind kodning' switch (kept in the project); returns their name
    while it is on."""
    name = current_coder()
    blind = blind_coder()
    st.session_state[key] = blind is not None
    st.toggle("Blind kodning", key=key, on_change=_switch_blind, args=(key,),
              disabled=not name or not may("code"),
              help="Vis kun dine egne kodninger og de forslag, der venter; andres kodninger og "
                   "beslutninger skjules, så du koder og behandler forslag uafhængigt.")
    return blind


def _switch_blind(key: str) -> None:
    on = bool(st.session_state.get(key))

    def work() -> str:
        set_blind(get_db(), coder(), on)
        return ("Blind kodning er slået til. Du ser kun dine egne kodninger." if on
                else "Blind kodning er slået fra.")

    action(work)


def _done_button(db: Database, document_id: int) -> None:
    """The current coder's done mark on the document, as a button that turns it on or off."""
    name = current_coder()
    done = bool(name) and is_done(db, name, document_id)
    st.button("Færdigkodet ✓ (fortryd)" if done else "Markér som færdigkodet", key=K + "done",
              on_click=_mark_done, args=(document_id, not done),
              disabled=not name or not may("code"))


def _assignment(db: Database, document_id: int) -> None:
    """Who the document is assigned to, in a popover where an administrator changes it."""
    key = f"{K}assigned.{document_id}"
    assigned = document_coders(db, document_id)
    name = current_coder()
    st.session_state[key] = assigned
    with st.popover("Tildelt: " + (md(", ".join(assigned)) if assigned else "ingen")):
        st.multiselect(
            "Tildelt", sorted({*coder_names(db), *assigned, *([name] if name else [])}),
            key=key, on_change=_assign, args=(document_id, key), accept_new_options=True,
            disabled=not may("documents"), placeholder="Vælg eller skriv en koder")


def _mark_done(document_id: int, done: bool) -> None:
    def work() -> str:
        set_done(get_db(), coder(), [document_id], done)
        return ("Dokumentet er markeret som færdigkodet." if done
                else "Dokumentet er ikke længere markeret som færdigkodet.")

    action(work)


def _assign(document_id: int, key: str) -> None:
    chosen = [str(name) for name in st.session_state.get(key) or []]

    def work() -> str:
        set_document_coders(get_db(), document_id, chosen, by=current_coder())
        return "Tildelingen er gemt."

    action(work)


@st.fragment
def _workbench(document_id: int, page: int, statuses: tuple[str, ...],
               blind: str | None) -> None:
    """The text and the coding panel (only BLIND's codings, when a blind coder's name). A
    fragment: coding, clicking a highlight and the panel's buttons redraw only this part, so
    select-and-code answers without redrawing the page."""
    db = get_db()
    segments = segment_page(db, document_id, page, PER_PAGE, statuses=statuses, coder=blind)
    tree = code_tree(db)
    text_column, panel_column = st.columns([3, 2], gap="medium")
    with text_column:
        used = {c.code_key: (c.code_name, c.color) for s in segments for c in s.codings}
        if used:
            st.html(legend_html(used.values()))
        _reader(db, document_id, page, segments, tree)
    with panel_column:
        coding_panel(db, document_id, page, segments, tree)


def _follow_link(db: Database) -> None:
    """A link (search hit, suggestion) asked for a span: open its document at its page, with
    the filters cleared so the document is in the list."""
    target = take_reader_target()
    if target is None:
        return
    document_id, start, end = target
    state = st.session_state
    for name in FILTERS:
        state.pop(K + name, None)
    state[K + "document"] = document_id
    state[f"{K}page.{document_id}"] = seq_at(db, document_id, start) // PER_PAGE + 1
    state[FOCUS] = (document_id, start, end, state.get(RUN, 0))


def _reader(db: Database, document_id: int, page: int, segments: list[SegmentView],
            tree: list[CodeNode]) -> None:
    """The text with its highlights: select words and press a code, or click a highlight."""
    if tree:
        st.caption("Markér ord i teksten med musen og vælg en kode (tal 1–9 for de første). "
                   "Klik på en markering for at se dens kodninger.")
    focus = st.session_state.get(FOCUS)
    shown = (focus[1], focus[2]) if focus and focus[0] == document_id else None
    key = f"{K}reader.{document_id}.{page}"
    data = reader_data(segments, tree, recent=recent_codes(db, current_coder()), focus=shown,
                       nonce=focus[3] if shown else 0, height=TEXT_HEIGHT,
                       pii_types=TYPE_LABELS)
    reader(data, key=key, on_code=lambda: _code(key, document_id, tree),
           on_open=lambda: _open(key), on_pii=lambda: _mark(key, document_id))
    show_feedback(READER_PLACE)


def _code(key: str, document_id: int, tree: list[CodeNode]) -> None:
    event = reader_event(key, "code")
    if not event:
        return
    names = {node.key: node.name for node in tree}
    code_key = str(event.get("code") or "")
    action(lambda: code_selection(get_db(), document_id, int(event["start"]), int(event["end"]),
                                  code_key, coder(), label=names.get(code_key, code_key)),
           READER_PLACE)


def _mark(key: str, document_id: int) -> None:
    event = reader_event(key, "pii")
    if event:
        action(lambda: mark_personal_data(get_db(), document_id, int(event["start"]),
                                          int(event["end"]), str(event.get("type") or ""),
                                          coder()), READER_PLACE)


def _open(key: str) -> None:
    event = reader_event(key, "open")
    if event and event.get("codings"):
        st.session_state[OPENED] = [int(i) for i in event["codings"]]
        st.session_state[K + "coding"] = st.session_state[OPENED][0]


def _choice(label: str, options: list[str], key: str,
            labels: dict[str, str] | None = None) -> str | None:
    names = labels or {}
    value = st.selectbox(label, [ANY, *options], key=K + key, format_func=lambda v: names.get(v, v))
    return None if value == ANY else value


def _filters(db: Database) -> tuple[Selection, bool | None, str | None, str | None]:
    """(selection, with or without human codings, part of the name, the coder whose assigned
    documents alone are listed) from the filter bar."""
    choices = selection_choices(db)
    with st.expander("Filtre", expanded=False):
        first = st.columns(4)
        with first[0]:
            kind = _choice("Type", choices["kind"], "kind", KIND_LABELS)
        with first[1]:
            region = _choice("Region", choices["region"], "region")
        with first[2]:
            municipality = _choice("Kommune", choices["kommune"], "municipality")
        with first[3]:
            size = _choice("Kommunestørrelse", choices["size"], "size")
        second = st.columns(4, vertical_alignment="bottom")
        with second[0]:
            role = _choice("Rolle", choices["role"], "role")
        with second[1]:
            has_codes = HAS_CODES[st.selectbox("Kodninger", list(HAS_CODES), key=K + "has")]
        with second[2]:
            name = st.text_input("Navn indeholder", key=K + "name").strip() or None
        with second[3]:
            coder_name = current_coder()
            mine = st.toggle("Mine dokumenter", key=K + "mine", disabled=not coder_name,
                             help="Vis kun de dokumenter, der er tildelt dig.")
    chosen = {"kind": kind, "region": region, "kommune": municipality, "size": size,
              "role": role}
    selection = Selection(**{field: (value,) for field, value in chosen.items() if value})
    return selection, has_codes, name, coder_name if mine and coder_name else None


def _pick_document(rows: list[DocumentRow]) -> int:
    st.dataframe(
        [{"Dokument": r.name, "Type": KIND_LABELS.get(r.kind, r.kind),
          "Kommuner": ", ".join(r.municipalities[:3]) + (
              f" … (+{len(r.municipalities) - 3})" if len(r.municipalities) > 3 else ""),
          "Segmenter": r.segments, "Kodet": r.coded, "Forslag": r.suggested} for r in rows],
        hide_index=True, height=min(38 + 35 * len(rows), 250))
    ids = [r.id for r in rows]
    names = {r.id: f"{r.name} ({KIND_LABELS.get(r.kind, r.kind)}, {r.segments} segmenter)"
             for r in rows}
    if st.session_state.get(K + "document") not in ids:
        st.session_state[K + "document"] = ids[0]
    return st.selectbox(f"Læs dokument ({len(rows)} i listen)", ids, key=K + "document",
                        format_func=names.get)


def _show_header(header: DocumentHeader) -> None:
    st.subheader(md(header.name))
    facts = [KIND_LABELS.get(header.kind, header.kind), f"{header.segments} segmenter",
             f"{header.length:,} tegn".replace(",", "."), f"kilde: {header.source}"]
    st.caption(" · ".join(md(fact) for fact in facts))
    if header.question_text:
        st.caption(f"Spørgsmål {md(header.question or '')}: {md(header.question_text)}")
    if header.speakers:
        with st.expander(f"Deltagere ({len(header.speakers)})"):
            st.dataframe([{"Label": s.label, "Navn": s.name or "", "Rolle": s.role or "",
                           "Kommune": s.municipality or "",
                           "Interviewer": "ja" if s.is_interviewer else ""}
                          for s in header.speakers], hide_index=True)
    if header.attributes:
        with st.expander("Egenskaber"):
            st.dataframe([{"Egenskab": k, "Værdi": v} for k, v in header.attributes.items()],
                         hide_index=True)


def _pick_page(header: DocumentHeader) -> int:
    pages = max(math.ceil(header.segments / PER_PAGE), 1)
    if pages == 1:
        return 0
    number = st.number_input(f"Side (af {pages}, {PER_PAGE} segmenter pr. side)", min_value=1,
                             max_value=pages, step=1, key=f"{K}page.{header.id}")
    first = (number - 1) * PER_PAGE
    st.caption(f"Segment {first + 1}–{min(first + PER_PAGE, header.segments)} "
               f"af {header.segments}")
    return int(number) - 1


def _document_memo(db: Database, document_id: int, blind: str | None) -> None:
    """The coder's memo on the document, and the other coders' (not while blind)."""
    with st.expander("Memo om dokumentet"):
        name = current_coder()
        key = f"{K}docmemo.{document_id}"
        st.text_area("Dit memo", value=memo_text(db, "document", document_id, name) if name
                     else "", key=key, height=120)
        st.button("Gem memo om dokumentet", key=f"{K}save_docmemo", on_click=_save_document_memo,
                  args=(document_id, key))
        for memo in memos_for(db, "document", document_id):
            if memo.coder != name and blind is None:
                st.caption(f"{md(memo.coder)} ({memo.updated_at[:10]}):")
                st.text(memo.text)


def _save_document_memo(document_id: int, key: str) -> None:
    action(lambda: write_memo(get_db(), "document", document_id,
                              str(st.session_state.get(key) or ""), coder()))

"""The reader's coding panel: the codings of the highlight clicked (or of the page), with remove,
memo and key quote; and coding whole segments from a list."""

from __future__ import annotations

import streamlit as st
from sqlite_utils import Database

from kvali.domain import ORIGIN_LABELS, status_label
from kvali.ui.actions import apply_code, remove, toggle_key_quote, write_memo
from kvali.ui.render import md
from kvali.ui.state import action, coder, get_db, show_feedback
from kvali.views.codes import CodeNode
from kvali.views.documents import (
    CodingView,
    SegmentView,
    coding_by_id,
    document_text,
    segments_by_id,
)

K = "kvali.docs."
OPENED = K + "opened"  # the coding ids of the highlight the analyst clicked
PANEL_PLACE = "panel"
SEGMENTS_PLACE = "segments"


def coding_panel(db: Database, document_id: int, page: int, segments: list[SegmentView],
                 tree: list[CodeNode]) -> None:
    """The codings of the clicked highlight (else of the page), and whole-segment coding."""
    if not tree:
        st.info("Projektet har ingen koder endnu. Indlæs en kodebog under Kodebog.")
        return
    on_page = {c.id: c for s in segments for c in s.codings}
    opened = [on_page[i] for i in st.session_state.get(OPENED) or [] if i in on_page]
    _codings(db, document_id, opened or list(on_page.values()), bool(opened))
    _whole_segments(document_id, page, segments, tree)


def _codings(db: Database, document_id: int, codings: list[CodingView], opened: bool) -> None:
    where = "markeringen" if opened else "denne side"
    st.markdown(f"**Kodninger på {where}** ({len(codings)})")
    if opened:
        st.button("Vis alle på siden", key=K + "close_opened", on_click=_close_opened,
                  type="tertiary", icon=":material/close:")
    if not codings:
        st.caption("Ingen endnu.")
        return
    by_id = {c.id: c for c in codings}
    if st.session_state.get(K + "coding") not in by_id:
        st.session_state[K + "coding"] = codings[0].id
    coding_id = st.selectbox("Kodning", list(by_id), key=K + "coding",
                             format_func=lambda i: _label(by_id[i]))
    chosen = by_id[coding_id]
    st.caption("»" + md(document_text(db, document_id, chosen.start, chosen.end)[:400]) + "«")
    facts = [f"Kode: {chosen.code_name}", f"Koder: {chosen.coder}",
             f"Status: {status_label(chosen.status).lower()}",
             f"Oprindelse: {ORIGIN_LABELS.get(chosen.origin, chosen.origin)}"]
    if chosen.rule:
        facts.append(f"Regel: {chosen.rule}")
    st.caption(" · ".join(md(fact) for fact in facts))
    left, right = st.columns(2)
    with left:
        st.button("Fjern kodning", key=K + "remove", on_click=_remove)
    with right:
        st.button("Fjern nøglecitat" if chosen.key_quote else "Markér som nøglecitat",
                  key=K + "key_quote", on_click=_key_quote)
    st.text_area("Memo om kodningen", value=chosen.memo or "", key=f"{K}memo.{coding_id}",
                 height=90)
    st.button("Gem memo", key=K + "save_memo", on_click=_save_memo)
    show_feedback(PANEL_PLACE)


def _label(coding: CodingView) -> str:
    star = " ★" if coding.key_quote else ""
    return (f"{coding.code_name}{star} · {coding.coder} · {status_label(coding.status).lower()}"
            f" · tegn {coding.start}–{coding.end}")  # the span keeps two labels apart


def _whole_segments(document_id: int, page: int, segments: list[SegmentView],
                    tree: list[CodeNode]) -> None:
    """Code whole segments picked from a list (the reader's selection codes any words)."""
    with st.expander("Kod hele segmenter"):
        select_key = f"{K}segments.{document_id}.{page}"
        labels = {s.id: f"#{s.seq + 1} {s.speaker or ''}: {s.text[:70]}" for s in segments}
        st.multiselect("Segmenter", [s.id for s in segments], key=select_key,
                       format_func=labels.get, placeholder="Vælg et eller flere segmenter")
        names = {node.key: node.name for node in tree}
        labelled = {node.key: node.label for node in tree}
        st.selectbox("Kode", list(labelled), key=K + "code", format_func=labelled.get,
                     index=None, placeholder="Vælg en kode")
        st.checkbox("Kod segmenter i træk som ét citat", value=True, key=K + "as_one")
        st.text_input("Memo til kodningen (valgfrit)", key=K + "new_memo")
        st.button("Anvend kode", type="primary", key=K + "apply", on_click=_apply,
                  args=(select_key, names))
        show_feedback(SEGMENTS_PLACE)


def _close_opened() -> None:
    st.session_state.pop(OPENED, None)


def _apply(select_key: str, names: dict[str, str]) -> None:
    state = st.session_state

    def work() -> str:
        db = get_db()
        code_key = str(state.get(K + "code") or "")
        message = apply_code(db, segments_by_id(db, list(state.get(select_key) or [])),
                             code_key, coder(), as_one=bool(state.get(K + "as_one", True)),
                             memo=str(state.get(K + "new_memo") or ""),
                             label=names.get(code_key, code_key))
        state[K + "new_memo"] = ""
        state[select_key] = []
        return message

    action(work, SEGMENTS_PLACE)


def _chosen_coding() -> int:
    return int(st.session_state[K + "coding"])


def _remove() -> None:
    action(lambda: remove(get_db(), _chosen_coding(), coder()), PANEL_PLACE)


def _key_quote() -> None:
    def work() -> str:
        db = get_db()
        coding = coding_by_id(db, _chosen_coding())
        return toggle_key_quote(db, coding.id, not coding.key_quote, coder())

    action(work, PANEL_PLACE)


def _save_memo() -> None:
    coding_id = _chosen_coding()
    action(lambda: write_memo(get_db(), "coding", coding_id,
                              str(st.session_state.get(f"{K}memo.{coding_id}") or ""), coder()),
           PANEL_PLACE)

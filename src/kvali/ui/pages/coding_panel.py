"""The reader's coding panel: code the selected segments (or an excerpt of one), and remove,
annotate or star the codings on them."""

from __future__ import annotations

import streamlit as st
from sqlite_utils import Database

from kvali.domain import status_label
from kvali.ui.actions import apply_code, remove, toggle_key_quote, write_memo
from kvali.ui.render import md
from kvali.ui.state import action, coder, get_db
from kvali.views.codes import CodeNode
from kvali.views.documents import (
    CodingView,
    SegmentView,
    coding_by_id,
    document_text,
    segments_by_id,
)

K = "kvali.docs."


def coding_panel(db: Database, document_id: int, page: int, segments: list[SegmentView],
                 tree: list[CodeNode]) -> None:
    """Apply codes to the selected segments and work on the codings they carry."""
    st.markdown("**Kod**")
    if not tree:
        st.info("Projektet har ingen koder endnu. Indlæs en kodebog under Kodebog.")
        return
    select_key = f"{K}segments.{document_id}.{page}"
    labels = {s.id: f"#{s.seq + 1} {s.speaker or ''}: {s.text[:70]}" for s in segments}
    selected = st.multiselect("Segmenter", [s.id for s in segments], key=select_key,
                              format_func=labels.get, placeholder="Vælg et eller flere segmenter")
    names = {node.key: node.name for node in tree}
    labelled = {node.key: node.label for node in tree}
    st.selectbox("Kode", list(labelled), key=K + "code", format_func=labelled.get)
    st.text_input("Kun et udsnit (valgfrit)", key=K + "excerpt",
                  help="Indsæt ordene fra ét segment præcis som de står; så kodes kun de.")
    st.checkbox("Kod segmenter i træk som ét citat", value=True, key=K + "as_one")
    st.text_input("Memo til kodningen (valgfrit)", key=K + "new_memo")
    st.button("Anvend kode", type="primary", key=K + "apply", on_click=_apply,
              args=(select_key, names))
    on_selection = [s for s in segments if s.id in set(selected)] or segments
    codings = {c.id: c for s in on_selection for c in s.codings}
    _codings(db, document_id, list(codings.values()), bool(selected))


def _codings(db: Database, document_id: int, codings: list[CodingView],
             selected: bool) -> None:
    where = "de valgte segmenter" if selected else "denne side"
    st.markdown(f"**Kodninger på {where}** ({len(codings)})")
    if not codings:
        st.caption("Ingen endnu.")
        return

    def label(coding_id: int) -> str:
        c = by_id[coding_id]
        star = " ★" if c.key_quote else ""
        return f"{c.code_name}{star} · {c.coder} · {status_label(c.status).lower()}"

    by_id = {c.id: c for c in codings}
    if st.session_state.get(K + "coding") not in by_id:
        st.session_state[K + "coding"] = codings[0].id
    coding_id = st.selectbox("Kodning", list(by_id), key=K + "coding", format_func=label)
    chosen = by_id[coding_id]
    st.caption("»" + md(document_text(db, document_id, chosen.start, chosen.end)[:400]) + "«")
    if chosen.rule:
        st.caption(f"Regel: {md(chosen.rule)}")
    left, right = st.columns(2)
    with left:
        st.button("Fjern kodning", key=K + "remove", on_click=_remove)
    with right:
        st.button("Fjern nøglecitat" if chosen.key_quote else "Markér som nøglecitat",
                  key=K + "key_quote", on_click=_key_quote)
    st.text_area("Memo om kodningen", value=chosen.memo or "", key=f"{K}memo.{coding_id}",
                 height=90)
    st.button("Gem memo", key=K + "save_memo", on_click=_save_memo)


def _apply(select_key: str, names: dict[str, str]) -> None:
    state = st.session_state

    def work() -> str:
        db = get_db()
        code_key = str(state.get(K + "code") or "")
        message = apply_code(db, segments_by_id(db, list(state.get(select_key) or [])),
                             code_key, coder(), excerpt=str(state.get(K + "excerpt") or ""),
                             as_one=bool(state.get(K + "as_one", True)),
                             memo=str(state.get(K + "new_memo") or ""),
                             label=names.get(code_key, code_key))
        state[K + "excerpt"] = ""
        state[K + "new_memo"] = ""
        return message

    action(work)


def _chosen_coding() -> int:
    return int(st.session_state[K + "coding"])


def _remove() -> None:
    action(lambda: remove(get_db(), _chosen_coding(), coder()))


def _key_quote() -> None:
    def work() -> str:
        db = get_db()
        coding = coding_by_id(db, _chosen_coding())
        return toggle_key_quote(db, coding.id, not coding.key_quote, coder())

    action(work)


def _save_memo() -> None:
    coding_id = _chosen_coding()
    action(lambda: write_memo(get_db(), "coding", coding_id,
                              str(st.session_state.get(f"{K}memo.{coding_id}") or ""), coder()))

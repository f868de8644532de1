"""Forslag: review the auto-suggestions one at a time (J accept, N reject, S skip) or in bulk per
code and rule, with the rule and the matched words in view, the suggestion shown between its
neighbouring segments and a link that opens it in the reader.

With "Blind kodning" on, the queue holds what the coder has yet to decide — also suggestions
other coders decided, without saying how — and a decision is the coder's own
(`kvali.coders.blind.decide_blind`), so two coders' reviews stay apart."""

from __future__ import annotations

from html import escape

import streamlit as st
from sqlite_utils import Database

from kvali.coders.blind import decide_blind
from kvali.selection import Selection, selection_choices
from kvali.ui.actions import review
from kvali.ui.navigation import reader_link
from kvali.ui.pages.documents import blind_toggle
from kvali.ui.render import Highlight, highlight_html, md, safe_color
from kvali.ui.state import (
    action,
    blind_coder,
    coder,
    get_db,
    notify,
    open_project_or_stop,
    show_feedback,
)
from kvali.views.codes import code_tree
from kvali.views.context import SegmentContext, segment_context
from kvali.views.suggestions import (
    Suggestion,
    count_suggestions,
    suggestion_documents,
    suggestion_groups,
    suggestion_ids,
    suggestion_queue,
)

K = "kvali.review."
SKIPPED = K + "skipped"
ANY = "Alle"
UPCOMING = 10


def suggestions_page() -> None:
    """The review queue."""
    db = open_project_or_stop()
    st.title("Forslag")
    show_feedback()
    blind = blind_toggle(K + "blind")
    filters = _filters(db, blind)
    skipped = st.session_state.setdefault(SKIPPED, [])
    total = count_suggestions(db, filters, coder=blind)
    queue = suggestion_queue(db, filters, limit=UPCOMING + 1, exclude=skipped, coder=blind)
    st.caption(f"{total} forslag venter" + (f" · {len(skipped)} sprunget over i denne session"
                                            if skipped else ""))
    if not queue:
        st.success("Ingen forslag venter under disse filtre.")
        if skipped:
            st.button("Vis de oversprungne igen", key=K + "unskip", on_click=_unskip)
    else:
        _current(db, queue[0])
        if len(queue) > 1:
            with st.expander(f"De næste {len(queue) - 1}"):
                st.dataframe([{"Kode": s.code_name, "Ord": ", ".join(s.matched_words()),
                               "Dokument": s.document, "Kommune": s.municipality or "",
                               "Tekst": s.text[:120]} for s in queue[1:]], hide_index=True)
    _bulk(db, filters, blind)


def _filters(db: Database, blind: str | None) -> Selection:
    queued = {g["code"] for g in suggestion_groups(db, Selection(), coder=blind)}
    codes = {node.key: node.label for node in code_tree(db) if node.key in queued}
    places = selection_choices(db)["kommune"]
    documents = {doc_id: f"{name} ({count})"
                 for doc_id, name, count in suggestion_documents(db, coder=blind)}
    columns = st.columns(3)
    with columns[0]:
        st.selectbox("Kode", [ANY, *codes], key=K + "code", format_func=lambda v: codes.get(v, v))
    with columns[1]:
        st.selectbox("Kommune", [ANY, *places], key=K + "municipality")
    with columns[2]:
        st.selectbox("Dokument", [ANY, *documents], key=K + "document",
                     format_func=lambda v: documents.get(v, v))
    return _current_filters()


def _current_filters() -> Selection:
    """The selection as chosen in this session (callbacks read it too)."""
    def chosen(name: str) -> tuple[str, ...]:
        value = st.session_state.get(K + name, ANY)
        return () if value == ANY else (str(value),)

    return Selection(code=chosen("code"), kommune=chosen("municipality"),
                     document=chosen("document"))


def _current(db: Database, suggestion: Suggestion) -> None:
    color = safe_color(suggestion.color)
    with st.container(border=True):
        st.html(f'<div><span style="display:inline-block;width:.9em;height:.9em;'
                f'border-radius:2px;background:{color};vertical-align:middle;"></span> '
                f"<b>{escape(suggestion.code_name)}</b></div>")
        where = ", ".join(dict.fromkeys(p for p in (
            suggestion.speaker, suggestion.role, suggestion.municipality, suggestion.region,
            suggestion.time) if p))
        st.caption(md(suggestion.document) + (f" · {md(where)}" if where else ""))
        st.html(_passage_html(suggestion, segment_context(db, suggestion.segment_id)))
        st.caption(f"Regel: {md(suggestion.rule or '–')} · matchede ord: "
                   f"{md(', '.join(suggestion.matched_words()) or '–')}")
        columns = st.columns(3)
        columns[0].button("Acceptér", type="primary", key=K + "accept", shortcut="J",
                          on_click=_decide, args=([suggestion.id], "accepted"))
        columns[1].button("Afvis", key=K + "reject", shortcut="N",
                          on_click=_decide, args=([suggestion.id], "rejected"))
        columns[2].button("Spring over", key=K + "skip", shortcut="S",
                          on_click=_skip, args=(suggestion.id,))
    reader_link(suggestion.document_id, suggestion.start, suggestion.end)


def _passage_html(suggestion: Suggestion, context: SegmentContext) -> str:
    """The suggested span (dashed, in the code's colour, a bar beside it) with its matched words
    marked, inside its segment, between the neighbouring segments in a muted style."""
    def mark(start: int, end: int, dashed: bool) -> Highlight:
        return Highlight(start - context.start, end - context.start, suggestion.color,
                         suggestion.code_name, dashed=dashed)

    def muted(text: str) -> str:
        return (f'<div class="kv-context" style="opacity:.6;">{highlight_html(text, ())}</div>'
                if text else "")

    marks = [mark(suggestion.start, suggestion.end, True),
             *(mark(s, e, False) for s, e in suggestion.matched)]
    bar = f"border-left:3px solid {safe_color(suggestion.color)};padding-left:.5em;"
    return ('<div style="white-space:pre-wrap;line-height:2;font-size:1.05em;">'
            f"{muted(context.before)}"
            f'<div class="kv-span" style="{bar}">{highlight_html(context.text, marks)}</div>'
            f"{muted(context.after)}</div>")


def _bulk(db: Database, filters: Selection, blind: str | None) -> None:
    panel = st.expander("Massebehandling pr. kode og regel", key=K + "bulk_open",
                        on_change="rerun")
    if not panel.open:
        return
    groups = suggestion_groups(db, filters, coder=blind)
    if not groups:
        panel.caption("Ingen forslag at behandle.")
        return
    with panel:
        st.dataframe([{"Kode": g["name"], "Regel": g["rule"], "Forslag": g["count"]}
                      for g in groups], hide_index=True)
        labels = {(g["code"], g["rule"]): f"{g['name']} · {g['rule']} ({g['count']})"
                  for g in groups}
        by_code: dict[str, tuple[str, int]] = {}
        for g in groups:
            name, count = by_code.get(g["code"], (g["name"], 0))
            by_code[g["code"]] = (name, count + g["count"])
        st.markdown("**Én regel**")
        st.selectbox("Kode og regel", list(labels), key=K + "group", format_func=labels.get)
        left, right = st.columns(2)
        left.button("Acceptér alle med reglen", key=K + "accept_rule",
                    on_click=_decide_group, args=("group", "accepted"))
        right.button("Afvis alle med reglen", key=K + "reject_rule",
                     on_click=_decide_group, args=("group", "rejected"))
        st.markdown("**Hele koden**")
        st.selectbox("Kode", list(by_code), key=K + "bulk_code",
                     format_func=lambda k: f"{by_code[k][0]} ({by_code[k][1]})")
        left, right = st.columns(2)
        left.button("Acceptér alle for koden", key=K + "accept_code",
                    on_click=_decide_group, args=("bulk_code", "accepted"))
        right.button("Afvis alle for koden", key=K + "reject_code",
                     on_click=_decide_group, args=("bulk_code", "rejected"))


def _decide(ids: list[int], status: str) -> None:
    action(lambda: _review(get_db(), ids, status))


def _review(db: Database, ids: list[int], status: str) -> str:
    """Decide the suggestions as the current coder: their own decision while blind."""
    blind = blind_coder()
    if blind is None or not ids:  # `review` also refuses an empty list
        return review(db, ids, status, coder())
    decided = decide_blind(db, ids, status, blind)
    verb = "accepteret" if status == "accepted" else "afvist"
    return (f"Forslaget er {verb} som din egen beslutning (blind kodning)." if decided == 1
            else f"{decided} forslag er {verb} som dine egne beslutninger (blind kodning).")


def _decide_group(widget: str, status: str) -> None:
    """Decide every pending suggestion of the chosen code (and rule) under the filters."""
    chosen = st.session_state.get(K + widget)
    code, rule = chosen if isinstance(chosen, tuple) else (chosen, None)
    filters = _current_filters()

    def work() -> str:
        db = get_db()
        ids = suggestion_ids(db, filters, code_key=code, rule=rule or None, coder=blind_coder())
        return _review(db, ids, status)

    action(work)


def _skip(coding_id: int) -> None:
    st.session_state.setdefault(SKIPPED, []).append(coding_id)


def _unskip() -> None:
    st.session_state[SKIPPED] = []
    notify("De oversprungne forslag er tilbage i køen.")

"""Søg: search comments and turns across municipalities, see where the hits fall, read them in
context and code them."""

from __future__ import annotations

from html import escape

import streamlit as st
from sqlite_utils import Database

from kvali.domain import KIND_LABELS
from kvali.errors import KvaliError
from kvali.search import Hit, SearchResult, code_hits, iter_hits, prepare, search
from kvali.selection import Selection, selection_choices
from kvali.ui.charts import nominal, quantitative, show, y_labels
from kvali.ui.navigation import reader_link
from kvali.ui.render import error_text, md
from kvali.ui.state import action, coder, get_db, open_project_or_stop, show_feedback
from kvali.views.codes import code_tree

K = "kvali.search."
PER_PAGE = 50
CHOOSE = "Vælg …"  # instead of Streamlit's English "Choose options"


def search_page() -> None:
    """Query, filters, distribution, hits in context, and coding of hits."""
    db = open_project_or_stop()
    st.title("Søg")
    show_feedback()
    query = st.text_input("Søgning", key=K + "query", placeholder='fx netværk, "nære netværk", '
                          "frivillig* OG forening, pårørende NEAR/5 samtykke")
    filters, fuzzy = _filters(db)
    if not query.strip():
        st.caption("Ord findes også bøjet og inde i sammensætninger. Brug \"...\" for fraser, "
                   "* for ordbegyndelser og OG / ELLER / IKKE / NEAR.")
        return
    page = int(st.session_state.get(K + "page", 1))
    try:
        result = search(db, query, filters, fuzzy=fuzzy, limit=PER_PAGE,
                        offset=(page - 1) * PER_PAGE)
        if page > 1 and not result.hits:
            st.session_state[K + "page"] = 1
            result = search(db, query, filters, fuzzy=fuzzy, limit=PER_PAGE)
    except KvaliError as exc:
        st.error(md(error_text(exc)))
        return
    _summary(result)
    if not result.total:
        return
    pages = (result.total + PER_PAGE - 1) // PER_PAGE
    if pages > 1:
        st.number_input(f"Side (af {pages})", min_value=1, max_value=pages, step=1,
                        key=K + "page")
    _hits(result.hits)
    _code_form(db, result, query, filters, fuzzy)


def _filters(db: Database) -> tuple[Selection, bool]:
    choices = selection_choices(db)
    codes = {node.key: node.label for node in code_tree(db)}
    with st.expander("Filtre"):
        first = st.columns(4)
        kommune = first[0].multiselect("Kommune", choices["kommune"], key=K + "kommune",
                                       placeholder=CHOOSE, select_all=False)
        region = first[1].multiselect("Region", choices["region"], key=K + "region",
                                      placeholder=CHOOSE, select_all=False)
        size = first[2].multiselect("Kommunestørrelse", choices["size"], key=K + "size",
                                    placeholder=CHOOSE, select_all=False)
        kind = first[3].multiselect("Type", choices["kind"], key=K + "kind",
                                    format_func=lambda k: KIND_LABELS.get(k, k),
                                    placeholder=CHOOSE, select_all=False)
        second = st.columns(3)
        role = second[0].multiselect("Rolle", choices["role"], key=K + "role",
                                     placeholder=CHOOSE, select_all=False)
        code = second[1].multiselect("Kodet med", list(codes), key=K + "code",
                                     format_func=codes.get,
                                     placeholder=CHOOSE, select_all=False)
        not_code = second[2].multiselect("Ikke kodet med", list(codes), key=K + "not_code",
                                         format_func=codes.get,
                                     placeholder=CHOOSE, select_all=False)
        fuzzy = st.checkbox("Find også stavevarianter (fuzzy)", key=K + "fuzzy")
    return Selection(kommune=tuple(kommune), region=tuple(region), size=tuple(size),
                     kind=tuple(kind), role=tuple(role), code=tuple(code),
                     not_code=tuple(not_code)), fuzzy


def _summary(result: SearchResult) -> None:
    spread = result.distribution
    st.markdown(f"**{result.total}** hits i **{spread.municipalities_mentioning}** af 98 kommuner")
    words = sorted({term for w in result.expansions for key in ("spelling", "compounds", "fuzzy")
                    for term in w.get(key) or []})
    if words:
        st.caption("Søgte også efter: " + md(", ".join(words[:40]))
                   + (" …" if len(words) > 40 else ""))
    if not result.total:
        return
    left, right = st.columns(2)
    with left:
        regions = [{"Region": region, "Kommuner med hits": pair[0], "I alt": pair[1]}
                   for region, pair in spread.municipalities_by_region.items()]
        bars = [("I alt", "#CFD8DC", {}), ("Kommuner med hits", "#1565C0", {"tooltip": [
            nominal("Region"), quantitative("Kommuner med hits"), quantitative("I alt")]})]
        show(regions, {"layer": [
            {"mark": {"type": "bar", "color": color}, "encoding": {
                "y": y_labels("Region"), "x": quantitative(field, title="Kommuner"), **extra}}
            for field, color, extra in bars]})
    with right:
        st.dataframe([{"Kommune": name, "Hits": count}
                      for name, count in list(spread.by_kommune.items())[:100]],
                     hide_index=True, height=260)


def _hits(hits: list[Hit]) -> None:
    """Each hit: its citation, the match in context and a link to the reader at the match."""
    for hit in hits:
        st.html(_hit_html(hit))
        reader_link(hit.document_id, *hit_span(hit))


def _hit_html(hit: Hit) -> str:
    """The citation line and the keyword in context, all user text escaped."""
    context = (f"{escape(hit.kwic.left)}<mark>{escape(hit.kwic.match)}</mark>"
               f"{escape(hit.kwic.right)}")
    return (f'<div class="kv-hit" style="padding:.4em 0 0;'
            f'border-top:1px solid rgba(128,128,128,.2);">'
            f'<div style="font-size:.8em;opacity:.75;">{escape(hit.citation())}</div>'
            f"<div>{context}</div></div>")


def hit_span(hit: Hit) -> tuple[int, int]:
    """Document offsets the reader highlights: the matched words, else the whole segment."""
    if hit.kwic.end > hit.kwic.start:
        return hit.match_start, hit.match_end
    return hit.start, hit.end


def _code_form(db: Database, result: SearchResult, query: str, filters: Selection,
               fuzzy: bool) -> None:
    tree = code_tree(db)
    if not tree:
        return
    labels = {node.key: node.label for node in tree}
    with st.expander("Kod hits"):
        st.selectbox("Kode", list(labels), key=K + "code_key", format_func=labels.get)
        hits = {hit.segment_id: hit for hit in result.hits}
        st.multiselect("Hits på denne side", list(hits), key=K + "chosen",
                       format_func=lambda i: hits[i].citation()[:90],
                       placeholder=CHOOSE, select_all=False)
        left, right = st.columns(2)
        left.button("Kod de valgte hits", key=K + "code_chosen", on_click=_code_chosen,
                    args=(query,))
        right.button(f"Kod alle {result.total} hits", key=K + "code_all", on_click=_code_all,
                     args=(query, filters, fuzzy))


def _code_chosen(query: str) -> None:
    def work() -> str:
        ids = list(st.session_state.get(K + "chosen") or [])
        if not ids:
            return ""
        coded = code_hits(get_db(), ids, str(st.session_state.get(K + "code_key")), coder(),
                          query)
        st.session_state[K + "chosen"] = []
        return f"{len(coded)} hits er kodet."

    action(work)


def _code_all(query: str, filters: Selection, fuzzy: bool) -> None:
    def work() -> str:
        db = get_db()
        name = coder()
        hits = iter_hits(db, prepare(db, query, filters, fuzzy=fuzzy))
        coded = code_hits(db, hits, str(st.session_state.get(K + "code_key")), name, query)
        return f"{len(coded)} hits er kodet."

    action(work)

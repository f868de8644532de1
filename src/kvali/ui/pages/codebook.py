"""Kodebog: the code tree with counts; edit, add, move and merge codes in codebook.yaml (which is
validated before it is written), re-tag what changed, and judge each code's rules.

The page remembers the file's digest as this session first read it (or last wrote or reloaded
it); an edit of a file changed on disk since then is refused beside its button, with an offer to
load the file again.

Loading or replacing the codebook and running the automatic coding live in
`kvali.ui.pages.codebook_load`.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import streamlit as st
from sqlite_utils import Database

from kvali.codebook.edit import (
    CodebookChanged,
    add_code,
    file_digest,
    merge_codes,
    move_code,
    reload_codebook,
    update_code,
)
from kvali.coding.quality import rule_quality
from kvali.domain import STATUS_LABELS, STATUSES
from kvali.tagging.run import TagReport, codebook_has_rules, tag_project
from kvali.ui.actions import write_memo
from kvali.ui.pages.codebook_load import (
    OPENED,
    PROBLEMS,
    K,
    autocode,
    forget_form_values,
    load_controls,
)
from kvali.ui.render import error_text, md
from kvali.ui.rule_text import keywords_to_text, lines_of, text_to_keywords
from kvali.ui.state import (
    CODEBOOK,
    action,
    codebook_file,
    coder,
    current_coder,
    get_db,
    notify,
    open_project_or_stop,
    show_feedback,
)
from kvali.views.codes import CodeNode, code_tree
from kvali.views.memos import memo_text, memos_for

TOP = "(øverste niveau)"
TABS = ("Redigér", "Tilføj, flyt, flet", "Regelkvalitet", "Memo")
TEXT_FIELDS = (("name", "Navn"), ("description", "Beskrivelse"), ("inclusion", "Medtag når"),
               ("exclusion", "Medtag ikke når"), ("example", "Eksempel"))
LIST_FIELDS = (("phrases", "Fraser (én pr. linje)"), ("patterns", "Mønstre (regulære udtryk)"),
               ("exclude", "Udeluk når teksten har (én pr. linje)"))
FORM_FIELDS = (*(f for f, _ in TEXT_FIELDS), "color", "keywords", *(f for f, _ in LIST_FIELDS),
               "fuzzy")
STALE = K + "stale"  # (the control whose edit found the file changed on disk, the message)


def codebook_page() -> None:
    """The code tree, the editing forms and the rule quality table."""
    db = open_project_or_stop()
    st.title("Kodebog")
    show_feedback()
    st.text_input("Kodebogsfil", value=str(codebook_file()), key=CODEBOOK,
                  help="Ændringer skrives tilbage i denne codebook.yaml og indlæses i projektet.")
    _opened(codebook_file())
    tree = code_tree(db)
    if not tree:
        st.info("Projektet har ingen koder endnu. Upload en codebook.yaml, eller brug "
                "standardkodebogen.")
        load_controls()
        return
    st.dataframe([{"Kode": n.label, "Nøgle": n.key, "Farve": n.color,
                   **{STATUS_LABELS[status]: n.counts.get(status, 0) for status in STATUSES}}
                  for n in tree], hide_index=True)
    autocode(db)
    with st.expander("Indlæs eller erstat kodebogen",
                     expanded=bool(st.session_state.get(PROBLEMS))):
        st.caption("Den nye kodebog gemmes som codebook.yaml ved siden af projektet. Koder, der "
                   "forsvinder, deaktiveres; ingen kodninger slettes.")
        load_controls()
    edit, structure, quality, memo = st.tabs(TABS, key=K + "tab", on_change="rerun")
    by_key = {n.key: n for n in tree}
    if edit.open:
        with edit:
            _edit_form(by_key)
    if structure.open:
        with structure:
            _structure_forms(by_key)
    if quality.open:
        with quality:
            _quality(db)
    if memo.open:
        with memo:
            _code_memo(db, by_key)


def _quality(db: Database) -> None:
    st.caption("Præcision = accepterede / (accepterede + afviste) forslag; dækning = "
               "accepterede / (accepterede + manuelle kodninger, reglerne ikke fandt).")
    st.dataframe([{"Kode": r["name"], "Venter": r["pending"], "Accepteret": r["accepted"],
                   "Afvist": r["rejected"], "Overset": r["missed"],
                   "Præcision": r["precision"], "Dækning": r["recall"]}
                  for r in rule_quality(db)], hide_index=True)


def _pick(label: str, by_key: dict[str, CodeNode], key: str, top: bool = False) -> str:
    options = ([TOP] if top else []) + list(by_key)
    return st.selectbox(label, options, key=K + key,
                        format_func=lambda k: by_key[k].label if k in by_key else k)


def _edit_form(by_key: dict[str, CodeNode]) -> None:
    key = _pick("Kode", by_key, "edit_code")
    node = by_key[key]
    rules = node.rules
    with st.form(K + "edit_form"):
        for field, label in TEXT_FIELDS:
            widget = st.text_input if field == "name" else st.text_area
            widget(label, value=getattr(node, field) or "", key=f"{K}{key}.{field}")
        st.color_picker("Farve", value=node.color.lower(), key=f"{K}{key}.color")
        st.text_area("Nøgleord (én pr. linje; =ord finder ikke ordet inde i sammensætninger)",
                     value=keywords_to_text(rules.get("keywords", [])),
                     key=f"{K}{key}.keywords")
        for field, label in LIST_FIELDS:
            st.text_area(label, value="\n".join(rules.get(field, [])), key=f"{K}{key}.{field}")
        st.number_input("Stavetolerance (0 = fra, ellers 80–100)", min_value=0, max_value=100,
                        value=int(rules.get("fuzzy") or 0), key=f"{K}{key}.fuzzy")
        st.form_submit_button("Gem ændringer", type="primary", on_click=_save_edit,
                              args=(node,))
    _stale_notice("edit")


def _changes(node: CodeNode) -> dict[str, object]:
    """The fields of the form that differ from the stored code."""
    def value(field: str) -> object:
        return st.session_state.get(f"{K}{node.key}.{field}")

    changes: dict[str, object] = {}
    for field, _ in TEXT_FIELDS:
        text = str(value(field) or "").strip()
        if text != (getattr(node, field) or ""):
            changes[field] = text
    color = str(value("color") or node.color).upper()
    if color != node.color.upper():
        changes["color"] = color
    keywords = text_to_keywords(str(value("keywords") or ""))
    if keywords_to_text(keywords) != keywords_to_text(node.rules.get("keywords", [])):
        changes["keywords"] = keywords
    for field, _ in LIST_FIELDS:
        lines = lines_of(str(value(field) or ""))
        if lines != list(node.rules.get(field, [])):
            changes[field] = lines
    fuzzy = int(value("fuzzy") or 0) or None
    if fuzzy != node.rules.get("fuzzy"):
        changes["fuzzy"] = fuzzy
    return changes


def _retag_summary(report: TagReport) -> str:
    if not report.codes:
        return ""
    return (f" Autokodning kørt for {len(report.codes)} kode(r): "
            f"{sum(report.added.values())} nye forslag, {sum(report.removed.values())} fjernet.")


def _opened(path: Path) -> str | None:
    """The digest of PATH as this session first read it, or last wrote or reloaded it."""
    opened = st.session_state.setdefault(OPENED, {})
    if str(path) not in opened:
        opened[str(path)] = file_digest(path)
    return opened[str(path)]


def _file_action(where: str, edit: Callable[[Path, str | None], str]) -> None:
    """Run an edit of the codebook file; a file changed on disk is reported beside WHERE."""
    state = st.session_state

    def work() -> str | None:
        path = codebook_file()
        state.pop(STALE, None)
        try:
            message = edit(path, _opened(path))
        except CodebookChanged as changed:
            state[STALE] = (where, error_text(changed))
            return None
        state[OPENED][str(path)] = file_digest(path)
        return message

    action(work)


def _stale_notice(where: str) -> None:
    """Beside the control whose edit was refused: why, and a button to load the file again."""
    control, message = st.session_state.get(STALE) or (None, "")
    if control != where:
        return
    st.error(md(message))
    st.button("Indlæs kodebogen igen", key=f"{K}reload.{where}", on_click=_reload)


def _reload() -> None:
    state = st.session_state

    def work() -> str:
        path, db = codebook_file(), get_db()
        state.setdefault(OPENED, {})[str(path)] = reload_codebook(db, path, coder())
        state.pop(STALE, None)
        forget_form_values(db)
        return f"{path.name} er indlæst igen." + _retag_summary(
            tag_project(db) if codebook_has_rules(db) else TagReport())

    action(work)


def _save_edit(node: CodeNode) -> None:
    changes = _changes(node)
    if not changes:
        notify("Ingen ændringer at gemme.")
        return

    def edit(path: Path, expected: str | None) -> str:
        db = get_db()
        update_code(path, db, node.key, changes, coder(), expected=expected)
        return f"»{node.name}« er gemt i kodebogen." + _retag_summary(
            tag_project(db) if codebook_has_rules(db) else TagReport())

    _file_action("edit", edit)


def _structure_forms(by_key: dict[str, CodeNode]) -> None:
    st.markdown("**Tilføj kode**")
    columns = st.columns(2)
    with columns[0]:
        st.text_input("Nøgle (små bogstaver, tal, _ . -)", key=K + "new_key")
        st.text_input("Navn", key=K + "new_name")
    with columns[1]:
        _pick("Under", by_key, "new_parent", top=True)
        st.color_picker("Farve", value="#888888", key=K + "new_color")
    st.button("Tilføj kode", key=K + "add", on_click=_add)
    _stale_notice("add")
    st.markdown("**Flyt kode**")
    columns = st.columns(2)
    with columns[0]:
        _pick("Kode", by_key, "move_code")
    with columns[1]:
        _pick("Ny placering under", by_key, "move_parent", top=True)
    st.button("Flyt kode", key=K + "move", on_click=_move)
    _stale_notice("move")
    st.markdown("**Flet koder**")
    columns = st.columns(2)
    with columns[0]:
        _pick("Flet denne kode", by_key, "merge_source")
    with columns[1]:
        _pick("ind i", by_key, "merge_target")
    st.button("Flet", key=K + "merge", on_click=_merge)
    _stale_notice("merge")


def _parent(field: str) -> str | None:
    value = st.session_state.get(K + field)
    return None if value in (None, TOP) else str(value)


def _add() -> None:
    state = st.session_state

    def edit(path: Path, expected: str | None) -> str:
        key, name = str(state.get(K + "new_key") or "").strip(), \
            str(state.get(K + "new_name") or "").strip()
        add_code(path, get_db(), key, name, _parent("new_parent"), coder(),
                 color=str(state.get(K + "new_color") or "#888888").upper(), expected=expected)
        state[K + "new_key"] = ""
        state[K + "new_name"] = ""
        return f"Koden »{name}« er tilføjet."

    _file_action("add", edit)


def _move() -> None:
    def edit(path: Path, expected: str | None) -> str:
        key = str(st.session_state.get(K + "move_code"))
        move_code(path, get_db(), key, _parent("move_parent"), coder(), expected=expected)
        return f"Koden {key} er flyttet."

    _file_action("move", edit)


def _merge() -> None:
    def edit(path: Path, expected: str | None) -> str:
        source = str(st.session_state.get(K + "merge_source"))
        target = str(st.session_state.get(K + "merge_target"))
        db = get_db()
        moved = merge_codes(db, path, source, target, coder(), expected=expected)
        return (f"{source} er flettet ind i {target}; {moved} kodninger flyttet."
                + _retag_summary(tag_project(db) if codebook_has_rules(db) else TagReport()))

    _file_action("merge", edit)


def _code_memo(db: Database, by_key: dict[str, CodeNode]) -> None:
    key = _pick("Kode", by_key, "memo_code")
    name = current_coder()
    memo_key = f"{K}memo.{key}"
    st.text_area("Dit memo om koden", value=memo_text(db, "code", key, name) if name else "",
                 key=memo_key, height=140)
    st.button("Gem memo", key=K + "save_memo", on_click=_save_memo, args=(key, memo_key))
    for memo in memos_for(db, "code", key):
        if memo.coder != name:
            st.caption(f"{md(memo.coder)} ({memo.updated_at[:10]}):")
            st.text(memo.text)


def _save_memo(code_key: str, memo_key: str) -> None:
    action(lambda: write_memo(get_db(), "code", code_key,
                              str(st.session_state.get(memo_key) or ""), coder()))

"""Kodebog: edits land in codebook.yaml (comments kept, one line per changed field) and the
project; rules re-tag; a file changed on disk is refused beside the button and can be reloaded."""

from __future__ import annotations

import difflib
from pathlib import Path

from test_ui_support import no_failures, page_test, toasts

from kvali.codebook.load import load_codebook
from kvali.store import open_db

K = "kvali.codebook."


def _code(path: Path, key: str) -> tuple:
    db = open_db(path, create=False)
    return db.execute("SELECT name, color, parent_key, active FROM codes WHERE key = ?",
                      [key]).fetchone()


def _tab(at, name: str):
    at.session_state[K + "tab"] = name
    return at.run()


def test_tree_counts_and_quality_table(project: Path) -> None:
    at = page_test("codebook")
    no_failures(at)
    assert len(at.dataframe) == 1
    _tab(at, "Regelkvalitet")
    tree, quality = at.dataframe[0].value, at.dataframe[1].value
    assert list(tree["Nøgle"]) == ["netvaerk", "netvaerk.moeder", "civil", "paragraf18"]
    assert tree.set_index("Nøgle").loc["paragraf18", "Forslag"] == 2
    assert list(quality["Kode"]) == ["Netværk", "Civilsamfund", "Paragraf 18", "Netværksmøder"]
    assert at.text_input(key="kvali.codebook_path").value == str(project.parent / "codebook.yaml")


def test_editing_name_colour_and_keywords_writes_the_file_and_retags(project: Path) -> None:
    at = page_test("codebook")
    at.selectbox(key=K + "edit_code").set_value("paragraf18").run()
    at.text_input(key=K + "paragraf18.name").input("Paragraf 18-midler")
    at.color_picker(key=K + "paragraf18.color").pick("#123abc")
    at.text_area(key=K + "paragraf18.keywords").input("=midler\npårørende")
    at.button[[b.label for b in at.button].index("Gem ændringer")].click().run()
    no_failures(at)
    assert toasts(at)[0].startswith("»Paragraf 18« er gemt i kodebogen. Autokodning kørt")
    text = (project.parent / "codebook.yaml").read_text(encoding="utf-8")
    assert "# Netværket omkring borgeren" in text
    code = load_codebook(project.parent / "codebook.yaml").by_key()["paragraf18"]
    assert (code.name, code.color) == ("Paragraf 18-midler", "#123ABC")
    assert [(k.word, k.compound) for k in code.rules.keywords] == [("midler", False),
                                                                   ("pårørende", True)]
    assert _code(project, "paragraf18")[:2] == ("Paragraf 18-midler", "#123ABC")
    db = open_db(project, create=False)
    rules = {row[0] for row in db.execute(
        "SELECT rule FROM codings WHERE code_key = 'paragraf18' AND status = 'suggested'")}
    assert any("pårørende" in rule for rule in rules)


def test_add_move_and_merge(project: Path) -> None:
    at = _tab(page_test("codebook"), "Tilføj, flyt, flet")
    at.text_input(key=K + "new_key").input("frivillige")
    at.text_input(key=K + "new_name").input("Frivillige")
    at.selectbox(key=K + "new_parent").set_value("civil")
    at.button(key=K + "add").click().run()
    no_failures(at)
    assert _code(project, "frivillige") == ("Frivillige", "#888888", "civil", 1)
    at.selectbox(key=K + "move_code").set_value("frivillige")
    at.selectbox(key=K + "move_parent").set_value("(øverste niveau)")
    at.button(key=K + "move").click().run()
    no_failures(at)
    assert _code(project, "frivillige")[2] is None
    db = open_db(project, create=False)
    civil = db.execute("SELECT count(*) FROM codings WHERE code_key = 'civil'").fetchone()[0]
    at.selectbox(key=K + "merge_source").set_value("civil")
    at.selectbox(key=K + "merge_target").set_value("frivillige")
    at.button(key=K + "merge").click().run()
    no_failures(at)
    assert db.execute("SELECT count(*) FROM codings WHERE code_key = 'civil'").fetchone()[0] == 0
    assert db.execute("SELECT count(*) FROM codings WHERE code_key = 'frivillige'"
                      ).fetchone()[0] >= civil
    assert "civil" not in load_codebook(project.parent / "codebook.yaml").by_key()


def test_an_invalid_edit_is_refused_and_the_file_is_unchanged(project: Path) -> None:
    before = (project.parent / "codebook.yaml").read_text(encoding="utf-8")
    at = _tab(page_test("codebook"), "Tilføj, flyt, flet")
    at.text_input(key=K + "new_key").input("Ugyldig Nøgle")
    at.text_input(key=K + "new_name").input("Ugyldig")
    at.button(key=K + "add").click().run()
    assert not at.exception
    assert "invalid" in at.error[0].value
    assert (project.parent / "codebook.yaml").read_text(encoding="utf-8") == before


def test_a_missing_codebook_file_is_an_error_not_a_traceback(project: Path) -> None:
    at = page_test("codebook")
    at.text_input(key="kvali.codebook_path").input(str(project.parent / "mangler.yaml")).run()
    at.selectbox(key=K + "edit_code").set_value("civil").run()
    at.text_input(key=K + "civil.name").input("Nyt navn")
    at.button[[b.label for b in at.button].index("Gem ændringer")].click().run()
    assert not at.exception
    assert "mangler.yaml" in at.error[0].value
    assert _code(project, "civil")[0] == "Civilsamfund"


def test_memo_on_a_code(project: Path) -> None:
    at = _tab(page_test("codebook"), "Memo")
    at.selectbox(key=K + "memo_code").set_value("civil").run()
    at.text_area(key=K + "memo.civil").input("Skal afgrænses bedre mod frivillighed.")
    at.button(key=K + "save_memo").click().run()
    no_failures(at)
    db = open_db(project, create=False)
    assert db.execute("SELECT target_type, target, coder, text FROM memos").fetchall() == [
        ("code", "civil", "mette", "Skal afgrænses bedre mod frivillighed.")]


def test_a_file_changed_on_disk_is_refused_beside_the_button_and_can_be_reloaded(
        project: Path) -> None:
    path = project.parent / "codebook.yaml"
    at = page_test("codebook")
    at.selectbox(key=K + "edit_code").set_value("paragraf18").run()
    theirs = path.read_text(encoding="utf-8").replace("name: Civilsamfund\n",
                                                      "name: Civilsamfundet\n")
    path.write_text(theirs, encoding="utf-8")
    at.text_input(key=K + "paragraf18.name").input("Paragraf 18-midler")
    at.button[[b.label for b in at.button].index("Gem ændringer")].click().run()
    assert not at.exception
    assert [e.value for e in at.tabs[0].error] == [
        "Kodebogen codebook.yaml er ændret på disken, siden den blev åbnet, så ændringen er "
        "ikke gemt. Indlæs filen igen, og gentag ændringen."]
    assert path.read_text(encoding="utf-8") == theirs
    assert _code(project, "paragraf18")[0] == "Paragraf 18"
    at.button(key=K + "reload.edit").click().run()
    no_failures(at)
    assert toasts(at)[0].startswith("codebook.yaml er indlæst igen.")
    assert _code(project, "civil")[0] == "Civilsamfundet"
    at.text_input(key=K + "paragraf18.name").input("Paragraf 18-midler")
    at.button[[b.label for b in at.button].index("Gem ændringer")].click().run()
    no_failures(at)
    assert _code(project, "paragraf18")[0] == "Paragraf 18-midler"
    text = path.read_text(encoding="utf-8")
    assert "name: Civilsamfundet\n" in text and "name: Paragraf 18-midler\n" in text


def test_a_merge_after_the_file_changed_on_disk_is_refused_beside_its_button(
        project: Path) -> None:
    path = project.parent / "codebook.yaml"
    at = _tab(page_test("codebook"), "Tilføj, flyt, flet")
    path.write_text(path.read_text(encoding="utf-8") + "# ny kommentar\n", encoding="utf-8")
    theirs = path.read_bytes()
    at.selectbox(key=K + "merge_source").set_value("civil")
    at.selectbox(key=K + "merge_target").set_value("netvaerk")
    at.button(key=K + "merge").click().run()
    assert not at.exception
    assert "ændret på disken" in at.tabs[1].error[0].value
    assert at.button(key=K + "reload.merge")
    assert path.read_bytes() == theirs
    assert _code(project, "civil")[3] == 1


def test_one_save_in_the_page_is_a_one_line_diff(project: Path) -> None:
    path = project.parent / "codebook.yaml"
    before = path.read_text(encoding="utf-8")
    at = page_test("codebook")
    at.selectbox(key=K + "edit_code").set_value("civil").run()
    at.text_area(key=K + "civil.keywords").input("frivillig\nforening\nnabo")
    at.button[[b.label for b in at.button].index("Gem ændringer")].click().run()
    no_failures(at)
    diff = [line for line in difflib.unified_diff(
        before.splitlines(), path.read_text(encoding="utf-8").splitlines(), lineterm="", n=0)
        if line[:1] in "+-" and not line.startswith(("+++", "---"))]
    assert diff == ["-      keywords: [frivillig, forening]",
                    "+      keywords: [frivillig, forening, nabo]"]

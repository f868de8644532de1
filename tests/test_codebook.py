"""Codebook validation: every problem carries file, line and code key; loading syncs by key."""

from __future__ import annotations

from kvali.codebook.load import parse_codebook
from kvali.codebook.sync import stored_codebook, sync_codebook

VALID = """\
name: Test
version: "1"
codes:
  - key: netvaerk
    name: Nære netværk
    color: "#2e7d32"
    rules:
      keywords: [netværk, {word: familie, compound: false}]
      phrases: [nære netværk]
    children:
      - key: netvaerk.inddragelse
        name: Inddragelse
  - key: paragraf
    name: Paragraffer
    parent: netvaerk
    rules:
      patterns: ['§\\s*18\\b']
"""


def _problems(text: str) -> list[str]:
    return [str(p) for p in parse_codebook(text, "cb.yaml")[1]]


def test_valid_codebook_parses_with_hierarchy_and_rules():
    codebook, problems = parse_codebook(VALID, "cb.yaml")
    assert problems == []
    codes = codebook.by_key()
    assert [c.key for c in codebook.codes] == ["netvaerk", "netvaerk.inddragelse", "paragraf"]
    assert codes["paragraf"].parent_key == "netvaerk"
    assert codes["netvaerk"].color == "#2E7D32"
    assert codes["netvaerk"].rules.keywords[1].compound is False
    assert codebook.path_of("netvaerk.inddragelse") == ["netvaerk", "netvaerk.inddragelse"]


def test_duplicate_keys_name_both_lines():
    text = "codes:\n  - key: a\n    name: A\n  - key: a\n    name: B\n"
    assert _problems(text) == ["cb.yaml:4 (code a): duplicate key (first defined on line 2)"]


def test_unknown_fields_bad_colours_and_regexes_carry_lines():
    text = ("codes:\n  - key: a\n    name: A\n    colour: red\n    color: '#12345'\n"
            "    rules:\n      patterns: ['(unclosed']\n      keyword: [x]\n")
    problems = _problems(text)
    assert any(p.startswith("cb.yaml:4 (code a): unknown field 'colour'") for p in problems)
    assert any(p.startswith("cb.yaml:5 (code a): color '#12345'") for p in problems)
    assert any(p.startswith("cb.yaml:7 (code a): invalid regular expression") for p in problems)
    assert any(p.startswith("cb.yaml:8 (code a): unknown field 'keyword'") for p in problems)


def test_cycles_and_unknown_parents_are_reported():
    text = ("codes:\n  - {key: a, name: A, parent: b}\n  - {key: b, name: B, parent: a}\n"
            "  - {key: c, name: C, parent: nope}\n")
    problems = _problems(text)
    assert "cb.yaml:2 (code a): the parent chain forms a cycle" in problems
    assert "cb.yaml:4 (code c): parent 'nope' is not a code" in problems


def test_missing_key_name_and_bad_yaml():
    assert _problems("codes:\n  - name: Uden nøgle\n")[0].startswith("cb.yaml:2: a code needs")
    assert _problems("codes: [\n")[0].startswith("cb.yaml:2: invalid YAML")
    assert _problems("navn: x\n") == ["cb.yaml:1: the codebook needs a top-level `codes:` list"]


def test_sync_keeps_codings_on_rename_and_move_and_deactivates_missing(fresh_db):
    codebook, _ = parse_codebook(VALID, "cb.yaml")
    first = sync_codebook(fresh_db, codebook)
    assert sorted(first.added) == ["netvaerk", "netvaerk.inddragelse", "paragraf"]
    renamed = VALID.replace("name: Inddragelse", "name: Inddragelse af familien").replace(
        "    parent: netvaerk\n", "")
    report = sync_codebook(fresh_db, parse_codebook(renamed, "cb.yaml")[0])
    assert sorted(report.changed) == ["netvaerk.inddragelse", "paragraf"]
    assert report.rules_changed == []
    assert stored_codebook(fresh_db).by_key()["paragraf"].parent_key is None
    smaller = "codes:\n  - key: netvaerk\n    name: Nære netværk\n"
    assert sorted(sync_codebook(fresh_db, parse_codebook(smaller, "cb.yaml")[0]).deactivated) \
        == ["netvaerk.inddragelse", "paragraf"]
    assert [c.key for c in stored_codebook(fresh_db).codes] == ["netvaerk"]

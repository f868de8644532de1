"""Lemmas without spaCy: the lookup table's SQLite copy (or in-memory fallback) is spaCy's table,
and `query_lemmas` gives what the fallback pipeline gives, loading spaCy only when it must."""

from __future__ import annotations

import random
from collections.abc import Iterator
from pathlib import Path

import pytest
import spacy
from spacy.lookups import load_lookups

from kvali.nlp import lemma_rules, lemma_table
from kvali.nlp.lemma_rules import closed_class, is_one_token, model_installed, query_lemmas
from kvali.nlp.lemma_table import CachedForms, MemoryForms, read_table
from kvali.nlp.pipeline import load_pipeline


@pytest.fixture(scope="module")
def table() -> dict[str, str]:
    return read_table()


@pytest.fixture(scope="module")
def sample(table: dict[str, str]) -> list[str]:
    """Forms of the table, their capitalised spellings, and forms it lacks."""
    forms = random.Random(16).sample(sorted(table), 1500)
    unknown = ["netværksmøderne", "borgerrådgiverfunktionen", "coronatiden", "Unionstraktaten",
               "Randers", "Hjørring", "Aabenraa", "civilsamfundsaktørerne", "xqzv", "ved"]
    return forms + [form.capitalize() for form in forms[:300]] + unknown + sorted(closed_class())


@pytest.fixture
def fresh_table(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[Path]:
    """A cache folder of the test's own; the process's table is forgotten before and after."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    lemma_table.lemma_table.cache_clear()
    yield tmp_path / "kvali"
    lemma_table.lemma_table.cache_clear()


def test_the_table_is_spacys_table(table: dict[str, str], sample: list[str]):
    spacys = load_lookups("da", ["lemma_lookup"]).get_table("lemma_lookup")
    assert len(spacys) == len(table)
    ours = lemma_table.lemma_table()
    for form in sample:
        assert ours.get(form) == spacys.get(form), form
        assert (form in ours) == (form in spacys), form
    known = frozenset(map(str.lower, spacys.values()))
    for lemma in [*random.Random(3).sample(sorted(known), 500), "netværksmøde", "xqzv"]:
        assert (lemma in ours.lemmas) == (lemma in known), lemma


def test_the_copy_is_made_once_and_a_damaged_one_is_made_again(fresh_table: Path,
                                                                sample: list[str],
                                                                table: dict[str, str]):
    made = lemma_table.lemma_table()
    assert isinstance(made, CachedForms)
    [copy] = fresh_table.glob("da_lemma_lookup-*.sqlite")
    assert all(made.get(form) == table.get(form) for form in sample)
    lemma_table.lemma_table.cache_clear()
    copy.write_bytes(b"not a database" * 1000)
    again = lemma_table.lemma_table()
    assert isinstance(again, CachedForms) and again.get("netværket") == table["netværket"]
    assert list(fresh_table.glob("*")) == [copy]


def test_without_a_writable_cache_the_table_is_read_into_memory(monkeypatch, tmp_path: Path,
                                                                 fresh_table: Path):
    blocked = tmp_path / "a-file"
    blocked.write_text("not a folder")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocked))
    in_memory = lemma_table.lemma_table()
    assert isinstance(in_memory, MemoryForms)
    assert in_memory.get("netværket") == "netværk" and "netværk" in in_memory.lemmas


def test_words_the_tokenizer_keeps_whole_are_one_token(sample: list[str]):
    tokenizer = spacy.blank("da").tokenizer
    special = [key for key in tokenizer.rules if is_one_token(key)]
    for word in [*sample, *special, "18", "2026", "Æblerne", "ÅRHUS"]:
        if is_one_token(word):
            assert len(tokenizer(word)) == 1, word
    assert not any(map(is_one_token, ["10km", "3D", "18-midler", "f.eks.", "ha'", "½"]))


def test_query_lemmas_are_the_fallback_pipelines_lemmas(sample: list[str], monkeypatch):
    if model_installed():
        pytest.skip("da_core_news_sm is installed: query words go through it")
    words = [*sample, "18", "10km", "18-midler", "3D-printere"]
    nlp = load_pipeline()
    expected = {word: " ".join(t.lemma_.lower() for t in doc if not (t.is_space or t.is_punct))
                for word, doc in zip(words, nlp.pipe(words), strict=True)}
    monkeypatch.setattr(lemma_rules, "_QUERY_LEMMAS", {})
    assert query_lemmas(words) == expected


def test_with_the_model_installed_every_word_goes_through_the_pipeline(monkeypatch):
    seen: list[list[str]] = []

    class Pipeline:
        def pipe(self, words: list[str]):
            seen.append(list(words))
            return [[] for _ in words]

    monkeypatch.setattr(lemma_rules, "model_installed", lambda: True)
    monkeypatch.setattr("kvali.nlp.pipeline.load_pipeline", lambda: Pipeline())
    monkeypatch.setattr(lemma_rules, "_QUERY_LEMMAS", {})
    assert query_lemmas(["netværket", "ved"]) == {"netværket": "", "ved": ""}
    assert seen == [["netværket", "ved"]]

"""Danish lemmas from the `kvali/lemmatizer` component and its rules."""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest
import spacy
from spacy.language import Language

from kvali.nlp import load_pipeline
from kvali.nlp.lemmas import closed_class, lemmatize

BENCHMARKS = Path(__file__).resolve().parents[1] / "benchmarks"


@pytest.fixture(scope="module")
def nlp() -> Language:
    pipeline = spacy.blank("da")
    pipeline.add_pipe("kvali/lemmatizer")
    return pipeline


@pytest.mark.parametrize(
    ("form", "lemma"),
    [
        ("netværksmøderne", "netværksmøde"),
        ("borgerrådgiverfunktionen", "borgerrådgiverfunktion"),
        ("rehabiliteringsforløbene", "rehabiliteringsforløb"),
        ("plejehjemsbeboernes", "plejehjemsbeboer"),
        ("coronatiden", "coronatid"),
        ("Unionstraktaten", "unionstraktat"),
        ("FN-operationen", "FN-operation"),
        ("34-årige", "34-årig"),
    ],
)
def test_compounds_lemmatise_the_last_known_part(form: str, lemma: str) -> None:
    assert lemmatize(form) == lemma


@pytest.mark.parametrize(
    ("form", "lemma"),
    [
        ("kommunens", "kommune"),
        ("Kommunens", "kommune"),
        ("Danmarks", "Danmark"),
        ("Københavns", "København"),
        ("Madsens", "Madsen"),
        ("FN's", "FN"),
        ("DBUs", "DBU"),
        ("Lars'", "Lars"),
        ("hjemmeplejens", "hjemmepleje"),
    ],
)
def test_genitive_s_is_removed(form: str, lemma: str) -> None:
    assert lemmatize(form) == lemma


@pytest.mark.parametrize("name", ["Jensen", "Lars", "Mogens", "Aarhus", "René", "Xyzzy"])
def test_unknown_capitalised_words_keep_their_form(name: str) -> None:
    assert lemmatize(name) == name


@pytest.mark.parametrize(
    ("form", "lemma"),
    [("zoomede", "zoome"), ("mailet", "maile"), ("xyzzy", "xyzzy"), ("googlede", "googlede")],
)
def test_unknown_words_lose_an_ending_only_when_the_result_is_known(form: str, lemma: str) -> None:
    assert lemmatize(form) == lemma


@pytest.mark.parametrize(
    ("form", "lemma"),
    [
        ("borgerne", "borger"),
        ("husene", "hus"),
        ("gik", "gå"),
        ("havde", "have"),
        ("holdt", "holde"),
        ("transportere", "transportere"),
        ("Folketinget", "folketing"),
        ("Flertallet", "flertal"),
    ],
)
def test_inflected_forms(form: str, lemma: str) -> None:
    assert lemmatize(form) == lemma


@pytest.mark.parametrize(
    ("form", "lemma"),
    [
        ("med", "med"),
        ("Med", "med"),
        ("når", "når"),
        ("have", "have"),
        ("alle", "al"),
        ("én", "en"),
        ("hér", "her"),
        ("ha'", "have"),
        ("kr.", "krone"),
        ("f.eks.", "for_eksempel"),
    ],
)
def test_closed_class_words_stress_marks_and_abbreviations(form: str, lemma: str) -> None:
    assert lemmatize(form) == lemma


def test_closed_class_file_parses_to_lower_case_forms() -> None:
    table = closed_class()
    assert table["med"] == "med"
    assert all(form == form.lower() for form in table)


def test_component_sets_every_lemma_and_reads_ved_in_context(nlp: Language) -> None:
    doc = nlp("Det ved jeg ikke, men mødet ved kommunens kontor, 2. gang!")
    assert [t.lemma_ for t in doc] == [
        "det", "vide", "jeg", "ikke", ",", "men", "møde", "ved", "kommune", "kontor", ",", "2.",
        "gang", "!",
    ]  # fmt: skip
    assert nlp("").text == ""


def test_fallback_pipeline_uses_the_component() -> None:
    nlp = load_pipeline()
    if "kvali/lemmatizer" not in nlp.pipe_names:
        pytest.skip("da_core_news_sm is installed; the fallback pipeline is not used")
    doc = nlp("Netværksmøderne i kommunens forvaltning gik godt. Danmarks borgere var glade.")
    assert [t.lemma_.lower() for t in doc if not t.is_punct] == [
        "netværksmøde", "i", "kommune", "forvaltning", "gå", "godt", "danmark", "borger", "være",
        "glad",
    ]  # fmt: skip


def test_ddt_accuracy_stays_above_target(shared: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.syspath_prepend(str(BENCHMARKS))
    benchmark = importlib.import_module("lemmas")
    figures = benchmark.measure(shared / "data" / "ddt" / "da_ddt-ud-dev.conllu")
    assert figures["kvali/lemmatizer"] >= 0.93
    assert figures["kvali/lemmatizer"] > figures["lookup table"]


def test_codebook_rules_and_search_queries_share_one_lemma_function(monkeypatch):
    import kvali.nlp.lemma_rules as rules
    import kvali.nlp.lemmas as lemmas
    import kvali.search.expand as expand
    import kvali.tagging.run as run

    assert expand.query_lemmas is lemmas.query_lemmas is run.query_lemmas is rules.query_lemmas
    monkeypatch.setitem(rules._QUERY_LEMMAS, "hjertet", "prøvelemma")
    assert run.form_lemma("hjertet") == "prøvelemma"
    assert expand.lemmatize_tokens(["hjertet"]) == {"hjertet": ("prøvelemma",)}
    assert lemmas.query_lemmas(["ved", "Netværket", "nære"]) == {
        "ved": "ved", "Netværket": "netværk", "nære": "nære"}


def test_a_form_that_starts_with_a_digit_is_lemmatised_too():
    doc = load_pipeline()("Vi søger § 18-midler og 3D-printere.")
    assert [t.lemma_ for t in doc if "-" in t.text] == ["18-middel", "3D-printer"]

"""The Danish sentence rules of the `kvali/sentences` component."""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest
import spacy
from spacy.language import Language

import kvali.nlp.sentences  # noqa: F401  (registers the component)
from kvali.nlp import load_pipeline

BENCHMARKS = Path(__file__).resolve().parents[1] / "benchmarks"


@pytest.fixture(scope="module")
def nlp() -> Language:
    pipeline = spacy.blank("da")
    pipeline.add_pipe("kvali/sentences")
    return pipeline


def sentences(nlp: Language, text: str) -> list[str]:
    return [s.text.strip() for s in nlp(text).sents]


@pytest.mark.parametrize(
    "text",
    [
        "Vi talte bl.a. om økonomi, f.eks. budgettet, fx ledelse og ca. 40 pct. af udgifterne.",
        "Det gælder evt. også mht. sagen, dvs. alt vedr. borgeren, inkl. moms og ekskl. gebyr.",
        "Vi mødes kl. 14 i lokale nr. 3, koster 2 mio. kr. pr. måned og 3 mia. kr. i alt.",
        "Aftalen blev lavet ift. loven med hhv. to og tre deltagere.",
        "Hun er cand.scient.pol. fra Aarhus og cand.mag. i dansk.",
        "Det følger af § 85 i serviceloven, jf. § 18, stk. 2 i loven.",
        "Mødet var den 28. september og igen d. 1. januar 2024.",
        "Udgiften steg 2,5 pct. til 1.200 borgere i 2023.",
        "H.C. Andersen og J. Jensen kom til mødet.",
        "»Hvad nu?« spurgte hun.",
        'Han sagde "Nej." og gik.',
        "Han tøvede... og gik så.",
        "Vi fik kaffe, kage mv. i pausen.",
        "det var en lang\nrække af møder",
    ],
)
def test_one_sentence(nlp: Language, text: str) -> None:
    assert sentences(nlp, text) == [text]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Vi har møder, kurser osv. Det tager tid.",
            ["Vi har møder, kurser osv.", "Det tager tid."],
        ),
        (
            "Der kom ledere, konsulenter m.fl. Bagefter spiste vi.",
            ["Der kom ledere, konsulenter m.fl.", "Bagefter spiste vi."],
        ),
        ("Det koster 100 kr. Vi betaler.", ["Det koster 100 kr.", "Vi betaler."]),
        ("Prisen steg 5 pct. Det er meget.", ["Prisen steg 5 pct.", "Det er meget."]),
        ("Han er cand.mag. Det er hun også.", ["Han er cand.mag.", "Det er hun også."]),
        (
            "Det følger af § 85, jf. § 18, stk. 2. Kommunen skal handle.",
            ["Det følger af § 85, jf. § 18, stk. 2.", "Kommunen skal handle."],
        ),
        (
            "Mødet var den 28. september. Vi kom d. 1. januar 2024 kl. 10.",
            ["Mødet var den 28. september.", "Vi kom d. 1. januar 2024 kl. 10."],
        ),
        ("Vi så tv. Det var godt.", ["Vi så tv.", "Det var godt."]),
    ],
)
def test_abbreviations_ordinals_and_words_at_sentence_end(
    nlp: Language, text: str, expected: list[str]
) -> None:
    assert sentences(nlp, text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Hun sagde: »Det går ikke.« Så gik hun.", ["Hun sagde: »Det går ikke.«", "Så gik hun."]),
        ("„Kom nu!“ Han gik.", ["„Kom nu!“", "Han gik."]),
        ('"Nej." Han gik.', ['"Nej."', "Han gik."]),
        ('Han gik. "Kom tilbage!" råbte hun.', ["Han gik.", '"Kom tilbage!" råbte hun.']),
        ("Ja (se bilag.) Nej.", ["Ja (se bilag.)", "Nej."]),
    ],
)
def test_quotes_and_brackets_stay_with_their_sentence(
    nlp: Language, text: str, expected: list[str]
) -> None:
    assert sentences(nlp, text) == expected


def test_question_exclamation_and_ellipsis(nlp: Language) -> None:
    assert sentences(nlp, "Hvorfor? Det ved jeg ikke! Måske… Ja... Så kom de.") == [
        "Hvorfor?",
        "Det ved jeg ikke!",
        "Måske…",
        "Ja...",
        "Så kom de.",
    ]


def test_list_items_are_sentences(nlp: Language) -> None:
    text = "Vi har mål:\n- bedre trivsel\n- færre sygedage\n• mere tid\n* ro\n1. første\na) andet"
    assert sentences(nlp, text) == [
        "Vi har mål:",
        "- bedre trivsel",
        "- færre sygedage",
        "• mere tid",
        "* ro",
        "1. første",
        "a) andet",
    ]


def test_blank_line_and_headline_lines_are_boundaries(nlp: Language) -> None:
    assert sentences(nlp, "Første afsnit uden punktum\n\nandet afsnit") == [
        "Første afsnit uden punktum",
        "andet afsnit",
    ]
    assert sentences(nlp, "Overskrift\nDer var engang.") == ["Overskrift", "Der var engang."]


def test_unpunctuated_sentence_start_after_a_word(nlp: Language) -> None:
    assert sentences(nlp, "Ny udfordring Men det gik godt") == ["Ny udfordring", "Men det gik godt"]
    assert sentences(nlp, "Hun stemmer på Det Konservative Folkeparti.") == [
        "Hun stemmer på Det Konservative Folkeparti."
    ]


def test_offsets_are_intact_and_white_space_never_starts_a_sentence(nlp: Language) -> None:
    text = "\nHej.  Med dig!\n\n- punkt et\nSlut. "
    doc = nlp(text)
    assert doc.text == text
    sents = list(doc.sents)
    assert "".join(s.text_with_ws for s in sents) == text
    assert all(s.start == 0 or not s[0].is_space for s in sents)
    assert [text[s.start_char : s.end_char].strip() for s in sents] == [
        "Hej.",
        "Med dig!",
        "- punkt et",
        "Slut.",
    ]


def test_every_token_gets_a_value_and_empty_text_works(nlp: Language) -> None:
    doc = nlp("Et. To. Tre")
    assert all(t.is_sent_start is not None for t in doc)
    assert list(nlp("").sents) == []


def test_fallback_pipeline_uses_the_component() -> None:
    nlp = load_pipeline()
    if "kvali/sentences" not in nlp.pipe_names:
        pytest.skip("da_core_news_sm is installed; the fallback pipeline is not used")
    assert [s.text for s in nlp("Vi så bl.a. dr.dk osv. Det var godt.").sents] == [
        "Vi så bl.a. dr.dk osv.",
        "Det var godt.",
    ]


def test_ddt_figures_stay_above_target(shared: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.syspath_prepend(str(BENCHMARKS))
    benchmark = importlib.import_module("sentences")
    conllu = shared / "data" / "ddt" / "da_ddt-ud-dev.conllu"
    precision, recall, f = benchmark.measure(conllu, benchmark.kvali_sentences)
    assert precision >= 0.97
    assert f >= 0.93

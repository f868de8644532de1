"""The shipped default codebook.yaml: valid, complete, and its rules find what they promise."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from spacy.language import Language

from kvali.codebook.load import COLOR, check_codebook
from kvali.codebook.model import Codebook
from kvali.nlp import load_pipeline
from kvali.tagging.matcher import CodebookMatcher, SegmentContext, matcher_for
from kvali.tagging.run import form_lemma

CODEBOOK = Path(__file__).resolve().parents[1] / "codebook.yaml"
THEMES = {
    "sundhed": "Håndtering af sundhedsrelaterede problemstillinger",
    "naere_netvaerk": "Borgerens nære netværk",
    "civilsamfund": "Samarbejde med civilsamfundet",
    "data_opfoelgning": "Kvalitetsudvikling med data og opfølgning",
    "overgange": "Overgange mellem sektorer",
    "udviklingsforstyrrelser": "Børn og unge med udviklings- og opmærksomhedsforstyrrelser",
    "oekonomi": "Økonomi og ressourcer",
    "rekruttering": "Rekruttering og kompetencer",
    "tvaersektorielt": "Tværsektorielt samarbejde",
    "forebyggelse": "Tidlig og forebyggende indsats",
    "maalgrupper": "Målgrupper",
}
PARAGRAPHS = ["§ 18", "§18", "§ 85", "§ 107", "§ 108", "§ 82 a", "§ 82b"]


@pytest.fixture(scope="module")
def codebook() -> Codebook:
    loaded, problems = check_codebook(CODEBOOK)
    assert problems == [], "\n".join(map(str, problems))
    assert loaded is not None
    return loaded


@pytest.fixture(scope="module")
def nlp() -> Language:
    return load_pipeline()


@pytest.fixture(scope="module")
def matcher(codebook: Codebook, nlp: Language) -> CodebookMatcher:
    return matcher_for(codebook, form_lemma)


def suggested(matcher: CodebookMatcher, nlp: Language, text: str,
              kind: str = "interview") -> set[str]:
    return set(matcher.match(nlp(text), SegmentContext(kind)))


def test_loads_without_problems(codebook: Codebook) -> None:
    assert codebook.version == "2026.1"
    assert codebook.name.strip()


def test_every_theme_is_a_top_level_code_with_two_to_five_sub_themes(codebook: Codebook) -> None:
    codes = codebook.by_key()
    top = [c.key for c in codebook.codes if c.parent_key is None]
    assert top == list(THEMES)
    for key, name in THEMES.items():
        assert codes[key].name == name
        children = [c for c in codebook.codes if c.parent_key == key]
        assert 2 <= len(children) <= 5, key
        assert all(c.key.startswith(f"{key}.") for c in children)


def test_colours_are_valid_and_unique(codebook: Codebook) -> None:
    colours = [c.color for c in codebook.codes]
    assert all(COLOR.match(colour) for colour in colours)
    assert len(set(colours)) == len(colours)


def test_every_code_is_documented(codebook: Codebook) -> None:
    for code in codebook.codes:
        sentences = [s for s in re.split(r"(?<=[.!?])\s+", code.description) if s]
        assert 1 <= len(sentences) <= 3, code.key
        assert code.example, code.key
        assert not code.rules.empty, code.key
    with_notes = [c for c in codebook.codes if c.inclusion or c.exclusion]
    assert len(with_notes) > len(codebook.codes) * 0.75


def test_every_rule_kind_is_used(codebook: Codebook) -> None:
    rules = [c.rules for c in codebook.codes]
    assert any(not k.compound for r in rules for k in r.keywords)
    assert any(r.fuzzy for r in rules)
    assert any(r.exclude for r in rules)
    assert any(r.scope.kinds for r in rules)
    patterns = [re.compile(p) for r in rules for p in r.patterns]
    for reference in PARAGRAPHS:
        assert any(p.search(reference) for p in patterns), reference


def test_each_code_finds_its_own_example(codebook: Codebook, matcher: CodebookMatcher,
                                         nlp: Language) -> None:
    missed = []
    for code in codebook.codes:
        kind = code.rules.scope.kinds[0] if code.rules.scope.kinds else "interview"
        if code.key not in suggested(matcher, nlp, code.example or "", kind):
            missed.append(code.key)
    assert missed == []


@pytest.mark.parametrize(("text", "code"), [
    ("Vi inddrager netværket tidligt i sagen.", "naere_netvaerk"),
    ("Netværksmøderne har gjort en forskel.", "naere_netvaerk.inddragelse"),
    ("Pårørendes rolle bliver overset.", "naere_netvaerk.paaroerende"),
    ("Civilsamfundsaktørerne vil gerne mere.", "civilsamfund"),
    ("Frivilligcentret har en driftsaftale med os.", "civilsamfund.frivillige_foreninger"),
    ("Vi har en aftale med idrætsforeningerne.", "civilsamfund.frivillige_foreninger"),
    ("De sundhedsfaglige opgaver fylder mere.", "sundhed"),
    ("Lægerne har ikke tid til vores borgere.", "sundhed.praktiserende_laege"),
    ("Medicinhåndteringen på bostederne er et problem.", "sundhed.medicin"),
    ("Vi uddeler § 18-midler hvert forår.", "oekonomi.paragraf_18"),
    ("Han får støtte efter §85 nu.", "forebyggelse.mindre_indgribende"),
    ("Kommunen har ikke råd til flere pladser.", "oekonomi"),
    ("Sagstallet er alt for højt.", "rekruttering.arbejdsmiljoe"),
    ("Regionspsykiatrien udskriver for tidligt.", "tvaersektorielt.region_psykiatri"),
    ("Når de fylder 18, skifter de sagsbehandler.", "overgange.ung_til_voksen"),
])
def test_inflections_compounds_and_references_are_found(matcher: CodebookMatcher, nlp: Language,
                                                        text: str, code: str) -> None:
    assert code in suggested(matcher, nlp, text)


@pytest.mark.parametrize(("text", "code"), [
    ("Vi mødes i et ledernetværk hver måned.", "naere_netvaerk"),
    ("Borgere i Region Midtjylland svarede også.", "tvaersektorielt.region_psykiatri"),
    ("Hun har et højt sygefravær i sin afdeling.", "udviklingsforstyrrelser.skolefravaer"),
    ("Sygefraværet blandt medarbejderne er steget.", "sundhed.somatik"),
    ("Fagforeningen er utilfreds med aftalen.", "civilsamfund.frivillige_foreninger"),
    ("Vi giver gode råd til forældrene.", "oekonomi"),
    ("Effektiviteten i sagsbehandlingen er høj.", "data_opfoelgning.effekt_progression"),
    ("Budgetopfølgningen sker hvert kvartal.", "data_opfoelgning.opfoelgning_sager"),
    ("Hun blev plejefamilie for to børn.", "naere_netvaerk.paaroerende"),
])
def test_known_over_matches_are_held_back(matcher: CodebookMatcher, nlp: Language, text: str,
                                          code: str) -> None:
    assert code not in suggested(matcher, nlp, text)


def test_survey_only_code_with_misspellings(matcher: CodebookMatcher, nlp: Language) -> None:
    comment = "Der er ikke resourcer nok til opgaven."
    assert "oekonomi.ressourcemangel" in suggested(matcher, nlp, comment, "survey")
    assert "oekonomi.ressourcemangel" not in suggested(matcher, nlp, comment, "interview")
    assert "rekruttering" in suggested(matcher, nlp, "Rekrutering er svær.", "survey")

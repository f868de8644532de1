"""Quote choice: which passages a theme summary quotes and why (kvali.export.quotes), the Danish
rules for presentations and meta-talk (quote_rules), and the theme's words in a quote
(quote_words)."""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from dataclasses import replace

import pytest

from kvali.codebook.load import parse_codebook
from kvali.export.quote_rules import META, PRESENTATION, talk_kind
from kvali.export.quote_words import ThemeWords
from kvali.export.quotes import (
    Candidate,
    Origins,
    QuotePart,
    choose_quotes,
    cut_quote,
    hoped_rank,
    select_quotes,
)
from kvali.export.records import CodingRecord

STATEMENT = "Borgernes sundhed bliver overset, fordi ingen af aktørerne har ansvaret for helheden."


def record(number: int, kommune: str | None = "Aarhus", role: str | None = "Socialchef", *,
           status: str = "manual", key: bool = False, interviewer: bool = False,
           length: int = 100, document: int = 1, code: str = "c", kind: str = "interview",
           origin: str = "manual", matched: str | None = None) -> CodingRecord:
    """A coding of `length` characters at number * 1000 in document `document`."""
    return CodingRecord(
        coding_id=number, code=code, document_id=document, document=f"d{document}", kind=kind,
        question=None, start=number * 1000, end=number * 1000 + length, status=status,
        origin=origin, coder="x", rule=None, score=None, key_quote=key, memo=None,
        segment_id=number, seq=number, turn=1, time=None, page=None,
        speaker="I" if interviewer else "IP", is_interviewer=interviewer, role=role,
        respondent=None, case=kommune, kommune=kommune, region="Region Midtjylland",
        size_class=None, matched=matched)


def candidate(coding: CodingRecord, text: str | None = None, words: tuple[str, ...] = ("ord",),
              own: bool = True) -> Candidate:
    """A candidate whose one part is `text` (padded to the coding's length)."""
    length = coding.end - coding.start
    text = (text or STATEMENT).ljust(length)[:max(length, len(text or ""))]
    coding = replace(coding, end=coding.start + len(text))
    return Candidate(coding, (QuotePart(coding.start, coding.end, text),), words, own)


def lazy(words: tuple[str, ...], looked: list[int], number: int) -> Callable[[], tuple]:
    """Words found on demand, noting which candidate was looked at."""
    def find() -> tuple[str, ...]:
        looked.append(number)
        return words
    return find


def chosen_ids(candidates: list[Candidate], limit: int = 3) -> list[int]:
    return [choice.record.coding_id for choice in select_quotes(candidates, limit)]


def test_presentation_and_meta_talk_lose_to_a_statement() -> None:
    introduction = candidate(record(1, "Næstved", "Udviklingskonsulent"),
                             "Jeg er udviklingskonsulent i Næstved, og jeg sidder med vores del "
                             "af sundhedsaftalen.", words=("sundhedsaftalen",))
    meta = candidate(record(2, "København", "Myndighedsleder"),
                     "Det er godt at få lov at tale om sundhed.", words=("sundhed",))
    statement = candidate(record(3, "Aalborg", "Leder"), STATEMENT, words=("sundhed",))
    choices = select_quotes([introduction, meta, statement], 3)
    assert [c.record.coding_id for c in choices] == [3, 1, 2]
    assert PRESENTATION not in choices[0].reasons and META not in choices[0].reasons
    assert PRESENTATION in choices[1].reasons and META in choices[2].reasons


def test_interviewer_loses_to_informant() -> None:
    asking = candidate(record(1, None, "Interviewer", interviewer=True))
    answering = candidate(record(2, "Odense", "Afdelingsleder"))
    choices = select_quotes([asking, answering], 2)
    assert [c.record.coding_id for c in choices] == [2, 1]
    assert "informant" in choices[0].reasons and "interviewer" in choices[1].reasons


def test_quotes_with_the_themes_words_are_preferred() -> None:
    plain = candidate(record(1, "Aarhus"), words=())
    one = candidate(record(2, "Aarhus"), words=("frivillige",))
    two = candidate(record(3, "Aarhus"), words=("frivillige", "foreninger"))
    choices = select_quotes([plain, one, two], 3)
    assert [c.record.coding_id for c in choices] == [3, 2, 1]
    assert "indeholder 'frivillige', 'foreninger'" in choices[0].reasons
    assert not any(r.startswith("indeholder") for r in choices[2].reasons)


def test_quotes_spread_over_municipalities_roles_and_documents() -> None:
    records = [record(1, "Aarhus", "Socialchef"), record(2, "Aarhus", "Socialchef"),
               record(3, "Aarhus", "Leder"), record(4, "Odense", "Socialchef"),
               record(5, "Viborg", "Leder")]
    choices = select_quotes([candidate(r) for r in records], 3)
    assert [c.record.kommune for c in choices] == ["Aarhus", "Viborg", "Odense"]
    assert len({c.record.role for c in choices[:2]}) == 2
    assert "ny kommune: Aarhus" in choices[0].reasons and "ny rolle: Leder" in choices[1].reasons
    same_place = [record(1, "Aarhus"), record(2, "Aarhus"), record(3, "Aarhus", document=2)]
    choices = select_quotes([candidate(r) for r in same_place], 2)
    assert [c.record.coding_id for c in choices] == [1, 3]
    assert "nyt dokument" in choices[1].reasons


def test_anonymised_reasons_name_the_region_not_the_municipality() -> None:
    [choice] = select_quotes([candidate(record(1, "Aarhus"))], 1, anonymise=True)
    assert "ny kommune i Region Midtjylland" in choice.reasons
    assert not any("Aarhus" in reason for reason in choice.reasons)


def test_a_report_passage_waits_for_the_unquoted_municipalities() -> None:
    report = candidate(record(1, None, None, kind="report"))
    informants = [candidate(record(2, "Aarhus")), candidate(record(3, "Odense"))]
    assert chosen_ids([report, *informants], 3) == [2, 3, 1]


def test_key_quotes_come_first_then_sub_code_key_quotes() -> None:
    best = candidate(record(1, "Aarhus"), words=("a", "b"))
    sub_key = candidate(record(2, "Aarhus", key=True, code="c.sub"), words=(), own=False)
    own_keys = [candidate(record(n, "Aarhus", key=True), words=()) for n in (3, 4)]
    choices = select_quotes([best, sub_key, *own_keys], 1)
    assert [c.record.coding_id for c in choices] == [3, 4]  # every own key quote, over limit
    assert choices[0].reasons[0] == "nøglecitat"
    choices = select_quotes([best, sub_key, *own_keys], 4)
    assert [c.record.coding_id for c in choices] == [3, 4, 2, 1]
    assert choices[2].reasons[0] == "nøglecitat under c.sub"


def test_human_codings_before_suggestions_and_suggestions_say_so() -> None:
    suggestion = candidate(record(1, "Morsø", status="suggested", origin="auto"))
    manual = candidate(record(2, "Aarhus"))
    choices = select_quotes([suggestion, manual], 2)
    assert [c.record.coding_id for c in choices] == [2, 1]
    assert "forslag (ikke gennemgået)" in choices[1].reasons


def test_fragments_and_long_quotes_lose_to_a_readable_length() -> None:
    fragment = candidate(record(1, "Aarhus", length=12), "Ja, sundhed.")
    long = candidate(record(2, "Aarhus", length=900), STATEMENT * 10)
    readable = candidate(record(3, "Aarhus", length=len(STATEMENT)), STATEMENT)
    choices = select_quotes([fragment, long, readable], 3)
    assert [c.record.coding_id for c in choices] == [3, 2, 1]
    assert any(r.startswith("læsevenlig længde") for r in choices[0].reasons)
    assert any(r.startswith("kort (12 tegn") for r in choices[2].reasons)


def test_a_passage_is_quoted_once() -> None:
    twice = [candidate(record(1, "Aarhus")), candidate(replace(record(1, "Aarhus"), coding_id=9))]
    assert chosen_ids(twice, 5) == [1]


def test_words_are_looked_for_only_where_they_could_decide() -> None:
    looked: list[int] = []
    eager = [candidate(record(n, kommune), words=w) for n, kommune, w in (
        (1, "Aarhus", ()), (2, "Odense", ("ord",)), (3, "Viborg", ("a", "b")),
        (4, "Aalborg", ()))]
    lazily = [replace(c, found=lazy(c.found, looked, n))
              for n, c in enumerate(eager, start=1)]
    assert chosen_ids(lazily, 2) == chosen_ids(eager, 2) == [3, 2]
    many = [replace(candidate(record(n, f"K{n}")), found=lazy(("a", "b"), looked, n))
            for n in range(10, 110)]
    looked.clear()
    assert chosen_ids(many, 2) == [10, 11]
    assert looked == [10, 11]  # 98 passages never read


def test_looking_lazily_chooses_what_looking_at_everything_chooses() -> None:
    rng = random.Random(15)
    texts = [STATEMENT, "Jeg er socialchef i Aarhus.", "Tak for ordet.", "Ja, sundhed.",
             "Netværket " * 50]
    for _ in range(200):
        candidates = []
        for number in range(1, rng.randint(2, 12)):
            text = rng.choice(texts)
            coding = record(number, rng.choice(["Aarhus", "Odense", None]),
                            rng.choice(["A", "B"]), length=len(text),
                            status=rng.choice(["manual", "suggested"]),
                            key=rng.random() < 0.15, interviewer=rng.random() < 0.2,
                            document=rng.choice([1, 2]))
            words = tuple(rng.sample(["a", "b", "c"], rng.randint(0, 3)))
            candidates.append(candidate(coding, text, words, own=rng.random() < 0.7))
        limit = rng.randint(1, 4)
        lazily = [replace(c, found=lambda w=c.found: w,
                          most_words=len(c.found) + rng.randint(0, 1)) for c in candidates]
        looked_at = [replace(c) for c in candidates]
        for c in looked_at:
            c.settle()
        assert [(x.record.coding_id, x.reasons) for x in select_quotes(lazily, limit)] == \
            [(x.record.coding_id, x.reasons) for x in select_quotes(looked_at, limit)]


def ranked_stream(candidates: list[Candidate], made: list[int]) -> list:
    """The candidates that are no key quotes, by hoped-for rank, noting each one made."""
    ranked = sorted(((hoped_rank(c.record, c.most_words), c) for c in candidates
                     if not c.record.key_quote), key=lambda item: item[0])
    return [(hoped, lambda c=c: made.append(c.record.coding_id) or c) for hoped, c in ranked]


def test_knowing_where_the_candidates_come_from_changes_nothing_but_the_work() -> None:
    rng = random.Random(16)
    for _ in range(300):
        candidates = []
        for n in range(1, rng.randint(2, 25)):
            words = tuple(rng.sample(["a", "b"], rng.randint(0, 2)))
            candidates.append(replace(candidate(
                record(n, rng.choice(["Aarhus", "Odense", None]), rng.choice(["A", "B", None]),
                       status=rng.choice(["manual", "suggested"]), key=rng.random() < 0.1,
                       document=rng.choice([1, 2])), words=words),
                most_words=len(words) + rng.randint(0, 1)))
        keys = [c for c in candidates if c.record.key_quote]
        limit, anonymise = rng.randint(1, 6), rng.random() < 0.3
        plain = choose_quotes(keys, ranked_stream(candidates, []), limit, anonymise=anonymise)
        knowing = choose_quotes(keys, ranked_stream(candidates, []), limit, anonymise=anonymise,
                                origins=Origins.of(c.record for c in candidates))
        assert [(c.record.coding_id, c.reasons) for c in knowing] == \
            [(c.record.coding_id, c.reasons) for c in plain]
    one_document = [replace(candidate(record(n, f"K{n}", ["A", "B"][n % 2])), most_words=1)
                    for n in range(1, 200)]
    made: list[int] = []
    chosen = choose_quotes([], ranked_stream(one_document, made), 4,
                           origins=Origins.of(c.record for c in one_document))
    assert [c.record.coding_id for c in chosen] == made == [1, 2, 3, 4]
    made.clear()
    assert choose_quotes([], ranked_stream(one_document, made), 4) == chosen
    assert len(made) == 199  # not knowing, every candidate is made


def test_the_choice_is_the_same_every_time() -> None:
    records = [candidate(record(n, kommune, role)) for n, (kommune, role) in enumerate(
        [("Aarhus", "A"), ("Odense", "B"), ("Aarhus", "B"), ("Viborg", "A")], start=1)]
    assert chosen_ids(records) == chosen_ids(list(records))


@pytest.mark.parametrize("text", [
    "Jeg er udviklingskonsulent i Næstved, i voksenafdelingen.",
    "Og jeg er myndighedsleder i København på handicapområdet.",
    "Mit navn er Hanne, og jeg arbejder som sagsbehandler.",
    "Ja, jeg hedder Kasper.",
    "Jeg arbejder som socialrådgiver i Randers.",
    "Jeg er ansat i familieafdelingen.",
    "Jeg er fra Lemvig Kommune.",
    "Ja, jeg kan godt starte. Jeg er leder af socialpsykiatrien i Aalborg.",
])
def test_presentations_are_recognised(text: str) -> None:
    assert talk_kind(text) == PRESENTATION


@pytest.mark.parametrize("text", [
    "Det er godt at få lov at tale om det.", "Tak for ordet.", "Kan I høre mig?",
    "Hører du mig nu?", "Det var det hele fra mig.", "Undskyld, jeg var på mute.",
    "Det er et godt spørgsmål.", "Ingen bemærkninger.", "-Intet at tilføje",
])
def test_meta_talk_is_recognised(text: str) -> None:
    assert talk_kind(text) == META


@pytest.mark.parametrize("text", [
    STATEMENT, "Jeg er bekymret for de unge, der fylder 18.", "Det var det, der gjorde forskellen.",
    "Jeg er enig i, at frivillige er vigtige.",
    "-Intet at tilføje ud over at netværket er vigtigt for os.",
    "Vi arbejder som et team på tværs af afdelinger.",
    "Jeg er ansvarlig for, at planen bliver fulgt, og det er svært uden fælles it.",
    "Jeg er udviklingskonsulent. Men det vigtige er, at borgerne får en samlet plan, og at "
    "ingen falder mellem to stole, når de bliver udskrevet fra psykiatrien.",
])
def test_statements_are_not_talk(text: str) -> None:
    assert talk_kind(text) is None


CODEBOOK = """\
name: Ord
version: "1"
codes:
  - key: civil
    name: Civilsamfund
    rules: {keywords: [forening]}
    children:
      - key: civil.frivillige
        name: Frivillige
        rules: {keywords: [frivillig]}
  - key: sundhed
    name: Sundhed
    rules: {keywords: [sundhed]}
"""


@pytest.fixture(scope="module")
def theme_words() -> ThemeWords:
    codebook, problems = parse_codebook(CODEBOOK, "codebook.yaml")
    assert codebook is not None and not problems
    return ThemeWords(codebook)


def test_hand_made_codings_find_the_themes_words_by_its_rules(theme_words: ThemeWords) -> None:
    text = "De frivillige foreninger tager sig af sundheden."
    coding = replace(record(1, code="civil.frivillige"), start=0, end=len(text))
    parts = cut_quote(text, 0, len(text))
    assert theme_words.words(coding, parts, {"civil", "civil.frivillige"}) == \
        ("frivillige", "foreninger")
    assert theme_words.words(coding, parts, {"civil.frivillige"}) == ("frivillige",)
    assert theme_words.words(coding, parts, {"sundhed"}) == ("sundheden",)


def test_suggestions_use_their_matched_words_inside_the_shown_parts(
        theme_words: ThemeWords) -> None:
    text = "Frivillige hjælper. " + "fyld " * 200 + "Foreninger hjælper også."
    end = len(text)
    last = text.index("Foreninger")
    middle = text.index("fyld") + 500
    coding = replace(record(1, origin="auto", status="suggested"), start=0, end=end,
                     matched=json.dumps([[0, 10], [middle, middle + 4], [last, last + 10]]))
    parts = cut_quote(text, 0, end, 200)
    assert len(parts) == 2
    assert theme_words.words(coding, parts, {"civil"}) == ("Frivillige", "Foreninger")

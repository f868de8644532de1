"""Tagging from what import stored (segment text + lemmas, no second tokenizer pass): the exact
suggestions on a varied project, the same matches as tokenising each segment again, chunk tokens
equal to spaCy's, and bounded caches."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from rapidfuzz import fuzz

import kvali.tagging.matcher as matcher_module
import kvali.tagging.tokens as tokens_module
from kvali.codebook.load import load_codebook
from kvali.codebook.sync import stored_codebook, sync_codebook
from kvali.importer import import_paths
from kvali.ingest.model import ReadOptions
from kvali.nlp import load_pipeline
from kvali.tagging.matcher import SegmentContext, matcher_for
from kvali.tagging.run import form_lemma, tag_project
from kvali.tagging.tokens import ChunkTokenizer

TRANSCRIPT = """---
speakers:
  I: {role: Interviewer, interviewer: true}
  IP1: {role: Socialchef, kommune: Aarhus}
  IP2: {role: Sundhedsplejerske, kommune: Odense}
---
I: Hvordan bruger I netværket og de frivillige?
IP1: 😊 Vi holder netværksmøder med de pårørende.
IP2: Det nære – netværk betyder alt. Nært netværk er ikke Facebook.
IP1: Vi søger § 18-midler, f.eks. til frivillige foreninger.
IP2: Vi har brug for et bedre netværg i kommunen 👍🏽 og på ældreområdet.
IP1: Netværket på sociale medier fylder meget.
IP1: Netværksmøderne styrker netværket, og netværket vokser.
IP2: De frivillige hjælper, bl.a. i weekenden. Økonomien er presset… Ventetiden er lang.
"""

SURVEY = [
    ["Respondent", "Kommune", "Respondentens rolle", "Hvad fylder?", "Andet"],
    ["1", "Aarhus", "Socialchef",
     "Økonomien og ventetiden fylder 🙂 — vi fik 2 mio. kr. til frivillige.",
     "Ventetiden på pladser i ældreplejen er for lang."],
    ["2", "Odense", "Konsulent", "Frivillige 🙌 og netværket. Ventetid.",
     "Vi savner et netværk for nye medarbejdere."],
    ["3", "Vejle", "socialchef", "Civilsamfundsaktørerne og de frivillige.", ""],
]

REPORT = "Rapporten om netværk.\n\nDe frivillige i ældreplejen og økonomien.\n"

CODEBOOK = """\
name: Varieret
version: "2"
codes:
  - key: netvaerk
    name: Netværk
    rules:
      keywords: [netværk]
      fuzzy: 85
      exclude: [sociale medier, facebook]
  - key: naere
    name: Det nære netværk
    rules:
      phrases: [nære netværk]
  - key: paragraf
    name: Paragraffer og beløb
    rules:
      patterns: ['§\\s*18\\b', '\\bmio\\.?\\s*kr\\b']
  - key: frivillig
    name: Frivillige
    rules:
      keywords: [{word: frivillig, compound: false}]
      scope: {roles: [Socialchef]}
  - key: oekonomi
    name: Økonomi
    rules:
      keywords: [økonomi]
      scope: {kinds: [survey, report]}
  - key: ventetid
    name: Ventetid
    rules:
      keywords: [ventetid]
      scope: {questions: ["Hvad fylder?"]}
  - key: aeldre
    name: Ældre
    rules:
      keywords: [ældre]
  - key: civil
    name: Civilsamfund
    rules:
      keywords: [civilsamfund, forening]
"""

# segment text -> {code: (rule, the words each matched span covers, in text order)}
EXPECTED = {
    "😊 Vi holder netværksmøder med de pårørende.": {
        "netvaerk": ("compound:netværk", ["netværksmøder"])},
    "Det nære – netværk betyder alt.": {
        "netvaerk": ("keyword:netværk", ["netværk"]),
        "naere": ("phrase:nære netværk", ["nære – netværk"])},
    "Nært netværk er ikke Facebook.": {  # netvaerk excluded by "facebook"
        "naere": ("phrase:nære netværk", ["Nært netværk"])},
    "Vi søger § 18-midler, f.eks. til frivillige foreninger.": {
        "paragraf": ("pattern:§\\s*18\\b", ["§ 18"]),
        "frivillig": ("keyword:frivillig", ["frivillige"]),
        "civil": ("keyword:forening", ["foreninger"])},
    "Vi har brug for et bedre netværg i kommunen 👍🏽 og på ældreområdet.": {
        "netvaerk": ("fuzzy:netværk", ["netværg"]),
        "aeldre": ("compound:ældre", ["ældreområdet"])},
    # one code, several words and rules: each rule once in the order found, the best score
    "Netværksmøderne styrker netværket, og netværket vokser.": {
        "netvaerk": ("compound:netværk; keyword:netværk",
                     ["Netværksmøderne", "netværket", "netværket"])},
    # "Netværket på sociale medier ..." is excluded; the interviewer, the Sundhedsplejerske's
    # "frivillige", and "Økonomien"/"Ventetiden" outside the survey get nothing
    "Økonomien og ventetiden fylder 🙂 — vi fik 2 mio. kr. til frivillige.": {
        "oekonomi": ("keyword:økonomi", ["Økonomien"]),
        "ventetid": ("keyword:ventetid", ["ventetiden"]),
        "paragraf": ("pattern:\\bmio\\.?\\s*kr\\b", ["mio. kr"]),
        "frivillig": ("keyword:frivillig", ["frivillige"])},
    "Frivillige 🙌 og netværket.": {"netvaerk": ("keyword:netværk", ["netværket"])},
    "Ventetid.": {"ventetid": ("keyword:ventetid", ["Ventetid"])},
    "Civilsamfundsaktørerne og de frivillige.": {
        "civil": ("compound:civilsamfund", ["Civilsamfundsaktørerne"]),
        "frivillig": ("keyword:frivillig", ["frivillige"])},
    # the other question: "Ventetiden" is out of scope, "ældreplejen" a compound
    "Ventetiden på pladser i ældreplejen er for lang.": {
        "aeldre": ("compound:ældre", ["ældreplejen"])},
    "Vi savner et netværk for nye medarbejdere.": {
        "netvaerk": ("keyword:netværk", ["netværk"])},
    "Rapporten om netværk.": {"netvaerk": ("keyword:netværk", ["netværk"])},
    "De frivillige i ældreplejen og økonomien.": {
        "aeldre": ("compound:ældre", ["ældreplejen"]),
        "oekonomi": ("keyword:økonomi", ["økonomien"])},
}


SCORES = {"compound": 0.9, "fuzzy": round(fuzz.ratio("netværg", "netværk") / 100 * 0.85, 3)}


@pytest.fixture
def varied(fresh_db, tmp_path: Path):
    """Interview, survey (two questions, roles) and report, with emoji before matched words."""
    (tmp_path / "i.md").write_text(TRANSCRIPT, encoding="utf-8")
    with (tmp_path / "s.csv").open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(SURVEY)
    (tmp_path / "r.txt").write_text(REPORT, encoding="utf-8")
    import_paths(fresh_db, [tmp_path / "i.md"], ReadOptions())
    import_paths(fresh_db, [tmp_path / "s.csv"],
                 ReadOptions(text_columns=["Hvad fylder?", "Andet"]))
    import_paths(fresh_db, [tmp_path / "r.txt"], ReadOptions(kind="report"))
    (tmp_path / "codebook.yaml").write_text(CODEBOOK, encoding="utf-8")
    sync_codebook(fresh_db, load_codebook(tmp_path / "codebook.yaml"))
    return fresh_db


def _segments(db) -> list[tuple]:
    return db.execute(
        "SELECT f.segment_id, f.document_id, f.start, f.text, s.lemmas, f.kind, f.question, "
        "f.role, f.is_interviewer FROM segment_facts f JOIN segments s ON s.id = f.segment_id "
        "ORDER BY f.segment_id").fetchall()


def test_the_exact_suggestions_of_a_varied_project(varied):
    report = tag_project(varied)
    assert report.unaligned == 0
    texts = dict(varied.execute("SELECT id, text FROM documents").fetchall())
    found: dict[str, dict] = {}
    for text, start, code, rule, score, matched, document in varied.execute(
        "SELECT s.text, s.start, c.code_key, c.rule, c.score, c.matched, c.document_id "
        "FROM codings c JOIN segments s ON s.id = c.segment_id WHERE c.status = 'suggested' "
        "ORDER BY c.id"
    ):
        spans = [tuple(span) for span in json.loads(matched)]
        words = [texts[document][s:e] for s, e in spans]
        found.setdefault(text, {})[code] = (rule, words)
        position = start
        for (s, e), word in zip(spans, words, strict=True):  # exact offsets, in text order
            assert s == texts[document].index(word, position)
            position = e
        assert score == max(SCORES.get(one.split(":")[0], 1.0) for one in rule.split("; "))
    assert found == EXPECTED


def test_stored_segments_match_as_the_tokenised_text_does(varied):
    """`match_stored` (chunk tokens + stored lemmas) against `match` on a Doc the tokenizer
    made from the segment text, which is what tagging did before."""
    matcher = matcher_for(stored_codebook(varied), form_lemma)
    tokenizer = load_pipeline().tokenizer
    rows = _segments(varied)
    assert len(rows) > 15
    for _, _, _, text, lemmas, kind, question, role, _ in rows:
        context = SegmentContext(kind, question, role)
        before = matcher.match(tokenizer(text), context, text, lemmas.split(" "))
        after = matcher.match_stored(text, lemmas, context)
        assert after == before, text
    assert matcher.unaligned == 0


TRICKY = [
    "f.eks. 18-midler, bl.a. kl. 14.30 :) (jf. § 18) og 3.-4. klasse.",
    "Se https://www.kommune.dk/side?x=1 eller skriv til sagsbehandler@aarhus.dk!",
    "«Citat» 'ord' ”Ja” — 10km, 5%, 100 kr. og 2,5 mio.",
    "😊👍🏽 æøå-ÆØÅ … non-breaking\u00a0space\ttab\nlinje  to   mellemrum.",
    "1. punkt 2) punkt a) punkt (b) punkt ... osv.",
    "Ikk' sådan, ik'? Nej:-) Jo!? Måske?! Hm... I.e. O.K.",
    "",
    "   ",
]


@pytest.mark.parametrize("text", TRICKY)
@pytest.mark.parametrize("prepared", [True, False])
def test_chunk_tokens_are_the_tokenizers_tokens(text, prepared):
    tokenizer = load_pipeline().tokenizer
    expected = [(t.idx, t.idx + len(t), t.text) for t in tokenizer(text)
                if not (t.is_punct or t.is_space)]
    chunks = ChunkTokenizer(tokenizer)
    if prepared:
        chunks.prepare(TRICKY)
    tokens = chunks.segment(text)
    assert [(*tokens.span(i), word) for i, word in enumerate(tokens.texts)] == expected


def test_caches_stay_bounded_and_right(varied, monkeypatch):
    monkeypatch.setattr(tokens_module, "CACHE_LIMIT", 3)
    monkeypatch.setattr(matcher_module, "FORM_CACHE_LIMIT", 4)
    matcher = matcher_for(stored_codebook(varied), form_lemma)
    rows = _segments(varied)
    for _, _, _, text, lemmas, kind, question, role, _ in rows:
        matcher.chunks.prepare([text])
        assert len(matcher.chunks.chunks) <= 3 + len(text.split())
        context = SegmentContext(kind, question, role)
        before = matcher.match(load_pipeline().tokenizer(text), context, text,
                               lemmas.split(" "))
        assert matcher.match_stored(text, lemmas, context) == before
        assert len(matcher.forms) <= 4 + len(text.split()) * 2


def test_lemmas_that_do_not_line_up_are_looked_up_word_by_word(varied):
    """A segment whose stored lemmas are missing is matched on lemmas found out of context."""
    segment = varied.execute("SELECT id FROM segments WHERE text LIKE 'Rapporten%'").fetchone()[0]
    varied.execute("UPDATE segments SET lemmas = '' WHERE id = ?", [segment])
    report = tag_project(varied)
    assert report.unaligned == 1
    rule = varied.execute("SELECT rule FROM codings WHERE segment_id = ?", [segment]).fetchone()
    assert rule == ("keyword:netværk",)

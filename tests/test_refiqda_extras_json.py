"""kvali/project.json's bytes: `Extras.to_json` serialises its records field by field, exactly
as `dataclasses.asdict` (the oracle here) would, without asdict's deep copy."""

from __future__ import annotations

import json
from dataclasses import asdict

from kvali.ingest.model import Block, ParsedDocument, Respondent, Speaker
from kvali.refiqda.extras import FORMAT, VERSION, CodingState, ExtraCoding, Extras, SourceExtras


def test_to_json_is_what_asdict_gives() -> None:
    facts = CodingState(status="accepted", origin="auto", rule="keyword:netværk", score=0.9,
                        matched="[[3, 10]]", rules_hash="abc", codebook_version="2026.3",
                        provenance='{"search": "x"}', key_quote=True)
    extra = ExtraCoding("g-source", 3, 10, "netvaerk", "kvali",
                        CodingState(status="suggested", origin="auto", score=1.0), None, "t")
    speaker = Speaker("IP1", "Anna", "Leder", "Aarhus", False)
    document = ParsedDocument("Samtale", "interview", "IP1: Det nære netværk.",
                              [Block(5, 22, "IP1", "00:01:02", None, None)],
                              {"år": "2026"}, "Aarhus", {"IP1": speaker})
    respondent = Respondent("r1", "Odense", {"Rolle": "Leder", "Spm 2": "Ja"}, "Leder")
    extras = Extras(sources={"g-source": SourceExtras("sha", document, "1")},
                    respondents={"1": {"r1": respondent}}, codings={"g-coding": facts},
                    extra_codings=[extra], codes={"netvaerk": {"active": True}},
                    codebook_version="2026.3", person_cases={"b", "a"})
    expected = {
        "format": FORMAT, "version": VERSION,
        "sources": {"g-source": {
            "sha256": "sha", "respondents": "1", "name": "Samtale", "kind": "interview",
            "case": "Aarhus", "question": None, "question_text": None,
            "attributes": {"år": "2026"}, "length": len(document.text),
            "blocks": [[5, 22, "IP1", "00:01:02", None, None]],
            "speakers": [asdict(speaker)]}},
        "respondents": {"1": [asdict(respondent)]},
        "codings": {"g-coding": asdict(facts)},
        "extra_codings": [asdict(extra)],
        "codes": {"netvaerk": {"active": True}}, "codebook_version": "2026.3",
        "person_cases": ["a", "b"]}
    assert extras.to_json() == json.dumps(expected, ensure_ascii=False,
                                          separators=(",", ":")).encode("utf-8")

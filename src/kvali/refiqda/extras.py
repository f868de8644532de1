"""What a kvali project has beyond QDA-XML, carried in a .qdpx as `kvali/project.json`.

QDA-XML has no review status, provenance, key quotes, auto-coding rules, speaker turns or survey
answers, and Project.xsd allows no foreign elements. So a kvali export writes everything else
into one JSON member of the archive, which other tools ignore (the standard part validates and
reads as before) and kvali's import uses when the text it describes is the text it finds:

- `sources`: per source GUID, the SHA-256 of the written text and the parsed document (kind,
  question, question text, case, blocks with speaker/time/page/respondent, speakers with role,
  municipality and interviewer flag), positions in code points of the written text;
- `respondents`: per import, the survey respondents with their case, role and closed answers;
- `codings`: per Coding GUID, status, origin, rule, score, matched words, rules hash, codebook
  version, provenance and key quote; `extra_codings`: the codings whose status was not written
  as Coding elements (by default pending and rejected suggestions), with their positions;
- `codes`: per code key, inclusion/exclusion/example, rules (canonical JSON) and whether the code
  is active; `codebook_version`; `person_cases`: the GUIDs of the Cases that stand for speakers
  and respondents (kvali restores those as speakers and respondents, not as cases).

A member that is not valid (wrong shape, positions outside the text, a text that changed) is not
used: `read_extras` returns None or leaves the source out, and the standard reading applies.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, fields
from functools import cache
from typing import Any

from sqlite_utils import Database

from kvali.codebook.sync import stored_codebook_version
from kvali.domain import DOCUMENT_KINDS, STATUSES
from kvali.ingest.model import Block, ParsedDocument, Respondent, Speaker
from kvali.privacy.pseudonymise import PseudonymisedSpan, Pseudonyms
from kvali.store.parsed import stored_documents, stored_respondents

MEMBER = "kvali/project.json"
FORMAT = "kvali-qdpx-extras"
VERSION = 1
ORIGINS = ("auto", "manual")


@dataclass
class CodingState:
    """What a coding has beyond its span, code and coder: its status and where it came from
    (not `kvali.export.records.CodingFacts`, the facts a summary counts)."""

    status: str = "manual"
    origin: str = "manual"
    rule: str | None = None
    score: float | None = None
    matched: str | None = None
    rules_hash: str | None = None
    codebook_version: str | None = None
    provenance: str | None = None
    key_quote: bool = False


@dataclass
class ExtraCoding:
    """A coding not written as a Coding element, placed by code points of the source text."""

    source: str  # source GUID
    start: int
    end: int
    code: str  # code key
    coder: str
    facts: CodingState
    memo: str | None = None
    created: str | None = None


@dataclass
class SourceExtras:
    """A source's parsed structure and the respondents' import it belongs to."""

    sha256: str
    document: ParsedDocument
    respondents: str | None = None  # key of `Extras.respondents`


@dataclass
class Extras:
    """Everything `kvali/project.json` holds."""

    sources: dict[str, SourceExtras] = field(default_factory=dict)
    respondents: dict[str, dict[str, Respondent]] = field(default_factory=dict)
    codings: dict[str, CodingState] = field(default_factory=dict)
    extra_codings: list[ExtraCoding] = field(default_factory=list)
    codes: dict[str, dict[str, Any]] = field(default_factory=dict)
    codebook_version: str = ""
    person_cases: set[str] = field(default_factory=set)

    def to_json(self) -> bytes:
        """The member's bytes."""
        return b"".join(self.json_pieces())

    def json_pieces(self) -> Iterator[bytes]:
        """The member's bytes, a top-level entry at a time: the JSON of the whole object, as
        `json.dumps` writes it, without the whole of it (140 MB on 5M words) in memory twice."""
        entries = {
            "format": lambda: FORMAT, "version": lambda: VERSION,
            "sources": lambda: {guid: {"sha256": extra.sha256, "respondents": extra.respondents,
                                       **_document_dict(extra.document)}
                                for guid, extra in self.sources.items()},
            "respondents": lambda: {ref: [_plain(r) for r in found.values()]
                                    for ref, found in self.respondents.items()},
            "codings": lambda: {guid: _plain(facts) for guid, facts in self.codings.items()},
            "extra_codings": lambda: [{**_plain(coding), "facts": _plain(coding.facts)}
                                      for coding in self.extra_codings],
            "codes": lambda: self.codes, "codebook_version": lambda: self.codebook_version,
            "person_cases": lambda: sorted(self.person_cases)}
        for number, (key, value) in enumerate(entries.items()):
            yield (("{" if number == 0 else ",") + _dumps(key) + ":"
                   + _dumps(value())).encode("utf-8")
        yield b"}"

    def document(self, guid: str, text: str) -> SourceExtras | None:
        """The source's structure when it describes exactly `text`, else None."""
        extra = self.sources.get(guid)
        if extra is None or extra.sha256 != text_sha256(text):
            return None
        return extra


def text_sha256(text: str) -> str:
    """The SHA-256 of a text as `documents.sha256` holds it."""
    return hashlib.sha256(text.encode()).hexdigest()


def read_extras(data: bytes) -> tuple[Extras | None, list[str]]:
    """The extras in a member's bytes and the problems that made parts of it unusable."""
    try:
        raw = json.loads(data.decode("utf-8"))
        if not isinstance(raw, dict) or raw.get("format") != FORMAT:
            return None, [f"{MEMBER} is not kvali's; ignored"]
        if raw.get("version") != VERSION:
            return None, [f"{MEMBER} has version {raw.get('version')!r}, this kvali reads "
                          f"{VERSION}; ignored"]
        return _extras(raw)
    except (ValueError, TypeError, KeyError, AttributeError) as exc:
        return None, [f"{MEMBER} is damaged ({type(exc).__name__}); read as a plain "
                      "REFI-QDA project"]


def _extras(raw: dict) -> tuple[Extras, list[str]]:
    problems: list[str] = []
    extras = Extras(codebook_version=_text(raw.get("codebook_version")) or "",
                    person_cases={str(g) for g in raw.get("person_cases", [])})
    for ref, rows in raw.get("respondents", {}).items():
        extras.respondents[str(ref)] = {
            str(row["key"]): Respondent(str(row["key"]), _text(row.get("case")),
                                        {str(k): str(v) for k, v in row["attributes"].items()},
                                        _text(row.get("role"))) for row in rows}
    for guid, row in raw.get("sources", {}).items():
        try:
            document = _document(row)
            ref = _text(row.get("respondents"))
            known = extras.respondents.get(ref or "", {})
            if any(b.respondent is not None and b.respondent not in known
                   for b in document.blocks):
                raise ValueError("an answer of an unknown respondent")
            extras.sources[str(guid)] = SourceExtras(str(row["sha256"]), document, ref)
        except (ValueError, TypeError, KeyError, AttributeError) as exc:
            problems.append(f"{MEMBER}: the structure of source {guid} is not usable ({exc}); "
                            "its text is segmented afresh")
    extras.codings = {str(guid): _facts(row) for guid, row in raw.get("codings", {}).items()}
    for row in raw.get("extra_codings", []):
        coding = ExtraCoding(str(row["source"]), int(row["start"]), int(row["end"]),
                             str(row["code"]), str(row["coder"]), _facts(row["facts"]),
                             _text(row.get("memo")), _text(row.get("created")))
        if 0 <= coding.start < coding.end:
            extras.extra_codings.append(coding)
    for key, row in raw.get("codes", {}).items():
        json.loads(row.get("rules") or "{}")
        extras.codes[str(key)] = {name: row.get(name) for name in CODE_FIELDS}
    return extras, problems


CODE_FIELDS = ("inclusion", "exclusion", "example", "rules", "rules_hash", "active")


def _text(value: object) -> str | None:
    return None if value is None else str(value)


def _facts(row: dict) -> CodingState:
    facts = CodingState(
        status=str(row["status"]), origin=str(row["origin"]), rule=_text(row.get("rule")),
        score=None if row.get("score") is None else float(row["score"]),
        matched=_text(row.get("matched")), rules_hash=_text(row.get("rules_hash")),
        codebook_version=_text(row.get("codebook_version")),
        provenance=_text(row.get("provenance")), key_quote=bool(row.get("key_quote")))
    if facts.status not in STATUSES or facts.origin not in ORIGINS:
        raise ValueError(f"status {facts.status!r} / origin {facts.origin!r}")
    return facts


def _dumps(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


@cache
def _field_names(cls: type) -> tuple[str, ...]:
    return tuple(f.name for f in fields(cls))


def _plain(record: object) -> dict[str, Any]:
    """A record's fields as a dict: what `asdict` gives for the records here (their fields are
    atoms, dicts of strings, or a record handled by the caller), without its deep copy of every
    value, a third of the time of a 5M-word export."""
    return {name: getattr(record, name) for name in _field_names(type(record))}


def _document_dict(document: ParsedDocument) -> dict:
    return {"name": document.name, "kind": document.kind, "case": document.case,
            "question": document.question, "question_text": document.question_text,
            "attributes": document.attributes, "length": len(document.text),
            "blocks": [[b.start, b.end, b.speaker, b.time, b.page, b.respondent]
                       for b in document.blocks],
            "speakers": [_plain(speaker) for speaker in document.speakers.values()]}


def _document(row: dict) -> ParsedDocument:
    """The parsed document of a source entry, its text left empty until the source is read."""
    kind = str(row["kind"])
    if kind not in DOCUMENT_KINDS:
        raise ValueError(f"kind {kind!r}")
    length = int(row["length"])
    speakers = {str(s["label"]): Speaker(str(s["label"]), _text(s.get("name")),
                                         _text(s.get("role")), _text(s.get("municipality")),
                                         bool(s.get("is_interviewer")))
                for s in row.get("speakers", [])}
    blocks = []
    for start, end, speaker, time, page, respondent in row["blocks"]:
        block = Block(int(start), int(end), _text(speaker), _text(time),
                      None if page is None else int(page), _text(respondent))
        if not 0 <= block.start <= block.end <= length:
            raise ValueError(f"a block {block.start}-{block.end} outside the text")
        if block.speaker is not None and block.speaker not in speakers:
            raise ValueError(f"a turn of an unknown speaker {block.speaker!r}")
        blocks.append(block)
    return ParsedDocument(name=str(row["name"]), kind=kind, text="", blocks=blocks,  # type: ignore[arg-type]
                          attributes={str(k): str(v) for k, v in row["attributes"].items()},
                          case=_text(row.get("case")), speakers=speakers,
                          question=_text(row.get("question")),
                          question_text=_text(row.get("question_text")))


def collect_extras(db: Database, *, statuses: tuple[str, ...], replacing: Pseudonyms,
                   written: Callable[[int], PseudonymisedSpan], source_guids: dict[int, str],
                   coding_guid: Callable[[int], str], person_cases: set[str]) -> Extras:
    """The extras of the project as exported: `written(document id)` is the text written for a
    document (positions are mapped into it), `source_guids` the documents' source GUIDs."""
    extras = Extras(person_cases=person_cases,
                    codebook_version=stored_codebook_version(db))
    scrub = replacing.scrub
    for import_id, found in stored_respondents(db).items():
        extras.respondents[str(import_id)] = {
            key: Respondent(key, _scrubbed(scrub, r.case),
                            {k: scrub(v) for k, v in r.attributes.items()},
                            _scrubbed(scrub, r.role)) for key, r in found.items()}
    texts: dict[int, PseudonymisedSpan] = {}
    for document_id, import_id, parsed in stored_documents(db):
        text = texts[document_id] = written(document_id)
        blocks = [Block(text.position(b.start), text.position(b.end, end=True),
                        _scrubbed(scrub, b.speaker), b.time, b.page, b.respondent)
                  for b in parsed.blocks]
        speakers = {scrub(s.label): Speaker(scrub(s.label), _scrubbed(scrub, s.name),
                                            _scrubbed(scrub, s.role),
                                            _scrubbed(scrub, s.municipality), s.is_interviewer)
                    for s in parsed.speakers.values()}
        document = ParsedDocument(
            name=scrub(parsed.name), kind=parsed.kind, text=text.text, blocks=blocks,
            attributes={k: scrub(v) for k, v in parsed.attributes.items()},
            case=_scrubbed(scrub, parsed.case), speakers=speakers, question=parsed.question,
            question_text=_scrubbed(scrub, parsed.question_text))
        respondents = str(import_id) if any(b.respondent for b in blocks) else None
        extras.sources[source_guids[document_id]] = SourceExtras(
            text_sha256(text.text), document, respondents)
    for row in db.query("SELECT * FROM codings ORDER BY id"):
        facts = CodingState(
            status=row["status"], origin=row["origin"], rule=row["rule"], score=row["score"],
            matched=_scrubbed(scrub, row["matched"]),
            rules_hash=row["rules_hash"], codebook_version=row["codebook_version"],
            provenance=row["provenance"], key_quote=bool(row["key_quote"]))
        if row["status"] in statuses:
            extras.codings[coding_guid(row["id"])] = facts
            continue
        text = texts[row["document_id"]]
        extras.extra_codings.append(ExtraCoding(
            source_guids[row["document_id"]], text.position(row["start"]),
            text.position(row["end"], end=True), row["code_key"], row["coder"], facts,
            _scrubbed(scrub, row["memo"]), row["created_at"]))
    for row in db.query("SELECT * FROM codes ORDER BY id"):
        extras.codes[row["key"]] = {
            name: _scrubbed(scrub, row[name]) if name in ("inclusion", "exclusion", "example")
            else row[name] for name in CODE_FIELDS}
    return extras


def _scrubbed(scrub: Callable[[str], str], value: str | None) -> str | None:
    """VALUE with the confirmed personal data replaced (None stays None)."""
    return scrub(value) if value else value

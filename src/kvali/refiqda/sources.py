"""REFI-QDA sources as kvali documents, read and segmented before anything is stored.

A source's positions are read with the convention the file turns out to use (the project's
`origin` as a prior, the selections' names as a check). Its document is kvali's own structure
(turns, answers, pages, speakers, respondents) when the file's `kvali/project.json` describes
exactly this text, else the text is split afresh by `parse_transcript`: speaker turns when found,
else paragraphs; the kind is the source's `kind` variable when it has one, else interview when
turns were found, else report, and other variables become document attributes.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from kvali.coding.placement import SegmentPlaces
from kvali.domain import DOCUMENT_KINDS
from kvali.importer import segment_source
from kvali.ingest.model import ParsedDocument, ParsedSource, Respondent
from kvali.ingest.transcript import parse_transcript
from kvali.refiqda.extras import SourceExtras
from kvali.refiqda.model import QdaProject, QdaSource
from kvali.refiqda.positions import PositionMap, choose_convention

if TYPE_CHECKING:
    from kvali.nlp.segment import SegmentSpan


@dataclass
class Placed:
    """A source stored as a document: its id, position map and segments."""

    document_id: int
    positions: PositionMap
    segments: SegmentPlaces



@dataclass
class Prepared:
    """The sources as documents, read and segmented before the write transaction begins."""

    source: ParsedSource
    positions: list[PositionMap]
    segmented: list[list[SegmentSpan]]
    kvali_sources: set[str] = field(default_factory=set)  # structure from kvali/project.json


def prepare_documents(project: QdaProject, conventions: dict[str, str]) -> Prepared:
    """Map positions, split blocks and segment every source."""
    variable_names = {guid: name.strip() for guid, name in project.variables.items()}
    case_of = {}
    for case in project.cases:
        for source_guid in case.sources:
            case_of.setdefault(source_guid, case.name)
    documents, maps, structured = [], [], []
    for source in project.sources:
        positions = source_positions(project, source)
        conventions[source.name] = positions.convention.describe()
        maps.append(positions)
        document, extra = source_document(project, source, positions.text, variable_names,
                                          case_of.get(source.guid))
        documents.append(document)
        structured.append((document, extra))
    parsed = ParsedSource(documents=documents, respondents=respondents_of(structured, project))
    kvali_sources = {source.guid for source, (_, extra) in zip(project.sources, structured,
                                                               strict=True) if extra}
    return Prepared(parsed, maps, segment_source(parsed), kvali_sources)


def source_positions(project: QdaProject, source: QdaSource) -> PositionMap:
    """How the source's selections are read: the convention the file turns out to use, with
    the project's origin as a prior and the selections' names as a check."""
    spans = [(s.start, s.end) for s in source.selections]
    return PositionMap(source.raw, choose_convention(
        source.raw, spans, origin=project.origin, names=[s.name for s in source.selections]))


def source_document(project: QdaProject, source: QdaSource, text: str,
                    variable_names: dict[str, str], case: str | None
                    ) -> tuple[ParsedDocument, SourceExtras | None]:
    """The source as a document: with kvali's structure (turns, answers, pages) when the
    file's `kvali/project.json` describes exactly this text, else read afresh."""
    extra = project.extras.document(source.guid, text) if project.extras else None
    if extra is None:
        return _document(source, text, variable_names, case), None
    stored = extra.document
    return ParsedDocument(
        name=source.name, kind=stored.kind, text=text, blocks=[replace(b) for b in stored.blocks],
        attributes={**stored.attributes, "refi_guid": source.guid}, case=stored.case,
        speakers=dict(stored.speakers), question=stored.question,
        question_text=stored.question_text), extra


def respondents_of(structured: list[tuple[ParsedDocument, SourceExtras | None]],
                   project: QdaProject) -> dict[str, Respondent]:
    """The survey respondents the documents' answers belong to. Keys that two of the exported
    imports share are told apart ("17 (2)") and the answers follow."""
    if project.extras is None:
        return {}
    refs = list(dict.fromkeys(extra.respondents for _, extra in structured
                              if extra and extra.respondents))
    counts: dict[str, int] = defaultdict(int)
    for ref in refs:
        for key in project.extras.respondents.get(ref, {}):
            counts[key] += 1
    found: dict[str, Respondent] = {}
    renamed: dict[tuple[str, str], str] = {}
    for ref in refs:
        for key, respondent in project.extras.respondents.get(ref, {}).items():
            new_key = key if counts[key] == 1 else f"{key} ({ref})"
            renamed[(ref, key)] = new_key
            found[new_key] = replace(respondent, key=new_key,
                                     attributes=dict(respondent.attributes))
    for document, extra in structured:
        if extra and extra.respondents:
            for block in document.blocks:
                if block.respondent is not None:
                    block.respondent = renamed[(extra.respondents, block.respondent)]
    return found


def _document(source: QdaSource, text: str, variable_names: dict[str, str],
              case: str | None) -> ParsedDocument:
    values = {variable_names.get(guid, guid): value for guid, value in source.variables.items()}
    blocks, speakers = parse_transcript(text)
    kind = values.pop("kind", "").strip().lower()
    if kind not in DOCUMENT_KINDS:
        kind = "interview" if any(block.speaker for block in blocks) else "report"
    question = values.pop("question", None) or None
    if source.description:
        values["description"] = source.description
    if source.sets:
        values["sets"] = "; ".join(source.sets)
    return ParsedDocument(name=source.name, kind=kind, text=text, blocks=blocks,
                          attributes={**values, "refi_guid": source.guid}, case=case,
                          speakers=speakers, question=question)

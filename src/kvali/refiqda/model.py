"""What a .qdpx archive holds, as plain Python objects (filled by `kvali.refiqda.read`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from xml.etree.ElementTree import Element

from kvali.refiqda.extras import Extras


@dataclass
class QdaCoding:
    """A Coding: which code, by whom, when, with which notes."""

    guid: str
    code_guid: str
    user: str | None
    created: str | None
    notes: list[str] = field(default_factory=list)


@dataclass
class QdaSelection:
    """A PlainTextSelection with its raw positions and codings."""

    guid: str
    start: int
    end: int
    user: str | None
    name: str | None = None
    codings: list[QdaCoding] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


@dataclass
class QdaSource:
    """A text source (or the text representation of a PDF source, or a media transcript)."""

    guid: str
    name: str
    raw: str
    path: str = ""
    description: str = ""
    sets: list[str] = field(default_factory=list)
    selections: list[QdaSelection] = field(default_factory=list)
    codings: list[QdaCoding] = field(default_factory=list)  # the whole source coded
    notes: list[str] = field(default_factory=list)
    variables: dict[str, str] = field(default_factory=dict)  # variable guid -> value


@dataclass
class QdaCase:
    """A Case with its variable values and the sources and selections it holds."""

    guid: str
    name: str
    variables: dict[str, str] = field(default_factory=dict)
    sources: list[str] = field(default_factory=list)
    selections: list[str] = field(default_factory=list)
    description: str = ""


@dataclass
class QdaSet:
    """A Set: a named group of codes, sources and notes."""

    guid: str
    name: str
    description: str
    codes: list[str] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)


@dataclass
class QdaNote:
    """A Note (memo)."""

    guid: str
    name: str
    text: str
    user: str | None


@dataclass
class MissingSource:
    """A source whose text is not in the file, and how many codings were lost with it."""

    name: str
    path: str
    reason: str
    codings: int

    def describe(self) -> str:
        """One line for warnings."""
        lost = f"; {self.codings} coding{'s' * (self.codings != 1)} lost" if self.codings else ""
        where = f" ({self.path})" if self.path else ""
        return f"source {self.name!r}{where} skipped: {self.reason}{lost}"


@dataclass
class QdaProject:
    """Everything kvali takes from a REFI-QDA project."""

    name: str
    origin: str
    users: dict[str, str]
    codebook: Element | None
    code_guids: list[str]  # pre-order, as `codes_from_element` visits them
    code_notes: dict[str, list[str]]
    variables: dict[str, str]  # guid -> name
    cases: list[QdaCase]
    sources: list[QdaSource]
    notes: dict[str, QdaNote]
    project_notes: list[str]
    skipped: list[str]
    missing: list[MissingSource] = field(default_factory=list)
    description: str = ""
    sets: list[QdaSet] = field(default_factory=list)
    extras: Extras | None = None  # kvali/project.json, when a kvali export wrote one

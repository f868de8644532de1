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


UNPLACED_REASONS = {
    "not_in_archive": ("its text file {detail!r} is not in the archive",
                       "tekstfilen findes ikke i .qdpx-filen"),
    "outside_archive": ("its path {detail!r} points outside the archive",
                        "stien peger uden for .qdpx-filen, så teksten læses ikke"),
    "no_text": ("it has neither a plainTextPath nor a PlainTextContent",
                "kilden har hverken en tekstfil (plainTextPath) eller en tekst "
                "(PlainTextContent)"),
    "no_representation": ("a {detail} without a text representation or transcript",
                          "kilden ({detail}) har hverken en tekstudgave eller en transskription"),
}
"""Why a source's text cannot be found: (the command line's English, the app's Danish)."""


def unplaced_reason(why: str, detail: str = "") -> str:
    """The English line of an UNPLACED_REASONS reason."""
    return UNPLACED_REASONS[why][0].format(detail=detail)


@dataclass
class MissingSource:
    """A source whose text is not in the file, and how many codings were lost with it; `why`
    is its key in UNPLACED_REASONS, `detail` the path or element it names."""

    name: str
    path: str
    reason: str
    codings: int
    why: str = ""
    detail: str = ""

    def danish_reason(self) -> str:
        """The reason in Danish (the English one for a reason kvali does not know)."""
        known = UNPLACED_REASONS.get(self.why)
        return known[1].format(detail=self.detail) if known else self.reason

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

"""Document metadata from a YAML front matter block or a sidecar file `NAME.yaml`.

    ---
    title: Gruppeinterview om borgerens nære netværk
    kind: interview
    kommune: Aarhus            # the document's case, when it has one
    speakers:
      I: {role: Interviewer, interviewer: true}
      IP1: {role: Socialchef, kommune: Aarhus}
    ---

Every other scalar key becomes a document attribute.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from ruamel.yaml import YAMLError

from kvali.domain import DOCUMENT_KINDS
from kvali.errors import InputError
from kvali.ingest.model import ParsedDocument, Speaker
from kvali.safe_yaml import METADATA_BYTES, check_yaml_file, load_yaml

FRONT_MATTER = re.compile(r"\A---[ \t]*\n(?P<yaml>.*?\n)?---[ \t]*(?:\n|\Z)", re.DOTALL)
CASE_KEYS = ("kommune", "municipality", "case")
SPEAKER_KEYS = {"role", "rolle", "kommune", "municipality", "name", "navn", "interviewer"}


@dataclass
class Metadata:
    """What front matter or a sidecar says about a document."""

    attributes: dict[str, str] = field(default_factory=dict)
    speakers: dict[str, Speaker] = field(default_factory=dict)
    kind: str | None = None
    case: str | None = None


def split_front_matter(text: str, source: str) -> tuple[Metadata, int]:
    """Metadata from a leading `---` block and the offset where the body starts."""
    match = FRONT_MATTER.match(text)
    if not match:
        return Metadata(), 0
    return parse_metadata(match["yaml"] or "", source), match.end()


def read_sidecar(path: Path) -> Metadata | None:
    """Metadata from `NAME.yaml`/`NAME.yml` next to the file (or folder), if there is one."""
    for suffix in (".yaml", ".yml"):
        sidecar = path.with_suffix(suffix) if path.is_file() else path.with_name(path.name + suffix)
        if sidecar.is_file():
            check_yaml_file(sidecar, METADATA_BYTES)
            try:
                text = sidecar.read_text(encoding="utf-8-sig")
            except UnicodeDecodeError as exc:
                raise InputError(f"is not UTF-8 text (byte {exc.start}); save it as UTF-8",
                                 source=str(sidecar)) from None
            return parse_metadata(text, str(sidecar))
    return None


def parse_metadata(document: str, source: str) -> Metadata:
    """Validate and convert one YAML mapping; errors name the file and line."""
    try:
        data = load_yaml(document, source, METADATA_BYTES) or {}
    except YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}: " if mark else ""
        raise InputError(f"{where}invalid YAML metadata", source=source) from None
    if not isinstance(data, dict):
        raise InputError("metadata must be a mapping of keys to values", source=source)
    metadata = Metadata()
    for key, value in data.items():
        key = str(key)
        if key == "speakers":
            metadata.speakers = _speakers(value, source)
        elif key == "kind":
            if value not in DOCUMENT_KINDS:
                raise InputError(f"kind {value!r}: use one of {', '.join(DOCUMENT_KINDS)}",
                                 source=source)
            metadata.kind = value
        elif key in CASE_KEYS:
            metadata.case = _scalar(value, key, source)
        elif isinstance(value, dict | list):
            raise InputError(f"metadata key {key!r} must be a single value", source=source)
        elif value is not None:
            metadata.attributes[key] = str(value)
    return metadata


def _speakers(value: object, source: str) -> dict[str, Speaker]:
    if not isinstance(value, dict):
        raise InputError("speakers must map labels to {role, kommune}", source=source)
    speakers = {}
    for label, info in value.items():
        info = info or {}
        if isinstance(info, str):
            info = {"role": info}
        if not isinstance(info, dict):
            raise InputError(f"speaker {label!r} must be a mapping", source=source)
        unknown = set(info) - SPEAKER_KEYS
        if unknown:
            raise InputError(f"speaker {label!r}: unknown key {sorted(unknown)[0]!r} "
                             f"(use {', '.join(sorted(SPEAKER_KEYS))})", source=source)
        field = f"speaker {label!r}"
        role = _scalar(info.get("role", info.get("rolle")), f"{field} role", source)
        municipality = _scalar(info.get("kommune", info.get("municipality")),
                               f"{field} kommune", source)
        speakers[str(label)] = Speaker(
            label=str(label),
            name=_scalar(info.get("name", info.get("navn")), f"{field} name", source),
            role=role,
            municipality=municipality,
            is_interviewer=bool(info.get("interviewer", False)),
        )
    return speakers


def _scalar(value: object, field: str, source: str) -> str | None:
    """A metadata value as text; a list or mapping where one value belongs is an InputError."""
    if isinstance(value, dict | list):
        raise InputError(f"{field} must be a single value, not a "
                         f"{'list' if isinstance(value, list) else 'mapping'}", source=source)
    return None if value is None else str(value)


def merge_metadata(base: Metadata, extra: Metadata | None) -> Metadata:
    """Sidecar values override front matter values key by key."""
    if extra is None:
        return base
    return Metadata(
        attributes={**base.attributes, **extra.attributes},
        speakers={**base.speakers, **extra.speakers},
        kind=extra.kind or base.kind,
        case=extra.case or base.case,
    )


def apply_metadata(document: ParsedDocument, metadata: Metadata) -> None:
    """Let metadata fill in a parsed document: attributes, case and speaker details (each
    reader decides the kind itself, from --kind first and `metadata.kind` second)."""
    document.attributes.update(metadata.attributes)
    document.case = metadata.case or document.case
    for label, declared in metadata.speakers.items():
        found = document.speakers.get(label)
        if found is None:
            document.speakers[label] = declared
            continue
        found.role = declared.role or found.role
        found.municipality = declared.municipality or found.municipality
        found.name = declared.name or found.name
        found.is_interviewer = declared.is_interviewer or found.is_interviewer

"""Read a .qdpx archive into plain Python objects, whatever tool wrote it.

The archive is opened with `open_zip_safely` (zip bombs, zip slip and encrypted members are
refused) and the project XML is parsed with `parse_xml_safely` (no DTD, no entities). The
project file may be called `project.qde` or `Project.qde`; source files may sit in `sources/`
or `Sources/`; element names are matched without their namespace, so the project and codebook
namespaces (and other tools' variants of them) are all read.

A `plainTextPath` may be `internal://NAME`, `relative://PATH` (relative to the project's
basePath, which for an archive is its own root) or a bare file name (QualCoder); each is looked
up among the archive's members only, so no path can reach a file outside the archive. A source
whose text cannot be found is listed in `QdaProject.missing` with the reason and the codings
lost with it, and the rest of the project is still read.

Besides TextSources, a PDFSource (or any source) with a text `Representation` and an Audio- or
VideoSource with a `Transcript` are read as text; a TranscriptSelection is placed by the
positions of its SyncPoints. A case's variable values go to the sources it holds (a source's
own values win), and the names of the Sets a source belongs to and `Description`s are kept.
"""

from __future__ import annotations

import codecs
import zipfile
import zlib
from pathlib import Path, PurePosixPath
from xml.etree.ElementTree import Element

from kvali.errors import InputError
from kvali.ingest.safety import open_zip_safely, parse_xml_safely
from kvali.refiqda.codes import description_of
from kvali.refiqda.extras import MEMBER, read_extras
from kvali.refiqda.model import (
    MissingSource,
    QdaCase,
    QdaCoding,
    QdaNote,
    QdaProject,
    QdaSelection,
    QdaSet,
    QdaSource,
    unplaced_reason,
)

INTERNAL = "internal://"
RELATIVE = "relative://"


def read_qdpx(path: Path) -> QdaProject:
    """Open, check and parse a .qdpx file; a damaged archive is one InputError."""
    try:
        return _read(path)
    except (zipfile.BadZipFile, zlib.error, EOFError) as exc:
        raise InputError(f"is a damaged archive ({exc})", source=str(path)) from None
    except RecursionError:
        raise InputError("is nested too deeply to read", source=str(path)) from None


def _read(path: Path) -> QdaProject:
    source = str(path)
    with open_zip_safely(path) as archive:
        members = {info.filename.replace("\\", "/").lower(): info
                   for info in archive.infolist() if not info.is_dir()}
        project_member = _project_member(members, source)
        root = parse_xml_safely(archive.read(project_member), source)
        _strip_namespaces(root)
        if root.tag != "Project":
            raise InputError(f"{project_member.filename} is not a REFI-QDA project "
                             f"(root element <{root.tag}>)", source=source)
        _refuse_duplicate_guids(root, source)
        files = _Files(archive, members, source)
        project = _project(root, files, source)
        if MEMBER in members:
            project.extras, problems = read_extras(archive.read(members[MEMBER]))
            project.skipped += problems
        return project


def _refuse_duplicate_guids(root: Element, source: str) -> None:
    """Refuse a project where two elements share a GUID: references to it (CodeRef,
    SourceRef, NoteRef …) could then attach codings to the wrong source or code."""
    seen: dict[str, str] = {}
    for element in root.iter():
        guid = element.get("guid")
        if not guid:
            continue
        if guid in seen:
            raise InputError(f"GUID {guid} is used by both a <{seen[guid]}> and a "
                             f"<{element.tag}>; REFI-QDA GUIDs must be unique, so the file "
                             "is refused (codings could land on the wrong source or code)",
                             source=source)
        seen[guid] = element.tag


def _project_member(members: dict[str, zipfile.ZipInfo], source: str) -> zipfile.ZipInfo:
    if "project.qde" in members:
        return members["project.qde"]
    candidates = [info for name, info in members.items() if name.endswith(".qde")]
    if len(candidates) != 1:
        raise InputError("is not a REFI-QDA project: no project.qde inside", source=source)
    return candidates[0]


class _Files:
    """Text files of the archive, found by plainTextPath."""

    def __init__(self, archive: zipfile.ZipFile, members: dict[str, zipfile.ZipInfo],
                 source: str) -> None:
        self.archive, self.members, self.source = archive, members, source

    def text(self, reference: str) -> str:
        """The decoded text of the file a plainTextPath names; `Unplaced` when it is absent."""
        info = self.members.get(self.member_name(reference))
        if info is None:
            raise Unplaced("not_in_archive", reference)
        return _decode(self.archive.read(info), f"{self.source}:{info.filename}")

    def member_name(self, reference: str) -> str:
        """The (lower-case) archive member a plainTextPath stands for."""
        name = _archive_path(reference)
        for candidate in (f"sources/{name}", name):
            if candidate in self.members:
                return candidate
        base = PurePosixPath(name).name
        return next((n for n in self.members if PurePosixPath(n).name == base), name)


class Unplaced(Exception):
    """A source's text cannot be found: `why` is a key of UNPLACED_REASONS, `detail` the path
    or element it names; the message is the English line."""

    def __init__(self, why: str, detail: str = "") -> None:
        super().__init__(unplaced_reason(why, detail))
        self.why, self.detail = why, detail


def _archive_path(reference: str) -> str:
    """The path inside the archive of `internal://`, `relative://` or a bare name."""
    lowered = reference.lower()
    for scheme in (INTERNAL, RELATIVE):
        if lowered.startswith(scheme):
            reference = reference[len(scheme):]
            break
    else:
        if "://" in reference or reference.startswith(("/", "\\")) \
                or reference[1:3] in (":\\", ":/"):
            return PurePosixPath(reference.replace("\\", "/")).name.lower()  # the other
            # tool's own disk: only a file of that name inside the archive can be its text
    parts = [p for p in reference.replace("\\", "/").lower().split("/") if p not in ("", ".")]
    if not parts or ".." in parts:
        raise Unplaced("outside_archive", reference)
    return "/".join(parts)


def _decode(data: bytes, source: str) -> str:
    """UTF-8 as the standard says (a BOM is kept for the position check); UTF-16 with a BOM."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "\ufeff" + data.decode("utf-16")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(f"source text is not UTF-8 ({exc.reason} at byte {exc.start})",
                         source=source) from None


def _strip_namespaces(root: Element) -> None:
    for element in root.iter():
        if isinstance(element.tag, str) and element.tag.startswith("{"):
            element.tag = element.tag.split("}", 1)[1]


def _project(root: Element, files: _Files, source: str) -> QdaProject:
    users = {u.get("guid", ""): u.get("name") or u.get("id") or u.get("guid", "")
             for u in root.iterfind("Users/User")}
    codebook = root.find("CodeBook")
    code_guids: list[str] = []
    code_notes: dict[str, list[str]] = {}
    if codebook is not None:
        for code in _codes_preorder(codebook.find("Codes")):
            code_guids.append(code.get("guid", ""))
            code_notes[code.get("guid", "")] = _note_refs(code)
    project = QdaProject(
        name=root.get("name") or "", origin=root.get("origin") or "", users=users,
        codebook=codebook, code_guids=code_guids, code_notes=code_notes,
        variables={v.get("guid", ""): v.get("name", "")
                   for v in root.iterfind("Variables/Variable")},
        cases=[_case(case) for case in root.iterfind("Cases/Case")], sources=[], notes={},
        project_notes=_note_refs(root), skipped=[], description=description_of(root),
        sets=[_set(element) for element in root.iterfind("Sets/Set")])
    for element in root.iterfind("Sources/*"):
        text_element = _text_element(element)
        try:
            if text_element is None:
                raise Unplaced("no_representation", element.tag)
            raw = _text_of(text_element, files)
        except Unplaced as exc:
            project.missing.append(_missing(element, text_element, exc))
            project.skipped.append(project.missing[-1].describe())
            continue
        project.sources.append(_source(element, text_element, raw, source))
        project.skipped += _media_codings_lost(element, project.sources[-1].name)
    _share_cases_and_sets(project)
    for note in root.iterfind("Notes/Note"):
        text = _note_text(note, files)
        project.notes[note.get("guid", "")] = QdaNote(
            guid=note.get("guid", ""), name=note.get("name") or "", text=text,
            user=note.get("creatingUser"))
    return project


def _text_element(element: Element) -> Element | None:
    """The element holding a source's text: itself, its Representation or its Transcript."""
    if element.tag == "TextSource":
        return element
    for tag in ("Representation", "Transcript"):
        found = element.find(tag)
        if found is not None:
            return found
    return None


def _media_codings_lost(element: Element, name: str) -> list[str]:
    """A line for the codings on time ranges of an audio or video source, which have no text."""
    lost = sum(len(selection.findall("Coding")) for tag in ("AudioSelection", "VideoSelection")
               for selection in element.findall(tag))
    return [f"source {name!r}: {lost} coding{'s' * (lost != 1)} on audio or video time ranges "
            "cannot be placed in the transcript; skipped"] if lost else []


def _share_cases_and_sets(project: QdaProject) -> None:
    """Case variable values and Set names onto the sources they hold."""
    by_guid = {source.guid: source for source in project.sources}
    for case in project.cases:
        for guid in case.sources:
            if guid in by_guid:
                by_guid[guid].variables = {**case.variables, **by_guid[guid].variables}
    for qda_set in project.sets:
        for guid in qda_set.sources:
            if guid in by_guid and qda_set.name:
                by_guid[guid].sets.append(qda_set.name)


def _set(element: Element) -> QdaSet:
    return QdaSet(guid=element.get("guid", ""), name=(element.get("name") or "").strip(),
                  description=description_of(element),
                  codes=[ref.get("targetGUID", "") for ref in element.findall("MemberCode")],
                  sources=[ref.get("targetGUID", "") for ref in element.findall("MemberSource")])


def _codes_preorder(codes: Element | None) -> list[Element]:
    found: list[Element] = []

    def visit(element: Element) -> None:
        for child in element:
            if child.tag == "Code":
                found.append(child)
                visit(child)

    if codes is not None:
        visit(codes)
    return found


def _text_of(element: Element, files: _Files) -> str:
    """The text of a source or note: its PlainTextContent or the file its plainTextPath names."""
    content = element.find("PlainTextContent")
    if content is not None:
        return content.text or ""
    path = element.get("plainTextPath")
    if not path:
        raise Unplaced("no_text")
    return files.text(path)


def _note_text(element: Element, files: _Files) -> str:
    try:
        return _text_of(element, files)
    except Unplaced:
        return ""


def _missing(element: Element, text_element: Element | None, unplaced: Unplaced
             ) -> MissingSource:
    codings = sum(1 for _ in element.iter("Coding"))
    path = (text_element if text_element is not None else element).get("plainTextPath") or ""
    return MissingSource(_source_name(element, text_element), path, str(unplaced), codings,
                         unplaced.why, unplaced.detail)


def _source_name(element: Element, text_element: Element | None) -> str:
    """The source's name; else the stem of its file name; else its GUID."""
    for holder in (element, text_element):
        if holder is not None and (holder.get("name") or "").strip():
            return holder.get("name", "").strip()
    for holder in (text_element, element):
        path = holder.get("plainTextPath") if holder is not None else None
        if path:
            stem = PurePosixPath(path.replace("\\", "/").rsplit("://", 1)[-1]).stem
            if stem:
                return stem
    return element.get("guid") or "source"

def _note_refs(element: Element) -> list[str]:
    return [ref.get("targetGUID", "") for ref in element.findall("NoteRef")]


def _coding(element: Element) -> QdaCoding | None:
    ref = element.find("CodeRef")
    if ref is None:
        return None
    return QdaCoding(guid=element.get("guid", ""), code_guid=ref.get("targetGUID", ""),
                     user=element.get("creatingUser"), created=element.get("creationDateTime"),
                     notes=_note_refs(element))


def _source(element: Element, text_element: Element, raw: str, source: str) -> QdaSource:
    holders = [element] if text_element is element else [element, text_element]
    result = QdaSource(guid=element.get("guid", ""), name=_source_name(element, text_element),
                       raw=raw, path=text_element.get("plainTextPath") or "",
                       description=description_of(element) or description_of(text_element))
    for holder in holders:
        result.notes += _note_refs(holder)
        result.codings += [c for c in map(_coding, holder.findall("Coding")) if c]
        result.variables.update(_variable_values(holder))
    for selection in text_element.findall("PlainTextSelection"):
        try:
            start = int(selection.get("startPosition", ""))
            end = int(selection.get("endPosition", ""))
        except ValueError:
            raise InputError(f"selection {selection.get('guid')} has no whole-number start and "
                             "end positions", source=source) from None
        result.selections.append(QdaSelection(
            guid=selection.get("guid", ""), start=start, end=end,
            user=selection.get("creatingUser"), name=selection.get("name"),
            codings=[c for c in map(_coding, selection.findall("Coding")) if c],
            notes=_note_refs(selection)))
    result.selections += _transcript_selections(text_element)
    return result


def _transcript_selections(transcript: Element) -> list[QdaSelection]:
    """TranscriptSelections, placed by the text positions of their SyncPoints (one without
    them gets -1, a position outside the text, so the import lists it as skipped)."""
    points: dict[str, int] = {}
    for point in transcript.findall("SyncPoint"):
        try:
            points[point.get("guid", "")] = int(point.get("position", ""))
        except ValueError:
            continue
    found = []
    for selection in transcript.findall("TranscriptSelection"):
        found.append(QdaSelection(
            guid=selection.get("guid", ""),
            start=points.get(selection.get("fromSyncPoint", ""), -1),
            end=points.get(selection.get("toSyncPoint", ""), -1),
            user=selection.get("creatingUser"), name=selection.get("name"),
            codings=[c for c in map(_coding, selection.findall("Coding")) if c],
            notes=_note_refs(selection)))
    return found


def _case(element: Element) -> QdaCase:
    case = QdaCase(guid=element.get("guid", ""), name=(element.get("name") or "").strip(),
                   variables=_variable_values(element), description=description_of(element))
    case.sources = [ref.get("targetGUID", "") for ref in element.findall("SourceRef")]
    case.selections = [ref.get("targetGUID", "") for ref in element.findall("SelectionRef")]
    return case


def _variable_values(element: Element) -> dict[str, str]:
    """Variable guid -> value (as text) of the VariableValue children."""
    values = {}
    for value in element.findall("VariableValue"):
        ref = value.find("VariableRef")
        data = next((child.text for child in value if child.tag != "VariableRef"), None)
        if ref is not None and data is not None:
            values[ref.get("targetGUID", "")] = data.strip()
    return values

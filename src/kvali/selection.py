"""One selection model: which segments or codings an analyst means, compiled to SQL in one place.

Search, exports, crosstabs, co-occurrence, the suggestion queue and the document list all take a
`Selection` and compile it here, against the views `segment_facts` or `coding_facts` (alias
`f`), so a filter means the same thing everywhere. Each field takes one or more values (any may
match); different fields must all hold. Values are resolved against the project first, so a
misspelt municipality, role or code is a clear `SelectionError` naming the field, not an empty
result. Roles and questions match case-insensitively as parts of words ("leder" finds every
kind of leader); a code always includes its sub-codes.

`Selection` and `FIELDS` themselves live in kvali.selection_fields (importable from here too),
which the command line reads at start-up without loading the municipalities or the codebook.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

from kvali.codebook.model import Code, subtrees
from kvali.domain import DOCUMENT_KINDS, STATUSES
from kvali.errors import SelectionError
from kvali.municipalities import (
    MUNICIPALITIES,
    REGIONS,
    SIZE_CLASSES,
    match_municipality,
    normalise_region,
    normalise_size_class,
)
from kvali.selection_fields import FIELDS as FIELDS  # re-exported: the model lives there
from kvali.selection_fields import FieldInfo as FieldInfo
from kvali.selection_fields import Selection

if TYPE_CHECKING:
    from sqlite_utils import Database

Target = Literal["segments", "codings"]


@dataclass
class Where:
    """SQL conditions (joined with AND) and their parameters."""

    conditions: list[str] = field(default_factory=list)
    params: list[object] = field(default_factory=list)

    def clause(self, keyword: str = "AND") -> str:
        """` AND c1 AND c2` (or ` WHERE c1 AND c2`); empty without conditions."""
        if not self.conditions:
            return ""
        return f" {keyword} " + " AND ".join(self.conditions)

    def add(self, condition: str, values: list | tuple = ()) -> None:
        """Add one condition with its parameters."""
        self.conditions.append(condition)
        self.params.extend(values)


def marks(values: list | tuple | set) -> str:
    """`?,?,?` for the values."""
    return ",".join("?" * len(values))


def _fold(text: str) -> str:
    return " ".join(text.casefold().split())


def compile_selection(db: Database, selection: Selection, target: Target,
                      alias: str = "f") -> Where:
    """Resolve the selection against the project into conditions over `segment_facts` (target
    "segments") or `coding_facts` (target "codings") as `alias`."""
    where = Where()
    f = alias
    if selection.kommune:
        _kommune(db, selection.kommune, where, f)
    if selection.region:
        regions = _normalised(selection.region, "region", normalise_region, REGIONS)
        where.add(f"{f}.region IN ({marks(regions)})", regions)
    if selection.size:
        sizes = _normalised(selection.size, "size", normalise_size_class, SIZE_CLASSES)
        where.add(f"{f}.size_class IN ({marks(sizes)})", sizes)
    if selection.kind:
        _known(selection.kind, DOCUMENT_KINDS, "kind")
        where.add(f"{f}.kind IN ({marks(selection.kind)})", selection.kind)
    if selection.question:
        questions = _questions(db, selection.question)
        where.add(f"{f}.question IN ({marks(questions)})", questions)
    if selection.role:
        roles = _roles(db, selection.role)
        where.add(f"{f}.role IN ({marks(roles)})", roles)
    if selection.document:
        ids = _documents(db, selection.document)
        where.add(f"{f}.document_id IN ({marks(ids)})", ids)
    _known(selection.status, STATUSES, "status")
    statuses = list(selection.statuses)
    codes = code_subtree(db, selection.code, "code") if selection.code else None
    if target == "codings":
        where.add(f"{f}.status IN ({marks(statuses)})", statuses)
        if codes is not None:
            where.add(f"{f}.code_key IN ({marks(codes)})", codes)
        if selection.coder:
            where.add(f"{f}.coder IN ({marks(selection.coder)})", selection.coder)
    elif codes is not None or selection.coder and not selection.not_code:
        where.add(*_coded(f, codes, selection.coder, statuses))
    if selection.not_code:
        keys = code_subtree(db, selection.not_code, "not_code")
        coders = selection.coder if target == "segments" and not selection.code else ()
        condition, params = _coded(f, keys, coders, statuses)
        where.add("NOT " + condition, params)
    return where


def selected_codes(db: Database, selection: Selection) -> list[str] | None:
    """The code keys a selection is limited to (with sub-codes), or None for every code."""
    return code_subtree(db, selection.code, "code") if selection.code else None


def code_subtree(db: Database, keys: tuple[str, ...] | list[str], field_name: str) -> list[str]:
    """The codes and all their sub-codes; a key that is not in the codebook is an error."""
    tree = subtrees(db.execute("SELECT key, parent_key FROM codes ORDER BY position, key"))
    found: dict[str, None] = {}
    for key in keys:
        if key not in tree:
            raise SelectionError(field_name, key, "is not a code of this project",
                                 "er ikke en kode i projektets kodebog")
        found.update(dict.fromkeys(tree[key]))
    return list(found)


def shown_codes(db: Database, selection: Selection, codes: list[Code]) -> list[Code]:
    """The codes a report shows: all of them, or the selected codes with their sub-codes and
    the themes above them (so the tree stays readable), in the given order."""
    chosen = selected_codes(db, selection)
    if chosen is None:
        return list(codes)
    parents = {code.key: code.parent_key for code in codes}
    shown = set(chosen)
    for key in chosen:
        while parents.get(key) and parents[key] not in shown:
            key = parents[key]
            shown.add(key)
    return [code for code in codes if code.key in shown]


def project_roles(db: Database, *, informants_only: bool = False) -> list[str]:
    """Every role in the project: speakers' roles and respondents' roles, sorted."""
    interviewer = " AND is_interviewer = 0" if informants_only else ""
    return [row[0] for row in db.execute(
        f"SELECT role FROM speakers WHERE role IS NOT NULL AND role != ''{interviewer} "
        "UNION SELECT role FROM respondents WHERE role IS NOT NULL AND role != '' "
        "ORDER BY 1")]


def project_coders(db: Database) -> list[str]:
    """Everyone who has coded in the project, by name: one look-up in the codings_coder index
    per coder (a DISTINCT would read every coding's entry)."""
    return [row[0] for row in db.execute(
        "WITH RECURSIVE found(coder) AS (SELECT min(coder) FROM codings UNION ALL "
        "SELECT (SELECT min(coder) FROM codings WHERE coder > found.coder) FROM found "
        "WHERE found.coder IS NOT NULL) SELECT coder FROM found WHERE coder IS NOT NULL")]


def selection_choices(db: Database) -> dict[str, list[str]]:
    """The values the app offers for each field in this project: kinds, municipalities,
    regions and size classes that occur, roles, survey questions and coders."""
    def column(sql: str) -> list[str]:
        return [row[0] for row in db.execute(sql) if row[0] is not None]

    used = ("FROM municipalities m WHERE m.code IN (SELECT municipality_code FROM cases "
            "WHERE municipality_code IS NOT NULL)")
    return {
        "kind": column("SELECT DISTINCT kind FROM documents ORDER BY kind"),
        "kommune": column(f"SELECT m.name {used} ORDER BY m.name"),
        "region": column(f"SELECT DISTINCT m.region {used} ORDER BY m.region"),
        "size": column(f"SELECT DISTINCT m.size_class {used} ORDER BY m.size_class"),
        "role": project_roles(db, informants_only=True),
        "question": column("SELECT DISTINCT question FROM documents WHERE question IS NOT NULL "
                           "ORDER BY question"),
        "coder": project_coders(db),
    }


def _coded(f: str, keys: list[str] | None, coders: tuple[str, ...],
           statuses: list[str]) -> tuple[str, list[object]]:
    """EXISTS: a coding of the statuses (and codes and coders) overlapping the row's span."""
    condition = (f"EXISTS (SELECT 1 FROM codings k WHERE k.document_id = {f}.document_id "
                 f'AND k.start < {f}."end" AND k."end" > {f}.start '
                 f"AND k.status IN ({marks(statuses)})")
    params: list[object] = list(statuses)
    if keys is not None:
        condition += f" AND k.code_key IN ({marks(keys)})"
        params.extend(keys)
    if coders:
        condition += f" AND k.coder IN ({marks(coders)})"
        params.extend(coders)
    return condition + ")", params


def _known(values: tuple[str, ...], known: tuple[str, ...], field_name: str) -> None:
    for value in values:
        if value not in known:
            raise SelectionError(field_name, value, f"use one of {', '.join(known)}",
                                 f"vælg en af {', '.join(known)}")


def _normalised(values: tuple[str, ...], field_name: str, normalise, known: tuple[str, ...]
                ) -> list[str]:
    result = []
    for value in values:
        name = normalise(value)
        if name is None:
            raise SelectionError(field_name, value, f"use one of {', '.join(known)}",
                                 f"vælg en af {', '.join(known)}")
        result.append(name)
    return result


def _kommune(db: Database, values: tuple[str, ...], where: Where, f: str) -> None:
    codes: set[int] = set()
    case_ids: set[int] = set()
    known_codes = {m.code for m in MUNICIPALITIES}
    for value in values:
        if value.strip().isdigit() and int(value) in known_codes:  # a DST kommunekode, "101"
            codes.add(int(value))
            continue
        match = match_municipality(value)
        if match is not None:
            codes.add(match.municipality.code)
            continue
        rows = [row[0] for row in db.execute("SELECT id, name FROM cases").fetchall()
                if _fold(row[1]) == _fold(value)]
        if not rows:
            raise SelectionError("kommune", value,
                                 "not one of the 98 municipalities or a case in this project",
                                 "er hverken en af de 98 kommuner eller en case i projektet")
        case_ids.update(rows)
    parts, params = [], []
    if codes:
        parts.append(f"{f}.kommune_code IN ({marks(codes)})")
        params.extend(sorted(codes))
    if case_ids:
        parts.append(f"{f}.case_id IN ({marks(case_ids)})")
        params.extend(sorted(case_ids))
    where.add("(" + " OR ".join(parts) + ")", params)


def _roles(db: Database, values: tuple[str, ...]) -> list[str]:
    known = project_roles(db)
    wanted = [_fold(v) for v in values]
    found = [role for role in known if any(w in _fold(role) for w in wanted)]
    if not found:
        listed = f" (roles: {', '.join(known[:12])})" if known else ""
        raise SelectionError("role", ", ".join(values),
                             "no speaker or respondent has that role" + listed,
                             "ingen taler eller respondent har den rolle")
    return found


def _questions(db: Database, values: tuple[str, ...]) -> list[str]:
    rows = db.execute("SELECT DISTINCT question, question_text FROM documents "
                      "WHERE question IS NOT NULL").fetchall()
    wanted = [_fold(v) for v in values]
    found = sorted({question for question, text in rows
                    if any(w == _fold(question) or w in _fold(text or "") for w in wanted)})
    if not found:
        raise SelectionError("question", ", ".join(values),
                             "no survey question has that key or those words",
                             "intet survey-spørgsmål har den nøgle eller de ord")
    return found


def _documents(db: Database, values: tuple[str, ...]) -> list[int]:
    ids: set[int] = set()
    for value in values:
        rows = db.execute("SELECT id FROM documents WHERE name = ? OR CAST(id AS TEXT) = ?",
                          [value, value]).fetchall()
        if not rows:
            raise SelectionError("document", value, "no document has that name or id",
                                 "intet dokument har det navn eller id")
        ids.update(row[0] for row in rows)
    return sorted(ids)

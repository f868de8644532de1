"""What a selection is: the `Selection` an analyst narrows material by, and how each of its
fields is offered (`FIELDS`: the CLI option's metavar and help, the app's Danish label).

kvali.selection compiles a Selection to SQL against the project (with the municipalities and
the codebook); this module needs neither, so the command line builds its options from it at
start-up without loading them.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

from kvali.domain import SHOWN_STATUSES, STATUS_LABELS


@dataclass(frozen=True)
class Selection:
    """What to take; every field is a tuple of accepted values, empty means no restriction.

    `status` limits the codings that count (for `code`/`not_code`/`coder` on segments, and the
    codings themselves on codings); empty means every status but rejected.
    """

    kommune: tuple[str, ...] = ()
    region: tuple[str, ...] = ()
    size: tuple[str, ...] = ()
    kind: tuple[str, ...] = ()
    question: tuple[str, ...] = ()
    role: tuple[str, ...] = ()
    code: tuple[str, ...] = ()
    not_code: tuple[str, ...] = ()
    coder: tuple[str, ...] = ()
    status: tuple[str, ...] = ()
    document: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, list[str]]:
        """The fields in use (JSON-friendly)."""
        return {f.name: list(getattr(self, f.name)) for f in fields(self) if getattr(self, f.name)}

    def describe(self) -> list[str]:
        """Danish lines for the head of a summary ("Kommuner: Aarhus, Odense"); the statuses
        that count are always said."""
        used = {**self.to_dict(), "status": list(self.statuses)}
        lines = []
        for name, values in used.items():
            if name == "status":
                values = [STATUS_LABELS.get(v, v).lower() for v in values]
            lines.append(f"{FIELDS[name].label}: {', '.join(values)}")
        return lines

    @property
    def statuses(self) -> tuple[str, ...]:
        """The coding statuses that count."""
        return self.status or SHOWN_STATUSES


@dataclass(frozen=True)
class FieldInfo:
    """How a selection field is offered: its metavar and help on the CLI, its Danish label."""

    metavar: str
    help: str
    label: str


FIELDS: dict[str, FieldInfo] = {
    "kommune": FieldInfo("NAME", "Only this municipality: name, spelling variant, kommunekode "
                         "or a case of the project.", "Kommuner"),
    "region": FieldInfo("REGION", "Only this region ('Nordjylland' is enough).", "Regioner"),
    "size": FieldInfo("SIZE", "Only municipalities of this size class: lille, mellemstor, stor.",
                      "Kommunestørrelse"),
    "kind": FieldInfo("KIND", "Only documents of this kind.", "Dokumenttyper"),
    "question": FieldInfo("Q", "Only answers to this survey question (its key or words of its "
                          "text).", "Spørgsmål"),
    "role": FieldInfo("ROLE", "Only speakers or respondents whose role contains this.",
                      "Roller"),
    "code": FieldInfo("KEY", "Only what is coded with this code or one of its sub-codes.",
                      "Koder"),
    "not_code": FieldInfo("KEY", "Leave out what is coded with this code or its sub-codes.",
                          "Ikke koder"),
    "coder": FieldInfo("NAME", "Only codings by this coder.", "Kodere"),
    "status": FieldInfo("STATUS", "Only codings with this status.", "Status"),
    "document": FieldInfo("DOC", "Only this document (its name or id).", "Dokumenter"),
}
"""Every field of `Selection` (the CLI options and the app's labels are made from this)."""

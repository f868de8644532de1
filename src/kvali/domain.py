"""kvali's vocabulary: document kinds, coding statuses and origins, role columns, Danish labels.

Every layer (store, import, tagging, search, exports, CLI, app) imports these names from here;
none defines its own copy.
"""

from __future__ import annotations

from typing import Literal, get_args

DocumentKind = Literal["interview", "survey", "report"]
"""What a stored document is."""
DOCUMENT_KINDS: tuple[str, ...] = get_args(DocumentKind)

IMPORT_KINDS = ("auto", *DOCUMENT_KINDS, "surveyxact")
"""What `kvali import --kind` accepts: a document kind, a SurveyXact export, or auto-detection."""

KIND_LABELS = {"interview": "Interview", "survey": "Survey-svar", "report": "Rapport"}
KIND_LABELS_PLURAL = {"interview": "Interviews", "survey": "Survey-svar", "report": "Rapporter"}
IMPORT_KIND_LABELS = {"auto": "Find selv ud af det", "interview": "Interview",
                      "survey": "Survey-tabel", "surveyxact": "SurveyXact-eksport",
                      "report": "Rapport"}

STATUSES = ("suggested", "accepted", "manual", "rejected")
"""A coding's status: an auto suggestion, a suggestion a human accepted or rejected, or a
coding made by hand."""
HUMAN_STATUSES = ("accepted", "manual")
"""Codings a human stands behind."""
SHOWN_STATUSES = ("suggested", "accepted", "manual")
"""Codings that count (every status but rejected); the default of every selection."""
STATUS_LABELS = {"suggested": "Forslag", "accepted": "Accepteret", "manual": "Manuel",
                 "rejected": "Afvist"}

ORIGINS = ("auto", "manual")
ORIGIN_LABELS = {"auto": "automatisk forslag (kodebogens regler)", "manual": "kodet i hånden"}
"""Where a coding came from, in the reader's words."""
AUTO_CODER = "kvali"
"""The coder name of auto-suggestions."""

ROLE_COLUMN_WORDS = ("rolle", "role", "stilling", "funktion", "position")
"""A survey column whose header contains one of these words holds the respondent's role
("Rolle", "Respondentens rolle", "Stillingsbetegnelse")."""


def is_role_column(header: str) -> bool:
    """Whether a survey column's header names the respondent's role."""
    folded = header.casefold()
    return any(word in folded for word in ROLE_COLUMN_WORDS)


def role_column(headers: list[str], chosen: str | None = None) -> str | None:
    """The column holding the respondent's role: the analyst's choice, else the first header
    that names a role, else None."""
    if chosen:
        return chosen
    return next((header for header in headers if is_role_column(header)), None)


def decision(status: str) -> str:
    """What a human coding's status says about its code: "coded" (manual, accepted) or
    "rejected"; two codings by one coder on one span conflict when these differ."""
    return "coded" if status in HUMAN_STATUSES else "rejected"


def status_label(status: str) -> str:
    """The Danish label of a coding status."""
    return STATUS_LABELS.get(status, status)


def kind_label(kind: str) -> str:
    """The Danish label of a document kind."""
    return KIND_LABELS.get(kind, kind)

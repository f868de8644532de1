"""What a merge did (or, with --dry-run, would do), and the conflicts it left to the analysts."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field


@dataclass(frozen=True)
class Conflict:
    """Something the two projects disagree on; the target keeps its own version."""

    kind: str  # decision | code | memo
    line: str  # how the CLI prints it

    def to_dict(self) -> dict:
        """JSON-friendly."""
        return asdict(self)


@dataclass
class MergeReport:
    """Counts, the ids of what was added, and the conflicts."""

    source: str
    sha256: str
    dry_run: bool = False
    documents_matched: int = 0
    documents_added: list[int] = field(default_factory=list)  # ids (none in a dry run)
    documents_to_add: int = 0
    codes_added: list[str] = field(default_factory=list)
    codings_added: list[int] = field(default_factory=list)  # ids (none in a dry run)
    codings_to_add: int = 0
    codings_skipped: int = 0
    memos_added: int = 0
    key_quotes_added: int = 0
    suggestions_replaced: int = 0
    conflicts: list[Conflict] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)

    def summary(self) -> str:
        """The one summary line."""
        verb = "would merge" if self.dry_run else "merged"
        return (f"{verb} {self.source}: documents {self.documents_matched} matched, "
                f"{self.documents_to_add} added; codings {self.codings_to_add} added, "
                f"{self.codings_skipped} skipped; memos {self.memos_added} added; "
                f"key quotes {self.key_quotes_added}; codes {len(self.codes_added)} added; "
                f"conflicts {len(self.conflicts)}")

    def to_dict(self) -> dict:
        """JSON-friendly: the summary's numbers, the ids and the conflicts."""
        return {"source": self.source, "dry_run": self.dry_run,
                "documents_matched": self.documents_matched,
                "documents_added": self.documents_to_add, "document_ids": self.documents_added,
                "codes_added": self.codes_added, "codings_added": self.codings_to_add,
                "coding_ids": self.codings_added, "codings_skipped": self.codings_skipped,
                "memos_added": self.memos_added, "key_quotes_added": self.key_quotes_added,
                "suggestions_replaced": self.suggestions_replaced,
                "conflicts": [conflict.to_dict() for conflict in self.conflicts],
                "skipped": self.skipped}

    def event(self) -> dict:
        """The events row: counts and ids, no text."""
        return {"source_sha256": self.sha256, "documents_matched": self.documents_matched,
                "documents_added": self.documents_added, "codes_added": self.codes_added,
                "codings_added": self.codings_added[:1000],
                "codings_added_count": self.codings_to_add,
                "codings_skipped": self.codings_skipped, "memos_added": self.memos_added,
                "key_quotes_added": self.key_quotes_added,
                "suggestions_replaced": self.suggestions_replaced,
                "conflicts": len(self.conflicts)}

"""Write a theme summary in the format the user asked for (or the file's suffix says)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

from kvali.errors import UsageError
from kvali.export.output import Project, output_file

if TYPE_CHECKING:
    from kvali.export.summary import Summary

SUMMARY_FORMATS = ("md", "docx", "html", "xlsx")


def output_format(path: str | os.PathLike[str], fmt: str | None, allowed: tuple[str, ...],
                  what: str) -> str:
    """`fmt`, else the suffix of `path`; a UsageError when it is not one of `allowed`."""
    chosen = (fmt or Path(path).suffix.lstrip(".")).lower()
    if not chosen:
        raise UsageError(f"{path}: give --format or a file suffix ({', '.join(allowed)})")
    if chosen not in allowed:
        raise UsageError(f"{path}: {what} can be written as {', '.join(allowed)}, "
                         f"not {chosen!r}")
    if Path(path).is_dir():
        raise UsageError(f"{path} is a folder; give a file name ending in .{chosen}")
    return chosen


def write_summary(summary: Summary, path: str | os.PathLike[str], fmt: str | None = None, *,
                  project: Project = None) -> str:
    """Write the summary as md, docx, html or xlsx (never over `project`); returns the format."""
    chosen = output_format(path, fmt, SUMMARY_FORMATS, "the summary")
    with output_file(path, project) as target:  # each writer (python-docx, openpyxl) loads here
        if chosen == "md":
            from kvali.export.summary_md import summary_markdown

            target.write_text(summary_markdown(summary), encoding="utf-8")
        elif chosen == "html":
            from kvali.export.summary_html import summary_html

            target.write_text(summary_html(summary), encoding="utf-8")
        elif chosen == "docx":
            from kvali.export.summary_docx import write_docx

            write_docx(summary, target)
        else:
            from kvali.export.summary_xlsx import write_xlsx

            write_xlsx(summary, target)
    return chosen

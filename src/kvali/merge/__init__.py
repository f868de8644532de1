"""Merging: bring analysts' separately coded projects (kvali files or .qdpx) into one."""

from kvali.merge.report import Conflict, MergeReport
from kvali.merge.run import merge_project

__all__ = ["Conflict", "MergeReport", "merge_project"]

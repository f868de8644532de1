"""REFI-QDA project exchange (.qdpx): export a kvali project, import one from another tool."""

from kvali.refiqda.export import export_qdpx
from kvali.refiqda.load import import_qdpx

__all__ = ["export_qdpx", "import_qdpx"]

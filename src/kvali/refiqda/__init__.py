"""REFI-QDA project exchange (.qdpx): export a kvali project (`kvali.refiqda.export`), import one
from another tool (`kvali.refiqda.load`). Nothing is imported here, so exporting never loads the
importer's spaCy pipeline."""

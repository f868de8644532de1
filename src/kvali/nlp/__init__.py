"""Danish NLP: pipeline choice, sentence rules, lemmas, and segmentation with exact offsets.

The names below load their modules on first use, so `from kvali.nlp.lemma_rules import ...`
(lemmas of query words, no spaCy) does not import spaCy through this package.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

_HOMES = {
    "SegmentSpan": "kvali.nlp.segment",
    "TokenSpan": "kvali.nlp.segment",
    "segment_blocks": "kvali.nlp.segment",
    "load_pipeline": "kvali.nlp.pipeline",
    "pipeline_label": "kvali.nlp.pipeline",
    "query_lemmas": "kvali.nlp.lemma_rules",
}

__all__ = ["SegmentSpan", "TokenSpan", "load_pipeline", "pipeline_label", "query_lemmas",
           "segment_blocks"]


def __getattr__(name: str) -> Any:
    """Import the module that holds `name` (spaCy's, for all but query_lemmas)."""
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(import_module(home), name)

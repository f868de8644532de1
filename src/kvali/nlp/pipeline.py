"""The Danish pipeline: da_core_news_sm when installed, else spacy.blank("da") + kvali rules."""

from __future__ import annotations

from functools import lru_cache

import spacy
from spacy.language import Language

import kvali.nlp.lemmas  # noqa: F401  (registers "kvali/lemmatizer")
import kvali.nlp.sentences  # noqa: F401  (registers "kvali/sentences")
from kvali.nlp.lemma_rules import MODEL_NAME

__all__ = ["MODEL_NAME", "load_pipeline", "pipeline_label"]


@lru_cache(maxsize=1)
def load_pipeline() -> Language:
    """The shared, read-only Danish pipeline (loaded once per process)."""
    try:
        return spacy.load(MODEL_NAME, exclude=["ner"])
    except OSError:
        nlp = spacy.blank("da")
        nlp.add_pipe("kvali/sentences")
        nlp.add_pipe("kvali/lemmatizer")
        return nlp


def pipeline_label(nlp: Language) -> str:
    """A short, stable description of the pipeline, stored with every document."""
    meta = nlp.meta
    if meta.get("name") and meta.get("name") != "pipeline":
        return f"{meta['lang']}_{meta['name']}-{meta.get('version', '?')}"
    return f"kvali-rules (spacy {spacy.__version__} blank da)"

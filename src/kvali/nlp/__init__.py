"""Danish NLP: pipeline choice, sentence rules, lemmas, and segmentation with exact offsets."""

from kvali.nlp.lemmas import query_lemmas
from kvali.nlp.pipeline import load_pipeline, pipeline_label
from kvali.nlp.segment import SegmentSpan, TokenSpan, segment_blocks

__all__ = ["SegmentSpan", "TokenSpan", "load_pipeline", "pipeline_label", "query_lemmas",
           "segment_blocks"]

"""The theme's own words in a quote: what shows a reader that the quote is about the theme.

A suggestion (or an accepted one) remembers the words its rule matched (`codings.matched`); a
coding made by hand has none, so its text is matched against the codebook's rules with the
tagger's own matcher (`kvali.tagging.matcher`: lemmas, compounds, phrases, patterns, scopes and
vetoes exactly as `kvali tag` uses them). Only the words inside the shown parts of a quote count,
so a word in the part a long quote leaves out does not.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import TYPE_CHECKING

from kvali.codebook.model import Codebook
from kvali.export.quotes import QuotePart
from kvali.export.records import CodingLike, matched_count

if TYPE_CHECKING:
    from kvali.tagging.matcher import CodebookMatcher

Spans = dict[str, list[tuple[int, int]]]  # code key -> document offsets of matched words


class ThemeWords:
    """Finds a code's (or a theme's) words in quotes; the rules are compiled on first need."""

    def __init__(self, codebook: Codebook) -> None:
        self.codebook = codebook
        self._matcher: CodebookMatcher | None = None
        self._found: dict[tuple[int, int, int], Spans] = {}

    def words(self, record: CodingLike, parts: Sequence[QuotePart],
              codes: Collection[str]) -> tuple[str, ...]:
        """The words of `codes` (a section's code and its sub-codes) in the parts, as written,
        each once whatever its case, in text order."""
        if record.origin == "auto" and record.matched:
            spans = record.matched_spans
        else:
            spans = [span for part in parts
                     for code, found in self._rule_spans(record, part).items()
                     if code in codes for span in found]
        words: dict[str, str] = {}
        for start, end in sorted(set(spans)):
            for part in parts:
                if part.start <= start and end <= part.end:
                    word = part.text[start - part.start:end - part.start]
                    words.setdefault(word.casefold(), word)
        return tuple(words.values())

    @staticmethod
    def most(records: Sequence[CodingLike]) -> int:
        """At most how many distinct words `words` can find for a passage with these codings
        (2 or more when a coding has no matched words to count, so the rules must be run)."""
        total = 0
        for record in records:
            if record.origin != "auto" or not record.matched:
                return 2
            total += matched_count(record.matched)
        return total

    def _rule_spans(self, record: CodingLike, part: QuotePart) -> Spans:
        key = (record.document_id, part.start, part.end)
        if key not in self._found:
            # the tagger and spaCy load here, when a hand-made coding is first looked at
            from kvali.nlp import load_pipeline
            from kvali.tagging.matcher import SegmentContext, matcher_for
            from kvali.tagging.run import form_lemma

            if self._matcher is None:
                self._matcher = matcher_for(self.codebook, form_lemma)
            context = SegmentContext(record.kind, record.question, record.role)
            matches = self._matcher.match(load_pipeline().tokenizer(part.text), context,
                                          part.text)
            self._found[key] = {code: [(part.start + s, part.start + e) for s, e in m.spans]
                                for code, m in matches.items()}
        return self._found[key]

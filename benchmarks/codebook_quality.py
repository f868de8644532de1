"""How well the default codebook's rules find their themes on material they were not written from.

The gold labels (`corpus/gold/themes.csv`) were assigned by reading each informant turn and survey
answer of `corpus/` against the theme descriptions only; the rules in `codebook.yaml` were written
without reading `corpus/` (see `corpus/gold/README.md`). A unit is predicted to carry a theme when
the rules suggest the theme or any of its sub-codes for any sentence of the unit, exactly as
`kvali tag` would (same matcher, scopes, vetoes; interviewer turns are not units).

    python benchmarks/codebook_quality.py
"""

from __future__ import annotations

import csv
from collections import Counter
from pathlib import Path

from kvali.codebook.load import load_codebook
from kvali.ingest.model import ParsedDocument, ReadOptions
from kvali.ingest.registry import expand_paths, read_source
from kvali.nlp import load_pipeline
from kvali.nlp.segment import segment_blocks
from kvali.tagging.matcher import SegmentContext, matcher_for
from kvali.tagging.run import form_lemma

REPO = Path(__file__).resolve().parents[1]
GOLD = REPO / "corpus" / "gold" / "themes.csv"


def units() -> dict[str, tuple[ParsedDocument, int]]:
    """Unit id -> (document, block index), named as in the gold file."""
    found = {}
    for folder, kind in (("interviews", "interview"), ("survey", "surveyxact")):
        for path in expand_paths([REPO / "corpus" / folder]):
            for document in read_source(path, ReadOptions(kind=kind)).documents:
                for index, block in enumerate(document.blocks):
                    if kind == "survey" or document.kind == "survey":
                        found[f"{document.question}#{block.respondent}"] = (document, index)
                        continue
                    speaker = document.speakers.get(block.speaker or "")
                    if speaker is not None and not speaker.is_interviewer:
                        found[f"{path.name}#{index}"] = (document, index)
    return found


def predicted_themes() -> dict[str, set[str]]:
    """Unit id -> the themes the rules suggest somewhere in the unit."""
    codebook = load_codebook(REPO / "codebook.yaml")
    matcher = matcher_for(codebook, form_lemma)
    nlp = load_pipeline()
    predicted = {}
    for unit, (document, index) in units().items():
        block = document.blocks[index]
        speaker = document.speakers.get(block.speaker or "")
        context = SegmentContext(document.kind, document.question,
                                 speaker.role if speaker else None)
        themes = set()
        for segment in segment_blocks(document.text, [block], nlp=nlp):
            text = document.text[segment.start:segment.end]
            for key in matcher.match(nlp.tokenizer(text), context, text):
                themes.add(codebook.path_of(key)[0])
        predicted[unit] = themes
    return predicted


def main() -> None:
    """Print precision, recall and F per theme and overall (micro-averaged over units)."""
    if not GOLD.is_file():
        raise SystemExit(f"{GOLD} is missing")
    with GOLD.open(encoding="utf-8") as handle:
        gold = {row["unit"]: {t for t in row["themes"].split(";") if t}
                for row in csv.DictReader(handle)}
    predicted = predicted_themes()
    missing = set(gold) - set(predicted)
    if missing:
        raise SystemExit(f"{len(missing)} gold units not found in corpus/, e.g. {min(missing)}")
    counts: Counter[tuple[str, str]] = Counter()
    themes = sorted({t for labels in gold.values() for t in labels})
    for unit, labels in gold.items():
        for theme in themes:
            truth, guess = theme in labels, theme in predicted[unit]
            outcome = "tp" if truth and guess else "fn" if truth else "fp" if guess else "tn"
            counts[(theme, outcome)] += 1
    print(f"{len(gold)} units (informant turns and survey answers), {len(themes)} themes")
    print(f"{'theme':<26}{'gold':>6}{'rules':>7}{'precision':>11}{'recall':>8}{'F':>7}")
    totals: Counter[str] = Counter()
    for theme in themes:
        tp, fp, fn = (counts[(theme, k)] for k in ("tp", "fp", "fn"))
        totals.update({"tp": tp, "fp": fp, "fn": fn})
        print(f"{theme:<26}{tp + fn:>6}{tp + fp:>7}" + _prf(tp, fp, fn))
    print(f"{'all themes (micro)':<26}{totals['tp'] + totals['fn']:>6}"
          f"{totals['tp'] + totals['fp']:>7}" + _prf(totals["tp"], totals["fp"], totals["fn"]))


def _prf(tp: int, fp: int, fn: int) -> str:
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return f"{precision:>11.2f}{recall:>8.2f}{f:>7.2f}"


if __name__ == "__main__":
    main()

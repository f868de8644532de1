"""Text from PDFs before and after unwrapping, on the report texts in ../shared/seeds.

Each seed is measured three ways:

- `txt as extracted`: the seed file as it is, read as a `.txt` report;
- `txt hard-wrapped`: the seed wrapped at WIDTH characters the way `pdftotext` writes a PDF's
  lines, with every SPLIT_EVERY-th long word that does not fit broken at the line end without a
  hyphen (a simulation of extractors that drop soft hyphens), in pages of LINES_PER_PAGE lines
  separated by form feeds, each with a running head and a page number;
- `pdf`: a PDF made here from the hard-wrapped lines (Helvetica, LINES_PER_PAGE lines a page, a
  running head and a page number on every page), read by `kvali.ingest.pdf.read_pdf`.

"Before" is the text as kvali stored it without unwrapping (for the PDF: paragraphs joined with
spaces and hyphenation mended, split words left). Figures per variant: (a) line breaks inside a
paragraph that end mid-sentence, (b) detectable split words (adjacent tokens whose join is a known
word and that are not both known), (c) sentences that start with a lower-case letter (a sign of a
break mid-clause); for `.txt` the stored lines that are no line of the seed (over-joining), and
for PDFs how many paragraphs keep a page number and how many running heads are left.

    python benchmarks/pdf_text.py [--seeds ../shared/seeds]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path
from unittest import mock

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from test_documents import pdf_bytes  # noqa: E402  (the tests' minimal PDF writer)

from kvali.ingest.model import Block, ReadOptions
from kvali.ingest.pdf import read_pdf
from kvali.ingest.text import read_text_file
from kvali.ingest.transcript import paragraph_blocks
from kvali.ingest.unwrap import OWN_LINE, is_split_word
from kvali.nlp.pipeline import load_pipeline

DEFAULT_SEEDS = Path(__file__).resolve().parents[2] / "shared" / "seeds"
WIDTH = 80
SPLIT_EVERY = 3
MIN_SPLIT = 10  # letters a word needs before the simulation splits it
LINES_PER_PAGE = 48
TITLE = "Kvali prøverapport"  # the running head of the PDFs made here
SENTENCE_END = tuple(".!?:;\"”»)")


def wrap(text: str) -> str:
    """The text hard-wrapped at WIDTH, some long words split at a line end (see above)."""
    out, long_words = [], 0
    for line in text.split("\n"):
        current = ""
        for word in line.split():
            if not current or len(current) + 1 + len(word) <= WIDTH:
                current = f"{current} {word}" if current else word
                continue
            if len(word) >= MIN_SPLIT and word.isalpha() and word.islower():
                long_words += 1
                room = WIDTH - len(current) - 1
                if long_words % SPLIT_EVERY == 0 and 3 <= room <= len(word) - 3:
                    out.append(f"{current} {word[:room]}")
                    current = word[room:]
                    continue
            out.append(current)
            current = word
        out.append(current)
    return "\n".join(out)


def paged(text: str) -> str:
    """Hard-wrapped text in pages as `pdftotext` writes them: form feeds, heads, numbers."""
    lines = text.split("\n")
    return "\f".join(f"{TITLE}\n\n" + "\n".join(lines[i:i + LINES_PER_PAGE])
                     + f"\n\n{i // LINES_PER_PAGE + 1}\n"
                     for i in range(0, len(lines), LINES_PER_PAGE))


def pdf_from_lines(lines: list[str], title: str) -> bytes:
    """A PDF of the lines: a blank line is a paragraph gap; a running head and page number."""
    pages = []
    for number, start in enumerate(range(0, len(lines), LINES_PER_PAGE), 1):
        shown = [(72, 805, 9, title), (290, 30, 9, str(number))]
        y = 770
        for line in lines[start:start + LINES_PER_PAGE]:
            if line.strip():
                shown.append((72, y, 11, line))
            y -= 14 if line.strip() else 10
        pages.append(shown)
    return pdf_bytes(pages)


def figures(text: str, blocks: list[Block]) -> dict[str, int]:
    """The figures (a)-(c) for one stored text and its blocks."""
    nlp = load_pipeline()
    mid_sentence = split_words = lower_starts = sentences = 0
    for block in blocks:
        span = text[block.start:block.end]
        lines = span.split("\n")
        mid_sentence += sum(not a.rstrip().endswith(SENTENCE_END) and not OWN_LINE.match(b)
                            for a, b in zip(lines, lines[1:], strict=False))
        tokens = span.split()
        split_words += sum(is_split_word(a, b) for a, b in zip(tokens, tokens[1:], strict=False))
        for sentence in nlp(span).sents:
            sentences += 1
            lower_starts += sentence.text[:1].islower()
    return {"paragraphs": len(blocks), "sentences": sentences, "mid-sentence breaks": mid_sentence,
            "split words": split_words, "lower-case starts": lower_starts}


def over_joined(seed: str, stored: str) -> int:
    """Stored lines that are no line of the seed (spaces folded): seed lines joined by mistake,
    or a seed line wrongly joined with its own wrap continuation."""
    lines = {" ".join(line.split()) for line in seed.split("\n")}
    return sum(" ".join(line.split()) not in lines for line in stored.split("\n") if line.strip())


def measure(seed: Path, folder: Path) -> list[tuple[str, dict[str, int], dict[str, int]]]:
    """(variant, before, after) for one seed."""
    text = seed.read_text(encoding="utf-8")
    rows = []
    for variant, body in (("txt as extracted", text), ("txt hard-wrapped", paged(wrap(text)))):
        path = folder / f"{seed.stem}.txt"
        path.write_text(body, encoding="utf-8")
        with mock.patch("kvali.ingest.text._report_body",
                        side_effect=lambda decoded, text, start: text[start:]):
            old = read_text_file(path, ReadOptions(kind="report")).documents[0]
        new = read_text_file(path, ReadOptions(kind="report")).documents[0]
        before = figures(old.text, paragraph_blocks(old.text)) | {
            "running heads left": old.text.count(TITLE)}
        after = figures(new.text, new.blocks) | {
            "running heads left": new.text.count(TITLE),
            "seed lines run together": over_joined(text, new.text)}
        rows.append((variant, before, after))
    path = folder / f"{seed.stem}.pdf"
    path.write_bytes(pdf_from_lines(wrap(text).split("\n"), TITLE))
    with mock.patch("kvali.ingest.unwrap.is_split_word", return_value=False):
        old = read_pdf(path, ReadOptions()).documents[0]
    new = read_pdf(path, ReadOptions()).documents[0]
    with_page = sum(block.page is not None for block in new.blocks)
    after = figures(new.text, new.blocks) | {"running heads left": new.text.count(TITLE),
                                             "paragraphs with a page": with_page}
    rows.append(("pdf", figures(old.text, old.blocks), after))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=Path, default=DEFAULT_SEEDS)
    seeds = sorted(parser.parse_args().seeds.glob("*.txt"))
    if not seeds:
        print(f"no seed texts in {parser.parse_args().seeds}; skipped")
        return
    with tempfile.TemporaryDirectory() as folder:
        for seed in seeds:
            for variant, before, after in measure(seed, Path(folder)):
                print(f"{seed.name}  {variant}")
                for key, value in after.items():
                    print(f"    {key:24} {before.get(key, '-')!s:>6} -> {value}")


if __name__ == "__main__":
    main()

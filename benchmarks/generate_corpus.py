"""Generate a large synthetic corpus (interviews + a survey table) from the demo corpus.

Sentences of the demo corpus are recombined at random (fixed seed) into interview transcripts with
informants from all 98 municipalities and a survey table with one row per respondent. Used by the
ingest, tagging, search, UI and export benchmarks.

    python benchmarks/generate_corpus.py --words 1000000 --out benchmarks/out/corpus-1m
"""

from __future__ import annotations

import argparse
import csv
import random
import re
from pathlib import Path

from kvali.ingest.model import ReadOptions
from kvali.ingest.registry import expand_paths, read_source
from kvali.municipalities import MUNICIPALITIES

REPO = Path(__file__).resolve().parents[1]
OUT = REPO / "benchmarks" / "out"
ROLES = ("Socialchef", "Myndighedsleder", "Udviklingskonsulent", "Tilbudsleder",
         "Funktionsleder i socialpsykiatri", "Sagsbehandler", "Familiechef")
SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-ZÆØÅ])")


def demo_texts() -> tuple[list[str], list[str]]:
    """Sentences of interview turns and whole survey answers from corpus/."""
    turns: list[str] = []
    answers: list[str] = []
    for path in expand_paths([REPO / "corpus" / "interviews", REPO / "corpus" / "survey"]):
        for document in read_source(path, ReadOptions()).documents:
            for block in document.blocks:
                text = document.text[block.start:block.end].strip()
                if document.kind == "survey":
                    answers.append(text)
                elif block.speaker and text:
                    turns.extend(s for s in SENTENCE_END.split(text) if len(s.split()) > 2)
    if not turns or not answers:
        raise SystemExit("corpus/ has no interviews or survey answers to build from")
    return turns, answers


def write_interviews(out: Path, sentences: list[str], words: int, rng: random.Random) -> int:
    """Write transcripts of about 5,000 words each; returns the words written."""
    written, number = 0, 0
    while written < words:
        number += 1
        informants = rng.sample(MUNICIPALITIES, 4)
        lines = ["---", f"title: Genereret interview {number}", "kind: interview", "speakers:",
                 "  I: {role: Interviewer, interviewer: true}"]
        for i, municipality in enumerate(informants, start=1):
            lines.append(f"  IP{i}: {{role: {rng.choice(ROLES)}, kommune: {municipality.name}}}")
        lines.append("---")
        body_words = 0
        while body_words < 5000 and written + body_words < words:
            label = rng.choice(["I"] + [f"IP{i}" for i in range(1, 5)] * 3)
            turn = " ".join(rng.choice(sentences) for _ in range(rng.randint(1, 8)))
            lines.append(f"{label}: {turn}")
            body_words += len(turn.split())
        (out / f"interview_{number:04d}.md").write_text("\n".join(lines) + "\n", "utf-8")
        written += body_words
    return written


def write_survey(out: Path, answers: list[str], words: int, rng: random.Random) -> int:
    """Write a survey table (Kommune, Rolle, three open questions); returns the words written."""
    questions = ("Uddyb udfordringerne med civilsamfundet", "Hvordan inddrager I netværket",
                 "Bemærkninger")
    written, row = 0, 0
    with (out / "survey.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, delimiter=";")
        writer.writerow(["Respondent", "Kommune", "Rolle", *questions])
        while written < words:
            row += 1
            texts = [" ".join(rng.choice(answers) for _ in range(rng.randint(1, 3)))
                     if rng.random() < 0.8 else "" for _ in questions]
            municipality = MUNICIPALITIES[row % len(MUNICIPALITIES)]
            writer.writerow([f"R{row}", municipality.name, rng.choice(ROLES), *texts])
            written += sum(len(t.split()) for t in texts)
    return written


def size_label(words: int) -> str:
    """The name of a corpus or project of `words` words: 1m for 1,000,000, 200k for 200,000."""
    return f"{words // 1_000_000}m" if words % 1_000_000 == 0 else f"{words // 1000}k"


def corpus_folder(words: int) -> Path:
    """benchmarks/out/corpus-LABEL, generated on first use (the same seed gives the same text)."""
    folder = OUT / f"corpus-{size_label(words)}"
    if not folder.exists():
        generate(folder, words)
    return folder


def generate(out: Path, words: int, seed: int = 7) -> dict[str, int]:
    """Generate about `words` words, half interviews and half survey answers, into `out`."""
    rng = random.Random(seed)
    out.mkdir(parents=True, exist_ok=True)
    sentences, answers = demo_texts()
    interview_words = write_interviews(out, sentences, words // 2, rng)
    survey_words = write_survey(out, answers, words - interview_words, rng)
    return {"interview_words": interview_words, "survey_words": survey_words}


def main() -> None:
    """Command line: --words N --out DIR."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--words", type=int, default=1_000_000)
    parser.add_argument("--out", type=Path, default=OUT / "corpus-1m")
    args = parser.parse_args()
    counts = generate(args.out, args.words)
    print(f"wrote {counts['interview_words']:,} interview words and "
          f"{counts['survey_words']:,} survey words to {args.out}")


if __name__ == "__main__":
    main()

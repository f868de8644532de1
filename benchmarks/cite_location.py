"""How long `kvali cite` takes to find a quote in its imported file.

Prints the time of the two text maps on a large transcript (CRLF line ends, decomposed
letters) and of a whole `check_citation` on an imported interview and a hard-wrapped report.

    .venv/bin/python benchmarks/cite_location.py [--kib 1024]
"""

from __future__ import annotations

import argparse
import tempfile
import time
import unicodedata
from pathlib import Path

from kvali.export.citation_check import check_citation
from kvali.export.text_map import find_by_letters, normalise_mapped
from kvali.importer import import_paths
from kvali.ingest.model import ReadOptions
from kvali.store import open_db

TURN = ("IP{n}: På Ærø og i Sønderborg holder vi netværksmøder med de pårørende, før vi "
        "beslutter en indsats, og det har ændret vores praksis i børne- og ungeområdet.\n")
WRAPPED = ("Kommunerne beskriver et tæt samarbejde med de frivillige foreninger, og flere af dem\n"
           "peger på, at netværket omkring borgeren er afgørende, når en indsats skal lykkes\n"
           "over tid og på tværs af forvaltningerne i kommunen.\n\n")


def timed(label: str, action) -> object:
    began = time.perf_counter()
    result = action()
    print(f"{label}: {time.perf_counter() - began:.3f} s")
    return result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--kib", type=int, default=1024, help="size of the large text")
    size = parser.parse_args().kib * 1024
    turns = "".join(TURN.format(n=1 + i % 4) for i in range(size // len(TURN) + 1))
    raw = unicodedata.normalize("NFD", turns).replace("\n", "\r\n")
    print(f"text: {len(raw)} characters")
    text, _ = timed("normalise_mapped", lambda: normalise_mapped(raw))
    start = len(text) * 3 // 4
    timed("find_by_letters (a quote 3/4 in)",
          lambda: find_by_letters(text, start, start + 120, text.replace("\n", " ")))
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        (root / "interview.txt").write_bytes(raw[:200_000].encode("utf-8"))
        (root / "rapport.txt").write_text(WRAPPED * 400, encoding="utf-8")
        db = open_db(root / "p.db")
        timed("import (200 KB interview, report)", lambda: import_paths(
            db, [root / "interview.txt"], ReadOptions(kind="interview")).files + import_paths(
            db, [root / "rapport.txt"], ReadOptions(kind="report")).files)
        for document_id, kind, length in db.execute(
                "SELECT id, kind, length(text) FROM documents ORDER BY id").fetchall():
            at = length * 3 // 4
            found = timed(f"check_citation ({kind}, {length} characters)",
                          lambda d=document_id, a=at: check_citation(db, f"doc:{d}:{a}-{a + 60}"))
            print(f"  {found.source.text()}")


if __name__ == "__main__":
    main()

"""How often a theme summary's quotes are about their theme, judged by the demo corpus's gold
labels: the quote choice before issue 15 and now, in one run on the same codings.

The demo project is built as `kvali demo` builds it (corpus/ imported, codebook.yaml loaded, auto
coded) and summarised with `--status suggested` (the demo has no human codings). A quote is *on
theme* when the gold unit it lies in (an informant turn or a survey answer,
`corpus/gold/themes.csv`) carries the top theme of the quoted code. A quote from an interviewer
turn counts as off theme (interviewer turns are no gold units: they are questions); a quote
from the report has no gold label and is only counted.

Three choices over the same suggestions, three quotes per code:

- *before*: the quote choice of commit fc10a0c (`git show fc10a0c:src/kvali/export/quotes.py`,
  loaded as it was), over each code's own codings only, as that summary did;
- *before, rolled up*: the same old choice over the code's and its sub-codes' codings, to show
  what the roll-up alone changes;
- *now*: `build_summary` as it is.

"municipalities" is the spread: distinct municipalities among a code's quotes per quote, on
average over the codes with two quotes or more (1.00: no municipality quoted twice for a code;
report quotes have none). "talk" counts the quotes that are presentations or meta-talk by the
rules of `kvali.export.quote_rules`.

    python benchmarks/quote_choice.py
"""

from __future__ import annotations

import csv
import importlib.util
import subprocess
import sys
import tempfile
from collections import Counter
from collections.abc import Iterable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from codebook_quality import GOLD, units  # noqa: E402

from kvali.codebook.model import subtrees  # noqa: E402
from kvali.codebook.sync import stored_codebook  # noqa: E402
from kvali.demo import build_demo  # noqa: E402
from kvali.export.quote_rules import talk_kind  # noqa: E402
from kvali.export.records import CodingRecord, coding_records  # noqa: E402
from kvali.export.summary import build_summary  # noqa: E402
from kvali.selection import Selection, shown_codes  # noqa: E402
from kvali.store import open_db  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
BEFORE = "fc10a0c"
SUGGESTED = Selection(status=("suggested",))
QUOTES = 3


def old_quotes_module():
    """The quotes module as it was at BEFORE, loaded under another name."""
    source = subprocess.run(["git", "show", f"{BEFORE}:src/kvali/export/quotes.py"], cwd=REPO,
                            capture_output=True, text=True, check=True).stdout
    spec = importlib.util.spec_from_loader("quotes_before", loader=None)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    exec(compile(source, f"{BEFORE}:quotes.py", "exec"), module.__dict__)
    return module


def gold_labels() -> dict[str, set[str]]:
    """Unit id -> its gold themes."""
    with GOLD.open(encoding="utf-8") as handle:
        return {row["unit"]: {t for t in row["themes"].split(";") if t}
                for row in csv.DictReader(handle)}


class GoldIndex:
    """Finds the gold unit of a quoted span in the project."""

    def __init__(self, db) -> None:
        by_text: dict[str, list[tuple[int, int, str]]] = {}
        for unit, (document, index) in units().items():
            block = document.blocks[index]
            by_text.setdefault(document.text, []).append((block.start, block.end, unit))
        self.texts = dict(db.execute("SELECT id, text FROM documents").fetchall())
        self.blocks = {document_id: by_text.get(text, [])
                       for document_id, text in self.texts.items()}

    def unit(self, record: CodingRecord) -> str | None:
        """The unit holding the record's start, or None."""
        return next((unit for start, end, unit in self.blocks.get(record.document_id, ())
                     if start <= record.start < end), None)


def spread(chosen: Iterable[tuple[str, CodingRecord]]) -> float:
    """Distinct municipalities per code, on average over the codes with two quotes or more."""
    places: dict[str, list[str | None]] = {}
    for code, record in chosen:
        places.setdefault(code, []).append(record.kommune)
    shares = [len(set(p) - {None}) / len(p) for p in places.values() if len(p) > 1]
    return sum(shares) / len(shares) if shares else 0.0


def score(chosen: Iterable[tuple[str, CodingRecord]], theme_of, index: GoldIndex,
          gold: dict[str, set[str]]) -> Counter[str]:
    """Counts of quotes: on theme, off theme, interviewer, without gold (report), and the
    presentations and meta-talk among them."""
    counts: Counter[str] = Counter()
    for code, record in chosen:
        counts["quotes"] += 1
        counts["talk"] += talk_kind(index.texts[record.document_id][record.start:record.end]) \
            is not None
        if record.is_interviewer:
            counts["interviewer"] += 1
            continue
        unit = index.unit(record)
        if unit is None:
            counts["no gold"] += 1
        elif theme_of(code) in gold.get(unit, set()):
            counts["on theme"] += 1
        else:
            counts["off theme"] += 1
    return counts


def main() -> None:
    """Build the demo in a temporary folder and print the three figures."""
    gold = gold_labels()
    old = old_quotes_module()
    with tempfile.TemporaryDirectory(prefix="kvali-quotes-") as folder:
        path = Path(folder) / "demo.db"
        build_demo(path, echo=print)
        db = open_db(path, create=False)
        codebook = stored_codebook(db)
        index = GoldIndex(db)
        records = coding_records(db, SUGGESTED)
        tree = subtrees((code.key, code.parent_key) for code in codebook.codes)
        codes = [code.key for code in shown_codes(db, SUGGESTED, codebook.codes)]

        def theme_of(key: str) -> str:
            return codebook.path_of(key)[0]

        def old_choice(rolled_up: bool) -> list[tuple[str, CodingRecord]]:
            chosen = []
            for key in codes:
                keys = set(tree[key]) if rolled_up else {key}
                own = [r for r in records if r.code in keys]
                chosen += [(key, r) for r in old.select_quotes(own, QUOTES)]
            return chosen

        summary = build_summary(db, SUGGESTED, quotes_per_code=QUOTES)
        now = [(s.key, q.record) for s in summary.sections for q in s.quotes]
        rows = [("before (fc10a0c)", old_choice(False)),
                ("before, rolled up", old_choice(True)), ("now", now)]
        print(f"{len(codes)} codes, {len(records)} suggestions, {QUOTES} quotes per code; "
              f"gold: {len(gold)} units")
        print(f"{'choice':<20}{'quotes':>7}{'on theme':>10}{'off':>6}{'interv.':>9}"
              f"{'no gold':>9}{'share on theme':>16}{'municipalities':>16}{'talk':>6}")
        for label, chosen in rows:
            c = score(chosen, theme_of, index, gold)
            judged = c["quotes"] - c["no gold"]
            share = c["on theme"] / judged if judged else 0.0
            print(f"{label:<20}{c['quotes']:>7}{c['on theme']:>10}{c['off theme']:>6}"
                  f"{c['interviewer']:>9}{c['no gold']:>9}{share:>16.1%}"
                  f"{spread(chosen):>16.2f}{c['talk']:>6}")
        db.close()


if __name__ == "__main__":
    main()

"""Render the demo theme report as page images for the README.

Builds the demo project (corpus/ + codebook.yaml, as `kvali demo` does), accepts its
suggestions as a reviewer would before reporting, writes a memo on a few themes, exports the
theme summary as DOCX, converts it to PDF with LibreOffice (updating the contents first, see
`lo_pdf.py`) and writes two pages with poppler's pdftoppm: the cover beside the contents, and
the first theme page that holds a coverage table and quotes.

    python benchmarks/render_report.py [--out docs/screenshots] [--keep FOLDER]

Installs the Debian packages it needs when they are missing (libreoffice-writer-nogui,
python3-uno, poppler-utils; needs root). Not part of the test run.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from kvali.coding.store import decide, save_memo
from kvali.demo import build_demo
from kvali.export.formats import write_summary
from kvali.export.summary import build_summary
from kvali.store import open_db

REPO = Path(__file__).resolve().parents[1]
HERE = Path(__file__).resolve().parent
PACKAGES = ("libreoffice-writer-nogui", "python3-uno", "poppler-utils")
SYSTEM_PYTHON = "/usr/bin/python3"
RESOLUTION = 60  # dpi of the page images
TITLE = "Kommunernes erfaringer på det specialiserede socialområde"
REVIEWER = "analytiker"
# Findings for the demo, written for it from the demo interviews (one analyst's reading).
MEMOS = {
    "naere_netvaerk": (
        "Kommunerne beskriver det nære netværk som en ressource, der især inddrages "
        "systematisk på børne- og familieområdet, hvor netværket skal afdækkes før en "
        "anbringelse. På voksenområdet er netværket ofte lille eller en del af problemet.\n\n"
        "Flere peger på, at viden om netværket går tabt i overgangen fra barn til voksen, og at "
        "tavshedspligten opleves som en barriere i samarbejdet med de pårørende."),
    "sundhed": (
        "Samarbejdet med den praktiserende læge og psykiatrien fylder mest, når kommunerne "
        "taler om borgernes sundhed. Medarbejderne oplever, at somatiske problemer opdages sent "
        "hos borgere med psykiske vanskeligheder og misbrug."),
    "civilsamfund": (
        "Frivillige og foreninger ses som et supplement, der kan give borgeren fællesskaber, "
        "men ikke erstatte et netværk, der er der hele livet. Samarbejdet bæres ofte af enkelte "
        "ildsjæle og aftaler, der skal fornys."),
    "data_opfoelgning": (
        "Kommunerne registrerer meget, men bruger sjældent data til at følge den enkelte "
        "borgers udvikling. Dokumentationskravene opleves som en byrde, og effekten af "
        "indsatserne er svær at påvise; enkelte kommuner følger fast op med målinger."),
}


def ensure_tools() -> None:
    """Install LibreOffice (with its Python bridge) and poppler with apt-get when missing."""
    missing = [name for name, present in (
        ("libreoffice-writer-nogui", shutil.which("soffice")),
        ("python3-uno", _has_uno()),
        ("poppler-utils", shutil.which("pdftoppm") and shutil.which("pdftotext"))) if not present]
    if not missing:
        return
    print(f"installing {', '.join(missing)} with apt-get …", flush=True)
    environment = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    for command in (["apt-get", "update", "-qq"],
                    ["apt-get", "install", "-y", "-qq", "--no-install-recommends", *missing]):
        if subprocess.run(command, env=environment, check=False).returncode:
            raise SystemExit(f"'{' '.join(command)}' failed; install {', '.join(PACKAGES)}")


def _has_uno() -> bool:
    return Path(SYSTEM_PYTHON).exists() and subprocess.run(
        [SYSTEM_PYTHON, "-c", "import uno"], capture_output=True, check=False).returncode == 0


def demo_report(folder: Path) -> Path:
    """Build the reviewed demo project and write its theme report; returns the DOCX."""
    project = folder / "demo.db"
    build_demo(project, echo=print)
    db = open_db(project, create=False)
    try:
        suggested = [row[0] for row in db.execute(
            "SELECT id FROM codings WHERE status = 'suggested' ORDER BY id")]
        decide(db, suggested, "accepted", REVIEWER)
        for code, memo in MEMOS.items():
            save_memo(db, "code", code, memo, REVIEWER)
        summary = build_summary(db, title=TITLE)
        target = folder / "temarapport.docx"
        write_summary(summary, target, project=db)
    finally:
        db.close()
    print(f"{target.name}: {len(summary.sections)} codes, "
          f"{sum(len(s.quotes) for s in summary.sections)} quotes "
          f"({len(suggested)} suggestions accepted)")
    return target


def page_texts(pdf: Path) -> list[str]:
    """The text of each page (pdftotext)."""
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True,
                          text=True, check=True).stdout
    return text.split("\f")


def theme_page(pages: list[str]) -> int:
    """The theme page (1-based) with a coverage table and the most quotes (the first of
    those); the survey's tables count answers, not codings, and are passed over."""
    words = [" ".join(text.split()) for text in pages]
    quoted = [(text.count("»"), -number) for number, text in enumerate(words, start=1)
              if "Kommuner med kodninger" in text and "— " in text]
    if not quoted:
        raise SystemExit("no page holds both a coverage table and a quote")
    return -max(quoted)[1]


def render(pdf: Path, page: int, folder: Path) -> Path:
    """One page as PNG at RESOLUTION dpi."""
    stem = folder / f"page-{page}"
    subprocess.run(["pdftoppm", "-png", "-r", str(RESOLUTION), "-f", str(page), "-l", str(page),
                    "-singlefile", str(pdf), str(stem)], check=True)
    return stem.with_suffix(".png")


def side_by_side(first: Path, second: Path, target: Path) -> None:
    """Two pages next to each other, on grey, each with a thin frame."""
    from PIL import Image, ImageOps

    left, right = (ImageOps.expand(Image.open(p).convert("RGB"), 1, "#b0b0b0")
                   for p in (first, second))
    gap = 16
    sheet = Image.new("RGB", (left.width + right.width + 3 * gap,
                              max(left.height, right.height) + 2 * gap), "#e6e6e6")
    sheet.paste(left, (gap, gap))
    sheet.paste(right, (2 * gap + left.width, gap))
    sheet.save(target, optimize=True)


def framed(page: Path, target: Path) -> None:
    """One page on grey with a thin frame."""
    from PIL import Image, ImageOps

    image = ImageOps.expand(Image.open(page).convert("RGB"), 1, "#b0b0b0")
    ImageOps.expand(image, 16, "#e6e6e6").save(target, optimize=True)


def main() -> None:
    """Command line: --out FOLDER for the images, --keep FOLDER to keep the DOCX and PDF."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=REPO / "docs" / "screenshots")
    parser.add_argument("--keep", type=Path, help="Copy the DOCX and PDF into this folder.")
    args = parser.parse_args()
    ensure_tools()
    with tempfile.TemporaryDirectory(prefix="kvali-report-") as temporary:
        folder = Path(temporary)
        started = time.perf_counter()
        docx = demo_report(folder)
        pdf = docx.with_suffix(".pdf")
        subprocess.run([SYSTEM_PYTHON, str(HERE / "lo_pdf.py"), str(docx), str(pdf)],
                       check=True)
        pages = page_texts(pdf)
        theme = theme_page(pages)
        args.out.mkdir(parents=True, exist_ok=True)
        cover = args.out / "rapport-forside.png"
        side_by_side(render(pdf, 1, folder), render(pdf, 2, folder), cover)
        page = args.out / "rapport-tema.png"
        framed(render(pdf, theme, folder), page)
        if args.keep:
            args.keep.mkdir(parents=True, exist_ok=True)
            for path in (docx, pdf):
                shutil.copy(path, args.keep / path.name)
        print(f"{pdf.name}: {len([p for p in pages if p.strip()])} pages; wrote {cover} "
              f"(pages 1-2) and {page} (page {theme}) in "
              f"{time.perf_counter() - started:.1f} s", file=sys.stdout)


if __name__ == "__main__":
    main()

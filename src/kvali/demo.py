"""Build the demo project from corpus/ and codebook.yaml."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from kvali.codebook.load import load_codebook
from kvali.codebook.sync import sync_codebook
from kvali.errors import KvaliError, ProjectError
from kvali.importer import import_paths
from kvali.ingest.model import ReadOptions
from kvali.store import open_db
from kvali.store.stats import project_status
from kvali.tagging.run import tag_project

REPO_ROOT = Path(__file__).resolve().parents[2]
CORPUS = REPO_ROOT / "corpus"
CODEBOOK = REPO_ROOT / "codebook.yaml"
DEMO_PARTS = (("interviews", "interview"), ("survey", "surveyxact"), ("reports", "report"))


def _is_demo_project(path: Path) -> bool:
    """True when every import in the project came from the demo corpus."""
    db = open_db(path, create=False)
    try:
        paths = [row[0] for row in db.execute("SELECT path FROM imports")]
        manual = db.execute("SELECT count(*) FROM codings WHERE origin = 'manual'").fetchone()[0]
    finally:
        db.close()
    return manual == 0 and all(Path(p).resolve().is_relative_to(CORPUS) for p in paths)


def build_demo(path: Path, *, echo: Callable[[str], None]) -> None:
    """(Re)build the demo project at `path`; refuses to overwrite a project with real work."""
    if not CORPUS.is_dir():
        raise KvaliError(f"demo corpus not found at {CORPUS}; run kvali from a source checkout")
    if path.exists():
        if not _is_demo_project(path):
            raise ProjectError(f"{path} holds work that is not the demo; choose another --db")
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
    db = open_db(path)
    try:
        for folder, kind in DEMO_PARTS:
            report = import_paths(db, [CORPUS / folder], ReadOptions(kind=kind))
            for outcome in report.failed:
                raise KvaliError(f"demo corpus did not import: {outcome.error}")
        sync_codebook(db, load_codebook(CODEBOOK))
        tagged = tag_project(db)
        status = project_status(db)
    finally:
        db.close()
    echo(f"Built demo project {path}: {status['documents']} documents, {status['segments']} "
         f"segments, {status['responses']} survey responses from {status['municipalities']} "
         f"municipalities; {sum(tagged.added.values())} suggested codings")

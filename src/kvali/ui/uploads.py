"""Uploaded files on disk for the importer: a temporary staging folder for one run of the page,
removed however the run ends (the uploads hold personal data such as CPR numbers).

Files keep their own names (sidecar .yaml files must sit beside the file they describe);
SurveyXact CSV parts go together into one folder so they import as one export.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

from kvali.errors import UsageError

SURVEYXACT_PARTS = ("dataset.csv", "structure.csv", "labels.csv")
SIDECAR_SUFFIXES = (".yaml", ".yml")


def safe_name(name: str, index: int) -> str:
    """The file name without any folder part the browser sent."""
    base = Path(name.replace("\\", "/")).name.strip()
    return base if base and base not in (".", "..") and not base.startswith(".") \
        else f"fil_{index}"


@contextmanager
def upload_folder(needed: bool) -> Iterator[Path | None]:
    """A fresh `kvali-upload-*` folder for the block, removed when it ends, however it ends;
    None, and no folder at all, when there is nothing to stage."""
    if not needed:
        yield None
        return
    folder = Path(tempfile.mkdtemp(prefix="kvali-upload-"))
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def stage_uploads(files: Iterable[tuple[str, bytes]], folder: Path) -> list[Path]:
    """Write the uploads into `folder`; returns the files and SurveyXact folders to import."""
    plain = folder / "filer"
    survey = folder / "surveyxact"
    plain.mkdir(parents=True, exist_ok=True)
    names = {p.name for p in plain.iterdir()}
    targets: list[Path] = []
    saw_survey = False
    for index, (name, data) in enumerate(files):
        name = safe_name(name, index)
        if name.casefold() in SURVEYXACT_PARTS:
            survey.mkdir(exist_ok=True)
            (survey / name.casefold()).write_bytes(data)
            saw_survey = True
            continue
        target = plain / name
        if name in names and target.read_bytes() != data:
            target = plain / f"{index}_{name}"
        target.write_bytes(data)
        names.add(target.name)
        if target.suffix.lower() not in SIDECAR_SUFFIXES:
            targets.append(target)
    if saw_survey:
        if not {"dataset.csv", "structure.csv"} <= {p.name for p in survey.iterdir()}:
            raise UsageError("En SurveyXact-eksport kræver både dataset.csv og structure.csv "
                             "(og gerne labels.csv).")
        targets.append(survey)
    return sorted(dict.fromkeys(targets))


def parse_attributes(text: str) -> dict[str, str]:
    """Lines of KEY=VALUE as attributes for every imported document."""
    attributes: dict[str, str] = {}
    for line in text.splitlines():
        if not line.strip():
            continue
        key, sep, value = line.partition("=")
        if not sep or not key.strip():
            raise UsageError(f"Egenskaben »{line.strip()}« skal skrives som NØGLE=værdi.")
        attributes[key.strip()] = value.strip()
    return attributes

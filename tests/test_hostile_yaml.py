"""Hostile YAML: alias bombs, deep nesting, self-containing aliases and oversized files in front
matter, sidecars and codebook.yaml are refused in one line before anything is built.

The commands run in a child process with an address-space limit and a timeout, so a
regression fails the test instead of taking the machine down.
"""

from __future__ import annotations

import resource
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from kvali.codebook.edit import CodebookFile
from kvali.codebook.load import load_codebook, parse_codebook
from kvali.errors import CodebookError, InputError
from kvali.ingest.frontmatter import parse_metadata
from kvali.safe_yaml import MAX_DEPTH, load_yaml

KVALI = Path(sys.executable).with_name("kvali")
MEMORY_LIMIT = 3 * 1024**3  # address space; kvali with spaCy loaded needs well under this
CODEBOOK = Path(__file__).resolve().parents[1] / "codebook.yaml"


def _bomb(levels: int = 9) -> str:
    """Nine levels of ten aliases each: 10**9 values once expanded."""
    lines = ["a0: &a0 [" + ", ".join(["lol"] * 10) + "]"]
    lines += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]" for i in range(1, levels)]
    return "\n".join(lines) + "\n"


def _inline_bomb() -> str:
    """The same bomb as one flow sequence, for a single metadata value."""
    items = ["&a0 [" + ", ".join(["lol"] * 10) + "]"]
    items += [f"&a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]" for i in range(1, 9)]
    return "[" + ", ".join(items) + "]"


BOMB_CODEBOOK = "name: x\n" + _bomb() + "codes:\n  - key: a\n    name: A\n"
DEEP = "[" * 10_000 + "]" * 10_000
SELF_CONTAINING = "codes: &c\n  - key: a\n    name: A\n    children: *c\n"


def _limit_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))


def _kvali(*args: str | Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(KVALI), *map(str, args)], cwd=cwd, capture_output=True,
                          text=True, timeout=60, preexec_fn=_limit_memory)


def _refused(result: subprocess.CompletedProcess[str], name: str, *words: str) -> str:
    """The one error line of a refused command."""
    lines = result.stderr.strip().splitlines()
    assert result.returncode != 0, result.stdout
    assert len(lines) == 1, result.stderr[-2000:]
    assert name in lines[0] and all(word in lines[0] for word in words), lines[0]
    return lines[0]


def _count(db: Path, table: str) -> int:
    if not db.exists():
        return 0
    with sqlite3.connect(db) as connection:
        return connection.execute(f"SELECT count(*) FROM {table}").fetchone()[0]


@pytest.mark.parametrize("command", ["check", "load"])
@pytest.mark.parametrize(("text", "words"), [
    (BOMB_CODEBOOK, ("bomb.yaml:6:", "aliases", "100,000")),
    ("codes: " + DEEP + "\n", ("bomb.yaml:1:", "nested", f"{MAX_DEPTH} levels")),
    (SELF_CONTAINING, ("bomb.yaml:4:", "alias *c")),
], ids=["aliases", "nesting", "self-containing"])
def test_codebook_commands_refuse_hostile_yaml_in_one_line(tmp_path, command, text, words):
    (tmp_path / "bomb.yaml").write_text(text, encoding="utf-8")
    extra = ["--db", "p.kvali"] if command == "load" else []
    started = time.monotonic()
    result = _kvali("codebook", command, "bomb.yaml", *extra, cwd=tmp_path)
    assert time.monotonic() - started < 30
    _refused(result, "bomb.yaml", *words)
    assert _count(tmp_path / "p.kvali", "codes") == 0


@pytest.mark.parametrize(("front", "sidecar", "words"), [
    (f"kommune: {_inline_bomb()}\n", None, ("front.txt: line 1:", "aliases")),
    (None, f"speakers:\n  I: {{role: {_inline_bomb()}}}\n", ("front.yaml: line 2:", "aliases")),
    (None, f"title: x\nspeakers: {DEEP}\n", ("front.yaml: line 2:", "nested")),
    (f"speakers: {DEEP}\n", None, ("front.txt: line 1:", "nested")),
], ids=["front-matter-aliases", "sidecar-aliases", "sidecar-nesting", "front-matter-nesting"])
def test_import_refuses_hostile_metadata_and_imports_nothing(tmp_path, front, sidecar, words):
    body = "I: Hej\n\nIP1: Hej selv\n"
    (tmp_path / "front.txt").write_text(f"---\n{front}---\n{body}" if front else body,
                                        encoding="utf-8")
    if sidecar:
        (tmp_path / "front.yaml").write_text(sidecar, encoding="utf-8")
    result = _kvali("import", "front.txt", "--db", "p.kvali", cwd=tmp_path)
    _refused(result, "front", *words)
    assert _count(tmp_path / "p.kvali", "documents") == 0


def test_normal_files_are_unaffected_under_the_same_limits(tmp_path):
    result = _kvali("codebook", "check", CODEBOOK, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    (tmp_path / "ok.txt").write_text(
        "---\ntitle: Interview\nkommune: Aarhus\nspeakers:\n  I: &chef {role: Socialchef}\n"
        "  IP1: *chef\n---\nI: Hvordan går det?\n\nIP1: Godt, tak.\n", encoding="utf-8")
    result = _kvali("import", "ok.txt", "--db", "p.kvali", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert _count(tmp_path / "p.kvali", "documents") == 1


def test_refusal_is_fast_and_builds_nothing():
    started = time.monotonic()
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    for _ in range(10):
        with pytest.raises(InputError, match="aliases"):
            load_yaml(_bomb(), "x.yaml", 1024**2)
    assert time.monotonic() - started < 5  # an expanded bomb would take minutes and gigabytes
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before < 50 * 1024  # kB


def test_every_codebook_reader_refuses_with_file_and_line(tmp_path):
    path = tmp_path / "codebook.yaml"
    path.write_text(BOMB_CODEBOOK, encoding="utf-8")
    for load in (load_codebook, CodebookFile, lambda p: parse_codebook(p.read_text(), str(p))):
        with pytest.raises(CodebookError, match=r"codebook\.yaml:6: YAML too large"):
            load(path)


def test_oversized_files_are_refused_before_reading(tmp_path):
    big = tmp_path / "codebook.yaml"
    big.write_text("codes: []\n" + "# padding\n" * 600_000, encoding="utf-8")
    for load in (load_codebook, CodebookFile):
        with pytest.raises(CodebookError, match="larger than the limit of 5 MB"):
            load(big)
    with pytest.raises(InputError, match="larger than the limit of 1 MB"):
        parse_metadata("title: x\n" + "# padding\n" * 110_000, "front.txt")


def test_unreadable_values_are_one_line():
    with pytest.raises(InputError, match="front.txt: holds a value that cannot be read"):
        parse_metadata("number: " + "1" * 5000 + "\n", "front.txt")

"""The workbench ships inside the package: `kvali app` from an installed wheel, outside the
checkout, serves the app; the packaged script draws it on every rerun; a busy project is one
Danish sentence in the app."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from kvali.cli.project_file import APP_SCRIPT
from kvali.ui.render import md
from kvali.ui.state import BUSY

REPO = Path(__file__).resolve().parents[1]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _descendants(pid: int) -> Iterator[int]:
    """The process ids below `pid` (Linux /proc)."""
    for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split():
        yield int(child)
        yield from _descendants(int(child))


def _run(*command: str | Path, **kwargs) -> subprocess.CompletedProcess[str]:
    done = subprocess.run([str(part) for part in command], capture_output=True, text=True,
                          timeout=120, **kwargs)
    assert done.returncode == 0, done.stdout + done.stderr
    return done


@pytest.fixture
def installed(tmp_path: Path) -> Path:
    """A folder holding kvali installed from a freshly built wheel (no dependencies)."""
    source = tmp_path / "source"
    source.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(REPO / name, source / name)
    shutil.copytree(REPO / "src" / "kvali", source / "src" / "kvali",
                    ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    _run(sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", tmp_path / "wheel",
         source)
    (wheel,) = (tmp_path / "wheel").glob("kvali-*.whl")
    _run(sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--target",
         tmp_path / "site", wheel)
    return tmp_path / "site"


def test_kvali_app_from_the_wheel_serves_the_workbench(installed: Path, tmp_path: Path):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {key: value for key, value in os.environ.items() if key != "KVALI_DB"}
    env.update(PYTHONPATH=str(installed), STREAMLIT_SERVER_ADDRESS="127.0.0.1")
    where = _run(sys.executable, "-c", "import kvali.cli; print(kvali.cli.__file__)",
                 cwd=elsewhere, env=env).stdout.strip()
    assert Path(where).is_relative_to(installed), where
    script = installed / "kvali" / "ui" / "app-script" / "kvali_workbench.py"
    assert script.is_file()
    shipped = installed / "kvali" / "data" / "codebook.yaml"  # the Kodebog page's default
    assert not shipped.is_symlink()
    assert shipped.read_bytes() == (REPO / "codebook.yaml").read_bytes()
    assert (installed / "kvali" / "ui" / "assets" / "reader.js").is_file()
    project = elsewhere / "p.db"
    _run(sys.executable, "-m", "kvali.cli", "init", "--db", project, cwd=elsewhere, env=env)
    port = _free_port()
    log = (tmp_path / "app.log").open("w")
    app = subprocess.Popen([sys.executable, "-m", "kvali.cli", "app", "--port", str(port),
                            "--db", str(project)], cwd=elsewhere, env=env, stdout=log,
                           stderr=subprocess.STDOUT, start_new_session=True)
    try:
        deadline = time.monotonic() + 45
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health",
                                            timeout=2) as answer:
                    assert answer.read() == b"ok"
                    break
            except OSError:
                if app.poll() is not None or time.monotonic() > deadline:
                    pytest.fail((tmp_path / "app.log").read_text())
                time.sleep(0.25)
        commands = [Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
                    for pid in _descendants(app.pid)]
        assert [str(script).encode()] == [part for command in commands for part in command
                                          if part.endswith(b"kvali_workbench.py")]
    finally:
        os.killpg(app.pid, signal.SIGTERM)
        try:
            app.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(app.pid, signal.SIGKILL)
            app.wait()
        log.close()


def test_the_packaged_script_draws_the_workbench_on_every_rerun(project: Path):
    at = AppTest.from_file(str(APP_SCRIPT), default_timeout=60).run()
    assert not at.exception and at.title[0].value == "Overblik"
    at.sidebar.text_input(key="kvali.coder").input("Mette").run()
    assert not at.exception and at.title[0].value == "Overblik"
    assert at.sidebar.text_input(key="kvali.coder").value == "Mette"


@pytest.fixture
def locked(project: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """The project with another connection holding its write lock; a short busy timeout."""
    monkeypatch.setenv("KVALI_BUSY_TIMEOUT_MS", "200")
    holder = sqlite3.connect(project, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    yield project
    holder.execute("ROLLBACK")
    holder.close()


def test_a_write_to_a_busy_project_is_one_danish_sentence(locked: Path):
    def script() -> None:
        from kvali.coding.store import add_manual_coding
        from kvali.ui.state import action, get_db, init_session, show_feedback

        init_session()
        action(lambda: str(add_manual_coding(get_db(), 1, "civil", "mette")))
        show_feedback()

    at = AppTest.from_function(script, default_timeout=60).run()
    assert not at.exception
    assert [e.value for e in at.error] == [md(BUSY)]
    assert BUSY.startswith("Projektet er optaget: et andet program skriver til det")


def test_a_page_that_hits_a_busy_project_shows_the_sentence(locked: Path):
    def script() -> None:
        from kvali.ui.state import busy_shown, get_db, init_session

        init_session()
        with busy_shown():
            get_db().execute("INSERT INTO settings (key, value) VALUES ('x', 'y')")

    at = AppTest.from_function(script, default_timeout=60).run()
    assert not at.exception
    assert [e.value for e in at.error] == [BUSY]

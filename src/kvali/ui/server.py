"""Run `kvali app` on a project in a child process and wait until it answers: for the browser
tests and benchmarks. Standard library only (no Streamlit here, it runs in the child)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.client import HTTPConnection
from pathlib import Path

LOCAL = "127.0.0.1"
LOG_TAIL = 3000
"""How many characters of the server log an error message carries."""


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def running_app(project: Path, log_path: Path, *, port: int | None = None,
                env: dict | None = None, cwd: Path | None = None,
                timeout: float = 60) -> Iterator[str]:
    """`python -m kvali.cli app --db PROJECT --port PORT` (a free port unless given), stdout and
    stderr into LOG_PATH; yields the base URL once /_stcore/health answers "ok". Raises
    RuntimeError with the log's tail when the process ends or TIMEOUT seconds pass first. ENV
    replaces the environment (None: this one's), CWD defaults to the log's folder. The app runs
    in a session of its own, and its whole process group is stopped at the end."""
    port = port or free_port()
    url = f"http://{LOCAL}:{port}"
    with log_path.open("w") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "kvali.cli", "app", "--db", str(project), "--port", str(port)],
            stdout=log, stderr=subprocess.STDOUT, cwd=cwd or log_path.parent, env=env,
            start_new_session=True)
        try:
            _wait_healthy(port, process, log_path, timeout)
            yield url
        finally:
            _stop(process)


def _healthy(port: int) -> bool:
    """Whether the app on this machine's PORT answers its health check with "ok"."""
    connection = HTTPConnection(LOCAL, port, timeout=2)
    try:
        connection.request("GET", "/_stcore/health")
        return connection.getresponse().read() == b"ok"
    except OSError:
        return False
    finally:
        connection.close()


def _wait_healthy(port: int, process: subprocess.Popen, log_path: Path, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while True:
        if _healthy(port):
            return
        if process.poll() is not None or time.monotonic() > deadline:
            state = (f"exited with code {process.returncode}" if process.returncode is not None
                     else f"did not answer within {timeout:g} s")
            tail = log_path.read_text(encoding="utf-8", errors="replace")[-LOG_TAIL:]
            raise RuntimeError(f"kvali app {state}; the end of {log_path}:\n{tail}")
        time.sleep(0.3)


def _stop(process: subprocess.Popen) -> None:
    """SIGTERM to the process group (`kvali app` runs streamlit as its child), SIGKILL after
    20 s."""
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(process.pid, sig)
        except ProcessLookupError:
            break
        try:
            process.wait(timeout=20)
            break
        except subprocess.TimeoutExpired:
            continue
    process.wait()

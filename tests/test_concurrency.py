"""Many analysts at once: 8 writers (as the app writes) and a `kvali code` user while `kvali tag
--all` and `kvali import` run — every write acknowledged is present, and nobody sees an error.

The scenario lives in benchmarks/concurrency.py (which prints the figures at full size); this test
runs a small version of it in child processes and checks its counts.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[1] / "benchmarks" / "concurrency.py"


@pytest.mark.skipif(not (SCRIPT.parent.parent / "corpus" / "interviews").is_dir(),
                    reason="needs the demo corpus")
def test_eight_writers_tagging_and_an_import_at_once() -> None:
    result = subprocess.run([sys.executable, str(SCRIPT), "--writers", "8", "--writes", "6",
                             "--cli-writers", "1", "--cli-writes", "2", "--json"],
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr
    figures = json.loads(result.stdout)
    assert figures["app"] == {"attempted": 48, "acknowledged": 48, "present": 48, "errors": []}
    assert figures["cli"] == {"attempted": 2, "acknowledged": 2, "present": 2, "errors": []}
    assert figures["tag"] == {"exit": 0, "errors": []}
    assert figures["import"] == {"exit": 0, "errors": []}

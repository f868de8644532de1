"""`kvali export summary` says so when nothing is reviewed yet and suggestions wait."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from kvali.cli import cli


def test_a_summary_of_unreviewed_suggestions_points_to_status_suggested(
        tmp_path: Path) -> None:
    runner = CliRunner()
    db = str(tmp_path / "demo.db")
    built = runner.invoke(cli, ["--db", db, "demo", "--no-app"])
    assert built.exit_code == 0, built.output
    default = runner.invoke(cli, ["--db", db, "export", "summary", "-o",
                                  str(tmp_path / "a.md")])
    assert default.exit_code == 0, default.output
    assert "0 quotes" in default.output
    assert "suggestions await review (add --status suggested" in default.output
    asked = runner.invoke(cli, ["--db", db, "export", "summary", "-o", str(tmp_path / "b.md"),
                                "--status", "suggested"])
    assert asked.exit_code == 0, asked.output
    assert "await review" not in asked.output and " 0 quotes" not in asked.output

"""Project commands that read files: import, segment, demo (init, status and app live in
kvali.cli.project_file, which stays light)."""

from __future__ import annotations

from pathlib import Path

import click

from kvali.cli.options import db_option, echo_json, open_project, resolve_db_path
from kvali.cli.project_file import address_option, run_app
from kvali.demo import build_demo
from kvali.domain import IMPORT_KINDS
from kvali.errors import UsageError
from kvali.importer import FileOutcome, import_paths
from kvali.ingest.model import ReadOptions
from kvali.ingest.registry import read_source
from kvali.nlp import load_pipeline, pipeline_label, segment_blocks
from kvali.store import project_path


def _parse_attributes(pairs: tuple[str, ...]) -> dict[str, str]:
    attributes: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise UsageError(f"--attr {pair!r}: expected KEY=VALUE")
        attributes[key.strip()] = value.strip()
    return attributes


def _print_outcome(done: int, total: int, outcome: FileOutcome) -> None:
    """One file's result, printed as soon as it is committed; `[done/total]` before each
    committed file of a batch."""
    count = f"[{done}/{total}] " if total > 1 else ""
    if outcome.status == "imported":
        click.echo(f"{count}imported  {outcome.path}: {outcome.documents} documents, "
                   f"{outcome.segments} segments, {outcome.responses} responses")
    elif outcome.status == "duplicate":
        click.echo(f"{count}skipped   {outcome.path}: {'; '.join(outcome.warnings)}")
    else:
        click.echo(f"kvali: error: {outcome.error}", err=True)
    for warning in outcome.warnings if outcome.status == "imported" else []:
        click.echo(f"          note: {warning}")
    if outcome.unmatched_municipalities:
        names = ", ".join(sorted(outcome.unmatched_municipalities))
        click.echo(f"          not matched to a municipality (kept as written): {names}")


@click.command("import")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--kind", type=click.Choice(IMPORT_KINDS), default="auto", show_default=True,
              help="What the files are.")
@click.option("--case", "case", help="Case (municipality or other) for every document.")
@click.option("--attr", "attrs", multiple=True, metavar="KEY=VALUE",
              help="Attribute for every document (repeatable).")
@click.option("--case-col", help="Survey table column naming the municipality or respondent.")
@click.option("--role-col", help="Survey column with the respondent's role (default: a column "
              "whose header contains rolle, stilling, funktion or position).")
@click.option("--text-col", "text_cols", multiple=True,
              help="Survey table column with free text (repeatable; default: auto-detect).")
@click.option("--max-mb", type=click.IntRange(1, 100_000), default=200, show_default=True,
              help="Refuse files larger than this.")
@click.option("--json", "as_json", is_flag=True, help="Print the import report as JSON.")
@db_option
def import_command(paths: tuple[Path, ...], kind: str, case: str | None,
                         attrs: tuple[str, ...], case_col: str | None, role_col: str | None,
                         text_cols: tuple[str, ...], max_mb: int, as_json: bool,
                         db_path: str | None) -> None:
    """Import interviews, survey tables, SurveyXact exports and reports (files or folders)."""
    options = ReadOptions(kind=kind, case=case, attributes=_parse_attributes(attrs),
                          case_column=case_col, role_column=role_col,
                          text_columns=list(text_cols), max_bytes=max_mb * 1024 * 1024)
    db = open_project(db_path, create=True)
    report = import_paths(db, paths, options, progress=None if as_json else _print_outcome)
    if as_json:
        echo_json(report.to_dict())
    if report.failed:
        raise SystemExit(1)


@click.command()
@click.argument("path", type=click.Path(exists=True, path_type=Path))
@click.option("--kind", type=click.Choice(IMPORT_KINDS), default="auto", show_default=True)
@click.option("--json", "as_json", is_flag=True,
              help="Print JSON: the pipeline, the text and each segment with its offsets.")
@click.option("--tokens", is_flag=True, help="Include tokens with offsets and lemmas.")
def segment(path: Path, kind: str, as_json: bool, tokens: bool) -> None:
    """Segment one file without a project and print its segments."""
    source = read_source(path, ReadOptions(kind=kind))
    nlp = load_pipeline()
    results = []
    for document in source.documents:
        spans = segment_blocks(document.text, document.blocks, nlp=nlp, with_tokens=tokens)
        segments = []
        for span in spans:
            block = document.blocks[span.block_index]
            item = {"start": span.start, "end": span.end,
                    "text": document.text[span.start:span.end], "speaker": block.speaker}
            if block.time:
                item["time"] = block.time
            if block.page:
                item["page"] = block.page
            if tokens:
                item["tokens"] = [{"start": t.start, "end": t.end, "text": t.text,
                                   "lemma": t.lemma} for t in span.tokens or []]
            segments.append(item)
        results.append({"name": document.name, "text": document.text, "segments": segments})
    if as_json:
        payload = {"pipeline": pipeline_label(nlp), **results[0]} if len(results) == 1 else \
            {"pipeline": pipeline_label(nlp), "documents": results}
        echo_json(payload)
        return
    for result in results:
        for item in result["segments"]:
            who = f"{item['speaker']}: " if item["speaker"] else ""
            click.echo(f"[{item['start']}:{item['end']}] {who}{item['text']}")


@click.command()
@click.option("--no-app", is_flag=True, help="Only build the project; do not start the UI.")
@click.option("--port", type=int, default=8501, show_default=True)
@address_option
@db_option
def demo(no_app: bool, port: int, address: str, db_path: str | None) -> None:
    """Build the demo project from corpus/ and codebook.yaml, then open the UI."""
    path = project_path(resolve_db_path(db_path))
    build_demo(path, echo=click.echo)
    if not no_app:
        run_app(path, port, address)

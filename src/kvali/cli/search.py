"""`kvali search`: find segments across municipalities, see where they are, code or export them.

The search itself is imported when the command runs (so `kvali search --help` needs only click),
a plain search reads the project through a read-only sqlite3 connection, and it keeps nothing
for later searches (`cached=False`: the filters are joined per hit, not made into bytes per
segment, which pays only in a process that searches again, as the app does).
"""

from __future__ import annotations

import sqlite3
from dataclasses import replace
from typing import TYPE_CHECKING

import click

from kvali.cli.options import SQLITE_COUNT, db_option, echo_json, open_project, read_project
from kvali.cli.selecting import pop_selection, pseudonymise_option, selection_options
from kvali.errors import UsageError

if TYPE_CHECKING:
    from sqlite_utils import Database

    from kvali.search import SearchResult

EXAMPLES = """
\b
Query language: words, "phrases", prefix*, AND/OR/NOT (or OG/ELLER/IKKE, in capitals),
a NEAR/5 b (at most 5 words between them; a NEAR b allows 10), parentheses. Words also match
their lemma ("netværket" finds "netværk"), their aa/å spelling and, from 4 letters, Danish
compounds ("civilsamfund" finds "civilsamfundsaktørerne").
\b
Examples:
  kvali search "§ 18-midler" --region Nordjylland --size lille
  kvali search 'netværk NEAR/5 frivillig' --role leder --json
  kvali search civilsamfunnet --fuzzy --drop civilsamfundsaktør
  kvali search pårørende --code-all naere_netvaerk --coder anna
"""


def _open(db_path: str | None, *, writes: bool) -> Database | sqlite3.Connection:
    """The project for this search: read-only unless the command codes, exports or
    pseudonymises, or segments wait to be indexed (the search then indexes them first)."""
    if not writes:
        from kvali.search.index import index_is_behind

        db = read_project(db_path)
        if not index_is_behind(db):
            return db
        db.close()
    return open_project(db_path)


def _number(value: int) -> str:
    return f"{value:,}".replace(",", ".")


def _print_expansions(result: SearchResult) -> None:
    for word in result.expansions:
        parts = []
        if word["lemma"]:
            parts.append(f"lemma {word['lemma']}")
        if word["spelling"]:
            parts.append("spelling " + ", ".join(word["spelling"]))
        if word["compounds"]:
            more = len(word["compounds"]) - 8 + word["compounds_left_out"]
            parts.append("in longer words " + ", ".join(word["compounds"][:8])
                         + (f" (+{more} more, see --json)" if more > 0 else ""))
        if word["fuzzy"]:
            parts.append("fuzzy " + ", ".join(word["fuzzy"]))
        if parts:
            click.echo(f"  {word['word']}: {'; '.join(parts)}")
    if result.dropped:
        click.echo(f"  dropped: {', '.join(result.dropped)}")


def _print_hits(result: SearchResult) -> None:
    for number, hit in enumerate(result.hits, start=result.offset + 1):
        click.echo(f"{number:>4}. {hit.citation()}  [segment {hit.segment_id}]")
        match = click.style(f"[{hit.kwic.match}]", bold=True) if hit.kwic.match else ""
        click.echo(f"      {hit.kwic.left}{match}{hit.kwic.right}")


def _print_distribution(result: SearchResult) -> None:
    spread = result.distribution
    click.echo(f"\nMunicipalities mentioning it: {spread.municipalities_mentioning} of 98")
    click.echo("Hits per region:")
    for region, count in spread.by_region.items():
        mentioning, of = spread.municipalities_by_region[region]
        click.echo(f"  {region:<22}{_number(count):>8}   {mentioning:>2} of {of} municipalities")
    click.echo("Hits per size class:")
    for size, count in spread.by_size.items():
        mentioning, of = spread.municipalities_by_size[size]
        click.echo(f"  {size:<22}{_number(count):>8}   {mentioning:>2} of {of} municipalities")
    top = list(spread.by_kommune.items())[:10]
    if top:
        click.echo("Most hits: " + ", ".join(f"{name} {_number(n)}" for name, n in top))


def _print_result(result: SearchResult) -> None:
    click.echo(f"{_number(result.total)} hits for {result.query}")
    _print_expansions(result)
    _print_hits(result)
    shown_to = result.offset + len(result.hits)
    if result.total > shown_to:
        click.echo(f"      … showing {result.offset + 1}-{shown_to}; "
                   f"next page: --offset {shown_to}")
    if result.total:
        _print_distribution(result)


@click.command("search", epilog=EXAMPLES)
@click.argument("query")
@selection_options
@click.option("--fuzzy", is_flag=True, help="Also match misspellings (the expansions are shown).")
@click.option("--whole-words", is_flag=True, help="Do not look inside compounds.")
@click.option("--drop", multiple=True, help="Leave out this expansion (repeatable).")
@click.option("--limit", type=SQLITE_COUNT, default=50,
              show_default=True, help="Hits per page.")
@click.option("--offset", type=SQLITE_COUNT, default=0,
              show_default=True, help="Skip this many hits (paging).")
@click.option("--export", "export_path", type=click.Path(dir_okay=False),
              help="Write all hits with citations to a .csv or .xlsx file.")
@pseudonymise_option
@click.option("--code-all", metavar="KEY", help="Code all hits with this code (needs --coder).")
@click.option("--json", "as_json", is_flag=True,
              help="Print JSON: the hits with their facts and citation, and the counts per "
                   "municipality, region and size class.")
@db_option
def search_command(query: str, fuzzy: bool, whole_words: bool, drop: tuple[str, ...],
                   limit: int, offset: int, export_path: str | None, pseudonymise: bool,
                   code_all: str | None, as_json: bool, db_path: str | None,
                   **selection: tuple[str, ...]) -> None:
    """Search segments across municipalities, with where each hit comes from."""
    filters = pop_selection(selection)
    coder = filters.coder
    if code_all and len(coder) != 1:
        raise UsageError("--code-all needs exactly one --coder NAME (who does the coding)")
    if code_all and not (filters.code or filters.not_code):
        filters = replace(filters, coder=())  # the coder codes; it does not narrow the hits
    from kvali.search import code_hits, prepare, search
    from kvali.search.engine import ranked_ids

    db = _open(db_path, writes=bool(code_all or export_path or pseudonymise))
    options = {"fuzzy": fuzzy, "compounds": not whole_words, "drop": drop,
               "cached": False}  # one search per process: nothing to keep for later
    result = search(db, query, filters, limit=limit, offset=offset, **options)
    if pseudonymise:  # the hits shown leave the project too
        from kvali.export.hits import pseudonymised_hits
        from kvali.privacy.pseudonymise import Pseudonyms

        result.hits = list(pseudonymised_hits(db, result.hits, Pseudonyms.load(db)))
    payload = result.to_dict()
    notes: list[str] = []
    if export_path is not None:
        from kvali.export.hits import write_hits

        written = write_hits(db, prepare(db, query, filters, **options), export_path,
                             pseudonymise=pseudonymise)
        payload["exported"] = {"path": str(export_path), "rows": written}
        notes.append(f"exported {_number(written)} hits to {export_path}")
    if code_all:
        ranked = ranked_ids(db, prepare(db, query, filters, **options))
        coded = code_hits(db, [segment_id for segment_id, _ in ranked], code_all, coder[0],
                          query)
        payload["coded"] = {"code": code_all, "coder": coder[0], "segments": len(coded)}
        notes.append(f"coded {_number(len(coded))} hits with {code_all} (manual, by {coder[0]})")
    if as_json:
        echo_json(payload)
        return
    _print_result(result)
    for note in notes:
        click.echo(note)

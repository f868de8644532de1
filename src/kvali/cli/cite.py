"""`kvali cite`: check a citation against the project and the imported file."""

from __future__ import annotations

from pathlib import Path

import click

from kvali.cli.options import db_option, echo_json, json_option, open_project
from kvali.cli.selecting import pseudonymise_option
from kvali.export.citation_check import check_citation


@click.command()
@click.argument("reference", metavar="doc:ID:START-END")
@click.option("--file", "file_path", type=click.Path(path_type=Path),
              help="Where the imported file is now, when it has moved since the import.")
@json_option
@pseudonymise_option
@db_option
def cite(reference: str, file_path: Path | None, as_json: bool, pseudonymise: bool,
         db_path: str | None) -> None:
    """Show the quote a citation reference points at and where it stands in the imported file.

    Prints exactly documents.text[START:END], the document, who said it, its place in the
    project (turn, time, page, respondent, segments) and its place in the file it was imported
    from (file name, line and column, page, or row and column of a survey), since the offsets
    count in kvali's normalised text. The brackets and pseudonym note a report prints may be
    pasted along with the reference.
    """
    checked = check_citation(open_project(db_path), reference, pseudonymise=pseudonymise,
                             path=file_path)
    if as_json:
        echo_json(checked.to_dict())
        return
    for line in checked.lines():
        click.echo(line)

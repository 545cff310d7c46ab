"""``mapper check SCRIPT...``: compile mapping scripts in the sandbox and point at any error."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from mapper.cli.main import cli
from mapper.errors import MappingError
from mapper.javascript import check_script


def _report(error: MappingError, path: Path) -> str:
    """``SCRIPT:LINE:COL: message`` then the source line and a caret under the column."""
    where = str(path)
    if error.line is not None:
        where += f":{error.line}"
        if error.column is not None:
            where += f":{error.column}"
    text = f"{where}: {error.message}"
    if error.source_line is not None:
        text += f"\n    {error.source_line}"
        if error.column is not None:
            # Keep tabs so the caret lines up under the column in a terminal.
            lead = "".join(c if c == "\t" else " " for c in error.source_line[: error.column - 1])
            text += f"\n    {lead}^"
    return text


@cli.command("check")
@click.argument("scripts", nargs=-1, required=True, type=click.Path(path_type=Path))
def check_command(scripts: tuple[Path, ...]) -> None:
    """Compile each mapping SCRIPT (either direction) in the sandbox.

    Prints SCRIPT:LINE:COL: message, the source line and a caret for each script that does not
    compile, and exits 1; exits 0 when all are valid.
    """
    failed = 0
    for path in scripts:
        try:
            source = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            click.echo(f"{path}: cannot read the script: {exc}", err=True)
            failed += 1
            continue
        try:
            check_script(source, str(path))
        except MappingError as exc:
            click.echo(_report(exc, path), err=True)
            failed += 1
        else:
            click.echo(f"{path}: ok")
    sys.exit(1 if failed else 0)

"""``mapper test [PATH...]``: run mapping scripts against their stored test cases."""

from __future__ import annotations

import sys
import textwrap
from pathlib import Path

import click

from mapper.cli.main import cli
from mapper.errors import ConfigError
from mapper.mapping_tests import CaseResult, TestRun, discover, run_tests


@cli.command("test")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("-v", "--verbose", is_flag=True, help="Also list the cases that passed.")
def test_command(paths: tuple[Path, ...], verbose: bool) -> None:
    """Run mapping scripts against their test cases (default PATH: mappings/).

    Each PATH is a directory of scripts, a script, its <script>.tests directory or one case file.
    A case is <case>.input.json next to <case>.expected.json (the outputs; [] = dropped) or
    <case>.expected-error.txt (substrings of the expected error). Exits 1 if any case fails.
    See docs/mapping-tests.md.
    """
    try:
        scripts = discover(paths or (Path("mappings"),))
    except ConfigError as exc:
        raise click.ClickException(str(exc)) from None
    run = run_tests(scripts)
    _print_report(run, verbose)
    sys.exit(0 if run.ok else 1)


def _print_report(run: TestRun, verbose: bool) -> None:
    for result in run.results:
        if not result.passed:
            _print_failure(result)
        elif verbose:
            click.echo(click.style("ok   ", fg="green") + _case_title(result))
    for problem in run.problems:
        click.echo(click.style("FAIL ", fg="red", bold=True) + problem)
    if not run.results:
        click.echo("no test cases found", err=True)
    summary = f"{run.passed} passed, {run.failed} failed in {run.seconds:.2f}s"
    if run.untested_scripts:
        names = ", ".join(str(p) for p in run.untested_scripts)
        summary += f" (no test cases: {names})"
    click.echo(click.style(summary, fg="green" if run.ok else "red", bold=True))


def _print_failure(result: CaseResult) -> None:
    click.echo(click.style("FAIL ", fg="red", bold=True) + _case_title(result))
    click.echo(f"     input: {result.case.input_path}")
    for line in textwrap.indent(result.detail, "     ").splitlines():
        click.echo(_colour_diff_line(line))
    click.echo()


def _case_title(result: CaseResult) -> str:
    direction = f" [{result.direction}]" if result.direction else ""
    return f"{result.case.script} :: {result.case.name}{direction}"


def _colour_diff_line(line: str) -> str:
    body = line[5:]
    if body.startswith(("+++", "---")):
        return click.style(line, bold=True)
    if body.startswith("+"):
        return click.style(line, fg="green")
    if body.startswith("-"):
        return click.style(line, fg="red")
    if body.startswith("@@"):
        return click.style(line, fg="cyan")
    return line

"""``mapper replay``: archive (or re-archive) Ditto event logs into S3 or a local directory."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from mapper.cli.main import cli
from mapper.errors import ConfigError, MappingError
from mapper.replay.session import ReplayOptions, run_replay

EXIT_OK = 0
EXIT_DEAD_LETTERED = 1
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130  # 128 + SIGINT, the shell's convention for "stopped by the user"


@cli.command()
@click.argument("inputs", nargs=-1, metavar="[INPUT]...")
@click.option("--connection", type=click.Path(dir_okay=False, path_type=Path),
              help="Ditto connection JSON (http-push): targets, topics, scripts, credentials.")
@click.option("--script", type=click.Path(dir_okay=False, path_type=Path),
              help="Outgoing mapping script (without --connection); needs --to.")
@click.option("--to", "to", metavar="TARGET",
              help="s3://BUCKET[/PREFIX], https://BUCKET.s3.REGION.amazonaws.com, or a local DIRECTORY "
                   "(with --connection: a DIRECTORY instead of the connection's bucket).")
@click.option("--endpoint-url", metavar="URL", help="Send to this S3-compatible endpoint, path-style.")
@click.option("--region", metavar="R", help="AWS region for s3:// targets (default: the AWS config's).")
@click.option("--concurrency", type=click.IntRange(1, 1024), metavar="N",
              help="Parallel requests (default: the connection's parallelism if above 1, else 16).")
@click.option("--checkpoint", type=click.Path(dir_okay=False, path_type=Path), metavar="FILE",
              help="Record progress durably here; rerunning the same command resumes.")
@click.option("--dead-letter", type=click.Path(dir_okay=False, path_type=Path), metavar="FILE",
              help="Where failed events go (default: <first input>.dead-letter.jsonl).")
@click.option("--no-overwrite", is_flag=True,
              help="Conditional writes: never replace an object; identical ones count as already archived.")
@click.option("--content-md5", is_flag=True, help="Send Content-MD5 (required by Object Lock buckets).")
@click.option("--dry-run", is_flag=True, help="Map only and print the keys that would be written.")
@click.option("--report", type=click.Path(dir_okay=False, path_type=Path), metavar="FILE",
              help="Write the final summary as JSON to FILE.")
@click.option("-q", "--quiet", is_flag=True, help="No progress bar and no summary.")
def replay(
    inputs: tuple[str, ...],
    connection: Path | None,
    script: Path | None,
    to: str | None,
    endpoint_url: str | None,
    region: str | None,
    concurrency: int | None,
    checkpoint: Path | None,
    dead_letter: Path | None,
    no_overwrite: bool,
    content_md5: bool,
    dry_run: bool,
    report: Path | None,
    quiet: bool,
) -> None:
    """Replay Ditto event logs (JSON Lines, .gz, or - for stdin) through a mapping into S3 or a
    local directory.

    \b
    Exit status: 0 every event archived, filtered or dropped by the mapping;
                 1 some events were written to the dead-letter file;
                 2 usage or configuration error (nothing was done);
                 130 interrupted (SIGINT / SIGTERM) before the end: rerun to resume.
    """
    if connection is None and script is None and to is None:
        raise click.UsageError("give --connection FILE, or --script FILE with --to TARGET")
    options = ReplayOptions(
        inputs=inputs or ("-",),
        connection=connection,
        script=script,
        to=to,
        endpoint_url=endpoint_url,
        region=region,
        concurrency=concurrency,
        checkpoint=checkpoint,
        dead_letter=dead_letter,
        no_overwrite=no_overwrite,
        content_md5=content_md5,
        dry_run=dry_run,
        quiet=quiet,
    )
    try:
        result = run_replay(options)
    except (ConfigError, MappingError) as exc:
        # A MappingError gets here only from loading a script (a syntax error): during the
        # replay mapping errors become dead-letter entries, never exceptions.
        click.echo(f"mapper replay: error: {exc}", err=True)
        sys.exit(EXIT_USAGE)
    if report is not None:
        report.write_text(result.to_json() + "\n", encoding="utf-8")
    if not quiet:
        click.echo(result.summary_text(), err=dry_run)
    if result.interrupted:
        # Not every event was handled: never report success (a script would move on).
        sys.exit(EXIT_INTERRUPTED)
    sys.exit(EXIT_OK if result.ok else EXIT_DEAD_LETTERED)

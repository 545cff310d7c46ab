"""The ``mapper`` command line: thin wrappers that parse flags, call the library and print."""

from __future__ import annotations

import click

from mapper import __version__


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="mapper")
def cli() -> None:
    """Archive Ditto twin events to S3 through Ditto-compatible JavaScript mappings."""


def main() -> None:
    """Console-script entry point."""
    cli.main(prog_name="mapper")


# Subcommands register themselves here; each lives in its own module.
# (imports at the bottom so each module can import ``cli`` without a cycle)
from mapper.cli import check, map, replay, test  # noqa: E402,F401

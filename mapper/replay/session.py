"""One replay from options to report: builds the pipeline, the runner and their files.

This is what ``mapper replay`` runs; a program can call :func:`run_replay` the same way. Every
configuration problem (bad connection, unreadable input, a checkpoint of another replay) is raised
as :class:`~mapper.errors.ConfigError` before the first event is read.
"""

from __future__ import annotations

import hashlib
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

from pydantic import BaseModel, ConfigDict, Field

from mapper.errors import ConfigError
from mapper.outcome import OutcomeKind, TargetOutcome
from mapper.pipeline import Pipeline, PublishJob
from mapper.publish.retry import RetryPolicy
from mapper.replay.checkpoint import Checkpoint
from mapper.replay.dead_letter import DeadLetterWriter, default_dead_letter_path
from mapper.replay.keys import KeyRegistry
from mapper.replay.progress import Progress
from mapper.replay.reader import STDIN, InputReader, InputRecord, check_inputs, input_size
from mapper.replay.report import ReplayReport
from mapper.replay.runner import ReplayRunner

__all__ = ["ReplayOptions", "build_pipeline", "run_replay"]


class ReplayOptions(BaseModel):
    """Everything ``mapper replay`` takes (see ``mapper replay --help``)."""

    model_config = ConfigDict(frozen=True)

    inputs: tuple[str, ...] = (STDIN,)
    connection: Path | None = None
    script: Path | None = None
    to: str | None = None
    endpoint_url: str | None = None
    region: str | None = None
    concurrency: int | None = Field(None, ge=1, le=1024)
    checkpoint: Path | None = None
    dead_letter: Path | None = None
    no_overwrite: bool = False
    content_md5: bool = False
    dry_run: bool = False
    quiet: bool = False
    retry: RetryPolicy = Field(default_factory=RetryPolicy)
    # Tuning (no CLI flags; benchmarks/bench_replay_modes.py compares them): events mapped per
    # call into JavaScript (1 = one by one) and whether mapping runs in a thread of its own.
    batch_size: int = Field(64, ge=1, le=1000)
    mapping_thread: bool = True


# Library parameters that errors name, as the command-line flags an operator typed.
_FLAG_OF_PARAMETER = {"s3_url": "--to", "endpoint_url": "--endpoint-url", "region": "--region"}


def build_pipeline(options: ReplayOptions) -> Pipeline:
    """The pipeline the options describe (``--connection``, or ``--script`` with ``--to``)."""
    try:
        return _build_pipeline(options)
    except ConfigError as exc:
        flag = _FLAG_OF_PARAMETER.get(exc.path or "")
        if flag is None:
            raise
        raise ConfigError(exc.message, path=flag, source=exc.source) from None


def _build_pipeline(options: ReplayOptions) -> Pipeline:
    if options.connection is not None and options.script is not None:
        raise ConfigError("give either --connection or --script, not both")
    if options.connection is not None:
        directory = None
        endpoint_url = options.endpoint_url
        if options.to is not None:
            if options.to.startswith(("s3://", "http://", "https://")):
                raise ConfigError(
                    "with --connection, --to may only name a local directory "
                    "(the connection's uri is the S3 destination; use --endpoint-url to redirect it)"
                )
            directory = options.to
        return Pipeline.from_connection(
            options.connection,
            endpoint_url=endpoint_url,
            directory=directory,
            concurrency=options.concurrency,
            no_overwrite=options.no_overwrite,
            content_md5=options.content_md5,
            retry=options.retry,
        )
    if options.to is None or options.script is None:
        # Without a connection the script is what names each object (http.path): there is no
        # sensible default key, so say so before any work instead of dead-lettering every event.
        raise ConfigError(
            "give --connection FILE, or --script FILE with --to TARGET "
            "(e.g. --script mappings/s3-per-revision.js --to ./archive)"
        )
    return Pipeline.for_script(
        options.script,
        options.to,
        region=options.region,
        endpoint_url=options.endpoint_url,
        concurrency=options.concurrency or 16,
        no_overwrite=options.no_overwrite,
        content_md5=options.content_md5,
        retry=options.retry,
    )


def _settings(options: ReplayOptions) -> dict[str, str]:
    """What a checkpoint must agree on to be resumed: everything that shapes what is written."""
    settings = {
        "to": options.to or "",
        "endpoint_url": options.endpoint_url or "",
        "no_overwrite": str(options.no_overwrite),
    }
    for name in ("connection", "script"):
        path = getattr(options, name)
        if path is not None:
            settings[name] = hashlib.sha256(Path(path).read_bytes()).hexdigest()
    return settings


def run_replay(
    options: ReplayOptions,
    *,
    stream: TextIO | None = None,
    dry_run_out: TextIO | None = None,
) -> ReplayReport:
    """Replay ``options.inputs`` and return the report; ConfigError before any work when unusable.

    ``stream`` is where the progress bar goes (default stderr; drawn only on a terminal).
    With ``dry_run`` the events are mapped and the keys written to ``dry_run_out`` (default
    stdout), nothing is published.
    """
    inputs = list(options.inputs) or [STDIN]
    check_inputs(inputs)
    if options.checkpoint is not None and STDIN in inputs:
        raise ConfigError("--checkpoint cannot resume standard input; replay from files")
    pipeline = build_pipeline(options)
    try:
        checkpoint = None
        if options.checkpoint is not None and not options.dry_run:
            checkpoint = Checkpoint(
                options.checkpoint, inputs, _settings(options), before_save=pipeline.flush_durably
            )
        dead_letter = DeadLetterWriter(options.dead_letter or default_dead_letter_path(inputs))
        start = None
        if checkpoint is not None:
            state = checkpoint.load()  # refuses a checkpoint of another replay before any work
            start = state.watermark if state is not None else None
        reader = InputReader(inputs, start=start)
        progress = Progress.for_terminal(
            total_bytes=input_size(inputs),
            bytes_done=reader.bytes_consumed,
            stream=stream,
            quiet=options.quiet,
        )

        def prepare(record: InputRecord) -> list[TargetOutcome | PublishJob]:
            return pipeline.prepare(record.text)

        def prepare_batch(records: Sequence[InputRecord]) -> list[list[TargetOutcome | PublishJob]]:
            return pipeline.prepare_batch([record.text for record in records])

        execute = pipeline.execute
        if options.dry_run:
            out = dry_run_out or sys.stdout

            def execute(job: PublishJob) -> TargetOutcome:
                out.write(job.key + "\n")
                return TargetOutcome(OutcomeKind.PUBLISHED, job.target, job.key)

        runner = ReplayRunner(
            prepare,
            execute,
            concurrency=1 if options.dry_run else pipeline.concurrency,
            checkpoint=checkpoint,
            dead_letter=dead_letter,
            progress=progress,
            registry=KeyRegistry(),
            prepare_batch=prepare_batch if options.batch_size > 1 else None,
            batch_size=options.batch_size,
            mapping_thread=options.mapping_thread,
        )
        return runner.run(reader)
    finally:
        pipeline.close()


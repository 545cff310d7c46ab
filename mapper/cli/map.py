"""``mapper map [--script FILE] [--incoming] [INPUT...]``: run a mapping over messages.

Outgoing (default): INPUT holds Ditto Protocol envelopes; prints one JSON line per resulting
external message ``{"headers", "textPayload", "bytePayload" (base64), "contentType"}``.
``--incoming``: INPUT holds external messages in that shape; prints Ditto Protocol messages.

INPUT is one JSON document, a JSON array or JSON Lines (``.gz`` accepted, ``-`` = stdin). A
message that fails is reported on stderr with its position (``file:line``) and the others go on;
the exit status is 1 if any failed.

Where the scripts come from is one step (:func:`_engine_for`): ``--script FILE``, or
``--connection FILE`` (the scripts of the connection's JavaScript mapping definition).
Large inputs are mapped in batches by worker processes (one per CPU), output order preserved.
"""

from __future__ import annotations

import gzip
import io
import json
import os
import sys
import zlib
from collections import deque
from collections.abc import Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import click

from mapper.cli.main import cli
from mapper.connection.model import load_connection
from mapper.errors import ConfigError, MalformedJSONError, MapperError, ProtocolError
from mapper.javascript import MappingEngine
from mapper.protocol.envelope import loads_json, validate_envelope
from mapper.protocol.external import ExternalMessage

# Messages per call into JavaScript and per unit of work for a worker process.
_BATCH = 1000
# Below this many messages, worker processes cost more than they save.
_PARALLEL_FROM = 4 * _BATCH


@dataclass(frozen=True, slots=True)
class _Record:
    """One input message: where it came from and its JSON text (``error`` if that is not JSON)."""

    where: str
    text: str
    error: str | None = None


# ---- reading inputs ------------------------------------------------------------------------------


def _open_text(name: str) -> IO[str]:
    raw: IO[bytes] = sys.stdin.buffer if name == "-" else open(name, "rb")  # noqa: SIM115
    peek = raw.peek(2)[:2] if hasattr(raw, "peek") else b""
    if name.endswith(".gz") or peek == b"\x1f\x8b":
        raw = gzip.GzipFile(fileobj=raw)  # type: ignore[assignment]
    return io.TextIOWrapper(raw, encoding="utf-8", errors="surrogateescape", newline=None)


def _json_error(where: str, exc: json.JSONDecodeError, line_offset: int = 0) -> str:
    return f"{where}:{exc.lineno + line_offset}:{exc.colno}: malformed JSON: {exc.msg}"


def _read_records(name: str) -> Iterator[_Record]:
    """JSON Lines, or (when the input starts with ``[`` or its first line is not a whole JSON
    document) one JSON document / array read whole."""
    label = "<stdin>" if name == "-" else name
    with _open_text(name) as stream:
        first = ""
        first_number = 0
        for first_number, first in enumerate(stream, 1):  # noqa: B007
            if first.strip():
                break
        if not first.strip():
            return
        whole = first.lstrip().startswith("[")
        if not whole:
            try:
                json.loads(first)
            except json.JSONDecodeError:
                whole = True
        if whole:
            yield from _whole_document(label, first + stream.read(), first_number - 1)
            return
        yield _Record(f"{label}:{first_number}", first.rstrip("\n"))
        for number, line in enumerate(stream, first_number + 1):
            if line.strip():
                yield _Record(f"{label}:{number}", line.rstrip("\n"))


def _whole_document(label: str, text: str, skipped_lines: int) -> Iterator[_Record]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        yield _Record(f"{label}:{exc.lineno + skipped_lines}", "", _json_error(label, exc, skipped_lines))
        return
    items = data if isinstance(data, list) else [data]
    where = f"{label}:{skipped_lines + 1}"
    for index, item in enumerate(items):
        position = f"{where}[{index}]" if isinstance(data, list) else where
        yield _Record(position, json.dumps(item, ensure_ascii=False, separators=(",", ":")))


def _batches(records: Iterator[_Record], size: int) -> Iterator[list[_Record]]:
    batch: list[_Record] = []
    for record in records:
        batch.append(record)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


# ---- mapping one batch (in this process or a worker) ----------------------------------------------

# (True, output lines joined with "\n" or "" when dropped, None) or (False, error message, column of
# a JSON syntax error in the line or None)
_Outcome = tuple[bool, str, "int | None"]

_worker_engine: MappingEngine | None = None


def _init_worker(engine: MappingEngine) -> None:
    global _worker_engine
    _worker_engine = engine


def _worker_map(job: tuple[bool, list[tuple[str, str | None]]]) -> list[_Outcome]:
    incoming, items = job
    assert _worker_engine is not None
    return _map_batch(_worker_engine, incoming, items)


def _map_batch(
    engine: MappingEngine, incoming: bool, items: Sequence[tuple[str, str | None]]
) -> list[_Outcome]:
    """``items``: (JSON text, read error or None). Returns one outcome per item, in order."""
    outcomes: list[_Outcome | None] = [None] * len(items)
    ready: list[int] = []
    payloads: list[Any] = []
    for index, (text, read_error) in enumerate(items):
        if read_error is not None:
            outcomes[index] = (False, read_error, None)
            continue
        try:
            data = loads_json(text)
            if incoming:
                payloads.append(ExternalMessage.from_json_dict(data))
            else:
                validate_envelope(data)
                payloads.append(text)
        except MalformedJSONError as exc:
            outcomes[index] = (False, f"malformed JSON: {exc.reason}", exc.column)
            continue
        except ProtocolError as exc:
            if exc.field is None:  # JSON, but not acceptable (NaN, not UTF-8)
                outcomes[index] = (False, str(exc), None)
                continue
            kind = "external message" if incoming else "envelope"
            outcomes[index] = (False, f"not a valid {kind}: {exc}", None)
            continue
        ready.append(index)
    if incoming:
        mapped: list[Any] = engine.map_incoming_batch(payloads)
    else:
        mapped = engine.map_outgoing_json(payloads)
    for index, result in zip(ready, mapped, strict=True):
        if isinstance(result, MapperError):
            outcomes[index] = (False, str(result), None)
        elif incoming:
            lines = (json.dumps(message, ensure_ascii=False, separators=(",", ":")) for message in result)
            outcomes[index] = (True, "\n".join(lines), None)
        else:
            outcomes[index] = (True, "\n".join(result), None)
    return outcomes  # type: ignore[return-value]


# ---- the command -------------------------------------------------------------------------------------


def _engine_for(
    script: Path | None, incoming: bool, connection: Path | None = None, mapping: str | None = None
) -> MappingEngine:
    """The one place that decides where scripts come from: ``--script`` or ``--connection``."""
    if connection is not None:
        return _connection_engine(connection, mapping)
    if script is None:
        return MappingEngine()
    if incoming:
        return MappingEngine.from_files(incoming=script)
    return MappingEngine.from_files(outgoing=script)


def _connection_engine(path: Path, mapping: str | None) -> MappingEngine:
    """Both scripts of one JavaScript mapping definition of a Ditto connection file."""
    loaded = load_connection(path)
    javascript = {
        name: definition
        for name, definition in loaded.mapping_definitions.items()
        if definition.mapping_engine == "JavaScript"
    }
    if mapping is None:
        if len(javascript) != 1:
            found = ", ".join(sorted(javascript)) or "none"
            raise ConfigError(
                f"the connection has {len(javascript)} JavaScript mapping definitions ({found}); "
                "choose one with --mapping ID",
                source=str(path),
            )
        mapping = next(iter(javascript))
    definition = javascript.get(mapping)
    if definition is None:
        found = ", ".join(sorted(javascript)) or "none"
        raise ConfigError(
            f"no JavaScript mapping definition {mapping!r} (found: {found})",
            path="mappingDefinitions",
            source=str(path),
        )
    return MappingEngine(
        outgoing_script=definition.outgoing_script,
        incoming_script=definition.incoming_script,
        outgoing_name=definition.outgoing_script_name,
        incoming_name=definition.incoming_script_name,
        load_bytebuffer_js=definition.options.load_bytebuffer_js,
        load_long_js=definition.options.load_long_js,
    )


@cli.command("map")
@click.argument("inputs", nargs=-1, type=str)
@click.option(
    "--script",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Mapping script (outgoing, or incoming with --incoming). Without it: plain Ditto Protocol.",
)
@click.option(
    "--connection",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Ditto connection JSON: map with its JavaScript mapping definition's scripts.",
)
@click.option(
    "--mapping",
    metavar="ID",
    help="With --connection: which mapping definition (needed when it has several).",
)
@click.option("--incoming", is_flag=True, help="Map external messages to Ditto Protocol messages.")
@click.option(
    "--jobs",
    type=click.IntRange(min=1),
    default=None,
    help="Worker processes for large inputs (default: one per CPU).",
)
def map_command(
    inputs: tuple[str, ...],
    script: Path | None,
    connection: Path | None,
    mapping: str | None,
    incoming: bool,
    jobs: int | None,
) -> None:
    """Map Ditto Protocol envelopes (or, with --incoming, external messages) from INPUT (default -).

    INPUT: one JSON document, a JSON array or JSON Lines; .gz accepted. Prints one JSON line per
    result; failures go to stderr as FILE:LINE: error. Exits 1 if any message failed.
    """
    if script is not None and connection is not None:
        raise click.UsageError("give either --script or --connection, not both")
    if mapping is not None and connection is None:
        raise click.UsageError("--mapping needs --connection")
    try:
        engine = _engine_for(script, incoming, connection, mapping)
    except ConfigError as exc:
        click.echo(f"mapper map: error: {exc}", err=True)
        sys.exit(2)
    except MapperError as exc:
        raise click.ClickException(str(exc)) from None
    failed = _run(engine, incoming, inputs or ("-",), jobs or (os.cpu_count() or 1))
    sys.exit(1 if failed else 0)


def _run(engine: MappingEngine, incoming: bool, inputs: Sequence[str], jobs: int) -> int:
    out = sys.stdout
    failed = 0

    def records() -> Iterator[_Record]:
        for name in inputs:
            try:
                yield from _read_records(name)
            except (OSError, EOFError, zlib.error) as exc:
                # EOFError: a truncated .gz; zlib.error: corrupt compressed data.
                yield _Record(name, "", f"{name}: cannot read: {getattr(exc, 'strerror', None) or exc}")

    def emit(batch: list[_Record], outcomes: list[_Outcome]) -> None:
        nonlocal failed
        for record, (ok, text, column) in zip(batch, outcomes, strict=True):
            if ok:
                if text:
                    out.write(text)
                    out.write("\n")
                continue
            failed += 1
            if record.error is not None:  # already names its position
                click.echo(text, err=True)
            elif column is not None:  # file:line:col
                click.echo(f"{record.where}:{column}: {text}", err=True)
            else:
                click.echo(f"{record.where}: {text}", err=True)

    batches = _batches(records(), _BATCH)
    head: list[list[_Record]] = []
    for batch in batches:
        head.append(batch)
        if len(head) * _BATCH >= _PARALLEL_FROM:
            break
    if jobs == 1 or len(head) * _BATCH < _PARALLEL_FROM:
        for batch in _chain(head, batches):
            emit(batch, _map_batch(engine, incoming, [(r.text, r.error) for r in batch]))
        out.flush()
        return failed
    # A bounded window of batches in flight keeps memory flat and the output in input order.
    window: deque[tuple[list[_Record], Future[list[_Outcome]]]] = deque()
    with ProcessPoolExecutor(max_workers=jobs, initializer=_init_worker, initargs=(engine,)) as pool:
        for batch in _chain(head, batches):
            job = (incoming, [(r.text, r.error) for r in batch])
            window.append((batch, pool.submit(_worker_map, job)))
            if len(window) >= 2 * jobs:
                done, future = window.popleft()
                emit(done, future.result())
        while window:
            done, future = window.popleft()
            emit(done, future.result())
    out.flush()
    return failed


def _chain(head: list[list[_Record]], rest: Iterator[list[_Record]]) -> Iterator[list[_Record]]:
    yield from head
    yield from rest

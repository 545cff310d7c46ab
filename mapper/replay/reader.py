"""Reading event logs: JSON Lines files in order, gzip transparently, ``-`` for stdin.

Lines are read as bytes and decoded with ``surrogateescape``: a line that is not valid UTF-8 does
not stop the replay, it becomes a record whose text cannot be parsed (the pipeline fails it at the
parse stage) and whose original bytes are recoverable exactly with
``text.encode("utf-8", "surrogateescape")`` — the dead-letter file relies on that.
"""

from __future__ import annotations

import contextlib
import gzip
import io
import os
import stat
import sys
import zlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import BinaryIO, NamedTuple

from mapper.errors import ConfigError

STDIN = "-"
_GZIP_MAGIC = b"\x1f\x8b"
# Big enough that reading is dominated by line splitting, not system calls.
_READ_BUFFER = 1 << 20


@dataclass(frozen=True, slots=True)
class InputRecord:
    """One non-blank line of input.

    ``source`` is the path as given (``-`` for stdin), ``line`` the 1-based line number (blank
    lines count), ``text`` the line without its line terminator, ``offset`` the byte offset of the
    line's start in the (decompressed) stream and ``file_index`` the position of ``source`` in the
    list of inputs (the same file given twice has two indexes).
    """

    source: str
    line: int
    text: str
    offset: int | None = None
    file_index: int = 0

    @property
    def position(self) -> Position:
        """Where this record sits in the replay's order of inputs."""
        return Position(self.file_index, self.line)


class Position(NamedTuple):
    """A place in the ordered inputs: (index of the input file, 1-based line number).

    Positions compare as tuples, so ``record.position < watermark`` means "before it".
    """

    file_index: int
    line: int


def check_inputs(paths: Sequence[str]) -> None:
    """Fail fast, before any work, if an input cannot be read.

    Raises :class:`ConfigError` naming the input: missing, a directory, unreadable, a ``.gz``
    that is not gzip, or stdin given more than once.
    """
    if not paths:
        raise ConfigError("no input given (use '-' for stdin)")
    if sum(1 for p in paths if p == STDIN) > 1:
        raise ConfigError("stdin ('-') can be given only once")
    for path in paths:
        if path == STDIN:
            continue
        try:
            mode = os.stat(path).st_mode
        except FileNotFoundError:
            raise ConfigError("input file does not exist", source=path) from None
        except OSError as exc:
            raise ConfigError(f"cannot access input: {exc.strerror}", source=path) from None
        if stat.S_ISDIR(mode):
            raise ConfigError("input is a directory, not a file", source=path)
        try:
            with open(path, "rb") as raw:
                head = raw.read(2)
                if head == _GZIP_MAGIC:
                    raw.seek(0)  # the gzip header starts with the magic just read
                    gzip.GzipFile(fileobj=raw).read(1)
                elif path.endswith(".gz") and head:
                    raise ConfigError("file name ends in .gz but the content is not gzip", source=path)
        except OSError as exc:
            # gzip.BadGzipFile is an OSError too
            raise ConfigError(f"cannot read input: {exc.strerror or exc}", source=path) from None
        except (EOFError, zlib.error) as exc:
            raise ConfigError(f"cannot read input: broken gzip data ({exc})", source=path) from None


def input_size(paths: Sequence[str]) -> int | None:
    """The total number of bytes :meth:`InputReader.bytes_consumed` will reach, or None for stdin.

    For ``.gz`` inputs this is the compressed size (progress is measured on the underlying file).
    """
    if STDIN in paths:
        return None
    try:
        return sum(os.stat(p).st_size for p in paths)
    except OSError:
        return None


class InputReader:
    """Iterates :class:`InputRecord` over several inputs in order, with bounded memory.

    ``start`` skips every line before that position cheaply (files before it are not opened, lines
    before it are not decoded) — that is how a resumed replay gets past the completed part.
    :meth:`bytes_consumed` reports progress in bytes of the underlying (possibly compressed) files.
    """

    def __init__(self, paths: Sequence[str], *, start: Position | None = None) -> None:
        self._paths = list(paths)
        self._start = start or Position(0, 0)
        self._done_bytes = 0  # bytes of the inputs already finished
        self._raw: BinaryIO | None = None  # the underlying file of the current input

    def bytes_consumed(self) -> int:
        """Bytes of input read so far (compressed bytes for gzip; approximate, for progress only)."""
        raw = self._raw
        if raw is None:
            return self._done_bytes
        try:
            return self._done_bytes + raw.tell()
        except (OSError, ValueError):
            return self._done_bytes

    def __iter__(self) -> Iterator[InputRecord]:
        for index, path in enumerate(self._paths):
            if index < self._start.file_index:
                self._done_bytes += _size_or_zero(path)
                continue
            skip_to = self._start.line if index == self._start.file_index else 0
            yield from self._read_one(index, path, skip_to)

    def _read_one(self, index: int, path: str, skip_to: int) -> Iterator[InputRecord]:
        raw = _open_raw(path)
        self._raw = raw
        try:
            stream = _decompressing(raw)
            line_no = 0
            offset = 0
            try:
                for data in stream:
                    line_no += 1
                    start = offset
                    offset += len(data)
                    if line_no < skip_to:
                        continue
                    text = data.decode("utf-8", "surrogateescape")
                    # Strip exactly one line terminator; everything else is the operator's data.
                    if text.endswith("\n"):
                        text = text[:-2] if text.endswith("\r\n") else text[:-1]
                    if not text or text.isspace():
                        continue
                    yield InputRecord(path, line_no, text, start, index)
            except (EOFError, zlib.error, gzip.BadGzipFile) as exc:
                raise ConfigError(f"broken gzip data after line {line_no}: {exc}", source=path) from None
            except OSError as exc:
                raise ConfigError(f"read failed after line {line_no}: {exc}", source=path) from None
        finally:
            with contextlib.suppress(OSError, ValueError):
                self._done_bytes += raw.tell()
            self._raw = None
            if path != STDIN:
                raw.close()


def read_records(paths: Sequence[str], *, start: Position | None = None) -> Iterator[InputRecord]:
    """Records of every input in order (see :class:`InputReader`)."""
    return iter(InputReader(paths, start=start))


def _open_raw(path: str) -> BinaryIO:
    if path == STDIN:
        return sys.stdin.buffer
    try:
        return open(path, "rb", buffering=_READ_BUFFER)
    except OSError as exc:
        raise ConfigError(f"cannot open input: {exc.strerror}", source=path) from None


def _decompressing(raw: BinaryIO) -> BinaryIO:
    """The stream of lines: gzip is detected by its magic bytes, not by the file name."""
    peek = getattr(raw, "peek", None)
    if peek is not None:
        head = peek(2)[:2]
    else:  # a stream without peek (e.g. a pipe wrapper in tests): buffer it
        raw = io.BufferedReader(raw, _READ_BUFFER)  # type: ignore[arg-type]
        head = raw.peek(2)[:2]
    if head == _GZIP_MAGIC:
        return io.BufferedReader(gzip.GzipFile(fileobj=raw, mode="rb"), _READ_BUFFER)  # type: ignore[arg-type]
    return raw


def _size_or_zero(path: str) -> int:
    try:
        return 0 if path == STDIN else os.stat(path).st_size
    except OSError:
        return 0

"""The dead-letter file: one JSON line per failed (record, target), with the original input line.

A line that was not valid UTF-8 is kept exactly: ``input`` holds the text with the undecodable
bytes as lone surrogates (``\\udcXX`` escapes, which Python's ``json`` reads back) and
``input_base64`` holds the raw bytes, so any tool can restore the original line byte for byte.
"""

from __future__ import annotations

import base64
import json
import os
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

from mapper.outcome import TargetOutcome
from mapper.replay.reader import STDIN, InputRecord

STDIN_DEAD_LETTER = "replay.dead-letter.jsonl"


def default_dead_letter_path(inputs: Sequence[str]) -> Path:
    """``<first input>.dead-letter.jsonl``, or ``./replay.dead-letter.jsonl`` when reading stdin."""
    if not inputs or inputs[0] == STDIN:
        return Path(STDIN_DEAD_LETTER)
    return Path(inputs[0] + ".dead-letter.jsonl")


def dead_letter_entry(record: InputRecord, outcome: TargetOutcome) -> dict[str, object]:
    """The JSON object written for one failed outcome of one record."""
    entry: dict[str, object] = {
        "source": record.source,
        "line": record.line,
        "stage": outcome.stage.value if outcome.stage is not None else None,
        "target": outcome.target,
        "key": outcome.key,
        "status": outcome.status,
        "error": outcome.error,
        "input": record.text,
    }
    if not record.text.isascii():
        try:
            record.text.encode("utf-8")
        except UnicodeEncodeError:  # lone surrogates: the line was not valid UTF-8
            entry["input_base64"] = base64.b64encode(record.text.encode("utf-8", "surrogateescape")).decode(
                "ascii"
            )
    return entry


def original_line(entry: dict[str, object]) -> bytes:
    """The original input line (without terminator) of a dead-letter entry, byte for byte."""
    if "input_base64" in entry:
        return base64.b64decode(str(entry["input_base64"]))
    return str(entry["input"]).encode("utf-8")


class DeadLetterWriter:
    """Appends failed outcomes to a JSON Lines file; thread-safe.

    The file is created (and opened for appending, so a resumed run adds to it) only when the
    first failure is written. :meth:`flush_durably` makes everything written so far survive a
    crash; the runner calls it before a checkpoint moves past the failed records.
    """

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        self._file: TextIO | None = None
        self._lock = threading.Lock()
        self._unsynced = False
        self.written = 0

    def write(self, record: InputRecord, outcome: TargetOutcome) -> None:
        """Write one entry for ``outcome`` (a failed outcome of ``record``)."""
        # ensure_ascii keeps lone surrogates writable (as \\udcXX escapes) and the file pure ASCII.
        line = json.dumps(dead_letter_entry(record, outcome), ensure_ascii=True) + "\n"
        with self._lock:
            if self._file is None:
                self._file = open(self.path, "a", encoding="ascii")  # noqa: SIM115 - closed in close()
            self._file.write(line)
            self._unsynced = True
            self.written += 1

    def flush_durably(self) -> None:
        """Flush and fsync what was written so far (a no-op when nothing new was written)."""
        with self._lock:
            if self._file is None or not self._unsynced:
                return
            self._file.flush()
            os.fsync(self._file.fileno())
            self._unsynced = False

    def close(self) -> None:
        """Flush durably and close the file (if it was ever opened)."""
        self.flush_durably()
        with self._lock:
            if self._file is not None:
                self._file.close()
                self._file = None

    def __enter__(self) -> DeadLetterWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

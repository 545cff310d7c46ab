"""A progress bar for long replays: on a terminal only, refreshed a few times a second.

The runner calls :meth:`Progress.update` once per completed record; that call only compares a
counter, and redraws at most every ``interval_s`` — the per-event cost stays at a few hundred
nanoseconds.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from typing import TextIO

from rich.console import Console
from rich.progress import (
    BarColumn,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.progress import (
    Progress as RichProgress,
)

from mapper.replay.report import Tally

_CHECK_EVERY = 64  # records between clock reads


class Progress:
    """Shows events/s, archived, failed and (when the input size is known) an ETA.

    ``total_bytes`` / ``bytes_done`` come from :func:`~mapper.replay.reader.input_size` and
    :meth:`~mapper.replay.reader.InputReader.bytes_consumed`. Use :meth:`for_terminal` to get a
    bar only when ``stream`` is a TTY and not ``quiet``.
    """

    def __init__(
        self,
        *,
        total_bytes: int | None = None,
        bytes_done: Callable[[], int] | None = None,
        stream: TextIO | None = None,
        interval_s: float = 0.25,
    ) -> None:
        self._total = total_bytes
        self._bytes_done = bytes_done
        self._interval = interval_s
        self._console = Console(file=stream or sys.stderr)
        columns = [
            TextColumn("[bold]replay"),
            BarColumn(),
            TextColumn("{task.fields[stats]}"),
            TimeElapsedColumn(),
        ]
        if total_bytes:
            columns.append(TimeRemainingColumn())
        self._bar = RichProgress(*columns, console=self._console, transient=False, auto_refresh=False)
        self._task: TaskID | None = None
        self._countdown = 0
        self._last = 0.0
        self._started = 0.0
        self._first_read = 0
        self.redraws = 0

    @classmethod
    def for_terminal(
        cls,
        *,
        total_bytes: int | None = None,
        bytes_done: Callable[[], int] | None = None,
        stream: TextIO | None = None,
        quiet: bool = False,
    ) -> Progress | None:
        """A progress bar when ``stream`` (default stderr) is a terminal and not ``quiet``, else None."""
        stream = stream or sys.stderr
        if quiet or not stream.isatty():
            return None
        return cls(total_bytes=total_bytes, bytes_done=bytes_done, stream=stream)

    def start(self, tally: Tally) -> None:
        """Show the bar (``tally`` may already hold counts of earlier, resumed runs)."""
        self._started = self._last = time.monotonic()
        self._first_read = tally.read
        self._task = self._bar.add_task("replay", total=self._total, stats="")
        self._bar.start()

    def update(self, tally: Tally) -> None:
        """Called per completed record; redraws only every ``interval_s``."""
        self._countdown -= 1
        if self._countdown > 0:
            return
        self._countdown = _CHECK_EVERY
        now = time.monotonic()
        if now - self._last >= self._interval:
            self._last = now
            self._draw(tally, now)

    def stop(self, tally: Tally) -> None:
        """Final redraw and release the terminal."""
        if self._task is not None:
            self._draw(tally, time.monotonic())
        self._bar.stop()

    def _draw(self, tally: Tally, now: float) -> None:
        if self._task is None:
            return
        elapsed = max(now - self._started, 1e-9)
        rate = (tally.read - self._first_read) / elapsed
        stats = (
            f"{tally.read:,} events  {rate:,.0f}/s  archived {tally.archived + tally.already_archived:,}"
            f"  failed {tally.failed + tally.invalid:,}"
        )
        completed = self._bytes_done() if self._bytes_done is not None else None
        self._bar.update(self._task, completed=completed, stats=stats)
        self._bar.refresh()
        self.redraws += 1

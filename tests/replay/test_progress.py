"""Progress bar: only on terminals, redrawn a few times a second whatever the event rate."""

from __future__ import annotations

import io
import time

from mapper.replay.progress import Progress
from mapper.replay.report import Tally


def test_no_bar_when_not_a_terminal_or_quiet() -> None:
    assert Progress.for_terminal(stream=io.StringIO()) is None


def test_redraws_are_rate_limited() -> None:
    out = io.StringIO()
    progress = Progress(total_bytes=1000, bytes_done=lambda: 500, stream=out, interval_s=0.05)
    tally = Tally()
    progress.start(tally)
    started = time.monotonic()
    while time.monotonic() - started < 0.3:
        tally.read += 1
        tally.archived += 1
        progress.update(tally)
    progress.stop(tally)
    assert tally.read > 10_000  # cheap per event
    assert 1 <= progress.redraws <= 0.3 / 0.05 + 2
    assert "archived" in out.getvalue()

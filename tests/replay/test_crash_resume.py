"""Kill a real replay process (SIGKILL, SIGTERM) mid-run, resume it, and count what was sent."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

from crash_driver import WINDOW

DRIVER = Path(__file__).with_name("crash_driver.py")
N = 400
BROKEN = {50, 250}  # line numbers (1-based) that are not Ditto-like events


def setup(tmp_path: Path) -> tuple[list[str], Path]:
    lines = ['{"no-id": true}' if i + 1 in BROKEN else json.dumps({"id": i, "v": "x" * 50}) for i in range(N)]
    source = tmp_path / "events.jsonl"
    source.write_text("\n".join(lines) + "\n")
    return lines, source


def argv(tmp_path: Path, source: Path, delay: str) -> list[str]:
    return [
        sys.executable,
        str(DRIVER),
        str(source),
        str(tmp_path / "out"),
        str(tmp_path / "cp.json"),
        str(tmp_path / "dl.jsonl"),
        str(tmp_path / "sends.log"),
        delay,
    ]


def wait_for_sends(tmp_path: Path, at_least: int, proc: subprocess.Popen) -> None:
    deadline = time.monotonic() + 20
    sends = tmp_path / "sends.log"
    while time.monotonic() < deadline and proc.poll() is None:
        if sends.exists() and sends.read_bytes().count(b"\n") >= at_least:
            return
        time.sleep(0.01)
    raise AssertionError("driver made no progress")


def check_everything_done_once(tmp_path: Path, lines: list[str], report: dict) -> Counter:
    assert report["read"] == N and report["invalid"] == len(BROKEN)
    assert report["archived"] + report["already_archived"] == N - len(BROKEN)
    for i, line in enumerate(lines):
        if i + 1 not in BROKEN:
            assert (tmp_path / "out" / "events" / str(i)).read_text() == line
    dead = [json.loads(x) for x in (tmp_path / "dl.jsonl").read_text().splitlines()]
    assert {d["line"] for d in dead} == BROKEN
    sends = Counter((tmp_path / "sends.log").read_text().split())
    assert set(sends) == {f"events/{i}" for i in range(N) if i + 1 not in BROKEN}
    return sends


def test_sigkill_then_resume_resends_at_most_the_window(tmp_path: Path) -> None:
    lines, source = setup(tmp_path)
    proc = subprocess.Popen(argv(tmp_path, source, "0.002"), stdout=subprocess.PIPE)
    wait_for_sends(tmp_path, N // 3, proc)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert (tmp_path / "cp.json").exists()
    done = subprocess.run(argv(tmp_path, source, "0"), capture_output=True, check=True)
    report = json.loads(done.stdout)
    assert report["resumed"]
    sends = check_everything_done_once(tmp_path, lines, report)
    resent = [key for key, n in sends.items() if n > 1]
    assert all(n <= 2 for n in sends.values())
    # Re-sent: at most the in-flight window (the runner starts a record only while fewer than
    # WINDOW started records lie beyond the durably saved watermark).
    assert len(resent) <= WINDOW
    assert report["already_archived"] <= len(resent)


def test_sigterm_stops_gracefully_and_resume_resends_nothing(tmp_path: Path) -> None:
    lines, source = setup(tmp_path)
    proc = subprocess.Popen(argv(tmp_path, source, "0.002"), stdout=subprocess.PIPE)
    wait_for_sends(tmp_path, N // 3, proc)
    proc.send_signal(signal.SIGTERM)
    out, _ = proc.communicate(timeout=20)
    assert proc.returncode == 0
    first = json.loads(out)
    assert first["interrupted"] and first["read"] < N
    done = subprocess.run(argv(tmp_path, source, "0"), capture_output=True, check=True)
    sends = check_everything_done_once(tmp_path, lines, json.loads(done.stdout))
    assert max(sends.values()) == 1  # a graceful stop saves the exact position

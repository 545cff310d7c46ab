"""``mapper replay --checkpoint`` killed mid-run (SIGKILL, SIGTERM), then the same command again.

The real command runs in a child process and publishes through the S3 publisher to the fault
server, which answers every PUT after a small delay (so the replay is slow enough to be killed
half-way) and records each request. Zero loss is judged by the keys that got a 2xx answer; the
re-sent events are the keys answered twice, which must stay within the runner's in-flight window
(``8 * concurrency`` records).
"""

from __future__ import annotations

import json
import signal
import subprocess
import time
from collections import Counter
from pathlib import Path

from fault_server import FaultServer
from replay_cli import (
    SEED_SCRIPT,
    Sink,
    aws_env,
    popen_mapper,
    read_jsonl,
    run_mapper,
    seed_key,
    twin_event,
)

N = 600
BROKEN = {350, 450}  # 1-based line numbers that are not JSON (after the kill point)
CONCURRENCY = 2
WINDOW = 8 * CONCURRENCY  # the session's default window


def _event_log(tmp_path: Path) -> tuple[Path, list[str]]:
    lines = [
        "{not json" if i in BROKEN else twin_event(f"device-{i % 13}", i, {"reading": i})
        for i in range(1, N + 1)
    ]
    path = tmp_path / "events.jsonl"
    path.write_text("\n".join(lines) + "\n")
    return path, lines


def _command(tmp_path: Path, events: Path, url: str) -> list[object]:
    return [
        "replay", events, "--script", SEED_SCRIPT, "--to", "s3://bucket", "--endpoint-url", url,
        "--checkpoint", tmp_path / "replay.checkpoint", "--concurrency", str(CONCURRENCY),
        "--report", tmp_path / "report.json", "-q",
    ]  # fmt: skip


def _wait_for_answers(sink: Sink, at_least: int, proc: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if sum(sink.keys_ok().values()) >= at_least:
            return
        if proc.poll() is not None:
            raise AssertionError(f"replay ended before it could be killed: {proc.communicate()}")
        time.sleep(0.01)
    raise AssertionError("replay made no progress")


def _expected_keys(lines: list[str]) -> Counter[str]:
    return Counter(seed_key(json.loads(line)) for i, line in enumerate(lines, start=1) if i not in BROKEN)


def _check_resumed_replay(tmp_path: Path, lines: list[str], sink: Sink, result) -> Counter[str]:
    assert result.exit_code == 1, result.stderr  # the two broken lines were dead-lettered
    received = sink.keys_ok()
    expected = _expected_keys(lines)
    assert set(received) == set(expected)  # zero loss
    report = json.loads((tmp_path / "report.json").read_text())
    assert report["resumed"] and not report["interrupted"]
    # Counts cover the whole replay, each line once, however often it was sent.
    assert report["read"] == N and report["invalid"] == len(BROKEN)
    assert report["archived"] + report["already_archived"] == N - len(BROKEN)
    dead = read_jsonl(tmp_path / "events.jsonl.dead-letter.jsonl")
    assert {d["line"] for d in dead} == BROKEN and {d["stage"] for d in dead} == {"parse"}
    assert all(d["input"] == "{not json" for d in dead)
    return received


def test_sigkill_mid_replay_then_the_same_command_resumes_losing_nothing(tmp_path):
    events, lines = _event_log(tmp_path)
    sink = Sink(delay=0.01)
    env = aws_env(tmp_path, "AKIDEXAMPLE", "secret-example")
    with FaultServer(default=sink) as server:
        command = _command(tmp_path, events, server.url)
        proc = popen_mapper(command, env=env)
        try:
            _wait_for_answers(sink, N // 3, proc)
            proc.send_signal(signal.SIGKILL)
        finally:
            proc.wait(timeout=30)
        assert proc.returncode == -signal.SIGKILL
        before_resume = sum(sink.keys_ok().values())
        assert before_resume < N - len(BROKEN)  # killed mid-run
        assert (tmp_path / "replay.checkpoint").exists()
        sink.delay = 0
        result = run_mapper(command, env=env)
    received = _check_resumed_replay(tmp_path, lines, sink, result)
    resent = sorted(key for key, n in received.items() if n > 1)
    assert all(n <= 2 for n in received.values())
    # At most the in-flight window: no record starts while WINDOW started ones lie beyond the
    # durably saved watermark.
    assert len(resent) <= WINDOW, resent


def test_sigterm_stops_gracefully_and_the_same_command_finishes_the_rest(tmp_path):
    events, lines = _event_log(tmp_path)
    sink = Sink(delay=0.01)
    env = aws_env(tmp_path, "AKIDEXAMPLE", "secret-example")
    with FaultServer(default=sink) as server:
        command = _command(tmp_path, events, server.url)
        proc = popen_mapper(command, env=env)
        try:
            _wait_for_answers(sink, N // 3, proc)
            proc.send_signal(signal.SIGTERM)
        finally:
            proc.communicate(timeout=30)
        # Interrupted is not "every event archived": the exit status must not say success
        # (nothing failed before the stop, so only the interruption can make it non-zero).
        assert proc.returncode == 130
        first = json.loads((tmp_path / "report.json").read_text())
        assert first["interrupted"] and first["read"] < N
        sink.delay = 0
        result = run_mapper(command, env=env)
    received = _check_resumed_replay(tmp_path, lines, sink, result)
    # A graceful stop finishes what is in flight and saves the checkpoint: nothing is sent twice.
    assert max(received.values()) == 1

"""The ordered windowed runner with real threads, real files and the real key registry."""

from __future__ import annotations

import json
import random
import threading
import time
from pathlib import Path

import pytest
from replay_helpers import KeyedJob, job_for, json_prepare, published, records

from mapper.errors import MappingError, PublishError
from mapper.outcome import OutcomeKind, Stage, TargetOutcome
from mapper.replay.checkpoint import Checkpoint
from mapper.replay.dead_letter import DeadLetterWriter
from mapper.replay.reader import InputRecord, Position, read_records
from mapper.replay.runner import ReplayRunner


def make_runner(tmp_path: Path, prepare=json_prepare, execute=published, **kw) -> ReplayRunner:
    kw.setdefault("concurrency", 4)
    kw.setdefault("checkpoint", None)
    kw.setdefault("dead_letter", DeadLetterWriter(tmp_path / "dl.jsonl"))
    return ReplayRunner(prepare, execute, **kw)


def dead_letters(tmp_path: Path) -> list[dict]:
    path = tmp_path / "dl.jsonl"
    return [json.loads(x) for x in path.read_text().splitlines()] if path.exists() else []


def jittery(job: KeyedJob) -> TargetOutcome:
    time.sleep(random.random() / 2000)
    return published(job)


def test_every_record_gets_exactly_one_retirement_in_input_order(tmp_path: Path) -> None:
    lines = []
    for i in range(600):
        kind = i % 6
        lines.append(
            "not json" if kind == 0 else json.dumps({"id": f"k{i}", "filter": kind == 1, "drop": kind == 2})
        )
    seen: list[tuple[int, list[TargetOutcome]]] = []
    runner = make_runner(tmp_path, execute=jittery, on_record=lambda r, o: seen.append((r.line, o)))
    report = runner.run(records(lines))
    assert [line for line, _ in seen] == list(range(1, 601))
    assert all(len(outcomes) == 1 for _, outcomes in seen)
    counts = (report.read, report.invalid, report.filtered, report.dropped, report.archived)
    assert counts == (600, 100, 100, 100, 300)
    assert report.failed == report.already_archived == 0
    assert [d["line"] for d in dead_letters(tmp_path)] == list(range(1, 601, 6))
    assert all(d["stage"] == "parse" and d["input"] == "not json" for d in dead_letters(tmp_path))


def test_collisions_are_decided_in_input_order_not_completion_order(tmp_path: Path) -> None:
    # Line 1 claims "k" and is the slowest to publish; lines 2.. must still lose to it.
    def execute(job: KeyedJob) -> TargetOutcome:
        if job.payload == b'{"id": "k", "v": 1}':
            time.sleep(0.05)
        return published(job)

    lines = [json.dumps({"id": "k", "v": v}) for v in (1, 2, 1, 3)]
    outcomes: dict[int, TargetOutcome] = {}
    runner = make_runner(tmp_path, execute=execute, on_record=lambda r, o: outcomes.update({r.line: o[0]}))
    report = runner.run(records(lines, source="log.jsonl"))
    assert outcomes[1].kind is OutcomeKind.PUBLISHED
    assert outcomes[3].kind is OutcomeKind.ALREADY_ARCHIVED  # same event again: no publish
    assert outcomes[2].kind is outcomes[4].kind is OutcomeKind.FAILED
    assert outcomes[2].stage is Stage.COLLISION
    assert outcomes[2].error == "key collision: k was already written by log.jsonl:1 with different content"
    assert (report.archived, report.already_archived, report.failed) == (1, 1, 2)
    assert [(d["line"], d["stage"], d["key"]) for d in dead_letters(tmp_path)] == [
        (2, "collision", "k"),
        (4, "collision", "k"),
    ]


def test_window_bounds_records_in_flight_and_concurrency_bounds_executes(tmp_path: Path) -> None:
    lock = threading.Lock()
    live_records: set[int] = set()
    running = 0
    max_live = max_running = 0

    def prepare(record: InputRecord):
        nonlocal max_live
        with lock:
            live_records.add(record.line)
            max_live = max(max_live, len(live_records))
        return json_prepare(record)

    def execute(job: KeyedJob) -> TargetOutcome:
        nonlocal running, max_running
        with lock:
            running += 1
            max_running = max(max_running, running)
        time.sleep(random.random() / 1000)
        with lock:
            running -= 1
        return published(job)

    def retired(record: InputRecord, outcomes) -> None:
        with lock:
            live_records.remove(record.line)

    runner = make_runner(tmp_path, prepare, execute, concurrency=3, window=7, on_record=retired)
    report = runner.run(records(json.dumps({"id": i}) for i in range(400)))
    assert report.archived == 400
    assert max_live == runner.max_in_flight == 7
    assert max_running == 3


def test_multi_target_records_complete_when_all_items_do(tmp_path: Path) -> None:
    def prepare(record: InputRecord):
        return [
            TargetOutcome(OutcomeKind.FILTERED, target=0),
            job_for(f"a/{record.line}", b"x", target=1),
            job_for(f"b/{record.line}", b"y", target=2),
        ]

    got: list[list[int]] = []
    runner = make_runner(tmp_path, prepare, jittery, on_record=lambda r, o: got.append([x.target for x in o]))
    report = runner.run(records(["{}"] * 50))
    assert got == [[0, 1, 2]] * 50
    assert report.archived == 50
    assert report.outcomes == {"filtered": 50, "published": 100}


def test_exceptions_become_failed_outcomes_with_their_stage(tmp_path: Path) -> None:
    def prepare(record: InputRecord):
        if record.line == 1:
            raise MappingError("ReferenceError: x is not defined", script="map.js", line=3)
        if record.line == 2:
            raise RuntimeError("pipeline bug")
        return [job_for(f"k{record.line}", b"p")]

    def execute(job: KeyedJob) -> TargetOutcome:
        if job.key == "k3":
            raise PublishError("SlowDown", key="k3", status=503, code="SlowDown", attempts=6)
        if job.key == "k4":
            raise ZeroDivisionError("division by zero")
        if job.key == "k5":
            return None  # type: ignore[return-value]  # a broken execute
        return published(job)

    report = make_runner(tmp_path, prepare, execute).run(records(["{}"] * 6))
    assert (report.read, report.failed, report.archived) == (6, 5, 1)
    entries = {d["line"]: d for d in dead_letters(tmp_path)}
    assert entries[1]["stage"] == "map" and "map.js:3: ReferenceError" in entries[1]["error"]
    assert entries[2]["stage"] is None and entries[2]["error"] == "prepare failed: RuntimeError: pipeline bug"
    assert (entries[3]["stage"], entries[3]["status"], entries[3]["key"]) == ("publish", 503, "k3")
    assert report.retries == 5
    assert entries[4]["error"] == "ZeroDivisionError: division by zero"
    assert "execute returned NoneType" in entries[5]["error"]


def test_stop_then_resume_skips_completed_records(write_lines, tmp_path: Path) -> None:
    n = 500
    path = write_lines("in.jsonl", [json.dumps({"id": i}) for i in range(n)])
    prepared: list[int] = []

    def prepare(record: InputRecord):
        prepared.append(record.line)
        return json_prepare(record)

    def stop_at_200(record: InputRecord, outcomes) -> None:
        if record.line == 200:
            runner.request_stop()

    checkpoint = Checkpoint(tmp_path / "cp.json", [str(path)])
    runner = make_runner(tmp_path, prepare, jittery, checkpoint=checkpoint, window=16, on_record=stop_at_200)
    first = runner.run(read_records([str(path)]))
    assert first.interrupted and 200 <= first.read < n
    saved = checkpoint.load()
    assert saved is not None and not saved.done
    assert saved.watermark == Position(0, first.read + 1)
    assert checkpoint.saves > 3  # saved along the way, not only at the end

    prepared.clear()
    runner = make_runner(tmp_path, prepare, jittery, checkpoint=Checkpoint(tmp_path / "cp.json", [str(path)]))
    second = runner.run(read_records([str(path)]))
    assert second.resumed and not second.interrupted
    assert prepared == list(range(first.read + 1, n + 1))
    assert second.read == second.archived == n  # counts cover both runs
    assert checkpoint.load().done

    # A completed replay has nothing left to do.
    prepared.clear()
    third = make_runner(tmp_path, prepare, jittery, checkpoint=checkpoint).run(read_records([str(path)]))
    assert prepared == [] and third.read == n


def test_checkpoint_waits_for_the_dead_letter_file(write_lines, tmp_path: Path) -> None:
    # Every record fails; whenever the checkpoint moves, all records before it must be dead-lettered.
    path = write_lines("in.jsonl", ["broken"] * 300)
    checkpoint = Checkpoint(tmp_path / "cp.json", [str(path)])
    observed: list[tuple[int, int]] = []
    original_save = checkpoint.save

    def save(position, counters, *, done=False) -> None:
        # Complete lines only: the writer may be mid-line for records after ``position``.
        observed.append((position.line - 1, (tmp_path / "dl.jsonl").read_bytes().count(b"\n")))
        original_save(position, counters, done=done)

    checkpoint.save = save  # type: ignore[method-assign]  # observe, then do the real save
    report = make_runner(tmp_path, window=8, checkpoint=checkpoint).run(read_records([str(path)]))
    assert report.invalid == 300
    assert len(observed) >= 2  # the saver coalesces requests, so the number varies
    assert all(dead_lettered >= completed for completed, dead_lettered in observed)


def test_bad_arguments() -> None:
    with pytest.raises(ValueError, match="concurrency"):
        ReplayRunner(
            json_prepare, published, concurrency=0, checkpoint=None, dead_letter=DeadLetterWriter("x")
        )


# -- batches, the mapping thread, the re-send bound ----------------------------------------------

MODES = {
    "one by one": {},
    "batches": {"batch_size": 7},
    "batches in a mapping thread": {"batch_size": 7, "mapping_thread": True},
}


def batch_of(prepare):
    """A prepare_batch made of ``prepare`` (what a batching pipeline must be equivalent to)."""
    calls: list[int] = []

    def prepare_batch(batch):
        calls.append(len(batch))
        return [prepare(record) for record in batch]

    prepare_batch.calls = calls  # type: ignore[attr-defined]
    return prepare_batch


def mode_kw(mode: str, prepare=json_prepare) -> dict:
    kw = dict(MODES[mode])
    if "batch_size" in kw:
        kw["prepare_batch"] = batch_of(prepare)
    return kw


@pytest.mark.parametrize("mode", MODES)
def test_every_mode_retires_every_record_in_order_with_the_same_outcomes(tmp_path: Path, mode: str) -> None:
    lines = ["not json" if i % 5 == 0 else json.dumps({"id": i, "filter": i % 5 == 1}) for i in range(200)]
    seen: list[tuple[int, str]] = []
    runner = make_runner(
        tmp_path,
        execute=jittery,
        on_record=lambda r, o: seen.append((r.line, o[0].kind.value)),
        **mode_kw(mode),
    )
    report = runner.run(records(lines))
    assert [line for line, _ in seen] == list(range(1, 201))
    expected = ["failed" if i % 5 == 0 else "filtered" if i % 5 == 1 else "published" for i in range(200)]
    assert [kind for _, kind in seen] == expected
    assert (report.read, report.invalid, report.filtered, report.archived) == (200, 40, 40, 120)
    prepare_batch = runner._prepare_batch
    if prepare_batch is not None:  # 200 records in batches of 7: 28 full ones and the rest
        assert prepare_batch.calls == [7] * 28 + [4]  # type: ignore[attr-defined]


def test_a_failing_prepare_batch_falls_back_to_each_record_alone(tmp_path: Path) -> None:
    def prepare_batch(batch):
        if any(record.line == 10 for record in batch):
            raise RuntimeError("batch broke")
        if any(record.line == 20 for record in batch):
            return []  # wrong length: not trusted either
        return [json_prepare(record) for record in batch]

    def prepare(record: InputRecord):
        if record.line == 10:
            raise RuntimeError("this one")
        return json_prepare(record)

    seen: dict[int, TargetOutcome] = {}
    runner = make_runner(
        tmp_path, prepare, prepare_batch=prepare_batch, batch_size=4,
        on_record=lambda r, o: seen.update({r.line: o[0]}),
    )  # fmt: skip
    report = runner.run(records(json.dumps({"id": i}) for i in range(30)))
    assert (report.read, report.archived, report.failed) == (30, 29, 1)
    assert seen[10].error == "prepare failed: RuntimeError: this one"  # charged to its record only
    assert all(seen[line].kind is OutcomeKind.PUBLISHED for line in range(1, 31) if line != 10)


@pytest.mark.parametrize("mode", MODES)
def test_a_broken_input_stops_after_the_records_before_it(tmp_path: Path, mode: str) -> None:
    def broken_input():
        yield from records(json.dumps({"id": i}) for i in range(25))
        raise OSError("truncated gzip stream")

    seen: list[int] = []
    runner = make_runner(tmp_path, on_record=lambda r, o: seen.append(r.line), **mode_kw(mode))
    with pytest.raises(OSError, match="truncated"):
        runner.run(broken_input())
    assert seen == list(range(1, 26))


@pytest.mark.parametrize("mode", MODES)
def test_stop_with_batches_read_ahead_loses_nothing_on_resume(write_lines, tmp_path: Path, mode: str) -> None:
    path = write_lines("in.jsonl", [json.dumps({"id": i}) for i in range(300)])
    published_keys: list[str] = []

    def execute(job: KeyedJob) -> TargetOutcome:
        published_keys.append(job.key)
        return jittery(job)

    def stop_at_100(record: InputRecord, outcomes) -> None:
        if record.line == 100:
            runner.request_stop()

    checkpoint = Checkpoint(tmp_path / "cp.json", [str(path)])
    runner = make_runner(
        tmp_path, execute=execute, checkpoint=checkpoint, window=16, on_record=stop_at_100, **mode_kw(mode)
    )
    first = runner.run(read_records([str(path)]))
    assert first.interrupted and 100 <= first.read < 300
    runner = make_runner(tmp_path, execute=execute, checkpoint=checkpoint, window=16, **mode_kw(mode))
    second = runner.run(read_records([str(path)]))
    assert second.read == second.archived == 300
    assert sorted(published_keys, key=int) == [str(i) for i in range(300)]  # each exactly once


@pytest.mark.parametrize("mode", MODES)
def test_never_more_than_window_records_started_beyond_the_durably_saved_watermark(
    write_lines, tmp_path: Path, mode: str
) -> None:
    # Slow saves (a loaded disk): the runner must wait for them rather than run ahead.
    window = 8
    path = write_lines("in.jsonl", [json.dumps({"id": i}) for i in range(400)])
    checkpoint = Checkpoint(tmp_path / "cp.json", [str(path)])
    durable_line = 1  # the first line not covered by a durably saved watermark
    worst = 0
    original_save = checkpoint.save

    def slow_save(position, counters, *, done=False) -> None:
        nonlocal durable_line
        time.sleep(0.003)
        original_save(position, counters, done=done)
        durable_line = position.line

    def execute(job: KeyedJob) -> TargetOutcome:
        nonlocal worst
        # What a crash now would send again: this record and every started one since the watermark.
        worst = max(worst, int(job.key) + 1 - durable_line + 1)
        return published(job)

    checkpoint.save = slow_save  # type: ignore[method-assign]  # observe, then do the real save
    runner = make_runner(tmp_path, execute=execute, checkpoint=checkpoint, window=window, **mode_kw(mode))
    report = runner.run(read_records([str(path)]))
    assert report.archived == 400
    assert 1 < runner.max_unsaved <= window
    assert worst <= window
    assert checkpoint.saves > 400 // window  # saves kept pace


def test_without_a_checkpoint_only_the_window_limits_the_reader(tmp_path: Path) -> None:
    runner = make_runner(tmp_path, window=8, **mode_kw("batches in a mapping thread"))
    report = runner.run(records(json.dumps({"id": i}) for i in range(100)))
    assert report.archived == 100 and runner.max_unsaved == 0 and runner.max_in_flight <= 8


def test_bad_batch_size() -> None:
    with pytest.raises(ValueError, match="batch_size"):
        ReplayRunner(
            json_prepare,
            published,
            concurrency=1,
            checkpoint=None,
            dead_letter=DeadLetterWriter("x"),
            batch_size=0,
        )

"""Checkpoint: round trip, atomic replacement, refusing another replay's checkpoint."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from mapper.errors import ConfigError
from mapper.replay.checkpoint import Checkpoint
from mapper.replay.reader import Position


def test_round_trip_and_done(write_lines, tmp_path: Path) -> None:
    a = write_lines("a.jsonl", ["{}"] * 3)
    cp = Checkpoint(tmp_path / "cp.json", [str(a)], {"connection": "abc"})
    assert cp.load() is None
    cp.save(Position(0, 2), {"read": 1, "elapsed_s": 0.5})
    state = cp.load()
    assert state is not None
    assert state.watermark == Position(0, 2)
    assert state.counters == {"read": 1, "elapsed_s": 0.5}
    assert not state.done
    cp.done(Position(0, 4), {"read": 3})
    assert Checkpoint(tmp_path / "cp.json", [str(a)], {"connection": "abc"}).load().done


def test_save_replaces_atomically_and_leaves_no_temp_files(write_lines, tmp_path: Path) -> None:
    a = write_lines("a.jsonl", ["{}"])
    cp = Checkpoint(tmp_path / "cp.json", [str(a)])
    inode_before = None
    for line in range(1, 20):
        cp.save(Position(0, line), {"read": line})
        inode = os.stat(tmp_path / "cp.json").st_ino
        assert inode != inode_before  # a new file renamed over the old one, never rewritten in place
        inode_before = inode
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.jsonl", "cp.json"]
    assert cp.load().watermark == Position(0, 19)


def test_other_inputs_are_refused(write_lines, tmp_path: Path) -> None:
    a = write_lines("a.jsonl", ["{}"])
    b = write_lines("b.jsonl", ["{}"])
    Checkpoint(tmp_path / "cp.json", [str(a)]).save(Position(0, 1), {})
    with pytest.raises(ConfigError, match="checkpoint belongs to a different replay: it was written for"):
        Checkpoint(tmp_path / "cp.json", [str(b)]).load()
    with pytest.raises(ConfigError, match="different replay"):
        Checkpoint(tmp_path / "cp.json", [str(a), str(b)]).load()


def test_changed_input_is_refused(write_lines, tmp_path: Path) -> None:
    a = write_lines("a.jsonl", ['{"n":1}'])
    Checkpoint(tmp_path / "cp.json", [str(a)]).save(Position(0, 1), {})
    a.write_text('{"n":2}\n')  # same size, other content
    with pytest.raises(ConfigError, match="has different content"):
        Checkpoint(tmp_path / "cp.json", [str(a)]).load()
    a.write_text('{"n":22}\n')
    with pytest.raises(ConfigError, match="changed size"):
        Checkpoint(tmp_path / "cp.json", [str(a)]).load()


def test_other_settings_are_refused(write_lines, tmp_path: Path) -> None:
    a = write_lines("a.jsonl", ["{}"])
    old = Checkpoint(tmp_path / "cp.json", [str(a)], {"target": "s3://x", "no_overwrite": "true"})
    old.save(Position(0, 1), {})
    with pytest.raises(ConfigError, match=r"settings differ \(target\)"):
        Checkpoint(tmp_path / "cp.json", [str(a)], {"target": "s3://y", "no_overwrite": "true"}).load()


def test_stdin_cannot_be_checkpointed() -> None:
    with pytest.raises(ConfigError, match="stdin"):
        Checkpoint("cp.json", ["-"])


def test_corrupt_checkpoint_is_a_clear_error(write_lines, tmp_path: Path) -> None:
    a = write_lines("a.jsonl", ["{}"])
    (tmp_path / "cp.json").write_text('{"version": 1, "inputs": "nope"')
    with pytest.raises(ConfigError, match="not a valid checkpoint file"):
        Checkpoint(tmp_path / "cp.json", [str(a)]).load()


def test_before_save_runs_before_the_watermark_moves(write_lines, tmp_path: Path) -> None:
    inputs = [str(write_lines("a.jsonl", ["{}"] * 3))]
    path = tmp_path / "ckpt.json"
    seen: list[int | None] = []

    def before_save() -> None:  # what the checkpoint file says when the hook runs
        state = Checkpoint(path, inputs).load()
        seen.append(None if state is None else state.watermark.line)

    checkpoint = Checkpoint(path, inputs, before_save=before_save)
    checkpoint.save(Position(0, 2), {})
    checkpoint.save(Position(0, 4), {})
    assert seen == [None, 2]  # each time, the hook ran while the older watermark still stood
    assert Checkpoint(path, inputs).load().watermark == Position(0, 4)


def test_a_failing_before_save_keeps_the_old_watermark(write_lines, tmp_path: Path) -> None:
    inputs = [str(write_lines("a.jsonl", ["{}"]))]
    path = tmp_path / "ckpt.json"
    Checkpoint(path, inputs).save(Position(0, 1), {})

    def fail() -> None:
        raise OSError("disk gone")

    with pytest.raises(OSError, match="disk gone"):
        Checkpoint(path, inputs, before_save=fail).save(Position(0, 2), {})
    assert Checkpoint(path, inputs).load().watermark == Position(0, 1)

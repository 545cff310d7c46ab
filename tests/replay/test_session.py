"""run_replay (what ``mapper replay`` runs) gives the same result whichever way it prepares events."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

import mapper.publish.directory as directory_module
from mapper.replay.checkpoint import Checkpoint
from mapper.replay.session import ReplayOptions, run_replay

SCRIPT = """
function mapFromDittoProtocolMsgWrapper(msg) {
  const v = msg.value || {};
  if (v.fail) throw new Error('cannot map revision ' + msg.revision);
  if (v.drop) return null;
  const key = v.key || ('events/' + msg.revision);
  return Ditto.buildExternalMsg({'http.path': key}, JSON.stringify(msg), null, 'application/json');
}
"""


def _line(i: int) -> str:
    """A log line whose fate depends on i: archived, invalid, failing, dropped, colliding."""
    if i % 17 == 3:
        return "{not json"
    if i % 19 == 4:
        return json.dumps({"topic": "a/b/things/twin/events/modified", "headers": {}})  # no path
    value: dict[str, object] = {"n": i}
    if i % 13 == 5:
        value["fail"] = True
    elif i % 11 == 6:
        value["drop"] = True
    elif i % 23 == 7:
        value["key"] = "shared/one"  # collides after the first one, unless the content is equal
    return json.dumps(
        {
            "topic": f"org.acme/dev-{i % 7}/things/twin/events/modified",
            "headers": {},
            "path": "/features/f/properties",
            "value": value,
            "revision": i,
        }
    )


MODES = {
    "one by one": {"batch_size": 1, "mapping_thread": False},
    "batches": {"batch_size": 64, "mapping_thread": False},
    "batches in a mapping thread (default)": {},
}


@pytest.fixture(scope="module")
def event_log(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    directory = tmp_path_factory.mktemp("log")
    events = directory / "events.jsonl"
    events.write_text("".join(_line(i) + "\n" for i in range(1, 301)))
    script = directory / "map.js"
    script.write_text(SCRIPT)
    return events, script


def _replay(
    tmp_path: Path, events: Path, script: Path, mode: dict
) -> tuple[dict, list[dict], dict[str, str]]:
    out = tmp_path / "out"
    dead_letter = tmp_path / "dead.jsonl"
    options = ReplayOptions(
        inputs=(str(events),),
        script=script,
        to=str(out),
        dead_letter=dead_letter,
        checkpoint=tmp_path / "replay.checkpoint",
        quiet=True,
        **mode,
    )
    report = run_replay(options).model_dump(
        exclude={"elapsed_s", "events_per_s", "dead_letter", "checkpoint"}
    )
    dead = [json.loads(line) for line in dead_letter.read_text().splitlines()]
    files = {p.relative_to(out).as_posix(): p.read_text() for p in out.rglob("*") if p.is_file()}
    return report, dead, files


def test_every_preparation_mode_archives_and_dead_letters_the_same(tmp_path: Path, event_log) -> None:
    events, script = event_log
    results = {
        name: _replay(tmp_path / str(i), events, script, mode) for i, (name, mode) in enumerate(MODES.items())
    }
    report, dead, files = results["one by one"]
    assert report["read"] == 300
    assert {d["stage"] for d in dead} == {"parse", "validate", "map", "collision"}
    assert [d["line"] for d in dead] == sorted(d["line"] for d in dead)  # dead-lettered in input order
    assert report["archived"] == len(files) > 200
    for name, result in results.items():
        assert result == (report, dead, files), name


REPO_ROOT = Path(__file__).resolve().parents[2]
FIXTURE_EVENTS = REPO_ROOT / "fixtures" / "events" / "twin-events.jsonl"
SEED_SCRIPT = REPO_ROOT / "mappings" / "s3-per-revision.js"


def test_directory_objects_are_synced_before_each_checkpoint(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    events: list[str] = []  # "sync" and "save" in the order they happened
    real_sync = directory_module._sync_file_system
    real_save = Checkpoint.save

    def recording_sync(path: str) -> None:
        events.append("sync")
        real_sync(path)

    def recording_save(self: Checkpoint, *args: object, **kwargs: object) -> None:
        real_save(self, *args, **kwargs)  # type: ignore[arg-type]
        events.append("save")

    monkeypatch.setattr(directory_module, "_sync_file_system", recording_sync)
    monkeypatch.setattr(Checkpoint, "save", recording_save)
    report = run_replay(
        ReplayOptions(
            inputs=(str(FIXTURE_EVENTS),),
            script=SEED_SCRIPT,
            to=str(tmp_path / "archive"),
            checkpoint=tmp_path / "ckpt.json",
            concurrency=2,
            quiet=True,
        )
    )
    assert report.archived == report.read > 0
    assert len(os.listdir(tmp_path / "archive")) == report.read
    # The first checkpoint follows writes: the archive's file system was synced right before it.
    assert events[:2] == ["sync", "save"]
    # No save ever follows unsynced writes: a sync is never the last thing (nothing left unsynced).
    assert events[-1] == "save"

"""benchmarks/generate_events.py writes valid, deterministic, realistic twin events."""

from __future__ import annotations

import gzip
import importlib.util
import json
import statistics
import sys
from pathlib import Path
from types import ModuleType

import pytest

from mapper.protocol import parse_topic, validate_envelope

SCRIPT = Path(__file__).resolve().parents[2] / "benchmarks" / "generate_events.py"


@pytest.fixture(scope="module")
def generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("generate_events", SCRIPT)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def test_events_are_valid_with_increasing_revisions_per_thing(generator: ModuleType) -> None:
    last: dict[str, int] = {}
    actions = set()
    for event in generator.generate_events(5000, things=40):
        validate_envelope(event)
        topic = parse_topic(event["topic"])
        if topic.thing_id not in last:
            assert (topic.action, event["path"]) == ("created", "/")
        assert event["revision"] == last.get(topic.thing_id, 0) + 1
        last[topic.thing_id] = event["revision"]
        actions.add(topic.action)
        if topic.action == "merged":
            assert event["headers"]["content-type"] == "application/merge-patch+json"
        if topic.action == "deleted":
            assert "value" not in event
    assert actions == {"created", "modified", "merged", "deleted"}
    assert len(last) == 40
    assert any(" " in t or not t.isascii() for t in last)


def test_same_seed_same_events_other_seed_other_events(generator: ModuleType) -> None:
    first = list(generator.generate_events(300, seed=7))
    assert first == list(generator.generate_events(300, seed=7))
    assert first != list(generator.generate_events(300, seed=8))


def test_written_lines_are_realistically_sized_and_gzip_works(generator: ModuleType, tmp_path: Path) -> None:
    plain, packed = tmp_path / "e.jsonl", tmp_path / "e.jsonl.gz"
    size = generator.write_events(3000, plain, things=100)
    generator.write_events(3000, packed, things=100)
    data = plain.read_bytes()
    assert len(data) == size
    assert gzip.decompress(packed.read_bytes()) == data
    lines = data.decode("utf-8").splitlines()
    assert len(lines) == 3000
    assert all(validate_envelope(json.loads(line)) for line in lines)
    assert 300 <= statistics.median(len(line.encode("utf-8")) for line in lines) <= 600


def test_command_line(generator: ModuleType, tmp_path: Path) -> None:
    out = tmp_path / "cli.jsonl"
    assert generator.main(["25", str(out), "--seed", "3", "--things", "5"]) == 0
    assert out.read_text(encoding="utf-8").count("\n") == 25

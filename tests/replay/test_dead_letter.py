"""Dead-letter file: format, lazy creation, appending, byte-exact original lines, default paths."""

from __future__ import annotations

import json
from pathlib import Path

from mapper.outcome import OutcomeKind, Stage, TargetOutcome
from mapper.replay.dead_letter import DeadLetterWriter, default_dead_letter_path, original_line
from mapper.replay.reader import InputRecord

FAILED = TargetOutcome(
    OutcomeKind.FAILED, target=1, key="t/k", status=503, attempts=4, stage=Stage.PUBLISH, error="503 SlowDown"
)


def test_entry_format(tmp_path: Path) -> None:
    path = tmp_path / "dl.jsonl"
    with DeadLetterWriter(path) as writer:
        writer.write(InputRecord("in.jsonl", 7, '{"topic":"x"}'), FAILED)
    [entry] = [json.loads(line) for line in path.read_text().splitlines()]
    assert entry == {
        "source": "in.jsonl",
        "line": 7,
        "stage": "publish",
        "target": 1,
        "key": "t/k",
        "status": 503,
        "error": "503 SlowDown",
        "input": '{"topic":"x"}',
    }


def test_created_lazily_and_appends(tmp_path: Path) -> None:
    path = tmp_path / "dl.jsonl"
    writer = DeadLetterWriter(path)
    writer.flush_durably()
    writer.close()
    assert not path.exists()
    for line in (1, 2):
        with DeadLetterWriter(path) as writer:
            writer.write(InputRecord("in", line, "x"), FAILED)
    assert [json.loads(x)["line"] for x in path.read_text().splitlines()] == [1, 2]


def test_invalid_utf8_and_non_ascii_survive_byte_for_byte(tmp_path: Path) -> None:
    raw_bad = b'{"n":"caf\xe9 \xff"}'
    raw_good = '{"n":"café 東京"}'.encode()
    path = tmp_path / "dl.jsonl"
    with DeadLetterWriter(path) as writer:
        for i, raw in enumerate((raw_bad, raw_good)):
            writer.write(InputRecord("in", i, raw.decode("utf-8", "surrogateescape")), FAILED)
    entries = [json.loads(line) for line in path.read_bytes().splitlines()]
    assert [original_line(e) for e in entries] == [raw_bad, raw_good]
    assert "input_base64" in entries[0] and "input_base64" not in entries[1]
    assert entries[1]["input"] == '{"n":"café 東京"}'


def test_default_paths() -> None:
    assert default_dead_letter_path(["logs/a.jsonl.gz", "b"]) == Path("logs/a.jsonl.gz.dead-letter.jsonl")
    assert default_dead_letter_path(["-"]) == Path("replay.dead-letter.jsonl")

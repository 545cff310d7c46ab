"""Reading JSON Lines inputs: order, gzip, stdin, blank lines, invalid UTF-8, errors before work."""

from __future__ import annotations

import gzip
import io
import subprocess
import sys
from pathlib import Path

import pytest

from mapper.errors import ConfigError
from mapper.replay.reader import InputReader, Position, check_inputs, input_size, read_records


def test_several_files_in_order_with_blank_lines_counted(write_lines) -> None:
    a = write_lines("a.jsonl", ['{"n":1}', "", "   ", '{"n":2}'])
    b = write_lines("b.jsonl", ["", '{"n":3}'])
    got = [(r.source, r.line, r.text, r.file_index) for r in read_records([str(a), str(b)])]
    assert got == [
        (str(a), 1, '{"n":1}', 0),
        (str(a), 4, '{"n":2}', 0),
        (str(b), 2, '{"n":3}', 1),
    ]


def test_offsets_point_at_line_starts(write_lines) -> None:
    path = write_lines("a.jsonl", ["first", "", "third"])
    data = path.read_bytes()
    for record in read_records([str(path)]):
        assert record.offset is not None
        assert data[record.offset :].startswith(record.text.encode())


def test_crlf_and_missing_final_newline(tmp_path: Path) -> None:
    path = tmp_path / "crlf.jsonl"
    path.write_bytes(b'{"a":1}\r\n{"b":2}')
    assert [r.text for r in read_records([str(path)])] == ['{"a":1}', '{"b":2}']


def test_gzip_is_read_transparently_and_detected_by_content(tmp_path: Path) -> None:
    lines = [f'{{"n":{i}}}' for i in range(1000)]
    gz = tmp_path / "events.jsonl.gz"
    gz.write_bytes(gzip.compress(("\n".join(lines) + "\n").encode()))
    disguised = tmp_path / "events.log"  # gzip content without the .gz name
    disguised.write_bytes(gz.read_bytes())
    assert [r.text for r in read_records([str(gz)])] == lines
    assert [r.text for r in read_records([str(disguised)])] == lines


def test_multi_member_gzip(tmp_path: Path) -> None:
    path = tmp_path / "rotated.gz"
    path.write_bytes(gzip.compress(b"one\n") + gzip.compress(b"two\n"))
    assert [r.text for r in read_records([str(path)])] == ["one", "two"]


def test_invalid_utf8_becomes_a_record_with_recoverable_bytes(tmp_path: Path) -> None:
    raw = b'{"name":"caf\xe9"}'  # Latin-1, not UTF-8
    path = tmp_path / "bad.jsonl"
    path.write_bytes(b'{"ok":1}\n' + raw + b"\n")
    got = list(read_records([str(path)]))
    assert len(got) == 2
    assert got[1].line == 2
    assert got[1].text.encode("utf-8", "surrogateescape") == raw


def test_stdin_in_a_subprocess_with_gzip() -> None:
    data = gzip.compress(b'{"n":1}\n\n{"n":2}\n')
    script = (
        "from mapper.replay.reader import read_records\n"
        "for r in read_records(['-']): print(r.source, r.line, r.text)\n"
    )
    out = subprocess.run([sys.executable, "-c", script], input=data, capture_output=True, check=True)
    assert out.stdout.decode().splitlines() == ['- 1 {"n":1}', '- 3 {"n":2}']


def test_stdin_plain_via_sys_stdin_buffer(monkeypatch: pytest.MonkeyPatch) -> None:
    fake = io.TextIOWrapper(io.BufferedReader(io.BytesIO(b"a\nb\n")))
    monkeypatch.setattr(sys, "stdin", fake)
    assert [(r.source, r.text) for r in read_records(["-"])] == [("-", "a"), ("-", "b")]


def test_start_skips_earlier_files_and_lines(write_lines) -> None:
    a = write_lines("a.jsonl", ["a1", "a2"])
    b = write_lines("b.jsonl", ["b1", "b2", "b3"])
    got = [r.text for r in read_records([str(a), str(b)], start=Position(1, 2))]
    assert got == ["b2", "b3"]


def test_bytes_consumed_reaches_input_size(write_lines, tmp_path: Path) -> None:
    a = write_lines("a.jsonl", ["x" * 100] * 50)
    gz = tmp_path / "b.gz"
    gz.write_bytes(gzip.compress(b"y\n" * 5000))
    paths = [str(a), str(gz)]
    reader = InputReader(paths)
    seen = [reader.bytes_consumed() for _ in reader]
    assert seen == sorted(seen)
    assert reader.bytes_consumed() == input_size(paths) == a.stat().st_size + gz.stat().st_size
    assert input_size(["-"]) is None


def test_check_inputs_rejects_unreadable_inputs(tmp_path: Path, write_lines) -> None:
    good = write_lines("good.jsonl", ["{}"])
    with pytest.raises(ConfigError, match="does not exist"):
        check_inputs([str(good), str(tmp_path / "missing.jsonl")])
    with pytest.raises(ConfigError, match="directory"):
        check_inputs([str(tmp_path)])
    fake_gz = tmp_path / "fake.gz"
    fake_gz.write_bytes(b"plain text\n")
    with pytest.raises(ConfigError, match="not gzip"):
        check_inputs([str(fake_gz)])
    with pytest.raises(ConfigError, match="only once"):
        check_inputs(["-", "-"])
    with pytest.raises(ConfigError, match="no input"):
        check_inputs([])
    check_inputs([str(good), "-"])


def test_truncated_gzip_fails_with_the_line_reached(tmp_path: Path) -> None:
    data = gzip.compress(b"".join(b'{"n":%d}\n' % i for i in range(5000)))
    path = tmp_path / "cut.gz"
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(ConfigError, match=r"cut\.gz: broken gzip data after line \d+"):
        list(read_records([str(path)]))

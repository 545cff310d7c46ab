"""``mapper map``: JSON / array / JSON Lines / gzip in, one JSON line per result out, errors located."""

from __future__ import annotations

import base64
import gzip
import json
from pathlib import Path

from click.testing import CliRunner

from mapper.cli.main import cli

REPO_ROOT = Path(__file__).resolve().parents[2]
SEED = str(REPO_ROOT / "mappings" / "s3-per-revision.js")


def event(revision: int, path: str = "/attributes/a") -> dict:
    return {
        "topic": "com.acme/brewer/things/twin/events/modified",
        "headers": {"correlation-id": "c"},
        "path": path,
        "value": revision,
        "revision": revision,
    }


def run(*args: str, input: str | None = None):
    return CliRunner().invoke(cli, ["map", *args], input=input)


def jsonl(*docs) -> str:
    return "".join(json.dumps(d) + "\n" for d in docs)


def test_seed_script_over_json_lines(tmp_path):
    source = tmp_path / "events.jsonl"
    source.write_text(jsonl(event(1), event(2)))
    result = run("--script", SEED, str(source))
    assert result.exit_code == 0, result.stderr
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [line["headers"]["http.path"] for line in lines] == [
        "com.acme:brewer:things:twin:events:modified:1",
        "com.acme:brewer:things:twin:events:modified:2",
    ]
    assert lines[0] == {
        "headers": lines[0]["headers"],
        "textPayload": json.dumps(event(1), separators=(",", ":")),
        "bytePayload": None,
        "contentType": "application/json",
    }


def test_stdin_array_single_document_and_gzip_inputs(tmp_path):
    assert run("--script", SEED, input=json.dumps([event(1), event(2)])).stdout.count("\n") == 2
    pretty = json.dumps(event(3), indent=2)
    assert len(run("--script", SEED, "-", input=pretty).stdout.splitlines()) == 1
    packed = tmp_path / "events.jsonl.gz"
    packed.write_bytes(gzip.compress(jsonl(event(4), event(5)).encode()))
    result = run(str(packed))  # no script: plain Ditto Protocol
    assert result.exit_code == 0
    assert [
        json.loads(json.loads(line)["textPayload"])["revision"] for line in result.stdout.splitlines()
    ] == [4, 5]


def test_failures_name_the_position_and_the_rest_goes_on(tmp_path):
    script = tmp_path / "out.js"
    script.write_text(
        "function mapFromDittoProtocolMsgWrapper(msg) {\n"
        "  if (msg.revision === 2) { return msg.nothing.here; }\n"
        "  return Ditto.buildExternalMsg({}, 'r' + msg.revision, null, null);\n}\n"
    )
    source = tmp_path / "in.jsonl"
    source.write_text(
        jsonl(event(1), event(2))
        + '{"topic": \n'
        + "\n"
        + jsonl({"topic": "x", "headers": {}, "path": "/"}, event(5))
    )
    result = run("--script", str(script), str(source))
    assert result.exit_code == 1
    assert [json.loads(line)["textPayload"] for line in result.stdout.splitlines()] == ["r1", "r5"]
    errors = result.stderr.splitlines()
    assert errors[0].startswith(f"{source}:2: {script}:2:36: TypeError: cannot read property 'here'")
    assert any(line.startswith(f"{source}:3:11: malformed JSON") for line in errors)
    assert any(line.startswith(f"{source}:5: not a valid envelope: topic") for line in errors)


def test_malformed_whole_document_gives_file_line_col(tmp_path):
    source = tmp_path / "doc.json"
    source.write_text('[\n  {"topic": "a/b/things/twin/events/created",\n   "headers": {,}\n]\n')
    result = run(str(source))
    assert result.exit_code == 1
    assert result.stderr.startswith(f"{source}:3:16: malformed JSON")


def test_dropped_and_multiple_results(tmp_path):
    script = tmp_path / "out.js"
    script.write_text(
        "function mapFromDittoProtocolMsg(ns, name, g, c, cr, a, path, h, value) {\n"
        "  if (value === 1) return null;\n"
        "  return [Ditto.buildExternalMsg({n: value}, null, [value], 'application/octet-stream'),\n"
        "          Ditto.buildExternalMsg({}, 't', null, null)];\n}\n"
    )
    result = run("--script", str(script), input=jsonl(event(1), event(7)))
    assert result.exit_code == 0
    first, second = (json.loads(line) for line in result.stdout.splitlines())
    assert first["headers"] == {"n": "7", "content-type": "application/octet-stream"}
    assert base64.b64decode(first["bytePayload"]) == b"\x07" and first["textPayload"] is None
    assert second["textPayload"] == "t"


def test_incoming_direction(tmp_path):
    script = tmp_path / "in.js"
    script.write_text(
        "function mapToDittoProtocolMsg(headers, text, bytes, contentType) {\n"
        "  return Ditto.buildDittoProtocolMsg('ns', headers.device, 'things', 'twin', 'commands',\n"
        "    'modify', '/attributes/raw', {}, Ditto.arrayBufferToString(bytes));\n}\n"
    )
    message = {
        "headers": {"device": "d1"},
        "textPayload": None,
        "bytePayload": base64.b64encode(b"hi").decode(),
        "contentType": "application/octet-stream",
    }
    result = run("--incoming", "--script", str(script), input=jsonl(message, {"headers": "x"}))
    assert result.exit_code == 1
    [out] = [json.loads(line) for line in result.stdout.splitlines()]
    assert out == {
        "topic": "ns/d1/things/twin/commands/modify",
        "path": "/attributes/raw",
        "headers": {},
        "value": "hi",
    }
    assert "<stdin>:2: not a valid external message: headers" in result.stderr


def test_script_errors_fail_before_reading(tmp_path):
    script = tmp_path / "bad.js"
    script.write_text("function (\n")
    result = run("--script", str(script), input="")
    assert result.exit_code == 1
    assert f"{script}:1:" in result.stderr


def test_parallel_workers_keep_input_order(tmp_path):
    source = tmp_path / "many.jsonl"
    source.write_text(jsonl(*(event(i) for i in range(1, 6001))) + "not json\n")
    result = run("--script", SEED, "--jobs", "2", str(source))
    assert result.exit_code == 1
    revisions = [
        int(json.loads(line)["headers"]["http.path"].rsplit(":", 1)[1]) for line in result.stdout.splitlines()
    ]
    assert revisions == list(range(1, 6001))
    assert result.stderr.startswith(f"{source}:6001:1: malformed JSON")


def test_a_line_that_is_not_utf8_fails_alone_at_its_position(tmp_path):
    source = tmp_path / "mixed.jsonl"
    bad = json.dumps(event(2)).replace('"c"', '"\xff"').encode("latin-1")
    source.write_bytes(
        json.dumps(event(1)).encode() + b"\n" + bad + b"\n" + json.dumps(event(3)).encode() + b"\n"
    )
    for args in (("--script", SEED), ()):
        result = run(*args, str(source))
        assert result.exit_code == 1
        assert len(result.stdout.splitlines()) == 2, result.stdout
        assert result.stderr.startswith(f"{source}:2: the message holds a lone surrogate (U+DCFF)")
        assert "was the input UTF-8?" in result.stderr


def test_missing_truncated_and_corrupt_inputs_are_named_and_the_rest_goes_on(tmp_path):
    data = gzip.compress(jsonl(*(event(i) for i in range(1, 201))).encode())
    truncated = tmp_path / "truncated.jsonl.gz"
    truncated.write_bytes(data[: len(data) // 2])
    corrupt = tmp_path / "corrupt.jsonl.gz"
    corrupt.write_bytes(data[:20] + bytes([data[20] ^ 0xFF]) + data[21:])
    good = tmp_path / "good.jsonl"
    good.write_text(jsonl(event(7)))
    missing = tmp_path / "missing.jsonl"
    result = run("--script", SEED, str(truncated), str(corrupt), str(missing), str(good))
    assert result.exit_code == 1
    errors = result.stderr.splitlines()
    # Truncated: the events before the cut are mapped, then the file is reported (was "Aborted!").
    assert (
        errors[0]
        == f"{truncated}: cannot read: Compressed file ended before the end-of-stream marker was reached"
    )
    # Corrupt: a zlib error (was a traceback).
    assert errors[1].startswith(f"{corrupt}: cannot read: Error -3 while decompressing data")
    assert errors[2] == f"{missing}: cannot read: No such file or directory"
    assert len(errors) == 3
    paths = [json.loads(line)["headers"]["http.path"] for line in result.stdout.splitlines()]
    assert 0 < len(paths) < 200
    assert paths[-1].endswith(":7")


def test_nan_in_one_line_fails_that_line_only(tmp_path):
    # Python's json would accept NaN, JavaScript's JSON.parse not: it must never reach the engine.
    source = tmp_path / "events.jsonl"
    with_nan = jsonl(event(2)).replace('"value": 2', '"value": NaN')
    source.write_text(jsonl(event(1)) + with_nan + jsonl(event(3)))
    result = run("--script", SEED, str(source))
    assert result.exit_code == 1
    paths = [json.loads(line)["headers"]["http.path"] for line in result.stdout.splitlines()]
    assert paths == [f"com.acme:brewer:things:twin:events:modified:{n}" for n in (1, 3)]
    assert result.stderr.splitlines() == [f"{source}:2: NaN is not JSON (JSON has no NaN or Infinity)"]

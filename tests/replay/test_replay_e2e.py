"""``mapper replay`` end to end: the real command in a child process against real servers.

- moto with IAM authentication on (every request's SigV4 signature is verified): the fixture event
  log replayed with ``--script --to s3://`` (credentials from the standard chain's environment
  variables) and with ``--connection`` (credentials from the connection JSON); every object is
  read back and checked by key and content.
- The fault server: keys moto cannot verify (``$ + =``, non-ASCII), and injected 503 / 500 /
  connection resets recovered with zero loss, judged by the keys that got a 2xx answer.
- Dead-letter contents for each failing stage, key collisions, ``--no-overwrite`` on a second run,
  and the directory target including its refusal of keys that would escape the directory.
"""

from __future__ import annotations

import json
import urllib.parse
from collections import Counter
from pathlib import Path

import pytest
from fault_server import FaultServer, Reset, s3_error
from replay_cli import (
    SEED_SCRIPT,
    Sink,
    aws_env,
    clean_env,
    fixture_lines,
    invoke_mapper,
    moto_safe,
    read_jsonl,
    run_mapper,
    seed_key,
    twin_event,
)

FIXTURE_CONNECTION = Path(__file__).resolve().parents[2] / "fixtures" / "connections" / "s3-documented.json"


def _split_fixture(tmp_path: Path, limit: int | None = None) -> tuple[Path, list[str], list[str]]:
    """The fixture's lines whose keys moto can verify (the first ``limit``), written to a file;
    and the other lines. (moto with IAM auth takes ~50 ms a request: smaller tests take fewer.)"""
    safe, unsafe = [], []
    for line in fixture_lines():
        (safe if moto_safe(seed_key(json.loads(line))) else unsafe).append(line)
    safe = safe[:limit]
    path = tmp_path / "events.jsonl"
    path.write_text("\n".join(safe) + "\n", encoding="utf-8")
    return path, safe, unsafe


def _assert_archived_in_moto(client, bucket: str, lines: list[str], prefix: str = "") -> None:
    """Every line is one object under its seed key, holding the event; nothing else is there."""
    expected = {prefix + seed_key(json.loads(line)): line for line in lines}
    listed = client.list_objects_v2(Bucket=bucket, MaxKeys=1000)
    assert {o["Key"] for o in listed.get("Contents", [])} == set(expected)
    for key, line in expected.items():
        stored = client.get_object(Bucket=bucket, Key=key)
        assert stored["ContentType"] == "application/json"
        # JSON.stringify of the parsed event: the same JSON value, compact.
        assert json.loads(stored["Body"].read()) == json.loads(line)


# -- moto, signatures enforced ---------------------------------------------------------------------


def test_fixture_log_into_moto_with_script_and_env_credentials(moto_server, s3_bucket, tmp_path):
    events, lines, _ = _split_fixture(tmp_path)
    assert len(lines) >= 40
    report = tmp_path / "report.json"
    result = run_mapper(
        [
            "replay",
            events,
            "--script",
            SEED_SCRIPT,
            "--to",
            f"s3://{s3_bucket}/archive",
            "--endpoint-url",
            moto_server.endpoint_url,
            "--report",
            report,
            "--concurrency",
            "4",
        ],
        env=aws_env(tmp_path, moto_server.access_key, moto_server.secret_key),
    )
    assert result.exit_code == 0, result.stderr
    stats = json.loads(report.read_text())
    assert (stats["read"], stats["archived"], stats["failed"], stats["invalid"]) == (
        len(lines),
        len(lines),
        0,
        0,
    )
    assert stats["events_per_s"] > 0 and stats["elapsed_s"] >= 0
    assert not (tmp_path / "events.jsonl.dead-letter.jsonl").exists()
    assert "replay complete" in result.stdout
    assert moto_server.secret_key not in result.stdout + result.stderr
    _assert_archived_in_moto(moto_server.client(), s3_bucket, lines, prefix="archive/")


def _connection_file(tmp_path: Path, bucket: str, access_key: str, secret_key: str) -> Path:
    connection = json.loads(FIXTURE_CONNECTION.read_text())
    connection["uri"] = f"https://{bucket}.s3.us-east-1.amazonaws.com:443"
    parameters = connection["credentials"]["parameters"]
    parameters.update(region="us-east-1", accessKey=access_key, secretKey=secret_key)
    path = tmp_path / "connection.json"
    path.write_text(json.dumps(connection))
    return path


def test_fixture_log_into_moto_with_connection_credentials(moto_server, s3_bucket, tmp_path):
    events, lines, _ = _split_fixture(tmp_path, limit=15)
    connection = _connection_file(tmp_path, s3_bucket, moto_server.access_key, moto_server.secret_key)
    # The environment holds no credentials: the connection's own keys sign every request.
    result = invoke_mapper(
        ["replay", events, "--connection", connection, "--endpoint-url", moto_server.endpoint_url, "-q"],
        env=clean_env(tmp_path),
    )
    assert result.exit_code == 0, result.stderr
    assert result.stdout == ""  # -q: no summary
    _assert_archived_in_moto(moto_server.client(), s3_bucket, lines)


def test_wrong_secret_dead_letters_every_event_at_the_publish_stage(moto_server, s3_bucket, tmp_path):
    events, lines, _ = _split_fixture(tmp_path, limit=8)
    wrong = "wrong" + moto_server.secret_key[5:]
    connection = _connection_file(tmp_path, s3_bucket, moto_server.access_key, wrong)
    report = tmp_path / "report.json"
    result = invoke_mapper(
        [
            "replay",
            events,
            "--connection",
            connection,
            "--endpoint-url",
            moto_server.endpoint_url,
            "--report",
            report,
        ],
        env=clean_env(tmp_path),
    )
    assert result.exit_code == 1
    assert json.loads(report.read_text())["failed"] == len(lines)
    dead = read_jsonl(tmp_path / "events.jsonl.dead-letter.jsonl")
    assert [d["line"] for d in dead] == list(range(1, len(lines) + 1))
    assert {d["stage"] for d in dead} == {"publish"} and {d["status"] for d in dead} == {403}
    assert all("SignatureDoesNotMatch" in d["error"] for d in dead)
    assert [d["input"] for d in dead] == lines
    everything = (tmp_path / "events.jsonl.dead-letter.jsonl").read_text() + result.stdout + result.stderr
    assert wrong not in everything and moto_server.secret_key not in everything
    assert moto_server.client().list_objects_v2(Bucket=s3_bucket).get("KeyCount", 0) == 0


def test_no_overwrite_second_run_replaces_nothing(moto_server, s3_bucket, tmp_path):
    events, lines, _ = _split_fixture(tmp_path, limit=10)
    env = aws_env(tmp_path, moto_server.access_key, moto_server.secret_key)
    args = [
        "replay",
        events,
        "--script",
        SEED_SCRIPT,
        "--to",
        f"s3://{s3_bucket}",
        "--endpoint-url",
        moto_server.endpoint_url,
        "--no-overwrite",
        "-q",
    ]
    first = invoke_mapper([*args, "--report", tmp_path / "first.json"], env=env)
    assert first.exit_code == 0, first.stderr
    client = moto_server.client()
    etags = {
        o["Key"]: (o["ETag"], o["LastModified"]) for o in client.list_objects_v2(Bucket=s3_bucket)["Contents"]
    }

    second = invoke_mapper([*args, "--report", tmp_path / "second.json"], env=env)
    assert second.exit_code == 0, second.stderr
    one, two = (json.loads((tmp_path / f"{n}.json").read_text()) for n in ("first", "second"))
    assert (one["archived"], one["already_archived"]) == (len(lines), 0)
    assert (two["archived"], two["already_archived"], two["failed"]) == (0, len(lines), 0)
    after = {
        o["Key"]: (o["ETag"], o["LastModified"]) for o in client.list_objects_v2(Bucket=s3_bucket)["Contents"]
    }
    assert after == etags
    _assert_archived_in_moto(client, s3_bucket, lines)


# -- the fault server: exact keys on the wire, injected failures ---------------------------------


def test_every_fixture_key_goes_over_the_wire_exactly(tmp_path):
    lines = fixture_lines()
    events = tmp_path / "events.jsonl"
    events.write_text("\n".join(lines) + "\n", encoding="utf-8")
    sink = Sink()
    with FaultServer(default=sink) as server:
        result = invoke_mapper(
            [
                "replay",
                events,
                "--script",
                SEED_SCRIPT,
                "--to",
                "s3://bucket",
                "--endpoint-url",
                server.url,
                "-q",
            ],
            env=aws_env(tmp_path, "AKIDEXAMPLE", "secret-example"),
        )
    assert result.exit_code == 0, result.stderr
    expected = {seed_key(json.loads(line)): line for line in lines}
    assert any(not moto_safe(key) for key in expected)  # the awkward names are really in there
    assert sink.keys_ok() == Counter(set(expected))
    for request in sink.answered_ok:
        key = urllib.parse.unquote(request.path.removeprefix("/bucket/"))
        assert request.method == "PUT"
        assert json.loads(request.body) == json.loads(expected[key])
        assert request.header(
            "Authorization",
        ).startswith("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/")
        # S3 keys are sent percent-encoded except the unreserved characters and '/'.
        assert all(c.isascii() and c not in " $+=" for c in request.path)


def test_injected_503_500_and_resets_are_recovered_with_zero_loss(tmp_path):
    n = 150
    lines = [twin_event(f"device-{i % 7}", i, {"reading": i}) for i in range(1, n + 1)]
    events = tmp_path / "events.jsonl"
    events.write_text("\n".join(lines) + "\n")
    cycle = [
        s3_error(503, "SlowDown", "Please reduce your request rate."),
        s3_error(500, "InternalError", "We encountered an internal error. Please try again."),
        Reset(),
    ]
    faults = {number: cycle[i % 3] for i, number in enumerate(range(3, n, 9))}
    sink = Sink(faults)
    report = tmp_path / "report.json"
    with FaultServer(default=sink) as server:
        result = invoke_mapper(
            [
                "replay",
                events,
                "--script",
                SEED_SCRIPT,
                "--to",
                "s3://bucket",
                "--endpoint-url",
                server.url,
                "--report",
                report,
                "--concurrency",
                "4",
            ],
            env=aws_env(tmp_path, "AKIDEXAMPLE", "secret-example"),
        )
    assert result.exit_code == 0, result.stderr
    assert len(sink.faulted) == len(faults) >= 15
    expected = Counter(seed_key(json.loads(line)) for line in lines)
    assert sink.keys_ok() == expected  # every event stored once, none twice, none lost
    stats = json.loads(report.read_text())
    assert (stats["archived"], stats["failed"]) == (n, 0)
    assert stats["retries"] >= len(faults)
    assert not (tmp_path / "events.jsonl.dead-letter.jsonl").exists()


def test_persistent_503_dead_letters_with_attempts_and_exit_1(tmp_path):
    lines = [twin_event("device", i, {"reading": i}) for i in range(1, 3)]
    events = tmp_path / "events.jsonl"
    events.write_text("\n".join(lines) + "\n")
    with FaultServer(default=s3_error(503, "SlowDown", "Please reduce your request rate.")) as server:
        result = invoke_mapper(
            [
                "replay",
                events,
                "--script",
                SEED_SCRIPT,
                "--to",
                "s3://bucket",
                "--endpoint-url",
                server.url,
                "--dead-letter",
                tmp_path / "dl.jsonl",
                "--concurrency",
                "1",
            ],
            env=aws_env(tmp_path, "AKIDEXAMPLE", "secret-example"),
        )
        requests = len(server.requests)
    assert result.exit_code == 1
    dead = read_jsonl(tmp_path / "dl.jsonl")
    assert [(d["line"], d["stage"], d["status"]) for d in dead] == [(i, "publish", 503) for i in (1, 2)]
    assert all("SlowDown" in d["error"] for d in dead)
    assert [d["input"] for d in dead] == lines
    assert 2 < requests <= 2 * 5  # retried, within the default max_attempts
    assert "2 dead-letter entries" in result.stdout


# -- dead letters per stage, collisions, the directory target --------------------------------------

STAGE_SCRIPT = """\
function mapFromDittoProtocolMsgWrapper(msg) {
  var v = msg.value || {};
  if (v.boom) {
    throw new Error('cannot map revision ' + msg.revision);
  }
  if (v.drop) {
    return null;
  }
  var key = v.key !== undefined ? v.key : 'events/' + msg.topic.split('/')[1] + '/' + msg.revision;
  return Ditto.buildExternalMsg({'http.path': key}, JSON.stringify(msg), null, 'application/json');
}
"""


def _stage_log(tmp_path: Path) -> tuple[Path, list[str]]:
    lines = [
        twin_event("a", 1, {"ok": 1}),  # 1 archived
        '{"topic": "org.acme/a/things/twin/events/modified", "path": ',  # 2 parse
        json.dumps({"headers": {}, "path": "/", "value": 1}),  # 3 validate: no topic
        twin_event("a", 2, {"boom": True}),  # 4 map
        twin_event("a", 3, {"drop": True}),  # 5 dropped by the mapping
        twin_event("a", 4, {"key": "../outside/escape"}),  # 6 publish: escapes the directory
        twin_event("a", 5, {"key": "shared/one"}),  # 7 archived
        twin_event("a", 6, {"key": "shared/one"}),  # 8 collision with line 7
        "",  # 9 blank: not an event
        twin_event("a", 5, {"key": "shared/one"}),  # 10 line 7 again: a duplicate
    ]
    path = tmp_path / "events.jsonl"
    path.write_text("\n".join(lines) + "\n")
    return path, lines


def test_dead_letter_entry_for_each_failing_stage_and_key_collision(tmp_path):
    events, lines = _stage_log(tmp_path)
    script = tmp_path / "stages.js"
    script.write_text(STAGE_SCRIPT)
    out = tmp_path / "work" / "out"
    report = tmp_path / "report.json"
    result = invoke_mapper(
        ["replay", events, "--script", script, "--to", out, "--report", report],
        env=clean_env(tmp_path),
    )
    assert result.exit_code == 1, result.stderr
    dead = read_jsonl(tmp_path / "events.jsonl.dead-letter.jsonl")  # the default place
    by_line = {d["line"]: d for d in dead}
    assert sorted(by_line) == [2, 3, 4, 6, 8]
    for entry in dead:
        assert entry["source"] == str(events)
        assert entry["input"] == lines[entry["line"] - 1]  # the original line, exactly
        assert entry["error"]
    assert by_line[2]["stage"] == "parse" and "malformed JSON" in by_line[2]["error"]
    assert by_line[3]["stage"] == "validate" and "topic" in by_line[3]["error"]
    assert by_line[4]["stage"] == "map" and "cannot map revision 2" in by_line[4]["error"]
    assert by_line[6]["stage"] == "publish" and "'..'" in by_line[6]["error"]
    assert by_line[8]["stage"] == "collision" and "key collision" in by_line[8]["error"]
    assert "shared/one" in by_line[8]["error"] and ":7" in by_line[8]["error"]

    # What was archived is exactly lines 1 and 7; nothing escaped the output directory.
    files = sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file())
    assert files == ["events/a/1", "shared/one"]
    assert json.loads((out / "shared" / "one").read_text()) == json.loads(lines[6])
    assert not (tmp_path / "work" / "outside").exists()
    stats = json.loads(report.read_text())
    counts = {
        k: stats[k]
        for k in ("read", "invalid", "filtered", "dropped", "archived", "already_archived", "failed")
    }
    assert counts == {
        "read": 9,
        "invalid": 2,
        "filtered": 0,
        "dropped": 1,
        "archived": 2,
        "already_archived": 1,
        "failed": 3,
    }
    # Every line ends in exactly one outcome.
    assert stats["read"] == sum(v for k, v in counts.items() if k != "read")


def test_directory_no_overwrite_second_run_and_changed_content(tmp_path):
    lines = [twin_event("thing", i, {"v": i}) for i in range(1, 21)]
    events = tmp_path / "events.jsonl"
    events.write_text("\n".join(lines) + "\n")
    script = tmp_path / "keys.js"
    script.write_text(STAGE_SCRIPT)
    out = tmp_path / "out"
    env = clean_env(tmp_path)
    args = ["replay", events, "--script", script, "--to", out, "--no-overwrite", "-q"]
    assert invoke_mapper([*args, "--report", tmp_path / "1.json"], env=env).exit_code == 0
    stamps = {p: p.stat().st_mtime_ns for p in out.rglob("*") if p.is_file()}
    assert len(stamps) == 20
    assert invoke_mapper([*args, "--report", tmp_path / "2.json"], env=env).exit_code == 0
    second = json.loads((tmp_path / "2.json").read_text())
    assert (second["archived"], second["already_archived"]) == (0, 20)
    assert {p: p.stat().st_mtime_ns for p in out.rglob("*") if p.is_file()} == stamps

    # Same keys, different content: refused, dead-lettered, the stored objects untouched.
    changed = tmp_path / "changed.jsonl"
    changed.write_text(twin_event("thing", 3, {"v": "changed"}) + "\n")
    third = invoke_mapper(
        ["replay", changed, "--script", script, "--to", out, "--no-overwrite", "-q"], env=env
    )
    assert third.exit_code == 1
    [entry] = read_jsonl(tmp_path / "changed.jsonl.dead-letter.jsonl")
    assert entry["stage"] == "publish" and "no-overwrite" in entry["error"]
    assert json.loads((out / "events" / "thing" / "3").read_text())["value"] == {"v": 3}


@pytest.mark.parametrize(
    "key",
    ["../escape", "a/../../escape", "//etc/passwd-copy", "a//b", "./here"],
)
def test_directory_target_refuses_keys_that_escape_or_alias(tmp_path, key):
    events = tmp_path / "events.jsonl"
    events.write_text(twin_event("a", 1, {"key": key}) + "\n" + twin_event("a", 2, {"ok": True}) + "\n")
    script = tmp_path / "keys.js"
    script.write_text(STAGE_SCRIPT)
    out = tmp_path / "deep" / "out"
    result = invoke_mapper(["replay", events, "--script", script, "--to", out, "-q"], env=clean_env(tmp_path))
    assert result.exit_code == 1
    [entry] = read_jsonl(tmp_path / "events.jsonl.dead-letter.jsonl")
    assert (entry["line"], entry["stage"]) == (1, "publish")
    assert key in entry["error"] or "path segment" in entry["error"] or "absolute" in entry["error"]
    written = [p for p in tmp_path.rglob("*") if p.is_file() and p.parent != tmp_path]
    assert [p.relative_to(out).as_posix() for p in written] == ["events/a/2"]


def test_directory_target_refuses_a_symlink_leading_outside(tmp_path):
    out = tmp_path / "out"
    outside = tmp_path / "outside"
    out.mkdir()
    outside.mkdir()
    (out / "link").symlink_to(outside)
    events = tmp_path / "events.jsonl"
    events.write_text(twin_event("a", 1, {"key": "link/stolen"}) + "\n")
    script = tmp_path / "keys.js"
    script.write_text(STAGE_SCRIPT)
    result = invoke_mapper(["replay", events, "--script", script, "--to", out, "-q"], env=clean_env(tmp_path))
    assert result.exit_code == 1
    [entry] = read_jsonl(tmp_path / "events.jsonl.dead-letter.jsonl")
    assert entry["stage"] == "publish" and "symlink" in entry["error"]
    assert list(outside.iterdir()) == []


# -- the progress bar --------------------------------------------------------------------------------


def test_progress_bar_on_a_terminal_and_none_on_a_pipe(tmp_path):
    import os
    import pty
    import subprocess

    from replay_cli import MAPPER

    events = tmp_path / "events.jsonl"
    events.write_text("\n".join(fixture_lines()) + "\n", encoding="utf-8")
    args = [*MAPPER, "replay", str(events), "--script", str(SEED_SCRIPT), "--to", str(tmp_path / "out")]
    master, slave = pty.openpty()
    try:
        proc = subprocess.Popen(
            args, env=clean_env(tmp_path), stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=slave
        )
        os.close(slave)
        drawn = b""
        while True:
            try:
                chunk = os.read(master, 65536)
            except OSError:  # EIO: the child closed the terminal
                break
            if not chunk:
                break
            drawn += chunk
        stdout, _ = proc.communicate(timeout=60)
    finally:
        os.close(master)
    assert proc.returncode == 0
    text = drawn.decode("utf-8", "replace")
    assert "replay" in text and "archived 53" in text  # the bar, with the counts
    assert "replay complete" in stdout.decode()  # the summary stays on stdout

    piped = run_mapper(
        [*args[len(MAPPER) :], "--dead-letter", tmp_path / "dl.jsonl"], env=clean_env(tmp_path)
    )
    assert piped.exit_code == 0
    assert piped.stderr == ""  # no terminal, no bar


def test_content_md5_and_region_flags_shape_every_request(tmp_path):
    import base64
    import hashlib

    lines = fixture_lines()[:10]
    events = tmp_path / "events.jsonl"
    events.write_text("\n".join(lines) + "\n", encoding="utf-8")
    sink = Sink()
    with FaultServer(default=sink) as server:
        result = invoke_mapper(
            ["replay", events, "--script", SEED_SCRIPT, "--to", "s3://bucket", "--endpoint-url", server.url,
             "--content-md5", "--region", "eu-west-3", "-q"],
            env=aws_env(tmp_path, "AKIDEXAMPLE", "secret-example"),
        )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    assert len(sink.answered_ok) == len(lines)
    for request in sink.answered_ok:
        assert request.header("Content-MD5") == base64.b64encode(hashlib.md5(request.body).digest()).decode()
        assert "/eu-west-3/s3/aws4_request" in request.header("Authorization")
        assert request.header("x-amz-content-sha256") == hashlib.sha256(request.body).hexdigest()

"""``mapper replay`` as a command: flags, exit statuses, files it writes, errors it reports.

Run in this process through click's test runner against a local directory (the S3 paths, faults
and kill -9 are covered end to end in tests/replay/test_replay_*.py). Exit statuses: 0 everything
archived / filtered / dropped, 1 something dead-lettered, 2 usage or configuration error reported
before any work (nothing written), 130 interrupted.
"""

from __future__ import annotations

import gzip
import json
import os
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from mapper.cli.main import cli

REPO_ROOT = Path(__file__).resolve().parents[2]
FIXTURES = REPO_ROOT / "fixtures"
SEED_SCRIPT = REPO_ROOT / "mappings" / "s3-per-revision.js"
BROKEN_CONNECTIONS = sorted((FIXTURES / "connections" / "broken").glob("*.json"))
REPORT_FIELDS = {
    "read", "invalid", "filtered", "dropped", "archived", "already_archived", "failed", "retries",
    "elapsed_s", "events_per_s",
}  # fmt: skip


def replay(*args: object, input: str | bytes | None = None) -> Result:
    # No AWS settings of the machine leak in; nothing here talks to S3.
    env = {k: None for k in os.environ if k.startswith("AWS_")}
    return CliRunner().invoke(cli, ["replay", *map(str, args)], input=input, env=env)


def seed_key(line: str) -> str:
    event = json.loads(line)
    return ":".join(event["topic"].split("/")) + ":" + str(event["revision"])


@pytest.fixture
def events(tmp_path: Path) -> Path:
    """A copy of the fixture event log (the replay writes its dead-letter file next to it)."""
    path = tmp_path / "events.jsonl"
    shutil.copyfile(FIXTURES / "events" / "twin-events.jsonl", path)
    return path


def lines_of(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").splitlines()


def files_under(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


# -- exit 0 -----------------------------------------------------------------------------------------


def test_exit_0_archives_every_event_with_summary_and_report(events, tmp_path):
    out, report = tmp_path / "out", tmp_path / "report.json"
    result = replay(events, "--script", SEED_SCRIPT, "--to", out, "--report", report)
    assert result.exit_code == 0, result.stderr
    lines = lines_of(events)
    stored = files_under(out)
    assert set(stored) == {seed_key(line) for line in lines}
    for line in lines:
        assert json.loads(stored[seed_key(line)]) == json.loads(line)
    stats = json.loads(report.read_text())
    assert set(stats) >= REPORT_FIELDS
    assert (stats["read"], stats["archived"], stats["failed"], stats["invalid"]) == (53, 53, 0, 0)
    assert stats["events_per_s"] > 0
    assert "replay complete: 53 events" in result.stdout and "archived 53" in result.stdout
    assert not (tmp_path / "events.jsonl.dead-letter.jsonl").exists()


def test_exit_0_with_filtered_events_of_a_connection_into_a_directory(events, tmp_path):
    out, report = tmp_path / "out", tmp_path / "report.json"
    connection = FIXTURES / "connections" / "s3-filtered.json"
    result = replay(events, "--connection", connection, "--to", out, "--report", report, "-q")
    assert result.exit_code == 0, result.stderr
    assert result.stdout == ""
    stats = json.loads(report.read_text())
    assert stats["filtered"] > 0 and stats["archived"] > 0
    assert stats["read"] == stats["filtered"] + stats["archived"] == 53
    # Only the namespaces the connection selects were archived.
    assert all(
        key.startswith("temperatures/") or key.split(":")[0] in ("com.acme", "com.acme.building")
        for key in files_under(out)
    )


def test_exit_0_when_the_mapping_drops_events_by_design(tmp_path):
    source = tmp_path / "events.jsonl"
    source.write_text(
        "".join(line + "\n" for line in lines_of(FIXTURES / "events" / "twin-events.jsonl")[:10])
    )
    script = tmp_path / "drop-all.js"
    script.write_text("function mapFromDittoProtocolMsgWrapper(msg) { return null; }\n")
    report = tmp_path / "report.json"
    result = replay(source, "--script", script, "--to", tmp_path / "out", "--report", report)
    assert result.exit_code == 0, result.stderr
    stats = json.loads(report.read_text())
    assert (stats["read"], stats["dropped"], stats["archived"]) == (10, 10, 0)
    assert files_under(tmp_path / "out") == {}


def test_gzip_and_several_inputs_in_order(tmp_path):
    lines = lines_of(FIXTURES / "events" / "twin-events.jsonl")
    first, second = tmp_path / "a.jsonl.gz", tmp_path / "b.jsonl"
    first.write_bytes(gzip.compress("".join(x + "\n" for x in lines[:30]).encode()))
    second.write_text("".join(x + "\n" for x in [*lines[30:], "not json"]))
    result = replay(first, second, "--script", SEED_SCRIPT, "--to", tmp_path / "out", "-q")
    assert result.exit_code == 1
    assert set(files_under(tmp_path / "out")) == {seed_key(x) for x in lines}
    # The default dead-letter file is named after the first input; the entry names its own source.
    [entry] = [json.loads(x) for x in lines_of(tmp_path / "a.jsonl.gz.dead-letter.jsonl")]
    assert (entry["source"], entry["line"], entry["stage"], entry["input"]) == (
        str(second), len(lines) - 30 + 1, "parse", "not json",
    )  # fmt: skip


def test_dry_run_prints_the_keys_and_writes_nothing(events, tmp_path):
    out = tmp_path / "out"
    result = replay(events, "--script", SEED_SCRIPT, "--to", out, "--dry-run")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines() == [seed_key(line) for line in lines_of(events)]
    assert "53 events" in result.stderr  # the summary goes to stderr, keeping stdout the key list
    assert not out.exists() or files_under(out) == {}


def test_dry_run_to_s3_sends_no_request(events, tmp_path):
    # An endpoint nobody listens on: any request would fail and dead-letter the event.
    result = replay(
        events, "--script", SEED_SCRIPT, "--to", "s3://archive/2024", "--endpoint-url", "http://127.0.0.1:9",
        "--dry-run", "-q",
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines() == ["2024/" + seed_key(line) for line in lines_of(events)]


# -- exit 1 -----------------------------------------------------------------------------------------


def test_exit_1_when_anything_is_dead_lettered(events, tmp_path):
    with events.open("a") as log:
        log.write('{"topic": "broken\n')
    report = tmp_path / "report.json"
    result = replay(events, "--script", SEED_SCRIPT, "--to", tmp_path / "out", "--report", report)
    assert result.exit_code == 1
    dead_letter = tmp_path / "events.jsonl.dead-letter.jsonl"
    [entry] = [json.loads(x) for x in lines_of(dead_letter)]
    assert {"source", "line", "stage", "error", "input"} <= set(entry)
    assert (entry["line"], entry["stage"], entry["input"]) == (54, "parse", '{"topic": "broken')
    assert f"1 dead-letter entries written to {dead_letter}" in result.stdout
    assert json.loads(report.read_text())["invalid"] == 1
    assert len(files_under(tmp_path / "out")) == 53  # the good events were archived all the same


def test_stdin_input_dead_letters_to_the_working_directory(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    good = lines_of(FIXTURES / "events" / "twin-events.jsonl")[0]
    result = replay("-", "--script", SEED_SCRIPT, "--to", "out", "-q", input=f"{good}\n[1, 2]\n")
    assert result.exit_code == 1
    [entry] = [json.loads(x) for x in lines_of(tmp_path / "replay.dead-letter.jsonl")]
    assert (entry["source"], entry["line"], entry["stage"]) == ("-", 2, "validate")
    assert set(files_under(tmp_path / "out")) == {seed_key(good)}


def test_no_input_argument_reads_stdin(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    good = lines_of(FIXTURES / "events" / "twin-events.jsonl")[0]
    result = replay("--script", SEED_SCRIPT, "--to", "out", "-q", input=good + "\n")
    assert result.exit_code == 0, result.stderr
    assert set(files_under(tmp_path / "out")) == {seed_key(good)}


def test_explicit_dead_letter_path(events, tmp_path):
    with events.open("a") as log:
        log.write("{}\n")
    result = replay(
        events, "--script", SEED_SCRIPT, "--to", tmp_path / "out", "--dead-letter", tmp_path / "dl", "-q"
    )
    assert result.exit_code == 1
    [entry] = [json.loads(x) for x in lines_of(tmp_path / "dl")]
    assert entry["stage"] == "validate" and entry["line"] == 54
    assert not (tmp_path / "events.jsonl.dead-letter.jsonl").exists()


# -- exit 2: reported before any work ---------------------------------------------------------------

BAD_SCRIPT = "function mapFromDittoProtocolMsgWrapper(msg) {\n  return (;\n}\n"


def _usage_cases(tmp: Path, events: Path) -> dict[str, tuple[list[object], str]]:
    """name -> (arguments, a phrase the error must contain)."""
    (tmp / "bad.js").write_text(BAD_SCRIPT)
    (tmp / "not-gzip.jsonl.gz").write_text("plain text\n")
    (tmp / "a-directory").mkdir()
    out = tmp / "out"
    script = ["--script", SEED_SCRIPT, "--to", out]
    return {
        "no destination": ([events], "--connection"),
        "unknown flag": ([events, *script, "--bogus"], "No such option"),
        "concurrency 0": ([events, *script, "--concurrency", "0"], "--concurrency"),
        "connection and script": (
            [events, "--connection", FIXTURES / "connections" / "s3-documented.json", *script],
            "not both",
        ),
        "connection with s3 --to": (
            [events, "--connection", FIXTURES / "connections" / "s3-documented.json", "--to", "s3://bucket"],
            "local directory",
        ),
        "missing input": ([tmp / "missing.jsonl", *script], "does not exist"),
        "directory input": ([tmp / "a-directory", *script], "is a directory"),
        "not gzip": ([tmp / "not-gzip.jsonl.gz", *script], "not gzip"),
        "stdin twice": (["-", "-", *script], "only once"),
        "checkpoint of stdin": (["-", *script, "--checkpoint", tmp / "cp"], "standard input"),
        "missing script": ([events, "--script", tmp / "nope.js", "--to", out], "nope.js"),
        "script syntax error": ([events, "--script", tmp / "bad.js", "--to", out], "bad.js:2:"),
        "bad s3 url": ([events, "--script", SEED_SCRIPT, "--to", "s3://"], "s3://BUCKET"),
        "bad endpoint url": (
            [events, "--script", SEED_SCRIPT, "--to", "s3://bucket", "--endpoint-url", "ftp://x"],
            "endpoint",
        ),
    }


@pytest.mark.parametrize(
    "case",
    [
        "no destination", "unknown flag", "concurrency 0", "connection and script",
        "connection with s3 --to", "missing input", "directory input", "not gzip", "stdin twice",
        "checkpoint of stdin", "missing script", "script syntax error", "bad s3 url", "bad endpoint url",
    ],
)  # fmt: skip
def test_exit_2_for_usage_and_configuration_errors_before_any_work(events, tmp_path, case):
    args, phrase = _usage_cases(tmp_path, events)[case]
    before = files_under(tmp_path)
    result = replay(*args, "--report", tmp_path / "report.json", input="")
    assert result.exit_code == 2, (result.stdout, result.stderr)
    assert phrase in result.stderr
    assert "Traceback" not in result.stderr
    # Nothing was done: no object, no dead-letter file, no report, no checkpoint.
    assert files_under(tmp_path) == before


@pytest.mark.parametrize("connection", BROKEN_CONNECTIONS, ids=lambda p: p.stem)
def test_exit_2_for_every_broken_connection_fixture(events, tmp_path, connection):
    before = files_under(tmp_path)
    result = replay(
        events, "--connection", connection, "--to", tmp_path / "out", "--report", tmp_path / "r.json"
    )
    assert result.exit_code == 2, (result.stdout, result.stderr)
    assert result.stderr.startswith("mapper replay: error: ")
    assert "Traceback" not in result.stderr
    assert files_under(tmp_path) == before


def test_exit_2_when_the_checkpoint_belongs_to_another_replay(events, tmp_path):
    checkpoint = tmp_path / "cp.json"
    args = [events, "--script", SEED_SCRIPT, "--to", tmp_path / "out", "--checkpoint", checkpoint, "-q"]
    assert replay(*args).exit_code == 0
    saved = checkpoint.read_bytes()
    # Another destination is another replay...
    other = replay(
        events, "--script", SEED_SCRIPT, "--to", tmp_path / "elsewhere", "--checkpoint", checkpoint
    )
    assert other.exit_code == 2 and "checkpoint" in other.stderr
    assert files_under(tmp_path / "elsewhere") == {}
    # ...and so is a log that changed since.
    with events.open("a") as log:
        log.write(lines_of(events)[0] + "\n")
    changed = replay(*args)
    assert changed.exit_code == 2 and "checkpoint" in changed.stderr
    assert checkpoint.read_bytes() == saved


def test_rerunning_a_finished_checkpointed_replay_does_nothing(events, tmp_path):
    out, report = tmp_path / "out", tmp_path / "report.json"
    args = [
        events,
        "--script",
        SEED_SCRIPT,
        "--to",
        out,
        "--checkpoint",
        tmp_path / "cp.json",
        "--report",
        report,
    ]
    assert replay(*args).exit_code == 0
    stamps = {p: p.stat().st_mtime_ns for p in out.rglob("*")}
    again = replay(*args)
    assert again.exit_code == 0, again.stderr
    stats = json.loads(report.read_text())
    assert stats["resumed"] and (stats["read"], stats["archived"]) == (53, 53)
    assert {p: p.stat().st_mtime_ns for p in out.rglob("*")} == stamps


def test_help_documents_the_flags_and_exit_statuses():
    result = CliRunner().invoke(cli, ["replay", "--help"])
    assert result.exit_code == 0
    for flag in (
        "--connection", "--script", "--to", "--endpoint-url", "--region", "--concurrency", "--checkpoint",
        "--dead-letter", "--no-overwrite", "--content-md5", "--dry-run", "--report", "--quiet",
    ):  # fmt: skip
        assert flag in result.stdout
    for status in ("0 every event", "1 some events", "2 usage", "130 interrupted"):
        assert status in result.stdout


@pytest.mark.parametrize(
    ("flags", "expected"),
    [
        (["--to", "s3://bad_bucket"], "--to: bucket name 'bad_bucket' is not a valid S3 bucket name"),
        (["--to", "s3://archive", "--endpoint-url", "ftp://x"], "--endpoint-url: 'ftp://x' must start with"),
        (["--to", "s3://archive", "--region", "EU WEST"], "--region: region 'EU WEST' is not an AWS region"),
    ],
)
def test_bad_destination_flags_are_named_as_the_operator_typed_them(
    tmp_path: Path, flags: list[str], expected: str
) -> None:
    events = tmp_path / "events.jsonl"
    events.write_text((REPO_ROOT / "fixtures" / "events" / "twin-events.jsonl").read_text())
    result = replay(events, "--script", SEED_SCRIPT, *flags)
    assert result.exit_code == 2
    assert f"mapper replay: error: {expected}" in result.stderr

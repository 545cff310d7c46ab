"""``mapper map --connection FILE``: map with the scripts of a Ditto connection's mapping definition."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from mapper.cli.main import cli

REPO_ROOT = Path(__file__).resolve().parents[2]
CONNECTIONS = REPO_ROOT / "fixtures" / "connections"
EVENTS = (REPO_ROOT / "fixtures" / "events" / "twin-events.jsonl").read_text(encoding="utf-8")


def run(*args: str, input: str | None = None):
    return CliRunner().invoke(cli, ["map", *args], input=input)


def test_documented_connection_maps_with_its_inline_outgoing_script() -> None:
    result = run("--connection", str(CONNECTIONS / "s3-documented.json"), input=EVENTS)
    assert result.exit_code == 0, result.stderr
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    events = [json.loads(line) for line in EVENTS.splitlines()]
    assert len(lines) == len(events)
    for output, event in zip(lines, events, strict=True):
        ns, name, *rest = event["topic"].split("/")
        assert output["headers"]["http.path"] == ":".join([ns, name, *rest, str(event["revision"])])
        assert json.loads(output["textPayload"]) == event
        assert output["contentType"] == "application/json"


def test_script_file_extension_is_resolved_relative_to_the_connection(tmp_path: Path) -> None:
    (tmp_path / "scripts").mkdir()
    (tmp_path / "scripts" / "out.js").write_text(
        "function mapFromDittoProtocolMsgWrapper(msg) {\n"
        "  var headers = {'http.path': 'x/' + msg.revision};\n"
        "  return Ditto.buildExternalMsg(headers, 'r' + msg.revision, null, 'text/plain');\n"
        "}\n"
    )
    connection = json.loads((CONNECTIONS / "s3-documented.json").read_text())
    options = connection["mappingDefinitions"]["javascript"]["options"]
    del options["outgoingScript"]
    options["outgoingScriptFile"] = "scripts/out.js"
    (tmp_path / "conn.json").write_text(json.dumps(connection))
    event = json.loads(EVENTS.splitlines()[0])
    result = run("--connection", str(tmp_path / "conn.json"), input=json.dumps(event))
    assert result.exit_code == 0, result.stderr
    [output] = [json.loads(line) for line in result.stdout.splitlines()]
    assert output["headers"]["http.path"] == f"x/{event['revision']}"
    assert output["textPayload"] == f"r{event['revision']}"


def test_incoming_uses_the_connections_incoming_script() -> None:
    # The documented connection's incoming script returns undefined: every message is dropped.
    external = {"headers": {"content-type": "application/json"}, "textPayload": "{}", "bytePayload": None}
    result = run(
        "--connection", str(CONNECTIONS / "s3-documented.json"), "--incoming", input=json.dumps(external)
    )
    assert result.exit_code == 0, result.stderr
    assert result.stdout == ""


def test_a_broken_connection_is_a_configuration_error_with_its_json_path() -> None:
    result = run("--connection", str(CONNECTIONS / "broken" / "bad-method.json"), input="")
    assert result.exit_code == 2
    assert "targets[0].address: unknown method 'PUTT'" in result.stderr


def test_several_javascript_definitions_need_mapping_id(tmp_path: Path) -> None:
    connection = json.loads((CONNECTIONS / "s3-documented.json").read_text())
    definitions = connection["mappingDefinitions"]
    definitions["other"] = json.loads(json.dumps(definitions["javascript"]))
    definitions["other"]["options"]["outgoingScript"] = (
        "function mapFromDittoProtocolMsgWrapper(msg) { return null; }"
    )
    (tmp_path / "conn.json").write_text(json.dumps(connection))
    event = EVENTS.splitlines()[0]

    ambiguous = run("--connection", str(tmp_path / "conn.json"), input=event)
    assert ambiguous.exit_code == 2
    assert "choose one with --mapping ID" in ambiguous.stderr
    assert "javascript, other" in ambiguous.stderr

    chosen = run("--connection", str(tmp_path / "conn.json"), "--mapping", "other", input=event)
    assert (chosen.exit_code, chosen.stdout) == (0, "")

    unknown = run("--connection", str(tmp_path / "conn.json"), "--mapping", "nope", input=event)
    assert unknown.exit_code == 2
    assert "no JavaScript mapping definition 'nope'" in unknown.stderr


def test_script_and_connection_together_is_a_usage_error() -> None:
    result = run("--connection", str(CONNECTIONS / "s3-documented.json"), "--script", "x.js", input="")
    assert result.exit_code == 2
    assert "not both" in result.stderr


def test_secret_of_the_connection_is_never_printed(tmp_path: Path) -> None:
    connection = json.loads((CONNECTIONS / "s3-documented.json").read_text())
    connection["credentials"]["parameters"]["secretKey"] = "SUPER-SECRET-VALUE"
    connection["targets"][0]["address"] = "PUTT:/"  # make loading fail: the error must not echo secrets
    (tmp_path / "conn.json").write_text(json.dumps(connection))
    result = run("--connection", str(tmp_path / "conn.json"), input="")
    assert result.exit_code == 2
    assert "SUPER-SECRET-VALUE" not in result.output + result.stderr

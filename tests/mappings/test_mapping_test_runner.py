"""The mapping test runner itself, on small scripts and cases written into a temporary directory."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from mapper.cli.main import cli
from mapper.errors import ConfigError
from mapper.mapping_tests import discover, run_tests
from mapper.mapping_tests.expectations import json_equal

KEY_SCRIPT = """
function mapFromDittoProtocolMsgWrapper(msg) {
  if (msg.path === '/drop') { return null; }
  if (msg.path === '/fail') { throw new Error('refusing path ' + msg.path); }
  return Ditto.buildExternalMsg({'http.path': 'k/' + msg.revision}, JSON.stringify(msg), null,
      'application/json');
}
"""

INCOMING_SCRIPT = """
function mapToDittoProtocolMsg(headers, textPayload, bytePayload, contentType) {
  var body = JSON.parse(textPayload);
  return Ditto.buildDittoProtocolMsg('ns', headers['device_id'], 'things', 'twin', 'commands', 'modify',
      '/features/f/properties', {}, body);
}
"""


def event(path: str = "/attributes/a", revision: int = 7, value: object = 1) -> dict:
    return {
        "topic": "ns/thing/things/twin/events/modified",
        "headers": {},
        "path": path,
        "value": value,
        "revision": revision,
    }


def key_output(ev: dict, key: str | None = None) -> dict:
    return {
        "headers": {"http.path": key or f"k/{ev['revision']}", "content-type": "application/json"},
        "textPayload": ev,
        "bytePayload": None,
        "contentType": "application/json",
    }


def write_case(
    tests_dir: Path, name: str, input_data: object, expected: object = None, error: str | None = None
) -> None:
    tests_dir.mkdir(parents=True, exist_ok=True)
    text = input_data if isinstance(input_data, str) else json.dumps(input_data, ensure_ascii=False)
    (tests_dir / f"{name}.input.json").write_text(text, encoding="utf-8")
    if expected is not None:
        (tests_dir / f"{name}.expected.json").write_text(json.dumps(expected, ensure_ascii=False), "utf-8")
    if error is not None:
        (tests_dir / f"{name}.expected-error.txt").write_text(error, encoding="utf-8")


@pytest.fixture
def key_script(tmp_path: Path) -> Path:
    script = tmp_path / "keys.js"
    script.write_text(KEY_SCRIPT, encoding="utf-8")
    return script


def run_one(tmp_path: Path):
    run = run_tests(discover([tmp_path]))
    assert len(run.results) == 1, run.results
    return run.results[0]


# ---- pass / fail with diff ------------------------------------------------------------------------


def test_matching_outputs_pass(tmp_path: Path, key_script: Path) -> None:
    ev = event()
    write_case(tmp_path / "keys.tests", "modified", ev, [key_output(ev)])
    result = run_one(tmp_path)
    assert result.passed, result.detail
    assert result.direction == "outgoing"


def test_wrong_key_fails_with_unified_diff_of_that_output(tmp_path: Path, key_script: Path) -> None:
    ev = event(revision=8)
    write_case(tmp_path / "keys.tests", "modified", ev, [key_output(ev, key="k/9")])
    result = run_one(tmp_path)
    assert not result.passed
    assert result.detail.startswith('output[0] differs:\n  headers.http.path: expected "k/9", got "k/8"\n')
    assert (
        "--- expected: " + str(tmp_path / "keys.tests" / "modified.expected.json") + " [0]" in result.detail
    )
    assert '-    "http.path": "k/9"' in result.detail
    assert '+    "http.path": "k/8"' in result.detail
    # only the differing line is marked; the rest of the JSON is context at most
    changed = [line for line in result.detail.splitlines() if line.startswith(("+ ", "- "))]
    assert changed == ['-    "http.path": "k/9"', '+    "http.path": "k/8"']


def test_text_payload_json_is_compared_semantically_and_diffed_parsed(
    tmp_path: Path, key_script: Path
) -> None:
    ev = event(value={"b": 1, "a": [1.0, "x"]})
    expected = key_output(ev)
    # the expectation as an escaped string with another key order and 1 spelled 1.0: still equal
    expected["textPayload"] = json.dumps(dict(reversed(list(ev.items()))), indent=4).replace(
        '"b": 1', '"b": 1.0'
    )
    write_case(tmp_path / "keys.tests", "semantic", ev, [expected])
    assert run_one(tmp_path).passed

    (tmp_path / "keys.tests" / "semantic.expected.json").write_text(
        json.dumps([key_output({**ev, "value": {"b": True, "a": [1, "x"]}})])
    )
    result = run_one(tmp_path)
    assert not result.passed
    assert "  textPayload (JSON).value.b: expected true, got 1\n" in result.detail
    assert '-      "b": true' in result.detail
    assert '+      "b": 1' in result.detail


def test_plain_text_payload_compared_as_text(tmp_path: Path) -> None:
    (tmp_path / "t.js").write_text(
        "function mapFromDittoProtocolMsgWrapper(m) {\n"
        "  return Ditto.buildExternalMsg({}, '42', null, 'text/plain');\n"
        "}\n"
    )
    write_case(
        tmp_path / "t.tests",
        "text",
        event(),
        [{"headers": {"content-type": "text/plain"}, "textPayload": "42.0", "contentType": "text/plain"}],
    )
    result = run_one(tmp_path)
    assert not result.passed  # "42" is not the text "42.0", even though both parse as the number 42
    assert '-  "textPayload": "42.0"' in result.detail


# ---- dropped expectations ------------------------------------------------------------------------


def test_empty_expectation_means_dropped(tmp_path: Path, key_script: Path) -> None:
    write_case(tmp_path / "keys.tests", "dropped", event(path="/drop"), [])
    assert run_one(tmp_path).passed


def test_dropped_message_when_output_expected_fails(tmp_path: Path, key_script: Path) -> None:
    ev = event(path="/drop")
    write_case(tmp_path / "keys.tests", "dropped", ev, [key_output(ev)])
    result = run_one(tmp_path)
    assert not result.passed
    assert result.detail.startswith("expected 1 output, got 0 outputs (the mapping dropped the message)")


def test_output_when_drop_expected_fails(tmp_path: Path, key_script: Path) -> None:
    write_case(tmp_path / "keys.tests", "kept", event(), [])
    result = run_one(tmp_path)
    assert not result.passed
    assert "expected 0 outputs, got 1 output (the expectation is: dropped)" in result.detail
    assert '+    "headers": {' in result.detail


# ---- expected errors -----------------------------------------------------------------------------


def test_expected_error_passes_when_every_line_is_in_the_message(tmp_path: Path, key_script: Path) -> None:
    write_case(tmp_path / "keys.tests", "fails", event(path="/fail"), error="refusing path /fail\nError:\n\n")
    assert run_one(tmp_path).passed


def test_expected_error_with_other_message_fails_and_shows_the_actual_error(
    tmp_path: Path, key_script: Path
) -> None:
    write_case(tmp_path / "keys.tests", "fails", event(path="/fail"), error="no such thing\n")
    result = run_one(tmp_path)
    assert not result.passed
    assert "its error does not contain 'no such thing'" in result.detail
    assert "keys.js:4" in result.detail  # the actual error, located in the script
    assert "refusing path /fail" in result.detail


def test_expected_error_but_mapping_succeeds_fails(tmp_path: Path, key_script: Path) -> None:
    write_case(tmp_path / "keys.tests", "ok", event(), error="refusing\n")
    result = run_one(tmp_path)
    assert not result.passed
    assert result.detail.startswith(
        "expected the mapping to fail with 'refusing', but it produced 1 output(s)"
    )


def test_unexpected_mapping_error_fails_with_location(tmp_path: Path, key_script: Path) -> None:
    write_case(tmp_path / "keys.tests", "boom", event(path="/fail"), [])
    result = run_one(tmp_path)
    assert not result.passed
    # the script's path as discovered, so an operator with many scripts knows which file
    assert result.detail.startswith(f"the mapping failed: MappingError: {key_script}:4:")


def test_compile_error_fails_every_case_unless_expected(tmp_path: Path) -> None:
    (tmp_path / "broken.js").write_text(
        "function mapFromDittoProtocolMsgWrapper(msg) {\n  let headers = {\n    'a': 1\n  let x = 2;\n}\n"
    )
    write_case(tmp_path / "broken.tests", "a-expects-output", event(), [])
    write_case(tmp_path / "broken.tests", "b-expects-syntax-error", event(), error="broken.js:4\n")
    run = run_tests(discover([tmp_path]))
    first, second = run.results
    assert not first.passed and "ScriptSyntaxError" in first.detail and "broken.js:4" in first.detail
    assert second.passed, second.detail


# ---- direction inference -------------------------------------------------------------------------


def test_external_message_input_runs_incoming(tmp_path: Path) -> None:
    (tmp_path / "dev.js").write_text(INCOMING_SCRIPT)
    write_case(
        tmp_path / "dev.tests",
        "modify",
        {"headers": {"device_id": "d1"}, "textPayload": '{"t": 21.5}'},
        [
            {
                "topic": "ns/d1/things/twin/commands/modify",
                "headers": {},
                "path": "/features/f/properties",
                "value": {"t": 21.5},
            }
        ],
    )
    result = run_one(tmp_path)
    assert result.direction == "incoming"
    assert result.passed, result.detail


def test_incoming_outputs_compared_strictly_as_json(tmp_path: Path) -> None:
    (tmp_path / "dev.js").write_text(INCOMING_SCRIPT)
    expected = {"topic": "ns/d1/things/twin/commands/modify", "headers": {}, "path": "/features/f/properties"}
    write_case(
        tmp_path / "dev.tests",
        "modify",
        {"headers": {"device_id": "d1"}, "textPayload": '{"t": "21.5"}'},
        [{**expected, "value": {"t": 21.5}}],
    )
    result = run_one(tmp_path)
    assert not result.passed
    assert '-    "t": 21.5' in result.detail and '+    "t": "21.5"' in result.detail


def test_input_of_neither_shape_fails_with_hint(tmp_path: Path, key_script: Path) -> None:
    write_case(tmp_path / "keys.tests", "odd", {"path": "/x"}, [])
    result = run_one(tmp_path)
    assert not result.passed
    assert "cannot tell the direction" in result.detail and "config.json" in result.detail


def test_config_declares_direction(tmp_path: Path, key_script: Path) -> None:
    write_case(tmp_path / "keys.tests", "no-topic", {"path": "/x"}, error="TypeError\n")
    (tmp_path / "keys.tests" / "config.json").write_text('{"direction": "outgoing"}')
    result = run_one(tmp_path)
    assert result.direction == "outgoing"
    assert result.passed, result.detail  # the script's msg.topic is undefined: a TypeError


def test_bad_config_is_a_clear_error(tmp_path: Path, key_script: Path) -> None:
    write_case(tmp_path / "keys.tests", "a", event(), [])
    (tmp_path / "keys.tests" / "config.json").write_text('{"direction": "sideways"}')
    with pytest.raises(
        ConfigError, match=r"config.json: direction: Input should be 'outgoing' or 'incoming'"
    ):
        discover([tmp_path])


# ---- layout problems and bad files ---------------------------------------------------------------


def test_layout_problems_are_failures(tmp_path: Path, key_script: Path) -> None:
    tests_dir = tmp_path / "keys.tests"
    write_case(tests_dir, "no-expectation", event())
    write_case(tests_dir, "both", event(), [], error="x")
    (tests_dir / "orphan.expected.json").write_text("[]")
    run = run_tests(discover([tmp_path]))
    details = {r.case.name: r.detail for r in run.results}
    assert details["no-expectation"].startswith("no expectation: add no-expectation.expected.json")
    assert details["both"].startswith("both both.expected.json and both.expected-error.txt exist")
    assert run.problems == [f"{tests_dir}: expectation for 'orphan' but no orphan.input.json"]
    assert (run.passed, run.failed) == (0, 3)


def test_invalid_input_and_expectation_files_are_reported(tmp_path: Path, key_script: Path) -> None:
    tests_dir = tmp_path / "keys.tests"
    write_case(tests_dir, "a-bad-input", '{"topic": ')
    (tests_dir / "a-bad-input.expected.json").write_text("[]")
    write_case(tests_dir, "b-bad-expected", event())
    (tests_dir / "b-bad-expected.expected.json").write_text('[{"headers": {}, "textpayload": "x"}]')
    write_case(tests_dir, "c-not-a-list", event())
    (tests_dir / "c-not-a-list.expected.json").write_text("{}")
    bad_input, bad_expected, not_a_list = run_tests(discover([tmp_path])).results
    assert "a-bad-input.input.json: not valid JSON" in bad_input.detail
    assert (
        "b-bad-expected.expected.json: [0].textpayload: Extra inputs are not permitted" in bad_expected.detail
    )
    assert "must be a JSON array of outputs" in not_a_list.detail


def test_bad_external_message_input_is_reported(tmp_path: Path) -> None:
    (tmp_path / "dev.js").write_text(INCOMING_SCRIPT)
    write_case(tmp_path / "dev.tests", "b64", {"headers": {}, "bytePayload": "%%%"}, [])
    result = run_one(tmp_path)
    assert result.detail.startswith("input is not a valid external message: bytePayload: is not valid base64")


# ---- discovery -----------------------------------------------------------------------------------


def test_discovery_accepts_directory_script_tests_dir_and_case_file(tmp_path: Path, key_script: Path) -> None:
    tests_dir = tmp_path / "keys.tests"
    write_case(tests_dir, "one", event(), [key_output(event())])
    write_case(tests_dir, "two", event(path="/drop"), [])
    (tmp_path / "untested.js").write_text("function mapFromDittoProtocolMsgWrapper(m) { return null; }")

    def names(paths: list[Path]) -> list[tuple[str, list[str]]]:
        return [(s.script.name, [c.name for c in s.cases]) for s in discover(paths)]

    assert names([tmp_path]) == [("keys.js", ["one", "two"]), ("untested.js", [])]
    assert names([key_script]) == [("keys.js", ["one", "two"])]
    assert names([tests_dir]) == [("keys.js", ["one", "two"])]
    assert names([tests_dir / "two.expected.json"]) == [("keys.js", ["two"])]
    assert names([tests_dir / "two.input.json", tmp_path]) == [
        ("keys.js", ["one", "two"]),
        ("untested.js", []),
    ]
    run = run_tests(discover([tmp_path]))
    assert run.untested_scripts == [tmp_path / "untested.js"]
    assert run.ok


def test_tests_dir_without_script_is_a_problem(tmp_path: Path) -> None:
    write_case(tmp_path / "gone.tests", "a", event(), [])
    run = run_tests(discover([tmp_path]))
    assert run.problems == [f"{tmp_path / 'gone.tests'}: there is no script gone.js for these tests"]
    assert not run.ok


def test_missing_path_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="nope: no such file or directory"):
        discover([tmp_path / "nope"])
    (tmp_path / "notes.txt").write_text("x")
    with pytest.raises(ConfigError, match="not a mapping script"):
        discover([tmp_path / "notes.txt"])


# ---- the command ---------------------------------------------------------------------------------


def test_cli_prints_failures_and_summary_and_exits_1(tmp_path: Path, key_script: Path) -> None:
    ev = event()
    write_case(tmp_path / "keys.tests", "good", ev, [key_output(ev)])
    write_case(tmp_path / "keys.tests", "bad", ev, [key_output(ev, key="other")])
    result = CliRunner().invoke(cli, ["test", str(tmp_path)])
    assert result.exit_code == 1
    assert f"FAIL {key_script} :: bad [outgoing]" in result.output
    assert f"input: {tmp_path / 'keys.tests' / 'bad.input.json'}" in result.output
    assert '-    "http.path": "other"' in result.output
    assert re.search(r"^1 passed, 1 failed in \d+\.\d\ds$", result.output, re.M)


def test_cli_verbose_lists_passes_and_exits_0(tmp_path: Path, key_script: Path) -> None:
    write_case(tmp_path / "keys.tests", "good", event(path="/drop"), [])
    result = CliRunner().invoke(cli, ["test", "-v", str(key_script)])
    assert result.exit_code == 0, result.output
    assert f"ok   {key_script} :: good [outgoing]" in result.output
    assert "1 passed, 0 failed" in result.output


def test_cli_without_cases_exits_1(tmp_path: Path, key_script: Path) -> None:
    result = CliRunner().invoke(cli, ["test", str(tmp_path)])
    assert result.exit_code == 1
    assert "no test cases found" in result.output
    assert "0 passed, 0 failed in" in result.output and f"(no test cases: {key_script})" in result.output


def test_cli_bad_path_is_a_usage_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["test", str(tmp_path / "missing")])
    assert result.exit_code == 1
    assert "Error: " in result.output and "no such file or directory" in result.output


# ---- JSON equality -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("a", "b", "equal"),
    [
        (1, 1.0, True),
        (True, 1, False),
        (False, 0, False),
        ("1", 1, False),
        (None, None, True),
        ({"a": [1, {"b": None}]}, {"a": [1.0, {"b": None}]}, True),
        ({"a": 1}, {"a": 1, "b": None}, False),
        ([1, 2], [2, 1], False),
    ],
)
def test_json_equal(a: object, b: object, equal: bool) -> None:
    assert json_equal(a, b) is equal
    assert json_equal(b, a) is equal

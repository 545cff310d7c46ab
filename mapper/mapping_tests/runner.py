"""Running mapping test cases against the real mapping engine.

Each script is compiled once per direction it is tested in (one :class:`MappingEngine` each) and
then fed every case's input; a script that fails to compile fails each of its cases with the
compile error (which a case may expect, through ``.expected-error.txt``).
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from mapper.errors import ConfigError, MapperError
from mapper.mapping_tests.discovery import Direction, MappingTestCase, ScriptTests
from mapper.mapping_tests.expectations import compare_outputs, external_view, load_expected_outputs, pretty
from mapper.protocol.external import ExternalMessage

if TYPE_CHECKING:
    from mapper.javascript.engine import MappingEngine

Outcome = Literal["passed", "failed"]


@dataclass(frozen=True)
class CaseResult:
    """The result of one case; ``detail`` says why it failed (with diffs), empty when it passed."""

    case: MappingTestCase
    direction: Direction | None
    outcome: Outcome
    detail: str = ""

    @property
    def passed(self) -> bool:
        """True when the mapping did what the case expects."""
        return self.outcome == "passed"


@dataclass
class TestRun:
    """All results of one run, plus scripts that have no cases and layout problems."""

    __test__ = False  # not a pytest test class, despite the name

    results: list[CaseResult] = field(default_factory=list)
    untested_scripts: list[Path] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def passed(self) -> int:
        """Number of passed cases."""
        return sum(1 for r in self.results if r.passed)

    @property
    def failed(self) -> int:
        """Number of failed cases plus layout problems (each problem counts as one failure)."""
        return sum(1 for r in self.results if not r.passed) + len(self.problems)

    @property
    def ok(self) -> bool:
        """True when nothing failed and at least one case ran."""
        return self.failed == 0 and bool(self.results)


class _CaseFailure(Exception):
    """A case failed for a reason that is not a mapping outcome (bad input or expectation file)."""


def run_tests(scripts: Iterable[ScriptTests]) -> TestRun:
    """Run every case of ``scripts`` and collect the results."""
    started = time.perf_counter()
    run = TestRun()
    for script_tests in scripts:
        run.problems.extend(script_tests.problems)
        if not script_tests.cases:
            if script_tests.script.is_file():
                run.untested_scripts.append(script_tests.script)
            continue
        engines = _ScriptEngines(script_tests.script)
        for case in script_tests.cases:
            run.results.append(_run_case(case, engines))
    run.seconds = time.perf_counter() - started
    return run


class _ScriptEngines:
    """One compiled engine per direction for one script, built on first use."""

    def __init__(self, script: Path) -> None:
        self.script = script
        self._source: str | None = None
        self._engines: dict[Direction, MappingEngine | MapperError] = {}

    def engine(self, direction: Direction) -> MappingEngine:
        """The engine running this script in ``direction``; raises its compile error if any."""
        if direction not in self._engines:
            self._engines[direction] = self._build(direction)
        built = self._engines[direction]
        if isinstance(built, MapperError):
            raise built
        return built

    def _build(self, direction: Direction) -> MappingEngine | MapperError:
        # imported here so that `mapper --help` and discovery do not pay for starting QuickJS
        from mapper.javascript.engine import MappingEngine

        if self._source is None:
            self._source = self.script.read_text(encoding="utf-8")
        try:
            if direction == "outgoing":
                return MappingEngine(
                    outgoing_script=self._source, incoming_script="", outgoing_name=str(self.script)
                )
            return MappingEngine(
                outgoing_script="", incoming_script=self._source, incoming_name=str(self.script)
            )
        except MapperError as exc:  # a syntax or size error: every case in this direction sees it
            return exc


def _run_case(case: MappingTestCase, engines: _ScriptEngines) -> CaseResult:
    direction: Direction | None = case.direction
    try:
        _check_expectation_files(case)
        input_text = _read(case.input_path)
        input_data = _parse_input(input_text, case)
        direction = direction or infer_direction(input_data, case)
        try:
            outputs = _map(engines.engine(direction), direction, input_text, input_data)
        except MapperError as exc:
            return _judge_error(case, direction, exc)
        return _judge_outputs(case, direction, outputs)
    except _CaseFailure as failure:
        return CaseResult(case, direction, "failed", str(failure))
    except ConfigError as exc:
        return CaseResult(case, direction, "failed", str(exc))
    except Exception as exc:  # a bug in the engine must not end the run: report it with the case
        return CaseResult(case, direction, "failed", f"internal error: {type(exc).__name__}: {exc}")


def infer_direction(input_data: Any, case: MappingTestCase) -> Direction:
    """Outgoing for a Ditto envelope (has ``topic``), incoming for an external message."""
    if isinstance(input_data, dict):
        if "topic" in input_data:
            return "outgoing"
        if input_data.keys() & {"headers", "textPayload", "bytePayload", "contentType"}:
            return "incoming"
    raise _CaseFailure(
        f'{case.input_path}: cannot tell the direction: expected a Ditto envelope (with "topic") or an '
        'external message (with "headers"/"textPayload"/"bytePayload"); or declare '
        '{"direction": ...} in config.json'
    )


def _map(engine: MappingEngine, direction: Direction, input_text: str, input_data: Any) -> list[Any]:
    if direction == "outgoing":
        # the text, not the parsed dict: the engine reads exactly what the file says
        return [external_view(message) for message in engine.map_outgoing(input_text)]
    try:
        message = ExternalMessage.from_json_dict(input_data)
    except MapperError as exc:
        raise _CaseFailure(f"input is not a valid external message: {exc}") from None
    return engine.map_incoming(message)


def _judge_outputs(case: MappingTestCase, direction: Direction, outputs: list[Any]) -> CaseResult:
    if case.expected_error_path is not None:
        wanted = _expected_error_lines(case)
        return CaseResult(
            case,
            direction,
            "failed",
            f"expected the mapping to fail with {_quoted(wanted)}, but it produced "
            f"{len(outputs)} output(s):\n{pretty(outputs)}",
        )
    assert case.expected_path is not None
    expected = load_expected_outputs(
        _read(case.expected_path), source=str(case.expected_path), outgoing=direction == "outgoing"
    )
    problems = compare_outputs(expected, outputs, expected_label=str(case.expected_path))
    if problems:
        return CaseResult(case, direction, "failed", "\n".join(problems))
    return CaseResult(case, direction, "passed")


def _judge_error(case: MappingTestCase, direction: Direction, error: MapperError) -> CaseResult:
    message = str(error)
    if case.expected_error_path is None:
        return CaseResult(case, direction, "failed", f"the mapping failed: {type(error).__name__}: {message}")
    wanted = _expected_error_lines(case)
    missing = [line for line in wanted if line not in message]
    if missing:
        return CaseResult(
            case,
            direction,
            "failed",
            f"the mapping failed, but its error does not contain {_quoted(missing)}:\n"
            f"{type(error).__name__}: {message}",
        )
    return CaseResult(case, direction, "passed")


def _check_expectation_files(case: MappingTestCase) -> None:
    if case.expected_path is None and case.expected_error_path is None:
        raise _CaseFailure(
            f"no expectation: add {case.name}.expected.json (outputs; [] = dropped) "
            f"or {case.name}.expected-error.txt next to {case.input_path.name}"
        )
    if case.expected_path is not None and case.expected_error_path is not None:
        raise _CaseFailure(
            f"both {case.expected_path.name} and {case.expected_error_path.name} exist; keep one"
        )


def _expected_error_lines(case: MappingTestCase) -> list[str]:
    assert case.expected_error_path is not None
    lines = [line.strip() for line in _read(case.expected_error_path).splitlines() if line.strip()]
    if not lines:
        raise _CaseFailure(f"{case.expected_error_path} is empty; write a part of the expected error message")
    return lines


def _parse_input(text: str, case: MappingTestCase) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise _CaseFailure(f"{case.input_path}: not valid JSON: {exc}") from None


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise _CaseFailure(f"cannot read {path}: {exc}") from None


def _quoted(lines: list[str]) -> str:
    return ", ".join(repr(line) for line in lines)

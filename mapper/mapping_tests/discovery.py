"""Finding mapping test cases on disk.

Layout (see docs/mapping-tests.md)::

    mappings/
      s3-per-revision.js                      the script
      s3-per-revision.tests/                  its cases, one per input file
        thing-modified.input.json             a Ditto envelope (outgoing) or external message (incoming)
        thing-modified.expected.json          the outputs, in order; [] = the message is dropped
        bad-stamp.input.json
        bad-stamp.expected-error.txt          ... or: the mapping must fail, with these substrings
        config.json                           optional: {"direction": "outgoing" | "incoming"}

A case is named by its input file. Direction comes from ``config.json`` when it says so, else from
the shape of each input (an object with ``topic`` is a Ditto envelope -> outgoing; one with
``headers``/``textPayload``/``bytePayload``/``contentType`` is an external message -> incoming).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, ValidationError

from mapper.errors import ConfigError

Direction = Literal["outgoing", "incoming"]

TESTS_DIR_SUFFIX = ".tests"
INPUT_SUFFIX = ".input.json"
EXPECTED_SUFFIX = ".expected.json"
EXPECTED_ERROR_SUFFIX = ".expected-error.txt"
CONFIG_FILE = "config.json"


class TestsConfig(BaseModel):
    """``<script>.tests/config.json``: settings shared by all cases of one script."""

    __test__ = False  # not a pytest test class, despite the name

    model_config = ConfigDict(extra="forbid")

    direction: Direction | None = None
    """Run every case in this direction instead of inferring it from each input's shape."""


@dataclass(frozen=True)
class MappingTestCase:
    """One case: an input file and what the mapping must make of it."""

    name: str
    script: Path
    input_path: Path
    expected_path: Path | None = None
    expected_error_path: Path | None = None
    direction: Direction | None = None
    """Declared by config.json; None means: infer from the input's shape."""


@dataclass
class ScriptTests:
    """A mapping script and its test cases (possibly none)."""

    script: Path
    cases: list[MappingTestCase] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    """Layout mistakes found while collecting (orphan expectation files); each one fails the run."""


def tests_dir_of(script: Path) -> Path:
    """``mappings/x.js`` -> ``mappings/x.tests``."""
    return script.with_name(script.stem + TESTS_DIR_SUFFIX)


def script_of(tests_dir: Path) -> Path:
    """``mappings/x.tests`` -> ``mappings/x.js``."""
    return tests_dir.with_name(tests_dir.name[: -len(TESTS_DIR_SUFFIX)] + ".js")


def discover(paths: Iterable[Path]) -> list[ScriptTests]:
    """Collect the scripts and cases under ``paths``.

    Each path may be a directory (searched recursively for ``*.js`` and ``*.tests``), a script, a
    script's ``.tests`` directory, or one case file (``<case>.input.json`` or one of its
    expectation files). Scripts are returned in path order, each once, with their cases in name
    order.

    Raises :class:`~mapper.errors.ConfigError` for a path that does not exist or is none of these,
    and for an unreadable ``config.json``.
    """
    found: dict[Path, ScriptTests] = {}
    for path in paths:
        if not path.exists():
            raise ConfigError("no such file or directory", source=str(path))
        if path.is_dir() and path.name.endswith(TESTS_DIR_SUFFIX):
            _add_script(found, script_of(path))
        elif path.is_dir():
            for script in _scripts_under(path):
                _add_script(found, script)
        elif path.suffix == ".js":
            _add_script(found, path)
        elif path.parent.name.endswith(TESTS_DIR_SUFFIX) and _case_name(path.name) is not None:
            _add_single_case(found, path)
        else:
            raise ConfigError(
                "not a mapping script (.js), a <script>.tests directory or a test case file",
                source=str(path),
            )
    for entry in found.values():
        entry.cases.sort(key=lambda case: case.name)
    return [found[key] for key in sorted(found)]


def _scripts_under(directory: Path) -> list[Path]:
    scripts = {p for p in directory.rglob("*.js") if not _hidden(p, directory)}
    scripts |= {
        script_of(p)
        for p in directory.rglob("*" + TESTS_DIR_SUFFIX)
        if p.is_dir() and not _hidden(p, directory)
    }
    return sorted(scripts)


def _hidden(path: Path, root: Path) -> bool:
    return any(part.startswith(".") or part == "node_modules" for part in path.relative_to(root).parts)


def _add_script(found: dict[Path, ScriptTests], script: Path) -> None:
    collected = _collect(script)
    entry = found.setdefault(script.resolve(), ScriptTests(script))
    entry.cases.extend(case for case in collected.cases if case not in entry.cases)
    entry.problems.extend(p for p in collected.problems if p not in entry.problems)


def _add_single_case(found: dict[Path, ScriptTests], case_file: Path) -> None:
    script = script_of(case_file.parent)
    name = _case_name(case_file.name)
    collected = _collect(script)
    entry = found.setdefault(script.resolve(), ScriptTests(script))
    matching = [case for case in collected.cases if case.name == name]
    if not script.is_file():
        entry.problems.extend(p for p in collected.problems if p not in entry.problems)
    elif not matching:
        entry.problems.append(f"{case_file}: no input file {name}{INPUT_SUFFIX} for this case")
    entry.cases.extend(case for case in matching if case not in entry.cases)


def _case_name(file_name: str) -> str | None:
    for suffix in (INPUT_SUFFIX, EXPECTED_SUFFIX, EXPECTED_ERROR_SUFFIX):
        if file_name.endswith(suffix) and len(file_name) > len(suffix):
            return file_name[: -len(suffix)]
    return None


def _collect(script: Path) -> ScriptTests:
    result = ScriptTests(script)
    tests_dir = tests_dir_of(script)
    if not script.is_file():
        result.problems.append(f"{tests_dir}: there is no script {script.name} for these tests")
        return result
    if not tests_dir.is_dir():
        return result
    config = _read_config(tests_dir / CONFIG_FILE)
    names: set[str] = set()
    expectations: set[str] = set()
    for entry in sorted(tests_dir.iterdir()):
        name = _case_name(entry.name)
        if name is None:
            continue
        (names if entry.name.endswith(INPUT_SUFFIX) else expectations).add(name)
    for orphan in sorted(expectations - names):
        result.problems.append(f"{tests_dir}: expectation for {orphan!r} but no {orphan}{INPUT_SUFFIX}")
    for name in sorted(names):
        expected = tests_dir / (name + EXPECTED_SUFFIX)
        expected_error = tests_dir / (name + EXPECTED_ERROR_SUFFIX)
        result.cases.append(
            MappingTestCase(
                name=name,
                script=script,
                input_path=tests_dir / (name + INPUT_SUFFIX),
                expected_path=expected if expected.exists() else None,
                expected_error_path=expected_error if expected_error.exists() else None,
                direction=config.direction,
            )
        )
    return result


def _read_config(path: Path) -> TestsConfig:
    if not path.exists():
        return TestsConfig()
    try:
        return TestsConfig.model_validate(json.loads(path.read_text(encoding="utf-8")))
    except json.JSONDecodeError as exc:
        raise ConfigError(f"not valid JSON: {exc}", source=str(path)) from None
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or None
        raise ConfigError(first["msg"], path=where, source=str(path)) from None

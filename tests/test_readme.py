"""README's promises hold: the Quickstart's main job and the embedding examples run as printed."""

from __future__ import annotations

import contextlib
import io
import json
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent
README = (REPO_ROOT / "README.md").read_text(encoding="utf-8")


def section(title: str) -> str:
    start = README.index(f"## {title}\n")
    end = README.find("\n## ", start + 1)
    return README[start : end if end != -1 else None]


def code_blocks(text: str, language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", text, flags=re.S)


@pytest.fixture
def in_checkout_copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A working directory that looks like a checkout (fixtures/, mappings/) but writes elsewhere."""
    for name in ("fixtures", "mappings"):
        (tmp_path / name).symlink_to(REPO_ROOT / name)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_quickstart_has_exactly_two_commands_install_and_test() -> None:
    commands = code_blocks(section("Quickstart"), "sh")
    assert len(commands) == 2
    assert "mapper replay" in commands[0] and "--to ./archive" in commands[0]
    assert "'.[test]'" in commands[1] and "pytest" in commands[1]
    ci = (REPO_ROOT / ".ci" / "run").read_text()
    assert commands[1].strip() in ci, ".ci/run must run the Quickstart's test command verbatim"


def test_quickstart_main_job_replays_the_fixtures_into_archive(in_checkout_copy: Path) -> None:
    command = code_blocks(section("Quickstart"), "sh")[0].strip()
    replay = shlex.split(command.split("&&")[-1])
    assert replay[0] == ".venv/bin/mapper"
    result = subprocess.run(
        [sys.executable, "-m", "mapper", *replay[1:], "--report", "report.json"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "replay complete" in result.stdout + result.stderr
    events = (REPO_ROOT / "fixtures" / "events" / "twin-events.jsonl").read_text().splitlines()
    report = json.loads((in_checkout_copy / "report.json").read_text())
    assert report["read"] == report["archived"] == len(events)
    stored = sorted(p.name for p in (in_checkout_copy / "archive").iterdir())
    assert len(stored) == len(events)
    assert "com.acme:coffee-brewer:things:twin:events:created:1" in stored


def test_embedding_examples_run_and_print_what_the_readme_says(in_checkout_copy: Path) -> None:
    text = section("Embedding in a connector")
    sync_example, async_example = code_blocks(text, "python")
    promised = code_blocks(text, "text")[0]

    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(sync_example, "README-sync-example", "exec"), {"__name__": "readme"})
    assert out.getvalue() == promised
    key = "com.acme:coffee-brewer:things:twin:events:modified:42"
    assert json.loads((in_checkout_copy / "archive" / key).read_text())["value"] == 42

    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(async_example, "README-async-example", "exec"), {"__name__": "readme"})
    assert out.getvalue() == "1 outcomes\n"
    assert (in_checkout_copy / "archive" / "com.acme:a:things:twin:events:deleted:9").exists()

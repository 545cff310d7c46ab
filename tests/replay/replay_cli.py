"""Running ``mapper replay`` as a user does, for the end-to-end replay tests (importable as ``replay_cli``).

The command runs in a child process through the console-script entry point, with an environment
that holds no AWS settings of the machine: credentials come only from what a test passes (the
standard chain reads ``AWS_ACCESS_KEY_ID`` / ``AWS_SECRET_ACCESS_KEY``), the shared config files
point at nothing and the instance metadata service is off, so a test never waits on IMDS.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import urllib.parse
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fault_server import RecordedRequest, Reply

REPO_ROOT = Path(__file__).resolve().parents[2]
FIXTURES = REPO_ROOT / "fixtures"
EVENTS = FIXTURES / "events" / "twin-events.jsonl"
SEED_SCRIPT = REPO_ROOT / "mappings" / "s3-per-revision.js"
MAPPER = [sys.executable, "-c", "from mapper.cli.main import main; main()"]


@dataclass(frozen=True)
class CliResult:
    """Exit status and output of one ``mapper`` run."""

    exit_code: int
    stdout: str
    stderr: str


def clean_env(tmp: Path, extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """The process environment without AWS settings, plus ``extra``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env["AWS_CONFIG_FILE"] = str(tmp / "no-aws-config")
    env["AWS_SHARED_CREDENTIALS_FILE"] = str(tmp / "no-aws-credentials")
    env["AWS_EC2_METADATA_DISABLED"] = "true"
    env["AWS_DEFAULT_REGION"] = "us-east-1"
    env.update(extra or {})
    return env


def aws_env(tmp: Path, access_key: str, secret_key: str) -> dict[str, str]:
    """A clean environment whose standard credential chain yields exactly this key."""
    return clean_env(tmp, {"AWS_ACCESS_KEY_ID": access_key, "AWS_SECRET_ACCESS_KEY": secret_key})


def run_mapper(
    args: Sequence[str | os.PathLike[str]],
    *,
    env: Mapping[str, str],
    cwd: Path | None = None,
    stdin: bytes | None = None,
    timeout: float = 120,
) -> CliResult:
    """Run ``mapper ARGS...`` to completion."""
    done = subprocess.run(
        [*MAPPER, *map(str, args)],
        env=dict(env),
        cwd=cwd,
        input=stdin,
        capture_output=True,
        timeout=timeout,
        check=False,
    )
    return CliResult(done.returncode, done.stdout.decode(), done.stderr.decode())


def invoke_mapper(
    args: Sequence[str | os.PathLike[str]], *, env: Mapping[str, str], stdin: bytes | None = None
) -> CliResult:
    """Run ``mapper ARGS...`` in this process through click's test runner (no interpreter start-up).

    ``env`` replaces the AWS part of the environment for the duration of the call.
    """
    from click.testing import CliRunner

    from mapper.cli.main import cli

    overrides: dict[str, str | None] = {k: None for k in os.environ if k.startswith("AWS_")}
    overrides.update(env)
    result = CliRunner().invoke(
        cli, [str(a) for a in args], env=overrides, input=stdin, catch_exceptions=False
    )
    return CliResult(result.exit_code, result.stdout, result.stderr)


def popen_mapper(
    args: Sequence[str | os.PathLike[str]], *, env: Mapping[str, str], cwd: Path | None = None
) -> subprocess.Popen[bytes]:
    """Start ``mapper ARGS...`` in the background (output to pipes)."""
    return subprocess.Popen(
        [*MAPPER, *map(str, args)], env=dict(env), cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )


def seed_key(event: Mapping[str, Any]) -> str:
    """The key mappings/s3-per-revision.js gives an event (computed in Python, independently)."""
    return ":".join(str(event["topic"]).split("/")) + ":" + str(event["revision"])


def fixture_lines() -> list[str]:
    """The lines of fixtures/events/twin-events.jsonl."""
    return EVENTS.read_text(encoding="utf-8").splitlines()


def moto_safe(key: str) -> bool:
    """Whether moto's server mode can verify a signature for a request to this key.

    moto checks the signature against the *decoded* path (REFERENCE.md 5), so keys with
    ``$ + =`` or non-ASCII characters fail there even for boto3; those keys are covered against
    the fault server, which records the raw request target.
    """
    return key.isascii() and not set(key) & set("$+=")


def twin_event(thing: str, revision: int, value: Any, *, namespace: str = "org.acme") -> str:
    """One Ditto twin event line (``modified`` on an attribute)."""
    return json.dumps(
        {
            "topic": f"{namespace}/{thing}/things/twin/events/modified",
            "headers": {"correlation-id": f"{thing}-{revision}"},
            "path": "/attributes/state",
            "value": value,
            "revision": revision,
            "timestamp": f"2024-05-06T07:{revision // 60 % 60:02d}:{revision % 60:02d}.000Z",
        },
        separators=(",", ":"),
    )


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    """Every JSON line of a file."""
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


class Sink:
    """Answers 200 to every PUT unless a fault is due; remembers which request got which answer."""

    def __init__(self, faults: dict[int, object] | None = None, delay: float = 0.0) -> None:
        self.faults = faults or {}  # request number (1-based) -> behaviour
        self.delay = delay
        self.answered_ok: list[RecordedRequest] = []
        self.faulted: list[RecordedRequest] = []
        self._lock = threading.Lock()
        self._count = 0

    def __call__(self, request: RecordedRequest):
        with self._lock:
            self._count += 1
            fault = self.faults.get(self._count)
            (self.faulted if fault is not None else self.answered_ok).append(request)
        if fault is not None:
            return fault
        if self.delay:
            threading.Event().wait(self.delay)
        return Reply(200, headers={"ETag": '"0"'})

    def keys_ok(self, prefix: str = "/bucket/") -> Counter[str]:
        """How often each key got a 2xx answer."""
        with self._lock:
            return Counter(urllib.parse.unquote(r.path.removeprefix(prefix)) for r in self.answered_ok)

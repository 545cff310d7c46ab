"""One sandboxed QuickJS context running one operator script for one direction.

A context holds: the vendored libraries the mapping options ask for, the ``Ditto`` scope, Ditto's
default templates for the direction, mapper's batch driver and the operator's script, in that
order (so the script's functions replace the defaults of the same name, as in Ditto). The script
is compiled once and reused for every message; a context belongs to one thread (QuickJS contexts
are single-threaded; :class:`~mapper.javascript.engine.MappingEngine` keeps one per thread).

Sandbox: a bare QuickJS context has only the ECMAScript standard library — no ``std``/``os``
modules, no ``require``, no module loader (``import()`` rejects), no ``print``/``console``/
``setTimeout``, and mapper registers no Python callables. ``Atomics.wait`` refuses to block
("cannot block in this thread"). Limits: memory (``set_memory_limit``), C stack bytes
(``set_max_stack_size``) and wall-clock time per call (:mod:`mapper.javascript.watchdog`).
"""

from __future__ import annotations

import json
import time
from importlib import resources
from typing import Literal

import quickjs

from mapper.errors import MappingError, MappingResultError, ScriptLimitError, ScriptSyntaxError
from mapper.javascript.diagnostics import JsFailure, ScriptSource, mapping_error
from mapper.javascript.limits import SandboxLimits
from mapper.javascript.watchdog import WATCHDOG, cpu_backstop_seconds, wall_clock_supported

Direction = Literal["outgoing", "incoming", "check"]

_DEFAULTS = {
    "outgoing": ("default_outgoing.js",),
    "incoming": ("default_incoming.js",),
    "check": ("default_outgoing.js", "default_incoming.js"),
}


def _package_text(*parts: str) -> str:
    return resources.files("mapper.javascript").joinpath(*parts).read_text(encoding="utf-8")


_SOURCES: dict[str, str] = {}

# Messages per call into JavaScript. Per-call overhead is already small at 100, and a smaller call
# is less likely to be cut short by the wall-clock limit on a busy machine (a message interrupted
# after others in the same call is retried alone, which costs another full time limit).
_MESSAGES_PER_CALL = 100


def _library(*parts: str) -> str:
    key = "/".join(parts)
    text = _SOURCES.get(key)
    if text is None:
        text = _SOURCES[key] = _package_text(*parts)
    return text


def _parse_output(output: str, count: int) -> list[list[str] | dict]:
    """Decode the driver's line protocol (see js/driver.js) for ``count`` messages."""
    outcomes: list[list[str] | dict] = []
    if count == 0:
        return outcomes
    lines = output.split("\n")
    position = 0
    while len(outcomes) < count:
        head = lines[position]
        position += 1
        if head.startswith("!"):
            outcomes.append(json.loads(head[1:]))
        else:
            n = int(head)
            outcomes.append(lines[position : position + n])
            position += n
    return outcomes


class MappingContext:
    """A compiled script in its own QuickJS runtime; see the module docstring."""

    def __init__(
        self,
        direction: Direction,
        source: ScriptSource,
        limits: SandboxLimits,
        *,
        load_bytebuffer_js: bool = False,
        load_long_js: bool = False,
    ) -> None:
        if "\x00" in source.text:
            line = source.text[: source.text.index("\x00")].count("\n") + 1
            raise ScriptSyntaxError(
                "the script contains a NUL character",
                script=source.name,
                line=line,
                source_line=source.source_line(line),
            )
        if len(source.text) > limits.max_script_chars:
            raise ScriptLimitError(
                f"the script has {len(source.text):,} characters, more than the limit of "
                f"{limits.max_script_chars:,}",
                script=source.name,
            )
        self.direction = direction
        self.source = source
        self.limits = limits
        self._load_bytebuffer_js = load_bytebuffer_js
        self._load_long_js = load_long_js
        self._wall_clock = wall_clock_supported()
        self._limits_text = {
            "timeout": f"the script ran longer than the time limit of {limits.timeout_ms} ms",
            "memory": "the script needed more than the memory limit of "
            f"{limits.memory_limit_bytes / 2**20:g} MiB",
            "stack": f"the stack limit is {limits.stack_size_bytes // 1024} KiB "
            f"(room for at least {limits.max_stack_depth} nested calls)",
        }
        self.rebuilds = 0
        self._build()

    # ---- building ------------------------------------------------------------------------------

    def _build(self) -> None:
        context = quickjs.Context()
        context.set_memory_limit(self.limits.memory_limit_bytes)
        context.set_max_stack_size(self.limits.stack_size_bytes)
        if self._wall_clock:
            context.set_time_limit(cpu_backstop_seconds(self.limits.timeout_seconds))
        else:  # pragma: no cover - depends on the binding
            context.set_time_limit(self.limits.timeout_seconds)
        self._context = context
        # mapper's code starts after as many lines as the script has: see diagnostics.py.
        padding = "\n" * self.source.line_count
        libraries = []
        if self._load_long_js:
            libraries.append(("vendor", "long.js"))
        if self._load_bytebuffer_js:
            libraries.append(("vendor", "bytebuffer.js"))
        libraries.append(("js", "ditto_scope.js"))
        libraries.extend(("js", name) for name in _DEFAULTS[self.direction])
        for parts in libraries:
            context.eval(padding + _library(*parts))
        context.eval(padding + "globalThis.__mapperDriver = " + _library("js", "driver.js"))
        self._outgoing = context.eval("__mapperDriver.outgoing")
        self._incoming = context.eval("__mapperDriver.incoming")
        self._aborted = context.eval("__mapperDriver.aborted")
        context.eval("delete globalThis.__mapperDriver")
        # The operator's script, timed like a call: top-level code runs now.
        try:
            self._timed(context.eval, self.source.text)
        except quickjs.JSException as exc:
            raise self._error(JsFailure.from_exception_text(str(exc)), loading=True) from None

    def rebuild(self) -> None:
        """A fresh runtime from the same sources (after an out-of-memory may have left it unusable)."""
        self.rebuilds += 1
        self._build()

    # ---- calling -------------------------------------------------------------------------------

    def _timed(self, function, *args):  # type: ignore[no-untyped-def]
        if not self._wall_clock:  # pragma: no cover - depends on the binding
            return function(*args)
        token = WATCHDOG.arm(self._context, time.monotonic() + self.limits.timeout_seconds)
        try:
            return function(*args)
        finally:
            WATCHDOG.disarm(token)

    def _error(self, failure: JsFailure, *, loading: bool = False) -> MappingError:
        return mapping_error(failure, self.source, limits_text=self._limits_text, loading=loading)

    def _outcome(self, raw: list[str] | dict) -> list[str] | MappingError:
        if isinstance(raw, list):
            return raw
        if raw["kind"] == "result":
            return MappingResultError(raw["message"], script=self.source.name)
        failure = JsFailure(raw.get("name", ""), raw["message"], raw.get("stack", ""))
        if failure.is_out_of_memory:
            self._needs_rebuild = True  # a caught out-of-memory may still have left the runtime unusable
        return self._error(failure)

    def run(self, batch: list[str]) -> list[list[str] | MappingError]:
        """Map each JSON text in ``batch``; per message its result lines or its error, in order.

        One call maps the whole batch. A failure a script cannot catch (time limit, out of
        memory) aborts the call: the messages before it keep their results, the failing message
        is retried alone if others ran before it in the same call (so it is charged only its
        own time), and the rest continue in a new call.
        """
        function = self._incoming if self.direction == "incoming" else self._outgoing
        outcomes: list[list[str] | MappingError] = []
        start = 0
        while start < len(batch):
            pending = batch[start : start + _MESSAGES_PER_CALL]
            self._needs_rebuild = False
            try:
                output = self._timed(function, "[" + ",".join(pending) + "]", self.limits.max_results)
            except quickjs.JSException as exc:
                failure = JsFailure.from_exception_text(str(exc))
                done = self._finished_before_abort()
                if failure.is_out_of_memory or done is None:
                    self.rebuild()
                if done is None:  # pragma: no cover - the runtime could not even report progress
                    outcomes.extend(self.run([pending[0]]))
                    start += 1
                    continue
                outcomes.extend(done)
                if done:
                    # Others ran before it in this call: give it a call (and a deadline) of its own.
                    outcomes.extend(self.run([pending[len(done)]]))
                else:
                    outcomes.append(self._error(failure))
                start += len(done) + 1
                continue
            outcomes.extend(self._outcome(raw) for raw in _parse_output(output, len(pending)))
            self._run_pending_jobs()
            if self._needs_rebuild:
                self.rebuild()
            start += len(pending)
        return outcomes

    def _run_pending_jobs(self) -> None:
        """Run the promise callbacks the scripts queued (``Promise.resolve().then(...)``).

        Ditto's Rhino has no promises, so results never wait for them; but left queued they pile up
        in the runtime, message after message, until an unrelated message fails with out of memory.
        They run under the same time limit as a call; their failures belong to no message.
        """
        context = self._context

        def drain() -> None:
            while context.execute_pending_job():
                pass

        try:
            self._timed(drain)
        except quickjs.JSException as exc:
            if JsFailure.from_exception_text(str(exc)).is_out_of_memory:
                self._needs_rebuild = True

    def _finished_before_abort(self) -> list[list[str] | MappingError] | None:
        try:
            report = self._aborted()
            index_text, _, finished = report.partition("\n")
            return [self._outcome(raw) for raw in _parse_output(finished, int(index_text))]
        except (quickjs.JSException, ValueError, TypeError):  # pragma: no cover - the runtime is unusable
            return None

"""The sandbox: no host access, and every limit fails one message cleanly and fast."""

from __future__ import annotations

import contextlib
import json
import threading
import time

import pytest
import quickjs

from mapper.errors import MappingError, ScriptLimitError
from mapper.javascript import MappingEngine, SandboxLimits, check_script
from mapper.javascript.context import MappingContext
from mapper.javascript.diagnostics import ScriptSource

SMALL = SandboxLimits(timeout_ms=200, memory_limit_bytes=16 * 1024 * 1024)


def engine_with(body: str, limits: SandboxLimits = SMALL) -> MappingEngine:
    # A wrapper override that returns a normal message unless the envelope says "bomb".
    script = (
        "function mapFromDittoProtocolMsgWrapper(msg) {\n"
        "  if (msg.path === '/bomb') {\n"
        f"    {body}\n"
        "  }\n"
        "  return Ditto.buildExternalMsg({}, 'fine ' + msg.revision, null, 'text/plain');\n"
        "}\n"
    )
    return MappingEngine(outgoing_script=script, limits=limits)


def event(path: str = "/ok", revision: int = 1) -> str:
    return json.dumps(
        {"topic": "a/b/things/twin/events/modified", "headers": {}, "path": path, "revision": revision}
    )


def probe(expression: str) -> object:
    engine = MappingEngine(
        outgoing_script=(
            "function mapFromDittoProtocolMsgWrapper() { return Ditto.buildExternalMsg({}, "
            f"JSON.stringify((function () {{ {expression} }})()), null, 't'); }}"
        )
    )
    return json.loads(engine.map_outgoing(event())[0].text_payload)


# ---- no host access ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    [
        "std",
        "os",
        "require",
        "print",
        "console",
        "setTimeout",
        "setInterval",
        "exit",
        "quit",
        "load",
        "module",
        "process",
        "Java",
        "Packages",
        "fetch",
        "XMLHttpRequest",
        "WebAssembly",
    ],
)
def test_host_globals_are_absent(name):
    assert probe(f"return typeof globalThis[{name!r}];") == "undefined"


def test_dynamic_import_cannot_load_modules():
    # import() returns a promise that can only reject: there is no module loader (and mapper never
    # runs pending jobs, so even its rejection handler never runs inside a mapping).
    assert probe("let p = import('os'); return p instanceof Promise;") is True


def test_atomics_wait_cannot_block():
    with pytest.raises(MappingError, match="cannot block"):
        engine_with("Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 5000);").map_outgoing(
            event("/bomb")
        )


STANDARD_GLOBALS = set(
    [
        "Object",
        "Function",
        "Error",
        "EvalError",
        "RangeError",
        "ReferenceError",
        "SyntaxError",
        "TypeError",
        "URIError",
        "InternalError",
        "AggregateError",
        "SuppressedError",
        "Iterator",
        "Array",
        "parseInt",
        "parseFloat",
        "isNaN",
        "isFinite",
        "queueMicrotask",
        "decodeURI",
        "decodeURIComponent",
        "encodeURI",
        "encodeURIComponent",
        "escape",
        "unescape",
        "Infinity",
        "NaN",
        "undefined",
        "eval",
        "Number",
        "Boolean",
        "String",
        "Math",
        "Reflect",
        "Symbol",
        "DisposableStack",
        "globalThis",
        "BigInt",
        "Date",
        "RegExp",
        "JSON",
        "Proxy",
        "Map",
        "Set",
        "WeakMap",
        "WeakSet",
        "ArrayBuffer",
        "SharedArrayBuffer",
        "Uint8ClampedArray",
        "Int8Array",
        "Uint8Array",
        "Int16Array",
        "Uint16Array",
        "Int32Array",
        "Uint32Array",
        "BigInt64Array",
        "BigUint64Array",
        "Float16Array",
        "Float32Array",
        "Float64Array",
        "DataView",
        "Atomics",
        "Promise",
        "AsyncDisposableStack",
        "WeakRef",
        "FinalizationRegistry",
        "DOMException",
        "btoa",
        "atob",
        "performance",
    ]
)


def test_globals_are_only_the_ecmascript_library_and_the_ditto_scope():
    # No Python callables, no driver left behind; Ditto is a top-level `let`, as in Ditto.
    names = set(probe("return Object.getOwnPropertyNames(globalThis);"))
    defaults = {"mapFromDittoProtocolMsgWrapper", "mapFromDittoProtocolMsg"}
    assert names - STANDARD_GLOBALS == defaults
    assert probe("return typeof Ditto;") == "object"


def test_script_cannot_replace_the_driver_by_redefining_builtins(envelope_json):
    engine = MappingEngine(
        outgoing_script="JSON.stringify = () => 'evil'; Array.isArray = () => false;\n"
        "function mapFromDittoProtocolMsg() { return Ditto.buildExternalMsg({}, 'ok', null, null); }"
    )
    [message] = engine.map_outgoing(envelope_json)
    assert message.text_payload == "ok"


# ---- Ditto's sandbox cases -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "error", "message"),
    [
        ("exit(1);", MappingError, "exit is not defined"),
        ("quit(1);", MappingError, "quit is not defined"),
        ("while (true);", ScriptLimitError, "time limit of 200 ms"),
        ("(function recurse() { recurse(); })();", ScriptLimitError, "Maximum call stack size exceeded"),
        ("let a = []; while (true) a.push({n: a.length});", ScriptLimitError, "memory limit of 16 MiB"),
        (
            "return Ditto.buildExternalMsg({}, 'x'.repeat(2 ** 27), null, null);",
            ScriptLimitError,
            "memory limit",
        ),
        ("let s = 'ab'; while (true) s += s;", ScriptLimitError, "memory limit"),
        (
            "globalThis.keep = []; while (true) keep.push(new Array(4096).fill(7));",
            ScriptLimitError,
            "memory",
        ),
    ],
)
def test_limit_fails_one_message_then_the_engine_keeps_working(body, error, message):
    engine = engine_with(body)
    started = time.monotonic()
    outcomes = engine.map_outgoing_json([event(revision=1), event("/bomb"), event(revision=3)])
    assert time.monotonic() - started < 2.0
    assert isinstance(outcomes[1], error)
    assert message in str(outcomes[1])
    assert json.loads(outcomes[0][0])["textPayload"] == "fine 1"
    assert json.loads(outcomes[2][0])["textPayload"] == "fine 3"
    # ... and in the same thread, one message at a time.
    with pytest.raises(error):
        engine.map_outgoing(event("/bomb"))
    assert engine.map_outgoing(event(revision=4))[0].text_payload == "fine 4"


def test_script_of_100000_functions_is_rejected_at_load_time():
    script = "\n".join(f"function f{i}() {{ return {i}; }}" for i in range(100_000))
    started = time.monotonic()
    with pytest.raises(ScriptLimitError, match="more than the limit of 50,000"):
        MappingEngine(outgoing_script=script)
    with pytest.raises(ScriptLimitError):
        check_script(script, "big.js")
    assert time.monotonic() - started < 1.0


def test_script_size_is_counted_in_characters_per_script():
    script = "// " + "é" * (50_000 - 4) + "\n"
    assert len(script) == 50_000 and len(script.encode()) > 50_000
    MappingEngine(outgoing_script=script, incoming_script=script)  # each within the limit
    with pytest.raises(ScriptLimitError, match="50,001 characters"):
        MappingEngine(incoming_script=script + " ")


def test_top_level_code_is_time_limited_at_load():
    with pytest.raises(ScriptLimitError, match="time limit"):
        MappingEngine(outgoing_script="for (;;) {}", limits=SMALL)


def test_max_stack_depth_nested_calls_fit():
    # Ditto allows 25 nested calls; they must work here, with locals and a JSON.stringify at the bottom.
    body = (
        "function nest(n) { const a = [n, n + 1, {n: n}], b = 'x' + n; "
        "return n === 0 ? JSON.stringify({deep: [[[[1]]]]}) : nest(n - 1) + b.length + a.length; }\n"
        "return Ditto.buildExternalMsg({}, nest(25), null, null);"
    )
    engine = engine_with(body, SandboxLimits())
    assert engine.map_outgoing(event("/bomb"))[0].text_payload.startswith('{"deep"')


def test_out_of_memory_rebuilds_the_threads_context():
    engine = engine_with("globalThis.keep = []; while (true) keep.push(new Array(4096).fill(7));")
    context = engine._context("outgoing")
    before = context.rebuilds
    with pytest.raises(ScriptLimitError, match="memory"):
        engine.map_outgoing(event("/bomb"))
    assert context.rebuilds == before + 1
    # Without the rebuild the global array would still hold the whole memory limit.
    assert context._context.memory()["memory_used_size"] < SMALL.memory_limit_bytes // 4
    assert engine.map_outgoing(event(revision=9))[0].text_payload == "fine 9"


def test_binding_out_of_memory_state_is_real():
    """Why the rebuild exists: after an out-of-memory, a global can keep the runtime full."""
    context = quickjs.Context()
    context.set_memory_limit(16 * 1024 * 1024)
    with pytest.raises(quickjs.JSException, match="out of memory"):
        context.eval("var keep = []; while (true) keep.push(new Array(4096).fill(7));")
    assert context.memory()["memory_used_size"] > 12 * 1024 * 1024
    with pytest.raises(quickjs.JSException):
        context.eval("new Array(1e6).fill(1)")


# ---- the time limit is wall-clock time -------------------------------------------------------------------


def burn_cpu_in_js(stop: threading.Event) -> None:
    """Another QuickJS runtime spinning in a thread of this process (GIL released while it runs)."""
    context = quickjs.Context()
    context.set_time_limit(0.05)
    while not stop.is_set():
        with contextlib.suppress(quickjs.JSException):
            context.eval("for (;;) {}")


def test_endless_loop_fails_after_the_wall_clock_limit_while_other_threads_burn_cpu():
    engine = engine_with("while (true);", SandboxLimits())
    stop = threading.Event()
    burners = [threading.Thread(target=burn_cpu_in_js, args=(stop,), daemon=True) for _ in range(2)]
    for burner in burners:
        burner.start()
    try:
        time.sleep(0.05)
        started = time.monotonic()
        with pytest.raises(ScriptLimitError, match="time limit of 500 ms"):
            engine.map_outgoing(event("/bomb"))
        elapsed = time.monotonic() - started
    finally:
        stop.set()
        for burner in burners:
            burner.join()
    # clock()-based limit alone would fire after ~0.5 s of *process* CPU time: ~0.17-0.25 s here.
    assert 0.48 <= elapsed < 0.9
    assert engine.map_outgoing(event(revision=2))[0].text_payload == "fine 2"


def test_batch_timeout_charges_each_message_only_its_own_time():
    # Each slow message takes ~60% of the limit: in one batch call they would exceed it together.
    body = "const end = Date.now() + 120; while (Date.now() < end);"
    engine = engine_with(body, SandboxLimits(timeout_ms=200))
    outcomes = engine.map_outgoing_json([event("/bomb")] * 3 + [event(revision=5)])
    assert all(isinstance(o, list) for o in outcomes), outcomes
    assert json.loads(outcomes[3][0])["textPayload"] == "fine 5"


def test_check_script_compiles_either_direction():
    check_script("function mapToDittoProtocolMsg() { return null; }", "in.js")
    check_script("function mapFromDittoProtocolMsg() { return null; }", "out.js")


def test_context_rejects_nul_characters():
    with pytest.raises(MappingError, match="NUL character") as info:
        MappingContext("check", ScriptSource("nul.js", "var a = 1;\nvar b = '\x00';"), SandboxLimits())
    assert info.value.line == 2


def test_results_before_an_interrupted_message_are_kept():
    # Big results before the interrupt: the driver must hand them back (as one flat string).
    script = (
        "function mapFromDittoProtocolMsgWrapper(msg) {\n"
        "  if (msg.path === '/bomb') { for (;;) {} }\n"
        "  return Ditto.buildExternalMsg({}, 'x'.repeat(20000) + msg.revision, null, null);\n"
        "}\n"
    )
    engine = MappingEngine(outgoing_script=script, limits=SandboxLimits(timeout_ms=100))
    outcomes = engine.map_outgoing_json(
        [event(revision=1), event(revision=2), event("/bomb"), event(revision=4)]
    )
    assert [json.loads(o[0])["textPayload"][-1] for o in (outcomes[0], outcomes[1], outcomes[3])] == [
        "1",
        "2",
        "4",
    ]
    assert isinstance(outcomes[2], ScriptLimitError)


# ---- promise callbacks -------------------------------------------------------------------------------


def test_queued_promise_callbacks_run_and_do_not_pile_up_until_out_of_memory():
    script = (
        "var settled = 0;\n"
        "function mapFromDittoProtocolMsgWrapper(msg) {\n"
        "  Promise.resolve('x'.repeat(300)).then(function (s) { settled += 1; });\n"
        "  return Ditto.buildExternalMsg({}, String(settled), null, 'text/plain');\n"
        "}\n"
    )
    engine = MappingEngine(outgoing_script=script, limits=SandboxLimits(memory_limit_bytes=4 * 2**20))
    # Never run, the callbacks used to fill the 4 MiB runtime after ~2,000 messages.
    outcomes = engine.map_outgoing_json([event(revision=i) for i in range(6000)])
    assert all(isinstance(o, list) for o in outcomes), next(o for o in outcomes if not isinstance(o, list))
    # They run after each call into JavaScript (100 messages): the counter grows between calls.
    assert json.loads(outcomes[-1][0])["textPayload"] == "5900"


def test_an_endless_promise_callback_is_stopped_and_fails_no_message():
    script = (
        "function mapFromDittoProtocolMsgWrapper(msg) {\n"
        "  Promise.resolve().then(function () { for (;;) {} });\n"
        "  return Ditto.buildExternalMsg({}, 'fine', null, 'text/plain');\n"
        "}\n"
    )
    engine = MappingEngine(outgoing_script=script, limits=SandboxLimits(timeout_ms=100))
    started = time.monotonic()
    outcomes = engine.map_outgoing_json([event(revision=i) for i in range(3)])
    assert time.monotonic() - started < 1.0
    assert [json.loads(o[0])["textPayload"] for o in outcomes] == ["fine"] * 3

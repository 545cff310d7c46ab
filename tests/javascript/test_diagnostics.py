"""Error reports: script name, line, column, the source line and the JS stack, in the operator's script."""

from __future__ import annotations

import pytest

from mapper.errors import MappingError, ScriptLimitError, ScriptSyntaxError
from mapper.javascript import MappingEngine, check_script
from mapper.javascript.diagnostics import JsFailure, ScriptSource, script_stack, unclosed_bracket

EVENT = {"topic": "a/b/things/twin/events/modified", "headers": {}, "path": "/", "revision": 1}


def test_seed_script_as_printed_is_reported_at_its_line(seed_script_as_printed):
    with pytest.raises(ScriptSyntaxError) as info:
        check_script(seed_script_as_printed, "seed-s3.js")
    error = info.value
    assert (error.script, error.line, error.column) == ("seed-s3.js", 5, 3)
    assert error.source_line == "  let textPayload = JSON.stringify(msg);"
    assert "check the end of line 4" in error.message
    rendered = str(error)
    assert rendered.startswith("seed-s3.js:5:3: SyntaxError: ")
    assert rendered.endswith("\n      let textPayload = JSON.stringify(msg);\n      ^")


def test_engine_reports_the_syntax_error_under_the_script_name(seed_script_as_printed):
    with pytest.raises(ScriptSyntaxError) as info:
        MappingEngine(outgoing_script=seed_script_as_printed, outgoing_name="connection.json#outgoingScript")
    assert (info.value.script, info.value.line) == ("connection.json#outgoingScript", 5)


def test_missing_closing_brace_names_the_open_brace_and_points_after_the_last_code():
    script = "function mapFromDittoProtocolMsg() {\n  return null;\n\n"
    with pytest.raises(ScriptSyntaxError) as info:
        check_script(script, "s.js")
    error = info.value
    # QuickJS says "unexpected token in expression: ''" at line 4, column 1 (past the last line).
    assert (error.line, error.column) == (2, 15)
    assert error.source_line == "  return null;"
    assert error.message.startswith(
        "SyntaxError: the script ends before the '{' opened at line 1, column 36 is closed: a '}' is missing"
    )


def test_seed_script_with_headers_fixed_reports_its_missing_final_brace(seed_script_as_printed):
    # The seed's second error: with `};` restored after the headers object, the final `}` is missing.
    script = seed_script_as_printed.replace("msg['revision']\n", "msg['revision']\n  };\n")
    with pytest.raises(ScriptSyntaxError) as info:
        check_script(script, "seed-s3.js")
    error = info.value
    assert (error.line, error.column) == (10, 81)
    assert error.source_line.endswith("bytePayload, contentType);")
    assert "the '{' opened at line 1, column 46 is closed: a '}' is missing" in error.message


@pytest.mark.parametrize(
    ("script", "expected"),
    [
        ("function f() {\n  return 1;\n}\n", None),
        ("f(1, [2, {a: 3}]", ("(", 1, 2)),
        ("let s = '{(['; let t = \"}\"; {", ("{", 1, 29)),
        ("// { in a comment\n/* ( [ */ if (x) {\n", ("{", 2, 18)),
        ("let r = /[}{)]/g; let d = a / b / c; (", ("(", 1, 38)),
        ("return /}/.test(x) && [", ("[", 1, 23)),
        ("let t = `a ${ {b: '}'} } c ${x}`; {", ("{", 1, 35)),
        ("let t = `a ${x", ("${", 1, 12)),
        ("let t = `never closed {", ("`", 1, 9)),
        ("f(]", None),  # mismatched: QuickJS's own message stands
        ("let a = 1; /* open comment {", None),
    ],
)
def test_unclosed_bracket_scanner(script, expected):
    assert unclosed_bracket(script) == expected


def test_end_of_script_without_an_open_bracket_says_the_script_ends_too_early():
    with pytest.raises(ScriptSyntaxError) as info:
        check_script("let a = 1 +\n\n", "s.js")
    assert (info.value.line, info.value.column) == (1, 12)
    assert info.value.message.startswith("SyntaxError: the script ends too early (")


def test_runtime_error_names_line_column_source_line_and_stack():
    script = (
        "// helper first\n"
        "function pick(msg) {\n"
        "  return msg.value.deep.field;\n"
        "}\n"
        "function mapFromDittoProtocolMsgWrapper(msg) {\n"
        "  return Ditto.buildExternalMsg({}, pick(msg), null, null);\n"
        "}\n"
    )
    engine = MappingEngine(outgoing_script=script, outgoing_name="out.js")
    with pytest.raises(MappingError) as info:
        engine.map_outgoing(EVENT)
    error = info.value
    assert type(error) is MappingError
    # QuickJS locates a failing property read at the start of the expression.
    assert (error.script, error.line, error.column) == ("out.js", 3, 10)
    assert error.source_line == "  return msg.value.deep.field;"
    assert error.message == "TypeError: cannot read property 'deep' of undefined"
    # The stack shows the operator's frames under the script's name; mapper's driver frames are gone.
    assert error.js_stack.splitlines()[0] == "at pick (out.js:3:10)"
    assert error.js_stack.splitlines()[1].startswith("at mapFromDittoProtocolMsgWrapper (out.js:6:")
    assert len(error.js_stack.splitlines()) == 2


def test_error_thrown_from_the_ditto_scope_points_at_the_callers_line():
    script = "function mapFromDittoProtocolMsg() {\n  return Ditto.arrayBufferToString(null.x);\n}"
    with pytest.raises(MappingError) as info:
        MappingEngine(outgoing_script=script).map_outgoing(EVENT)
    assert info.value.line == 2


def test_error_in_default_template_has_no_bogus_location():
    # The default wrapper calls the operator's mapFromDittoProtocolMsg, which is not a function.
    script = "var mapFromDittoProtocolMsg = 42;"
    with pytest.raises(MappingError, match="not a function") as info:
        MappingEngine(outgoing_script=script).map_outgoing(EVENT)
    assert info.value.line is None and info.value.source_line is None


def test_stack_overflow_collapses_repeated_frames():
    script = "function r(n) { return r(n + 1); }\nfunction mapFromDittoProtocolMsg() { return r(0); }"
    with pytest.raises(ScriptLimitError) as info:
        MappingEngine(outgoing_script=script).map_outgoing(EVENT)
    assert info.value.line == 1
    assert "times]" in info.value.js_stack
    assert len(info.value.js_stack.splitlines()) < 5


def test_load_time_runtime_error_is_located():
    with pytest.raises(MappingError, match="while loading the script") as info:
        check_script("var a = 1;\nexit(1);\n", "x.js")
    assert (info.value.line, info.value.column) == (2, 1)


def test_exception_text_parsing():
    failure = JsFailure.from_exception_text("TypeError: bad: thing\n    at f (<input>:2:3)\n")
    assert (failure.name, failure.message, failure.stack) == (
        "TypeError",
        "bad: thing",
        "    at f (<input>:2:3)\n",
    )
    thrown = JsFailure.from_exception_text("plain string\nundefined")
    assert (thrown.name, thrown.message, thrown.stack) == ("", "plain string", "")
    assert JsFailure.from_exception_text(
        "InternalError: interrupted\n    at <eval> (<input>:1:1)\n"
    ).is_timeout
    assert JsFailure.from_exception_text("null").is_out_of_memory


def test_script_stack_keeps_native_frames_and_drops_mapper_frames():
    source = ScriptSource("s.js", "a\nb\nc")
    stack = "    at parse (native)\n    at f (<input>:2:1)\n    at run (<input>:40:7)\n"
    assert script_stack(stack, source) == "at parse (native)\nat f (s.js:2:1)"


@pytest.mark.parametrize(("thrown", "shown"), [("5", "5"), ("'oops'", "oops"), ("{a: 1}", "[object Object]")])
def test_a_non_error_thrown_while_loading_says_what_was_thrown(thrown, shown):
    with pytest.raises(MappingError) as info:
        check_script(f"var a = 1;\nthrow {thrown};\n", "s.js")
    assert type(info.value) is MappingError
    assert (
        info.value.message == f"the script threw {shown} while loading (not an Error, so without a location)"
    )


def test_json_parse_error_points_at_the_calling_line_not_at_the_json_text():
    # QuickJS adds a frame "at <input>:1:7" for the position in the JSON *text*; it used to be
    # taken for line 1, column 7 of the script.
    from mapper.protocol.external import ExternalMessage

    script = "// comment\nfunction mapToDittoProtocolMsg(headers, text) {\n  return JSON.parse(text);\n}\n"
    engine = MappingEngine(incoming_script=script, incoming_name="in.js")
    (error,) = engine.map_incoming_batch([ExternalMessage({}, '{"a": nope}', None, None)])
    assert isinstance(error, MappingError)
    assert (error.line, error.column) == (3, 21)
    assert error.source_line == "  return JSON.parse(text);"
    assert error.js_stack.splitlines() == ["at parse (native)", "at mapToDittoProtocolMsg (in.js:3:21)"]

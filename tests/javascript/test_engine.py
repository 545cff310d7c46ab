"""MappingEngine: Ditto's templates, the Ditto scope, result rules, both directions."""

from __future__ import annotations

import json
import pickle
import threading

import pytest

from mapper.errors import MappingError, MappingResultError, ProtocolError
from mapper.javascript import MappingEngine, SandboxLimits
from mapper.protocol.external import ExternalMessage

DITTO_JSON = "application/vnd.eclipse.ditto+json"


def outgoing(body: str, **kw) -> MappingEngine:
    return MappingEngine(outgoing_script=body, **kw)


def external(script_body: str) -> str:
    """An outgoing script whose mapFromDittoProtocolMsg returns ``script_body``'s value."""
    return f"function mapFromDittoProtocolMsg() {{ return {script_body}; }}"


# ---- the seed's S3 script ------------------------------------------------------------------------


def test_seed_script_names_the_object_after_topic_and_revision(seed_script, envelope, envelope_json):
    engine = outgoing(seed_script)
    [message] = engine.map_outgoing(envelope_json)
    assert message.headers == {
        "http.path": f"com.acme:coffee-brewer:things:twin:events:modified:{2**33 + 7}",
        "content-type": "application/json",
    }
    assert message.content_type == "application/json"
    assert message.byte_payload is None
    # The whole envelope, incl. revision/timestamp/extra and integers beyond 32 bits, round-trips.
    assert json.loads(message.text_payload) == envelope


def test_dict_bytes_and_text_inputs_map_alike(seed_script, envelope, envelope_json):
    engine = outgoing(seed_script)
    results = [engine.map_outgoing(m) for m in (envelope, envelope_json, envelope_json.encode())]
    assert results[0] == results[1] == results[2]


def test_compiled_script_is_reused_across_messages(seed_script, envelope):
    engine = outgoing(
        seed_script + "\nvar calls = 0; var original = mapFromDittoProtocolMsgWrapper;"
        "\nmapFromDittoProtocolMsgWrapper = function (m) { calls++; m.revision = calls;"
        " return original(m); };"
    )
    paths = [engine.map_outgoing(envelope)[0].headers["http.path"] for _ in range(3)]
    assert [p.rsplit(":", 1)[1] for p in paths] == ["1", "2", "3"]


# ---- Ditto's default templates ---------------------------------------------------------------------


def test_default_outgoing_template_splits_the_topic_and_sends_ditto_protocol(envelope):
    # A script that defines only a helper keeps both default functions.
    engine = outgoing("function unrelated() {}")
    [message] = engine.map_outgoing(envelope)
    assert message.content_type == DITTO_JSON
    assert message.headers["content-type"] == DITTO_JSON
    assert message.headers["requested-acks"] == '["twin-persisted"]'
    sent = json.loads(message.text_payload)
    # buildDittoProtocolMsg: topic, path, headers, value, status, extra -- no revision/timestamp.
    assert sent == {
        "topic": envelope["topic"],
        "path": envelope["path"],
        "headers": envelope["headers"],
        "value": envelope["value"],
        "extra": envelope["extra"],
    }


def test_default_wrapper_passes_ditto_eleven_arguments():
    script = (
        "function mapFromDittoProtocolMsg(namespace, name, group, channel, criterion, action, path,"
        " dittoHeaders, value, status, extra) { return Ditto.buildExternalMsg({}, JSON.stringify("
        "[namespace, name, group, channel, criterion, action, path, dittoHeaders, value, status,"
        " extra, arguments.length]), null, 'text/plain'); }"
    )
    engine = outgoing(script)
    thing = {
        "topic": "ns/thing/things/live/messages/ask",
        "headers": {"a": "b"},
        "path": "/inbox",
        "value": 1,
        "status": 200,
    }
    assert json.loads(engine.map_outgoing(thing)[0].text_payload) == [
        "ns",
        "thing",
        "things",
        "live",
        "messages",
        "ask",
        "/inbox",
        {"a": "b"},
        1,
        200,
        None,
        11,
    ]
    # Other groups have no channel in the topic: Ditto passes channel 'none'.
    policy = {
        "topic": "org.eclipse.ditto/p1/policies/announcements/subjectDeletion",
        "headers": {},
        "path": "/",
    }
    assert json.loads(engine.map_outgoing(policy)[0].text_payload)[:6] == [
        "org.eclipse.ditto",
        "p1",
        "policies",
        "none",
        "announcements",
        "subjectDeletion",
    ]


def test_user_function_replaces_the_default_of_the_same_name(envelope):
    engine = outgoing(external("Ditto.buildExternalMsg({'x': 'y'}, 'mine', null, 'text/plain')"))
    [message] = engine.map_outgoing(envelope)
    assert (message.text_payload, message.headers) == ("mine", {"x": "y", "content-type": "text/plain"})


@pytest.mark.parametrize("script", [None, "", "  \n"])
def test_no_outgoing_script_sends_the_envelope_as_ditto_protocol(script, envelope_json, envelope):
    engine = MappingEngine(outgoing_script=script)
    [message] = engine.map_outgoing(envelope_json)
    assert message.text_payload == envelope_json
    assert message.content_type == DITTO_JSON
    assert message.headers == {
        "correlation-id": "c-1",
        "requested-acks": '["twin-persisted"]',
        "ditto-originator": "x",
        "content-type": DITTO_JSON,
    }


def test_no_outgoing_script_rejects_a_non_envelope():
    with pytest.raises(ProtocolError, match="topic"):
        MappingEngine().map_outgoing({"headers": {}, "path": "/"})


def test_script_rejects_invalid_json_input_clearly(seed_script):
    with pytest.raises(ProtocolError, match="not valid JSON"):
        outgoing(seed_script).map_outgoing("{not json")


def test_script_gets_a_clear_error_for_a_non_envelope(seed_script):
    with pytest.raises(MappingError, match="not a Ditto Protocol envelope"):
        outgoing(seed_script).map_outgoing("[1, 2]")


# Text read from bytes that are not UTF-8 with errors="surrogateescape" (as `mapper map` reads input).
NOT_UTF8_BYTES = (
    b'{"topic":"ns/t/things/twin/events/modified","headers":{"x":"\xff"},"path":"/","revision":2}'
)
NOT_UTF8 = NOT_UTF8_BYTES.decode("utf-8", "surrogateescape")


@pytest.mark.parametrize("script", [None, "seed"], ids=["no-script", "seed-script"])
def test_text_that_is_not_unicode_fails_alone_and_clearly(script, seed_script, envelope_json):
    engine = outgoing(seed_script) if script else MappingEngine()
    outcomes = engine.map_outgoing_json([envelope_json, NOT_UTF8, envelope_json])
    # The good messages around it still map (the binding cannot convert such a string: the whole
    # batch call used to fail with a script "SyntaxError" at line 1, column 1).
    assert isinstance(outcomes[0], list) and outcomes[0] == outcomes[2]
    assert isinstance(outcomes[1], ProtocolError)
    assert "lone surrogate (U+DCFF)" in str(outcomes[1]) and "UTF-8" in str(outcomes[1])
    with pytest.raises(ProtocolError, match="lone surrogate"):
        engine.map_outgoing(NOT_UTF8)


def test_bytes_that_are_not_utf8_are_a_protocol_error(seed_script):
    with pytest.raises(ProtocolError, match="not valid UTF-8 at byte 60"):
        outgoing(seed_script).map_outgoing(NOT_UTF8_BYTES)


@pytest.mark.parametrize("script", [None, "function mapToDittoProtocolMsg() { return null; }"])
def test_incoming_text_that_is_not_unicode_fails_alone(script):
    good = ExternalMessage({"content-type": DITTO_JSON}, NOT_UTF8.replace("\udcff", "y"), None, DITTO_JSON)
    bad = ExternalMessage({"content-type": DITTO_JSON, "x": "\udcff"}, "{}", None, DITTO_JSON)
    outcomes = MappingEngine(incoming_script=script).map_incoming_batch([good, bad, good])
    assert isinstance(outcomes[0], list) and outcomes[0] == outcomes[2]
    assert isinstance(outcomes[1], ProtocolError) and "lone surrogate" in str(outcomes[1])


# ---- the Ditto scope -------------------------------------------------------------------------------


def run_js(expression: str) -> str:
    """Evaluate ``expression`` inside an outgoing mapping and return its JSON text."""
    engine = outgoing(external(f"Ditto.buildExternalMsg({{}}, JSON.stringify({expression}), null, 't')"))
    return json.loads(
        engine.map_outgoing({"topic": "a/b/things/twin/events/created", "headers": {}, "path": "/"})[
            0
        ].text_payload
    )


def test_ditto_scope_has_exactly_dittos_helpers():
    assert sorted(run_js("Object.keys(Ditto)")) == sorted(
        [
            "buildDittoProtocolMsg",
            "buildExternalMsg",
            "arrayBufferToString",
            "stringToArrayBuffer",
            "asByteBuffer",
        ]
    )


def test_build_ditto_protocol_msg_omits_channel_none():
    built = run_js(
        "[Ditto.buildDittoProtocolMsg('ns', 'n', 'things', 'twin', 'events', 'modified', '/a',"
        " {h: 'v'}, 5, 204, {e: 1}), Ditto.buildDittoProtocolMsg('_', 'conn', 'connections',"
        " 'none', 'announcements', 'opened', '/', {}, null, undefined, undefined)]"
    )
    assert built[0] == {
        "topic": "ns/n/things/twin/events/modified",
        "path": "/a",
        "headers": {"h": "v"},
        "value": 5,
        "status": 204,
        "extra": {"e": 1},
    }
    assert built[1]["topic"] == "_/conn/connections/announcements/opened"


def test_build_external_msg_shape():
    assert run_js("Ditto.buildExternalMsg({a: 'b'}, 'text', null, 'text/plain')") == {
        "headers": {"a": "b"},
        "textPayload": "text",
        "bytePayload": None,
        "contentType": "text/plain",
    }


def test_array_buffer_string_conversions_are_latin1_and_8_bit():
    # arrayBufferToString: one char per byte (not UTF-8); stringToArrayBuffer: low 8 bits per char.
    assert run_js("Ditto.arrayBufferToString(new Uint8Array([0xc3, 0xa9, 0x41]).buffer)") == "\u00c3\u00a9A"
    assert run_js("Array.from(new Uint8Array(Ditto.stringToArrayBuffer('\\u00e9\\u0141A')))") == [
        0xE9,
        0x41,
        0x41,
    ]


def test_array_buffer_to_string_handles_large_buffers():
    assert run_js("Ditto.arrayBufferToString(new Uint8Array(100000).fill(65).buffer).length") == 100000


def test_as_byte_buffer_needs_the_option_and_works_with_it(envelope):
    script = external(
        "Ditto.buildExternalMsg({}, Ditto.asByteBuffer(Ditto.stringToArrayBuffer('AB')).toHex(), null, 't')"
    )
    with pytest.raises(MappingError, match="loadBytebufferJS"):
        outgoing(script).map_outgoing(envelope)
    assert outgoing(script, load_bytebuffer_js=True).map_outgoing(envelope)[0].text_payload == "4142"


def test_long_js_is_loaded_with_its_option(envelope):
    script = external(
        "Ditto.buildExternalMsg({}, dcodeIO.Long.fromString('9223372036854775807')"
        ".add(dcodeIO.Long.ONE).toString(), null, 't')"
    )
    with pytest.raises(MappingError, match="dcodeIO is not defined"):
        outgoing(script).map_outgoing(envelope)
    [message] = outgoing(script, load_long_js=True).map_outgoing(envelope)
    assert message.text_payload == "-9223372036854775808"


# ---- outgoing results ------------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["null", "undefined", "[]"])
def test_null_undefined_or_empty_array_drops_the_message(value, envelope):
    assert outgoing(external(value)).map_outgoing(envelope) == []


def test_an_array_maps_to_several_messages(envelope):
    engine = outgoing(external("[1, 2, 3].map(i => Ditto.buildExternalMsg({i: i}, 't' + i, null, null))"))
    assert [(m.text_payload, m.headers) for m in engine.map_outgoing(envelope)] == [
        ("t1", {"i": "1"}),
        ("t2", {"i": "2"}),
        ("t3", {"i": "3"}),
    ]


def test_more_than_max_results_is_a_result_error(envelope):
    script = external("Array.from({length: 11}, () => Ditto.buildExternalMsg({}, 't', null, null))")
    with pytest.raises(MappingResultError, match="produced 11 messages, which exceeds the limit of 10"):
        outgoing(script).map_outgoing(envelope)
    assert len(outgoing(script, limits=SandboxLimits(max_results=11)).map_outgoing(envelope)) == 11


def test_header_values_become_strings(envelope):
    engine = outgoing(
        external(
            "Ditto.buildExternalMsg({s: 'raw', n: 42, f: 1.5, b: false, a: ['foo'],"
            " o: {x: 1}, z: null}, 't', null, undefined)"
        )
    )
    [message] = engine.map_outgoing(envelope)
    assert message.headers == {
        "s": "raw",
        "n": "42",
        "f": "1.5",
        "b": "false",
        "a": '["foo"]',
        "o": '{"x":1}',
        "z": "null",
    }
    assert message.content_type is None


def test_content_type_becomes_the_content_type_header(envelope):
    engine = outgoing(external("Ditto.buildExternalMsg({'content-type': 'old'}, 't', null, 'text/csv')"))
    assert engine.map_outgoing(envelope)[0].headers == {"content-type": "text/csv"}


@pytest.mark.parametrize(
    ("payload", "expected"),
    [
        ("Ditto.stringToArrayBuffer('\\u00ffA')", b"\xffA"),
        ("new Uint8Array([9, 8, 7]).subarray(1)", b"\x08\x07"),
        ("new DataView(new Uint8Array([1, 2]).buffer)", b"\x01\x02"),
        ("[1, 2, 255, 256, -1]", b"\x01\x02\xff\x00\xff"),
        ("new ArrayBuffer(0)", b""),
    ],
)
def test_byte_payload_kinds_win_over_text(payload, expected, envelope):
    engine = outgoing(
        external(f"Ditto.buildExternalMsg({{}}, 'ignored', {payload}, 'application/octet-stream')")
    )
    [message] = engine.map_outgoing(envelope)
    assert (message.byte_payload, message.text_payload) == (expected, None)
    assert message.payload() == expected


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("42", "must be an external message object, got a number"),
        ("[Ditto.buildExternalMsg({}, 't', null, null), 'x']", r"result\[1\] must be an external message"),
        ("Ditto.buildExternalMsg([], 't', null, null)", "headers must be an object, got an array"),
        ("Ditto.buildExternalMsg({}, 't', null, 5)", "contentType must be a string, got a number"),
        ("Ditto.buildExternalMsg({}, 5, null, null)", "textPayload must be a string, got a number"),
        ("Ditto.buildExternalMsg({}, null, null, null)", "neither bytePayload nor textPayload"),
        ("Ditto.buildExternalMsg({}, 't', 'bytes?', null)", "bytePayload must be an ArrayBuffer"),
        ("Ditto.buildExternalMsg({}, 't', ['a'], null)", r"bytePayload\[0\] must be a number"),
    ],
)
def test_bad_results_are_clear_result_errors(value, message, envelope):
    with pytest.raises(MappingResultError, match=message):
        outgoing(external(value)).map_outgoing(envelope)


# ---- incoming --------------------------------------------------------------------------------------


def ext(text=None, data=None, content_type=DITTO_JSON, **headers) -> ExternalMessage:
    all_headers = {"content-type": content_type, **headers} if content_type else dict(headers)
    return ExternalMessage(all_headers, text, data, content_type)


def test_default_incoming_template_parses_ditto_protocol_text(envelope_json, envelope):
    engine = MappingEngine(incoming_script="function helper() {}")
    assert engine.map_incoming(ext(envelope_json)) == [envelope]


def test_default_incoming_template_reads_octet_stream_bytes_or_drops(envelope_json, envelope):
    engine = MappingEngine(incoming_script="function helper() {}")
    assert engine.map_incoming(ext(data=envelope_json.encode(), content_type="application/octet-stream")) == [
        envelope
    ]
    assert engine.map_incoming(ext(data=b"\x00not json", content_type="application/octet-stream")) == []
    assert engine.map_incoming(ext(text="x", content_type="text/plain")) == []


def test_incoming_script_sees_headers_text_bytes_as_array_buffer_and_content_type():
    script = """function mapToDittoProtocolMsg(headers, textPayload, bytePayload, contentType) {
      return Ditto.buildDittoProtocolMsg('ns', 'n', 'things', 'twin', 'commands', 'modify', '/attributes/x',
        {'correlation-id': headers['x-id']},
        {text: textPayload, isArrayBuffer: bytePayload instanceof ArrayBuffer,
         bytes: Array.from(new Uint8Array(bytePayload)), contentType: contentType});
    }"""
    engine = MappingEngine(incoming_script=script)
    [result] = engine.map_incoming(
        ExternalMessage({"x-id": "7", "content-type": "a/b"}, "hi", b"\x00\xff", "a/b")
    )
    assert result["topic"] == "ns/n/things/twin/commands/modify"
    assert result["headers"] == {"correlation-id": "7"}
    assert result["value"] == {"text": "hi", "isArrayBuffer": True, "bytes": [0, 255], "contentType": "a/b"}


def test_incoming_wrapper_override_and_several_results():
    script = """function mapToDittoProtocolMsgWrapper(m) {
      return m.textPayload.split(',').map(id => Ditto.buildDittoProtocolMsg('ns', id, 'things', 'twin',
        'commands', 'delete', '/', {}, undefined, undefined, undefined));
    }"""
    results = MappingEngine(incoming_script=script).map_incoming(ext("a,b"))
    assert [r["topic"] for r in results] == [
        "ns/a/things/twin/commands/delete",
        "ns/b/things/twin/commands/delete",
    ]


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("{topic: 'ns/n/things/twin/commands/modify', headers: {}}", "path"),
        ("{topic: 'bad', headers: {}, path: '/'}", "topic"),
        ("'text'", "must be a Ditto Protocol message object"),
    ],
)
def test_incoming_results_are_validated_as_ditto_protocol(value, message):
    engine = MappingEngine(incoming_script=f"function mapToDittoProtocolMsg() {{ return {value}; }}")
    with pytest.raises(MappingResultError, match=message):
        engine.map_incoming(ext("x"))


def test_incoming_seed_script_returning_undefined_drops():
    engine = MappingEngine(incoming_script="function mapToDittoProtocolMsg() { return undefined; }")
    assert engine.map_incoming(ext("x")) == []


def test_no_incoming_script_parses_ditto_protocol(envelope_json, envelope):
    assert MappingEngine().map_incoming(ext(envelope_json)) == [envelope]
    assert MappingEngine().map_incoming(ext(data=envelope_json.encode())) == [envelope]
    with pytest.raises(ProtocolError, match="not Ditto Protocol JSON"):
        MappingEngine().map_incoming(ext("nope"))


def test_incoming_batch_keeps_order_and_isolates_failures(envelope_json):
    script = (
        "function mapToDittoProtocolMsg(h, text) {"
        " if (text === 'bad') throw new Error('no'); return JSON.parse(text); }"
    )
    engine = MappingEngine(incoming_script=script)
    outcomes = engine.map_incoming_batch([ext(envelope_json), ext("bad"), ext(envelope_json)])
    assert isinstance(outcomes[1], MappingError)
    assert outcomes[0] == outcomes[2] and isinstance(outcomes[0], list)


# ---- engines across threads and processes ------------------------------------------------------------


def test_one_engine_maps_correctly_from_several_threads_at_once(seed_script, envelope):
    # A global counter in the script: each thread's own context counts only that thread's messages.
    script = seed_script + (
        "\nvar calls = 0; var seedWrapper = mapFromDittoProtocolMsgWrapper;"
        "\nmapFromDittoProtocolMsgWrapper = function (msg) {"
        "\n  calls += 1; const out = seedWrapper(msg); out.headers.calls = calls; return out; };"
    )
    engine = outgoing(script)
    threads_n, per_thread = 4, 150
    start = threading.Barrier(threads_n)
    seen: dict[int, list[tuple[str, str]]] = {}
    failures: list[BaseException] = []

    def work(t: int) -> None:
        try:
            start.wait()
            got = []
            for i in range(per_thread):
                revision = t * 1000 + i
                if i % 2:  # both entry points, interleaved
                    (message,) = engine.map_outgoing(dict(envelope, revision=revision))
                    headers = message.headers
                else:
                    (line,) = engine.map_outgoing_json([json.dumps(dict(envelope, revision=revision))])[0]
                    headers = json.loads(line)["headers"]
                got.append((headers["http.path"], headers["calls"]))
            seen[t] = got
        except BaseException as exc:  # reported by the main thread
            failures.append(exc)

    threads = [threading.Thread(target=work, args=(t,)) for t in range(threads_n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not failures, failures
    prefix = "com.acme:coffee-brewer:things:twin:events:modified:"
    for t in range(threads_n):
        assert seen[t] == [(f"{prefix}{t * 1000 + i}", str(i + 1)) for i in range(per_thread)]


def test_engine_pickles_as_its_sources(seed_script, envelope):
    engine = outgoing(seed_script, outgoing_name="seed.js", limits=SandboxLimits(max_results=3))
    copy = pickle.loads(pickle.dumps(engine))
    assert copy.map_outgoing(envelope) == engine.map_outgoing(envelope)
    assert copy.limits.max_results == 3


def test_from_files_names_errors_after_the_file(tmp_path, envelope):
    script = tmp_path / "out.js"
    script.write_text("function mapFromDittoProtocolMsg() {\n  return nope;\n}\n")
    engine = MappingEngine.from_files(outgoing=script)
    with pytest.raises(MappingError) as info:
        engine.map_outgoing(envelope)
    assert (info.value.script, info.value.line, info.value.column) == (str(script), 2, 10)


def test_from_files_missing_file_is_a_config_error(tmp_path):
    from mapper.errors import ConfigError

    with pytest.raises(ConfigError, match="cannot read the script"):
        MappingEngine.from_files(outgoing=tmp_path / "missing.js")

"""The embeddable Pipeline against real parts: moto with IAM auth, a directory, the fault server."""

from __future__ import annotations

import asyncio
import copy
import json
import threading
from pathlib import Path
from typing import Any

import pytest
from fault_server import FaultServer, Reply, Stall
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from moto_s3 import MotoS3

from mapper import ConfigError, MapperError
from mapper.errors import ProtocolError
from mapper.javascript.engine import MappingEngine
from mapper.javascript.limits import SandboxLimits
from mapper.outcome import OutcomeKind, Stage, TargetOutcome
from mapper.pipeline import Pipeline, PublishJob
from mapper.signing.sigv4 import encode_s3_path

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
SEED_SCRIPT = FIXTURES.parent / "mappings" / "s3-per-revision.js"
FILTERED = FIXTURES / "connections" / "s3-filtered.json"
EVENTS = [json.loads(line) for line in (FIXTURES / "events" / "twin-events.jsonl").read_text().splitlines()]
# moto's server mode checks signatures against the *decoded* path, so keys with '$ + =' or
# non-ASCII characters fail there even for boto3 (REFERENCE.md 5); those go to the directory test.
MOTO_SAFE = [e for e in EVENTS if e["topic"].split("/")[1].isascii() and not set("$+=") & set(e["topic"])]
MOTO_UNSAFE = [e for e in EVENTS if e not in MOTO_SAFE]


def expected_key(event: dict[str, Any]) -> str:
    ns, name, group, channel, criterion, action = event["topic"].split("/")
    return f"{ns}:{name}:{group}:{channel}:{criterion}:{action}:{event['revision']}"


def documented_connection(moto: MotoS3 | None, bucket: str = "archive") -> dict[str, Any]:
    connection = json.loads((FIXTURES / "connections" / "s3-documented.json").read_text())
    connection["uri"] = f"https://{bucket}.s3.us-east-1.amazonaws.com:443"
    parameters = connection["credentials"]["parameters"]
    parameters["region"] = "us-east-1"
    if moto is not None:
        parameters["accessKey"] = moto.access_key
        parameters["secretKey"] = moto.secret_key
    return connection


def test_documented_connection_archives_fixture_events_to_moto(moto_server: MotoS3, s3_bucket: str) -> None:
    with Pipeline.from_connection(
        documented_connection(moto_server, s3_bucket), endpoint_url=moto_server.endpoint_url
    ) as pipeline:
        for event in MOTO_SAFE:
            [outcome] = pipeline.process(json.dumps(event))
            assert outcome.kind is OutcomeKind.PUBLISHED, outcome
            assert outcome.key == expected_key(event)
            assert outcome.status == 200
            assert outcome.attempts == 1
        assert pipeline.counters.published == len(MOTO_SAFE)

    client = moto_server.client()
    listed = client.list_objects_v2(Bucket=s3_bucket, MaxKeys=1000)
    assert {o["Key"] for o in listed["Contents"]} == {expected_key(e) for e in MOTO_SAFE}
    for event in MOTO_SAFE:
        stored = client.get_object(Bucket=s3_bucket, Key=expected_key(event))
        assert json.loads(stored["Body"].read()) == event
        assert stored["ContentType"] == "application/json"


def test_keys_with_special_and_non_latin_characters_reach_a_directory_intact(tmp_path: Path) -> None:
    assert MOTO_UNSAFE, "the fixtures must contain names with $ + = and non-Latin characters"
    with Pipeline.from_connection(documented_connection(None), directory=tmp_path) as pipeline:
        for event in MOTO_UNSAFE:
            [outcome] = pipeline.process(event)
            assert outcome.kind is OutcomeKind.PUBLISHED, outcome
    for event in MOTO_UNSAFE:
        assert json.loads((tmp_path / expected_key(event)).read_text("utf-8")) == event


def test_a_wrong_secret_is_a_failed_outcome_naming_signature_does_not_match(
    moto_server: MotoS3, s3_bucket: str
) -> None:
    connection = documented_connection(moto_server, s3_bucket)
    connection["credentials"]["parameters"]["secretKey"] = "not-the-secret"
    with Pipeline.from_connection(connection, endpoint_url=moto_server.endpoint_url) as pipeline:
        [outcome] = pipeline.process(MOTO_SAFE[0])
    assert outcome.kind is OutcomeKind.FAILED
    assert outcome.stage is Stage.PUBLISH
    assert outcome.status == 403
    assert "SignatureDoesNotMatch" in (outcome.error or "")
    assert "not-the-secret" not in (outcome.error or "")


# -- topic filtering and header mapping (fixtures/connections/s3-filtered.json) -----------------

def _placed(event: dict[str, Any]) -> dict[str, Any]:
    """The event's value placed at its path: what the filter sees (docs/connection.md)."""
    thing: Any = event.get("value")
    for part in reversed([p for p in event["path"].split("/") if p]):
        thing = {part: thing}
    return thing if isinstance(thing, dict) else {}


def _brewed(event: dict[str, Any]) -> Any:
    node: Any = _placed(event)
    for part in ("features", "counter", "properties", "brewed"):
        if not isinstance(node, dict) or part not in node:
            return None
        node = node[part]
    return node


def _selected_by_first_target(event: dict[str, Any]) -> bool:
    namespace = event["topic"].split("/")[0]
    action = event["topic"].split("/")[5]
    brewed = _brewed(event)
    return namespace in {"com.acme", "com.acme.building"} and (
        action in {"created", "deleted"} or (isinstance(brewed, (int, float)) and brewed > 5)
    )


def test_namespaces_and_rql_filter_select_exactly_the_expected_events(tmp_path: Path) -> None:
    def brewed(ns: str, revision: int, count: int) -> dict[str, Any]:
        return {
            "topic": f"{ns}/coffee-brewer/things/twin/events/modified",
            "headers": {"correlation-id": f"c-{revision}"},
            "path": "/features/counter/properties",
            "value": {"brewed": count},
            "revision": revision,
        }

    # Beside the fixtures: counts on both sides of the filter's threshold, in and out of the namespaces.
    events = [*EVENTS, brewed("com.acme", 900, 9), brewed("com.acme", 901, 5), brewed("org.example", 902, 9)]
    selected = [e for e in events if _selected_by_first_target(e)]
    assert 0 < len(selected) < len(events)
    assert events[-3] in selected and events[-2] not in selected and events[-1] not in selected

    published: list[str] = []
    with Pipeline.from_connection(FILTERED, directory=tmp_path) as pipeline:
        for event in events:
            outcomes = pipeline.process(event)
            first = [o for o in outcomes if o.target == 0]
            assert len(first) == 1
            if first[0].kind is OutcomeKind.PUBLISHED:
                published.append(first[0].key or "")
            else:
                assert first[0].kind is OutcomeKind.FILTERED, first[0]
    assert published == [expected_key(e) for e in selected]


def test_header_mapping_placeholders_resolve_on_the_wire(monkeypatch: pytest.MonkeyPatch) -> None:
    # The filtered connection has no keys: the standard AWS chain supplies them (here: env vars).
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY")
    event = next(e for e in EVENTS if e["topic"] == "com.acme/coffee-brewer/things/twin/events/created")
    with FaultServer() as server, Pipeline.from_connection(
        FILTERED, endpoint_url=server.url
    ) as pipeline:
        outcomes = pipeline.process(event)
        assert [o.kind for o in outcomes if o.target == 0] == [OutcomeKind.PUBLISHED]
        [request] = [r for r in server.requests if "coffee-brewer" in r.path]
    assert request.header("x-amz-meta-correlation-id") == event["headers"]["correlation-id"]
    assert request.header("x-amz-meta-thing") == "com.acme:coffee-brewer"
    assert request.header("x-amz-meta-topic") == event["topic"]
    assert request.header("x-amz-meta-connection") == "s3-archive-filtered"
    expected_origin = event["headers"].get("ditto-originator", "unknown")
    assert request.header("x-amz-meta-origin") == expected_origin
    # every x-amz-* header sent is signed (S3 rejects unsigned ones)
    signed = (request.header("authorization") or "").split("SignedHeaders=")[1].split(",")[0].split(";")
    assert {"x-amz-meta-thing", "x-amz-meta-topic", "host", "x-amz-date"} <= set(signed)


def test_target_address_path_placeholders_name_the_object_when_the_mapping_sets_no_path(
    tmp_path: Path,
) -> None:
    event = {
        "topic": "com.acme/boiler/things/twin/events/modified",
        "headers": {},
        "path": "/features/water-tank/properties/temperature",
        "value": 61.5,
        "revision": 7,
    }
    with Pipeline.from_connection(FILTERED, directory=tmp_path) as pipeline:
        outcomes = pipeline.process(event)
    second = [o for o in outcomes if o.target == 1]
    assert [o.kind for o in second] == [OutcomeKind.PUBLISHED]
    assert second[0].key == "temperatures/com.acme"
    stored = json.loads((tmp_path / "temperatures" / "com.acme").read_text())
    assert stored["topic"] == event["topic"] and stored["value"] == 61.5


# -- accounting: every input gets an outcome ----------------------------------------------------

def test_bad_inputs_become_failed_outcomes_naming_their_stage(tmp_path: Path) -> None:
    script = tmp_path / "broken.js"
    script.write_text("function mapFromDittoProtocolMsgWrapper(msg) {\n  return msg.nope.deeper;\n}\n")
    with Pipeline.for_script(script, tmp_path / "out") as pipeline:
        [parse] = pipeline.process('{"topic": ')
        [invalid] = pipeline.process({"topic": "a/b/things/twin/events/modified", "headers": {}})
        [mapping] = pipeline.process(MOTO_SAFE[0])
    assert (parse.kind, parse.stage) == (OutcomeKind.FAILED, Stage.PARSE)
    assert "line 1, column" in (parse.error or "")
    assert (invalid.kind, invalid.stage) == (OutcomeKind.FAILED, Stage.VALIDATE)
    assert "path" in (invalid.error or "")
    assert (mapping.kind, mapping.stage) == (OutcomeKind.FAILED, Stage.MAP)
    assert "broken.js:2" in (mapping.error or "")
    assert pipeline.counters.failed == 3 and pipeline.counters.messages == 3


def test_a_mapping_that_returns_null_drops_the_message(tmp_path: Path) -> None:
    script = tmp_path / "drop.js"
    script.write_text("function mapFromDittoProtocolMsgWrapper(msg) { return null; }\n")
    with Pipeline.for_script(script, tmp_path / "out") as pipeline:
        assert [o.kind for o in pipeline.process(EVENTS[0])] == [OutcomeKind.DROPPED]
    assert not any((tmp_path / "out").iterdir())


def _numbered(count: int, offset: int) -> list[dict[str, Any]]:
    base = MOTO_SAFE[0]
    events = []
    for n in range(count):
        event = copy.deepcopy(base)
        event["revision"] = offset + n
        events.append(event)
    return events


def test_eight_threads_feeding_one_pipeline_lose_nothing(moto_server: MotoS3, s3_bucket: str) -> None:
    per_thread = 40
    batches = [_numbered(per_thread, 1000 * t) for t in range(8)]
    results: list[list[Any]] = [[] for _ in batches]
    with Pipeline.from_connection(
        documented_connection(moto_server, s3_bucket), endpoint_url=moto_server.endpoint_url, concurrency=8
    ) as pipeline:

        def feed(index: int) -> None:
            for event in batches[index]:
                results[index].extend(pipeline.process(json.dumps(event)))

        threads = [threading.Thread(target=feed, args=(i,)) for i in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert pipeline.counters.messages == 8 * per_thread
        assert pipeline.counters.published == 8 * per_thread

    outcomes = [o for batch in results for o in batch]
    assert all(o.kind is OutcomeKind.PUBLISHED for o in outcomes)
    keys = {expected_key(e) for batch in batches for e in batch}
    paginator = moto_server.client().get_paginator("list_objects_v2")
    stored = {o["Key"] for page in paginator.paginate(Bucket=s3_bucket) for o in page.get("Contents", [])}
    assert stored == keys


def test_asyncio_api_publishes_concurrently(moto_server: MotoS3, s3_bucket: str) -> None:
    events = _numbered(30, 5000)

    async def main() -> list[list[Any]]:
        async with Pipeline.from_connection(
            documented_connection(moto_server, s3_bucket), endpoint_url=moto_server.endpoint_url
        ) as pipeline:
            return await asyncio.gather(*(pipeline.process_async(e) for e in events))

    results = asyncio.run(main())
    assert [o.kind for [o] in results] == [OutcomeKind.PUBLISHED] * len(events)
    client = moto_server.client()
    for event in events:
        body = client.get_object(Bucket=s3_bucket, Key=expected_key(event))["Body"].read()
        assert json.loads(body) == event


def test_missing_credentials_fail_the_message_not_the_caller(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", "/nonexistent")
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent")
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    with FaultServer() as server, Pipeline.for_script(
        SEED_SCRIPT, "s3://bucket", endpoint_url=server.url, region="us-east-1"
    ) as pipeline:
        [outcome] = pipeline.process(EVENTS[0])
        assert server.requests == []
    assert (outcome.kind, outcome.stage) == (OutcomeKind.FAILED, Stage.PUBLISH)
    assert "credentials" in (outcome.error or "").lower()


def test_close_waits_for_in_flight_messages_then_refuses_new_ones(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY")
    with FaultServer() as server:
        server.script(Stall(0.5), Reply(200))  # a slow first attempt (then a retry)
        pipeline = Pipeline.for_script(
            SEED_SCRIPT, "s3://bucket", endpoint_url=server.url, region="us-east-1"
        )
        outcomes: list[Any] = []
        worker = threading.Thread(target=lambda: outcomes.extend(pipeline.process(EVENTS[0])))
        worker.start()
        for _ in range(500):  # bounded: a broken pipeline must fail the test, not hang it
            if server.requests or not worker.is_alive():
                break
            threading.Event().wait(0.01)
        assert server.requests, "the message never reached the server"
        pipeline.close()
        assert not worker.is_alive()  # close() returned only after the message finished
        worker.join()
    assert [o.kind for o in outcomes] == [OutcomeKind.PUBLISHED]
    with pytest.raises(MapperError, match="closed"):
        pipeline.process(EVENTS[0])


def test_repr_shows_destinations_but_never_secrets(moto_server: MotoS3, s3_bucket: str) -> None:
    with Pipeline.from_connection(
        documented_connection(moto_server, s3_bucket), endpoint_url=moto_server.endpoint_url
    ) as pipeline:
        text = repr(pipeline) + repr(pipeline.targets)
    assert moto_server.secret_key not in text
    assert "127.0.0.1" in text


# -- prepare_batch: exactly prepare, message by message ------------------------------------------

_SCRIPT_A = """
function mapFromDittoProtocolMsgWrapper(msg) {
  const v = msg.value || {};
  if (v.boom) throw new Error('boom ' + msg.revision);
  if (v.drop) return null;
  if (v.spin) { for (;;) {} }
  const out = [];
  for (let i = 0; i < (v.copies || 1); i++) {
    out.push(Ditto.buildExternalMsg({'http.path': 'a/' + msg.revision + '/' + i},
      JSON.stringify(msg), null, 'application/json'));
  }
  return out;
}
"""
_SCRIPT_B = """
function mapFromDittoProtocolMsgWrapper(msg) {
  const v = msg.value || {};
  if (v.boomB) throw new TypeError('second mapping failed');
  if (v.drop) return [];
  return Ditto.buildExternalMsg({'http.path': 'b/' + msg.revision}, 'b', null, 'text/plain');
}
"""


def _batch_connection() -> dict[str, Any]:
    """Two targets: com.acme only, two mappings in a row; every event, Ditto's own mapping."""
    return {
        "id": "batch",
        "connectionType": "http-push",
        "connectionStatus": "open",
        "uri": "https://archive.s3.eu-central-1.amazonaws.com",
        "sources": [],
        "targets": [
            {
                "address": "PUT:/",
                "topics": ["_/_/things/twin/events?namespaces=com.acme"],
                "authorizationContext": ["integration:test"],
                "headerMapping": {"x-amz-meta-correlation-id": "{{ header:correlation-id }}"},
                "payloadMapping": ["a", "b"],
            },
            {
                "address": "PUT:/plain/{{ thing:name }}",
                "topics": ["_/_/things/twin/events"],
                "authorizationContext": ["integration:test"],
                "payloadMapping": ["Ditto"],
            },
        ],
        "mappingDefinitions": {
            "a": {"mappingEngine": "JavaScript", "options": {"outgoingScript": _SCRIPT_A}},
            "b": {"mappingEngine": "JavaScript", "options": {"outgoingScript": _SCRIPT_B}},
        },
    }


def _event(namespace: str, revision: int, **value: Any) -> dict[str, Any]:
    return {
        "topic": f"{namespace}/dev-{revision}/things/twin/events/modified",
        "headers": {"correlation-id": f"c-{revision}"},
        "path": "/features/f/properties",
        "value": value,
        "revision": revision,
    }


_GOOD = json.dumps(_event("com.acme", 1))
# (message, what each target makes of it, in order: (kind, stage) per outcome or job)
_PUBLISH = (OutcomeKind.PUBLISHED, None)
_TABLE: list[tuple[Any, list[tuple[OutcomeKind, Stage | None]]]] = [
    (_GOOD, [_PUBLISH, _PUBLISH, _PUBLISH]),  # a + b for target 0, Ditto for target 1
    ('{"topic": ', [(OutcomeKind.FAILED, Stage.PARSE)] * 2),
    (_GOOD.replace('"value": {}', '"value": NaN'), [(OutcomeKind.FAILED, Stage.PARSE)] * 2),
    (_GOOD.encode("utf-8")[:-3] + b"\xff}", [(OutcomeKind.FAILED, Stage.PARSE)] * 2),
    (json.dumps({"topic": "com.acme/x/things/twin/events/modified", "headers": {}}),
     [(OutcomeKind.FAILED, Stage.VALIDATE)] * 2),
    (json.dumps(_event("org.other", 2)), [(OutcomeKind.FILTERED, None), _PUBLISH]),
    (json.dumps(_event("com.acme", 3, boom=True)), [(OutcomeKind.FAILED, Stage.MAP), _PUBLISH]),
    (json.dumps(_event("com.acme", 4, boomB=True)), [(OutcomeKind.FAILED, Stage.MAP), _PUBLISH]),
    (json.dumps(_event("com.acme", 5, drop=True)), [(OutcomeKind.DROPPED, None), _PUBLISH]),
    # the first mapping drops it, the second fails: the failure is the outcome
    (json.dumps(_event("com.acme", 6, drop=True, boomB=True)), [(OutcomeKind.FAILED, Stage.MAP), _PUBLISH]),
    (json.dumps(_event("com.acme", 7, copies=3)), [_PUBLISH] * 5),
    (_event("com.acme", 8), [_PUBLISH] * 3),  # a dict
    (json.dumps(_event("com.acme", 9, wörd="ü")).encode("utf-8"), [_PUBLISH] * 3),  # UTF-8 bytes
    ("\n " + json.dumps(_event("org.other", 10)) + " ", [(OutcomeKind.FILTERED, None), _PUBLISH]),
    (json.dumps(_event("com.acme", 11, spin=True)), [(OutcomeKind.FAILED, Stage.MAP), _PUBLISH]),
    # a line that was not UTF-8, as the replay reader decodes it (surrogateescape)
    (b'{"topic": "com.acme/x/things/twin/events/modified", "headers": {}, "path": "/", "value": "\xff"}'
     .decode("utf-8", "surrogateescape"), [(OutcomeKind.FAILED, Stage.PARSE)] * 2),
]


def _shape(items: list[Any]) -> list[tuple[OutcomeKind, Stage | None]]:
    return [
        (item.kind, item.stage) if isinstance(item, TargetOutcome) else (OutcomeKind.PUBLISHED, None)
        for item in items
    ]


@pytest.fixture(scope="module")
def batch_pipeline(tmp_path_factory: pytest.TempPathFactory):
    limits = SandboxLimits(timeout_ms=100)  # the spinning script is cut short quickly
    with Pipeline.from_connection(
        _batch_connection(), directory=tmp_path_factory.mktemp("out"), limits=limits
    ) as pipeline:
        yield pipeline


@pytest.fixture(scope="module")
def one_by_one(batch_pipeline: Pipeline) -> list[list[Any]]:
    """What prepare makes of each table row alone."""
    return [batch_pipeline.prepare(message) for message, _ in _TABLE]


def test_prepare_gives_each_table_row_its_expected_outcomes(one_by_one: list[list[Any]]) -> None:
    for (message, expected), items in zip(_TABLE, one_by_one, strict=True):
        assert _shape(items) == expected, message
    boom = one_by_one[6][0]
    assert "boom 3" in boom.error and "<outgoingScript>:4" in boom.error
    assert "second mapping failed" in one_by_one[7][0].error
    assert "NaN" in one_by_one[2][0].error and "not valid UTF-8" in one_by_one[3][0].error
    assert "time limit" in one_by_one[14][0].error
    assert "not valid UTF-8 (U+DCFF" in one_by_one[15][0].error
    copies = [item.key for item in one_by_one[10]]
    assert copies == ["a/7/0", "a/7/1", "a/7/2", "b/7", "plain/dev-7"]
    # header mapping applied on target 0, the original text kept by Ditto's mapping on target 1
    assert one_by_one[0][0].message.headers["x-amz-meta-correlation-id"] == "c-1"
    assert one_by_one[0][2].message.text_payload == _GOOD


def test_prepare_batch_equals_prepare_for_every_row_with_bad_rows_in_the_middle(
    batch_pipeline: Pipeline, one_by_one: list[list[Any]]
) -> None:
    assert batch_pipeline.prepare_batch([message for message, _ in _TABLE]) == one_by_one
    # each row between two good events: neither neighbour is affected, nor is the row
    for row, (message, _) in enumerate(_TABLE):
        first, middle, last = batch_pipeline.prepare_batch([_GOOD, message, _GOOD])
        assert (first, middle, last) == (one_by_one[0], one_by_one[row], one_by_one[0]), message
    assert batch_pipeline.prepare_batch([]) == []


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.integers(0, len(_TABLE) - 1).filter(lambda row: row != 14), max_size=230))
def test_prepare_batch_equals_prepare_for_any_sequence(
    batch_pipeline: Pipeline, one_by_one: list[list[Any]], rows: list[int]
) -> None:
    # Up to 230 messages: across the engine's 100-messages-per-call boundary (the spinning row
    # is left out here only because each costs the time limit; the table test covers it).
    assert batch_pipeline.prepare_batch([_TABLE[row][0] for row in rows]) == [one_by_one[row] for row in rows]


def test_map_outgoing_batch_isolates_text_that_javascript_cannot_parse() -> None:
    engine = MappingEngine(outgoing_script=_SCRIPT_B)
    good = json.dumps(_event("com.acme", 1))
    nan = good.replace('"value": {}', '"value": NaN')
    surrogate = good.replace('"value": {}', '"value": "\udcff"')
    first, bad, trailing, middle, last = engine.map_outgoing_batch([good, nan, good + " x", surrogate, good])
    assert isinstance(bad, ProtocolError) and "NaN" in str(bad)
    assert isinstance(trailing, ProtocolError)
    assert isinstance(middle, ProtocolError) and "surrogate" in str(middle)
    assert first == last == engine.map_outgoing(good)
    # checked: the caller vouches for the JSON; a lone surrogate still fails alone
    first, middle, last = engine.map_outgoing_batch([good, surrogate, good], checked=True)
    assert isinstance(middle, ProtocolError) and first == last == engine.map_outgoing(good)
    assert [m.headers["http.path"] for m in first] == ["b/1"]


# -- TLS options of the connection (validateCertificates, ca) -----------------------------------

@pytest.fixture(scope="module")
def tls_certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    from tls_certificate import self_signed_certificate

    return self_signed_certificate(tmp_path_factory.mktemp("tls"))


@pytest.fixture
def tls_server(tls_certificate: tuple[Path, Path]):
    import ssl

    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(*tls_certificate)
    with FaultServer(tls=context) as server:
        yield server


@pytest.mark.parametrize(
    ("tls_options", "published"),
    [
        ({}, False),  # the system trust store does not know the self-signed certificate
        ({"ca": "CERT"}, True),  # Ditto's ca: trust exactly this certificate
        ({"validateCertificates": False}, True),  # verification off, as the operator asked
    ],
)
def test_connection_tls_options_decide_whom_to_trust(
    tls_server: FaultServer, tls_certificate: tuple[Path, Path], tls_options: dict[str, Any], published: bool
) -> None:
    connection = documented_connection(None)
    connection["credentials"]["parameters"].update(accessKey="AKIATLS", secretKey="tls-secret")
    if tls_options.get("ca") == "CERT":
        tls_options = {"ca": tls_certificate[0].read_text()}
    connection.update(tls_options)
    with Pipeline.from_connection(connection, endpoint_url=tls_server.url) as pipeline:
        [outcome] = pipeline.process(MOTO_SAFE[0])
    if published:
        assert outcome.kind is OutcomeKind.PUBLISHED, outcome
        [request] = tls_server.requests
        assert request.raw_path == "/archive/" + encode_s3_path(expected_key(MOTO_SAFE[0]))
    else:
        assert (outcome.kind, outcome.stage) == (OutcomeKind.FAILED, Stage.PUBLISH)
        assert "not trusted" in (outcome.error or "")
        assert tls_server.requests == []


def test_a_ca_that_is_not_pem_is_a_configuration_error() -> None:
    connection = documented_connection(None)
    connection["ca"] = "-----BEGIN CERTIFICATE-----\nnot base64\n-----END CERTIFICATE-----\n"
    with pytest.raises(ConfigError, match="ca: not a usable PEM certificate"):
        Pipeline.from_connection(connection)


def test_a_payload_that_cannot_be_encoded_fails_that_message_only(tmp_path: Path) -> None:
    script = tmp_path / "surrogate.js"
    script.write_text(
        "function mapFromDittoProtocolMsgWrapper(msg) {\n"
        "  var text = msg.revision === 1 ? '\\ud800' : 'fine';\n"
        "  return Ditto.buildExternalMsg({'http.path': 'k' + msg.revision}, text, null, 'text/plain');\n"
        "}\n"
    )
    events = [dict(MOTO_SAFE[0], revision=1), dict(MOTO_SAFE[0], revision=2)]
    with Pipeline.for_script(script, tmp_path / "out") as pipeline:
        bad, good = (pipeline.prepare(json.dumps(e)) for e in events)
    [failed] = bad
    assert isinstance(failed, TargetOutcome)
    assert (failed.kind, failed.stage) == (OutcomeKind.FAILED, Stage.PUBLISH)
    assert "k1" in (failed.error or "")
    [job] = good
    assert isinstance(job, PublishJob) and job.key == "k2" and len(job.content_digest) == 8

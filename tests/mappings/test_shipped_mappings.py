"""The scripts in mappings/: their stored cases pass, and properties no list of cases can cover."""

from __future__ import annotations

import base64
import datetime as dt
import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st
from seed_script import SEED_AS_PRINTED

from mapper.cli.main import cli
from mapper.errors import MappingError, ScriptSyntaxError
from mapper.javascript.engine import MappingEngine
from mapper.mapping_tests import discover, run_tests
from mapper.protocol.external import ExternalMessage

MAPPINGS = Path(__file__).resolve().parents[2] / "mappings"



def engine(script: str, direction: str) -> MappingEngine:
    source = (MAPPINGS / script).read_text(encoding="utf-8")
    if direction == "outgoing":
        return MappingEngine(outgoing_script=source, outgoing_name=script)
    return MappingEngine(incoming_script=source, incoming_name=script)


def twin_event(name: str, **extra: object) -> str:
    envelope = {
        "topic": f"com.acme/{name}/things/twin/events/modified",
        "headers": {},
        "path": "/attributes/a",
        "value": 1,
        "revision": 3,
        **extra,
    }
    return json.dumps(envelope, ensure_ascii=False)


# ---- the stored cases ----------------------------------------------------------------------------


def test_every_stored_case_passes() -> None:
    run = run_tests(discover([MAPPINGS]))
    failures = [f"{r.case.script.name} :: {r.case.name}\n{r.detail}" for r in run.results if not r.passed]
    assert failures == [] and run.problems == []
    assert run.untested_scripts == []
    per_script: dict[str, int] = {}
    for result in run.results:
        per_script[result.case.script.name] = per_script.get(result.case.script.name, 0) + 1
    assert sorted(per_script) == sorted(p.name for p in MAPPINGS.glob("*.js"))
    assert min(per_script.values()) >= 5


def test_mapper_test_mappings_exits_0() -> None:
    result = CliRunner().invoke(cli, ["test", str(MAPPINGS)])
    assert result.exit_code == 0, result.output
    assert re.search(r"^\d{2,} passed, 0 failed in ", result.output, re.M)


# ---- seed 000 ------------------------------------------------------------------------------------


def test_seed_as_printed_does_not_compile() -> None:
    with pytest.raises(ScriptSyntaxError):
        MappingEngine(outgoing_script=SEED_AS_PRINTED, outgoing_name="seed.js")


def test_shipped_seed_script_is_the_seed_plus_the_two_lost_lines() -> None:
    shipped = (MAPPINGS / "s3-per-revision.js").read_text(encoding="utf-8").splitlines()
    code = [line for line in shipped if not line.startswith("//")]
    assert code.count("  };") == 1 and code[-1] == "}"
    restored = [line for line in code if line != "  };"][:-1]
    assert restored == SEED_AS_PRINTED.splitlines()


# ---- s3-hash-prefixed: the JS hash is FNV-1a-32 of the UTF-8 thing id ----------------------------

# Ditto thing names: anything but `/`, control characters and U+007F..U+00FF; surrogates cannot be
# sent as UTF-8 JSON at all.
THING_NAMES = st.text(
    st.characters(
        exclude_categories=("Cc", "Cs"),
        exclude_characters=["/", *map(chr, range(0x7F, 0x100))],
    ),
    min_size=1,
    max_size=40,
)


def fnv1a_32(data: bytes) -> int:
    value = 0x811C9DC5
    for byte in data:
        value = ((value ^ byte) * 0x01000193) & 0xFFFFFFFF
    return value


@pytest.fixture(scope="module")
def hash_prefixed() -> MappingEngine:
    return engine("s3-hash-prefixed.js", "outgoing")


@settings(max_examples=150, deadline=None)
@given(name=THING_NAMES)
def test_hash_prefix_is_fnv1a_of_the_utf8_thing_id(hash_prefixed: MappingEngine, name: str) -> None:
    (message,) = hash_prefixed.map_outgoing(twin_event(name))
    expected_prefix = f"{fnv1a_32(f'com.acme:{name}'.encode()):08x}"[:4]
    assert message.headers["http.path"] == f"{expected_prefix}/com.acme:{name}:things:twin:events:modified:3"


# ---- s3-date-partitioned: the date levels are the UTC date of any ISO-8601 timestamp -------------


@pytest.fixture(scope="module")
def date_partitioned() -> MappingEngine:
    return engine("s3-date-partitioned.js", "outgoing")


@settings(max_examples=150, deadline=None)
@given(
    moment=st.datetimes(min_value=dt.datetime(1971, 1, 1), max_value=dt.datetime(2999, 12, 31)),
    offset_minutes=st.integers(min_value=-18 * 60, max_value=18 * 60),
    fraction_digits=st.integers(min_value=0, max_value=9),
)
def test_date_levels_are_the_utc_date(
    date_partitioned: MappingEngine, moment: dt.datetime, offset_minutes: int, fraction_digits: int
) -> None:
    zone = dt.timezone(dt.timedelta(minutes=offset_minutes))
    local = moment.replace(tzinfo=zone)
    sign = "-" if offset_minutes < 0 else "+"
    hours, minutes = divmod(abs(offset_minutes), 60)
    fraction = "." + f"{local.microsecond:06d}000"[:fraction_digits] if fraction_digits else ""
    stamp = (
        local.strftime("%Y-%m-%dT%H:%M:%S")
        + fraction
        + ("Z" if offset_minutes == 0 else f"{sign}{hours:02d}:{minutes:02d}")
    )
    (message,) = date_partitioned.map_outgoing(twin_event("t", timestamp=stamp))
    utc_day = local.astimezone(dt.timezone.utc).strftime("%Y/%m/%d")
    assert message.headers["http.path"] == f"com.acme/t/{utc_day}/3-modified.json"


# ---- incoming byte payloads: UTF-8, not Ditto's Latin-1 ------------------------------------------


@pytest.fixture(scope="module")
def hono() -> MappingEngine:
    return engine("hono-telemetry-to-ditto.js", "incoming")


@pytest.fixture(scope="module")
def shadow() -> MappingEngine:
    return engine("aws-iot-shadow-to-ditto.js", "incoming")


TEXT = st.text(st.characters(exclude_categories=("Cs",)), max_size=30)


@settings(max_examples=100, deadline=None)
@given(text=TEXT)
def test_hono_byte_payload_round_trips_any_text(hono: MappingEngine, text: str) -> None:
    body = json.dumps({"s": text}, ensure_ascii=False).encode("utf-8")
    message = ExternalMessage({"device_id": "ns:dev", "content-type": "application/json"}, None, body)
    (command,) = hono.map_incoming(message)
    assert command["value"] == {"s": text}


@settings(max_examples=100, deadline=None)
@given(text=TEXT)
def test_shadow_byte_payload_round_trips_any_text(shadow: MappingEngine, text: str) -> None:
    body = json.dumps({"state": {"reported": {"s": text}}}, ensure_ascii=False).encode("utf-8")
    message = ExternalMessage({"mqtt.topic": "$aws/things/t1/shadow/update"}, None, body)
    (command,) = shadow.map_incoming(message)
    assert command["value"] == {"shadow": {"properties": {"s": text, "shadowTimestamp": None}}}


@settings(max_examples=200, deadline=None)
@given(raw=st.binary(min_size=1, max_size=12))
def test_utf8_validity_matches_python(hono: MappingEngine, raw: bytes) -> None:
    """The scripts' decoder accepts exactly what a strict UTF-8 decoder accepts."""
    message = ExternalMessage({"device_id": "ns:dev"}, None, b'{"s": "' + raw + b'"}')
    try:
        raw.decode("utf-8")
        python_valid = True
    except UnicodeDecodeError:
        python_valid = False
    try:
        hono.map_incoming(message)
        error = ""
    except MappingError as exc:
        error = str(exc)
    assert ("not valid UTF-8" not in error) == python_valid, (raw, error)


def test_base64_payload_from_cli_shape_is_decoded(hono: MappingEngine) -> None:
    data = {
        "headers": {"device_id": "ns:dev", "content-type": "application/json"},
        "bytePayload": base64.b64encode('{"unit": "°C"}'.encode()).decode(),
    }
    (command,) = hono.map_incoming(ExternalMessage.from_json_dict(data))
    assert command["value"] == {"unit": "°C"}

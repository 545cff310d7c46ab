"""Loading Ditto connection JSON: the documented S3 connection, variants, and path-named errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mapper.connection import Connection, load_connection
from mapper.connection.placeholders import HeaderTemplate
from mapper.connection.topics import TopicKind
from mapper.errors import ConfigError
from mapper.signing.params import PayloadHashMode

CONNECTIONS = Path(__file__).resolve().parents[2] / "fixtures" / "connections"
BROKEN = CONNECTIONS / "broken"
DOCUMENTED_SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"


def documented() -> dict:
    return json.loads((CONNECTIONS / "s3-documented.json").read_text(encoding="utf-8"))


def test_dittos_documented_s3_connection_loads() -> None:
    connection = load_connection(CONNECTIONS / "s3-documented.json")
    assert connection.connection_type == "http-push"
    assert connection.name == "AWS S3"
    assert connection.uri == "https://my-ditto-archive.s3.eu-central-1.amazonaws.com:443"
    parameters = connection.credentials.parameters
    assert (parameters.region, parameters.service, parameters.access_key) == (
        "eu-central-1",
        "s3",
        "AKIAIOSFODNN7EXAMPLE",
    )
    assert parameters.secret_key.get_secret_value() == DOCUMENTED_SECRET
    assert parameters.double_encode is False
    assert parameters.canonical_headers == ("host", "x-amz-date")
    assert parameters.x_amz_content_sha256 is PayloadHashMode.INCLUDED
    (target,) = connection.targets
    assert (target.method, target.path) == ("PUT", "/")
    assert [t.kind for t in target.topics] == [TopicKind.TWIN_EVENTS]
    assert target.authorization_context == ["integration:ditto"]
    assert target.payload_mapping == ["javascript"]
    assert connection.parallelism() == 1
    definition = connection.mapping_definitions["javascript"]
    assert definition.mapping_engine == "JavaScript"
    assert definition.outgoing_script.startswith("function mapFromDittoProtocolMsgWrapper(msg) {")
    assert "  };\n" in definition.outgoing_script  # the seed's missing brace, restored
    assert definition.outgoing_script_name == "<outgoingScript>"
    assert definition.options.load_bytebuffer_js is False and definition.options.load_long_js is False
    assert connection.target_mappings(target) == [definition]


def test_unknown_fields_are_accepted_and_kept() -> None:
    connection = load_connection(CONNECTIONS / "s3-documented.json")
    extra = connection.model_extra or {}
    assert extra["clientCount"] == 1 and extra["processorPoolSize"] == 5 and extra["tags"] == []
    raw = documented()
    raw["targets"][0]["issuedAcknowledgementLabel"] = "{{connection:id}}:archived"
    raw["mappingDefinitions"]["javascript"]["options"]["someFutureOption"] = "x"
    loaded = load_connection(raw)
    assert loaded.targets[0].model_extra == {"issuedAcknowledgementLabel": "{{connection:id}}:archived"}


def test_text_dict_and_path_sources_are_equivalent() -> None:
    text = (CONNECTIONS / "s3-documented.json").read_text(encoding="utf-8")
    from_text = load_connection(text)
    from_dict = load_connection(json.loads(text))
    from_path = load_connection(str(CONNECTIONS / "s3-documented.json"))
    assert from_text.model_dump() == from_dict.model_dump() == from_path.model_dump()


def test_dump_gives_back_ditto_json_shape_without_secret() -> None:
    connection = load_connection(CONNECTIONS / "s3-filtered.json")
    dumped = json.loads(connection.model_dump_json(by_alias=True))
    assert dumped["targets"][0]["topics"][0].startswith("_/_/things/twin/events?namespaces=")
    assert dumped["targets"][0]["headerMapping"]["x-amz-meta-thing"] == "{{ thing:id }}"
    assert dumped["specificConfig"] == {"parallelism": "8"}
    secret_dump = load_connection(CONNECTIONS / "s3-documented.json").model_dump_json(by_alias=True)
    assert DOCUMENTED_SECRET not in secret_dump


def test_filtered_variant_script_file_header_mapping_and_address_placeholders() -> None:
    connection = load_connection(CONNECTIONS / "s3-filtered.json")
    assert connection.credentials.parameters.access_key is None  # standard chain
    assert connection.credentials.parameters.double_encode is False  # "false" string accepted
    assert connection.parallelism() == 8
    definition = connection.mapping_definitions["s3-per-revision"]
    script_path = Path(definition.outgoing_script_name)
    assert script_path.name == "s3-per-revision.js"
    assert (
        definition.outgoing_script
        == (CONNECTIONS / "../../mappings/s3-per-revision.js").resolve().read_text()
    )
    archive, temperatures = connection.targets
    assert archive.topics[0].namespaces == {"com.acme", "com.acme.building"}
    assert isinstance(archive.header_mapping["x-amz-meta-thing"], HeaderTemplate)
    envelope = {
        "topic": "com.acme/coffee-brewer/things/twin/events/created",
        "headers": {"correlation-id": "c-1"},
        "path": "/",
        "value": {},
    }
    assert archive.header_mapping["x-amz-meta-connection"].render(envelope) == "s3-archive-filtered"
    assert temperatures.resolve_path(envelope) == "/temperatures/com.acme"
    assert temperatures.resolve_path({**envelope, "topic": "_/s3/connections/announcements/opened"}) is None
    assert connection.target_mappings(temperatures)[0].mapping_engine == "Ditto"


def test_default_chain_variant_has_no_credentials() -> None:
    assert load_connection(CONNECTIONS / "s3-default-chain.json").credentials is None


def test_secret_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MAPPER_FIXTURE_ACCESS_KEY", "AKIDFROMENV")
    monkeypatch.setenv("MAPPER_FIXTURE_SECRET_KEY", "secret-from-the-environment")
    connection = load_connection(CONNECTIONS / "s3-env-secret.json")
    parameters = connection.credentials.parameters
    assert parameters.access_key == "AKIDFROMENV"
    assert parameters.secret_key.get_secret_value() == "secret-from-the-environment"
    for text in (
        repr(connection),
        str(connection),
        connection.model_dump_json(),
        repr(connection.credentials),
    ):
        assert "secret-from-the-environment" not in text


def test_missing_environment_variable_names_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MAPPER_FIXTURE_UNSET_VARIABLE", raising=False)
    with pytest.raises(ConfigError) as caught:
        load_connection(BROKEN / "missing-env-secret.json")
    message = str(caught.value)
    assert "MAPPER_FIXTURE_UNSET_VARIABLE" in message and "secretKey" in message
    assert caught.value.path == "credentials.parameters"


def test_environment_reference_must_be_the_whole_value() -> None:
    raw = documented()
    raw["credentials"]["parameters"]["secretKey"] = "prefix-{{ env:HOME }}"
    with pytest.raises(ConfigError, match="whole value"):
        load_connection(raw)


def test_secret_never_in_repr_or_errors() -> None:
    connection = load_connection(CONNECTIONS / "s3-documented.json")
    assert DOCUMENTED_SECRET not in repr(connection)
    assert DOCUMENTED_SECRET not in str(connection)
    # errors elsewhere in a file that holds a secret do not echo it
    raw = documented()
    raw["credentials"]["parameters"]["doubleEncode"] = DOCUMENTED_SECRET
    raw["targets"][0]["address"] = "PUTT:/"
    with pytest.raises(ConfigError) as caught:
        load_connection(raw)
    assert DOCUMENTED_SECRET not in str(caught.value)
    assert "***" in str(caught.value)
    assert "targets[0].address" in str(caught.value)
    # a wrongly typed secret is not echoed either
    raw = documented()
    raw["credentials"]["parameters"]["secretKey"] = ["not", "a", "string", DOCUMENTED_SECRET]
    with pytest.raises(ConfigError) as caught:
        load_connection(raw)
    assert DOCUMENTED_SECRET not in str(caught.value)
    assert "credentials.parameters.secretKey" in str(caught.value)


@pytest.mark.parametrize(
    ("file", "path", "fragment"),
    [
        (
            "bad-method",
            "targets[0].address",
            "unknown method 'PUTT' (expected PUT, POST, PATCH, GET, DELETE)",
        ),
        ("missing-uri", "uri", "is required"),
        (
            "bad-x-amz-content-sha256",
            "credentials.parameters.xAmzContentSha256",
            "'INCLUDED', 'EXCLUDED', 'UNSIGNED'",
        ),
        ("targets-not-a-list", "targets", "valid list"),
        ("bad-topic", "targets[0].topics[0]", "unknown topic '_/_/things/twin/event'"),
        ("bad-rql", "targets[0].topics[0]", "RQL error at position 42"),
        ("unknown-placeholder", "targets[0].headerMapping", "unknown placeholder 'thing:identifier'"),
        ("unknown-function", "targets[0].headerMapping", "unknown function fn:reverse"),
        ("missing-script-file", "mappingDefinitions.javascript.options", "file not found"),
        ("unsupported-algorithm", "credentials.algorithm", "unsupported hmac algorithm 'az-sasl'"),
        ("unknown-payload-mapping", "targets[0].payloadMapping[0]", "'javscript' is neither"),
    ],
)
def test_broken_files_name_file_path_and_problem(file: str, path: str, fragment: str) -> None:
    source = BROKEN / f"{file}.json"
    with pytest.raises(ConfigError) as caught:
        load_connection(source)
    message = str(caught.value)
    assert message.startswith(f"{source}: {path}: "), message
    assert fragment in message
    assert caught.value.path == path
    assert DOCUMENTED_SECRET not in message


def test_missing_script_file_is_resolved_relative_to_the_connection_file() -> None:
    with pytest.raises(ConfigError) as caught:
        load_connection(BROKEN / "missing-script-file.json")
    assert str(BROKEN / "no-such-mapping.js") in str(caught.value)


def test_malformed_json_gives_file_line_column() -> None:
    with pytest.raises(ConfigError) as caught:
        load_connection(BROKEN / "malformed.json")
    assert str(caught.value).startswith(
        f"{BROKEN / 'malformed.json'}:4:3: invalid JSON: Expecting ',' delimiter"
    )


def test_missing_file_and_non_object(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="not found"):
        load_connection(CONNECTIONS / "nope.json")
    (tmp_path / "list.json").write_text("[1]", encoding="utf-8")
    with pytest.raises(ConfigError, match="must be a JSON object, got list"):
        load_connection(tmp_path / "list.json")


def test_several_problems_are_all_listed() -> None:
    raw = documented()
    del raw["uri"]
    raw["targets"][0]["address"] = "FETCH:/"
    raw["specificConfig"] = {"parallelism": "0"}
    with pytest.raises(ConfigError) as caught:
        load_connection(raw)
    message = str(caught.value)
    assert "2 problems" in message
    assert "uri: is required" in message and "targets[0].address: unknown method 'FETCH'" in message


@pytest.mark.parametrize(
    ("change", "fragment"),
    [
        (
            lambda c: c.__setitem__("connectionType", "mqtt"),
            "connectionType: connectionType 'mqtt' is not supported",
        ),
        (lambda c: c.__setitem__("uri", "ftp://example.com"), "uri: must be an http:// or https:// URI"),
        (lambda c: c.__setitem__("uri", "https://user:pw@example.com"), "credentials in the uri"),
        (lambda c: c.__setitem__("uri", "https://example.com:99999"), "invalid port"),
        (lambda c: c.__setitem__("uri", "https://[::1]:99999"), "uri: is not a valid URL (Port out of range"),
        # urlsplit would silently drop the CR/LF and archive to "example.comx"
        (lambda c: c.__setitem__("uri", "https://example.com\r\nx"), "uri: must not contain whitespace"),
        (lambda c: c.__setitem__("uri", "https://exa\x00mple.com"), "uri: must not contain whitespace"),
        (
            lambda c: c.__setitem__("sshTunnel", {"enabled": True, "uri": "ssh://jump:22"}),
            "sshTunnel.enabled: SSH tunnels are not supported",
        ),
        (
            lambda c: c.__setitem__("specificConfig", {"parallelism": "many"}),
            "parallelism must be a positive",
        ),
        (lambda c: c.__setitem__("specificConfig", {"parallelism": 0}), "parallelism must be a positive"),
        (lambda c: c["targets"][0].__setitem__("address", "/"), "must be METHOD:path"),
        (lambda c: c["targets"][0].__setitem__("address", "PUT:bucket"), "must start with '/'"),
        (lambda c: c["targets"][0].__setitem__("address", "PUT:/{{ thing:nope }}"), "targets[0]: address:"),
        (lambda c: c["targets"][0].__setitem__("topics", []), "targets[0].topics"),
        (
            lambda c: c["targets"][0].__setitem__("headerMapping", {"bad header": "x"}),
            "not a valid HTTP header",
        ),
        (lambda c: c["credentials"].__setitem__("type", "plain"), "unsupported credentials type 'plain'"),
        (
            lambda c: c["credentials"]["parameters"].pop("region"),
            "credentials.parameters.region: is required",
        ),
        (lambda c: c["credentials"]["parameters"].__setitem__("doubleEncoding", False), "not a known field"),
        (
            lambda c: c["mappingDefinitions"]["javascript"].__setitem__("mappingEngine", "Normalized"),
            "mapping engine 'Normalized' is not supported",
        ),
        (
            lambda c: c["mappingDefinitions"]["javascript"]["options"].__setitem__("loadLongJS", "yes"),
            "loadLongJS must be true or false",
        ),
        (
            lambda c: c["mappingDefinitions"]["javascript"]["options"].__setitem__(
                "outgoingScriptFile", "x.js"
            ),
            "give either outgoingScript or outgoingScriptFile",
        ),
    ],
)
def test_invalid_fields(change, fragment: str) -> None:
    raw = documented()
    change(raw)
    with pytest.raises(ConfigError) as caught:
        load_connection(raw)
    assert fragment in str(caught.value)


def test_inline_script_files_relative_to_base_dir(tmp_path: Path) -> None:
    (tmp_path / "out.js").write_text(
        "function mapFromDittoProtocolMsg() { return null; }\n", encoding="utf-8"
    )
    raw = documented()
    options = raw["mappingDefinitions"]["javascript"]["options"]
    del options["outgoingScript"]
    options["outgoingScriptFile"] = "out.js"
    options["incomingScript"] = ""
    connection = load_connection(raw, base_dir=tmp_path)
    definition = connection.mapping_definitions["javascript"]
    assert definition.outgoing_script.startswith("function mapFromDittoProtocolMsg()")
    assert definition.outgoing_script_name == str(tmp_path / "out.js")
    assert definition.incoming_script == "" and definition.incoming_script_name == "<incomingScript>"


def test_model_is_the_public_type() -> None:
    assert isinstance(load_connection(documented()), Connection)


# Fields a real Ditto connection carries (devops API / Things UI export) that mapper does not use.
REAL_CONNECTION_EXTRAS = {
    "clientCount": 1,
    "failoverEnabled": True,
    "validateCertificates": True,
    "processorPoolSize": 5,
    "tags": ["archive", "s3"],
    "ca": "-----BEGIN CERTIFICATE-----\nMIIB...\n-----END CERTIFICATE-----",
    "lastModified": "2024-05-06T12:00:00.000Z",
    "revision": 7,
    "connectionStatus": "closed",
    "lifecycle": "ACTIVE",
    "sshTunnel": {
        "enabled": False,
        "uri": "ssh://jump.example:22",
        "validateHost": True,
        "knownHosts": ["MD5:11:22"],
        "credentials": {"type": "plain", "username": "tunnel", "password": "SSH-PASSWORD-123"},
    },
}


def test_real_connection_extras_load_and_ssh_secrets_never_show() -> None:
    raw = {**documented(), **REAL_CONNECTION_EXTRAS}
    raw["sources"] = [{"addresses": ["ignored"], "authorizationContext": ["x"], "consumerCount": 1}]
    raw["mappingDefinitions"]["javascript"]["incomingConditions"] = {"c": "fn:filter(header:a,'exists')"}
    connection = load_connection(raw)
    assert connection.ssh_tunnel is not None and connection.ssh_tunnel.enabled is False
    assert (connection.model_extra or {})["revision"] == 7
    texts = [
        repr(connection),
        str(connection),
        connection.model_dump_json(),
        connection.model_dump_json(by_alias=True),
        repr(connection.model_dump()),
        repr(connection.ssh_tunnel),
    ]
    for text in texts:
        assert "SSH-PASSWORD-123" not in text and DOCUMENTED_SECRET not in text
    dumped = json.loads(connection.model_dump_json(by_alias=True))
    assert dumped["sshTunnel"]["credentials"]["username"] == "tunnel"
    assert dumped["sshTunnel"]["uri"] == "ssh://jump.example:22"  # unknown tunnel fields are kept


def test_ssh_private_key_is_masked_too() -> None:
    raw = {
        **documented(),
        "sshTunnel": {
            "enabled": "false",
            "credentials": {
                "type": "public-key",
                "username": "u",
                "publicKey": "ssh-ed25519 AAAA",
                "privateKey": "PRIVATE-KEY-PEM",
            },
        },
    }
    connection = load_connection(raw)
    assert "PRIVATE-KEY-PEM" not in repr(connection) + connection.model_dump_json(by_alias=True)
    assert connection.ssh_tunnel.credentials.private_key.get_secret_value() == "PRIVATE-KEY-PEM"


@pytest.mark.parametrize(
    ("change", "path"),
    [
        (lambda c: c.__setitem__("name", "bad\ud800name"), "name"),
        (
            lambda c: c["credentials"]["parameters"].__setitem__("secretKey", "SECRETPART\udfff"),
            "credentials.parameters.secretKey",
        ),
        (
            lambda c: c["targets"][0]["topics"].__setitem__(
                0, "_/_/things/twin/events?filter=eq(attributes/a,'\ud800')"
            ),
            "targets[0].topics[0]",
        ),
        (lambda c: c.__setitem__("tags", ["ok", "x\ud83d"]), "tags[1]"),
    ],
)
def test_lone_surrogates_are_located_config_errors(change, path: str) -> None:
    # JSON text may carry "\\ud800" escapes; pydantic, the signer and http.client would crash on them
    raw = documented()
    change(raw)
    with pytest.raises(ConfigError, match="lone surrogate") as caught:
        load_connection(json.dumps(raw))  # through JSON text, as from a file
    assert str(caught.value).startswith(f"<connection>: {path}: ")
    assert "SECRETPART" not in str(caught.value)

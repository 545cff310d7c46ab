"""Header mapping placeholders: resolution, pipeline functions, unresolved headers, load-time errors."""

from __future__ import annotations

import re

import pytest

from mapper.connection.placeholders import HeaderTemplate, apply_header_mapping
from mapper.errors import ConfigError

TWIN_EVENT = {
    "topic": "com.acme/coffee-brewer/things/twin/events/modified",
    "headers": {
        "correlation-id": "c-42",
        "Content-Type": "application/json",
        "ditto-originator": "integration:acme:fleet",
        "response-required": False,
        "requested-acks": ["twin-persisted"],
    },
    "path": "/features/water~1tank/properties/temperature",
    "value": 21.5,
    "revision": 7,
}
MESSAGE = {
    "topic": "com.acme/coffee-brewer/things/live/messages/maintenance/descale",
    "headers": {"correlation-id": "m-1"},
    "path": "/outbox/messages/maintenance/descale",
}
POLICY_ANNOUNCEMENT = {
    "topic": "org.eclipse.ditto/p1/policies/announcements/subjectDeletion",
    "headers": {},
    "path": "/",
}


def render(text: str, envelope=TWIN_EVENT, connection_id: str | None = "s3-archive") -> str | None:
    return HeaderTemplate.parse(text, connection_id=connection_id).render(envelope)


@pytest.mark.parametrize(
    ("template", "expected"),
    [
        ("{{ header:correlation-id }}", "c-42"),
        ("{{header:CORRELATION-ID}}", "c-42"),  # case-insensitive, spaces optional
        ("{{ header:content-type }}", "application/json"),
        ("{{ header:response-required }}", "false"),  # non-string header values as text
        ("{{ header:requested-acks }}", '["twin-persisted"]'),
        ("{{ thing:id }}", "com.acme:coffee-brewer"),
        ("{{ thing:namespace }}", "com.acme"),
        ("{{ thing:name }}", "coffee-brewer"),
        ("{{ entity:id }}", "com.acme:coffee-brewer"),
        ("{{ feature:id }}", "water/tank"),
        ("{{ topic:full }}", "com.acme/coffee-brewer/things/twin/events/modified"),
        ("{{ topic:namespace }}", "com.acme"),
        ("{{ topic:entityName }}", "coffee-brewer"),
        ("{{ topic:group }}", "things"),
        ("{{ topic:channel }}", "twin"),
        ("{{ topic:criterion }}", "events"),
        ("{{ topic:action }}", "modified"),
        ("{{ topic:action-subject }}", "modified"),
        ("{{ resource:type }}", "thing"),
        ("{{ resource:path }}", "/features/water~1tank/properties/temperature"),
        ("{{ request:subjectId }}", "integration:acme:fleet"),
        ("{{ connection:id }}", "s3-archive"),
        ("events/{{ thing:namespace }}/{{ thing:name }}.json", "events/com.acme/coffee-brewer.json"),
        ("constant", "constant"),
        # functions
        ("{{ thing:name | fn:upper() }}", "COFFEE-BREWER"),
        ("{{ thing:id | fn:substring-before(':') }}", "com.acme"),
        ('{{ thing:id | fn:substring-after(":") }}', "coffee-brewer"),
        ("{{ thing:name | fn:substring-before('-') | fn:default('fallback') | fn:upper() }}", "COFFEE"),
        ("{{ thing:name | fn:substring-before('#') | fn:default('fallback') }}", "fallback"),
        ("{{ header:missing | fn:default(thing:id) }}", "com.acme:coffee-brewer"),
        ("{{ header:missing | fn:default('x') | fn:lower() }}", "x"),
        ("{{ thing:name | fn:replace('-', '_') }}", "coffee_brewer"),
        ("{{ fn:default('only a function') }}", "only a function"),
        ("{{ header:correlation-id | fn:filter('eq','c-42') }}", "c-42"),
        ("{{ header:correlation-id | fn:filter('like','x*|c-*') }}", "c-42"),
        ("{{ thing:id | fn:filter(header:response-required,'eq','false') }}", "com.acme:coffee-brewer"),
        ("{{ thing:id | fn:filter(header:missing,'exists','false') }}", "com.acme:coffee-brewer"),
        ("{{ thing:id | fn:filter(header:correlation-id,'exists') }}", "com.acme:coffee-brewer"),
        ("{{ header:missing | fn:filter('ne','0') | fn:default('absent') }}", "absent"),
    ],
)
def test_resolves(template: str, expected: str) -> None:
    assert render(template) == expected


@pytest.mark.parametrize(
    "template",
    [
        "{{ header:missing }}",
        "prefix-{{ header:missing }}",  # one failing placeholder fails the whole value
        "{{ topic:subject }}",  # not a message
        "{{ policy:id }}",  # not a policy signal
        "{{ thing:id | fn:substring-before('#') }}",
        "{{ header:correlation-id | fn:filter('eq','other') }}",
        "{{ thing:id | fn:delete() }}",
        "{{ thing:id | fn:delete() | fn:default('ignored after delete') }}",
        "{{ thing:id | fn:filter(header:missing,'exists') }}",
    ],
)
def test_unresolved_gives_none(template: str) -> None:
    assert render(template) is None


def test_message_and_policy_topics() -> None:
    assert render("{{ topic:subject }}", MESSAGE) == "maintenance/descale"
    assert render("{{ topic:action-subject }}", MESSAGE) == "maintenance/descale"
    assert render("{{ topic:action }}", MESSAGE) is None
    assert render("{{ resource:type }}", MESSAGE) == "message"
    assert render("{{ policy:id }}", POLICY_ANNOUNCEMENT) == "org.eclipse.ditto:p1"
    assert render("{{ entity:name }}", POLICY_ANNOUNCEMENT) == "p1"
    assert render("{{ thing:id }}", POLICY_ANNOUNCEMENT) is None
    assert render("{{ topic:channel }}", POLICY_ANNOUNCEMENT) == "none"
    assert render("{{ resource:type }}", POLICY_ANNOUNCEMENT) == "policy"


def test_time_placeholders() -> None:
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", render("{{ time:now }}") or "")
    assert (render("{{ time:now_epoch_millis }}") or "").isdigit()


def test_headers_argument_overrides_envelope_headers() -> None:
    template = HeaderTemplate.parse("{{ header:correlation-id }}")
    assert template.render(TWIN_EVENT, {"correlation-id": "other"}) == "other"


def test_apply_header_mapping_adds_overrides_and_skips_unresolved() -> None:
    mapping = {
        "message-id": HeaderTemplate.parse("{{ header:correlation-id }}"),
        "content-type": HeaderTemplate.parse("application/vnd.eclipse.ditto+json"),
        "x-unresolved": HeaderTemplate.parse("{{ header:nope }}"),
        "reply-to": HeaderTemplate.parse("all-replies"),
        "x-connection": HeaderTemplate.parse("{{ connection:id }}", connection_id="conn-1"),
    }
    external = {"Content-Type": "application/json", "http.path": "com.acme:coffee-brewer:7"}
    result = apply_header_mapping(mapping, TWIN_EVENT, external)
    assert result == {
        "http.path": "com.acme:coffee-brewer:7",
        "message-id": "c-42",
        "content-type": "application/vnd.eclipse.ditto+json",  # replaces Content-Type, any spelling
        "reply-to": "all-replies",
        "x-connection": "conn-1",
    }
    assert external == {"Content-Type": "application/json", "http.path": "com.acme:coffee-brewer:7"}
    assert apply_header_mapping({}, TWIN_EVENT, external) == external


@pytest.mark.parametrize(
    ("template", "fragment"),
    [
        ("{{ thing:identifier }}", "unknown placeholder 'thing:identifier'"),
        ("{{ jwt:sub }}", "unknown placeholder 'jwt:sub'"),
        ("{{ env:HOME }}", "only allowed for credentials"),
        ("{{ header: }}", "unknown placeholder 'header:'"),
        ("{{ thing:id | fn:reverse() }}", "unknown function fn:reverse"),
        ("{{ thing:id | fn:split(' ') }}", "fn:split is only available with the jwt"),
        ("{{ thing:id | fn:upper }}", "needs parentheses"),
        ("{{ thing:id | fn:upper('x') }}", "takes 0 argument(s), got 1"),
        ("{{ thing:id | fn:replace('a') }}", "takes 2 argument(s), got 1"),
        ("{{ thing:id | fn:default('x' }}", "not closed"),
        ("{{ thing:id | fn:substring-before('x) }}", "not closed"),
        ("{{ thing:id | fn:filter('gt','1') }}", "fn:filter expects"),
        ("{{ thing:id | fn:filter('exists','maybe') }}", "'true' or 'false'"),
        ("{{ thing:id | thing:name }}", "only functions"),
        ("{{ thing:id ", "not closed"),
        ("a }} b", "without a matching"),
        ("{{ }}", "empty placeholder"),
        ("{{ thing:id fn:upper() }}", "unexpected"),
    ],
)
def test_parse_errors(template: str, fragment: str) -> None:
    with pytest.raises(ConfigError) as caught:
        HeaderTemplate.parse(template, where="'x-header'")
    assert fragment in str(caught.value)
    assert str(caught.value).startswith("'x-header': ")


def test_template_equality_and_constant() -> None:
    assert HeaderTemplate.parse("a{{ thing:id }}") == HeaderTemplate.parse("a{{ thing:id }}")
    assert HeaderTemplate.parse("plain").is_constant
    assert not HeaderTemplate.parse("{{ thing:id }}").is_constant

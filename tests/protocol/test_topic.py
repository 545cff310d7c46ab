"""parse_topic / Topic: every group, channel and criterion, placeholders, and exact error messages."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mapper.errors import ProtocolError
from mapper.protocol import topic as topic_module
from mapper.protocol.topic import (
    COMMAND_ACTIONS,
    CRITERIA,
    EVENT_ACTIONS,
    SEARCH_ACTIONS,
    STREAMING_ACTIONS,
    Topic,
    check_topic,
    parse_topic,
)

VALID = [
    # (topic, namespace, name, group, channel, criterion, action)
    (
        "com.acme/coffee-brewer/things/twin/events/modified",
        "com.acme",
        "coffee-brewer",
        "things",
        "twin",
        "events",
        "modified",
    ),
    (
        "com.acme/coffee-brewer/things/live/commands/modify",
        "com.acme",
        "coffee-brewer",
        "things",
        "live",
        "commands",
        "modify",
    ),
    ("_/_/things/twin/search/subscribe", "_", "_", "things", "twin", "search", "subscribe"),
    ("com.acme/_/things/twin/events/created", "com.acme", "_", "things", "twin", "events", "created"),
    (
        "com.acme/b/things/twin/streaming/subscribeForPersistedEvents",
        "com.acme",
        "b",
        "things",
        "twin",
        "streaming",
        "subscribeForPersistedEvents",
    ),
    ("com.acme/b/things/twin/errors", "com.acme", "b", "things", "twin", "errors", None),
    ("com.acme/b/things/live/messages/brew", "com.acme", "b", "things", "live", "messages", "brew"),
    (
        "com.acme/b/things/live/messages/maintenance/descale",
        "com.acme",
        "b",
        "things",
        "live",
        "messages",
        "maintenance/descale",
    ),
    (
        "com.acme/b/things/twin/acks/twin-persisted",
        "com.acme",
        "b",
        "things",
        "twin",
        "acks",
        "twin-persisted",
    ),
    ("com.acme/b/things/twin/acks", "com.acme", "b", "things", "twin", "acks", None),  # aggregated acks
    (
        "org.eclipse.ditto/p1/policies/announcements/subjectDeletion",
        "org.eclipse.ditto",
        "p1",
        "policies",
        "none",
        "announcements",
        "subjectDeletion",
    ),
    (
        "org.eclipse.ditto/p1/policies/commands/modify",
        "org.eclipse.ditto",
        "p1",
        "policies",
        "none",
        "commands",
        "modify",
    ),
    ("org.eclipse.ditto/p1/policies/errors", "org.eclipse.ditto", "p1", "policies", "none", "errors", None),
    (
        "_/conn-id/connections/announcements/opened",
        "_",
        "conn-id",
        "connections",
        "none",
        "announcements",
        "opened",
    ),
    ("/legacy-device/things/twin/events/deleted", "", "legacy-device", "things", "twin", "events", "deleted"),
    (
        "com.acme.building/room 101/things/twin/events/merged",
        "com.acme.building",
        "room 101",
        "things",
        "twin",
        "events",
        "merged",
    ),
    (
        "org.example/meter$1+2=3@home~v2/things/twin/events/modified",
        "org.example",
        "meter$1+2=3@home~v2",
        "things",
        "twin",
        "events",
        "modified",
    ),
    (
        "com.acme/gw:eu:01/things/twin/events/modified",
        "com.acme",
        "gw:eu:01",
        "things",
        "twin",
        "events",
        "modified",
    ),
    (
        "com.acme/咖啡机-東京/things/twin/events/modified",
        "com.acme",
        "咖啡机-東京",
        "things",
        "twin",
        "events",
        "modified",
    ),
    (
        "com.acme/датчик-7/things/twin/events/modified",
        "com.acme",
        "датчик-7",
        "things",
        "twin",
        "events",
        "modified",
    ),
    (
        "a_b.c1_2/x/things/twin/commands/checkPermissions",
        "a_b.c1_2",
        "x",
        "things",
        "twin",
        "commands",
        "checkPermissions",
    ),
]


@pytest.mark.parametrize(("text", "namespace", "name", "group", "channel", "criterion", "action"), VALID)
def test_valid_topics_parse_into_parts_and_round_trip(
    text: str, namespace: str, name: str, group: str, channel: str, criterion: str, action: str | None
) -> None:
    topic = parse_topic(text)
    assert topic == Topic(namespace, name, group, channel, criterion, action)  # type: ignore[arg-type]
    assert str(topic) == text
    assert topic.thing_id == f"{namespace}:{name}"


@pytest.mark.parametrize(
    ("criterion", "actions"),
    [
        ("commands", COMMAND_ACTIONS),
        ("events", EVENT_ACTIONS),
        ("search", SEARCH_ACTIONS),
        ("streaming", STREAMING_ACTIONS),
    ],
)
@pytest.mark.parametrize("channel", ["twin", "live"])
def test_every_fixed_action_of_every_criterion(
    criterion: str, actions: tuple[str, ...], channel: str
) -> None:
    for action in actions:
        text = f"com.acme/b/things/{channel}/{criterion}/{action}"
        assert parse_topic(text).action == action
        assert str(parse_topic(text)) == text


def test_thing_id_of_empty_namespace_and_placeholders() -> None:
    assert parse_topic("/dev/things/twin/events/created").thing_id == ":dev"
    assert parse_topic("_/_/things/twin/events/created").thing_id == "_:_"


# (topic, reason): the message is always f"topic: {reason} in {topic!r}"
INVALID = [
    ("", "is empty"),
    ("com.acme/b", "has 2 segment(s), expected {namespace}/{entityName}/{group}/..."),
    (
        "com.acme/b/thingz/twin/events/modified",
        "unknown group 'thingz' (expected things, policies, connections)",
    ),
    ("com.acme/b/things", "missing channel after 'things' (expected twin, live)"),
    (
        "com.acme/b/things/none/events/modified",
        "channel 'none' is never written; things topics need twin or live",
    ),
    ("com.acme/b/things/events/modified", "unknown channel 'events' for things (expected twin, live)"),
    (
        "com.acme/p/policies/twin/announcements/subjectDeletion",
        "policies topics have no channel, found 'twin'",
    ),
    ("_/c/connections/none/announcements/opened", "connections topics have no channel, found 'none'"),
    (
        "com.acme/b/things/twin",
        "missing criterion (expected commands, events, search, messages, errors, acks,"
        " announcements, streaming)",
    ),
    (
        "com.acme/b/things/twin/event/modified",
        "unknown criterion 'event' (expected commands, events, search, messages, errors, acks,"
        " announcements, streaming)",
    ),
    (
        "com.acme/b/things/twin/events",
        "missing action after 'events' (expected created, modified, merged, migrated, deleted)",
    ),
    (
        "com.acme/b/things/twin/events/modify",
        "unknown action 'modify' for events (expected created, modified, merged, migrated, deleted)",
    ),
    (
        "com.acme/b/things/twin/commands/modified",
        "unknown action 'modified' for commands (expected create, retrieve, modify, merge, delete,"
        " migrate, checkPermissions)",
    ),
    ("com.acme/b/things/twin/events/modified/x/y", "unexpected segment(s) 'x/y' after the action"),
    ("com.acme/b/things/twin/errors/404", "'errors' topics end after the criterion, found '404'"),
    ("com.acme/b/things/live/messages", "missing subject after 'messages'"),
    ("com.acme/b/things/live/messages/a//b", "empty segment in the subject 'a//b'"),
    ("com.acme/b/things/live/messages/", "empty segment in the subject ''"),
    ("_/c/connections/announcements", "missing name after 'announcements'"),
    (
        "com..acme/b/things/twin/events/modified",
        "invalid namespace 'com..acme' (expected a Java-package-like name such as 'com.acme', empty, or '_')",
    ),
    (
        "1acme/b/things/twin/events/modified",
        "invalid namespace '1acme' (expected a Java-package-like name such as 'com.acme', empty, or '_')",
    ),
    ("com.acme//things/twin/events/modified", "empty entity name"),
    (
        "com.acme/caf\u00e9/things/twin/events/modified",
        "invalid entity name 'caf\u00e9': character U+00E9 is not allowed (no '/', control characters"
        " or U+007F-U+00FF)",
    ),
    (
        "com.acme/a\tb/things/twin/events/modified",
        "invalid entity name 'a\\tb': character U+0009 is not allowed (no '/', control characters"
        " or U+007F-U+00FF)",
    ),
]


@pytest.mark.parametrize(("text", "reason"), INVALID)
def test_invalid_topics_name_the_problem_exactly(text: str, reason: str) -> None:
    with pytest.raises(ProtocolError) as info:
        parse_topic(text)
    assert info.value.field == "topic"
    assert str(info.value) == f"topic: {reason} in {text!r}"


def test_non_string_topic_is_rejected() -> None:
    with pytest.raises(ProtocolError, match="topic: must be a string, got int"):
        parse_topic(42)  # type: ignore[arg-type]


def test_a_topic_built_by_hand_obeys_the_same_rules() -> None:
    assert str(Topic("com.acme", "b", "policies", "none", "announcements", "subjectDeletion")) == (
        "com.acme/b/policies/announcements/subjectDeletion"
    )
    with pytest.raises(ProtocolError, match=r"^topic: policies topics have no channel, found 'twin'$"):
        Topic("com.acme", "b", "policies", "twin", "events", "modified")
    with pytest.raises(ProtocolError, match=r"^topic: unknown action 'modify' for events"):
        Topic("com.acme", "b", "things", "twin", "events", "modify")


def test_check_topic_remembers_only_valid_topics_and_stays_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(topic_module, "_RECENT_VALID", set())
    monkeypatch.setattr(topic_module, "_RECENT_VALID_MAX", 3)
    for _ in range(2):  # the second round answers from memory, and still rejects
        check_topic("com.acme/b/things/twin/events/modified")
        with pytest.raises(ProtocolError, match="unknown group 'thingz'"):
            check_topic("com.acme/b/thingz/twin/events/modified")
    for name in "cdefg":
        check_topic(f"com.acme/{name}/things/twin/events/modified")
    assert 1 <= len(topic_module._RECENT_VALID) <= 3
    with pytest.raises(ProtocolError, match="must be a string, got list"):
        check_topic(["com.acme/b/things/twin/events/modified"])  # type: ignore[arg-type]


def test_topic_is_immutable_and_hashable() -> None:
    topic = parse_topic("com.acme/b/things/twin/events/modified")
    with pytest.raises(AttributeError):
        topic.action = "deleted"  # type: ignore[misc]
    assert {topic: 1}[parse_topic("com.acme/b/things/twin/events/modified")] == 1


# ---- property: any valid combination of parts survives str -> parse ------------------------------

_names = st.text(
    alphabet=st.characters(blacklist_characters="/", blacklist_categories=("Cs",)).filter(
        lambda c: not ("\x00" <= c <= "\x1f" or "\x7f" <= c <= "\xff")
    ),
    min_size=1,
    max_size=20,
)
_namespaces = st.one_of(
    st.just(""),
    st.just("_"),
    st.from_regex(r"[a-zA-Z]\w{0,5}(\.[a-zA-Z]\w{0,5}){0,3}", fullmatch=True).filter(str.isascii),
)
_segment = st.text(
    st.characters(blacklist_characters="/", blacklist_categories=("Cs",)), min_size=1, max_size=8
)


@st.composite
def _topics(draw: st.DrawFn) -> Topic:
    group = draw(st.sampled_from(["things", "policies", "connections"]))
    channel = draw(st.sampled_from(["twin", "live"])) if group == "things" else "none"
    criterion = draw(st.sampled_from(CRITERIA))
    fixed = {
        "commands": COMMAND_ACTIONS,
        "events": EVENT_ACTIONS,
        "search": SEARCH_ACTIONS,
        "streaming": STREAMING_ACTIONS,
    }
    action: str | None
    if criterion in fixed:
        action = draw(st.sampled_from(fixed[criterion]))
    elif criterion == "errors":
        action = None
    else:
        segments = draw(st.lists(_segment, min_size=0 if criterion == "acks" else 1, max_size=3))
        action = "/".join(segments) if segments else None
    return Topic(draw(_namespaces), draw(_names), group, channel, criterion, action)  # type: ignore[arg-type]


@given(_topics())
def test_str_then_parse_gives_the_same_topic(topic: Topic) -> None:
    assert parse_topic(str(topic)) == topic

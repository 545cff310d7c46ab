"""Target topics: kinds, namespaces, RQL filters against events, extraFields, parameter errors."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import pytest

from mapper.connection import load_connection, target_selects
from mapper.connection.topics import EventView, TopicKind, TopicSubscription
from mapper.errors import ConfigError


def selected(topic: str, envelopes: list[dict[str, Any]]) -> list[int]:
    subscription = TopicSubscription.parse(topic)
    return [index for index, envelope in enumerate(envelopes) if subscription.matches(envelope)]


def action_of(envelope: dict[str, Any]) -> str:
    return envelope["topic"].rsplit("/", 1)[1]


# -- kinds -------------------------------------------------------------------------------------------


def test_twin_events_select_every_twin_event_and_nothing_else(twin_events, other_messages) -> None:
    assert selected("_/_/things/twin/events", twin_events) == list(range(len(twin_events)))
    others = selected("_/_/things/twin/events", other_messages)
    assert others == []


@pytest.mark.parametrize(
    ("kind", "topic"),
    [
        (TopicKind.TWIN_EVENTS, "com.acme/x/things/twin/events/modified"),
        (TopicKind.LIVE_EVENTS, "com.acme/x/things/live/events/modified"),
        (TopicKind.LIVE_MESSAGES, "com.acme/x/things/live/messages/maintenance/descale"),
        (TopicKind.LIVE_COMMANDS, "com.acme/x/things/live/commands/modify"),
        (TopicKind.POLICY_ANNOUNCEMENTS, "org.eclipse.ditto/p1/policies/announcements/subjectDeletion"),
        (TopicKind.CONNECTION_ANNOUNCEMENTS, "_/s3-archive/connections/announcements/opened"),
    ],
)
def test_each_kind_selects_exactly_its_signals(kind: TopicKind, topic: str) -> None:
    envelope = {"topic": topic, "headers": {}, "path": "/"}
    chosen = [k for k in TopicKind if TopicSubscription.parse(k.value).matches(envelope)]
    assert chosen == [kind]


def test_commands_responses_errors_and_twin_commands_are_not_selected(other_messages) -> None:
    for envelope in other_messages:
        topic = envelope["topic"]
        if "/twin/" in topic and "/events/" not in topic:
            assert not any(TopicSubscription.parse(k.value).matches(envelope) for k in TopicKind), topic


def test_live_messages_fixture(other_messages) -> None:
    subscription = TopicSubscription.parse("_/_/things/live/messages")
    subjects = [m["topic"] for m in other_messages if subscription.matches(m)]
    assert subjects and all("/things/live/messages/" in t for t in subjects)


# -- namespaces --------------------------------------------------------------------------------------


def test_namespaces_select_exactly_those_namespaces(twin_events) -> None:
    chosen = selected("_/_/things/twin/events?namespaces=com.acme.building,org.example.sensors", twin_events)
    expected = [
        i
        for i, e in enumerate(twin_events)
        if e["topic"].split("/")[0] in ("com.acme.building", "org.example.sensors")
    ]
    assert chosen == expected and len(expected) > 5
    # com.acme does not match its sub-namespaces
    only_acme = selected("_/_/things/twin/events?namespaces=com.acme", twin_events)
    assert all(twin_events[i]["topic"].split("/")[0] == "com.acme" for i in only_acme)
    assert only_acme


def test_empty_namespace_cannot_be_selected_by_name_but_by_empty_list_entry_is_refused() -> None:
    with pytest.raises(ConfigError, match="empty namespace"):
        TopicSubscription.parse("_/_/things/twin/events?namespaces=com.acme,")


# -- filters against the event log -------------------------------------------------------------------


def test_lifecycle_filter_from_ditto_docs(twin_events) -> None:
    topic = "_/_/things/twin/events?filter=" + quote(
        "and(in(topic:action,'created','deleted'),eq(resource:path,'/'))"
    )
    chosen = selected(topic, twin_events)
    expected = [
        i for i, e in enumerate(twin_events) if e["path"] == "/" and action_of(e) in ("created", "deleted")
    ]
    assert chosen == expected
    assert len(expected) == 10  # 7 things created, 3 deleted


def test_filter_sees_event_value_placed_at_its_path(twin_events) -> None:
    chosen = selected("_/_/things/twin/events?filter=exists(attributes/location)", twin_events)
    described = [(action_of(twin_events[i]), twin_events[i]["path"]) for i in chosen]
    assert described == [
        ("created", "/"),  # the whole thing, with attributes.location
        ("created", "/attributes/location/room"),  # deeper: location exists as a parent
        ("modified", "/attributes"),
        ("merged", "/attributes/location"),  # {"room": null} -> location is {} after the merge
        ("modified", "/"),
    ]
    # deleted events carry no value: 'deleted /attributes/location' is not selected
    assert not any(
        action_of(e) == "deleted" and e["path"] == "/attributes/location"
        for e in (twin_events[i] for i in chosen)
    )


def test_merge_patch_nulls_are_deletions(twin_events) -> None:
    chosen = selected("_/_/things/twin/events?filter=exists(features/grinder/properties/beans)", twin_events)
    assert [(action_of(twin_events[i]), twin_events[i]["path"]) for i in chosen] == [
        ("created", "/features/grinder"),
        ("modified", "/features/grinder/properties"),
    ]  # the merge {"beans": null} is not "beans exists"


def test_revision_and_thing_id_are_available(twin_events) -> None:
    first = selected("_/_/things/twin/events?filter=eq(_revision,1)", twin_events)
    assert all(action_of(twin_events[i]) == "created" and twin_events[i]["path"] == "/" for i in first)
    assert len(first) == 7
    by_id = selected("_/_/things/twin/events?filter=" + quote('like(thingId,"com.acme:*")'), twin_events)
    assert by_id == [i for i, e in enumerate(twin_events) if e["topic"].startswith("com.acme/")]
    legacy = selected("_/_/things/twin/events?filter=" + quote('eq(thingId,":legacy-device")'), twin_events)
    assert legacy == [i for i, e in enumerate(twin_events) if e["topic"].startswith("/legacy-device/")]


def test_numeric_filter_on_feature_property(twin_events) -> None:
    chosen = selected(
        "_/_/things/twin/events?filter=lt(features/water-tank/properties/fillLevel,0.8)", twin_events
    )
    assert [twin_events[i]["value"] for i in chosen] == [0.74]


def test_extra_fields_merge_recorded_extra_only_when_declared(twin_events) -> None:
    place = quote("exists(attributes/место)")
    without = selected(f"_/_/things/twin/events?filter={place}", twin_events)
    with_extra = selected(f"_/_/things/twin/events?filter={place}&extraFields=attributes", twin_events)
    # the thing's creation carries the attribute itself; the later temperature event only via "extra"
    assert [action_of(twin_events[i]) for i in without] == ["created"]
    added = sorted(set(with_extra) - set(without))
    assert len(added) == 1 and "extra" in twin_events[added[0]]


def test_event_data_wins_over_extra(event) -> None:
    envelope = event(
        path="/attributes/location", value="kitchen", extra={"attributes": {"location": "old", "x": 1}}
    )
    subscription = TopicSubscription.parse(
        "_/_/things/twin/events?extraFields=attributes&filter="
        + quote('and(eq(attributes/location,"kitchen"),eq(attributes/x,1))')
    )
    assert subscription.matches(envelope)
    assert subscription.extra_fields == ("attributes",)


def test_extra_fields_selectors_split_at_top_level_commas() -> None:
    subscription = TopicSubscription.parse(
        "_/_/things/live/messages?extraFields=attributes(a,b),features/*/properties/unit"
    )
    assert subscription.extra_fields == ("attributes(a,b)", "features/*/properties/unit")


def test_url_encoded_ampersand_and_plus(event) -> None:
    subscription = TopicSubscription.parse(
        '_/_/things/twin/events?filter=like(attributes/manufacturer,"ACME %26 Sons*")&namespaces=com.acme'
    )
    assert subscription.filter_text == 'like(attributes/manufacturer,"ACME & Sons*")'
    assert subscription.matches(event(path="/attributes/manufacturer", value="ACME & Sons Ltd"))
    assert not subscription.matches(event(path="/attributes/manufacturer", value="ACME"))
    plus = TopicSubscription.parse("_/_/things/twin/events?filter=gt(attributes/location,+5)")
    assert plus.filter_text == "gt(attributes/location,+5)"  # '+' stays a plus sign


def test_placeholders_in_filters() -> None:
    subscription = TopicSubscription.parse(
        "_/_/things/live/messages?filter="
        + quote("and(eq(topic:subject,'maintenance/descale'),eq(topic:channel,'live'))")
    )
    message = {
        "topic": "com.acme/x/things/live/messages/maintenance/descale",
        "headers": {},
        "path": "/outbox/messages/maintenance/descale",
    }
    assert subscription.matches(message)
    assert not subscription.matches({**message, "topic": "com.acme/x/things/live/messages/brew"})


def test_deleted_thing_matches_only_via_placeholders(event) -> None:
    deleted = event(topic="com.acme/x/things/twin/events/deleted", path="/", value=...)
    assert TopicSubscription.parse("_/_/things/twin/events?filter=eq(topic:action,'deleted')").matches(
        deleted
    )
    assert not TopicSubscription.parse("_/_/things/twin/events?filter=exists(attributes)").matches(deleted)
    assert TopicSubscription.parse("_/_/things/twin/events?filter=not(exists(attributes))").matches(deleted)


def test_event_view_is_shared_across_targets(twin_events) -> None:
    connection = load_connection("fixtures/connections/s3-filtered.json")
    archive, temperatures = connection.targets
    counts = {"archive": 0, "temperatures": 0}
    for envelope in twin_events:
        view = EventView(envelope)
        counts["archive"] += target_selects(archive, view)
        counts["temperatures"] += target_selects(temperatures, view)
    expected_archive = sum(
        1
        for e in twin_events
        if e["topic"].split("/")[0] in ("com.acme", "com.acme.building")
        and action_of(e) in ("created", "deleted")
    )
    # nothing in the log brews more than 5 cups, so only lifecycle events of the two namespaces pass
    assert counts["archive"] == expected_archive
    assert counts["temperatures"] == 1  # the coffee brewer's creation carries water-tank temperature


# -- parameter errors --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("topic", "fragment"),
    [
        ("_/_/things/twin/event", "unknown topic"),
        ("things/twin/events", "unknown topic"),
        ("_/_/things/twin/events?namespace=a", "unknown topic parameter 'namespace'"),
        ("_/_/things/twin/events?filter=eq(attributes/a,1)&filter=eq(attributes/b,1)", "given twice"),
        ("_/_/things/twin/events?filter=", "is empty"),
        ('_/_/things/twin/events?filter=like(attributes/m,"A & B")', "no '='"),
        ("_/_/things/live/commands?filter=eq(attributes/a,1)", "does not support filter"),
        ("_/_/policies/announcements?extraFields=attributes", "does not support extraFields"),
        ("_/_/connections/announcements?namespaces=a", "does not support namespaces"),
        ("_/_/things/twin/events?filter=eq(attributes/a,1", "RQL error at position"),
        ("_/_/things/twin/events?filter=%FF", "not valid UTF-8"),
        ("_/_/things/twin/events?extraFields=attributes(a", "unbalanced"),
    ],
)
def test_bad_topics_are_config_errors(topic: str, fragment: str) -> None:
    with pytest.raises(ConfigError, match=None) as caught:
        TopicSubscription.parse(topic)
    assert fragment in str(caught.value)


def test_supported_parameters_parse() -> None:
    subscription = TopicSubscription.parse(
        "_/_/things/twin/events?namespaces=a.b,c&filter=exists(attributes)&extraFields=attributes/x"
    )
    assert subscription.kind is TopicKind.TWIN_EVENTS
    assert subscription.namespaces == frozenset({"a.b", "c"})
    assert subscription.filter is not None
    assert TopicSubscription.parse("_/_/policies/announcements?namespaces=org.eclipse.ditto").namespaces == {
        "org.eclipse.ditto"
    }

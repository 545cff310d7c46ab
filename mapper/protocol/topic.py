"""The Ditto Protocol topic: ``{namespace}/{entityName}/{group}/{channel}/{criterion}/{action}``.

Parsing follows Eclipse Ditto's own topic parser (``ImmutableTopicPath``):

- a leading ``/`` means an empty namespace (Ditto allows it; the thing id is then ``:name``);
- ``policies`` and ``connections`` have no channel segment (channel ``none`` is never written),
  ``things`` needs ``twin`` or ``live``;
- ``commands``/``events``/``search``/``streaming`` end in one action from a fixed list, ``errors``
  has no action, ``messages`` ends in the message subject (which may itself contain ``/``),
  ``acks`` in the acknowledgement label (absent for aggregated acknowledgements) and
  ``announcements`` in the announcement name.

Where Ditto is lenient only by accident (it silently ignores segments after an action and stops
reading at a double slash), we reject the topic: Ditto never emits such topics, and an archive
should not store an event under a topic that does not say what it is.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

from mapper.errors import ProtocolError

PLACEHOLDER = "_"  # Ditto's id placeholder for namespace and entity name (`_/_/things/twin/events`)

GROUPS = ("things", "policies", "connections")
CHANNELS = ("twin", "live")  # the written channels; `none` is implied for policies and connections
CRITERIA = ("commands", "events", "search", "messages", "errors", "acks", "announcements", "streaming")

COMMAND_ACTIONS = ("create", "retrieve", "modify", "merge", "delete", "migrate", "checkPermissions")
EVENT_ACTIONS = ("created", "modified", "merged", "migrated", "deleted")
SEARCH_ACTIONS = ("subscribe", "request", "cancel", "created", "next", "complete", "failed", "error")
STREAMING_ACTIONS = (
    "subscribeForPersistedEvents",
    "request",
    "cancel",
    "created",
    "next",
    "complete",
    "failed",
    "error",
)
# Criteria whose last part is one word from a fixed list.
_FIXED_ACTIONS = {
    "commands": COMMAND_ACTIONS,
    "events": EVENT_ACTIONS,
    "search": SEARCH_ACTIONS,
    "streaming": STREAMING_ACTIONS,
}
# Criteria whose last part is free text; the bool says whether it is required.
_FREE_ACTIONS = {"messages": ("subject", True), "acks": ("label", False), "announcements": ("name", True)}

# Ditto's RegexPatterns: a Java-package-like namespace (ASCII \w, as in Java), possibly empty;
# an entity name of any characters except '/', control characters and U+007F-U+00FF.
_NAMESPACE = re.compile(r"(?:[a-zA-Z]\w*(?:\.[a-zA-Z]\w*)*)?", re.ASCII)
_ENTITY_NAME = re.compile(r"[^\x00-\x1f\x7f-\xff/]+")

Group = Literal["things", "policies", "connections"]
Channel = Literal["twin", "live", "none"]
Criterion = Literal[
    "commands", "events", "search", "messages", "errors", "acks", "announcements", "streaming"
]


class _TopicRuleError(ValueError):
    """A topic rule was broken; turned into a ProtocolError(field='topic') by the caller."""


def _expected(options: tuple[str, ...]) -> str:
    return ", ".join(options)


# A frozen, slotted dataclass rather than a pydantic model: it is hashable, cheap to build and
# compare, and the per-event hot path (check_topic) never builds one at all. __post_init__ runs
# the same rule functions as split_topic, so a Topic built by hand obeys the rules of a parsed one.
@dataclass(frozen=True, slots=True)
class Topic:
    """A parsed Ditto Protocol topic.

    ``action`` is the last part of the topic: the command/event/search/streaming action, the
    message subject (``messages``, may contain ``/``), the acknowledgement label (``acks``; None
    for aggregated acknowledgements), the announcement name (``announcements``), or None for
    ``errors``. ``channel`` is ``none`` for policies and connections.
    """

    namespace: str
    entity_name: str
    group: Group
    channel: Channel
    criterion: Criterion
    action: str | None = None

    def __post_init__(self) -> None:
        try:
            _check_namespace(self.namespace)
            _check_entity_name(self.entity_name)
            _check_route(self.group, self.channel, self.criterion, self.action)
        except _TopicRuleError as exc:
            raise ProtocolError(str(exc), field="topic") from None

    @property
    def thing_id(self) -> str:
        """``namespace:name`` (``:name`` for the empty namespace; ``_:_`` for placeholders)."""
        return f"{self.namespace}:{self.entity_name}"

    def __str__(self) -> str:
        parts = [self.namespace, self.entity_name, self.group]
        if self.channel != "none":
            parts.append(self.channel)
        parts.append(self.criterion)
        if self.action is not None:
            parts.append(self.action)
        return "/".join(parts)


def parse_topic(text: str) -> Topic:
    """Parse a topic string; raises ProtocolError(field='topic') naming what is wrong.

    ``str(parse_topic(t)) == t`` for every valid ``t``.
    """
    return Topic(*split_topic(text))


# Topics seen valid recently. A set, not an LRU: a hit is one hash lookup, and a fleet's topics
# (things x actions) fit; on overflow it simply starts over, which costs one re-check per topic.
_RECENT_VALID: set[str] = set()
_RECENT_VALID_MAX = 65_536


def check_topic(text: str) -> None:
    """Raise ProtocolError(field='topic') unless ``text`` is a valid topic: the per-event check."""
    if type(text) is str and text in _RECENT_VALID:
        return
    split_topic(text)
    if len(_RECENT_VALID) >= _RECENT_VALID_MAX:
        _RECENT_VALID.clear()
    _RECENT_VALID.add(text)


def split_topic(text: str) -> tuple[str, str, Group, Channel, Criterion, str | None]:
    """The six validated parts of a topic; raises ProtocolError(field='topic') quoting the topic.

    Cheap for unseen topics too: only the namespace and entity name are checked per call; the
    rest (a handful of distinct values such as ``things/twin/events/modified``) is parsed once
    and cached.
    """
    if not isinstance(text, str):
        raise ProtocolError(f"must be a string, got {type(text).__name__}", field="topic")
    try:
        if not text:
            raise _TopicRuleError("is empty")
        pieces = text.split("/", 2)
        if len(pieces) < 3:
            raise _TopicRuleError(
                f"has {len(pieces)} segment(s), expected {{namespace}}/{{entityName}}/{{group}}/..."
            )
        namespace, name, route = pieces
        _check_namespace(namespace)
        _check_entity_name(name)
        return (namespace, name, *_parse_route(route))
    except _TopicRuleError as exc:
        raise ProtocolError(f"{exc} in {text!r}", field="topic") from None


# ---- the rules (each raises _TopicRuleError with the reason) -------------------------------------


@lru_cache(maxsize=256)  # a fleet has few namespaces
def _check_namespace(ns: str) -> None:
    if ns != PLACEHOLDER and not _NAMESPACE.fullmatch(ns):
        raise _TopicRuleError(
            f"invalid namespace {ns!r} (expected a Java-package-like name such as 'com.acme', "
            f"empty, or '{PLACEHOLDER}')"
        )


def _check_entity_name(name: str) -> None:
    if not _ENTITY_NAME.fullmatch(name):
        if not name:
            raise _TopicRuleError("empty entity name")
        bad = next(c for c in name if not _ENTITY_NAME.fullmatch(c))
        raise _TopicRuleError(
            f"invalid entity name {name!r}: character U+{ord(bad):04X} is not allowed "
            "(no '/', control characters or U+007F-U+00FF)"
        )


@lru_cache(maxsize=1024)
def _parse_route(route: str) -> tuple[Group, Channel, Criterion, str | None]:
    """``things/twin/events/modified`` -> (group, channel, criterion, action), checked."""
    parts = route.split("/")
    group, rest = parts[0], parts[1:]
    if group not in GROUPS:  # say it before the segment-count errors that follow from it
        raise _TopicRuleError(f"unknown group {group!r} (expected {_expected(GROUPS)})")
    if group == "things":
        if not rest:
            raise _TopicRuleError(f"missing channel after 'things' (expected {_expected(CHANNELS)})")
        channel = rest.pop(0)
        if channel == "none":
            raise _TopicRuleError("channel 'none' is never written; things topics need twin or live")
    else:
        channel = "none"
        if rest and rest[0] in (*CHANNELS, "none"):
            raise _TopicRuleError(f"{group} topics have no channel, found {rest[0]!r}")
    if not rest:
        raise _TopicRuleError(f"missing criterion (expected {_expected(CRITERIA)})")
    criterion = rest.pop(0)
    action: str | None
    if criterion in _FREE_ACTIONS:
        action = "/".join(rest) if rest else None  # a message subject may contain '/'
    else:
        if len(rest) > 1:
            raise _TopicRuleError(f"unexpected segment(s) {'/'.join(rest[1:])!r} after the action")
        action = rest[0] if rest else None
    _check_route(group, channel, criterion, action)
    return group, channel, criterion, action  # type: ignore[return-value]


def _check_route(group: str, channel: str, criterion: str, action: str | None) -> None:
    """The rules for everything after the entity name."""
    if group not in GROUPS:
        raise _TopicRuleError(f"unknown group {group!r} (expected {_expected(GROUPS)})")
    if group == "things":
        if channel not in CHANNELS:
            raise _TopicRuleError(f"unknown channel {channel!r} for things (expected {_expected(CHANNELS)})")
    elif channel != "none":
        raise _TopicRuleError(f"{group} topics have no channel, found {channel!r}")
    if criterion not in CRITERIA:
        raise _TopicRuleError(f"unknown criterion {criterion!r} (expected {_expected(CRITERIA)})")
    allowed = _FIXED_ACTIONS.get(criterion)
    if allowed is not None:
        if action is None:
            raise _TopicRuleError(f"missing action after {criterion!r} (expected {_expected(allowed)})")
        if action not in allowed:
            raise _TopicRuleError(
                f"unknown action {action!r} for {criterion} (expected {_expected(allowed)})"
            )
    elif criterion == "errors":
        if action is not None:
            raise _TopicRuleError(f"'errors' topics end after the criterion, found {action!r}")
    else:
        what, required = _FREE_ACTIONS[criterion]
        if action is None:
            if required:
                raise _TopicRuleError(f"missing {what} after {criterion!r}")
        elif not action or "" in action.split("/"):
            raise _TopicRuleError(f"empty segment in the {what} {action!r}")

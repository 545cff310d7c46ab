"""Target topics: which envelopes a target publishes.

A topic entry is ``<kind>[?namespaces=a,b&filter=<RQL>&extraFields=<selectors>]`` with kind one of::

    _/_/things/twin/events          twin events          (namespaces, filter, extraFields)
    _/_/things/live/events          live events          (namespaces, filter, extraFields)
    _/_/things/live/messages        live messages        (namespaces, filter, extraFields)
    _/_/things/live/commands        live commands        (namespaces, extraFields)
    _/_/policies/announcements      policy announcements (namespaces)
    _/_/connections/announcements   connection announcements (nothing)

as Ditto's connection documentation tabulates it; a parameter a kind does not support is a load-time
:class:`ConfigError`, so is any unknown parameter. Parameter values are percent-decoded (``%26`` for
``&``); ``+`` stays a plus sign.

The RQL filter is evaluated like Ditto's ``ThingEventToThingConverter`` does: against the thing
*as far as the event describes it* — the event's ``value`` placed at its ``path`` (``merged`` events
without their ``null`` members, ``deleted`` events without any value), plus ``thingId``,
``_revision`` (the event revision) and ``_modified`` (the event timestamp). When the topic declares
``extraFields``, the envelope's ``extra`` object (if the recorded event carries one) is merged
underneath, the event's own data taking priority. Placeholders ``topic:*``, ``resource:type``,
``resource:path`` and ``time:*`` resolve from the envelope.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import Enum
from typing import Any
from urllib.parse import unquote

from mapper.connection.placeholders import EnvelopePlaceholders
from mapper.connection.rql import MISSING, Property, RqlNode, parse_rql
from mapper.errors import ConfigError

__all__ = ["EventView", "TopicKind", "TopicSubscription", "target_selects"]


class TopicKind(str, Enum):
    """The kinds of signal a target can subscribe to (the part before ``?``)."""

    TWIN_EVENTS = "_/_/things/twin/events"
    LIVE_EVENTS = "_/_/things/live/events"
    LIVE_MESSAGES = "_/_/things/live/messages"
    LIVE_COMMANDS = "_/_/things/live/commands"
    POLICY_ANNOUNCEMENTS = "_/_/policies/announcements"
    CONNECTION_ANNOUNCEMENTS = "_/_/connections/announcements"

    @property
    def signature(self) -> tuple[str, str, str]:
        """(group, channel, criterion) of the envelopes of this kind."""
        parts = self.value.split("/")[2:]
        if len(parts) == 2:
            return parts[0], "none", parts[1]
        return parts[0], parts[1], parts[2]


# Which query parameters each kind supports (Ditto's "Target topics and filtering/enrichment" tables).
_SUPPORTED_PARAMETERS: dict[TopicKind, frozenset[str]] = {
    TopicKind.TWIN_EVENTS: frozenset({"namespaces", "filter", "extraFields"}),
    TopicKind.LIVE_EVENTS: frozenset({"namespaces", "filter", "extraFields"}),
    TopicKind.LIVE_MESSAGES: frozenset({"namespaces", "filter", "extraFields"}),
    TopicKind.LIVE_COMMANDS: frozenset({"namespaces", "extraFields"}),
    TopicKind.POLICY_ANNOUNCEMENTS: frozenset({"namespaces"}),
    TopicKind.CONNECTION_ANNOUNCEMENTS: frozenset(),
}
_ALL_PARAMETERS = ("namespaces", "filter", "extraFields")


# --------------------------------------------------------------------------------------------------
# What a filter sees
# --------------------------------------------------------------------------------------------------


def _without_nulls(value: Any) -> Any:
    # A merge patch's null deletes; the thing after the merge does not have that member.
    if isinstance(value, dict):
        return {k: _without_nulls(v) for k, v in value.items() if v is not None}
    return value


def _pointer_keys(path: str) -> list[str]:
    return [part.replace("~1", "/").replace("~0", "~") for part in path.split("/") if part != ""]


def _merge_under(base: dict[str, Any], top: Mapping[str, Any]) -> dict[str, Any]:
    """Deep merge; ``top`` wins on conflicts."""
    merged = dict(base)
    for key, value in top.items():
        below = merged.get(key)
        if isinstance(value, dict) and isinstance(below, dict):
            merged[key] = _merge_under(below, value)
        else:
            merged[key] = value
    return merged


class _FilterContext:
    """An :class:`~mapper.connection.rql.RqlContext`: a partial thing document plus placeholders.

    The document is built on the first thing-field lookup: filters on placeholders alone
    (``topic:action``, ``resource:path``) never pay for it.
    """

    __slots__ = ("_document", "placeholders", "view", "with_extra")

    def __init__(self, view: EventView, with_extra: bool) -> None:
        self.view = view
        self.with_extra = with_extra
        self.placeholders = view.placeholders
        self._document: dict[str, Any] | None = None

    @property
    def document(self) -> dict[str, Any]:
        """The thing as far as the event (and, if declared, its ``extra``) describes it."""
        if self._document is None:
            document = self.view._event_thing()
            extra = self.view.envelope.get("extra")
            if self.with_extra and isinstance(extra, dict) and extra:
                document = _merge_under(extra, document)
            self._document = document
        return self._document

    def lookup(self, prop: Property) -> Any:
        if prop.placeholder is not None:
            value = self.placeholders.resolve(prop.placeholder)
            return MISSING if value is None else value
        node: Any = self.document
        for key in prop.keys or ():
            if not isinstance(node, dict):
                return MISSING
            node = node.get(key, MISSING)
            if node is MISSING:
                return MISSING
        return node


class EventView:
    """One envelope prepared for topic matching; build once, match against many topics/targets."""

    __slots__ = ("_contexts", "envelope", "placeholders")

    def __init__(self, envelope: Mapping[str, Any]) -> None:
        self.envelope = envelope
        self.placeholders = EnvelopePlaceholders(envelope)
        self._contexts: dict[bool, _FilterContext] = {}

    def context(self, with_extra: bool) -> _FilterContext:
        """The filter context; ``with_extra`` merges the envelope's ``extra`` underneath."""
        context = self._contexts.get(with_extra)
        if context is None:
            context = self._contexts[with_extra] = _FilterContext(self, with_extra)
        return context

    def _event_thing(self) -> dict[str, Any]:
        topic = self.placeholders.topic
        if topic.get("group") != "things" or topic.get("criterion") != "events":
            return {}  # messages, commands, announcements describe no thing state
        envelope = self.envelope
        document: dict[str, Any] = {"thingId": f"{topic['namespace']}:{topic['entityName']}"}
        if "revision" in envelope:
            document["_revision"] = envelope["revision"]
        if isinstance(envelope.get("timestamp"), str):
            document["_modified"] = envelope["timestamp"]
        path = envelope.get("path")
        if topic.get("action") == "deleted" or "value" not in envelope or not isinstance(path, str):
            return document
        value = envelope["value"]
        if topic.get("action") == "merged":
            value = {} if value is None else _without_nulls(value)
        keys = _pointer_keys(path)
        if not keys:
            return _merge_under(document, value) if isinstance(value, dict) else document
        nested: Any = value
        for key in reversed(keys):
            nested = {key: nested}
        return _merge_under(document, nested)


# --------------------------------------------------------------------------------------------------
# Topic subscriptions
# --------------------------------------------------------------------------------------------------


class TopicSubscription:
    """One parsed entry of a target's ``topics``."""

    __slots__ = ("extra_fields", "filter", "filter_text", "kind", "namespaces", "text")

    def __init__(
        self,
        text: str,
        kind: TopicKind,
        namespaces: frozenset[str] | None,
        filter_text: str | None,
        filter: RqlNode | None,
        extra_fields: tuple[str, ...] | None,
    ) -> None:
        self.text = text
        self.kind = kind
        self.namespaces = namespaces
        self.filter_text = filter_text
        self.filter = filter
        self.extra_fields = extra_fields

    @classmethod
    def parse(cls, text: str) -> TopicSubscription:
        """Parse a topic string; raises :class:`ConfigError` saying what is wrong."""
        if not isinstance(text, str):
            raise ConfigError(f"expected a topic string, got {type(text).__name__}")
        head, question, query = text.partition("?")
        try:
            kind = TopicKind(head)
        except ValueError:
            supported = ", ".join(k.value for k in TopicKind)
            raise ConfigError(f"unknown topic {head!r} (supported: {supported})") from None
        parameters = _parse_query(query, text) if question else {}
        unsupported = sorted(set(parameters) - _SUPPORTED_PARAMETERS[kind])
        if unsupported:
            allowed = ", ".join(sorted(_SUPPORTED_PARAMETERS[kind])) or "no parameters"
            raise ConfigError(
                f"topic {head} does not support {', '.join(unsupported)} in Ditto (it takes: {allowed})"
            )
        namespaces = None
        if "namespaces" in parameters:
            names = parameters["namespaces"].split(",")
            if any(not name for name in names):
                raise ConfigError(f"namespaces={parameters['namespaces']!r} contains an empty namespace")
            namespaces = frozenset(names)
        rql = None
        filter_text = parameters.get("filter")
        if filter_text is not None:
            try:
                rql = parse_rql(filter_text)
            except ConfigError as error:
                raise ConfigError(f"filter: {error}") from None
        extra_fields = None
        if "extraFields" in parameters:
            extra_fields = _split_selectors(parameters["extraFields"])
        return cls(text, kind, namespaces, filter_text, rql, extra_fields)

    def selects_kind(self, view: EventView) -> bool:
        """Whether the envelope is of this subscription's kind (ignoring namespaces and filter)."""
        topic = view.placeholders.topic
        return (topic.get("group"), topic.get("channel"), topic.get("criterion")) == self.kind.signature

    def matches(self, envelope: Mapping[str, Any] | EventView) -> bool:
        """Whether this subscription selects the envelope: kind, namespace and filter."""
        view = envelope if isinstance(envelope, EventView) else EventView(envelope)
        if not self.selects_kind(view):
            return False
        if self.namespaces is not None and view.placeholders.topic.get("namespace") not in self.namespaces:
            return False
        if self.filter is not None:
            return self.filter.evaluate(view.context(self.extra_fields is not None))
        return True

    def __repr__(self) -> str:
        return f"TopicSubscription({self.text!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, TopicSubscription) and other.text == self.text

    def __hash__(self) -> int:
        return hash(self.text)


def _parse_query(query: str, text: str) -> dict[str, str]:
    parameters: dict[str, str] = {}
    for item in query.split("&"):
        name, equals, raw = item.partition("=")
        if not equals:
            raise ConfigError(
                f"topic parameter {item!r} has no '=' (write '&' inside a filter as %26) in {text!r}"
            )
        if name not in _ALL_PARAMETERS:
            raise ConfigError(f"unknown topic parameter {name!r} (supported: {', '.join(_ALL_PARAMETERS)})")
        if name in parameters:
            raise ConfigError(f"topic parameter {name!r} is given twice")
        try:
            value = unquote(raw, errors="strict")
        except UnicodeDecodeError:
            raise ConfigError(f"topic parameter {name!r}: percent-encoding is not valid UTF-8") from None
        if not value:
            raise ConfigError(f"topic parameter {name!r} is empty")
        parameters[name] = value
    return parameters


def _split_selectors(text: str) -> tuple[str, ...]:
    """Split a field selector at top-level commas: ``attributes(a,b),features/x`` -> 2 selectors."""
    selectors, depth, current = [], 0, []
    for char in text:
        if char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
            if depth < 0:
                raise ConfigError(f"extraFields {text!r}: unbalanced ')'")
        if char == "," and depth == 0:
            selectors.append("".join(current))
            current = []
        else:
            current.append(char)
    if depth != 0:
        raise ConfigError(f"extraFields {text!r}: unbalanced '('")
    selectors.append("".join(current))
    if any(not s.strip() for s in selectors):
        raise ConfigError(f"extraFields {text!r} contains an empty selector")
    return tuple(s.strip() for s in selectors)


def target_selects(target: Any, envelope: Mapping[str, Any] | EventView) -> bool:
    """Whether any topic of ``target`` (a :class:`~mapper.connection.model.Target`) selects the envelope."""
    view = envelope if isinstance(envelope, EventView) else EventView(envelope)
    return any(topic.matches(view) for topic in target.topics)

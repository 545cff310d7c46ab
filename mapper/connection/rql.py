"""Ditto's RQL filter language: parse once at load time, evaluate cheaply per event.

Grammar (Ditto's "normalized" RQL, as its parser accepts it)::

    query    = name "(" args ")"
    eq|ne|gt|ge|lt|le|like|ilike ( property "," value )
    in       ( property "," value { "," value } )
    exists|empty ( property )
    and|or   ( query { "," query } )
    not      ( query )
    value    = integer | decimal | "string" | 'string' | true | false | null
               | time:now | time:now_epoch_millis
    property = characters up to "," or ")"  (thingId, attributes/location, /features/t/properties/v,
               or a placeholder such as topic:action, resource:path)

Whitespace is allowed where Ditto allows it (start, after a value, around the commas between queries)
and, as a harmless extension, around the other tokens of a query.

Evaluation follows Ditto's in-memory thing predicate (``ThingPredicatePredicateVisitor``):

- a missing property makes ``eq``, ``gt``, ``ge``, ``lt``, ``le``, ``in``, ``like``, ``ilike`` false;
  ``ne`` is ``not eq`` and therefore TRUE for a missing property (Ditto's search differs here; connection
  filters behave like this);
- numbers compare numerically whatever their JSON spelling (21 == 21.0); a string and a number compare
  numerically when the string is a decimal number; values of other differing types compare by their
  text forms (so ``eq(x,"true")`` matches the boolean ``true``); ``null`` only equals ``null``;
- objects and arrays never compare (only ``exists`` / ``empty`` see them);
- ``like`` / ``ilike`` match whole strings, ``*`` = any run of characters, ``?`` = exactly one;
  ``ilike`` ignores case; non-string values never match.

What a property resolves to is decided by the caller's :class:`RqlContext` (see ``topics.py`` for the
event-based context used by target topic filters).
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterable
from datetime import datetime, timezone
from decimal import Decimal, InvalidOperation
from typing import Any, Protocol

from mapper.errors import ConfigError

__all__ = [
    "MISSING",
    "RQL_PLACEHOLDERS",
    "Property",
    "RqlContext",
    "RqlNode",
    "parse_rql",
]


class _Missing:
    """Sentinel: the property does not exist (distinct from JSON ``null``)."""

    _instance: _Missing | None = None

    def __new__(cls) -> _Missing:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "MISSING"

    def __bool__(self) -> bool:
        return False


MISSING: Any = _Missing()

#: Placeholders Ditto documents for "RQL expressions when filtering for Ditto Protocol messages".
RQL_PLACEHOLDERS: frozenset[str] = frozenset(
    {
        "topic:full",
        "topic:namespace",
        "topic:entityName",
        "topic:group",
        "topic:channel",
        "topic:criterion",
        "topic:action",
        "topic:subject",
        "topic:action-subject",
        "resource:type",
        "resource:path",
        "time:now",
        "time:now_epoch_millis",
    }
)

#: Top-level fields of a thing's JSON a filter may address, and why some are refused.
_THING_FIELDS = frozenset(
    {"thingId", "policyId", "definition", "attributes", "features", "_revision", "_modified", "_created"}
)
_UNAVAILABLE_FIELDS = {
    "_metadata": "thing metadata is not part of a recorded event, so it cannot be evaluated",
    "_policy": "the policy is not part of a recorded event, so it cannot be evaluated",
    "_namespace": "'_namespace' is a search-index field; use topic:namespace",
}


class Property:
    """A parsed query property: a JSON pointer into the thing, or a placeholder name."""

    __slots__ = ("keys", "placeholder", "text")

    def __init__(self, text: str, keys: tuple[str, ...] | None, placeholder: str | None) -> None:
        self.text = text
        self.keys = keys
        self.placeholder = placeholder

    def __repr__(self) -> str:
        return f"Property({self.text!r})"


class RqlContext(Protocol):
    """What an RQL filter is evaluated against."""

    def lookup(self, prop: Property) -> Any:
        """The JSON value of ``prop`` (str, int, float, bool, None, dict, list) or :data:`MISSING`."""
        ...


# --------------------------------------------------------------------------------------------------
# Value comparison, Ditto-style
# --------------------------------------------------------------------------------------------------

# java.math.BigDecimal's accepted syntax (no surrounding blanks, no "Infinity"/"NaN").
_DECIMAL_TEXT = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?\Z")


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _as_decimal(text: str) -> Decimal | None:
    if _DECIMAL_TEXT.match(text) is None:
        return None
    try:
        return Decimal(text)
    except InvalidOperation:  # pragma: no cover - the regex admits only valid decimals
        return None


def _java_text(value: Any) -> str:
    """Text form Ditto falls back to when comparing values of different types."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if _is_number(value):
        return str(Decimal(repr(value)) if isinstance(value, float) else value)
    return str(value)


def _utf16(text: str) -> bytes:
    # Java orders strings by UTF-16 code units; big-endian UTF-16 bytes order the same way.
    return text.encode("utf-16-be", "surrogatepass")


def _compare(field: Any, literal: Any) -> int:
    """Sign of ``field`` compared to ``literal`` (neither None, both scalar)."""
    if _is_number(field) and _is_number(literal):
        return (field > literal) - (field < literal)
    if isinstance(literal, str) and _is_number(field):
        number = _as_decimal(literal)
        if number is not None:
            return (field > number) - (field < number)
    elif isinstance(field, str) and _is_number(literal):
        number = _as_decimal(field)
        if number is not None:
            return (number > literal) - (number < literal)
    if isinstance(field, str) and isinstance(literal, str):
        a, b = _utf16(field), _utf16(literal)
        return (a > b) - (a < b)
    if isinstance(field, bool) and isinstance(literal, bool):
        return int(field) - int(literal)
    a, b = _utf16(_java_text(field)), _utf16(_java_text(literal))
    return (a > b) - (a < b)


def _scalar(value: Any) -> bool:
    """Whether Ditto would compare this field value at all (objects/arrays/null/missing: no)."""
    return value is not MISSING and value is not None and not isinstance(value, (dict, list))


# --------------------------------------------------------------------------------------------------
# AST
# --------------------------------------------------------------------------------------------------


class RqlNode:
    """A compiled RQL query; call :meth:`evaluate` with a context."""

    __slots__ = ("position",)

    def __init__(self, position: int) -> None:
        self.position = position

    def evaluate(self, context: RqlContext) -> bool:
        """True when the query matches ``context``."""
        raise NotImplementedError

    def properties(self) -> Iterable[Property]:
        """Every property this query reads (for load-time checks by the caller)."""
        return ()


class _Literal:
    """A comparison value: a constant, or ``time:now`` / ``time:now_epoch_millis`` resolved per call."""

    __slots__ = ("constant", "resolve")

    def __init__(self, constant: Any = None, resolve: Callable[[], str] | None = None) -> None:
        self.constant = constant
        self.resolve = resolve

    def value(self) -> Any:
        return self.resolve() if self.resolve is not None else self.constant


def _now_iso() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _now_millis() -> str:
    return str(time.time_ns() // 1_000_000)


_VALUE_PLACEHOLDERS: dict[str, Callable[[], str]] = {
    "time:now": _now_iso,
    "time:now_epoch_millis": _now_millis,
}


class _Comparison(RqlNode):
    __slots__ = ("literal", "op", "prop")

    def __init__(self, position: int, op: str, prop: Property, literal: _Literal) -> None:
        super().__init__(position)
        self.op = op
        self.prop = prop
        self.literal = literal

    def properties(self) -> Iterable[Property]:
        return (self.prop,)

    def evaluate(self, context: RqlContext) -> bool:
        field = context.lookup(self.prop)
        literal = self.literal.value()
        op = self.op
        if op == "eq":
            return _equals(field, literal)
        if op == "ne":
            return not _equals(field, literal)
        if not _scalar(field) or literal is None:
            return False
        sign = _compare(field, literal)
        if op == "gt":
            return sign > 0
        if op == "ge":
            return sign >= 0
        if op == "lt":
            return sign < 0
        return sign <= 0  # le


def _equals(field: Any, literal: Any) -> bool:
    if field is None:
        return literal is None
    if literal is None or not _scalar(field):
        return False
    if isinstance(field, str) and isinstance(literal, str):
        return field == literal  # the common case, without _compare's conversions
    return _compare(field, literal) == 0


class _In(RqlNode):
    __slots__ = ("literals", "prop")

    def __init__(self, position: int, prop: Property, literals: list[_Literal]) -> None:
        super().__init__(position)
        self.prop = prop
        self.literals = literals

    def properties(self) -> Iterable[Property]:
        return (self.prop,)

    def evaluate(self, context: RqlContext) -> bool:
        field = context.lookup(self.prop)
        if not _scalar(field):
            return False  # Ditto: null is not comparable, so in(x,null) never matches either
        for literal in self.literals:
            value = literal.value()
            if value is not None and _compare(field, value) == 0:
                return True
        return False


class _Like(RqlNode):
    __slots__ = ("pattern", "prop")

    def __init__(self, position: int, prop: Property, pattern: re.Pattern[str]) -> None:
        super().__init__(position)
        self.prop = prop
        self.pattern = pattern

    def properties(self) -> Iterable[Property]:
        return (self.prop,)

    def evaluate(self, context: RqlContext) -> bool:
        field = context.lookup(self.prop)
        return isinstance(field, str) and self.pattern.fullmatch(field) is not None


def _like_regex(wildcard: str, ignore_case: bool) -> re.Pattern[str]:
    # '*' = any run of characters (runs of '*' collapse), '?' = one character, everything else literal.
    # No DOTALL: like Java's Pattern, '.' does not match a line break.
    parts = []
    for char in re.sub(r"\*{2,}", "*", wildcard):
        if char == "*":
            parts.append(".*")
        elif char == "?":
            parts.append(".")
        else:
            parts.append(re.escape(char))
    return re.compile("".join(parts), re.IGNORECASE if ignore_case else 0)


class _PropertyTest(RqlNode):
    """A test of one property's presence or shape (no value to compare with)."""

    __slots__ = ("prop",)

    def __init__(self, position: int, prop: Property) -> None:
        super().__init__(position)
        self.prop = prop

    def properties(self) -> Iterable[Property]:
        return (self.prop,)


class _Exists(_PropertyTest):
    __slots__ = ()

    def evaluate(self, context: RqlContext) -> bool:
        return context.lookup(self.prop) is not MISSING


class _Empty(_PropertyTest):
    """Ditto 3.9 ``empty(p)``: absent, null, "", [] or {}."""

    __slots__ = ()

    def evaluate(self, context: RqlContext) -> bool:
        value = context.lookup(self.prop)
        return value is MISSING or value is None or value in ("", [], {})


class _And(RqlNode):
    __slots__ = ("children",)

    def __init__(self, position: int, children: list[RqlNode]) -> None:
        super().__init__(position)
        self.children = children

    def properties(self) -> Iterable[Property]:
        return [p for child in self.children for p in child.properties()]

    def evaluate(self, context: RqlContext) -> bool:
        return all(child.evaluate(context) for child in self.children)


class _Or(_And):
    __slots__ = ()

    def evaluate(self, context: RqlContext) -> bool:
        return any(child.evaluate(context) for child in self.children)


class _Not(RqlNode):
    __slots__ = ("child",)

    def __init__(self, position: int, child: RqlNode) -> None:
        super().__init__(position)
        self.child = child

    def properties(self) -> Iterable[Property]:
        return self.child.properties()

    def evaluate(self, context: RqlContext) -> bool:
        return not self.child.evaluate(context)


# --------------------------------------------------------------------------------------------------
# Parser
# --------------------------------------------------------------------------------------------------

_COMPARISONS = frozenset({"eq", "ne", "gt", "ge", "lt", "le"})
_KNOWN = sorted(_COMPARISONS | {"like", "ilike", "in", "exists", "empty", "and", "or", "not"})
_WHITESPACE = " \n\r\t\f"
_ESCAPES = {"b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t", "/": "/", "\\": "\\", '"': '"', "'": "'"}
_NUMBER = re.compile(r"[+-]?(?:0|[1-9]\d*)(\.\d+)?")
_NAME = re.compile(r"[A-Za-z]+")
_PLACEHOLDER_PREFIX = re.compile(r"[A-Za-z][A-Za-z-]*:")
# and/or/not nesting allowed. Parsing and evaluation recurse once per level, so without a bound a
# crafted filter ("not(" x 5000) ends in Python's RecursionError instead of a located error.
MAX_NESTING = 100


class _Parser:
    def __init__(self, text: str, placeholders: frozenset[str]) -> None:
        self.text = text
        self.pos = 0
        self.placeholders = placeholders
        self.depth = 0

    # -- errors --------------------------------------------------------------------------------
    def fail(self, message: str, position: int | None = None) -> ConfigError:
        at = self.pos if position is None else position
        caret = " " * at + "^"
        return ConfigError(f"RQL error at position {at + 1}: {message}\n    {self.text}\n    {caret}")

    # -- lexical helpers -----------------------------------------------------------------------
    def skip_ws(self) -> None:
        text = self.text
        while self.pos < len(text) and text[self.pos] in _WHITESPACE:
            self.pos += 1

    def expect(self, char: str) -> None:
        self.skip_ws()
        if self.pos >= len(self.text):
            raise self.fail(f"expected {char!r} but the filter ended")
        if self.text[self.pos] != char:
            raise self.fail(f"expected {char!r} but found {self.text[self.pos]!r}")
        self.pos += 1

    def peek(self) -> str:
        self.skip_ws()
        return self.text[self.pos] if self.pos < len(self.text) else ""

    # -- grammar -------------------------------------------------------------------------------
    def parse(self) -> RqlNode:
        node = self.query()
        self.skip_ws()
        if self.pos != len(self.text):
            raise self.fail(f"unexpected {self.text[self.pos :]!r} after the end of the query")
        return node

    def query(self) -> RqlNode:
        self.skip_ws()
        start = self.pos
        match = _NAME.match(self.text, self.pos)
        if match is None:
            found = repr(self.text[self.pos]) if self.pos < len(self.text) else "the end of the filter"
            raise self.fail(f"expected an operator ({', '.join(_KNOWN)}) but found {found}")
        name = match.group()
        if name not in _KNOWN:
            raise self.fail(f"unknown operator {name!r} (supported: {', '.join(_KNOWN)})", start)
        self.pos = match.end()
        self.expect("(")
        if name in ("and", "or", "not"):
            if self.depth >= MAX_NESTING:
                raise self.fail(f"and/or/not nested deeper than {MAX_NESTING} levels", start)
            self.depth += 1
            children = [self.query()]
            while name != "not" and self.peek() == ",":
                self.pos += 1
                children.append(self.query())
            self.expect(")")
            self.depth -= 1
            if name == "not":
                return _Not(start, children[0])
            return _And(start, children) if name == "and" else _Or(start, children)
        prop = self.property()
        if name in ("exists", "empty"):
            self.expect(")")
            return _Exists(start, prop) if name == "exists" else _Empty(start, prop)
        self.expect(",")
        value_at = self.pos
        literal = self.value()
        if name in ("like", "ilike"):
            pattern = literal.constant
            if literal.resolve is not None or not isinstance(pattern, str):
                raise self.fail(f"{name} needs a string pattern in quotes", value_at)
            self.expect(")")
            return _Like(start, prop, _like_regex(pattern, ignore_case=name == "ilike"))
        if name == "in":
            literals = [literal]
            while self.peek() == ",":
                self.pos += 1
                literals.append(self.value())
            self.expect(")")
            return _In(start, prop, literals)
        self.expect(")")
        return _Comparison(start, name, prop, literal)

    def property(self) -> Property:
        self.skip_ws()
        start = self.pos
        chars: list[str] = []
        text = self.text
        while self.pos < len(text) and text[self.pos] not in ",)\"'":
            char = text[self.pos]
            if char == "\\":
                chars.append(self.escape())
                continue
            chars.append(char)
            self.pos += 1
        raw = "".join(chars).rstrip(_WHITESPACE)
        if not raw:
            raise self.fail("expected a property (e.g. attributes/location or topic:action)", start)
        return self.classify(raw, start)

    def classify(self, raw: str, start: int) -> Property:
        prefix = _PLACEHOLDER_PREFIX.match(raw)
        if prefix is not None and "/" not in raw:
            if raw not in self.placeholders:
                supported = ", ".join(sorted(self.placeholders))
                raise self.fail(f"unknown placeholder {raw!r} (supported here: {supported})", start)
            return Property(raw, None, raw)
        pointer = raw[1:] if raw.startswith("/") else raw
        keys = tuple(part.replace("~1", "/").replace("~0", "~") for part in pointer.split("/"))
        if any(key == "" for key in keys):
            raise self.fail(f"property {raw!r} has an empty path segment", start)
        top = keys[0]
        if top in _UNAVAILABLE_FIELDS:
            raise self.fail(f"property {raw!r}: {_UNAVAILABLE_FIELDS[top]}", start)
        if top not in _THING_FIELDS:
            known = ", ".join(sorted(_THING_FIELDS))
            raise self.fail(
                f"property {raw!r} is not a thing field (top level must be one of {known}) "
                "nor a supported placeholder",
                start,
            )
        return Property(raw, keys, None)

    def escape(self) -> str:
        # at a backslash
        self.pos += 1
        if self.pos >= len(self.text):
            raise self.fail("dangling backslash at the end of the filter")
        char = self.text[self.pos]
        if char == "u":
            digits = self.text[self.pos + 1 : self.pos + 5]
            if len(digits) != 4 or any(c not in "0123456789abcdefABCDEF" for c in digits):
                raise self.fail("\\u must be followed by 4 hex digits")
            self.pos += 5
            return chr(int(digits, 16))
        if char not in _ESCAPES:
            raise self.fail(f"unknown escape \\{char}")
        self.pos += 1
        return _ESCAPES[char]

    def value(self) -> _Literal:
        self.skip_ws()
        text = self.text
        start = self.pos
        if start >= len(text):
            raise self.fail("expected a value but the filter ended")
        char = text[start]
        if char in "\"'":
            self.pos += 1
            chars: list[str] = []
            while True:
                if self.pos >= len(text):
                    raise self.fail(f"string starting here is not closed with {char}", start)
                current = text[self.pos]
                if current == char:
                    self.pos += 1
                    return _Literal("".join(chars))
                if current == "\\":
                    chars.append(self.escape())
                else:
                    chars.append(current)
                    self.pos += 1
        number = _NUMBER.match(text, start)
        # Ditto: integers and decimals without exponent; "-0" is no integer (but "-0.5" is a decimal).
        if number is not None and (number.group(1) or not number.group().startswith("-0")):
            self.pos = number.end()
            self.check_value_end(start)
            spelled = number.group()
            return _Literal(float(spelled) if number.group(1) else int(spelled))
        for word, constant in (("true", True), ("false", False), ("null", None)):
            if text.startswith(word, start):
                self.pos = start + len(word)
                self.check_value_end(start)
                return _Literal(constant)
        for name, resolve in sorted(_VALUE_PLACEHOLDERS.items(), key=lambda item: -len(item[0])):
            if text.startswith(name, start):
                self.pos = start + len(name)
                self.check_value_end(start)
                return _Literal(resolve=resolve)
        raise self.fail(
            "expected a value: a number, a \"string\" or 'string', true, false, null, "
            "time:now or time:now_epoch_millis",
            start,
        )

    def check_value_end(self, start: int) -> None:
        following = self.peek()
        if following == "":
            raise self.fail("expected ',' or ')' but the filter ended")
        if following not in (",", ")"):
            end = self.pos
            while end < len(self.text) and self.text[end] not in ",)":
                end += 1
            raise self.fail(f"invalid value {self.text[start:end]!r} (strings need quotes)", start)


def parse_rql(text: str, placeholders: frozenset[str] = RQL_PLACEHOLDERS) -> RqlNode:
    """Compile an RQL filter.

    ``placeholders`` are the ``prefix:name`` properties allowed (default: the ones Ditto documents
    for filtering Ditto Protocol messages). Raises :class:`ConfigError` naming the position of a
    syntax error, an unknown operator, an unknown placeholder or a property that cannot be evaluated.
    """
    if not isinstance(text, str) or not text.strip():
        raise ConfigError("RQL filter is empty")
    return _Parser(text, placeholders).parse()

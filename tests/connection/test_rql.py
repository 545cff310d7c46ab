"""RQL parsing and evaluation: every operator, literal types, Ditto's missing-property semantics."""

from __future__ import annotations

from typing import Any

import pytest

from mapper.connection.rql import MAX_NESTING, MISSING, Property, parse_rql
from mapper.errors import ConfigError


class Doc:
    """A minimal RqlContext over a plain dict plus placeholder values."""

    def __init__(self, document: dict[str, Any], placeholders: dict[str, str] | None = None) -> None:
        self.document = document
        self.placeholders = placeholders or {}

    def lookup(self, prop: Property) -> Any:
        if prop.placeholder is not None:
            return self.placeholders.get(prop.placeholder, MISSING)
        node: Any = self.document
        for key in prop.keys or ():
            if not isinstance(node, dict) or key not in node:
                return MISSING
            node = node[key]
        return node


THING = Doc(
    {
        "thingId": "org.eclipse.ditto:fancy-thing",
        "attributes": {
            "count": 50,
            "ratio": 0.5,
            "text21": "21",
            "location": "Kitchen",
            "flag": True,
            "nothing": None,
            "tags": ["a", "b"],
            "nested": {"deep": {"value": "x"}},
            "empty": "",
            "a/b": "slash",
            "multi": "line\nbreak",
        },
    },
    {"topic:action": "modified", "resource:path": "/attributes"},
)


def matches(query: str, context: Doc = THING) -> bool:
    return parse_rql(query).evaluate(context)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        # eq / ne
        ('eq(attributes/location,"Kitchen")', True),
        ("eq(attributes/location,'Kitchen')", True),
        ('eq(attributes/location,"kitchen")', False),
        ("eq(attributes/count,50)", True),
        ("eq(attributes/count,50.0)", True),  # numbers compare numerically
        ('eq(attributes/count,"50")', True),  # a decimal string compares numerically with a number
        ("eq(attributes/text21,21)", True),
        ('eq(attributes/flag,"true")', True),  # different types compare by text form (Ditto)
        ("eq(attributes/flag,true)", True),
        ("eq(attributes/flag,false)", False),
        ("eq(attributes/nothing,null)", True),
        ("eq(attributes/count,null)", False),
        ("eq(attributes/missing,null)", False),
        ("eq(attributes/tags,1)", False),  # arrays never compare
        ("eq(attributes/nested,1)", False),  # objects never compare
        ('ne(attributes/location,"Kitchen")', False),
        ('ne(attributes/location,"Office")', True),
        ("ne(attributes/missing,1)", True),  # ne = not eq, so a missing property is "not equal"
        ("ne(attributes/nothing,null)", False),
        # gt / ge / lt / le
        ("gt(attributes/count,42)", True),
        ("gt(attributes/count,50)", False),
        ("ge(attributes/count,50)", True),
        ("lt(attributes/ratio,1)", True),
        ("le(attributes/ratio,0.5)", True),
        ("lt(attributes/ratio,0.25)", False),
        ('gt(attributes/count,"42")', True),
        ('gt(thingId,"A000")', True),  # strings compare lexicographically
        ('lt(attributes/location,"Kitchen2")', True),
        ("gt(attributes/missing,1)", False),
        ("lt(attributes/missing,1)", False),
        ("gt(attributes/nothing,1)", False),
        ("gt(attributes/count,null)", False),
        ("gt(attributes/count,-1)", True),
        ("gt(attributes/count,+49)", True),
        # in
        ('in(attributes/location,"Office","Kitchen")', True),
        ('in(attributes/location,"Office")', False),
        ("in(attributes/count,1,2,50.0)", True),
        ("in(attributes/nothing,null)", False),  # Ditto: null is not comparable in 'in'
        ("in(attributes/missing,1)", False),
        ("in(topic:action,'created','modified')", True),
        # like / ilike
        ('like(attributes/location,"Kit*")', True),
        ('like(attributes/location,"*chen")', True),
        ('like(attributes/location,"*tch*")', True),
        ('like(attributes/location,"K?tchen")', True),
        ('like(attributes/location,"K?chen")', False),
        ('like(attributes/location,"kit*")', False),
        ('like(attributes/location,"*")', True),
        ('like(attributes/location,"K**n")', True),
        ('like(attributes/location,"Kitchen.")', False),  # regex characters are literal
        ('like(attributes/count,"5*")', False),  # non-strings never match
        ('like(attributes/missing,"*")', False),
        ('like(attributes/multi,"line*")', False),  # like Java's Pattern, * does not cross a line break
        ('ilike(attributes/location,"kit*")', True),
        ('ilike(attributes/location,"KITCHEN")', True),
        ('ilike(attributes/location,"k?tch?n")', True),
        ('ilike(attributes/location,"office*")', False),
        # exists / empty
        ("exists(attributes/location)", True),
        ("exists(attributes/nothing)", True),  # null exists
        ("exists(attributes/missing)", False),
        ("exists(attributes/nested/deep)", True),
        ("exists(/attributes/nested/deep/value)", True),  # leading slash is optional
        ("exists(attributes/a~1b)", True),  # JSON pointer escape
        ("exists(attributes/location/deeper)", False),
        ("exists(topic:action)", True),
        ("exists(topic:subject)", False),
        ("empty(attributes/empty)", True),
        ("empty(attributes/nothing)", True),
        ("empty(attributes/missing)", True),
        ("empty(attributes/location)", False),
        ("empty(attributes/count)", False),
        # logic
        ('and(eq(attributes/count,50),eq(attributes/location,"Kitchen"))', True),
        ('and(eq(attributes/count,50),eq(attributes/location,"Office"))', False),
        ('or(eq(attributes/count,1),eq(attributes/location,"Kitchen"))', True),
        ("or(eq(attributes/count,1),eq(attributes/count,2))", False),
        ("not(eq(attributes/count,50))", False),
        ("not(exists(attributes/missing))", True),
        ("not(gt(attributes/missing,1))", True),  # missing: comparison false, not() inverts
        ("and(eq(attributes/count,50))", True),
        (
            "not(not(and(or(eq(attributes/count,1),gt(attributes/ratio,0.1)),not(exists(attributes/x)))))",
            True,
        ),
        ("and(eq(attributes/count,50), eq(attributes/flag,true) ,exists(attributes))", True),
        ("  eq(attributes/count,50)  ", True),
        # placeholders
        ("eq(resource:path,'/attributes')", True),
        ('eq(topic:action,"deleted")', False),
        # escapes in strings
        (r'eq(attributes/multi,"line\nbreak")', True),
        (r'eq(attributes/location,"\u004Bitchen")', True),
    ],
)
def test_operator_semantics(query: str, expected: bool) -> None:
    assert matches(query) is expected


def test_time_placeholder_values_resolve_at_evaluation() -> None:
    context = Doc({"_modified": "2000-01-01T00:00:00Z", "attributes": {"ms": "1"}})
    assert matches("lt(_modified,time:now)", context)
    assert matches("lt(attributes/ms,time:now_epoch_millis)", context)


@pytest.mark.parametrize(
    ("query", "position", "fragment"),
    [
        ("eq(attributes/a,1", 18, "expected ',' or ')' but the filter ended"),
        ("and(eq(attributes/a,1),gt(attributes/b,2)", 42, "expected ')'"),
        ("foo(attributes/a,1)", 1, "unknown operator 'foo'"),
        ("eq(attributes/a,abc)", 17, "expected a value"),
        ("eq(attributes/a,1abc)", 17, "invalid value '1abc'"),
        ("eq(attributes/a,-0)", 17, "expected a value"),
        ('eq(attributes/a,"open)', 17, "not closed"),
        ("eq(header:foo,1)", 4, "unknown placeholder 'header:foo'"),
        ("eq(thing:id,1)", 4, "unknown placeholder 'thing:id'"),
        ("eq(foo,1)", 4, "not a thing field"),
        ("exists(_metadata/x)", 8, "metadata"),
        ("like(attributes/a,1)", 19, "needs a string pattern"),
        ("like(attributes/a,time:now)", 19, "needs a string pattern"),
        ("eq(attributes//a,1)", 4, "empty path segment"),
        ("eq(,1)", 4, "expected a property"),
        ("and()", 5, "expected an operator"),
        ("eq(attributes/a,1) trailing", 20, "after the end of the query"),
        ("sort(+thingId)", 1, "unknown operator 'sort'"),
        (r'eq(attributes/a,"\q")', 19, "unknown escape"),
    ],
)
def test_syntax_errors_name_the_position(query: str, position: int, fragment: str) -> None:
    with pytest.raises(ConfigError) as caught:
        parse_rql(query)
    message = str(caught.value)
    assert f"position {position}:" in message
    assert fragment in message
    # the caret line points at the position
    lines = message.splitlines()
    assert lines[1].strip() == query.strip() or lines[1].endswith(query)
    assert lines[2].index("^") - lines[1].index(query[0]) == position - 1


def test_empty_filter_is_rejected() -> None:
    with pytest.raises(ConfigError, match="empty"):
        parse_rql("   ")


def test_properties_lists_what_the_query_reads() -> None:
    node = parse_rql("and(eq(attributes/a,1),not(exists(topic:action)),in(thingId,'x'))")
    assert [p.text for p in node.properties()] == ["attributes/a", "topic:action", "thingId"]


def test_compiled_once_evaluated_many_times() -> None:
    node = parse_rql("gt(attributes/count,42)")
    assert [node.evaluate(Doc({"attributes": {"count": n}})) for n in (41, 42, 43)] == [False, False, True]


def test_nesting_is_bounded_with_a_located_error_not_a_recursion_error() -> None:
    deepest = "not(" * MAX_NESTING + "exists(attributes/a)" + ")" * MAX_NESTING
    assert matches(deepest, Doc({"attributes": {"a": 1}})) is (MAX_NESTING % 2 == 0)
    for levels in (MAX_NESTING + 1, 5000):
        query = "and(" * levels + "exists(attributes/a)" + ")" * levels
        with pytest.raises(ConfigError, match=f"nested deeper than {MAX_NESTING} levels") as caught:
            parse_rql(query)
        assert f"position {4 * MAX_NESTING + 1}:" in str(caught.value)


def test_not_takes_exactly_one_query() -> None:
    with pytest.raises(ConfigError, match="expected '\\)' but found ','"):
        parse_rql("not(exists(attributes/a),exists(attributes/b))")

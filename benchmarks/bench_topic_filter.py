"""Topic selection benchmark: µs per event for target topic matching, RQL filters and header mapping.

Runs over the recorded twin-event log (``fixtures/events/twin-events.jsonl``), cycling through its
53 events. Cases, side by side: kind only (``_/_/things/twin/events``), + namespaces, + a simple
filter, + a nested filter (and/or/in/like/not/exists), the filter with ``extraFields``, and rendering
a 5-entry header mapping. Each case runs ``--runs`` times over ``--number`` events; the table shows
the median (min-max) µs per event and the ratio to "kind only". For scale: the seed JavaScript
mapping costs ~15 µs per event (REFERENCE.md 5).
Run: ``.venv/bin/python benchmarks/bench_topic_filter.py``.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from collections.abc import Callable
from pathlib import Path
from urllib.parse import quote

from mapper.connection import EventView, HeaderTemplate, TopicSubscription, apply_header_mapping

EVENTS = [
    json.loads(line)
    for line in (Path(__file__).resolve().parent.parent / "fixtures/events/twin-events.jsonl")
    .read_text(encoding="utf-8")
    .splitlines()
    if line.strip()
]
NESTED = (
    "and(or(gt(features/counter/properties/brewed,5),in(topic:action,'created','deleted')),"
    "not(like(thingId,'org.example*')),or(exists(attributes),eq(resource:path,'/')))"
)
CASES: dict[str, str] = {
    "kind only": "_/_/things/twin/events",
    "namespaces": "_/_/things/twin/events?namespaces=com.acme,com.acme.building",
    "simple filter": "_/_/things/twin/events?filter=" + quote("eq(topic:action,'created')"),
    "thing-field filter": "_/_/things/twin/events?filter=gt(features/water-tank/properties/fillLevel,0.5)",
    "nested filter": "_/_/things/twin/events?namespaces=com.acme&filter=" + quote(NESTED),
    "nested + extraFields": "_/_/things/twin/events?extraFields=attributes&filter=" + quote(NESTED),
}
HEADER_MAPPING = {
    "x-amz-meta-correlation-id": HeaderTemplate.parse("{{ header:correlation-id }}"),
    "x-amz-meta-thing": HeaderTemplate.parse("{{ thing:id }}"),
    "x-amz-meta-origin": HeaderTemplate.parse("{{ header:ditto-originator | fn:default('unknown') }}"),
    "x-amz-meta-topic": HeaderTemplate.parse("{{ topic:full }}"),
    "x-amz-meta-feature": HeaderTemplate.parse("{{ feature:id | fn:default('none') | fn:upper() }}"),
}


def time_case(run: Callable[[dict], object], number: int, runs: int) -> list[float]:
    samples = []
    events = (EVENTS * (number // len(EVENTS) + 1))[:number]
    for _ in range(runs):
        start = time.perf_counter()
        for envelope in events:
            run(envelope)
        samples.append((time.perf_counter() - start) / number * 1e6)
    return samples


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--number", type=int, default=20_000, help="events per run")
    parser.add_argument("--runs", type=int, default=7, help="runs per case")
    args = parser.parse_args()

    results: dict[str, list[float]] = {}
    for name, topic in CASES.items():
        subscription = TopicSubscription.parse(topic)
        results[f"match: {name}"] = time_case(subscription.matches, args.number, args.runs)
    nested = TopicSubscription.parse(CASES["nested filter"])
    simple = TopicSubscription.parse(CASES["simple filter"])

    def shared_view(envelope: dict) -> object:
        view = EventView(envelope)
        return nested.matches(view), simple.matches(view)

    results["2 topics, one shared EventView"] = time_case(shared_view, args.number, args.runs)
    results["header mapping (5 entries)"] = time_case(
        lambda e: apply_header_mapping(HEADER_MAPPING, e, {}), args.number, args.runs
    )

    base = statistics.median(results["match: kind only"])
    print(f"{args.number} events x {args.runs} runs; µs per event (median, min-max), ratio to 'kind only'")
    print(f"{'case':<34} {'median':>8} {'min':>7} {'max':>7} {'ratio':>6}")
    for name, samples in results.items():
        median = statistics.median(samples)
        print(f"{name:<34} {median:8.2f} {min(samples):7.2f} {max(samples):7.2f} {median / base:6.1f}x")
    parse_start = time.perf_counter()
    for _ in range(1000):
        TopicSubscription.parse(CASES["nested filter"])
    print(f"parse nested topic+filter once: {(time.perf_counter() - parse_start) * 1000:.1f} µs")


if __name__ == "__main__":
    main()

"""Counting rules: one bucket per record, most significant outcome wins."""

from __future__ import annotations

import json

from mapper.outcome import OutcomeKind, Stage, TargetOutcome
from mapper.replay.report import ReplayReport, Tally

PUB = TargetOutcome(OutcomeKind.PUBLISHED, attempts=3)
OLD = TargetOutcome(OutcomeKind.ALREADY_ARCHIVED, attempts=1)
FIL = TargetOutcome(OutcomeKind.FILTERED)
DRO = TargetOutcome(OutcomeKind.DROPPED)
BAD = TargetOutcome(OutcomeKind.FAILED, stage=Stage.PARSE)
ERR = TargetOutcome(OutcomeKind.FAILED, stage=Stage.PUBLISH, attempts=5)


def test_one_bucket_per_record() -> None:
    tally = Tally()
    assert tally.count_record([PUB]) == "archived"
    assert tally.count_record([FIL, PUB, OLD]) == "archived"
    assert tally.count_record([OLD, DRO]) == "already_archived"
    assert tally.count_record([FIL, DRO]) == "dropped"
    assert tally.count_record([]) == "filtered"
    assert tally.count_record([BAD]) == "invalid"
    assert tally.count_record([PUB, ERR]) == "failed"
    t = tally
    buckets = t.invalid + t.filtered + t.dropped + t.archived + t.already_archived + t.failed
    assert tally.read == buckets == 7
    assert tally.retries == 3 * 2 + 4  # three PUB with 3 attempts, one ERR with 5
    assert tally.outcomes == {"published": 3, "filtered": 2, "already_archived": 2, "dropped": 2, "failed": 2}


def test_counters_round_trip_and_report() -> None:
    tally = Tally()
    tally.count_record([PUB])
    tally.count_record([ERR])
    tally.dead_lettered = 1
    tally.elapsed_s = 2.0
    again = Tally.from_counters(json.loads(json.dumps(tally.to_counters())))
    assert again == tally
    report = ReplayReport.from_tally(again, dead_letter="dl.jsonl")
    assert report.events_per_s == 1.0
    assert json.loads(report.to_json())["failed"] == 1
    text = report.summary_text()
    assert "2 events" in text and "1 dead-letter entries written to dl.jsonl" in text
    assert not report.ok

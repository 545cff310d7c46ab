"""Counting a replay: every input record lands in exactly one bucket.

Counting rule: a record may produce several outcomes (several targets, or a mapping that returns
several messages). The record is counted once, under its *most significant* outcome, in this
order: failed > archived > already_archived > dropped > filtered. A record with no outcome at all
(no target selected it) counts as filtered. A failed record whose failure is at the parse or
validate stage is counted as ``invalid`` instead of ``failed`` (the line is not a Ditto event).
So, always (and whatever the number of targets):

    read == invalid + filtered + dropped + archived + already_archived + failed

For a single target with one message per event this is simply "what happened to each line".
``outcomes`` additionally counts every individual (record, target, message) outcome by kind,
which is what multi-target and multi-message mappings need to see. ``retries`` is the number of
extra attempts over all outcomes (attempts beyond the first).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, fields

from pydantic import BaseModel

from mapper.outcome import OutcomeKind, Stage, TargetOutcome

_INVALID_STAGES = frozenset({Stage.PARSE, Stage.VALIDATE})
_RANK = {
    OutcomeKind.FILTERED: 0,
    OutcomeKind.DROPPED: 1,
    OutcomeKind.ALREADY_ARCHIVED: 2,
    OutcomeKind.PUBLISHED: 3,
    OutcomeKind.FAILED: 4,
}


@dataclass
class Tally:
    """The running counters (plain ints: updated once per record on the hot path)."""

    read: int = 0
    invalid: int = 0
    filtered: int = 0
    dropped: int = 0
    archived: int = 0
    already_archived: int = 0
    failed: int = 0
    retries: int = 0
    dead_lettered: int = 0
    elapsed_s: float = 0.0
    outcomes: dict[str, int] = field(default_factory=dict)

    def count_record(self, outcomes: Iterable[TargetOutcome]) -> str:
        """Count one complete record; returns the bucket it went to."""
        self.read += 1
        worst: TargetOutcome | None = None
        per_kind = self.outcomes
        for outcome in outcomes:
            per_kind[outcome.kind.value] = per_kind.get(outcome.kind.value, 0) + 1
            if outcome.attempts > 1:
                self.retries += outcome.attempts - 1
            if worst is None or _RANK[outcome.kind] > _RANK[worst.kind]:
                worst = outcome
        bucket = bucket_of(worst)
        setattr(self, bucket, getattr(self, bucket) + 1)
        return bucket

    def to_counters(self) -> dict[str, float]:
        """Flat form stored in a checkpoint."""
        flat: dict[str, float] = {f.name: getattr(self, f.name) for f in fields(self) if f.name != "outcomes"}
        for kind, n in self.outcomes.items():
            flat[f"outcomes.{kind}"] = n
        return flat

    @classmethod
    def from_counters(cls, counters: Mapping[str, float]) -> Tally:
        """The inverse of :meth:`to_counters` (unknown names are ignored)."""
        tally = cls()
        for name, value in counters.items():
            if name.startswith("outcomes."):
                tally.outcomes[name.removeprefix("outcomes.")] = int(value)
            elif name == "elapsed_s":
                tally.elapsed_s = float(value)
            elif hasattr(tally, name):
                setattr(tally, name, int(value))
        return tally


def bucket_of(worst: TargetOutcome | None) -> str:
    """The report bucket for a record whose most significant outcome is ``worst``."""
    if worst is None:
        return "filtered"
    kind = worst.kind
    if kind is OutcomeKind.FAILED:
        return "invalid" if worst.stage in _INVALID_STAGES else "failed"
    if kind is OutcomeKind.PUBLISHED:
        return "archived"
    return kind.value  # filtered, dropped, already_archived


class ReplayReport(BaseModel):
    """The result of a replay (over all resumed runs when a checkpoint was used)."""

    read: int
    invalid: int
    filtered: int
    dropped: int
    archived: int
    already_archived: int
    failed: int
    retries: int
    elapsed_s: float
    events_per_s: float
    outcomes: dict[str, int]
    dead_letter: str | None = None
    dead_letter_entries: int = 0
    checkpoint: str | None = None
    resumed: bool = False
    interrupted: bool = False

    @classmethod
    def from_tally(cls, tally: Tally, **extra: object) -> ReplayReport:
        """Build the report from the running counters."""
        rate = tally.read / tally.elapsed_s if tally.elapsed_s > 0 else 0.0
        return cls(
            read=tally.read,
            invalid=tally.invalid,
            filtered=tally.filtered,
            dropped=tally.dropped,
            archived=tally.archived,
            already_archived=tally.already_archived,
            failed=tally.failed,
            retries=tally.retries,
            elapsed_s=round(tally.elapsed_s, 3),
            events_per_s=round(rate, 1),
            outcomes=dict(tally.outcomes),
            dead_letter_entries=tally.dead_lettered,
            **extra,  # type: ignore[arg-type]
        )

    @property
    def ok(self) -> bool:
        """True when nothing failed and nothing was invalid."""
        return self.failed == 0 and self.invalid == 0

    def to_json(self) -> str:
        """The report as one JSON object (for ``--json`` and scripts)."""
        return json.dumps(self.model_dump(mode="json"), sort_keys=False)

    def summary_text(self) -> str:
        """A few lines for humans."""
        head = "replay interrupted" if self.interrupted else "replay complete"
        if self.resumed:
            head += " (resumed; counts cover the whole replay)"
        lines = [
            f"{head}: {self.read:,} events in {self.elapsed_s:,.1f} s ({self.events_per_s:,.0f}/s)",
            f"  archived {self.archived:,}, already archived {self.already_archived:,}, "
            f"filtered {self.filtered:,}, dropped {self.dropped:,}",
            f"  failed {self.failed:,}, invalid {self.invalid:,}, retries {self.retries:,}",
        ]
        if self.dead_letter_entries and self.dead_letter:
            lines.append(f"  {self.dead_letter_entries:,} dead-letter entries written to {self.dead_letter}")
        if self.checkpoint:
            lines.append(f"  checkpoint: {self.checkpoint}")
        return "\n".join(lines)

"""The ordered, windowed replay loop: read in order, publish in parallel, complete in order.

Records are read in input order and prepared (parse, validate, map, choose keys) in batches of
``batch_size`` with ``prepare_batch(records)`` — one call into JavaScript per batch instead of per
record — or one by one with ``prepare(record)``. With ``mapping_thread=True`` reading and
preparing run in a thread of their own, a bounded queue of prepared batches ahead of the runner's
thread (QuickJS releases the GIL, so mapping overlaps the publishing threads' Python work on a
second core). Either way the runner's thread takes the prepared records strictly in input order:
``prepare`` returns finished outcomes (filtered, dropped, failed early) and jobs, and each job's
key is claimed in the :class:`KeyRegistry` right then, so "first in input order wins" is
deterministic. New jobs go to ``concurrency`` worker threads that call ``execute(job)``. A record
is complete when all its items are; complete records are retired strictly in input order from
the head of the in-flight window, which is where they are counted, dead-lettered and where the
checkpoint watermark advances. At most ``window`` records are in flight (started but not
retired), which bounds memory whatever the input size; the price is head-of-line blocking: one
slow publish holds back retirement (not the workers) until it finishes.

Checkpoints are written by a background thread (an fsync'ed save costs ~1.3 ms here, too much for
the runner's thread at thousands of events/s). It always writes the newest watermark, after making
the dead-letter file durable, so a record is never behind the saved watermark before its failure is
on disk. A save is requested every ``checkpoint_every`` retired records (default window/2), and at
once when the runner waits for one. The re-send bound: with a checkpoint, a record is started
(its jobs handed to the workers) only while fewer than ``window`` started records lie beyond the
*durably saved* watermark. After a crash the resumed run re-sends exactly the records between the
saved watermark and the last started record, so at most ``window`` records are sent twice.
Prepared but unstarted records were never sent; they are simply prepared again.
"""

from __future__ import annotations

import json
import signal
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from queue import Empty, Full, Queue, SimpleQueue
from types import FrameType
from typing import Any, Protocol

from mapper.errors import MapperError, MappingError, ProtocolError, PublishError
from mapper.outcome import OutcomeKind, Stage, TargetOutcome
from mapper.replay.checkpoint import Checkpoint
from mapper.replay.dead_letter import DeadLetterWriter
from mapper.replay.keys import ClaimResult, KeyRegistry
from mapper.replay.progress import Progress
from mapper.replay.reader import InputRecord, Position
from mapper.replay.report import ReplayReport, Tally


class Job(Protocol):
    """What ``prepare`` hands to ``execute``: opaque to the runner except for these.

    A job may also have ``target: int`` (used in outcomes the runner makes for it) and
    ``destination: str`` (bucket / directory: keys are unique per destination; without it, keys
    are unique across all targets).
    """

    key: str
    content_digest: bytes


PrepareFn = Callable[[InputRecord], Sequence["TargetOutcome | Job"]]
PrepareBatchFn = Callable[[Sequence[InputRecord]], Sequence[Sequence["TargetOutcome | Job"]]]
ExecuteFn = Callable[[Any], TargetOutcome]
RecordHook = Callable[[InputRecord, list[TargetOutcome]], None]


def stage_of(exc: BaseException, default: Stage | None) -> Stage | None:
    """The stage an exception belongs to, from its type (or its ``stage`` attribute)."""
    stage = getattr(exc, "stage", None)
    if isinstance(stage, Stage):
        return stage
    if isinstance(exc, json.JSONDecodeError):
        return Stage.PARSE
    if isinstance(exc, ProtocolError):
        return Stage.VALIDATE
    if isinstance(exc, MappingError):
        return Stage.MAP
    if isinstance(exc, PublishError):
        return Stage.PUBLISH
    return default


def describe(exc: BaseException) -> str:
    """Error text for an outcome: our errors are complete sentences; others get their type name."""
    if isinstance(exc, MapperError):
        return str(exc)
    return f"{type(exc).__name__}: {exc}"


class _Abort(KeyboardInterrupt):
    """A second Ctrl-C: stop now, without waiting for records in flight."""


class _ReadFailure:
    """Reading or preparing failed in the mapping thread: raised in the runner's thread, in order."""

    __slots__ = ("error",)

    def __init__(self, error: BaseException) -> None:
        self.error = error


_END_OF_INPUT = object()


class _Record:
    """A record in flight: its outcomes (None until the job at that index finishes)."""

    __slots__ = ("outcomes", "record", "waiting")

    def __init__(self, record: InputRecord, outcomes: list[TargetOutcome | None], waiting: int) -> None:
        self.record = record
        self.outcomes = outcomes
        self.waiting = waiting


class _CheckpointSaver:
    """Saves the newest requested state in a background thread (coalescing requests).

    Each request carries ``retired``: how many records of this run its watermark covers. After a
    save is durable (or failed) ``on_saved(retired, error)`` is called from the saver's thread.
    """

    def __init__(
        self,
        checkpoint: Checkpoint,
        dead_letter: DeadLetterWriter,
        on_saved: Callable[[int, BaseException | None], None],
    ) -> None:
        self._checkpoint = checkpoint
        self._dead_letter = dead_letter
        self._on_saved = on_saved
        self._cond = threading.Condition()
        self._pending: tuple[Position, dict[str, float], int] | None = None
        self._closing = False
        self._error: BaseException | None = None
        self.requested = 0  # ``retired`` of the newest request (runner's thread only)
        self._thread = threading.Thread(target=self._loop, name="replay-checkpoint", daemon=True)
        self._thread.start()

    def request(self, position: Position, counters: dict[str, float], retired: int) -> None:
        with self._cond:
            if self._error is not None:
                raise self._error
            self._pending = (position, counters, retired)
            self.requested = retired
            self._cond.notify()

    def check(self) -> None:
        """Re-raise a save failure."""
        with self._cond:
            if self._error is not None:
                raise self._error

    def close(self) -> None:
        """Wait for the pending save; re-raise a save failure."""
        with self._cond:
            self._closing = True
            self._cond.notify()
        self._thread.join()
        if self._error is not None:
            raise self._error

    def _loop(self) -> None:
        while True:
            with self._cond:
                while self._pending is None and not self._closing:
                    self._cond.wait()
                pending, self._pending = self._pending, None
                if pending is None:
                    return
            position, counters, retired = pending
            try:
                # The watermark may pass a failed record only once its dead-letter entry is on disk.
                self._dead_letter.flush_durably()
                self._checkpoint.save(position, counters)
            except BaseException as exc:  # reported to the runner's thread
                with self._cond:
                    self._error = exc
                self._on_saved(retired, exc)
                return
            self._on_saved(retired, None)


class ReplayRunner:
    """Drives ``prepare`` / ``execute`` over records; see the module docstring for the model.

    ``on_record`` (optional) is called for every retired record, in input order, with all its
    outcomes — for verbose output and tests. ``prepare_batch`` (optional) prepares
    ``batch_size`` records at once and must return, per record, what ``prepare`` returns for it;
    if it raises, each record of that batch is prepared alone with ``prepare``, so a failure is
    charged to the record that causes it. ``mapping_thread`` reads and prepares in a thread of
    its own (see the module docstring).
    """

    def __init__(
        self,
        prepare: PrepareFn,
        execute: ExecuteFn,
        *,
        concurrency: int,
        window: int | None = None,
        checkpoint: Checkpoint | None,
        dead_letter: DeadLetterWriter,
        progress: Progress | None = None,
        registry: KeyRegistry | None = None,
        checkpoint_every: int | None = None,
        on_record: RecordHook | None = None,
        prepare_batch: PrepareBatchFn | None = None,
        batch_size: int = 64,
        mapping_thread: bool = False,
    ) -> None:
        if concurrency < 1:
            raise ValueError("concurrency must be at least 1")
        if batch_size < 1:
            raise ValueError("batch_size must be at least 1")
        self._prepare = prepare
        self._prepare_batch = prepare_batch
        self.batch_size = batch_size if prepare_batch is not None else 1
        self.mapping_thread = mapping_thread
        self._execute = execute
        self.concurrency = concurrency
        self.window = window if window is not None else 8 * concurrency
        if self.window < 1:
            raise ValueError("window must be at least 1")
        self.checkpoint_every = checkpoint_every or max(1, self.window // 2)
        self._checkpoint = checkpoint
        self._dead_letter = dead_letter
        self._progress = progress
        self._registry = registry if registry is not None else KeyRegistry()
        self._on_record = on_record
        self._stop = threading.Event()
        self.max_in_flight = 0  # observed, for tests and benchmarks
        # Observed with a checkpoint: most records started beyond the durably saved watermark
        # (what a crash at that moment would make the next run send again); never above window.
        self.max_unsaved = 0

    def request_stop(self) -> None:
        """Stop reading; records already in flight finish, the checkpoint is saved (thread-safe)."""
        self._stop.set()

    def run(self, records: Iterable[InputRecord]) -> ReplayReport:
        """Replay ``records``; returns the report (covering earlier runs when resuming)."""
        state = self._checkpoint.load() if self._checkpoint is not None else None
        tally = Tally.from_counters(state.counters) if state is not None else Tally()
        resumed = state is not None
        if state is not None and state.done:
            return self._report(tally, resumed=True, interrupted=False)
        watermark = state.watermark if state is not None else Position(0, 0)
        run = _Run(self, tally, watermark)
        interrupted = run.execute(records)
        return self._report(tally, resumed=resumed, interrupted=interrupted)

    def _report(self, tally: Tally, *, resumed: bool, interrupted: bool) -> ReplayReport:
        return ReplayReport.from_tally(
            tally,
            dead_letter=str(self._dead_letter.path),
            checkpoint=str(self._checkpoint.path) if self._checkpoint is not None else None,
            resumed=resumed,
            interrupted=interrupted,
        )


class _Run:
    """The state of one ``ReplayRunner.run`` call."""

    def __init__(self, runner: ReplayRunner, tally: Tally, watermark: Position) -> None:
        self.r = runner
        self.tally = tally
        self.resume_from = watermark
        self.watermark = watermark
        self.base_elapsed = tally.elapsed_s
        self.started = time.monotonic()
        self.in_flight: deque[_Record] = deque()
        self.jobs: SimpleQueue[tuple[_Record, int, Any] | None] = SimpleQueue()
        # Finished jobs (entry, index, outcome); finished saves (None, retired, error).
        self.done: SimpleQueue[tuple[_Record | None, int, Any]] = SimpleQueue()
        self.since_save = 0
        self.saver: _CheckpointSaver | None = None
        self.n_started = 0  # records of this run handed to the workers (or finished at once)
        self.n_retired = 0  # records of this run behind the watermark
        self.n_saved = 0  # records of this run behind the durably saved watermark

    # -- the whole run -------------------------------------------------------------------------

    def execute(self, records: Iterable[InputRecord]) -> bool:
        """Returns True when stopped early (signal or request_stop)."""
        r = self.r
        workers = [
            threading.Thread(target=self._work, name=f"replay-worker-{i}", daemon=True)
            for i in range(r.concurrency)
        ]
        for worker in workers:
            worker.start()
        if r._checkpoint is not None:
            self.saver = _CheckpointSaver(
                r._checkpoint, r._dead_letter, lambda retired, error: self.done.put((None, retired, error))
            )
        if r._progress is not None:
            r._progress.start(self.tally)
        restore = self._install_signal_handlers()
        finished = aborted = False
        try:
            try:
                self._read(records)
                finished = not r._stop.is_set()
            except _Abort:
                aborted = True
                raise
            except KeyboardInterrupt:  # raised without our handler (e.g. by a caller's handler)
                r._stop.set()
            finally:
                # Whatever ended the reading (end of input, stop, a broken input file), the records
                # in flight finish — unless the operator insisted (second Ctrl-C).
                if not aborted:
                    self._drain()
        finally:
            restore()
            for _ in workers:
                self.jobs.put(None)
            self._update_elapsed()
            try:
                if self.saver is not None:
                    self.saver.close()
                r._dead_letter.close()
                if r._checkpoint is not None:
                    if finished and not self.in_flight:
                        r._checkpoint.done(self.watermark, self.tally.to_counters())
                    else:
                        r._checkpoint.save(self.watermark, self.tally.to_counters())
            finally:
                if r._progress is not None:
                    r._progress.stop(self.tally)
        interrupted = not finished
        return interrupted

    def _read(self, records: Iterable[InputRecord]) -> None:
        r = self.r
        stop = r._stop
        prepared = self._prepared(records)
        try:
            for record, items in prepared:
                if stop.is_set():
                    return
                self._admit()
                self._start(record, items)
                if len(self.in_flight) > r.max_in_flight:
                    r.max_in_flight = len(self.in_flight)
                self._collect(block=False)
        finally:
            prepared.close()

    def _admit(self) -> None:
        """Wait until one more record may start: a place in the window and, with a checkpoint,
        fewer than ``window`` started records beyond the durably saved watermark."""
        window = self.r.window
        saver = self.saver
        while True:
            if len(self.in_flight) >= window:
                self._collect(block=True)
            elif saver is not None and self.n_started - self.n_saved >= window:
                if saver.requested < self.n_retired:
                    self._request_save()
                self._collect(block=True)  # a finished job or a finished save
            else:
                return

    def _drain(self) -> None:
        while self.in_flight:
            self._collect(block=True)

    # -- preparing, in input order ---------------------------------------------------------------

    def _prepared(self, records: Iterable[InputRecord]) -> Iterator[tuple[InputRecord, list[Any]]]:
        """(record, what prepare returned for it), in input order."""
        chunks = self._prepare_chunks(records)
        if self.r.mapping_thread:
            chunks = self._ahead_in_thread(chunks)
        try:
            for chunk in chunks:
                yield from chunk
        finally:
            chunks.close()

    def _prepare_chunks(
        self, records: Iterable[InputRecord]
    ) -> Iterator[list[tuple[InputRecord, list[Any]]]]:
        size = self.r.batch_size
        stop = self.r._stop
        resume_from = self.resume_from
        # On the runner's thread, wait for room before preparing, so that prepared records are
        # never more than the window plus one batch.
        inline = not self.r.mapping_thread
        batch: list[InputRecord] = []
        try:
            for record in records:
                if stop.is_set():
                    return
                if record.position < resume_from:
                    continue
                batch.append(record)
                if len(batch) >= size:
                    chunk, batch = batch, []
                    if inline:
                        self._admit()
                    yield self._prepare_all(chunk)
        except Exception:
            # A broken input: the records read before the break are still replayed, then it stops.
            if batch:
                yield self._prepare_all(batch)
            raise
        if batch and not stop.is_set():
            if inline:
                self._admit()
            yield self._prepare_all(batch)

    def _prepare_all(self, batch: list[InputRecord]) -> list[tuple[InputRecord, list[Any]]]:
        prepare_batch = self.r._prepare_batch
        if prepare_batch is not None:
            try:
                prepared = [list(items) for items in prepare_batch(batch)]
                if len(prepared) != len(batch):
                    raise ValueError(f"prepare_batch gave {len(prepared)} results for {len(batch)} records")
                return list(zip(batch, prepared, strict=True))
            except Exception:  # each record alone below: the failure is charged to its record
                pass
        return [(record, self._prepare_one(record)) for record in batch]

    def _prepare_one(self, record: InputRecord) -> list[Any]:
        try:
            return list(self.r._prepare(record))
        except Exception as exc:
            stage = stage_of(exc, None)
            # An exception without a stage is a bug in the pipeline, not a problem of the event.
            error = describe(exc) if stage is not None else f"prepare failed: {describe(exc)}"
            return [TargetOutcome(OutcomeKind.FAILED, stage=stage, error=error)]

    def _ahead_in_thread(
        self, chunks: Iterator[list[tuple[InputRecord, list[Any]]]]
    ) -> Iterator[list[tuple[InputRecord, list[Any]]]]:
        """``chunks`` produced by a thread of its own, at most two batches ahead."""
        ahead: Queue[Any] = Queue(maxsize=2)
        closing = threading.Event()

        def put(item: Any) -> bool:
            while not closing.is_set():
                try:
                    ahead.put(item, timeout=0.05)
                    return True
                except Full:
                    continue
            return False

        def produce() -> None:
            try:
                for chunk in chunks:
                    if not put(chunk):
                        return
                put(_END_OF_INPUT)
            except BaseException as exc:  # handed to the runner's thread, in order
                put(_ReadFailure(exc))

        thread = threading.Thread(target=produce, name="replay-mapping", daemon=True)
        thread.start()
        stop = self.r._stop
        try:
            while True:
                try:
                    item = ahead.get(timeout=0.05)
                except Empty:
                    if stop.is_set():  # do not wait for a slow input (e.g. stdin) after a stop
                        return
                    continue
                if item is _END_OF_INPUT:
                    return
                if isinstance(item, _ReadFailure):
                    raise item.error
                yield item
        finally:
            closing.set()
            thread.join(timeout=5)

    # -- one record ----------------------------------------------------------------------------

    def _start(self, record: InputRecord, items: list[Any]) -> None:
        self.n_started += 1
        unsaved = self.n_started - self.n_saved
        if self.saver is not None and unsaved > self.r.max_unsaved:
            self.r.max_unsaved = unsaved
        outcomes: list[TargetOutcome | None] = []
        submit: list[tuple[int, Any]] = []
        for item in items:
            if isinstance(item, TargetOutcome):
                outcomes.append(item)
            else:
                outcomes.append(self._claim(record, item, len(outcomes), submit))
        entry = _Record(record, outcomes, len(submit))
        if not submit and not self.in_flight:
            self._retire(entry)
            self._retired(1, entry)
            return
        # Jobs first, then the window: an interruption in between leaves no entry that waits forever.
        for index, job in submit:
            self.jobs.put((entry, index, job))
        self.in_flight.append(entry)

    def _claim(
        self, record: InputRecord, job: Any, index: int, submit: list[tuple[int, Any]]
    ) -> TargetOutcome | None:
        """Claim the job's key; None when the job is to be executed."""
        target = getattr(job, "target", 0)
        try:
            key = job.key
            digest = job.content_digest
            destination = getattr(job, "destination", None)
            claim_key = key if destination is None else f"{destination}\n{key}"
            result = self.r._registry.claim(claim_key, digest, source=record.source, line=record.line)
        except Exception as exc:
            return TargetOutcome(
                OutcomeKind.FAILED,
                target=target,
                stage=stage_of(exc, None),
                error=f"prepare returned an unusable job: {describe(exc)}",
            )
        if result is ClaimResult.NEW:
            submit.append((index, job))
            return None
        if result is ClaimResult.DUPLICATE:
            return TargetOutcome(OutcomeKind.ALREADY_ARCHIVED, target=target, key=key)
        origin = self.r._registry.describe_origin(claim_key)
        return TargetOutcome(
            OutcomeKind.FAILED,
            target=target,
            key=key,
            stage=Stage.COLLISION,
            error=f"key collision: {key} was already written by {origin} with different content",
        )

    def _work(self) -> None:
        execute = self.r._execute
        while True:
            item = self.jobs.get()
            if item is None:
                return
            entry, index, job = item
            try:
                outcome = execute(job)
                if not isinstance(outcome, TargetOutcome):
                    raise TypeError(f"execute returned {type(outcome).__name__}, not TargetOutcome")
            except Exception as exc:
                outcome = TargetOutcome(
                    OutcomeKind.FAILED,
                    target=getattr(job, "target", 0),
                    key=getattr(job, "key", None),
                    attempts=getattr(exc, "attempts", 0) or 0,
                    status=getattr(exc, "status", None),
                    stage=stage_of(exc, Stage.PUBLISH),
                    error=describe(exc),
                )
            self.done.put((entry, index, outcome))

    # -- completion, in order ------------------------------------------------------------------

    def _collect(self, *, block: bool) -> None:
        done = self.done
        if block:
            self._take(*done.get())
        while not done.empty():
            self._take(*done.get())
        retired = 0
        last = None
        in_flight = self.in_flight
        while in_flight and in_flight[0].waiting == 0:
            last = in_flight.popleft()
            self._retire(last)
            retired += 1
        if retired:
            self._retired(retired, last)  # type: ignore[arg-type]

    def _take(self, entry: _Record | None, index: int, outcome: Any) -> None:
        if entry is None:  # a save finished
            if outcome is not None:
                raise outcome
            if index > self.n_saved:
                self.n_saved = index
            return
        entry.outcomes[index] = outcome
        entry.waiting -= 1

    def _retire(self, entry: _Record) -> None:
        r = self.r
        outcomes: list[TargetOutcome] = entry.outcomes  # type: ignore[assignment]  # all set now
        for outcome in outcomes:
            if outcome.kind is OutcomeKind.FAILED:
                r._dead_letter.write(entry.record, outcome)
                self.tally.dead_lettered += 1
        self.tally.count_record(outcomes)
        if r._on_record is not None:
            r._on_record(entry.record, outcomes)
        if r._progress is not None:
            r._progress.update(self.tally)

    def _retired(self, count: int, last: _Record) -> None:
        """Advance the watermark past retired records; request a checkpoint now and then."""
        if self.in_flight:
            self.watermark = self.in_flight[0].record.position
        else:
            self.watermark = Position(last.record.file_index, last.record.line + 1)
        self.n_retired += count
        self.since_save += count
        if self.saver is not None and self.since_save >= self.r.checkpoint_every:
            self._request_save()

    def _request_save(self) -> None:
        assert self.saver is not None
        self.since_save = 0
        self._update_elapsed()
        self.saver.request(self.watermark, self.tally.to_counters(), self.n_retired)

    def _update_elapsed(self) -> None:
        self.tally.elapsed_s = self.base_elapsed + (time.monotonic() - self.started)

    # -- signals -------------------------------------------------------------------------------

    def _install_signal_handlers(self) -> Callable[[], None]:
        """SIGINT / SIGTERM: first one stops reading gracefully, a second SIGINT aborts."""
        if threading.current_thread() is not threading.main_thread():
            return lambda: None
        stop = self.r._stop

        def handler(signum: int, frame: FrameType | None) -> None:
            if stop.is_set() and signum == signal.SIGINT:
                raise _Abort
            stop.set()

        previous = {sig: signal.signal(sig, handler) for sig in (signal.SIGINT, signal.SIGTERM)}

        def restore() -> None:
            for sig, old in previous.items():
                signal.signal(sig, old)

        return restore

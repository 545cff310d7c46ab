"""A wall-clock time limit for QuickJS calls (Ditto's ``maxScriptExecutionTime`` semantics).

Why this exists: the ``quickjs`` binding's ``Context.set_time_limit`` measures C ``clock()``, the
CPU time of the whole *process*. It fires early while other threads of the process are busy and
late while the process waits for a CPU. Ditto checks wall-clock time (``System.currentTimeMillis``
every 10,000 Rhino instructions). The binding has no Python-level interrupt hook, so:

- Every call still runs with the binding's interrupt handler installed (``set_time_limit``), but
  with a CPU budget no process can exhaust before the wall-clock deadline: ``timeout x (CPUs + 1)``
  (process CPU time grows at most ``CPUs`` times as fast as wall time). It is only a backstop.
- One daemon thread per process watches the deadlines of running calls. When a call is past its
  deadline it sets that call's ``InterruptData.limit`` to ``-1`` inside the binding's context
  object, so the binding's own handler (``clock() - start >= limit``) interrupts the script at
  its next interrupt poll (QuickJS polls on backward jumps and calls). The write happens under a
  lock while the call is registered, so it can never reach another call.

The layout of the binding's ``RuntimeData`` is private, so :func:`wall_clock_supported` first
verifies it against the live object (values written by ``set_time_limit``, copied at call
start, and a real interrupt of a busy loop). If the check fails, nothing is written and calls
fall back to the CPU-time limit of ``timeout`` — documented in docs/javascript.md.
"""

from __future__ import annotations

import ctypes
import itertools
import logging
import os
import sys
import threading
import time

import quickjs

log = logging.getLogger(__name__)

# RuntimeData in the binding's module.c: PyObject_HEAD; JSRuntime *runtime; JSContext *context;
# int has_time_limit; clock_t time_limit; PyThreadState *thread_state;
# InterruptData interrupt_data = {clock_t start; clock_t limit}; ...  (LP64: all 8-byte slots)
_WORD = 8
_HEAD = object.__basicsize__
_HAS_TIME_LIMIT = _HEAD + 2 * _WORD
_TIME_LIMIT = _HEAD + 3 * _WORD
_INTERRUPT_START = _HEAD + 5 * _WORD
_INTERRUPT_LIMIT = _HEAD + 6 * _WORD

# How often the watchdog looks at deadlines while calls are running; a call past its deadline is
# stopped at most this much later (plus the time to the next interrupt poll).
_TICK_SECONDS = 0.005
# How long the watchdog keeps ticking after the last call before it sleeps until the next one.
_IDLE_AFTER_SECONDS = 1.0


def cpu_backstop_seconds(timeout_seconds: float) -> float:
    """The CPU-time limit to give the binding when the wall-clock watchdog is in charge."""
    return timeout_seconds * ((os.cpu_count() or 1) + 1)


def _read_clock(address: int, offset: int) -> int:
    return ctypes.c_long.from_address(address + offset).value


def _interrupt(address: int) -> None:
    ctypes.c_long.from_address(address + _INTERRUPT_LIMIT).value = -1


def _layout_matches() -> bool:
    """Read-only checks that the offsets above are the binding's fields."""
    if ctypes.sizeof(ctypes.c_void_p) != _WORD or ctypes.sizeof(ctypes.c_long) != _WORD:
        return False
    if sys.platform == "win32":  # clock_t is 32-bit there
        return False
    context = quickjs.Context()
    address = id(context)
    flag = ctypes.c_int.from_address(address + _HAS_TIME_LIMIT)
    if flag.value != 0 or _read_clock(address, _TIME_LIMIT) != 0:
        return False
    context.set_time_limit(2.0)
    first = _read_clock(address, _TIME_LIMIT)
    context.set_time_limit(4.0)
    second = _read_clock(address, _TIME_LIMIT)
    if flag.value != 1 or first <= 0 or second != 2 * first:
        return False
    context.eval("0")
    # At call start the binding copies time_limit to interrupt_data.limit and clock() to start.
    start = _read_clock(address, _INTERRUPT_START)
    return _read_clock(address, _INTERRUPT_LIMIT) == second and start >= 0
    # (``context`` is released here; nothing was written to it.)


def _interrupt_works() -> bool:
    """A real busy loop, interrupted by a write from another thread, with a 2 s CPU backstop."""
    context = quickjs.Context()
    context.set_time_limit(2.0)
    address = id(context)
    done = threading.Event()
    guard = threading.Lock()

    def poke() -> None:
        while not done.wait(0.002):
            with guard:
                if not done.is_set():
                    _interrupt(address)

    poker = threading.Thread(target=poke, name="mapper-js-watchdog-probe", daemon=True)
    started = time.monotonic()
    poker.start()
    try:
        context.eval("for (;;) {}")
    except quickjs.JSException as exc:
        interrupted = "interrupted" in str(exc)
    else:  # pragma: no cover - a for(;;) cannot return
        interrupted = False
    finally:
        with guard:
            done.set()
        poker.join()
    return interrupted and time.monotonic() - started < 1.0


_support_lock = threading.Lock()
_supported: bool | None = None


def wall_clock_supported() -> bool:
    """Whether the wall-clock watchdog can interrupt calls of this ``quickjs`` build (checked once)."""
    global _supported
    with _support_lock:
        if _supported is None:
            try:
                _supported = _layout_matches() and _interrupt_works()
            except Exception:  # pragma: no cover - an unexpected binding
                log.exception("checking the quickjs binding for the wall-clock time limit failed")
                _supported = False
            if not _supported:  # pragma: no cover - depends on the binding
                log.warning(
                    "quickjs binding layout not recognised: the script time limit falls back to "
                    "process CPU time, which is inexact while other threads are busy"
                )
        return _supported


class WallClockWatchdog:
    """Interrupts QuickJS calls that run past their wall-clock deadline (one per process)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._armed: dict[int, tuple[float, int]] = {}
        self._tokens = itertools.count()
        self._wake = threading.Event()
        self._sleeping = True
        self._thread: threading.Thread | None = None

    def arm(self, context: quickjs.Context, deadline: float) -> int:
        """Register a call on ``context`` that must end by ``deadline`` (``time.monotonic()``)."""
        token = next(self._tokens)
        with self._lock:
            self._armed[token] = (deadline, id(context))
            if self._sleeping:
                self._sleeping = False
                if self._thread is None:
                    self._thread = threading.Thread(
                        target=self._watch, name="mapper-js-watchdog", daemon=True
                    )
                    self._thread.start()
                self._wake.set()
        return token

    def disarm(self, token: int) -> None:
        """The call ended; after this returns the watchdog no longer touches its context."""
        with self._lock:
            self._armed.pop(token, None)

    def _watch(self) -> None:
        last_busy = time.monotonic()
        while True:
            time.sleep(_TICK_SECONDS)
            now = time.monotonic()
            with self._lock:
                if self._armed:
                    last_busy = now
                    for deadline, address in self._armed.values():
                        if now >= deadline:
                            # Repeated every tick until the call ends: a write that lands before
                            # the binding's call setup is overwritten by it, the next one is not.
                            _interrupt(address)
                    continue
                if now - last_busy < _IDLE_AFTER_SECONDS:
                    continue
                self._sleeping = True
                self._wake.clear()
            self._wake.wait()
            last_busy = time.monotonic()

    def _reset_after_fork(self) -> None:
        # The thread does not exist in a forked child; start afresh there.
        self._lock = threading.Lock()
        self._armed = {}
        self._wake = threading.Event()
        self._sleeping = True
        self._thread = None


WATCHDOG = WallClockWatchdog()
if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=WATCHDOG._reset_after_fork)

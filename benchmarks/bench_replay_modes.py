"""How ``mapper replay`` prepares events: one by one, in batches, in a mapping thread — measured.

    .venv/bin/python benchmarks/bench_replay_modes.py [--n 30000] [--runs 3] [--skip-s3] [--skip-dir]

Runs :func:`mapper.replay.session.run_replay` (the code behind ``mapper replay``) in a fresh
child process per run, over ``--n`` generated twin events (``benchmarks/generate_events.py``)
mapped by ``mappings/s3-per-revision.js``, with these modes, interleaved run by run so that
machine noise hits them alike:

- ``one by one``: ``prepare(record)`` per event on the runner's thread (one QuickJS call each),
  the path before batching;
- ``batch 64``: ``prepare_batch`` of 64 events on the runner's thread (one QuickJS call each);
- ``batch 64 + thread``: the same in a mapping thread of its own (the default);
- the default again with ``--checkpoint`` (re-sends bounded by the window: the cost of waiting
  for durable saves).

Targets: a local directory, and S3 through the publisher into a loopback nginx PUT sink
(``bench_publish.start_nginx``). Prints events/s (the report's rate, interpreter start-up
excluded) as median (min-max) per mode and the ratio to ``one by one``.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
from pathlib import Path

import bench_publish  # benchmarks/: the nginx PUT sink
from bench_replay_e2e import env_with_credentials
from generate_events import write_events

ROOT = Path(__file__).resolve().parent.parent
WORK = Path(__file__).resolve().parent / ".work" / "replay-modes"
SCRIPT = ROOT / "mappings" / "s3-per-revision.js"

MODES: dict[str, dict[str, object]] = {
    "one by one": {"batch_size": 1, "mapping_thread": False},
    "batch 64": {"batch_size": 64, "mapping_thread": False},
    "batch 64 + thread": {"batch_size": 64, "mapping_thread": True},
    "batch 64 + thread + checkpoint": {"batch_size": 64, "mapping_thread": True, "checkpoint": True},
}

CHILD = """
import json, sys
from mapper.replay.session import ReplayOptions, run_replay
options = json.loads(sys.argv[1])
report = run_replay(ReplayOptions(**options))
print(report.to_json())
"""


def run_mode(events: Path, target: dict[str, str], mode: dict[str, object]) -> tuple[float, float]:
    """(events/s, CPU µs per event incl. start-up) of one replay in a fresh process."""
    options: dict[str, object] = {"inputs": [str(events)], "script": str(SCRIPT), "quiet": True, **target}
    options.update({k: v for k, v in mode.items() if k != "checkpoint"})
    checkpoint = WORK / "replay.checkpoint"
    checkpoint.unlink(missing_ok=True)
    if mode.get("checkpoint"):
        options["checkpoint"] = str(checkpoint)
    options["dead_letter"] = str(WORK / "dead-letter.jsonl")
    out = WORK / "out"
    shutil.rmtree(out, ignore_errors=True)
    with open(WORK / "stdout", "w+") as stdout, open(WORK / "stderr", "w+") as stderr:
        proc = subprocess.Popen(
            [sys.executable, "-c", CHILD, json.dumps(options)],
            stdout=stdout,
            stderr=stderr,
            env=env_with_credentials(),
        )
        _, status, usage = os.wait4(proc.pid, 0)
        stdout.seek(0)
        stderr.seek(0)
        if os.waitstatus_to_exitcode(status) != 0:
            raise SystemExit(f"replay failed: {stderr.read()[-2000:]}")
        report = json.loads(stdout.read())
    if report["archived"] != report["read"]:
        raise SystemExit(f"not every event archived: {report}")
    cpu_us = (usage.ru_utime + usage.ru_stime) / report["read"] * 1e6
    return float(report["events_per_s"]), cpu_us


def compare(title: str, events: Path, target: dict[str, str], runs: int) -> None:
    print(f"\n{title}, {runs} runs each (interleaved)")
    rates: dict[str, list[float]] = {name: [] for name in MODES}
    cpu: dict[str, list[float]] = {name: [] for name in MODES}
    for run in range(runs):
        line = []
        for name, mode in MODES.items():
            rate, cpu_us = run_mode(events, target, mode)
            rates[name].append(rate)
            cpu[name].append(cpu_us)
            line.append(f"{name}: {rate:,.0f}/s {cpu_us:.0f} µs")
        print(f"  run {run + 1}: " + "; ".join(line) + f"  (load {os.getloadavg()[0]:.1f})", flush=True)
    base = statistics.median(rates["one by one"])
    print(f"\n  {'mode':34} {'events/s, median (min-max)':>28} {'vs one by one':>14} {'CPU µs/event':>13}")
    for name, values in rates.items():
        median = statistics.median(values)
        spread = f"{median:,.0f} ({min(values):,.0f}-{max(values):,.0f})"
        print(f"  {name:34} {spread:>28} {median / base:>13.2f}x {statistics.median(cpu[name]):>13.0f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=30_000, help="events per run (default 30000)")
    parser.add_argument("--runs", type=int, default=3, help="runs per mode (default 3)")
    parser.add_argument("--skip-s3", action="store_true", help="leave out the nginx case")
    parser.add_argument("--skip-dir", action="store_true", help="leave out the directory case")
    args = parser.parse_args()
    WORK.mkdir(parents=True, exist_ok=True)
    events = WORK / f"events-{args.n}.jsonl"
    if not events.exists():
        write_events(args.n, events)
    print(f"machine: {bench_publish._machine()}; load average {os.getloadavg()[0]:.1f}")
    if not args.skip_dir:
        compare(f"(1) {args.n:,} events into a directory", events, {"to": str(WORK / "out")}, args.runs)
    if not args.skip_s3:
        bench_publish.WORK = WORK / "nginx"
        nginx, port = bench_publish.start_nginx()
        try:
            target = {"to": "s3://archive", "endpoint_url": f"http://127.0.0.1:{port}"}
            title = f"(2) {args.n:,} events into nginx (S3 publisher, 16 connections)"
            compare(title, events, target, args.runs)
        finally:
            nginx.terminate()
            nginx.wait(timeout=10)
    shutil.rmtree(WORK / "out", ignore_errors=True)


if __name__ == "__main__":
    main()

"""``mapper map`` vs Node's ``vm`` running the same mapping script, JSON Lines in -> JSON Lines out.

Run: ``.venv/bin/python benchmarks/bench_map.py [--events 100000] [--runs 5]``

Generates an event log (``benchmarks/generate_events.py``), then alternates runs of
``mapper map --script mappings/s3-per-revision.js`` and ``node benchmarks/node_map.js`` on it, prints the
median wall time and events/s of each and the ratio (target: mapper <= 3x Node), and checks that
both wrote the same output. Prints the machine (CPUs, model, Python and Node versions) too.
"""

from __future__ import annotations

import argparse
import filecmp
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
SCRIPT = HERE.parent / "mappings" / "s3-per-revision.js"
NODE_SCRIPT = HERE / "node_map.js"


def _write_events(n: int, path: Path) -> None:
    sys.path.insert(0, str(HERE))
    try:
        from generate_events import write_events  # another benchmark's generator, if present
    except ImportError:  # pragma: no cover - fallback generator
        import json

        with path.open("w", encoding="utf-8") as out:
            for i in range(n):
                event = {
                    "topic": f"com.acme/thing-{i % 1000}/things/twin/events/modified",
                    "headers": {"correlation-id": f"c-{i}"},
                    "path": "/attributes/a",
                    "value": {"n": i},
                    "revision": i // 1000 + 1,
                }
                out.write(json.dumps(event) + "\n")
        return
    write_events(n, path)


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _time(command: list[str]) -> float:
    started = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - started


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--jobs", type=int, default=None, help="mapper map --jobs (default: its own)")
    args = parser.parse_args(argv)
    node = shutil.which("node")
    if node is None:
        print("node is not installed: cannot compare", file=sys.stderr)
        return 2
    mapper = [sys.executable, "-c", "from mapper.cli.main import main; main()", "map"]
    node_version = subprocess.run([node, "--version"], capture_output=True, text=True).stdout.strip()
    python_version = platform.python_version()
    print(f"machine: {os.cpu_count()} CPUs, {_cpu_model()}; Python {python_version}; Node {node_version}")
    with tempfile.TemporaryDirectory() as tmp:
        events = Path(tmp) / "events.jsonl"
        _write_events(args.events, events)
        size = events.stat().st_size
        print(f"input: {args.events:,} events, {size / 1e6:.1f} MB JSON Lines; script: {SCRIPT.name}")
        mapper_out, node_out = Path(tmp) / "mapper.jsonl", Path(tmp) / "node.jsonl"
        jobs = ["--jobs", str(args.jobs)] if args.jobs else []
        mapper_cmd = [*mapper, "--script", str(SCRIPT), *jobs, str(events)]
        node_cmd = [node, str(NODE_SCRIPT), str(SCRIPT), str(events), str(node_out)]
        mapper_times, node_times = [], []
        for run in range(args.runs):
            with mapper_out.open("wb") as sink:
                started = time.perf_counter()
                subprocess.run(mapper_cmd, check=True, stdout=sink)
                mapper_times.append(time.perf_counter() - started)
            node_times.append(_time(node_cmd))
            print(f"  run {run + 1}: mapper {mapper_times[-1]:.2f} s, node {node_times[-1]:.2f} s")
        same = filecmp.cmp(mapper_out, node_out, shallow=False)
    m, n = statistics.median(mapper_times), statistics.median(node_times)
    print(f"{'':10}{'median s':>10}{'events/s':>12}")
    print(f"{'mapper':10}{m:>10.2f}{args.events / m:>12,.0f}")
    print(f"{'node vm':10}{n:>10.2f}{args.events / n:>12,.0f}")
    print(f"ratio mapper/node: {m / n:.2f}x (target <= 3x); outputs identical: {same}")
    return 0 if same else 1


if __name__ == "__main__":
    raise SystemExit(main())

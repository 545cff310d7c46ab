"""End-to-end ``mapper replay`` benchmark: the real command, timed as a user would see it.

    .venv/bin/python benchmarks/bench_replay_e2e.py [--n 20000] [--runs 3] [--big 1000000] [--skip-big]

(1) S3: ``--n`` generated twin events (``benchmarks/generate_events.py``) replayed by
    ``mapper replay EVENTS --script mappings/s3-per-revision.js --to s3://archive
    --endpoint-url http://127.0.0.1:PORT`` into a loopback nginx PUT sink (started with
    ``bench_publish.start_nginx``), side by side with boto3 ``put_object`` from 8 threads into the
    same sink, the key computed in Python (no JavaScript), the body the event line. Runs are
    interleaved (mapper, boto3, mapper, ...) so machine noise hits both alike; the mapper time is
    the whole process (interpreter start-up included), and the report's own events/s is shown too.
(2) Directory: ``--big`` events replayed into a local directory target (one file per event) with
    events/s and the peak RSS of the replay process (``wait4`` rusage of that child alone).

Prints medians (min-max) and the ratio. Work files go to ``benchmarks/.work/replay-e2e/``.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

import bench_publish  # benchmarks/: the nginx PUT sink and the boto3 case
from generate_events import write_events

ROOT = Path(__file__).resolve().parent.parent
WORK = Path(__file__).resolve().parent / ".work" / "replay-e2e"
SCRIPT = ROOT / "mappings" / "s3-per-revision.js"
MAPPER = [sys.executable, "-c", "from mapper.cli.main import main; main()"]
BOTO3_THREADS = 8


def seed_key(line: bytes) -> str:
    """The key mappings/s3-per-revision.js gives an event, computed in Python."""
    event = json.loads(line)
    return ":".join(event["topic"].split("/")) + ":" + str(event["revision"])


def env_with_credentials() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(
        AWS_ACCESS_KEY_ID=bench_publish.ACCESS_KEY,
        AWS_SECRET_ACCESS_KEY=bench_publish.SECRET_KEY,
        AWS_DEFAULT_REGION=bench_publish.REGION,
        AWS_EC2_METADATA_DISABLED="true",
        AWS_CONFIG_FILE=str(WORK / "no-config"),
        AWS_SHARED_CREDENTIALS_FILE=str(WORK / "no-credentials"),
    )
    return env


def run_replay(args: list[str], report: Path) -> tuple[float, dict, float]:
    """Run ``mapper replay ARGS``; (wall seconds, the --report JSON, peak RSS in MB)."""
    report.unlink(missing_ok=True)
    start = time.perf_counter()
    proc = subprocess.Popen(
        [*MAPPER, "replay", *args, "-q", "--report", str(report)], env=env_with_credentials()
    )
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise SystemExit(f"mapper replay exited {proc.returncode}")
    stats = json.loads(report.read_text())
    if stats["failed"] or stats["invalid"]:
        raise SystemExit(f"mapper replay failed events: {stats}")
    return wall, stats, usage.ru_maxrss / 1024


def boto3_run(port: int, items: list[bytes]) -> float:
    """Seconds for boto3 put_object of every line, BOTO3_THREADS threads, key computed per event."""
    _, put, close = bench_publish.boto3_case(port, BOTO3_THREADS)

    def put_line(line: bytes) -> None:
        put((seed_key(line), line))

    try:
        put_line(items[0])  # warm the client (endpoint resolution, first connection)
        rate = bench_publish.run_threads(items, BOTO3_THREADS, put_line)
    finally:
        close()
    return len(items) / rate


def fmt(values: list[float], unit: str = "") -> str:
    return f"{statistics.median(values):,.0f}{unit} ({min(values):,.0f}-{max(values):,.0f})"


def s3_case(n: int, runs: int) -> None:
    events = WORK / f"events-{n}.jsonl"
    if not events.exists():
        write_events(n, events)
    lines = events.read_bytes().splitlines()
    bench_publish.WORK = WORK / "nginx"  # its own nginx files, apart from bench_publish's
    nginx, port = bench_publish.start_nginx()
    url = f"http://127.0.0.1:{port}"
    walls: list[float] = []
    inner: list[float] = []
    rss: list[float] = []
    boto: list[float] = []
    try:
        print(
            f"\n(1) {n:,} events ({events.stat().st_size / 1e6:.1f} MB) into nginx on {url}, {runs} runs each"
        )
        for run in range(runs):
            wall, stats, peak = run_replay(
                [str(events), "--script", str(SCRIPT), "--to", "s3://archive", "--endpoint-url", url],
                WORK / "report.json",
            )
            assert stats["archived"] == n, stats
            walls.append(wall)
            inner.append(stats["events_per_s"])
            rss.append(peak)
            boto.append(boto3_run(port, lines))
            print(
                f"  run {run + 1}: mapper replay {wall:6.2f} s ({n / wall:,.0f}/s; "
                f"report {stats['events_per_s']:,.0f}/s, retries {stats['retries']}), "
                f"boto3 {boto[-1]:6.2f} s ({n / boto[-1]:,.0f}/s)"
            )
    finally:
        nginx.terminate()
        nginx.wait(timeout=10)
    mapper_rate = [n / w for w in walls]
    boto_rate = [n / b for b in boto]
    ratio = statistics.median(mapper_rate) / statistics.median(boto_rate)
    print(f"\n  {'case':48} {'events/s, median (min-max)':>30}")
    print(f"  {'mapper replay (whole process, 16 connections)':48} {fmt(mapper_rate):>30}")
    print(f"  {'  same runs, replay only (report events_per_s)':48} {fmt(inner):>30}")
    print(f"  {f'boto3 put_object, {BOTO3_THREADS} threads, key in Python':48} {fmt(boto_rate):>30}")
    print(f"  mapper / boto3: {ratio:.2f}x (target >= 3x); mapper peak RSS {statistics.median(rss):.0f} MB")


def directory_case(n: int, runs: int) -> None:
    events = WORK / f"events-{n}.jsonl"
    if not events.exists():
        print(f"\n(2) generating {n:,} events ...", flush=True)
        write_events(n, events)
    out = WORK / "out"
    print(f"\n(2) {n:,} events ({events.stat().st_size / 1e6:.0f} MB) into a directory, {runs} run(s)")
    rates: list[float] = []
    peaks: list[float] = []
    for run in range(runs):
        shutil.rmtree(out, ignore_errors=True)
        wall, stats, peak = run_replay(
            [str(events), "--script", str(SCRIPT), "--to", str(out)], WORK / "report.json"
        )
        assert stats["archived"] == n, stats
        rates.append(n / wall)
        peaks.append(peak)
        print(
            f"  run {run + 1}: {wall:7.1f} s, {n / wall:,.0f} events/s "
            f"(report {stats['events_per_s']:,.0f}/s), peak RSS {peak:.0f} MB"
        )
    shutil.rmtree(out, ignore_errors=True)
    print(f"  median: {fmt(rates, ' events/s')}, peak RSS {fmt(peaks, ' MB')} (target < 200 MB)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=20_000, help="events for the S3 comparison (default 20000)")
    parser.add_argument("--runs", type=int, default=3, help="runs per case in (1) (default 3)")
    parser.add_argument("--big", type=int, default=1_000_000, help="events for the directory case")
    parser.add_argument("--big-runs", type=int, default=1, help="runs of the directory case (default 1)")
    parser.add_argument("--skip-s3", action="store_true", help="leave out (1)")
    parser.add_argument("--skip-big", action="store_true", help="leave out (2)")
    args = parser.parse_args()
    WORK.mkdir(parents=True, exist_ok=True)
    print(f"machine: {bench_publish._machine()}; load average {os.getloadavg()[0]:.1f}")
    if not args.skip_s3:
        s3_case(args.n, args.runs)
    if not args.skip_big:
        directory_case(args.big, args.big_runs)


if __name__ == "__main__":
    main()

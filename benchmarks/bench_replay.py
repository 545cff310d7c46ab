"""Replay building blocks: reader speed, key-registry memory, runner overhead, checkpoint and
directory-write costs.  Run:  .venv/bin/python benchmarks/bench_replay.py  (medians of 3 runs)."""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from mapper.outcome import OutcomeKind, TargetOutcome
from mapper.protocol.external import ExternalMessage
from mapper.publish.directory import DirectoryPublisher
from mapper.replay.checkpoint import Checkpoint
from mapper.replay.dead_letter import DeadLetterWriter
from mapper.replay.reader import Position, read_records
from mapper.replay.runner import ReplayRunner

RUNS = 3
LINES = 1_000_000


def median_time(fn) -> float:
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def make_input(directory: Path) -> tuple[Path, Path]:
    line = json.dumps(
        {
            "topic": "org.acme/dev-1/things/twin/events/modified",
            "path": "/features/t/properties",
            "headers": {"correlation-id": "x" * 36},
            "value": {"v": "y" * 200},
            "revision": 1,
        }
    )
    data = "".join(line.replace('"revision": 1', f'"revision": {i}') + "\n" for i in range(LINES)).encode()
    plain = directory / "events.jsonl"
    plain.write_bytes(data)
    gz = directory / "events.jsonl.gz"
    gz.write_bytes(gzip.compress(data, compresslevel=1))
    return plain, gz


def registry_rss(n: int) -> tuple[float, float]:
    code = (
        "import re\n"
        "from mapper.replay.keys import KeyRegistry\n"
        "def hwm():  # peak RSS of this process (VmHWM; ru_maxrss would include the forking parent)\n"
        "    return int(re.search(r'VmHWM:\\s+(\\d+)', open('/proc/self/status').read())[1]) / 1024\n"
        "base = hwm()\n"
        "r = KeyRegistry()\n"
        f"for i in range({n}):\n"
        "    r.claim(f'thing:acme:dev-{i}/2024/rev-{i}', i.to_bytes(8, 'little'), source='e', line=i)\n"
        "print(base, hwm())\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    base, peak = map(float, out.split())
    return base, peak


@dataclass(frozen=True)
class Job:
    key: str
    content_digest: bytes


def main() -> None:
    with tempfile.TemporaryDirectory(dir=".") as tmp:
        work = Path(tmp)
        plain, gz = make_input(work)
        size_mb = plain.stat().st_size / 1e6
        print(f"input: {LINES:,} lines, {size_mb:.0f} MB plain, {gz.stat().st_size / 1e6:.0f} MB gzip")

        t_plain = median_time(lambda: sum(1 for _ in read_records([str(plain)])))
        t_gz = median_time(lambda: sum(1 for _ in read_records([str(gz)])))
        t_skip = median_time(lambda: sum(1 for _ in read_records([str(plain)], start=Position(0, LINES))))
        print(f"{'reader':32} {'s / 1M lines':>14} {'lines/s':>12}")
        for name, t in (("plain JSONL", t_plain), ("gzip JSONL", t_gz), ("resume skip (no records)", t_skip)):
            print(f"{name:32} {t:14.2f} {LINES / t:12,.0f}")

        base, peak = registry_rss(LINES)
        print(
            f"\nkey registry, 1M claims: RSS {base:.0f} MB before -> peak {peak:.0f} MB "
            f"(+{peak - base:.0f} MB)"
        )

        n = 200_000

        def prepare(record):
            return [Job(f"k{record.line}", hashlib.blake2b(record.text.encode(), digest_size=8).digest())]

        def execute(job):
            return TargetOutcome(OutcomeKind.PUBLISHED, key=job.key, attempts=1)

        sub = work / "sub.jsonl"
        with open(plain, "rb") as src, open(sub, "wb") as dst:
            for _, line in zip(range(n), src, strict=False):
                dst.write(line)

        def run(checkpoint: bool) -> None:
            cp_path = work / "cp.json"
            cp_path.unlink(missing_ok=True)
            cp = Checkpoint(cp_path, [str(sub)]) if checkpoint else None
            ReplayRunner(
                prepare,
                execute,
                concurrency=8,
                checkpoint=cp,
                dead_letter=DeadLetterWriter(work / "dl.jsonl"),
            ).run(read_records([str(sub)]))

        t_nocp = median_time(lambda: run(False))
        t_cp = median_time(lambda: run(True))
        print(f"\n{'runner, no-op execute, 8 threads':40} {'events/s':>10}")
        print(f"{'  without checkpoint':40} {n / t_nocp:10,.0f}")
        print(f"{'  checkpoint every 32 records':40} {n / t_cp:10,.0f}")

        cp = Checkpoint(work / "cp2.json", [str(sub)])
        counters = {"read": 1, "archived": 1, "elapsed_s": 1.0}
        t_save = median_time(lambda: [cp.save(Position(0, i), counters) for i in range(200)]) / 200
        print(f"checkpoint.save (fsync + rename + dir fsync): {t_save * 1000:.2f} ms")

        m = 2000
        for fsync in (False, True):

            def publish(fsync=fsync) -> None:
                out = work / f"out-{fsync}-{time.monotonic_ns()}"
                pub = DirectoryPublisher(out, fsync=fsync)
                for i in range(m):
                    pub.publish(
                        ExternalMessage(headers={"http.path": f"/t/{i % 50}/ev-{i}"}, text_payload="x" * 400)
                    )

            t = median_time(publish)
            print(f"directory publish, fsync={fsync!s:5}: {m / t:8,.0f} objects/s")
        os.sync()


if __name__ == "__main__":
    main()

"""Signer benchmark: µs per signed S3 PUT, mapper's SigV4Signer vs botocore's S3SigV4Auth.

The request is the seed's: PUT of a Ditto event to the key ``<ns>:<name>:things:twin:events:modified:<rev>``
with a 500-byte JSON body, ``xAmzContentSha256: INCLUDED``, ``canonicalHeaders: [host, x-amz-date]``.
Each case runs ``--runs`` times over ``--number`` calls; the table shows the median (and min/max) µs
per call and the ratio to botocore. Run: ``.venv/bin/python benchmarks/bench_signer.py``.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import time
from collections.abc import Callable
from datetime import datetime, timezone
from urllib.parse import quote

from botocore.auth import S3SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from mapper.signing import (
    AwsCredentials,
    PayloadHashMode,
    SigV4Signer,
    StaticCredentialProvider,
    encode_s3_path,
)

ACCESS_KEY = "AKIAIOSFODNN7EXAMPLE"
SECRET_KEY = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
REGION = "eu-central-1"
HOST = f"archive-bucket.s3.{REGION}.amazonaws.com"
RAW_KEY = "/com.acme:coffee-brewer:things:twin:events:modified:42"
_EVENT = (
    '{"topic":"com.acme/coffee-brewer/things/twin/events/modified","headers":{},'
    '"path":"/features/water/properties/level","revision":42,"timestamp":"2024-05-01T12:00:00Z","value":"%s"}'
)
BODY = (_EVENT % ("x" * (500 - len(_EVENT) + 2))).encode()  # a 500-byte event
HEADERS = {"Content-Type": "application/json"}


def per_call_us(func: Callable[[], object], number: int, runs: int) -> list[float]:
    """µs per call for each run."""
    results = []
    for _ in range(runs):
        start = time.perf_counter()
        for _ in range(number):
            func()
        results.append((time.perf_counter() - start) / number * 1e6)
    return results


def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo") as cpuinfo:
            for line in cpuinfo:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip() + f" ({os.cpu_count()} cores)"
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--number", type=int, default=20000, help="calls per run")
    parser.add_argument("--runs", type=int, default=7, help="runs per case (median reported)")
    args = parser.parse_args()
    assert len(BODY) == 500

    signer = SigV4Signer(
        region=REGION,
        service="s3",
        credentials=StaticCredentialProvider(AwsCredentials(ACCESS_KEY, SECRET_KEY)),
        double_encode=False,
        canonical_headers=["host", "x-amz-date"],
        payload_hash_mode=PayloadHashMode.INCLUDED,
    )
    wire_path = encode_s3_path(RAW_KEY)
    botocore_auth = S3SigV4Auth(Credentials(ACCESS_KEY, SECRET_KEY), "s3", REGION)
    url = f"http://{HOST}{wire_path}"  # http: botocore always signs the payload there, like INCLUDED

    def ours_sign() -> object:
        return signer.sign("PUT", HOST, wire_path, "", HEADERS, BODY)

    def ours_encode_and_sign() -> object:
        return signer.sign("PUT", HOST, encode_s3_path(RAW_KEY), "", HEADERS, BODY)

    def botocore_add_auth() -> object:
        request = AWSRequest(method="PUT", url=url, headers=dict(HEADERS), data=BODY)
        botocore_auth.add_auth(request)
        return request

    # same signature from both, or the comparison means nothing
    request = botocore_add_auth()
    signed_at = datetime.strptime(request.headers["X-Amz-Date"], "%Y%m%dT%H%M%SZ").replace(
        tzinfo=timezone.utc
    )
    # botocore signs every header present: sign content-type too for the equality check
    check = SigV4Signer(
        region=REGION,
        service="s3",
        credentials=StaticCredentialProvider(AwsCredentials(ACCESS_KEY, SECRET_KEY)),
        double_encode=False,
        canonical_headers=["host", "content-type"],
        payload_hash_mode=PayloadHashMode.INCLUDED,
    )
    ours = check.sign("PUT", HOST, wire_path, "", HEADERS, BODY, now=signed_at)["authorization"]
    assert ours == request.headers["Authorization"], (ours, request.headers["Authorization"])

    cases = [
        ("botocore S3SigV4Auth.add_auth (incl. AWSRequest)", botocore_add_auth),
        ("mapper SigV4Signer.sign", ours_sign),
        ("mapper encode_s3_path + sign", ours_encode_and_sign),
        ("mapper encode_s3_path (seed key)", lambda: encode_s3_path(RAW_KEY)),
        ("urllib.parse.quote (same key)", lambda: quote(RAW_KEY, safe="/~")),
    ]
    print(
        f"Python {platform.python_version()} on {platform.machine()}, {_cpu_model()}; "
        f"{args.runs} runs x {args.number} calls; median (min-max) µs per call"
    )
    for _, func in cases:
        for _ in range(min(args.number, 2000)):  # warm up caches (signing key, clock)
            func()
    # round-robin: machine noise (2 shared cores) hits every case alike, so the ratios stay fair
    results: dict[str, list[float]] = {name: [] for name, _ in cases}
    for _ in range(args.runs):
        for name, func in cases:
            results[name].extend(per_call_us(func, args.number, 1))
    baseline = statistics.median(results[cases[0][0]])
    width = max(len(name) for name, _ in cases)
    for name, _ in cases:
        runs = results[name]
        median = statistics.median(runs)
        ratio = (
            f"{baseline / median:5.1f}x faster" if name.startswith("mapper SigV4") or "+ sign" in name else ""
        )
        print(f"{name:<{width}}  {median:7.2f} ({min(runs):.2f}-{max(runs):.2f})  {ratio}")


if __name__ == "__main__":
    main()

"""Publisher benchmark: signed S3 PUTs per second into a loopback nginx sink.

One command (``.venv/bin/python benchmarks/bench_publish.py``): writes an nginx config under
``benchmarks/.work/`` (a ``location`` that reads and discards the PUT body and answers 200),
starts ``/usr/sbin/nginx``, then measures side by side, interleaved run by run so machine noise
hits every case alike:

- mapper's S3Publisher (http.client keep-alive pool, SigV4 INCLUDED) with 1, 8 and 16 threads
  (concurrency = threads);
- the same signer over a urllib3 ``HTTPConnectionPool`` (8 threads) — the alternative HTTP client
  the publisher's design was chosen against;
- boto3 ``put_object`` from 8 threads sharing one client (path-style, ``endpoint_url`` = the sink).

Each case PUTs ``--n`` objects (seed-style keys, a ~500-byte Ditto event) per run, ``--runs``
runs; prints the median (min-max) PUT/s and the ratio to boto3. nginx is stopped at the end.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import platform
import shutil
import socket
import statistics
import subprocess
import threading
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path

WORK = Path(__file__).resolve().parent / ".work"
NGINX = "/usr/sbin/nginx"
ACCESS_KEY = "AKIAIOSFODNN7EXAMPLE"
SECRET_KEY = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
BUCKET = "archive-bucket"
REGION = "eu-central-1"
_EVENT = (
    '{"topic":"com.acme/coffee-brewer-%05d/things/twin/events/modified","headers":{},'
    '"path":"/features/water/properties/level","revision":%d,"timestamp":"2024-05-01T12:00:00Z","value":"%s"}'
)

NGINX_CONF = """\
worker_processes 1;
daemon off;
pid {work}/nginx.pid;
error_log {work}/error.log warn;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    client_body_temp_path {work}/body;
    proxy_temp_path {work}/proxy;
    fastcgi_temp_path {work}/fastcgi;
    uwsgi_temp_path {work}/uwsgi;
    scgi_temp_path {work}/scgi;
    keepalive_requests 10000000;
    keepalive_timeout 75s;
    server {{
        listen 127.0.0.1:{port} backlog=1024;
        client_max_body_size 16m;
        # The whole body fits in memory; 'return' makes nginx read and discard it before answering
        # the next request on the connection, so every byte still crosses the socket.
        client_body_buffer_size 1m;
        location / {{
            return 200;
        }}
    }}
}}
"""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_nginx() -> tuple[subprocess.Popen, int]:
    """nginx as a PUT sink on a free loopback port (installs nginx-light if it is missing)."""
    if not os.path.exists(NGINX):
        subprocess.run(["apt-get", "install", "-y", "nginx-light"], check=True)
    WORK.mkdir(parents=True, exist_ok=True)
    port = _free_port()
    conf = WORK / "nginx.conf"
    conf.write_text(NGINX_CONF.format(work=WORK, port=port))
    proc = subprocess.Popen([NGINX, "-p", str(WORK), "-c", str(conf)])
    deadline = time.monotonic() + 10
    while True:
        try:
            request = urllib.request.Request(f"http://127.0.0.1:{port}/probe", data=b"x", method="PUT")
            with urllib.request.urlopen(request, timeout=1) as answer:
                assert answer.status == 200
            return proc, port
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"nginx did not start; see {WORK / 'error.log'}") from None
            time.sleep(0.05)


def messages(n: int) -> list[tuple[str, bytes]]:
    """(key, body) pairs: seed-style keys, ~500-byte Ditto events."""
    out = []
    for i in range(n):
        filler = "x" * 300
        out.append(
            (
                f"com.acme:coffee-brewer-{i % 1000:05d}:things:twin:events:modified:{i}",
                (_EVENT % (i % 1000, i, filler)).encode(),
            )
        )
    return out


def run_threads(items: list, threads: int, put: Callable[[object], None]) -> float:
    """PUT/s when ``threads`` threads each PUT an equal slice of ``items``."""
    slices = [items[i::threads] for i in range(threads)]
    errors: list[BaseException] = []

    def work(part: list) -> None:
        try:
            for item in part:
                put(item)
        except BaseException as exc:  # surfaced below: a benchmark that fails must not print a rate
            errors.append(exc)

    workers = [threading.Thread(target=work, args=(part,)) for part in slices]
    start = time.perf_counter()
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    elapsed = time.perf_counter() - start
    if errors:
        raise errors[0]
    return len(items) / elapsed


def mapper_case(port: int, threads: int):
    from mapper.protocol.external import ExternalMessage
    from mapper.publish.endpoint import S3Endpoint
    from mapper.publish.s3 import S3Publisher

    endpoint = S3Endpoint.from_ditto_uri(
        f"https://{BUCKET}.s3.{REGION}.amazonaws.com:443", endpoint_url=f"http://127.0.0.1:{port}"
    )
    publisher = S3Publisher(endpoint, _signer(), concurrency=threads)

    def prepare(items):
        return [ExternalMessage({"http.path": key}, None, body, "application/json") for key, body in items]

    def put(message) -> None:
        publisher.publish(message)

    return prepare, put, publisher.close


def urllib3_case(port: int, threads: int):
    import urllib3

    from mapper.signing.sigv4 import encode_s3_path

    signer = _signer()
    pool = urllib3.HTTPConnectionPool("127.0.0.1", port, maxsize=threads, block=True, retries=False)
    host = f"127.0.0.1:{port}"

    def put(item) -> None:
        key, body = item
        path = f"/{BUCKET}" + encode_s3_path("/" + key)
        headers = {"Content-Type": "application/json", "Content-Length": str(len(body))}
        headers.update(
            signer.sign("PUT", host, path, "", headers, body, payload_sha256=hashlib.sha256(body).hexdigest())
        )
        answer = pool.urlopen(
            "PUT", path, body=body, headers=headers, assert_same_host=False, preload_content=True
        )
        if answer.status != 200:
            raise RuntimeError(f"urllib3 PUT answered {answer.status}")

    return (lambda items: items), put, pool.close


def boto3_case(port: int, threads: int):
    import boto3
    from botocore.config import Config

    client = boto3.client(
        "s3",
        endpoint_url=f"http://127.0.0.1:{port}",
        region_name=REGION,
        aws_access_key_id=ACCESS_KEY,
        aws_secret_access_key=SECRET_KEY,
        config=Config(
            s3={"addressing_style": "path"}, max_pool_connections=threads, retries={"max_attempts": 1}
        ),
    )

    def put(item) -> None:
        key, body = item
        client.put_object(Bucket=BUCKET, Key=key, Body=body, ContentType="application/json")

    return (lambda items: items), put, client.close


def _signer():
    from mapper.signing.credentials import AwsCredentials, StaticCredentialProvider
    from mapper.signing.params import PayloadHashMode
    from mapper.signing.sigv4 import SigV4Signer

    return SigV4Signer(
        region=REGION,
        service="s3",
        credentials=StaticCredentialProvider(AwsCredentials(ACCESS_KEY, SECRET_KEY)),
        double_encode=False,
        canonical_headers=("host", "x-amz-date"),
        payload_hash_mode=PayloadHashMode.INCLUDED,
    )


def _machine() -> str:
    cpu = platform.processor() or "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    nginx = subprocess.run([NGINX, "-v"], capture_output=True, text=True).stderr.strip()
    return (
        f"{cpu}, {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"{platform.system()} {platform.release()}, {nginx}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=5000, help="PUTs per case per run (default 5000)")
    parser.add_argument("--runs", type=int, default=3, help="runs per case (default 3)")
    parser.add_argument("--skip-boto3", action="store_true", help="leave out the (slow) boto3 case")
    args = parser.parse_args()

    cases: list[tuple[str, Callable, int]] = [
        ("mapper S3Publisher, 1 thread", mapper_case, 1),
        ("mapper S3Publisher, 8 threads", mapper_case, 8),
        ("mapper S3Publisher, 16 threads", mapper_case, 16),
        ("same signer + urllib3 pool, 8 thr", urllib3_case, 8),
    ]
    if not args.skip_boto3:
        cases.append(("boto3 put_object, 8 threads", boto3_case, 8))

    nginx, port = start_nginx()
    try:
        print(f"machine: {_machine()}")
        print(
            f"sink: nginx on 127.0.0.1:{port} (return 200, body read and discarded); "
            f"{args.n} PUTs x {args.runs} runs per case, ~{len(messages(1)[0][1])}-byte bodies\n"
        )
        items = messages(args.n)
        built = []
        for name, factory, threads in cases:
            prepare, put, close = factory(port, threads)
            prepared = prepare(items)
            run_threads(prepared[: min(500, len(prepared))], threads, put)  # warm up connections
            built.append((name, threads, prepared, put, close))
        rates: dict[str, list[float]] = {name: [] for name, *_ in built}
        for run in range(args.runs):
            for name, threads, prepared, put, _ in built:
                rates[name].append(run_threads(prepared, threads, put))
            print(f"run {run + 1}: " + ", ".join(f"{rates[n][-1]:,.0f}" for n in rates))
        for *_, close in built:
            close()
    finally:
        nginx.terminate()
        nginx.wait(timeout=10)
        shutil.rmtree(WORK / "body", ignore_errors=True)

    baseline = statistics.median(rates[cases[-1][0]])
    print(f"\n{'case':36} {'median PUT/s':>13} {'min-max':>17} {'vs ' + cases[-1][0].split(',')[0]:>18}")
    for name, values in rates.items():
        median = statistics.median(values)
        print(
            f"{name:36} {median:13,.0f} {min(values):8,.0f}-{max(values):<8,.0f} {median / baseline:17.2f}x"
        )


if __name__ == "__main__":
    main()

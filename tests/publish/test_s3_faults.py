"""S3Publisher against the fault-injecting server: retries, backoff, budget, timeouts, keep-alive."""

from __future__ import annotations

import hashlib
import itertools
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from fault_server import CloseWithoutResponse, FaultServer, Reply, Reset, SlowBody, Stall, s3_error

from mapper.errors import PublishConflictError, PublishError, TransportError
from mapper.protocol.external import ExternalMessage
from mapper.publish.endpoint import S3Endpoint
from mapper.publish.retry import RetryPolicy
from mapper.publish.s3 import S3Publisher

SLOWDOWN = s3_error(503, "SlowDown", "Please reduce your request rate.")
FAST = RetryPolicy(max_attempts=5, base_delay=0.001, max_delay=0.005)


def _publisher(server: FaultServer, retry: RetryPolicy = FAST, **options) -> S3Publisher:
    endpoint = S3Endpoint.from_ditto_uri(server.url, target_address="PUT:/")
    options.setdefault("read_timeout", 2.0)
    return S3Publisher(endpoint, None, retry=retry, **options)


def _message(key: str = "thing:42", body: str = "{}") -> ExternalMessage:
    return ExternalMessage({"http.path": key}, body, None, "application/json")


@pytest.mark.parametrize(
    "failure",
    [
        SLOWDOWN,
        Reply(500),
        Reply(502),
        s3_error(429, "TooManyRequests", "slow"),
        Reset(),
        CloseWithoutResponse(),
        s3_error(400, "RequestTimeout", "Your socket connection was not read from"),
        s3_error(409, "ConditionalRequestConflict", "concurrent write"),
    ],
    ids=lambda f: type(f).__name__ + (str(f.status) if isinstance(f, Reply) else ""),
)
def test_transient_failures_are_retried_then_succeed(fault_server, failure):
    fault_server.script(failure, failure, Reply(200, headers={"ETag": '"abc"'}))
    with _publisher(fault_server) as publisher:
        result = publisher.publish(_message())
        stats = publisher.stats
    assert (result.status, result.attempts, result.etag) == (200, 3, '"abc"')
    assert stats.retries == 2 and stats.requests == 3
    requests = fault_server.requests
    assert len(requests) == 3
    assert {r.body for r in requests} == {b"{}"}  # every retry resends the whole body


def test_attempts_are_bounded_and_the_last_error_is_reported(fault_server):
    fault_server.default = SLOWDOWN
    retry = RetryPolicy(max_attempts=4, base_delay=0.001, max_delay=0.002)
    with _publisher(fault_server, retry) as publisher, pytest.raises(PublishError) as caught:
        publisher.publish(_message())
    assert len(fault_server.requests) == 4
    error = caught.value
    assert (error.status, error.code, error.attempts) == (503, "SlowDown", 4)
    assert str(error) == "503 SlowDown: Please reduce your request rate. after 4 attempts (key 'thing:42')"


def test_client_errors_fail_at_once(fault_server):
    fault_server.script(s3_error(403, "AccessDenied", "Access Denied"))
    with _publisher(fault_server) as publisher, pytest.raises(PublishError) as caught:
        publisher.publish(_message())
    assert len(fault_server.requests) == 1
    assert str(caught.value) == "403 AccessDenied: Access Denied (key 'thing:42')"
    assert caught.value.attempts == 1


def test_non_xml_error_body_is_quoted(fault_server):
    fault_server.script(Reply(400, b"plain text from a proxy"))
    with _publisher(fault_server) as publisher, pytest.raises(PublishError) as caught:
        publisher.publish(_message())
    assert str(caught.value) == "400: plain text from a proxy (key 'thing:42')"


def test_backoff_grows_with_jitter_under_the_cap(fault_server):
    fault_server.default = Reply(500)
    policy = RetryPolicy(max_attempts=7, base_delay=0.02, max_delay=0.16, budget_burst=100)
    gaps_per_run = []
    with _publisher(fault_server, policy) as publisher:
        for run in range(4):
            with pytest.raises(PublishError):
                publisher.publish(_message(f"k{run}"))
            times = [r.received_at for r in fault_server.requests if r.path == f"/k{run}"]
            gaps_per_run.append([b - a for a, b in itertools.pairwise(times)])
    # Retry n waits uniform(0, min(cap, base * 2**(n-1))): ceilings .02 .04 .08 .16 .16 .16
    ceilings = [0.02, 0.04, 0.08, 0.16, 0.16, 0.16]
    slack = 0.05  # scheduling noise on a busy 2-core machine
    for gaps in gaps_per_run:
        assert len(gaps) == 6
        assert all(gap <= ceiling + slack for gap, ceiling in zip(gaps, ceilings, strict=True))
    # Growth: the late (capped) waits average clearly more than the first ones.
    first = sum(g[0] for g in gaps_per_run) / 4
    late = sum(sum(g[3:]) / 3 for g in gaps_per_run) / 4
    assert late > first
    # Jitter: the waits are not all the same.
    assert len({round(g[5], 3) for g in gaps_per_run}) > 1


def test_retry_budget_stops_a_retry_storm(fault_server):
    fault_server.default = SLOWDOWN
    policy = RetryPolicy(
        max_attempts=5,
        base_delay=0.0005,
        max_delay=0.001,
        budget_ratio=0.2,
        budget_burst=10,
        budget_refill_per_second=0.0,
    )
    failures = []
    with _publisher(fault_server, policy, concurrency=4) as publisher, ThreadPoolExecutor(4) as pool:

        def attempt(i: int) -> None:
            try:
                publisher.publish(_message(f"k{i}"))
            except PublishError as exc:
                failures.append(exc)

        list(pool.map(attempt, range(100)))
        stats = publisher.stats
    sent = len(fault_server.requests)
    assert len(failures) == 100
    # Without a budget: 500 requests. With it: 100 first attempts + 10 burst + 0.2 * 100 earned.
    assert sent <= 100 + 10 + 20 + 1
    assert stats.budget_exhausted > 50
    assert any("retry budget exhausted" in str(f) for f in failures)


def test_read_timeout_then_success(fault_server):
    fault_server.script(Stall(5.0), Reply(200))
    with _publisher(fault_server, read_timeout=0.2) as publisher:
        started = time.monotonic()
        result = publisher.publish(_message())
    assert result.attempts == 2
    assert time.monotonic() - started < 2.0


def test_read_timeout_every_time_is_a_transport_error(fault_server):
    fault_server.default = Stall(5.0)
    retry = RetryPolicy(max_attempts=2, base_delay=0.001, max_delay=0.001)
    with (
        _publisher(fault_server, retry, read_timeout=0.2) as publisher,
        pytest.raises(TransportError) as caught,
    ):
        publisher.publish(_message())
    text = str(caught.value)
    assert f"127.0.0.1:{fault_server.port}" in text
    assert "read timeout of 0.2s" in text
    assert caught.value.attempts == 2 and caught.value.status is None


def test_unreachable_endpoint_is_a_transport_error_naming_it():
    with FaultServer() as server:
        url, port = server.url, server.port
    # the server is gone: connections are refused
    endpoint = S3Endpoint.from_ditto_uri(url)
    retry = RetryPolicy(max_attempts=2, base_delay=0.001, max_delay=0.001)
    with S3Publisher(endpoint, None, retry=retry) as publisher, pytest.raises(TransportError) as caught:
        publisher.publish(_message())
    text = str(caught.value)
    assert f"PUT to 127.0.0.1:{port} failed: cannot connect" in text
    assert "ConnectionRefusedError" in text and caught.value.attempts == 2


def test_keep_alive_reuses_connections(fault_server):
    with _publisher(fault_server, concurrency=4) as publisher:
        for i in range(50):
            publisher.publish(_message(f"seq{i}"))
        with ThreadPoolExecutor(4) as pool:
            list(pool.map(lambda i: publisher.publish(_message(f"par{i}")), range(200)))
        stats = publisher.stats
    assert len(fault_server.requests) == 250
    assert fault_server.connections <= 4
    assert stats.connections_opened == fault_server.connections


def test_connection_close_answer_is_followed_by_a_new_connection(fault_server):
    fault_server.script(Reply(200, close=True), Reply(200), Reply(200))
    with _publisher(fault_server, concurrency=1) as publisher:
        results = [publisher.publish(_message(f"k{i}")) for i in range(3)]
    assert [r.attempts for r in results] == [1, 1, 1]
    assert fault_server.connections == 2


def test_stale_keep_alive_connection_is_resent_without_backoff(fault_server):
    # The second request arrives on the kept-alive connection, which the server then drops
    # (as an idle-timeout close would look): resent at once on a new connection.
    fault_server.script(Reply(200), CloseWithoutResponse(), Reply(200))
    slow = RetryPolicy(max_attempts=1, base_delay=10, max_delay=10)
    with _publisher(fault_server, slow, concurrency=1) as publisher:
        publisher.publish(_message("first"))
        result = publisher.publish(_message("second"))
        stats = publisher.stats
    assert result.attempts == 2 and stats.retries == 0
    assert fault_server.connections == 2


def test_in_flight_requests_are_bounded_by_concurrency(fault_server):
    active = []
    peak = [0]
    lock = threading.Lock()

    def slow_ok(request):
        with lock:
            active.append(request)
            peak[0] = max(peak[0], len(active))
        time.sleep(0.02)
        with lock:
            active.remove(request)
        return Reply(200)

    fault_server.default = slow_ok
    with _publisher(fault_server, concurrency=3) as publisher, ThreadPoolExecutor(10) as pool:
        list(pool.map(lambda i: publisher.publish(_message(f"k{i}")), range(30)))
    assert len(fault_server.requests) == 30
    assert peak[0] <= 3
    assert fault_server.connections <= 3


def test_no_overwrite_object_deleted_between_put_and_head_is_put_again(fault_server):
    fault_server.script(
        s3_error(412, "PreconditionFailed", "At least one precondition failed"), Reply(404), Reply(200)
    )
    with _publisher(fault_server, no_overwrite=True) as publisher:
        result = publisher.publish(_message())
    assert (result.status, result.attempts, result.already_archived) == (200, 3, False)
    assert [r.method for r in fault_server.requests] == ["PUT", "HEAD", "PUT"]
    assert all(r.header("If-None-Match") == "*" for r in fault_server.requests if r.method == "PUT")


def test_no_overwrite_head_etag_decides(fault_server):
    md5 = '"' + hashlib.md5(b"{}").hexdigest() + '"'
    precondition = s3_error(412, "PreconditionFailed", "At least one precondition failed")
    fault_server.script(
        precondition, Reply(200, headers={"ETag": md5}), precondition, Reply(200, headers={"ETag": '"0123"'})
    )
    with _publisher(fault_server, no_overwrite=True) as publisher:
        same = publisher.publish(_message())
        with pytest.raises(PublishConflictError, match='stored ETag "0123"') as caught:
            publisher.publish(_message())
    assert (same.already_archived, same.status, same.etag, same.attempts) == (True, 412, md5, 2)
    assert caught.value.attempts == 2 and caught.value.code == "PreconditionFailed"


def test_answer_whose_body_stalls_is_a_read_timeout_then_retried(fault_server):
    # status and headers arrive, the body stops half-way: the read timeout applies to the body too
    fault_server.script(SlowBody(200, length=100, sent=10, seconds=5.0), Reply(200))
    with _publisher(fault_server, read_timeout=0.2) as publisher:
        started = time.monotonic()
        result = publisher.publish(_message())
    assert (result.status, result.attempts) == (200, 2)
    assert time.monotonic() - started < 2.0
    assert fault_server.connections == 2  # the half-read connection was not reused


def test_forbidden_html_page_from_a_proxy_is_a_clear_non_retried_error(fault_server):
    page = b"<!DOCTYPE html>\n<html><head><title>403 Forbidden</title></head><body>blocked</body></html>"
    fault_server.script(Reply(403, page, {"Content-Type": "text/html"}))
    with _publisher(fault_server) as publisher, pytest.raises(PublishError) as caught:
        publisher.publish(_message())
    assert (caught.value.status, caught.value.code, caught.value.attempts) == (403, None, 1)
    assert str(caught.value).startswith("403: <!DOCTYPE html>") and len(fault_server.requests) == 1


def test_oversized_answer_body_closes_the_connection_instead_of_draining_it(fault_server):
    # a 2xx or error body beyond 64 KiB is not read into memory: the connection is dropped
    huge = b"<html>" + b"x" * (1024 * 1024) + b"</html>"
    fault_server.script(Reply(200, huge), Reply(500, huge), Reply(200))
    with _publisher(fault_server, concurrency=1) as publisher:
        assert publisher.publish(_message("a")).status == 200
        assert publisher.publish(_message("b")).attempts == 2
    assert fault_server.connections == 3  # one per oversized answer, then a fresh one

"""RetryPolicy backoff and RetryBudget accounting."""

from __future__ import annotations

import random
import threading

import pytest

from mapper.errors import ConfigError
from mapper.publish.retry import RetryBudget, RetryPolicy, is_retryable_status


def test_full_jitter_backoff_stays_under_the_growing_ceiling():
    policy = RetryPolicy(base_delay=0.1, max_delay=2.0)
    rng = random.Random(7)
    for retry, ceiling in [(1, 0.1), (2, 0.2), (3, 0.4), (5, 1.6), (6, 2.0), (60, 2.0), (10_000, 2.0)]:
        samples = [policy.backoff(retry, rng) for _ in range(300)]
        assert all(0.0 <= s <= ceiling for s in samples)
        assert max(samples) > 0.8 * ceiling  # jitter spans the whole range
        assert min(samples) < 0.2 * ceiling


def test_retryable_statuses():
    assert all(is_retryable_status(s, None) for s in (500, 502, 503, 504, 429))
    assert is_retryable_status(400, "RequestTimeout")
    assert is_retryable_status(409, "ConditionalRequestConflict")
    assert not any(
        is_retryable_status(s, c)
        for s, c in [
            (400, None),
            (403, "AccessDenied"),
            (404, "NoSuchBucket"),
            (409, "BucketNotEmpty"),
            (412, "PreconditionFailed"),
        ]
    )


def test_budget_allows_burst_then_the_ratio():
    budget = RetryBudget(ratio=0.25, burst=3, refill_per_second=0.0)
    assert [budget.try_spend() for _ in range(4)] == [True, True, True, False]
    for _ in range(8):  # 8 first attempts earn 2 retries
        budget.record_request()
    assert [budget.try_spend() for _ in range(3)] == [True, True, False]
    assert budget.exhausted == 2


def test_budget_is_capped_at_the_burst():
    budget = RetryBudget(ratio=1.0, burst=2, refill_per_second=0.0)
    for _ in range(100):
        budget.record_request()
    assert budget.tokens == 2


def test_budget_is_thread_safe():
    budget = RetryBudget(ratio=0.0, burst=500, refill_per_second=0.0)
    granted = []

    def spend():
        granted.append(sum(budget.try_spend() for _ in range(200)))

    threads = [threading.Thread(target=spend) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sum(granted) == 500 and budget.exhausted == 8 * 200 - 500


@pytest.mark.parametrize(
    "kwargs", [{"max_attempts": 0}, {"base_delay": -1}, {"max_delay": -1}, {"budget_ratio": -0.1}]
)
def test_bad_policy_is_a_config_error(kwargs):
    with pytest.raises(ConfigError):
        RetryPolicy(**kwargs)

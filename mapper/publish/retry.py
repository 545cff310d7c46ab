"""When to retry a failed request, how long to wait, and how many retries the whole publisher may spend.

Three pieces, each small:

- :class:`RetryPolicy` — configuration: attempt bound, full-jitter backoff base/cap, budget size.
- :func:`is_retryable_status` — which S3 answers are transient (5xx, 429, SlowDown, RequestTimeout,
  ConditionalRequestConflict).
- :class:`RetryBudget` — a token bucket shared by every publish of one publisher: each first attempt
  deposits ``budget_ratio`` tokens, each retry withdraws one. During an outage first attempts keep
  flowing but retries stop once the bucket is empty, so an outage costs about ``1 + ratio`` requests
  per message instead of ``max_attempts`` (the retry-storm amplification gRPC and Finagle budgets
  prevent). A small time-based refill keeps a quiet publisher able to retry occasional errors.
"""

from __future__ import annotations

import random
import threading
import time
from dataclasses import dataclass

from mapper.errors import ConfigError

# S3 codes that are transient whatever the status says (RequestTimeout comes as 400,
# ConditionalRequestConflict as 409, SlowDown as 503).
RETRYABLE_S3_CODES = frozenset(
    {"SlowDown", "RequestTimeout", "ConditionalRequestConflict", "InternalError", "ServiceUnavailable"}
)


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """How one publish retries.

    ``max_attempts`` bounds requests per message (1 = never retry). The wait before retry *n*
    (n = 1, 2, ...) is uniform in ``[0, min(max_delay, base_delay * 2**(n-1))]`` ("full jitter",
    AWS Architecture Blog). ``budget_ratio`` / ``budget_burst`` / ``budget_refill_per_second``
    size the shared :class:`RetryBudget`.
    """

    max_attempts: int = 5
    base_delay: float = 0.1
    max_delay: float = 20.0
    budget_ratio: float = 0.2
    budget_burst: float = 10.0
    budget_refill_per_second: float = 1.0

    def __post_init__(self) -> None:
        if self.max_attempts < 1:
            raise ConfigError(
                f"max_attempts must be at least 1, got {self.max_attempts}", path="retry.max_attempts"
            )
        if self.base_delay < 0 or self.max_delay < 0:
            raise ConfigError("backoff delays must not be negative", path="retry")
        if self.budget_ratio < 0 or self.budget_burst < 0 or self.budget_refill_per_second < 0:
            raise ConfigError("retry budget parameters must not be negative", path="retry")

    def backoff(self, retry_number: int, rng: random.Random | None = None) -> float:
        """Seconds to wait before retry ``retry_number`` (1-based), full jitter under the cap."""
        ceiling = min(self.max_delay, self.base_delay * (2 ** min(retry_number - 1, 62)))
        return (rng or random).uniform(0.0, ceiling)


def is_retryable_status(status: int, code: str | None) -> bool:
    """True for answers worth retrying: any 5xx, 429, and S3's transient codes under other statuses."""
    return status >= 500 or status == 429 or code in RETRYABLE_S3_CODES


class RetryBudget:
    """A thread-safe token bucket limiting retries to a fraction of first attempts.

    The bucket starts full at ``burst`` tokens (also its cap), grows by ``ratio`` per first
    attempt and by ``refill_per_second`` over time; a retry costs one token. So an outage of N
    messages costs at most about ``N * (1 + ratio) + burst`` requests, whatever ``max_attempts`` is.
    """

    def __init__(self, ratio: float = 0.2, burst: float = 10.0, refill_per_second: float = 1.0) -> None:
        self._ratio = ratio
        self._refill = refill_per_second
        self._capacity = burst
        self._tokens = burst
        self._stamp = time.monotonic()
        self._lock = threading.Lock()
        self.exhausted = 0  # retries refused so far

    @classmethod
    def for_policy(cls, policy: RetryPolicy) -> RetryBudget:
        """The budget a :class:`RetryPolicy` describes."""
        return cls(policy.budget_ratio, policy.budget_burst, policy.budget_refill_per_second)

    def _add(self, amount: float) -> None:
        now = time.monotonic()
        self._tokens = min(self._capacity, self._tokens + amount + (now - self._stamp) * self._refill)
        self._stamp = now

    def record_request(self) -> None:
        """Deposit for one first attempt."""
        with self._lock:
            self._add(self._ratio)

    def try_spend(self) -> bool:
        """Take one token for a retry; False (and no retry) when the bucket is empty."""
        with self._lock:
            self._add(0.0)
            if self._tokens >= 1.0:
                self._tokens -= 1.0
                return True
            self.exhausted += 1
            return False

    @property
    def tokens(self) -> float:
        """Tokens available now (for stats and tests)."""
        with self._lock:
            self._add(0.0)
            return self._tokens

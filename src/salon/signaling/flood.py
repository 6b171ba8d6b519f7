"""Flood control for one connection: a token bucket. Pure: the caller passes the time."""

from dataclasses import dataclass

RATE_PER_S = 50.0
BURST = 100.0
REFUSALS_BEFORE_CLOSE = 500


@dataclass(slots=True)
class TokenBucket:
    rate_per_s: float = RATE_PER_S
    burst: float = BURST
    tokens: float | None = None
    """Tokens at the start: a full bucket unless given."""
    last_ms: int | None = None
    refused_in_a_row: int = 0

    def take(self, now_ms: int) -> bool:
        """Spend one token if there is one; count refusals in a row."""
        tokens = self.burst if self.tokens is None else self.tokens
        if self.last_ms is not None:
            elapsed_s = max(now_ms - self.last_ms, 0) / 1000
            tokens = min(self.burst, tokens + elapsed_s * self.rate_per_s)
        self.last_ms = now_ms
        if tokens >= 1:
            self.tokens = tokens - 1
            self.refused_in_a_row = 0
            return True
        self.tokens = tokens
        self.refused_in_a_row += 1
        return False

    def __post_init__(self) -> None:
        if self.tokens is None:
            self.tokens = self.burst

    @property
    def flooding(self) -> bool:
        return self.refused_in_a_row >= REFUSALS_BEFORE_CLOSE


LOG_EVERY_MS = 60_000


@dataclass(slots=True)
class LogBudget:
    """One log line per window: a connection that keeps sending bad frames is logged once a
    minute, not once a frame."""

    every_ms: int = LOG_EVERY_MS
    last_ms: int | None = None

    def allow(self, now_ms: int) -> bool:
        if self.last_ms is not None and now_ms - self.last_ms < self.every_ms:
            return False
        self.last_ms = now_ms
        return True

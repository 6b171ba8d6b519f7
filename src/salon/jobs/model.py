"""A background job and what its run decides. Pure."""

import secrets
from dataclasses import dataclass
from enum import StrEnum


class JobStatus(StrEnum):
    PENDING = "pending"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


MAX_ATTEMPTS = 2
"""A job is tried once more after a failure (or after a crash of the node running it)."""


class JobFailed(Exception):
    """A job's run went wrong; `str()` says why, in a sentence kept with the job."""


@dataclass(frozen=True, slots=True)
class Job:
    id: str
    kind: str
    payload: str
    """JSON text: what the job's handler needs to find its work."""
    attempts: int
    """Including the run that holds it now."""
    max_attempts: int
    claim_token: str

    @property
    def last_attempt(self) -> bool:
        return self.attempts >= self.max_attempts


def new_job_id() -> str:
    return "job_" + secrets.token_hex(12)


def new_claim_token() -> str:
    return secrets.token_hex(12)


def retry_delay_ms(attempts: int, base_ms: int) -> int:
    """The wait before the next attempt: doubles with each one."""
    return base_ms * (1 << max(attempts - 1, 0))

"""Salon's domain errors.

    SalonError                  every error a client may see; `code` is stable and machine-readable
    ├── InvalidInput            a request that breaks a rule (a field, a query parameter, a header)
    ├── Unauthorized            no credentials, or credentials that are not valid
    ├── Forbidden               the caller may not do this to this resource
    ├── NotFound                the resource does not exist (or is not visible to the caller)
    ├── Conflict                the resource exists already
    ├── PayloadTooLarge         the request body is over the limit
    └── RateLimited             the caller's point budget is spent; carries the wait

Domain code raises these; `salon.api.errors` is the one place that maps them to HTTP.
Messages are part of the contract: tests assert them, so change them deliberately.
"""

from enum import StrEnum


class ApiErrorCode(StrEnum):
    INVALID_INPUT = "invalid_input"
    UNAUTHORIZED = "unauthorized"
    FORBIDDEN = "forbidden"
    NOT_FOUND = "not_found"
    CONFLICT = "conflict"
    PAYLOAD_TOO_LARGE = "payload_too_large"
    RATE_LIMITED = "rate_limited"
    METHOD_NOT_ALLOWED = "method_not_allowed"
    UNAVAILABLE = "unavailable"


class StorageUnavailable(Exception):
    """The database could not be reached or did not answer. Not a `SalonError`: a client gets
    `503 unavailable` from the edge that meets it, never the storage layer's message."""


class DiskNearlyFull(StorageUnavailable):
    """The database's file system is below its floor of free space: not ready (`/readyz` 503),
    although reads and some writes may still succeed."""


class SalonError(Exception):
    code: ApiErrorCode = ApiErrorCode.INVALID_INPUT

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class InvalidInput(SalonError):
    code = ApiErrorCode.INVALID_INPUT


class Unauthorized(SalonError):
    code = ApiErrorCode.UNAUTHORIZED


class Forbidden(SalonError):
    code = ApiErrorCode.FORBIDDEN


class NotFound(SalonError):
    code = ApiErrorCode.NOT_FOUND


class Conflict(SalonError):
    code = ApiErrorCode.CONFLICT


class PayloadTooLarge(SalonError):
    code = ApiErrorCode.PAYLOAD_TOO_LARGE


class RateLimited(SalonError):
    code = ApiErrorCode.RATE_LIMITED

    def __init__(self, message: str, ms_left: int) -> None:
        super().__init__(message)
        self.ms_left = ms_left

"""What routes use besides the services (`salon.services.services_of`): the authenticated caller.

Plain functions over the request rather than FastAPI dependencies: a dependency costs a solver
pass (and a thread hop when synchronous) on every request, measured as most of a create's time.
The OpenAPI document declares the bearer scheme once, in `api/openapi.py`.
"""

from dataclasses import dataclass

from starlette.requests import Request

from salon.api.gate import PRINCIPAL
from salon.errors import Unauthorized
from salon.ids import ApiKeyId, OrgId


@dataclass(frozen=True, slots=True)
class Caller:
    org_id: OrgId
    key_id: ApiKeyId


def caller_of(request: Request) -> Caller:
    principal = request.scope.get(PRINCIPAL)
    if principal is None:
        raise Unauthorized("API key missing or invalid: send Authorization: Bearer <key>")
    return Caller(*principal)

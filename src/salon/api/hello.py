"""`/v1/hello`: the key check of the developer guide's troubleshooting section."""

from fastapi import APIRouter, Request, Response
from starlette.responses import JSONResponse

from salon.api.deps import caller_of
from salon.api.responses import COMMON_ERRORS
from salon.api.schemas import HelloOut
from salon.services import services_of

router = APIRouter(prefix="/v1", tags=["keys"], responses=COMMON_ERRORS)


@router.get("/hello", summary="Check an API key", response_model=HelloOut, operation_id="hello")
async def hello(
    request: Request,
) -> Response:
    org = await services_of(request).orgs.get(caller_of(request).org_id)
    return JSONResponse({"message": "The API key is valid.", "subdomain": org.subdomain})

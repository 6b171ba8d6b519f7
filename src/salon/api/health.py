"""`/healthz` (the process answers) and `/readyz` (and its database does)."""

from fastapi import APIRouter, Request
from starlette.responses import JSONResponse, Response

from salon.errors import DiskNearlyFull, StorageUnavailable
from salon.services import services_of

router = APIRouter(include_in_schema=False)


@router.get("/healthz")
async def healthz() -> Response:
    return JSONResponse({"status": "ok"})


@router.get("/readyz")
async def readyz(request: Request) -> Response:
    try:
        await services_of(request).database.ping()
    except DiskNearlyFull:
        return JSONResponse({"status": "unavailable", "error": "database disk nearly full"}, 503)
    except StorageUnavailable:
        return JSONResponse({"status": "unavailable", "error": "database unreachable"}, 503)
    return JSONResponse({"status": "ready"})

"""API keys: generate (shown once, with a copy button), rename, delete, and when each was last
used."""

from fastapi import APIRouter, Request
from starlette.responses import Response

from salon.dashboard.permissions import Area
from salon.dashboard.refusals import DashboardRoute
from salon.dashboard.render import flash, page
from salon.dashboard.web import PREFIX, Viewer, redirect, require, signed_in_form
from salon.errors import InvalidInput
from salon.services import services_of

router = APIRouter(prefix=PREFIX, include_in_schema=False, route_class=DashboardRoute)
HERE = f"{PREFIX}/keys"
NOTICES = {
    "renamed": "The key was renamed.",
    "deleted": "The key was deleted; it stops working now.",
}


async def _page(
    request: Request,
    viewer: Viewer,
    *,
    created: str | None = None,
    create_error: str | None = None,
    create_value: str = "",
    rename: tuple[str, str, str] | None = None,
    status_code: int = 200,
) -> Response:
    """`rename`: the key id, the name tried and why it was refused."""
    services = services_of(request)
    await services.keys.flush_usage()  # last-use times are batched; show them current
    return page(
        request,
        "keys.html",
        viewer=viewer,
        area=Area.KEYS,
        status_code=status_code,
        here=HERE,
        flash=flash(request, NOTICES),
        keys=await services.keys.list_keys(viewer.org.org_id),
        created=created,
        create_error=create_error,
        create_value=create_value,
        rename=rename,
    )


@router.get("/keys")
async def keys_page(request: Request) -> Response:
    return await _page(request, await require(request, Area.KEYS))


@router.post("/keys")
async def generate_key(request: Request) -> Response:
    viewer, form = await signed_in_form(request, Area.KEYS)
    try:
        _, plaintext = await services_of(request).keys.create(viewer.org.org_id, form["name"])
    except InvalidInput as invalid:
        return await _page(
            request,
            viewer,
            create_error=invalid.message,
            create_value=form["name"],
            status_code=400,
        )
    return await _page(request, viewer, created=plaintext, status_code=201)


@router.post("/keys/{key_id}/rename")
async def rename_key(request: Request, key_id: str) -> Response:
    viewer, form = await signed_in_form(request, Area.KEYS)
    try:
        await services_of(request).keys.rename(viewer.org.org_id, key_id, form["name"])
    except InvalidInput as invalid:
        return await _page(
            request, viewer, rename=(key_id, form["name"], invalid.message), status_code=400
        )
    return redirect(HERE, notice="renamed")


@router.post("/keys/{key_id}/delete")
async def delete_key(request: Request, key_id: str) -> Response:
    viewer, _ = await signed_in_form(request, Area.KEYS)
    await services_of(request).keys.delete(viewer.org.org_id, key_id)
    return redirect(HERE, notice="deleted")

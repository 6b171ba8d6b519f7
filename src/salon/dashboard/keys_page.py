"""API keys: generate (shown once, with a copy button), rename, delete, and when each was last
used."""

from fastapi import APIRouter, Request
from starlette.responses import Response

from salon.dashboard.html import Html, html, join, when
from salon.dashboard.layout import (
    confirm_button,
    copy_box,
    csrf_input,
    empty_state,
    field,
    heading,
    notice,
    notice_of,
    page,
    section,
)
from salon.dashboard.permissions import Area
from salon.dashboard.refusals import DashboardRoute
from salon.dashboard.web import PREFIX, Viewer, dashboard_of, redirect, require, signed_in_form
from salon.errors import InvalidInput
from salon.keys.model import ApiKey

router = APIRouter(prefix=PREFIX, include_in_schema=False, route_class=DashboardRoute)
HERE = f"{PREFIX}/keys"
NOTICES = {
    "renamed": "The key was renamed.",
    "deleted": "The key was deleted; it stops working now.",
}


def _row(key: ApiKey, viewer: Viewer, rename_error: str | None, rename_value: str | None) -> Html:
    ident = f"rename-{key.key_id}"
    return html(
        """<tr data-testid="key-row" data-key-id="{kid}">
  <td data-label="Name"><form method="post" action="{here}/{kid}/rename" class="inline-form">
    {csrf}{name_field}
    <button type="submit" class="secondary" data-testid="key-rename">Rename</button>
  </form></td>
  <td data-label="Key"><code>{prefix}_…</code></td>
  <td data-label="Created">{created}</td>
  <td data-label="Last used" data-testid="key-last-used">{used}</td>
  <td class="actions">{delete}</td>
</tr>""",
        kid=key.key_id,
        here=HERE,
        csrf=csrf_input(viewer.csrf),
        name_field=field(
            "name",
            f"Name of key {key.display_prefix}",
            value=rename_value or key.name,
            error=rename_error,
            field_id=ident,
            required=True,
            extra='data-testid="key-name" maxlength="100"',
        ),
        prefix=key.display_prefix,
        created=when(key.created_ms),
        used=when(key.last_used_ms),
        delete=confirm_button(
            f"{HERE}/{key.key_id}/delete",
            viewer.csrf,
            "Delete",
            "Anything using this key stops working at once.",
            "key-delete",
        ),
    )


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
    board = dashboard_of(request)
    await board.keys.flush_usage()  # last-use times are batched; show them current
    keys = await board.keys.list_keys(viewer.org.org_id)
    rows = [
        _row(
            k,
            viewer,
            rename[2] if rename and rename[0] == k.key_id else None,
            rename[1] if rename and rename[0] == k.key_id else None,
        )
        for k in keys
    ]
    listing = (
        html(
            '<table class="list"><thead><tr><th>Name</th><th>Key</th><th>Created</th>'
            '<th>Last used</th><th><span class="sr-only">Actions</span></th></tr></thead>'
            "<tbody>{rows}</tbody></table>",
            rows=join(rows),
        )
        if keys
        else empty_state(
            "No API keys yet",
            "Generate a key below and give it to your back end: it calls the REST API with "
            "Authorization: Bearer <key>.",
        )
    )
    fresh = (
        html(
            '<div class="reveal" data-testid="new-key">{notice}{box}</div>',
            notice=notice(
                "Copy this key now: it is shown only once, and Salon keeps only a digest of it."
            ),
            box=copy_box("Your new API key", created, "new-key-value"),
        )
        if created
        else Html("")
    )
    create = html(
        """<form method="post" action="{here}" class="inline-form grow" novalidate>
  {csrf}{name}<button type="submit" class="primary" data-testid="key-generate">Generate key</button>
</form>""",
        here=HERE,
        csrf=csrf_input(viewer.csrf),
        name=field(
            "name",
            "Name",
            value=create_value,
            error=create_error,
            required=True,
            hint="What uses it, e.g. “production back end”.",
            extra='data-testid="key-new-name" maxlength="100"',
        ),
    )
    content = join(
        [
            heading("API keys", "Your back end authenticates to the REST API (/v1) with these."),
            notice_of(request.query_params.get("notice"), NOTICES),
            fresh,
            section("Generate a key", create),
            section("Keys", listing),
        ]
    )
    return page("API keys", content, viewer=viewer, area=Area.KEYS, status_code=status_code)


@router.get("/keys")
async def keys_page(request: Request) -> Response:
    return await _page(request, await require(request, Area.KEYS))


@router.post("/keys")
async def generate_key(request: Request) -> Response:
    viewer, form = await signed_in_form(request, Area.KEYS)
    try:
        _, plaintext = await dashboard_of(request).keys.create(viewer.org.org_id, form["name"])
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
        await dashboard_of(request).keys.rename(viewer.org.org_id, key_id, form["name"])
    except InvalidInput as invalid:
        return await _page(
            request, viewer, rename=(key_id, form["name"], invalid.message), status_code=400
        )
    return redirect(HERE, notice="renamed")


@router.post("/keys/{key_id}/delete")
async def delete_key(request: Request, key_id: str) -> Response:
    viewer, _ = await signed_in_form(request, Area.KEYS)
    await dashboard_of(request).keys.delete(viewer.org.org_id, key_id)
    return redirect(HERE, notice="deleted")

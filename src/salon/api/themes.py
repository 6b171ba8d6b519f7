"""`/v1/rooms/{roomName}/theme/…`: a room's colours, logo and backgrounds (Whereby's theme API).

Images come as `multipart/form-data` (field `image`); resets and presets as JSON. Any other
content type is refused with Whereby's own sentence. The room name is accepted with or without its
leading slash, escaped or not (`/rooms/abc/…`, `/rooms//abc/…`, `/rooms/%2Fabc/…`), since
Whereby's examples have shown each.
"""

from typing import Any, Literal

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel, ConfigDict, Field
from starlette.datastructures import UploadFile

from salon.api.deps import caller_of
from salon.api.responses import COMMON_ERRORS, parse_body
from salon.errors import InvalidInput
from salon.services import services_of
from salon.themes.model import ThemePart
from salon.themes.service import ThemeService

router = APIRouter(prefix="/v1", tags=["room theme"], responses=COMMON_ERRORS)

WRONG_CONTENT_TYPE = "Content-Type must be multipart/form-data or application/json"
_NO_CONTENT: dict[int | str, dict[str, Any]] = {204: {"description": "Saved."}}
_MULTIPART_LIMITS = {"max_files": 1, "max_fields": 4}


class _Lenient(BaseModel):
    model_config = ConfigDict(strict=True, extra="ignore")


class Colors(_Lenient):
    primary: str | None = Field(default=None, pattern=r"^#[a-fA-F0-9]{6}$", examples=["#1f6feb"])
    secondary: str | None = Field(default=None, pattern=r"^#[a-fA-F0-9]{6}$")
    focus: str | None = Field(default=None, pattern=r"^#[a-fA-F0-9]{6}$")


class Tokens(_Lenient):
    colors: Colors | None = None


class TokensBody(_Lenient):
    tokens: Tokens | None = None
    tokensPreset: Literal["custom", "default"] | None = Field(
        default=None,
        description="`custom` uses the given colours; `default` (or none) the organization's.",
    )


class LogoResetBody(_Lenient):
    theme: Literal["default"]


class BackgroundPresetBody(_Lenient):
    palette: Literal["default", "grey", "purple", "burgund"] | None = None
    theme: Literal["default", "mountains", "characters", "rocks"] | None = None


_IMAGE_FORM = {
    "type": "object",
    "required": ["image"],
    "properties": {"image": {"type": "string", "format": "binary"}},
}


def _body_schema(json_model: type[BaseModel] | None) -> dict[str, Any]:
    content: dict[str, Any] = {}
    if json_model is not None:
        content["application/json"] = {"schema": json_model.model_json_schema()}
    return {"requestBody": {"required": True, "content": content}}


def _image_body_schema(json_model: type[BaseModel]) -> dict[str, Any]:
    schema = _body_schema(json_model)
    schema["requestBody"]["content"]["multipart/form-data"] = {"schema": _IMAGE_FORM}
    return schema


def _themes(request: Request) -> ThemeService:
    return services_of(request).themes


def room_name_of(raw: str) -> str:
    """`abc`, `/abc` and `//abc` all name the room `/abc`."""
    name = "/" + raw.lstrip("/")
    if len(name) > 128 or "/" in name[1:]:
        raise InvalidInput("roomName is not a room name")
    return name


def _media_type(request: Request) -> str:
    return request.headers.get("content-type", "").split(";")[0].strip().lower()


async def _uploaded_image(request: Request) -> bytes:
    async with request.form(**_MULTIPART_LIMITS) as form:
        image = form.get("image")
        if not isinstance(image, UploadFile):
            raise InvalidInput("image: send the image file in the multipart field `image`")
        return await image.read()


async def _put_image_part(request: Request, raw_room: str, part: ThemePart) -> Response:
    who = caller_of(request)
    room = room_name_of(raw_room)
    kind = _media_type(request)
    if kind == "multipart/form-data":
        await _themes(request).set_image(who.org_id, room, part, await _uploaded_image(request))
    elif kind == "application/json" and part is ThemePart.LOGO:
        parse_body(LogoResetBody, await request.body())
        await _themes(request).reset(who.org_id, room, part)
    elif kind == "application/json":
        preset = parse_body(BackgroundPresetBody, await request.body())
        await _themes(request).set_preset(who.org_id, room, part, preset.palette, preset.theme)
    else:
        raise InvalidInput(WRONG_CONTENT_TYPE)
    return Response(status_code=204)


@router.put(
    "/rooms/{roomName:path}/theme/tokens",
    status_code=204,
    response_class=Response,
    summary="Set room colors",
    responses=_NO_CONTENT,
    openapi_extra=_body_schema(TokensBody),
)
async def put_tokens(roomName: str, request: Request) -> Response:
    who = caller_of(request)
    room = room_name_of(roomName)
    if _media_type(request) != "application/json":
        raise InvalidInput(WRONG_CONTENT_TYPE)
    body = parse_body(TokensBody, await request.body())
    colors = body.tokens.colors if body.tokens is not None else None
    if body.tokensPreset != "custom":
        await _themes(request).set_colors(who.org_id, room, None)
    elif colors is None:
        raise InvalidInput("tokens.colors is required with tokensPreset custom")
    else:
        await _themes(request).set_colors(who.org_id, room, colors.model_dump(exclude_none=True))
    return Response(status_code=204)


@router.put(
    "/rooms/{roomName:path}/theme/logo",
    status_code=204,
    response_class=Response,
    summary='Set room logo (an image, at most 1 MB; or {"theme": "default"} to reset)',
    responses=_NO_CONTENT,
    openapi_extra=_image_body_schema(LogoResetBody),
)
async def put_logo(roomName: str, request: Request) -> Response:
    return await _put_image_part(request, roomName, ThemePart.LOGO)


@router.put(
    "/rooms/{roomName:path}/theme/room-background",
    status_code=204,
    response_class=Response,
    summary="Set room background (an image, at most 600 kB; or a palette and theme)",
    responses=_NO_CONTENT,
    openapi_extra=_image_body_schema(BackgroundPresetBody),
)
async def put_room_background(roomName: str, request: Request) -> Response:
    return await _put_image_part(request, roomName, ThemePart.ROOM_BACKGROUND)


@router.put(
    "/rooms/{roomName:path}/theme/room-knock-page-background",
    status_code=204,
    response_class=Response,
    summary="Set the knock and pre-call pages' background (as the room background)",
    responses=_NO_CONTENT,
    openapi_extra=_image_body_schema(BackgroundPresetBody),
)
async def put_knock_background(roomName: str, request: Request) -> Response:
    return await _put_image_part(request, roomName, ThemePart.KNOCK_BACKGROUND)

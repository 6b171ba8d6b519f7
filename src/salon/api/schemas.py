"""The wire shapes of `/v1`, in Whereby's camelCase, and their translation to Salon's terms.

Request models are strict (no `"true"` for a boolean) and ignore unknown fields, so a newer
client's extra fields do not break it. Response models exist to document the API; routes render
responses with `render_meeting`, which fixes the key order of Whereby's examples.
"""

import json
from collections.abc import Sequence
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from salon.errors import InvalidInput
from salon.meetings.model import (
    RoomMode,
    RoomNamePattern,
    UrlField,
    format_date_time,
    normalize_prefix,
    parse_date_time,
)
from salon.meetings.service import MeetingRequest, MeetingView
from salon.recording.options import check_recording
from salon.recording.streaming import check_stream_url


class _Strict(BaseModel):
    model_config = ConfigDict(strict=True, extra="ignore")


class RecordingDestination(_Strict):
    provider: Literal["s3", "whereby"]
    authenticationType: Literal["accessKey", "roleBased"] | None = None
    bucket: str | None = None
    accessKeyId: str | None = None
    accessKeySecret: str | None = None
    fileFormat: Literal["mkv", "mp4"] | None = None
    oidcRoleArn: str | None = None
    region: str | None = None
    endpointUrl: str | None = Field(
        default=None,
        description="Salon's addition: the URL of an S3-compatible service other than AWS.",
    )


class Recording(_Strict):
    type: Literal["none", "local", "cloud"]
    destination: RecordingDestination | None
    startTrigger: Literal["none", "prompt", "automatic", "automatic-2nd-participant"] | None


TranscriptionLanguage = Literal[
    "ca", "zh", "zh-TW", "cs", "da", "nl", "en", "en-US", "en-GB", "fi", "fr", "de", "de-CH",
    "el", "hi", "id", "it", "ja", "ko", "lv", "ms", "no", "pl", "pt", "pt-BR", "ro", "ru", "sk",
    "es", "sv", "th", "tr", "uk", "vi",
]  # fmt: skip


class LiveTranscription(_Strict):
    # Whereby's schema marks `destination` required, but its captions-only example omits it.
    destination: RecordingDestination | None = None
    startTrigger: Literal["none", "manual", "automatic", "automatic-2nd-participant"] | None
    language: TranscriptionLanguage | None = None
    liveCaptions: bool | None = None


class StreamingDestination(_Strict):
    url: str = Field(min_length=1)


class Streaming(_Strict):
    destination: StreamingDestination
    startTrigger: Literal["none", "prompt", "automatic"] | None


class RoomPreferences(_Strict):
    streaming: bool | None = None
    roomIntegrations: bool | None = None
    dialIn: bool | None = None
    fileSharing: bool | None = None


class CreateMeetingBody(_Strict):
    endDate: str = Field(
        description="When the meeting ends: ISO 8601, UTC unless an offset is given.",
        json_schema_extra={"format": "date-time"},
    )
    startDate: str | None = Field(
        default=None,
        description="When the meeting starts; defaults to the time of the request.",
        json_schema_extra={"format": "date-time"},
    )
    # Every optional field takes `null` for "not given": clients such as the `whereby-api`
    # package send all their keyword arguments, unset ones as `null`.
    isLocked: bool | None = None
    roomMode: Literal["normal", "group"] | None = None
    roomNamePrefix: str | None = Field(default=None, max_length=200)
    roomNamePattern: Literal["uuid", "human-short"] | None = None
    templateType: Literal["viewerMode"] | None = None
    fields: list[Literal["hostRoomUrl", "viewerRoomUrl", "dialIn"]] | None = Field(
        default=None, max_length=10
    )
    recording: Recording | None = None
    streaming: Streaming | None = None
    liveTranscription: LiveTranscription | None = None
    roomPreferences: RoomPreferences | None = None
    isDialInEnabled: bool | None = None

    def to_request(self) -> MeetingRequest:
        if self.recording is not None:
            check_recording(self.recording.model_dump())
        if self.streaming is not None:
            check_stream_url(self.streaming.destination.url)
        stored = {
            name: getattr(self, name).model_dump(exclude_none=True)
            for name in ("recording", "streaming", "liveTranscription", "roomPreferences")
            if getattr(self, name) is not None
        }
        if self.isDialInEnabled is not None:
            stored["isDialInEnabled"] = {"enabled": self.isDialInEnabled}
        return MeetingRequest(
            end_ms=parse_date_time("endDate", self.endDate),
            start_ms=None
            if self.startDate is None
            else parse_date_time("startDate", self.startDate),
            is_locked=bool(self.isLocked),
            room_mode=RoomMode(self.roomMode or RoomMode.NORMAL),
            room_name_prefix=normalize_prefix(self.roomNamePrefix or ""),
            room_name_pattern=RoomNamePattern(self.roomNamePattern or RoomNamePattern.UUID),
            viewer_mode=self.templateType == "viewerMode",
            fields=frozenset(UrlField(name) for name in self.fields or ()),
            options=json.dumps(stored, separators=(",", ":"), sort_keys=True) if stored else "{}",
        )


class MeetingOut(BaseModel):
    meetingId: str
    roomName: str
    roomUrl: str = Field(json_schema_extra={"format": "uri"})
    startDate: str = Field(json_schema_extra={"format": "date-time"})
    endDate: str = Field(json_schema_extra={"format": "date-time"})
    hostRoomUrl: str | None = Field(default=None, json_schema_extra={"format": "uri"})
    viewerRoomUrl: str | None = Field(default=None, json_schema_extra={"format": "uri"})


class MeetingPageOut(BaseModel):
    results: list[MeetingOut]
    cursor: str | None


class ErrorOut(BaseModel):
    error: str
    code: str


class ThrottleData(BaseModel):
    msLeft: int


class ThrottleOut(ErrorOut):
    data: ThrottleData


class HelloOut(BaseModel):
    message: str
    subdomain: str


def render_meeting(view: MeetingView) -> dict[str, Any]:
    """The Meeting object, keys in the order of Whereby's own examples."""
    meeting = view.meeting
    body: dict[str, Any] = {
        "startDate": format_date_time(meeting.start_ms),
        "endDate": format_date_time(meeting.end_ms),
        "roomName": meeting.room_name,
        "roomUrl": view.room_url,
        "meetingId": meeting.meeting_id,
    }
    if view.host_room_url is not None:
        body["hostRoomUrl"] = view.host_room_url
    if view.viewer_room_url is not None:
        body["viewerRoomUrl"] = view.viewer_room_url
    return body


def parse_fields(values: Sequence[str]) -> frozenset[UrlField]:
    """Every `fields` value of a GET query: comma-separated (`fields=hostRoomUrl,viewerRoomUrl`,
    Whereby's documented form), exploded (`fields=hostRoomUrl&fields=viewerRoomUrl`, what many
    HTTP clients send for a list), or both. An empty value names no field, so it is refused."""
    chosen = set()
    for name in (part.strip() for raw in values for part in raw.split(",")):
        if not name:
            raise InvalidInput("fields: empty field name; allowed: hostRoomUrl, viewerRoomUrl")
        try:
            chosen.add(UrlField(name))
        except ValueError:
            allowed = ", ".join(field.value for field in UrlField)
            raise InvalidInput(f"fields: unknown field {name!r}; allowed: {allowed}") from None
    return frozenset(chosen)

"""A meeting's `recording` option as Whereby defines it, checked and read back. Pure.

Whereby's schema lets an S3 destination authenticate with an access key or by assuming a role
through OIDC. Salon has no cloud identity to assume a role with, so `roleBased` is refused at
creation with a clear message rather than accepted and failed at the end of a meeting.
"""

import json
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from salon.errors import InvalidInput

DEFAULT_S3_REGION = "us-east-1"
"""Whereby's recording destination has no `region` property; without one, S3's default region."""


class RecordingType(StrEnum):
    NONE = "none"
    LOCAL = "local"
    CLOUD = "cloud"


class StartTrigger(StrEnum):
    NONE = "none"
    PROMPT = "prompt"
    AUTOMATIC = "automatic"
    AUTOMATIC_2ND = "automatic-2nd-participant"


class FileFormat(StrEnum):
    MP4 = "mp4"
    MKV = "mkv"


@dataclass(frozen=True, slots=True)
class S3Destination:
    bucket: str
    """The bucket's name alone; `prefix` holds the sub-path that `my-bucket/recordings` names."""
    prefix: str
    region: str
    access_key_id: str
    access_key_secret: str
    endpoint_url: str | None = None
    """Only for S3-compatible services other than AWS (and the tests' emulator)."""


@dataclass(frozen=True, slots=True)
class RecordingOptions:
    type: RecordingType = RecordingType.NONE
    trigger: StartTrigger = StartTrigger.NONE
    file_format: FileFormat = FileFormat.MP4
    s3: S3Destination | None = None
    """None: Salon's own storage (`provider: "whereby"`, or no destination)."""

    @property
    def cloud(self) -> bool:
        return self.type is RecordingType.CLOUD


def _text(destination: dict[str, Any], name: str) -> str:
    value = destination.get(name)
    if not isinstance(value, str) or not value.strip():
        raise InvalidInput(
            f"recording.destination.{name} is required for an S3 destination"
            " with authenticationType accessKey"
        )
    return value.strip()


def check_destination(destination: dict[str, Any] | None) -> S3Destination | None:
    """The S3 destination a `recording.destination` names, or None for Salon's own storage."""
    if destination is None or destination.get("provider") != "s3":
        return None
    if destination.get("authenticationType") == "roleBased":
        raise InvalidInput(
            "recording.destination.authenticationType roleBased is not supported: Salon has no"
            " cloud identity to assume a role with; use accessKey with accessKeyId and"
            " accessKeySecret"
        )
    bucket, _, prefix = _text(destination, "bucket").partition("/")
    if not bucket:
        raise InvalidInput("recording.destination.bucket must start with the bucket's name")
    region = destination.get("region")
    return S3Destination(
        bucket=bucket,
        prefix=prefix.strip("/"),
        region=region if isinstance(region, str) and region else DEFAULT_S3_REGION,
        access_key_id=_text(destination, "accessKeyId"),
        access_key_secret=_text(destination, "accessKeySecret"),
        endpoint_url=destination.get("endpointUrl")
        if isinstance(destination.get("endpointUrl"), str)
        else None,
    )


def check_recording(recording: dict[str, Any]) -> RecordingOptions:
    """Whereby's `recording` object (already typed by the request schema) as Salon's options.
    The destination matters only to cloud recordings, so only theirs is checked."""
    destination = recording.get("destination")
    file_format = (destination or {}).get("fileFormat") or FileFormat.MP4.value
    kind = RecordingType(recording.get("type", "none"))
    return RecordingOptions(
        type=kind,
        trigger=StartTrigger(recording.get("startTrigger") or StartTrigger.NONE.value),
        file_format=FileFormat(file_format),
        s3=check_destination(destination) if kind is RecordingType.CLOUD else None,
    )


def recording_options(stored: str) -> RecordingOptions:
    """The recording options of a meeting's stored creation options (JSON), checked again."""
    try:
        options = json.loads(stored or "{}")
    except ValueError:
        return RecordingOptions()
    recording = options.get("recording") if isinstance(options, dict) else None
    if not isinstance(recording, dict):
        return RecordingOptions()
    try:
        return check_recording(recording)
    except (InvalidInput, ValueError):
        return RecordingOptions()

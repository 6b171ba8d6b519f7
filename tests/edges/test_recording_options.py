"""The `recording` option of `POST /v1/meetings` as Whereby defines it, and Salon's refusals:
an S3 destination authenticated by role (no cloud identity to assume here) and one whose access
key is incomplete are refused with a clear `400` and create nothing."""

from typing import Any

import pytest

from helpers import Api

END = "2099-08-11T12:56:01.000Z"
S3 = {
    "provider": "s3",
    "authenticationType": "accessKey",
    "bucket": "my-bucket/recordings",
    "accessKeyId": "AKIA0000",
    "accessKeySecret": "secret",
}
ROLE_BASED = (
    "recording.destination.authenticationType roleBased is not supported: Salon has no cloud"
    " identity to assume a role with; use accessKey with accessKeyId and accessKeySecret"
)


def cloud(destination: dict[str, Any] | None, trigger: str | None = "none") -> dict[str, Any]:
    return {"type": "cloud", "destination": destination, "startTrigger": trigger}


async def meeting_count(api: Api) -> int:
    response = await api.client.get("/v1/meetings", headers=api.auth)
    return len(response.json()["results"])


@pytest.mark.parametrize(
    ("recording", "message"),
    [
        (
            cloud({"provider": "s3", "authenticationType": "roleBased", "bucket": "b",
                   "oidcRoleArn": "arn:aws:iam::1:role/r"}),
            ROLE_BASED,
        ),
        (
            cloud({**S3, "accessKeyId": None}),
            "recording.destination.accessKeyId is required for an S3 destination with"
            " authenticationType accessKey",
        ),
        (
            cloud({k: v for k, v in S3.items() if k != "accessKeySecret"}),
            "recording.destination.accessKeySecret is required for an S3 destination with"
            " authenticationType accessKey",
        ),
        (
            cloud({**S3, "bucket": "  "}),
            "recording.destination.bucket is required for an S3 destination with"
            " authenticationType accessKey",
        ),
        (cloud({**S3, "bucket": "/recordings"}), "recording.destination.bucket must start with"
         " the bucket's name"),
    ],
)  # fmt: skip
async def test_an_unusable_s3_destination_is_refused_and_nothing_is_created(
    api: Api, recording: dict[str, Any], message: str
) -> None:
    before = await meeting_count(api)
    response = await api.client.post(
        "/v1/meetings", json={"endDate": END, "recording": recording}, headers=api.auth
    )
    assert response.status_code == 400
    assert response.json() == {"error": message, "code": "invalid_input"}
    assert await meeting_count(api) == before


@pytest.mark.parametrize(
    "recording",
    [
        cloud(S3, "automatic"),
        cloud({**S3, "region": "eu-west-1", "fileFormat": "mkv"}, "automatic-2nd-participant"),
        cloud({"provider": "whereby", "fileFormat": "mp4"}, "prompt"),
        cloud(None, None),
        {"type": "local", "destination": None, "startTrigger": None},
        # the destination of a meeting that does not record in the cloud is never used
        {"type": "none", "destination": {"provider": "s3", "authenticationType": "roleBased",
                                         "bucket": "b"}, "startTrigger": None},
    ],
)  # fmt: skip
async def test_well_formed_recording_options_are_accepted(
    api: Api, recording: dict[str, Any]
) -> None:
    response = await api.client.post(
        "/v1/meetings", json={"endDate": END, "recording": recording}, headers=api.auth
    )
    assert response.status_code == 201, response.text

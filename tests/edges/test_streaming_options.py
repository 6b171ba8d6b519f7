"""The `streaming` option of `POST /v1/meetings`: a destination that is not an RTMP ingest URL
with a stream key is refused with a clear `400` and creates nothing; one that is, is kept."""

import pytest

from helpers import Api

END = "2099-08-11T12:56:01.000Z"


async def meeting_count(api: Api) -> int:
    response = await api.client.get("/v1/meetings", headers=api.auth)
    return len(response.json()["results"])


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("https://live.example.com/app/key",
         "streaming.destination.url must start with rtmp:// or rtmps://"),
        ("rtmp://live.example.com", "streaming.destination.url must end with the stream key, as"
         " in rtmp://host/live/<stream key>"),
        ("rtmp://me:pw@live.example.com/app/key",
         "streaming.destination.url must name a host (and no user)"),
    ],
)  # fmt: skip
async def test_a_destination_that_is_not_an_rtmp_ingest_url_is_refused(
    api: Api, url: str, message: str
) -> None:
    before = await meeting_count(api)
    streaming = {"destination": {"url": url}, "startTrigger": "automatic"}
    response = await api.client.post(
        "/v1/meetings", json={"endDate": END, "streaming": streaming}, headers=api.auth
    )
    assert response.status_code == 400
    assert response.json() == {"error": message, "code": "invalid_input"}
    assert await meeting_count(api) == before


async def test_an_rtmps_ingest_url_is_accepted(api: Api) -> None:
    streaming = {"destination": {"url": "rtmps://live.example.com:443/app/k"}, "startTrigger": None}
    response = await api.client.post(
        "/v1/meetings", json={"endDate": END, "streaming": streaming}, headers=api.auth
    )
    assert response.status_code == 201, response.text

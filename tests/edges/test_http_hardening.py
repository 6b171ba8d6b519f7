"""What the HTTP edge tells strangers: room names cannot be guessed at speed, redirects never
point where a `Host` header says, pages carry their hardening headers, and one-time link tokens
stay out of logs."""

import logging
from urllib.parse import urlsplit

import httpx
import pytest

from helpers import Api
from salon.clock import MS_PER_MINUTE
from salon.config import Settings
from salon.logs import RedactSecrets, redact

MISSES = Settings().room_misses_per_minute


async def room_path(api: Api) -> str:
    created = await api.client.post(
        "/v1/meetings", json={"endDate": api.future()}, headers=api.auth
    )
    assert created.status_code == 201, created.text
    path: str = urlsplit(created.json()["roomUrl"]).path
    return path


def client_at(api: Api, address: str) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=api.app, client=(address, 40000))
    return httpx.AsyncClient(transport=transport, base_url="http://salon.test")


async def test_guessing_room_names_is_limited_per_client_address(api: Api) -> None:
    room = await room_path(api)
    for n in range(MISSES):
        assert (await api.client.get(f"/guess-{n}")).status_code == 404
    refused = await api.client.get("/guess-more")
    assert refused.status_code == 429
    assert int(refused.headers["retry-after"]) > 0
    # A name that exists gets the same answer: the refusal says nothing about the name.
    assert (await api.client.get(room)).status_code == 429
    async with client_at(api, "198.51.100.20") as elsewhere:
        assert (await elsewhere.get(room)).status_code == 200
        assert (await elsewhere.get("/guess-0")).status_code == 404
    api.clock.advance(MS_PER_MINUTE)
    assert (await api.client.get(room)).status_code == 200


async def test_visiting_rooms_that_exist_costs_nothing(api: Api) -> None:
    room = await room_path(api)
    for _ in range(MISSES + 5):
        assert (await api.client.get(room)).status_code == 200


async def test_room_pages_run_only_salons_own_scripts_and_are_not_sniffed(api: Api) -> None:
    await api.app.state.services.orgs.add_domain(api.org_id, "https://app.example.com")
    for path in (await room_path(api), "/", "/csp"):
        page = await api.client.get(path)
        assert page.status_code == 200
        assert page.headers["x-content-type-options"] == "nosniff"
        directives = [d.strip() for d in page.headers["content-security-policy"].split(";")]
        assert "frame-ancestors 'self' https://app.example.com" in directives, directives
        assert "script-src 'self'" in directives, directives
    missing = await api.client.get("/no-such-room")
    assert missing.headers["x-content-type-options"] == "nosniff"


@pytest.mark.parametrize(
    ("path", "location"),
    [
        ("/dashboard/", "/dashboard"),
        ("/dashboard/sign-in/?next=/dashboard/keys", "/dashboard/sign-in?next=/dashboard/keys"),
        ("/v1/hello/", "/v1/hello"),
    ],
)
async def test_trailing_slash_redirects_do_not_echo_the_host(
    api: Api, path: str, location: str
) -> None:
    moved = await api.client.get(path, headers={"Host": "evil.example"})
    assert moved.status_code == 307
    assert moved.headers["location"] == location


async def test_a_path_that_would_name_another_host_is_not_redirected(api: Api) -> None:
    for path in (b"//evil.example/", b"/\\evil.example/", b"//evil.example/dashboard/"):
        url = httpx.URL("http://salon.test/").copy_with(raw_path=path)
        answer = await api.client.get(url)
        assert answer.status_code == 404, (path, answer.headers.get("location"))


@pytest.mark.parametrize("kind", ["setup", "invite", "reset"])
def test_one_time_link_tokens_are_redacted_from_log_lines(
    kind: str, caplog: pytest.LogCaptureFixture
) -> None:
    token = "Zm9vYmFyYmF6cXV4cXV1eA_-secret"
    line = f'203.0.113.7:40000 - "GET /dashboard/{kind}/{token} HTTP/1.1" 200'
    assert redact(line) == f'203.0.113.7:40000 - "GET /dashboard/{kind}/[redacted] HTTP/1.1" 200'
    logger = logging.getLogger("test.redaction")
    logger.addFilter(RedactSecrets())
    with caplog.at_level(logging.INFO, logger="test.redaction"):
        logger.info(
            '%s - "%s %s HTTP/%s" %d', "1.2.3.4:5", "POST", f"/dashboard/{kind}/{token}", "1.1", 303
        )
    assert token not in caplog.text
    assert f"/dashboard/{kind}/[redacted]" in caplog.text

"""`GET` and `HEAD /v1/hello`, the key check of the developer guide
(docs/whereby-compatibility.md, "Key check")."""

import httpx
import pytest

from helpers import Api

UNAUTHORIZED = {
    "error": "API key missing or invalid: send Authorization: Bearer <key>",
    "code": "unauthorized",
}
WRONG_KEYS = [
    "",
    "Bearer ",
    "Bearer not-a-key",
    "Bearer salon_aaaaaaaaaaaa_" + "A" * 43,
    "Token salon_aaaaaaaaaaaa_" + "A" * 43,
]


def assert_refused(response: httpx.Response, *, has_body: bool) -> None:
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"
    if has_body:
        assert response.json() == UNAUTHORIZED
    else:
        assert response.content == b""


async def test_get_with_a_valid_key_names_the_organization(api: Api) -> None:
    response = await api.client.get("/v1/hello", headers=api.auth)
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    body = response.json()
    assert list(body) == ["message", "subdomain"]
    assert isinstance(body["message"], str)
    assert body["message"]
    assert body["subdomain"] == "default"


async def test_head_with_a_valid_key_is_200_without_a_body(api: Api) -> None:
    response = await api.client.head("/v1/hello", headers=api.auth)
    assert response.status_code == 200
    assert response.content == b""


async def test_a_key_of_another_organization_names_that_organization(api: Api) -> None:
    services = api.app.state.services
    other = await services.orgs.create("acme")
    _, key = await services.keys.create(other.org_id, "acme key")
    response = await api.client.get("/v1/hello", headers={"Authorization": f"Bearer {key}"})
    assert response.status_code == 200
    assert response.json()["subdomain"] == "acme"


async def test_without_a_key_both_methods_are_401(api: Api) -> None:
    assert_refused(await api.client.get("/v1/hello"), has_body=True)
    assert_refused(await api.client.head("/v1/hello"), has_body=False)


@pytest.mark.parametrize("authorization", WRONG_KEYS)
async def test_with_a_wrong_key_both_methods_are_401(api: Api, authorization: str) -> None:
    headers = {"Authorization": authorization}
    assert_refused(await api.client.get("/v1/hello", headers=headers), has_body=True)
    assert_refused(await api.client.head("/v1/hello", headers=headers), has_body=False)


async def test_a_deleted_key_is_refused_at_once(api: Api) -> None:
    services = api.app.state.services
    stored, key = await services.keys.create(api.org_id, "short-lived")
    headers = {"Authorization": f"Bearer {key}"}
    assert (await api.client.get("/v1/hello", headers=headers)).status_code == 200
    await services.keys.delete(api.org_id, stored.key_id)
    assert_refused(await api.client.get("/v1/hello", headers=headers), has_body=True)
    assert_refused(await api.client.head("/v1/hello", headers=headers), has_body=False)
    assert (await api.client.get("/v1/hello", headers=api.auth)).status_code == 200

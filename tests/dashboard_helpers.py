"""What the dashboard's HTTP tests share: a browser (its own cookies and last CSRF token) over
the app's ASGI transport, signed in or not, and reading an error beside a form field."""

import re
from dataclasses import dataclass

import httpx

from helpers import CLIENT_ADDRESS, Api
from salon.accounts.model import AccountRole
from salon.ids import OrgId

PASSWORD = "correct horse battery"
_CSRF = re.compile(r'name="csrf" value="([^"]+)"')


@dataclass
class Person:
    """One browser: its own cookies, and the CSRF token of the last page it saw."""

    client: httpx.AsyncClient
    csrf: str = ""

    async def get(self, path: str) -> httpx.Response:
        response = await self.client.get(path)
        found = _CSRF.search(response.text)
        if found:
            self.csrf = found.group(1)
        return response

    async def post(self, path: str, csrf: str | None = None, **fields: object) -> httpx.Response:
        data = {"csrf": self.csrf if csrf is None else csrf, **fields}
        return await self.client.post(path, data=data)


async def browser(api: Api, people: list[Person], address: str = CLIENT_ADDRESS) -> Person:
    client = httpx.AsyncClient(
        transport=httpx.ASGITransport(app=api.app, client=(address, 40000)),
        base_url="https://salon.test",
    )
    person = Person(client)
    people.append(person)
    return person


async def signed_in(
    api: Api,
    people: list[Person],
    email: str,
    role: AccountRole = AccountRole.OWNER,
    org: OrgId | None = None,
) -> Person:
    accounts = api.app.state.services.accounts
    await accounts.create_account(org or api.org_id, email, role, PASSWORD)
    person = await browser(api, people)
    await person.get("/dashboard/sign-in")
    response = await person.post("/dashboard/sign-in", email=email, password=PASSWORD)
    assert response.status_code == 303, response.text
    await person.get("/dashboard/meetings")
    return person


def field_error(page: str, field: str) -> str:
    found = re.search(rf'id="{field}-error">([^<]*)<', page)
    assert found, f"no error beside {field}"
    return found.group(1)

"""Fixtures of the HTTP edge tests."""

from collections.abc import AsyncIterator

import pytest

from dashboard_helpers import Person
from helpers import Api


@pytest.fixture
async def people(api: Api) -> AsyncIterator[list[Person]]:
    made: list[Person] = []
    yield made
    for person in made:
        await person.client.aclose()

"""Organizations: the subdomain is one DNS label (docs/whereby-compatibility.md, "Room URLs")."""

import pytest

from salon.errors import InvalidInput
from salon.orgs.model import DEFAULT_SUBDOMAIN, check_subdomain

SUBDOMAIN_MESSAGE = "subdomain must be 1-63 lower-case letters, digits or inner hyphens"


def test_the_default_subdomain_is_valid() -> None:
    assert DEFAULT_SUBDOMAIN == "default"
    assert check_subdomain(DEFAULT_SUBDOMAIN) == "default"


@pytest.mark.parametrize(
    "subdomain",
    ["a", "0", "acme", "my-company", "a-b-c", "a--b", "x1", "1x", "a" * 63, "a" + "-" * 61 + "b"],
)
def test_check_subdomain_accepts_a_dns_label(subdomain: str) -> None:
    assert check_subdomain(subdomain) == subdomain


@pytest.mark.parametrize(
    "subdomain",
    [
        "",
        "a" * 64,
        "-acme",
        "acme-",
        "-",
        "Acme",
        "ACME",
        "my_company",
        "my.company",
        "my company",
        " acme",
        "acme\n",
        "café",
        "acme/",
        "*",
        "ａcme",  # full-width a
    ],
)
def test_check_subdomain_rejects_anything_else(subdomain: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        check_subdomain(subdomain)
    assert caught.value.message == SUBDOMAIN_MESSAGE

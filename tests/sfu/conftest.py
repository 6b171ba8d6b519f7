"""Group-room tests on a real Janus: one `salon serve --janus auto` (a managed Janus) on SQLite,
one Debian Chromium, and aiortc bots, inside a private network namespace with a veth pair.

Janus and aiortc gather no ICE candidate on `lo`, so these tests need an interface of their own;
scripts/test runs them as

    unshare --net sh -c 'ip link set lo up; ip link add veth0 type veth peer name veth1;
      ip addr add 10.77.0.1/24 dev veth0; ip link set veth0 up; ip link set veth1 up;
      exec .venv/bin/pytest tests/sfu'

Started anywhere else they fail, never skip; so do they when `janus` or `turnserver` is missing.
"""

import asyncio
import shutil
import socket
from collections.abc import AsyncIterator, Generator, Iterator
from pathlib import Path

import pytest
import pytest_asyncio
from playwright.async_api import Browser, Playwright, async_playwright, expect
from pytest_asyncio import is_async_test

from browser.bidi import FIREFOX, Firefox
from browser.firefox import FirefoxCrowd
from browser.harness import CHROMIUM, CHROMIUM_ARGS, UI_TIMEOUT_MS, Crowd
from e2e.salon_process import SalonServer
from sfu.bots import Bot
from sfu.rooms import VETH_ADDRESS, GroupMeetings
from webhook_helpers import ALLOW_LOCAL

HERE = Path(__file__).resolve().parent
LOG = pytest.StashKey[list[str]]()
SERVER = pytest.StashKey[SalonServer]()
SERVER_LOG_FROM = pytest.StashKey[tuple[int, int]]()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    session_loop = pytest.mark.asyncio(loop_scope="session")
    for item in items:
        if is_async_test(item) and HERE in Path(str(item.path)).parents:
            item.add_marker(session_loop, append=False)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    """On failure: the pages' log and what the server (and its Janus) logged meanwhile."""
    report = yield
    if report.failed:
        lines = item.stash.get(LOG, [])
        if lines:
            report.sections.append((f"browser log ({report.when})", "\n".join(lines[-600:])))
        server = item.session.stash.get(SERVER, None)
        if server is not None and SERVER_LOG_FROM in item.stash:
            out_from, err_from = item.stash[SERVER_LOG_FROM]
            text = (server.stdout[out_from:] + server.stderr[err_from:])[-20_000:]
            report.sections.append((f"salon serve log ({report.when})", text))
    return report


def _network_problem() -> str | None:
    names = sorted(name for _, name in socket.if_nameindex())
    if names != ["lo", "veth0", "veth1"]:
        return f"network interfaces {names}, not lo and a veth pair"
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.bind((VETH_ADDRESS, 0))
        except OSError as error:
            return f"cannot bind {VETH_ADDRESS} ({error}): is veth0 up with that address?"
    return None


@pytest.fixture(scope="session", autouse=True)
def private_network() -> None:
    problem = _network_problem()
    if problem is not None:
        pytest.fail(
            f"SFU tests run only in a private network namespace with a veth pair: {problem}. "
            "Run them with scripts/test (see tests/sfu/conftest.py).",
            pytrace=False,
        )
    for browser_binary, package in ((CHROMIUM, "chromium"), (FIREFOX, "firefox-esr")):
        if not Path(browser_binary).exists():
            pytest.fail(f"{browser_binary} is missing: apt-get install -y {package}", pytrace=False)
    for binary in ("janus", "turnserver"):
        if shutil.which(binary) is None:
            pytest.fail(f"{binary} is missing: apt-get install -y janus coturn", pytrace=False)


@pytest.fixture(scope="session")
def salon(
    private_network: None, tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest
) -> Iterator[SalonServer]:
    """One `salon serve --janus auto` on a fresh SQLite database for the session."""
    base = tmp_path_factory.mktemp("salon-sfu")
    server = SalonServer.on(
        log_dir=base / "logs",
        data_dir=base / "data",
        extra_args=["--janus", "auto", "--room-joins-per-minute", "0", *ALLOW_LOCAL],
    )
    with server:
        request.session.stash[SERVER] = server
        yield server


@pytest.fixture(scope="session")
def meetings(salon: SalonServer) -> GroupMeetings:
    key = salon.first_key
    assert key is not None, f"no API key in the banner of salon serve:\n{salon.stdout}"
    return GroupMeetings(salon.base_url, key)


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def playwright(private_network: None) -> AsyncIterator[Playwright]:
    async with async_playwright() as driver:
        yield driver


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def browser(playwright: Playwright) -> AsyncIterator[Browser]:
    expect.set_options(timeout=UI_TIMEOUT_MS)
    launched = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    try:
        yield launched
    finally:
        await launched.close()


@pytest_asyncio.fixture(loop_scope="session")
async def crowd(
    browser: Browser, salon: SalonServer, request: pytest.FixtureRequest
) -> AsyncIterator[Crowd]:
    lines: list[str] = []
    request.node.stash[LOG] = lines
    request.node.stash[SERVER_LOG_FROM] = (len(salon.stdout), len(salon.stderr))
    people = Crowd(browser, lines)
    try:
        yield people
    finally:
        await people.close()


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def firefox(private_network: None) -> AsyncIterator[Firefox]:
    """One Debian Firefox ESR per test module; each participant a user context of its own."""
    launched = await Firefox.launch()
    try:
        yield launched
    finally:
        await launched.close()


@pytest_asyncio.fixture(loop_scope="session")
async def foxes(crowd: Crowd, firefox: Firefox) -> AsyncIterator[FirefoxCrowd]:
    """The Firefox people of one test, logging with the test's Chromium ones."""
    people = FirefoxCrowd(firefox, crowd)
    try:
        yield people
    finally:
        await people.close()


@pytest_asyncio.fixture(loop_scope="session")
async def bots() -> AsyncIterator[list[Bot]]:
    """The aiortc bots a test makes, closed after it."""
    made: list[Bot] = []
    yield made
    await asyncio.gather(*(bot.close() for bot in made))

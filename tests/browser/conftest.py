"""Browser tests: one `salon serve` on SQLite and one Debian Chromium for the whole session, a new
browser context for each participant, everything inside a private network namespace.

Run them as scripts/test does, in a fresh network namespace with only `lo` up:

    unshare --net sh -c 'ip link set lo up && exec .venv/bin/pytest tests/browser'

Started anywhere else they fail, never skip: a browser test that moves media must not touch the
machine's network card, and a missing Chromium is a broken machine, not an optional feature.
"""

import socket
from collections.abc import AsyncIterator, Generator, Iterator
from pathlib import Path

import pytest
import pytest_asyncio
from playwright.async_api import Browser, Playwright, async_playwright, expect
from pytest_asyncio import is_async_test

from browser.bidi import FIREFOX, Firefox
from browser.firefox import FirefoxCrowd
from browser.harness import (
    CHROMIUM,
    CHROMIUM_ARGS,
    UI_TIMEOUT_MS,
    Crowd,
    Meetings,
)
from browser.https_pages import APP_HOST, EVIL_HOST, HostPages, self_signed_context
from e2e.salon_process import SalonServer

HERE = Path(__file__).resolve().parent
LOG = pytest.StashKey[list[str]]()
SERVER_LOG_FROM = pytest.StashKey[tuple[int, int]]()
FAILED = pytest.StashKey[pytest.TestReport]()
SALON = pytest.StashKey[SalonServer]()
LOG_TAIL_LINES = 600


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every async browser test runs on the session's event loop, the loop of the browser."""
    session_loop = pytest.mark.asyncio(loop_scope="session")
    for item in items:
        if is_async_test(item) and HERE in Path(str(item.path)).parents:
            item.add_marker(session_loop, append=False)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    """On failure, the pages' log (console, errors, dialogs, signaling frames) and what the
    server logged meanwhile go into the report."""
    report = yield
    if report.failed:
        item.stash.setdefault(FAILED, report)
        lines = item.stash.get(LOG, [])
        if lines:
            shown = lines[-LOG_TAIL_LINES:]
            skipped = len(lines) - len(shown)
            head = [f"… {skipped} earlier lines left out"] if skipped else []
            report.sections.append((f"browser log ({report.when})", "\n".join(head + shown)))
        server = item.session.stash.get(SALON, None)
        if server is not None and SERVER_LOG_FROM in item.stash:
            out_from, err_from = item.stash[SERVER_LOG_FROM]
            text = (server.stdout[out_from:] + server.stderr[err_from:])[-20_000:]
            report.sections.append((f"salon serve log ({report.when})", text))
    return report


def _network_problem() -> str | None:
    """Why this is not a private network namespace with loopback only, or None if it is.

    The interfaces this process sees are those of its own namespace (`if_nameindex` asks the
    kernel, unlike /sys/class/net, which shows the namespace that mounted /sys). Comparing
    /proc/self/ns/net with /proc/1/ns/net is not possible here: PID 1 is outside this sandbox
    and its namespace links are unreadable, so the test is on what matters instead: no
    interface but `lo`, and `lo` up.
    """
    names = [name for _, name in socket.if_nameindex()]
    if names != ["lo"]:
        return f"network interfaces {names}: not a private namespace with only `lo`"
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        try:
            probe.bind(("127.0.0.1", 0))
        except OSError as error:
            return f"cannot bind 127.0.0.1 ({error}): is `lo` up?"
    return None


@pytest.fixture(scope="session", autouse=True)
def private_network() -> None:
    problem = _network_problem()
    if problem is not None:
        pytest.fail(
            f"browser tests run only inside a private network namespace: {problem}. Run them "
            "with scripts/test, or: unshare --net sh -c 'ip link set lo up && exec "
            ".venv/bin/pytest tests/browser'",
            pytrace=False,
        )


@pytest.fixture(scope="session")
def salon(
    private_network: None, tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest
) -> Iterator[SalonServer]:
    """One `salon serve` on a fresh SQLite database for the session."""
    base = tmp_path_factory.mktemp("salon")
    # Every page of the suite joins from 127.0.0.1: the per-address join limit is for strangers.
    server = SalonServer.on(
        log_dir=base / "logs",
        data_dir=base / "data",
        extra_args=["--room-joins-per-minute", "0"],
    )
    with server:
        request.session.stash[SALON] = server
        yield server


@pytest.fixture(scope="session")
def meetings(salon: SalonServer) -> Meetings:
    key = salon.first_key
    assert key is not None, f"no API key in the banner of salon serve:\n{salon.stdout}"
    return Meetings(salon.base_url, key)


@pytest.fixture(scope="session")
def host_pages(salon: SalonServer, tmp_path_factory: pytest.TempPathFactory) -> Iterator[HostPages]:
    """Pages of other sites, over HTTPS (https_pages.py). The app's origin is made an allowed
    domain of the default organization, the way an operator would: `salon domains add`."""
    tls = self_signed_context(tmp_path_factory.mktemp("tls"), [APP_HOST, EVIL_HOST])
    with HostPages(tls) as pages:
        allowed = salon.cli("domains", "add", pages.origin(APP_HOST))
        assert allowed.returncode == 0, f"salon domains add: {allowed.stdout}{allowed.stderr}"
        yield pages


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def playwright(private_network: None) -> AsyncIterator[Playwright]:
    async with async_playwright() as driver:
        yield driver


@pytest.fixture(scope="session")
def chromium() -> str:
    """Debian's Chromium, never one that Playwright downloads; missing, it fails every test."""
    if not Path(CHROMIUM).exists():
        pytest.fail(
            f"{CHROMIUM} is missing: the browser tests need Debian's chromium "
            "(scripts/test installs it: apt-get install -y chromium)",
            pytrace=False,
        )
    return CHROMIUM


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def browser(playwright: Playwright, chromium: str) -> AsyncIterator[Browser]:
    """The one Chromium of the session; each participant gets a context of its own."""
    expect.set_options(timeout=UI_TIMEOUT_MS)
    launched = await playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
    try:
        yield launched
    finally:
        await launched.close()


@pytest_asyncio.fixture(loop_scope="session")
async def crowd(
    browser: Browser,
    salon: SalonServer,
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
) -> AsyncIterator[Crowd]:
    """The people of one test, each in a browser context of their own."""
    lines: list[str] = []
    request.node.stash[LOG] = lines
    request.node.stash[SERVER_LOG_FROM] = (len(salon.stdout), len(salon.stderr))
    people = Crowd(browser, lines)
    try:
        yield people
    finally:
        failed = request.node.stash.get(FAILED, None)
        if failed is not None:
            before = len(lines)
            await people.dump(tmp_path_factory.mktemp(f"failed-{request.node.name[:60]}"))
            # The failure is reported at the end of the session, so this still shows.
            failed.sections.append(("the pages at the end", "\n".join(lines[before:])))
        await people.close()


@pytest.fixture(scope="session")
def firefox_binary() -> str:
    """Debian's Firefox ESR; missing, it fails every test that uses it."""
    if not Path(FIREFOX).exists():
        pytest.fail(
            f"{FIREFOX} is missing: apt-get install -y firefox-esr (scripts/test installs it)",
            pytrace=False,
        )
    return FIREFOX


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def firefox(private_network: None, firefox_binary: str) -> AsyncIterator[Firefox]:
    """One Firefox per test module (it takes about a second to start); each Firefox participant
    gets a user context of its own."""
    launched = await Firefox.launch(firefox_binary)
    try:
        yield launched
    finally:
        await launched.close()


@pytest_asyncio.fixture(loop_scope="session")
async def foxes(
    crowd: Crowd,
    firefox: Firefox,
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
) -> AsyncIterator[FirefoxCrowd]:
    """The Firefox people of one test, logging with the test's Chromium ones."""
    people = FirefoxCrowd(firefox, crowd)
    try:
        yield people
    finally:
        failed = request.node.stash.get(FAILED, None)
        if failed is not None:
            before = len(crowd.lines)
            await people.dump(tmp_path_factory.mktemp(f"failed-firefox-{request.node.name[:50]}"))
            failed.sections.append(
                ("the Firefox pages at the end", "\n".join(crowd.lines[before:]))
            )
        await people.close()

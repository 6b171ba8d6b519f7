"""The API reference at /v1/docs works in a browser with no internet (this namespace has none):
Swagger UI comes from Salon itself, shows the operations, and breaks no rule of its own
Content-Security-Policy."""

from playwright.async_api import ConsoleMessage, Request, expect

from browser.harness import Crowd
from e2e.salon_process import SalonServer


async def test_the_api_reference_works_offline(salon: SalonServer, crowd: Crowd) -> None:
    reader = await crowd.person("Reader")
    requested: list[str] = []
    complaints: list[str] = []

    def on_console(message: ConsoleMessage) -> None:
        if message.type == "error":
            complaints.append(message.text)

    def on_request(request: Request) -> None:
        requested.append(request.url)

    reader.page.on("console", on_console)
    reader.page.on("request", on_request)
    await reader.page.goto(f"{salon.base_url}/v1/docs")
    operations = reader.page.locator(".opblock-summary-path")
    await expect(operations.filter(has_text="/v1/meetings").first).to_be_visible()
    await expect(reader.page.locator(".info .title")).to_contain_text("Salon API")
    assert await operations.count() >= 5
    assert requested, "the page requested nothing"
    elsewhere = [url for url in requested if not url.startswith(salon.base_url + "/")]
    assert not elsewhere, elsewhere
    assert not complaints, complaints

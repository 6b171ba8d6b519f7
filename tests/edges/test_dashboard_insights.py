"""The dashboard's Insights page: the organization's rooms with their figures, and one room's
sessions with each person's times and server-drawn SVG charts of bitrate and packet loss."""

from dashboard_helpers import Person, signed_in
from edges.test_insights_api import busy_room, sample
from helpers import Api
from salon.accounts.model import AccountRole
from salon.dashboard.charts import Series, line_chart

PAGE = "/dashboard/insights"


async def test_the_rooms_and_one_rooms_sessions_with_charts(api: Api, people: list[Person]) -> None:
    meeting = await busy_room(api)
    buffer = api.app.state.services.quality_samples
    for index in range(3):
        buffer.add("guest-b", "UA", sample(index * 2.0, 900_000, audio=True, video=True))
        api.clock.advance(2000)
    await buffer.flush()
    owner = await signed_in(api, people, "owner@example.com")
    rooms = await owner.get(PAGE)
    assert rooms.status_code == 200
    assert rooms.text.count('data-testid="insight-room"') == 1
    assert meeting["roomName"] in rooms.text
    assert "<td>2</td><td>9</td><td>4</td>" in rooms.text  # sessions, minutes, people
    room = await owner.get(f"{PAGE}/room?name=%2F{meeting['roomName'][1:]}")
    assert room.status_code == 200
    assert room.text.count('data-testid="insight-person"') == 6  # two sessions' people
    assert room.text.count('<figure class="chart" data-testid="chart-bitrate"') == 1  # guest-b's
    assert 'data-series="sent"' in room.text
    assert "still on" in room.text
    assert "Bitrate: no samples." in room.text


async def test_members_may_not_see_insights(api: Api, people: list[Person]) -> None:
    member = await signed_in(api, people, "member@example.com", AccountRole.MEMBER)
    assert (await member.get(PAGE)).status_code == 403


def test_a_chart_draws_each_series_on_a_round_axis() -> None:
    chart = line_chart(
        "Bitrate", "kbit/s", [Series("sent", "#000", [0, 50, 120]), Series("got", "#111", [])], "c"
    )
    assert chart.count("<polyline") == 1
    assert 'points="44.0,86.0 178.0,67.0 312.0,40.4"' in chart  # 0, 50 and 120 of 200
    assert ">200<" in chart
    assert 'aria-label="Bitrate"' in chart
    assert "no samples" in line_chart("Loss", "%", [Series("sent", "#000", [])], "c")
    hostile = line_chart("<b>", "%", [Series("<i>", "#000", [1])], "c")
    assert "<b>" not in hostile
    assert "<i>" not in hostile

"""Live streaming: which RTMP URLs a meeting may stream to, where a stream connects (the address
that was checked), when a room starts and stops streaming, and what ffmpeg is asked to do."""

import ipaddress
import json
from collections.abc import Awaitable, Callable
from pathlib import Path

import pytest

from salon.errors import InvalidInput
from salon.ids import MeetingId, OrgId, RoomName
from salon.meetings.model import Meeting, RoomMode
from salon.recording.live import ForwardedFeed, ForwardedStream, live_command, live_graph
from salon.recording.streamer import LiveStreaming
from salon.recording.streaming import (
    NOT_ALLOWED,
    StreamTrigger,
    check_stream_url,
    destination_problem,
    streaming_options,
)
from salon.webhooks.destinations import Address, DestinationPolicy

PUBLIC = ipaddress.ip_address("8.8.4.4")
PRIVATE = ipaddress.ip_address("10.0.0.7")


def test_an_rtmp_url_needs_a_host_an_application_and_a_stream_key() -> None:
    target = check_stream_url(" rtmp://a.rtmp.example.com/live2/abc-123 ")
    assert (target.scheme, target.host, target.port) == ("rtmp", "a.rtmp.example.com", 1935)
    assert check_stream_url("rtmps://live.example.com/app/key").port == 443
    assert check_stream_url("rtmp://live.example.com:1940/app/key").port == 1940
    for url, message in [
        ("https://example.com/live/key", "must start with rtmp:// or rtmps://"),
        ("rtmp:///live/key", "must name a host"),
        ("rtmp://user:pw@example.com/live/key", "must name a host (and no user)"),
        ("rtmp://example.com/", "must end with the stream key"),
        ("rtmp://example.com:99999/live/key", "is not a URL"),
    ]:
        with pytest.raises(InvalidInput, match=message.replace("(", r"\(").replace(")", r"\)")):
            check_stream_url(url)


def test_an_rtmp_stream_connects_to_the_address_that_was_checked() -> None:
    target = check_stream_url("rtmp://live.example.com/live2/key")
    assert target.pinned(PUBLIC) == (
        "rtmp://8.8.4.4:1935/live2/key",
        "rtmp://live.example.com/live2",
    )
    assert target.pinned(ipaddress.ip_address("2001:4860::8844"))[0] == (
        "rtmp://[2001:4860::8844]:1935/live2/key"
    )
    tls = check_stream_url("rtmps://live.example.com/live2/key")
    assert tls.pinned(PUBLIC) == ("rtmps://live.example.com/live2/key", None)


def test_a_stream_goes_only_to_public_addresses_or_the_ones_the_operator_allows() -> None:
    target = check_stream_url("rtmp://live.example.com/live/key")
    assert destination_problem(target, [PUBLIC], DestinationPolicy()) is None
    assert destination_problem(target, [PUBLIC, PRIVATE], DestinationPolicy()) == NOT_ALLOWED
    loopback = [ipaddress.ip_address("127.0.0.1")]
    assert destination_problem(target, loopback, DestinationPolicy()) == NOT_ALLOWED
    allowed = DestinationPolicy.from_text("127.0.0.0/8")
    assert destination_problem(target, loopback, allowed) is None
    assert destination_problem(target, [], allowed) == (
        "streaming.destination.url: the host cannot be resolved"
    )


def meeting(streaming: object, mode: RoomMode = RoomMode.GROUP) -> Meeting:
    return Meeting(
        MeetingId("1"), OrgId(1), RoomName("/live-a"), mode, False, 0, 1, 0,
        json.dumps({"streaming": streaming}),
    )  # fmt: skip


def test_the_streaming_option_is_read_back_from_the_stored_meeting() -> None:
    options = streaming_options(
        meeting(
            {"destination": {"url": "rtmp://x.example/a/b"}, "startTrigger": "automatic"}
        ).options
    )
    assert options.target is not None
    assert options.target.host == "x.example"
    assert options.trigger is StreamTrigger.AUTOMATIC
    assert streaming_options(meeting(None).options).target is None
    assert streaming_options("not json").trigger is StreamTrigger.NONE
    bad = meeting({"destination": {"url": "http://x/a/b"}, "startTrigger": "automatic"})
    assert streaming_options(bad.options).target is None
    off = json.dumps(
        {
            "streaming": {"destination": {"url": "rtmp://x.example/a/b"}, "startTrigger": "none"},
            "roomPreferences": {"streaming": False},
        }
    )
    assert streaming_options(off).target is None


class Media:
    def __init__(self) -> None:
        self.calls: list[tuple[str, tuple[str, str | None] | None]] = []

    async def stream(self, room_name: str, target: tuple[str, str | None] | None) -> None:
        self.calls.append((room_name, target))


def resolver(addresses: list[Address]) -> Callable[[str], Awaitable[list[Address]]]:
    async def resolve(host: str) -> list[Address]:
        return addresses

    return resolve


async def test_a_stream_starts_once_and_stops() -> None:
    media = Media()
    streaming = LiveStreaming(media, DestinationPolicy(), resolver([PUBLIC]))
    live = meeting({"destination": {"url": "rtmp://x.example/app/k"}, "startTrigger": "automatic"})
    assert await streaming.start(live) is None
    assert await streaming.start(live) is None  # already streaming
    assert media.calls == [("/live-a", ("rtmp://8.8.4.4:1935/app/k", "rtmp://x.example/app"))]
    assert streaming.streaming("/live-a")
    await streaming.stop(live)
    assert media.calls[-1] == ("/live-a", None)
    assert not streaming.streaming("/live-a")


async def test_a_refused_destination_or_a_normal_room_is_not_streamed() -> None:
    media = Media()
    refused = LiveStreaming(media, DestinationPolicy(), resolver([PRIVATE]))
    live = meeting({"destination": {"url": "rtmp://x.example/app/k"}, "startTrigger": "automatic"})
    assert await refused.start(live) == NOT_ALLOWED
    literal = meeting(
        {"destination": {"url": "rtmp://169.254.169.254/a/k"}, "startTrigger": "none"}
    )
    assert await refused.start(literal) == NOT_ALLOWED
    fine = LiveStreaming(media, DestinationPolicy(), resolver([PUBLIC]))
    normal = meeting(
        {"destination": {"url": "rtmp://x.example/app/k"}, "startTrigger": "automatic"},
        RoomMode.NORMAL,
    )
    assert await fine.start(normal) == "live streaming works in group rooms only"
    assert media.calls == []


def test_ffmpeg_reads_each_publisher_from_an_sdp_and_pushes_one_grid_as_flv() -> None:
    feeds = [
        ForwardedFeed(
            7, (ForwardedStream("audio", "opus", 20000), ForwardedStream("video", "vp8", 20002))
        ),
        ForwardedFeed(9, (ForwardedStream("audio", "opus", 20004),)),
    ]
    sdp = feeds[0].sdp()
    assert "m=audio 20000 RTP/AVP 111\r\na=rtpmap:111 opus/48000/2\r\n" in sdp
    assert "m=video 20002 RTP/AVP 96\r\na=rtpmap:96 VP8/90000\r\n" in sdp
    graph = live_graph(feeds)
    assert graph.count("overlay=") == 1  # the publisher without a camera has no cell
    assert "[0:a][1:a]amix=inputs=2" in graph
    argv = live_command(
        feeds, [Path("a.sdp"), Path("b.sdp")], "rtmp://1.2.3.4:1935/a/k", "rtmp://h/a"
    )
    assert argv[-3:] == ["-f", "flv", "rtmp://1.2.3.4:1935/a/k"]
    assert argv[argv.index("-rtmp_tcurl") + 1] == "rtmp://h/a"
    assert argv.count("-use_wallclock_as_timestamps") == 2

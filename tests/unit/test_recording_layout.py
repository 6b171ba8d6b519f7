"""Where recorded videos go in the composed picture, and when (pure)."""

from salon.ids import RoomName
from salon.recording.layout import Placement, VideoSpan, filter_graph, layout
from salon.recording.model import access_path, composite_filename, link_is_valid


def test_one_video_fills_the_picture_and_two_share_it_side_by_side() -> None:
    assert layout([VideoSpan(0, 0.0, 10.0)]) == [Placement(0, 0.0, 10.0, 0, 0, 1280, 720)]
    assert layout([VideoSpan(0, 0.0, 10.0), VideoSpan(1, 0.0, 10.0)]) == [
        Placement(0, 0.0, 10.0, 0, 0, 640, 720),
        Placement(1, 0.0, 10.0, 640, 0, 640, 720),
    ]


def test_the_grid_follows_who_publishes_when_and_centres_a_short_last_row() -> None:
    spans = [VideoSpan(0, 0.0, 30.0), VideoSpan(1, 10.0, 30.0), VideoSpan(2, 20.0, 30.0)]
    assert layout(spans) == [
        Placement(0, 0.0, 10.0, 0, 0, 1280, 720),
        Placement(0, 10.0, 20.0, 0, 0, 640, 720),
        Placement(1, 10.0, 20.0, 640, 0, 640, 720),
        Placement(0, 20.0, 30.0, 0, 0, 640, 360),
        Placement(1, 20.0, 30.0, 640, 0, 640, 360),
        Placement(2, 20.0, 30.0, 320, 360, 640, 360),
    ]


def test_a_screen_share_is_large_and_the_cameras_stack_beside_it() -> None:
    spans = [VideoSpan(0, 0.0, 10.0), VideoSpan(1, 0.0, 10.0, screen=True), VideoSpan(2, 0, 10)]
    assert layout(spans) == [
        Placement(1, 0.0, 10.0, 0, 0, 960, 720),
        Placement(0, 0.0, 10.0, 960, 0, 320, 180),
        Placement(2, 0.0, 10.0, 960, 180, 320, 180),
    ]


def test_starts_and_ends_a_moment_apart_make_one_grid_and_a_glimpse_is_left_out() -> None:
    spans = [VideoSpan(0, 0.005, 60.07), VideoSpan(1, 0.028, 60.16), VideoSpan(2, 30.0, 30.2)]
    assert layout(spans) == [
        Placement(0, 0.005, 60.07, 0, 0, 640, 720),
        Placement(1, 0.005, 60.07, 640, 0, 640, 720),
    ]


def test_the_filter_graph_shifts_each_input_by_its_offset_and_mixes_all_audio() -> None:
    graph = filter_graph(
        [Placement(0, 1.5, 10.0, 0, 0, 1280, 720)], {0: 1.5}, {1: 0.0, 2: 2.25}, 10, 25
    )
    assert "color=c=black:s=1280x720:r=25:d=10.000,format=yuv420p[base0]" in graph
    assert "[0:v]setpts=PTS+1.4800/TB[src0]" in graph  # half a picture early, not from its
    # first decoded frame (which may come after frames that could not be decoded)
    assert "[src0]trim=start=1.000:end=10.000,scale=1280:720" in graph
    assert "overlay=x='0+(1280-overlay_w)/2':y='0+(720-overlay_h)/2'" in graph
    assert "enable='between(t,1.500,10.000)'" in graph
    assert "[1:a]adelay=0:all=1[aud1]" in graph
    assert "[2:a]adelay=2250:all=1[aud2]" in graph
    assert "amix=inputs=2:duration=longest:normalize=0" in graph
    silent = filter_graph([Placement(0, 0.0, 5.0, 0, 0, 1280, 720)], {0: 0.0}, {}, 5)
    assert "[src0]trim=end=5.000," in silent  # from its first frame, even one before 0
    assert "anullsrc=r=48000:cl=mono,atrim=0:5.000[a]" in silent


def test_a_recording_is_named_after_its_room_and_start() -> None:
    name = composite_filename(RoomName("/rec-abc"), 1_772_366_400_000, "mkv")
    assert name == "rec-abc-2026-03-01T12:00:00.000Z.mkv"


def test_an_access_link_is_valid_only_as_signed_and_until_it_expires() -> None:
    secret = b"s" * 32
    path = access_path(secret, "rec-1", 5000)
    signature = path.rsplit("signature=", 1)[1]
    assert link_is_valid(secret, "rec-1", "5000", signature, 4999)
    assert not link_is_valid(secret, "rec-1", "5000", signature, 5000)
    assert not link_is_valid(secret, "rec-2", "5000", signature, 0)
    assert not link_is_valid(secret, "rec-1", "50000", signature, 0)
    assert not link_is_valid(b"t" * 32, "rec-1", "5000", signature, 0)
    assert not link_is_valid(secret, "rec-1", "-5", signature, 0)
    assert not link_is_valid(secret, "rec-1", "5000", "x" * 64, 0)

"""Which Janus instance carries a room: the least loaded of those up, and the same one for as
long as the room lives there. Pure.

Load is forwarded tracks, not rooms: one room of 200 forwards more than a hundred rooms of two.
Each room also counts one, so rooms made at the same moment (no tracks yet) still spread."""

from collections.abc import Callable, Iterable, Mapping


def place(
    room: str,
    placed: Mapping[str, str],
    loads: Mapping[str, int],
    up: frozenset[str],
) -> str | None:
    """The instance for `room`: where it already is while that instance is up, else the least
    loaded instance that is up (ties go to the first listed); None when none is up.

    `placed` maps rooms to instances, `loads` gives each instance's load (`instance_loads`, in
    listing order), `up` the instances that answer now.
    """
    current = placed.get(room)
    if current is not None and current in up:
        return current
    candidates = [
        (load, index, url) for index, (url, load) in enumerate(loads.items()) if url in up
    ]
    if not candidates:
        return None
    return min(candidates)[2]


def instance_loads(
    instances: Iterable[str], placed: Mapping[str, str], tracks: Callable[[str], int]
) -> dict[str, int]:
    """Each instance's load: for every room placed there, its forwarded tracks plus one."""
    loads = dict.fromkeys(instances, 0)
    for room, instance in placed.items():
        loads[instance] = loads.get(instance, 0) + 1 + tracks(room)
    return loads


def parse_instances(spec: str) -> list[str]:
    """`ws://a,ws://b` as a list of WebSocket URLs; a ValueError names a bad one."""
    urls = [part.strip() for part in spec.split(",") if part.strip()]
    if not urls:
        raise ValueError("no Janus URL given")
    for url in urls:
        if not url.startswith(("ws://", "wss://")):
            raise ValueError(f"a Janus instance is a ws:// or wss:// URL, not {url!r}")
    if len(set(urls)) != len(urls):
        raise ValueError("a Janus URL is listed twice")
    return urls

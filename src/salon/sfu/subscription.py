"""Each member's one multistream subscriber handle, kept in step with the feeds of its space
(`JanusGroupMedia` holds one `Subscriptions` and hands it how to find rooms and members).

    feeds change ──► reconcile() ──► join (first) | update (subscribe + unsubscribe) ──► offer
    offer from Janus (ours, or its own after a publisher left) ──► `sfu-offer` to the browser
    `sfu-answer` ──► start ──► reconcile() again (changes that came meanwhile)

Only one offer is outstanding at a time: while the browser has not answered, changes wait.
A member's first subscription is prepared as it enters (`prepare`), while its `joined` travels:
when the browser asks (`sfu-subscribe`), Janus's offer is ready and leaves at once.
"""

import contextlib
import logging
from collections.abc import Callable, Coroutine
from typing import Any

from salon.sfu import visibility
from salon.sfu.janus_client import JanusError, JanusHandle
from salon.sfu.model import Member, Prepared, VideoRoom
from salon.sfu.visibility import StreamKey, View

log = logging.getLogger(__name__)


def wanted(room: VideoRoom, member: Member) -> set[StreamKey]:
    """The videos the member's screen shows and the loudest voices of its space."""
    audible = room.loudness.loudest(room.voices, exclude=member.participant_id)
    return visibility.wanted(member.participant_id, room.feeds.values(), member.view, audible)


class Subscriptions:
    def __init__(
        self,
        room_of: Callable[[Member], VideoRoom | None],
        member: Callable[[str], Member | None],
        spawn: Callable[[Coroutine[Any, Any, None]], None],
    ) -> None:
        self.room_of = room_of
        self.member = member
        self._spawn = spawn

    async def prepare(self, room: VideoRoom, member: Member) -> None:
        """Join a subscriber handle to what the member would receive now, before the browser
        asks: its first `sfu-subscribe` then gets the offer without waiting for Janus."""
        async with member.lock:
            if member.receiving or member.subscriber is not None or member.prepared is not None:
                return
            want = wanted(room, member)
            if not want or not room.alive or room.members.get(member.participant_id) is not member:
                return
            try:
                handle, data, jsep = await self._join_subscriber(room, want)
            except JanusError as error:
                log.warning("sfu: preparing for %s failed: %s", member.participant_id, error)
                return
            prepared = member.prepared = Prepared(handle, data, jsep)

            def spoil(_event: dict[str, Any]) -> None:
                prepared.spoiled = True

            handle.on_event = spoil

    async def _join_subscriber(
        self, room: VideoRoom, want: set[StreamKey]
    ) -> tuple[JanusHandle, dict[str, Any], dict[str, Any] | None]:
        assert room.instance is not None
        assert room.instance.session is not None
        handle = await room.instance.session.attach()
        data, jsep = await handle.request(
            {
                "request": "join",
                "ptype": "subscriber",
                "room": room.room_id,
                "streams": [{"feed": f, "mid": m} for f, m in sorted(want)],
            }
        )
        return handle, data, jsep

    def _adopt(self, room: VideoRoom, member: Member, prepared: Prepared) -> None:
        """The prepared handle becomes the member's subscription; its offer leaves now (what
        changed since is caught up after the answer, by `reconcile`)."""
        handle = prepared.handle
        handle.on_event = lambda event: self._on_subscriber_event(member, handle, event)
        member.subscriber = handle
        self._offer(room, member, prepared.data, prepared.jsep)

    async def reconcile(self, room: VideoRoom, member: Member) -> None:
        async with member.lock:
            if (
                not member.receiving
                or member.unanswered > 0
                or not room.alive
                or room.members.get(member.participant_id) is not member
            ):
                return
            want, have = wanted(room, member), member.subscribed()
            log.debug("sfu: %s wants %s, has %s", member.participant_id, want, have)
            if want == have:
                return
            try:
                if member.subscriber is None:
                    if not want:
                        return
                    handle, data, jsep = await self._join_subscriber(room, want)
                    handle.on_event = lambda event: self._on_subscriber_event(member, handle, event)
                    member.subscriber = handle
                else:
                    body: dict[str, Any] = {"request": "update"}
                    if want - have:
                        body["subscribe"] = [{"feed": f, "mid": m} for f, m in sorted(want - have)]
                    if have - want:
                        body["unsubscribe"] = [
                            {"feed": f, "mid": m} for f, m in sorted(have - want)
                        ]
                    data, jsep = await member.subscriber.request(body)
            except JanusError as error:
                log.warning("sfu: subscription of %s failed: %s", member.participant_id, error)
                return
            self._offer(room, member, data, jsep)

    def _on_subscriber_event(
        self, member: Member, handle: JanusHandle, event: dict[str, Any]
    ) -> None:
        """Janus renegotiates by itself, e.g. when a publisher the member watched has left."""
        if member.subscriber is not handle:
            return
        data = event.get("plugindata", {}).get("data", {})
        jsep = event.get("jsep")
        room = self.room_of(member)
        if room is not None and (jsep is not None or "streams" in data):
            self._offer(room, member, data, jsep)

    def _offer(
        self,
        room: VideoRoom,
        member: Member,
        data: dict[str, Any],
        jsep: dict[str, Any] | None,
    ) -> None:
        if "streams" in data:
            member.streams = list(data["streams"])
        log.debug("sfu: %s: %s, jsep %s", member.participant_id, data.get("videoroom"), bool(jsep))
        if jsep is None or jsep.get("type") != "offer":
            return
        member.unanswered += 1
        assert member.subscriber is not None
        member.last_offer = {
            "type": "sfu-offer",
            "subscription": member.subscriber.id,
            "description": {"type": "offer", "sdp": jsep.get("sdp", "")},
            "streams": self._stream_view(room, member),
        }
        member.send(member.last_offer)

    @staticmethod
    def _stream_view(room: VideoRoom, member: Member) -> list[dict[str, Any]]:
        """The subscription in the browser's terms: its mid → whose camera or screen."""
        view = []
        for stream in member.streams:
            feed = room.feeds.get(stream.get("feed_id", -1))
            if feed is None or not stream.get("active", True):
                continue
            described = next(
                (s for s in feed.streams if str(s.get("mid")) == str(stream.get("feed_mid"))), {}
            )
            view.append(
                {
                    "mid": str(stream.get("mid")),
                    "participantId": feed.participant_id,
                    "kind": "screen" if described.get("description") == "screen" else "camera",
                    "media": stream.get("type"),
                }
            )
        return view

    async def answer(
        self, participant_id: str, answer: dict[str, Any], subscription: int | None
    ) -> None:
        """The browser's answer to the last subscriber offer (an answer to the offer of a
        subscription that is gone meanwhile is dropped)."""
        member = self.member(participant_id)
        if member is None or member.subscriber is None or member.unanswered == 0:
            return
        if subscription is not None and subscription != member.subscriber.id:
            return
        member.unanswered -= 1
        log.debug("sfu: %s answers, %d unanswered", participant_id, member.unanswered)
        if member.unanswered > 0:
            return  # an answer to an older offer: the answer to the newest one follows
        subscriber = member.subscriber
        async with member.lock:  # after any request in flight; offers may still arrive meanwhile
            try:
                await subscriber.request({"request": "start"}, answer)
            except JanusError as error:
                log.warning("sfu: start for %s failed: %s", participant_id, error)
        room = self.room_of(member)
        if room is not None:
            await self._apply_layers(room, member)
            await self.reconcile(room, member)

    async def set_view(self, participant_id: str, view: View) -> None:
        """The browser shows these videos now: receive exactly those, each in its layer."""
        member = self.member(participant_id)
        room = self.room_of(member) if member is not None else None
        if member is None or room is None or member.view == view:
            return
        member.view = view
        await self.reconcile(room, member)
        await self._apply_layers(room, member)

    async def _apply_layers(self, room: VideoRoom, member: Member) -> None:
        """The simulcast layer of each camera the view shows, as its tile's size asks."""
        subscriber = member.subscriber
        if member.view is None or subscriber is None or member.unanswered > 0:
            return
        chosen = visibility.layers(member.streams, room.feeds, member.view)
        if chosen:
            with contextlib.suppress(JanusError):
                await subscriber.request(
                    {
                        "request": "configure",
                        "streams": [{"mid": mid, "substream": s} for mid, s in chosen.items()],
                    }
                )

    async def resubscribe(self, participant_id: str) -> None:
        """The browser starts its receiving side afresh: a new subscriber handle."""
        member = self.member(participant_id)
        if member is None:
            return
        room = self.room_of(member)
        async with member.lock:
            old, member.subscriber = member.subscriber, None
            prepared, member.prepared = member.prepared, None
            member.reset()
            member.receiving = True
            if prepared is not None and (prepared.spoiled or room is None or not room.alive):
                old, prepared = prepared.handle, None  # stale: a fresh subscription after all
            if old is not None:
                with contextlib.suppress(JanusError):
                    await old.detach()
            if prepared is not None and room is not None:
                self._adopt(room, member, prepared)
                return
        if room is not None:
            await self.reconcile(room, member)

    def resend_offer(self, participant_id: str) -> None:
        """After the member's socket resumed: an offer it may have missed."""
        member = self.member(participant_id)
        if member is not None and member.unanswered > 0 and member.last_offer is not None:
            member.send(member.last_offer)

    async def quality(self, participant_id: str, of: str, substream: int) -> None:
        """Receive `of`'s camera in simulcast layer `substream` (0 small … 2 large)."""
        member = self.member(participant_id)
        room = self.room_of(member) if member is not None else None
        if member is None or member.subscriber is None or room is None:
            return
        mids = [
            str(stream["mid"])
            for stream in member.streams
            if stream.get("type") == "video"
            and stream.get("active", True)
            and (feed := room.feeds.get(stream.get("feed_id", -1))) is not None
            and feed.participant_id == of
        ]
        if mids:
            with contextlib.suppress(JanusError):
                await member.subscriber.request(
                    {
                        "request": "configure",
                        "streams": [{"mid": mid, "substream": substream} for mid in mids],
                    }
                )

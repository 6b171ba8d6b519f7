"""Whose voices a group room forwards: the N loudest, from the audio levels Janus reports. Pure.

    Janus `talking` (feed, dBov average) ──► heard(feed, level, now)
    Janus `stopped-talking` (feed)        ──► quiet(feed, now)
    loudest(n, exclude=me)                ──► the participants whose audio a member receives

Ranking: those talking now, the loudest first (dBov: 0 is loudest, 127 silence); then those who
talked most recently; then everyone else in the order they started publishing. So a room with at
most N + 1 publishers forwards everyone, a new talker enters as soon as Janus hears them, and a
voice that just stopped stays until a newer one pushes it out (no flapping between sentences).
"""

from dataclasses import dataclass, field

DEFAULT_VOICES = 5
SILENCE_DBOV = 127


@dataclass(slots=True)
class Voice:
    participant_id: str
    order: int
    """When it started publishing, as a sequence number."""
    talking: bool = False
    level: int = SILENCE_DBOV
    last_heard: float = float("-inf")


@dataclass(slots=True)
class Loudness:
    voices: dict[int, Voice] = field(default_factory=dict)
    """Feed id → its voice."""
    _next: int = 0

    def publishing(self, feed_id: int, participant_id: str) -> None:
        if feed_id not in self.voices:
            self.voices[feed_id] = Voice(participant_id, self._next)
            self._next += 1

    def gone(self, feed_id: int) -> None:
        self.voices.pop(feed_id, None)

    def heard(self, feed_id: int, level: int, now: float) -> bool:
        """Janus says the feed is talking; True when that is news."""
        voice = self.voices.get(feed_id)
        if voice is None:
            return False
        news = not voice.talking
        voice.talking, voice.level, voice.last_heard = True, level, now
        return news

    def quiet(self, feed_id: int, now: float) -> bool:
        voice = self.voices.get(feed_id)
        if voice is None or not voice.talking:
            return False
        voice.talking, voice.level, voice.last_heard = False, SILENCE_DBOV, now
        return True

    def ranking(self) -> list[str]:
        def rank(voice: Voice) -> tuple[int, int, float, int]:
            if voice.talking:
                return (0, voice.level, -voice.last_heard, voice.order)
            return (1, SILENCE_DBOV, -voice.last_heard, voice.order)

        return [voice.participant_id for voice in sorted(self.voices.values(), key=rank)]

    def loudest(self, n: int, exclude: str) -> frozenset[str]:
        """The `n` participants other than `exclude` whose voices are forwarded to it."""
        return frozenset([pid for pid in self.ranking() if pid != exclude][:n])

    def talking(self) -> list[str]:
        return [v.participant_id for v in self.voices.values() if v.talking]

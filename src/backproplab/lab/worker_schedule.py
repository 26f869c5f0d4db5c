"""How a worker shares its one core between its sessions' training and their frames.

A worker holds many sessions (a classroom of 32 on two workers is 16 each). Work comes in two
kinds: a *turn* (one playing session trains for a slice of time) and a *frame* (one session's
page is sent what changed). The schedule decides, one unit at a time, which comes next:

1. a frame a page is owed: every session gets ``MIN_FRAMES_PER_SECOND`` before any training,
   as long as frames take at most ``MAX_FRAME_SHARE`` of the worker's recent time (beyond that
   the frames are too costly for the core, and training keeps the rest); owed pages go before
   pages that are only due;
2. any other frame that is due (up to ``limits.MAX_FRAMES_PER_SECOND``), while frames take at
   most ``FRAME_SHARE`` of the time (``LONE_FRAME_SHARE`` while one session plays) — a lone
   session gets smooth frames, a full worker keeps its time for training;
3. else the next playing session's turn, round-robin, so equal sessions get equal time.

With nothing to train, frames always go (there is nothing to protect). :meth:`Schedule.wait`
says how long the worker may sleep: not at all while a full-speed session plays, until the next
due frame or owed step otherwise, for ever when every session is idle.
"""

import math
import time

MIN_FRAMES_PER_SECOND = 10.5
"""Frames each playing session is owed a second, before training: the 10 a page needs to look
alive, and 5% more so that a minute's count does not fall a frame short at its edges."""
FRAME_SHARE = 0.3
"""Most of a worker's time spent on frames beyond the owed ones."""
LONE_FRAME_SHARE = 0.5
"""The same while only one session plays on the worker: its page is the one its frames serve.
A big network's frame (6×32, 2,000 points) takes 15-20 ms of a busy 2-core machine, which
FRAME_SHARE held to ~16 frames a second; half the worker's time still trains."""
MAX_FRAME_SHARE = 0.6
"""Most of a worker's time spent on frames at all, while a session waits to train. A classroom
of 32 on two workers wants 16 × 10 frames a second from each and, for its training to reach
0.8 of one session alone (which has a core to itself), 0.4 of that session's steps from each
worker: about 0.4 of the core, as a step costs a little more among 16 sessions. When frames
cost more than 0.6 / 160 s ≈ 3.7 ms, both fall short a little rather than one a lot."""
SHARE_MEMORY_SECONDS = 1.0
"""How far back the time shares look (an exponential decay)."""
TURN_SECONDS = 0.04
"""Training time one round of turns shares out among the playing sessions of a worker."""
MIN_SLICE_SECONDS = 0.002
MAX_SLICE_SECONDS = 0.02


class TimeShare:
    """The worker's recent time spent on frames and on training, decaying over
    ``SHARE_MEMORY_SECONDS``."""

    def __init__(self, clock=time.monotonic):
        self.clock = clock
        self.frames = self.training = 0.0
        self._at = clock()

    def _decay(self) -> None:
        now = self.clock()
        keep = math.exp(-(now - self._at) / SHARE_MEMORY_SECONDS)
        self.frames, self.training, self._at = self.frames * keep, self.training * keep, now

    def add(self, kind: str, seconds: float) -> None:
        self._decay()
        setattr(self, kind, getattr(self, kind) + seconds)

    def frame_share(self) -> float:
        self._decay()
        total = self.frames + self.training
        return self.frames / total if total > 0 else 0.0


class Schedule:
    def __init__(self, clock=time.monotonic):
        self.clock = clock
        self.share = TimeShare(clock)
        self._last_turn: str | None = None

    def next_work(self, seats: dict) -> tuple[str, str] | None:
        """``("frame", sid)``, ``("turn", sid)`` or None (nothing to do now)."""
        now = self.clock()
        turn = self._next_turn(seats, now)
        due = [(seat.owed_at > now, seat.last_frame, sid) for sid, seat in seats.items()
               if (when := seat.frame_due(now)) is not None and when <= now]
        if due:
            _, _, sid = min(due)  # a page owed its frame first, then the longest-waiting
            if turn is None:
                return "frame", sid
            share = self.share.frame_share()
            alone = sum(seat.session.playing for seat in seats.values()) == 1
            if share < (LONE_FRAME_SHARE if alone else FRAME_SHARE) or (
                    seats[sid].owed_at <= now and share < MAX_FRAME_SHARE):
                return "frame", sid
        return None if turn is None else ("turn", turn)

    def _next_turn(self, seats: dict, now: float) -> str | None:
        """The first session with a step to take now after the one that trained last, in
        the worker's order (round-robin)."""
        sids = list(seats)
        if self._last_turn in seats:
            after = sids.index(self._last_turn) + 1
            sids = sids[after:] + sids[:after]
        return next((sid for sid in sids
                     if (when := seats[sid].turn_due(now)) is not None and when <= now), None)

    def took_turn(self, sid: str, seconds: float) -> None:
        self._last_turn = sid
        self.share.add("training", seconds)

    def sent_frame(self, seconds: float) -> None:
        self.share.add("frames", seconds)

    def slice_seconds(self, seats: dict) -> float:
        """Each full-speed session's slice of ``TURN_SECONDS``."""
        playing = sum(seat.session.playing for seat in seats.values())
        return min(MAX_SLICE_SECONDS, max(MIN_SLICE_SECONDS, TURN_SECONDS / max(playing, 1)))

    def wait(self, seats: dict) -> float | None:
        """Seconds until there is work (0: now), or None when there is none to come."""
        now = self.clock()
        times = [t for seat in seats.values()
                 for t in (seat.frame_due(now), seat.turn_due(now)) if t is not None]
        return max(0.0, min(times) - now) if times else None

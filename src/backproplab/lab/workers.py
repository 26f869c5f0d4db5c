"""``Worker``: the lab's "kernel" — it owns sessions, answers their messages, trains the playing
ones in fair turns and sends each page a frame when its session changed.

As in Jupyter's server/kernel split, the web process only validates, routes and streams; a
worker runs the existing ``HANDLERS`` and ``FrameTracker`` on plain ``Session`` objects. A worker
runs in its own process (``backproplab lab --workers N``) or in a thread of the web process
(``workers=0``, which a notebook uses to open a session in its own kernel): the same loop,
only the transport differs. It is single-threaded, so nothing in it waits for a lock.

It talks in tuples. Commands in: ``("open", sid, config)``, ``("message", sid, msg)``,
``("csv", sid, ticket, body)``, ``("sent", sid)`` (the last frame left the socket),
``("close", sid)``, ``("stop",)``. Events out: ``("text", sid, text, is_frame)`` and
``("csv", ticket, status, answer)``.

Idle sessions cost nothing: with no session playing the loop blocks on its inbox; frames are
built only when a session's version moved, at most ``limits.MAX_FRAMES_PER_SECOND`` a second,
and a session's next frame waits until the page's socket took the previous one.
"""

import logging
import time

import numpy

from backproplab import __version__, data, nn, train
from backproplab.lab import config as lab_config
from backproplab.lab import limits
from backproplab.lab.descent import COMPARED_OPTIMIZERS, function_choices
from backproplab.lab.frames import FrameTracker
from backproplab.lab.handlers import dispatch
from backproplab.lab.lessons.engine import catalogue as lesson_catalogue
from backproplab.lab.player import Player
from backproplab.lab.point_set import PointSet
from backproplab.lab.protocol import MESSAGE_TYPES, encode
from backproplab.lab.session import Session

log = logging.getLogger(__name__)

TURN_SECONDS = 0.04
"""Training time one round of turns shares out among the playing sessions of a worker."""
MIN_SLICE_SECONDS = 0.002
MAX_SLICE_SECONDS = 0.02
FRAME_RETRY_SECONDS = 1.0
"""How long after a frame that could not be built the next try comes."""


def welcome(session) -> dict:
    """The first message of a connection: the choices the page offers and the limits."""
    return {
        "type": "welcome",
        "version": __version__,
        "session": session.id,
        "choices": {
            "datasets": list(lab_config.TRAIN_DATASETS),
            "autoencoder_datasets": list(lab_config.AUTOENCODER_DATASETS),
            "summaries": {n: data.DATASETS[n].summary for n in data.DATASETS},
            "activations": list(lab_config.HIDDEN_ACTIVATIONS),
            "losses": list(lab_config.LOSSES),
            "optimizers": list(train.OPTIMIZERS),
            "compared_optimizers": list(COMPARED_OPTIMIZERS),
            "descent_functions": function_choices(),
            "presets": lab_config.DATASET_PRESETS,
            "activation_presets": lab_config.ACTIVATION_PRESETS,
            "defaults": lab_config.LabConfig().model_dump(),
            "all_activations": list(nn.ACTIVATIONS),
            "lessons": lesson_catalogue(),
        },
        "limits": {name: getattr(limits, name) for name in dir(limits) if name.isupper()},
        "messages": list(MESSAGE_TYPES),
    }


class FrameSource:
    """One connection's frames as strict JSON text. A frame that cannot be built is a bug: it
    is logged with its traceback and the tracker starts afresh, so the next change sends the
    page everything again instead of ending its frames for good."""

    def __init__(self, session):
        self.session = session
        self.tracker = FrameTracker()
        self.failed = False
        """True when the last frame could not be built."""

    def next_text(self) -> str | None:
        """The next frame, or None when nothing changed (or it could not be built)."""
        try:
            with numpy.errstate(over="ignore", invalid="ignore"):
                frame = self.tracker.build(self.session)
        except Exception:
            log.exception("lab: the frame for session %s could not be built",
                          self.session.id[:6])
            self.tracker, self.failed = FrameTracker(), True
            return None
        self.failed = False
        return None if frame is None else encode(frame)


class Seat:
    """A session in a worker, with its play switch, its frames and its turn in training."""

    def __init__(self, session: Session):
        self.session = session
        self.player = Player(session)
        self.frames = FrameSource(session)
        self.sent_version = -1
        self.last_frame = float("-inf")
        self.awaiting_send = False
        """True from a frame's departure until the web process says the socket took it."""
        self.credit = 0.0
        """Steps owed to a session playing at a set speed (steps per second)."""

    def frame_due(self, now: float) -> float | None:
        """When this seat's next frame may go (None: nothing to send or still in flight)."""
        if self.awaiting_send:
            return None
        if self.session.version == self.sent_version:  # all sent, unless a data space waits
            waiting = self.frames.tracker.space_due(self.session)
            return None if waiting is None else max(
                waiting, self.last_frame + 1.0 / limits.MAX_FRAMES_PER_SECOND)
        return self.last_frame + 1.0 / limits.MAX_FRAMES_PER_SECOND


class Worker:
    def __init__(self, emit, new_session=Session, clock=time.monotonic):
        self.emit = emit
        """Called with each event tuple (on the worker's thread)."""
        self.new_session = new_session
        self.clock = clock
        self.seats: dict[str, Seat] = {}
        self._last_turn = clock()
        self._receive = lambda timeout: None
        self.stopped = False

    # ----- the loop -----------------------------------------------------------------------------
    def run(self, receive) -> None:
        """Serve until a ``("stop",)`` command. ``receive(timeout)`` returns the next command or
        None after ``timeout`` seconds (None: wait for ever). Commands are also read between
        sessions' turns, so a message waits for one turn at most, not for a whole round."""
        self._receive = receive
        while self.serve_inbox(self._wait()):
            trained = self.train_round()
            self.send_frames(budget=max(trained, 1.0 / limits.MAX_FRAMES_PER_SECOND))

    def serve_inbox(self, timeout: float | None = 0) -> bool:
        """Apply the commands waiting (the first after up to ``timeout`` seconds); False once
        told to stop."""
        if self.stopped:
            return False
        command = self._receive(timeout)
        while command is not None and not self.stopped:
            if command[0] == "stop":
                self.stopped = True
            else:
                try:
                    self.apply(command)
                except Exception:  # a bug: log it, keep serving the other sessions
                    log.exception("lab: the worker could not apply %r", command[:2])
                command = self._receive(0)
        return not self.stopped

    def _wait(self) -> float | None:
        if any(seat.session.playing for seat in self.seats.values()):
            return 0
        dues = [d for seat in self.seats.values() if (d := seat.frame_due(0)) is not None]
        return max(0.0, min(dues) - self.clock()) if dues else None

    def apply(self, command: tuple) -> None:
        kind, sid, *rest = command
        if kind == "open":
            self.open(sid, *rest)
            return
        seat = self.seats.get(sid)
        if seat is None:
            if kind == "csv":
                self.emit(("csv", rest[0], 404, {"ok": False, "error": "unknown session"}))
            return
        if kind == "message":
            reply = dispatch(rest[0], seat.session, seat.player)
            self.emit(("text", sid, encode(reply), False))
        elif kind == "csv":
            self.emit(("csv", rest[0], *import_csv(seat.session, rest[1])))
        elif kind == "sent":
            seat.awaiting_send = False
        elif kind == "close":
            seat.player.pause()
            del self.seats[sid]

    def open(self, sid: str, config=None) -> None:
        session = self.new_session(config)
        session.id = sid
        self.seats[sid] = Seat(session)
        self.emit(("text", sid, encode(welcome(session)), False))

    # ----- training in turns --------------------------------------------------------------------
    def train_round(self) -> float:
        """One turn for every playing session: full-speed ones share ``TURN_SECONDS`` equally,
        ones at a set speed take the steps their rate owes them. Returns the seconds it took,
        which the round's frames may take as well (half the worker's time each at most)."""
        started, now = time.perf_counter(), self.clock()
        elapsed, self._last_turn = min(now - self._last_turn, 0.25), now
        playing = [seat for seat in self.seats.values() if seat.session.playing]
        share = min(MAX_SLICE_SECONDS,
                    max(MIN_SLICE_SECONDS, TURN_SECONDS / max(len(playing), 1)))
        for seat in playing:
            if self.serve_inbox() and seat.session.playing:
                try:
                    with numpy.errstate(over="ignore", invalid="ignore"):
                        self._turn(seat, share, elapsed)
                except Exception:  # a bug: stop this session's play, not the worker
                    log.exception("lab: training session %s failed", seat.session.id[:6])
                    seat.player.pause()
        return time.perf_counter() - started

    def _turn(self, seat: Seat, share: float, elapsed: float) -> None:
        rate = seat.session.target_rate
        if rate is None:
            seat.session.train_for(share)
            return
        seat.credit = min(seat.credit + rate * elapsed, max(1.0, rate * 0.25))
        deadline = time.perf_counter() + share
        while seat.credit >= 1 and seat.session.playing and time.perf_counter() < deadline:
            seat.session.step("batch")
            seat.credit -= 1

    def send_frames(self, budget: float = float("inf")) -> None:
        """Frames for the sessions whose frame is due, the longest-waiting first, for about
        ``budget`` seconds (at least one frame): the rest wait for the next round, so frames
        cannot crowd training out when they are expensive."""
        started, built = time.perf_counter(), False
        for sid, seat in sorted(self.seats.items(), key=lambda item: item[1].last_frame):
            now = self.clock()
            due = seat.frame_due(now)
            if due is None or due > now or not self.serve_inbox() or sid not in self.seats:
                continue
            if built and time.perf_counter() - started > budget:
                return
            built = True
            version = seat.session.version
            text = seat.frames.next_text()
            if seat.frames.failed:  # try again, with everything, a second from now
                seat.last_frame = now + FRAME_RETRY_SECONDS
                continue
            seat.sent_version = version
            if text is not None:
                seat.last_frame, seat.awaiting_send = now, True
                self.emit(("text", sid, text, True))


def import_csv(session, body: bytes) -> tuple[int, dict]:
    """Load an uploaded CSV file into ``session``: (HTTP status, answer)."""
    try:
        points = PointSet.from_csv(body, session.config.test_fraction, session.config.data_seed)
        note = session.load_points(points)
    except (ValueError, TypeError) as e:
        return 400, {"ok": False, "error": str(e)}
    except Exception as e:
        log.exception("lab: a CSV import into session %s failed", session.id[:6])
        return 500, {"ok": False, "error": f"internal error ({type(e).__name__}): {e}"}
    session.touch()
    answer = {"ok": True, "rows": len(points)}
    return 200, answer if note is None else {**answer, "note": note}

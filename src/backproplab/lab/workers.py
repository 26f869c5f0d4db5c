"""``Worker``: the lab's "kernel" — it owns sessions, answers their messages, trains the playing
ones in fair turns and sends each page a frame when its session changed.

As in Jupyter's server/kernel split, the web process only validates, routes and streams; a
worker runs the existing ``HANDLERS`` and ``FrameTracker`` on plain ``Session`` objects. A worker
runs in its own process (``backproplab lab --workers N``) or in a thread of the web process
(``workers=0``, which a notebook uses to open a session in its own kernel): the same loop,
only the transport differs. It is single-threaded, so nothing in it waits for a lock.

It talks in tuples. Commands in: ``("open", sid, config)``, ``("message", sid, msg)``,
``("csv", sid, ticket, body)``, ``("sent", sid)`` (the last frame left the socket),
``("close", sid)``, ``("stop",)``, and ``("batch", [command, …])`` (what the web process sent in
one turn of its event loop). Events out: ``("text", sid, text, is_frame)`` and
``("csv", ticket, status, answer)``; ``flush()`` is called after each unit of work and each
read of the inbox, so a process worker sends its events of that moment down the pipe at once.
A frame's text is the JSON built here; the web process forwards it as it is.

Idle sessions cost nothing: with no session playing the loop blocks on its inbox; frames are
built only when a session's version moved, at most ``limits.MAX_FRAMES_PER_SECOND`` a second,
and a session's next frame waits until the page's socket took the previous one. Which comes
next, a frame or a training turn, is :mod:`~backproplab.lab.worker_schedule`'s choice.
"""

import logging
import time

import numpy

from backproplab import __version__, data, nn, train
from backproplab.lab import config as lab_config
from backproplab.lab import limits, worker_schedule
from backproplab.lab.descent import COMPARED_OPTIMIZERS, function_choices
from backproplab.lab.frames import FrameTracker
from backproplab.lab.handlers import dispatch
from backproplab.lab.lessons.engine import catalogue as lesson_catalogue
from backproplab.lab.player import Player
from backproplab.lab.point_set import PointSet
from backproplab.lab.protocol import MESSAGE_TYPES, encode
from backproplab.lab.session import Session
from backproplab.lab.training import SPEED_STEPS_PER_SECOND
from backproplab.lab.worker_schedule import MIN_FRAMES_PER_SECOND, Schedule

log = logging.getLogger(__name__)

WHOLE_STEP = 1 - 1e-9
"""A set speed's credit this close to a step is a step (rates times seconds do not add up to
1 exactly)."""
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
            "speeds": list(SPEED_STEPS_PER_SECOND),  # steps/s of speeds 1…10; None: no limit
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

    def next_text(self, sharing: int = 1) -> str | None:
        """The next frame, or None when nothing changed (or it could not be built);
        ``sharing``: the sessions playing on this worker (the tracker's ``sharing``)."""
        self.tracker.sharing = sharing
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
        self.owed_at = float("-inf")
        """When the page is owed its next frame (``MIN_FRAMES_PER_SECOND`` while playing)."""
        self.awaiting_send = False
        """True from a frame's departure until the web process says the socket took it."""
        self.credit = 0.0
        """Steps owed to a session playing at a set speed (steps per second)."""
        self.turn_at = float("-inf")
        """When its credit was last counted."""

    def frame_due(self, now: float) -> float | None:
        """When this seat's next frame may go (None: nothing to send or still in flight)."""
        if self.awaiting_send:
            return None
        if self.session.version == self.sent_version:  # all sent, unless a data space waits
            waiting = self.frames.tracker.space_due(self.session)
            return None if waiting is None else max(
                waiting, self.last_frame + 1.0 / limits.MAX_FRAMES_PER_SECOND)
        return self.last_frame + 1.0 / limits.MAX_FRAMES_PER_SECOND

    def turn_due(self, now: float) -> float | None:
        """When this session has a step to take (None: it is not playing)."""
        if not self.session.playing:
            return None
        rate = self.session.target_rate
        if rate is None:
            return now
        credit = self._credit(now, rate)
        return now if credit >= WHOLE_STEP else now + (1 - credit) / rate

    def _credit(self, now: float, rate: float) -> float:
        """Steps owed now: one at the start, then the rate's since the last count, a quarter
        second's at most (a session that could not keep up does not rush to catch up)."""
        if self.turn_at == float("-inf"):
            return max(self.credit, 1.0)
        return min(self.credit + rate * max(now - self.turn_at, 0.0), max(1.0, rate * 0.25))

    def sent(self, now: float) -> None:
        """A frame left: the next may go at the max rate, and is owed one period on (late
        frames catch up by half a period at most, so the rate is kept without bursts; frames
        beyond the owed ones earn no credit, so a page that had 40 a second alone is still
        owed 10 a second once others share its worker)."""
        period = 1.0 / MIN_FRAMES_PER_SECOND
        self.last_frame, self.awaiting_send = now, True
        self.owed_at = min(max(self.owed_at + period, now + period / 2), now + period)


class Worker:
    def __init__(self, emit, new_session=Session, clock=time.monotonic, flush=None):
        self.emit = emit
        """Called with each event tuple (on the worker's thread)."""
        self.flush = flush or (lambda: None)
        self.new_session = new_session
        self.clock = clock
        self.seats: dict[str, Seat] = {}
        self.schedule = Schedule(clock)
        self._receive = lambda timeout: None
        self.stopped = False

    # ----- the loop -----------------------------------------------------------------------------
    def run(self, receive) -> None:
        """Serve until a ``("stop",)`` command. ``receive(timeout)`` returns the next command or
        None after ``timeout`` seconds (None: wait for ever). Commands are read between units
        of work (one frame, or one session's slice of training), so a message waits for one
        unit at most."""
        self._receive = receive
        while self.serve_inbox(self.schedule.wait(self.seats)):
            self.flush()
            self.work()
            self.flush()

    def serve_inbox(self, timeout: float | None = 0) -> bool:
        """Apply the commands waiting (the first after up to ``timeout`` seconds); False once
        told to stop."""
        if self.stopped:
            return False
        command = self._receive(timeout)
        while command is not None and not self.stopped:
            for one in command[1] if command[0] == "batch" else (command,):
                if self.stopped:
                    break
                if one[0] == "stop":
                    self.stopped = True
                    continue
                try:
                    self.apply(one)
                except Exception:  # a bug: log it, keep serving the other sessions
                    log.exception("lab: the worker could not apply %r", one[:2])
            command = self._receive(0)
        return not self.stopped

    def work(self) -> str | None:
        """Do the schedule's next unit of work: ``"frame"``, ``"turn"``, or None (none due)."""
        choice = self.schedule.next_work(self.seats)
        if choice is None:
            return None
        kind, sid = choice
        started = self.clock()
        if kind == "frame":
            self.send_frame(sid)
            self.schedule.sent_frame(self.clock() - started)
        else:
            self.take_turn(sid)
            self.schedule.took_turn(sid, self.clock() - started)
        return kind

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

    # ----- the two kinds of work ----------------------------------------------------------------
    def take_turn(self, sid: str) -> None:
        """One slice of training for ``sid``: a full-speed session trains for its share of
        ``TURN_SECONDS``, one at a set speed takes the steps its rate owes it. A bug stops
        this session's play, not the worker."""
        seat, now = self.seats[sid], self.clock()
        share = self.schedule.slice_seconds(self.seats)
        due = seat.frame_due(now)
        if due is not None:  # end the slice when this page's next frame is due
            share = min(share, max(worker_schedule.MIN_SLICE_SECONDS, due - now))
        try:
            with numpy.errstate(over="ignore", invalid="ignore"):
                rate = seat.session.target_rate
                if rate is None:
                    seat.session.train_for(share)
                else:
                    seat.credit, seat.turn_at = seat._credit(now, rate), now
                    deadline = time.perf_counter() + share
                    while (seat.credit >= WHOLE_STEP and seat.session.playing
                           and time.perf_counter() < deadline):
                        seat.session.step("batch")
                        seat.credit -= 1
        except Exception:
            log.exception("lab: training session %s failed", seat.session.id[:6])
            seat.player.pause()

    def send_frame(self, sid: str) -> None:
        """Build and send ``sid``'s frame; one that cannot be built is tried again, with
        everything, ``FRAME_RETRY_SECONDS`` later, and the other sessions' frames go on."""
        seat, now = self.seats[sid], self.clock()
        version = seat.session.version
        text = seat.frames.next_text(sum(s.session.playing for s in self.seats.values()))
        if seat.frames.failed:
            seat.last_frame = now + FRAME_RETRY_SECONDS
            return
        seat.sent_version = version
        if text is not None:
            seat.sent(now)
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

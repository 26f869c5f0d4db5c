"""``Player``: a session's play/pause switch, as the message handlers see it.

Playing sets ``session.playing``; the session's worker (:mod:`~backproplab.lab.workers`) then
trains it in turns with the other playing sessions, so no thread per session competes for the
processor and the frames, messages and training of a worker never run at once.
"""


class Player:
    def __init__(self, session):
        self.session = session

    def play(self) -> None:
        with self.session.lock:
            if self.session.diverged is not None:
                raise ValueError(self.session.diverged)
            self.session.playing = True
            self.session.version += 1

    def pause(self) -> None:
        with self.session.lock:
            self.session.playing = False
            self.session.version += 1

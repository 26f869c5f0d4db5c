"""The status line's rate is of training that is going on: once training stops (Pause, a new
lesson stage) it reads 0, not the last rate measured (teacher walkthrough, item 6: 'epoch 0 ·
step 0 · 236 steps/s' after a stage change)."""

from backproplab.lab.frames import FrameTracker, status
from backproplab.lab.session import Session


def test_steps_per_second_is_zero_once_training_stops():
    session = Session()
    session.playing = True
    for _ in range(20):
        session.step("batch")
    assert status(session)["steps_per_second"] > 0
    tracker = FrameTracker()
    tracker.build(session)
    session.playing = False
    session.version += 1  # what Pause and a stage change do
    assert tracker.build(session)["status"]["steps_per_second"] == 0

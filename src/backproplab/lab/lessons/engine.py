"""The lesson engine: reads the lesson files, applies a stage to a session, serves readouts.

A lesson is data — a TOML file beside this module (config preset, stages, student text,
readout names, the panels it needs) — in the way pytest reads test files: adding a lesson is
adding a file, never editing a view. A stage is applied through the session's normal
``configure`` (validated; a refused config changes nothing) and then starts a fresh run, so
every stage begins from the same initial weights however often it is opened.
"""

import time
import tomllib
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from backproplab.lab import limits
from backproplab.lab.config import DATASET_PRESETS, LabConfig, describe_validation_error
from backproplab.lab.descent import FUNCTIONS
from backproplab.lab.lessons.readouts import READOUTS, compute
from backproplab.train.plateau import REINITIALISE

LESSON_DIR = Path(__file__).parent
PANELS = ("controls", "network", "data-space", "error-history", "dataset", "steps", "gradients",
          "descent")
"""Panels a lesson may ask for; with ``&classroom=1`` the page shows only those (and the
lesson panel)."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class DescentPreset(_Strict):
    """What the descent view runs for a stage: the page state key ``descentPreset``."""

    function: str
    start: list[float] = Field(min_length=1, max_length=2)
    lr: float = Field(ge=limits.MIN_LR, le=limits.MAX_LR)
    optimizer: str = "sgd"
    steps: int = Field(50, ge=1, le=limits.MAX_DESCENT_STEPS)

    @field_validator("function")
    @classmethod
    def _known(cls, v: str) -> str:
        if v not in FUNCTIONS:
            raise ValueError(f"unknown descent function {v!r}; valid: {', '.join(FUNCTIONS)}")
        return v


class Stage(_Strict):
    title: str = Field(max_length=60)
    do: str = Field(max_length=400)
    """What to do: one or two sentences a teacher could project."""
    watch: str = Field(max_length=400)
    question: str = Field(max_length=300)
    answer: str = Field("", max_length=400)
    config: dict = {}
    """Changes on top of the lesson's config for this stage."""
    readouts: tuple[str, ...] = ()
    step: Literal["sample", "batch", "epoch"] = "batch"
    """What the lesson panel's Step button takes."""
    descent: DescentPreset | None = None
    epochs: int | None = Field(None, ge=1, le=limits.MAX_LESSON_EPOCHS)
    """Play pauses when this epoch ends, so "train for N epochs" can be done at any speed; the
    lesson panel says so, and readouts such as ``loss_fall`` read the log at that epoch."""
    plateau_remedy: str | None = Field(None, max_length=200)
    """What the plateau message tells the student to try, where re-initialising (the lab's
    advice) would not help: a stage whose network is stuck by design names the cause."""

    @field_validator("readouts")
    @classmethod
    def _known_readouts(cls, v: tuple[str, ...]) -> tuple[str, ...]:
        unknown = [name for name in v if name not in READOUTS]
        if unknown:
            raise ValueError(f"unknown readout(s) {', '.join(unknown)}; valid: "
                             f"{', '.join(READOUTS)}")
        return v


class Lesson(_Strict):
    id: str = Field(pattern=r"^[a-z][a-z-]{1,40}$")
    title: str = Field(max_length=60)
    summary: str = Field(max_length=200)
    """What it shows, in one line (the menu's tooltip and the README's table)."""
    panels: tuple[str, ...]
    config: dict = {}
    stages: tuple[Stage, ...] = Field(min_length=1, max_length=8)

    @field_validator("panels")
    @classmethod
    def _known_panels(cls, v: tuple[str, ...]) -> tuple[str, ...]:
        unknown = [name for name in v if name not in PANELS]
        if unknown:
            raise ValueError(f"unknown panel(s) {', '.join(unknown)}; valid: {', '.join(PANELS)}")
        return v

    def stage_config(self, index: int) -> LabConfig:
        """The whole config of stage ``index``: the lab's defaults, the dataset's preset, the
        lesson's config, then the stage's changes."""
        changes = {**self.config, **self.stages[index].config}
        dataset = changes.get("dataset")
        preset = DATASET_PRESETS.get(dataset, {}) if dataset else {}
        return LabConfig().updated({**preset, **changes})


def load_lesson(path: Path) -> Lesson:
    """One lesson file, validated down to every stage's config; errors name the file."""
    try:
        lesson = Lesson.model_validate(tomllib.loads(path.read_text(encoding="utf-8")))
        if lesson.id != path.stem:
            raise ValueError(f"the id {lesson.id!r} differs from the file name")
        for i in range(len(lesson.stages)):
            lesson.stage_config(i)
    except ValidationError as e:
        raise ValueError(f"lesson file {path.name}: {describe_validation_error(e)}") from None
    except (ValueError, tomllib.TOMLDecodeError) as e:
        raise ValueError(f"lesson file {path.name}: {e}") from None
    return lesson


ORDER = ("learning-cycle", "chain-rule", "gradient-descent", "learning-rate",
         "batches-and-epochs", "vanishing-gradients", "overfitting", "local-minima",
         "autoencoder")
"""The menu's order: from one training step to whole phenomena. Files not named here follow."""


def load_lessons(directory: Path = LESSON_DIR) -> dict[str, Lesson]:
    lessons = {p.stem: load_lesson(p) for p in sorted(directory.glob("*.toml"))}
    rank = {name: i for i, name in enumerate(ORDER)}
    return dict(sorted(lessons.items(), key=lambda kv: (rank.get(kv[0], len(ORDER)), kv[0])))


LESSONS = load_lessons()


def catalogue() -> list[dict]:
    """Every lesson as the page shows it (the welcome carries it)."""
    return [{**lesson.model_dump(exclude={"config"}),
             "stages": [stage.model_dump(exclude={"config"}) for stage in lesson.stages]}
            for lesson in LESSONS.values()]


class LessonRun:
    """The lesson open in a session: which stage, and its latest readouts (recomputed at most
    every ``limits.LESSON_READOUT_SECONDS`` while training, right away otherwise)."""

    def __init__(self, lesson: Lesson, stage: int):
        self.lesson = lesson
        self.stage = stage
        self._key = None
        self._readouts: list[dict] = []
        self._computed_at = 0.0

    def readouts(self, session) -> list[dict]:
        key = (session.weights_version, session.data_version, session.network_version,
               session.epoch, session.diverged, session.selected)
        now = time.monotonic()
        if key != self._key and (not session.playing or
                                 now - self._computed_at >= limits.LESSON_READOUT_SECONDS):
            self._readouts = compute(self.lesson.stages[self.stage], session)
            self._key, self._computed_at = key, now
        return self._readouts

    def frame(self, session) -> dict:
        return {"id": self.lesson.id, "stage": self.stage, "readouts": self.readouts(session)}


def open_stage(session, lesson_id: str, stage: int) -> LessonRun:
    """Apply stage ``stage`` of lesson ``lesson_id`` to ``session`` and start a fresh run.

    A refused lesson, stage or config leaves the session as it was."""
    if lesson_id not in LESSONS:
        raise ValueError(f"unknown lesson {lesson_id!r}; valid: {', '.join(LESSONS)}")
    lesson = LESSONS[lesson_id]
    if not 0 <= stage < len(lesson.stages):
        raise ValueError(f"the lesson {lesson_id!r} has stages 0 to {len(lesson.stages) - 1}, "
                         f"not {stage}")
    config = lesson.stage_config(stage)
    chosen = lesson.stages[stage]
    with session.lock:
        session.pause_at_epoch = chosen.epochs
        session.plateau_remedy = chosen.plateau_remedy or REINITIALISE
        if session.configure(config) != "rebuilt":
            session.reset()
        run = LessonRun(lesson, stage)
        session.lesson = run
        session.version += 1
        return run


def close(session) -> None:
    with session.lock:
        session.lesson = None
        session.pause_at_epoch = None
        session.plateau_remedy = REINITIALISE
        session.plateau.remedy = REINITIALISE
        session.version += 1

"""``LabConfig``: one experiment's whole configuration, and its form in the page's URL.

The URL form is a plain query string (``dataset=xor&hidden=4&lr=0.5…``) so a link shares and
reloads an experiment. Python is the one place that reads and writes it: the page sends the
query it was opened with and puts the server's canonical query back into the address bar.
"""

from typing import Annotated, Literal
from urllib.parse import parse_qsl, urlencode

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from backproplab import nn
from backproplab.data.features import RAW_FEATURES, check_features
from backproplab.lab import limits
from backproplab.train import OPTIMIZERS

TRAIN_DATASETS = ("xor", "and", "or", "circles", "moons", "spirals", "gaussians", "linear",
                  "checkerboard", "sine", "polynomial", "plane", "bump")
"""Datasets of the network mode: 2-D classification, 1-D regression curves and 2-D
regression surfaces."""

ONE_D_DATASETS = ("sine", "polynomial")
"""Datasets whose points have one input, so there are no 2-D features to make from them."""

AUTOENCODER_DATASETS = ("encoder", "digits")
HIDDEN_ACTIVATIONS = tuple(a for a in nn.ACTIVATIONS if a not in ("softmax", "log_softmax"))
LOSSES = ("mse", "bce", "cross_entropy")

def _preset(points, noise, test_fraction, batch_size, loss) -> dict:
    return {"points": points, "noise": noise, "test_fraction": test_fraction,
            "batch_size": batch_size, "loss": loss}


DATASET_PRESETS = {
    "xor": _preset(0, 0.0, 0.0, 4, "bce"),
    "and": _preset(0, 0.0, 0.0, 4, "bce"),
    "or": _preset(0, 0.0, 0.0, 4, "bce"),
    "circles": _preset(200, 0.05, 0.3, 16, "bce"),
    "moons": _preset(200, 0.1, 0.3, 16, "bce"),
    "spirals": _preset(300, 0.02, 0.3, 16, "bce"),
    "gaussians": _preset(300, 0.5, 0.3, 16, "cross_entropy"),
    "linear": _preset(200, 0.0, 0.3, 16, "bce"),
    "checkerboard": _preset(400, 0.0, 0.3, 16, "bce"),
    "sine": _preset(100, 0.1, 0.2, 16, "mse"),
    "polynomial": _preset(100, 0.1, 0.2, 16, "mse"),
    "plane": _preset(200, 0.0, 0.3, 16, "mse"),
    "bump": _preset(300, 0.0, 0.3, 16, "mse"),
    "encoder": _preset(0, 0.0, 0.0, 8, "bce"),
    "digits": _preset(500, 0.0, 0.2, 32, "mse"),
}
"""What choosing a dataset in the page sets alongside it, so each starts sensibly."""
for _name in (*ONE_D_DATASETS, *AUTOENCODER_DATASETS):
    DATASET_PRESETS[_name]["features"] = RAW_FEATURES  # no 2-D point to make features of

RELU_FAMILY_LR = 0.1
"""The rate of the ReLU family. At 0.5 (tuned for the default tanh XOR) a deep ReLU network
blows up or dies: circles on 6×4 learns 3 seeds of 24 (benchmarks/sweep_relu_init.py); at 0.1
22 of 24, and 4 seeds of 4 on moons 6×4, 3 of 4 on the default 2-4-1 XOR in 300 epochs. 0.05
learns circles 24/24 but leaves XOR (one step an epoch) crawling: 1 of 4; 0.2 loses circles
again (17/24)."""

ACTIVATION_PRESETS = {
    "identity": {"lr": 0.5},
    "sigmoid": {"lr": 0.5},
    "tanh": {"lr": 0.5},
    "relu": {"lr": RELU_FAMILY_LR},
    "leaky_relu": {"lr": RELU_FAMILY_LR},
    "elu": {"lr": RELU_FAMILY_LR},
    "gelu": {"lr": RELU_FAMILY_LR},
    "softplus": {"lr": 0.5},
}
"""What choosing a hidden activation in the page sets alongside it: a learning rate it learns
with. tanh and sigmoid keep the default 0.5, so the default run is unchanged."""


def _one_of(what: str, valid) -> type:
    """A name field that must be one of ``valid``; a bad one is refused with the valid list."""
    valid = tuple(valid)

    def check(v: str) -> str:
        if v not in valid:
            raise ValueError(f"unknown {what} {v!r}; valid: {', '.join(valid)}")
        return v

    return Annotated[str, Field(max_length=40), AfterValidator(check)]


DatasetName = _one_of("dataset", TRAIN_DATASETS + AUTOENCODER_DATASETS)
ActivationName = _one_of("activation", HIDDEN_ACTIVATIONS)
OptimizerName = _one_of("optimizer", OPTIMIZERS)


class LabConfig(BaseModel):
    """The lab's settings; the defaults are XOR on a 2-4-1 network, learned in seconds."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    mode: Literal["network", "autoencoder", "descent"] = "network"
    """descent: the gradient descent mode, which leaves the network as it is."""
    dataset: DatasetName = "xor"
    points: int = Field(0, ge=0, le=limits.MAX_POINTS)
    """Number of points; 0 keeps the dataset's own (the 4 rows of a truth table)."""
    noise: float = Field(0.0, ge=0.0, le=limits.MAX_NOISE)
    test_fraction: float = Field(0.0, ge=0.0, le=limits.MAX_TEST_FRACTION)
    data_seed: int = Field(0, ge=0, le=2**31 - 1)
    features: tuple[str, ...] = Field(RAW_FEATURES, max_length=8)
    """The model's inputs made from a 2-D point (x1, x2, x1sq, x2sq, x1x2, sinx1, sinx2)."""
    hidden: tuple[int, ...] = Field((4,), max_length=limits.MAX_HIDDEN_LAYERS)
    bottleneck: int = Field(2, ge=1, le=limits.MAX_NEURONS)
    activation: ActivationName = "tanh"
    loss: Literal["mse", "bce", "cross_entropy"] = "bce"
    optimizer: OptimizerName = "sgd"
    lr: float = Field(0.5, ge=limits.MIN_LR, le=limits.MAX_LR)
    batch_size: int = Field(4, ge=1, le=limits.MAX_BATCH_SIZE)
    l2: float = Field(0.0, ge=0.0, le=limits.MAX_L2)
    l1: float = Field(0.0, ge=0.0, le=limits.MAX_L1)
    """L1 regularisation: l1·Σ|p| over every parameter added to the loss."""
    early_stopping: bool = False
    """Pause when the test loss stops improving (``bp.train.EarlyStopping``); the best epoch
    is marked and its weights can be restored."""
    seed: int = Field(0, ge=0, le=2**31 - 1)
    speed: int = Field(10, ge=1, le=10)
    """1 (a few steps per second, to watch) … 10 (as fast as the machine goes)."""

    @field_validator("hidden")
    @classmethod
    def _neuron_counts(cls, v: tuple[int, ...]) -> tuple[int, ...]:
        for n in v:
            if not 1 <= n <= limits.MAX_NEURONS:
                raise ValueError(f"a hidden layer has 1 to {limits.MAX_NEURONS} neurons, got {n}")
        return v

    @field_validator("features")
    @classmethod
    def _known_features(cls, v: tuple[str, ...]) -> tuple[str, ...]:
        return check_features(v)

    @model_validator(mode="after")
    def _features_fit_dataset(self) -> "LabConfig":
        flat = self.mode == "autoencoder" or self.dataset in ONE_D_DATASETS
        if flat and self.features != RAW_FEATURES:
            raise ValueError(f"input features are made from 2-D points; the dataset "
                             f"{self.dataset!r} is not 2-D (leave features at x1,x2)")
        return self

    @model_validator(mode="after")
    def _dataset_fits_mode(self) -> "LabConfig":
        autoencoder = self.mode == "autoencoder"
        if autoencoder != (self.dataset in AUTOENCODER_DATASETS):
            valid = AUTOENCODER_DATASETS if autoencoder else TRAIN_DATASETS
            raise ValueError(f"the dataset {self.dataset!r} does not fit the {self.mode} mode; "
                             f"valid: {', '.join(valid)}")
        return self

    def updated(self, changes: dict) -> "LabConfig":
        """A validated copy with ``changes`` applied (raises ``ValidationError``). Strict, as
        ``changes`` come from a page as JSON: a number must be a number, not "1" or true."""
        lists = {k: tuple(v) if isinstance(v, list) else v for k, v in changes.items()}
        return LabConfig.model_validate({**self.model_dump(), **lists}, strict=True)


TRAINING_ONLY = frozenset({"optimizer", "lr", "batch_size", "l2", "speed", "l1",
                           "early_stopping"})
"""Settings that change how training continues but keep the network's weights."""


def to_query(config: LabConfig) -> str:
    """The URL query string of ``config``; only values that differ from the default appear."""
    default = LabConfig()
    pairs = []
    for name, value in config.model_dump().items():
        if value == getattr(default, name):
            continue
        if isinstance(value, tuple):
            value = ",".join(str(v) for v in value)
        pairs.append((name, str(value)))
    return urlencode(pairs)


def from_query(query: str) -> LabConfig:
    """The config a query string describes; unknown keys and bad values raise ValueError."""
    values: dict = {}
    for key, text in parse_qsl(query.lstrip("?"), keep_blank_values=True):
        if key not in LabConfig.model_fields:
            raise ValueError(f"unknown setting {key!r} in the URL")
        if key == "hidden":
            values[key] = tuple(int(t) for t in text.split(",") if t.strip()) if text else ()
        elif key == "features":
            values[key] = tuple(t.strip() for t in text.split(",") if t.strip())
        else:
            values[key] = text
    try:
        return LabConfig.model_validate(values)
    except ValidationError as e:
        raise ValueError(describe_validation_error(e)) from None


def describe_validation_error(error: ValidationError) -> str:
    """One readable line per problem: ``lr: Input should be less than or equal to 10``."""
    lines = []
    for item in error.errors():
        where = ".".join(str(p) for p in item["loc"]) or "message"
        lines.append(f"{where}: {item['msg']}")
    return "; ".join(lines)

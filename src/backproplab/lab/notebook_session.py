"""A lab session on a notebook's own model and data, for ``bp.lab.show(model, data)``.

The session trains the very ``model`` object the notebook holds (the lab serves it from a thread
of the kernel, so both see the same parameter arrays): weights trained or typed in the lab are
the notebook's weights afterwards. What the lab cannot change without breaking that link is
refused with the reason: the layers, the activation, the loss and the dataset belong to the
notebook (change them there and call ``bp.lab.show`` again); so does a CSV import. Rows edited
in the lab change the lab's copy of the data, never the notebook's dataset.
"""

import copy
import time
from dataclasses import replace

import numpy
from pydantic import ValidationError

from backproplab import data as bp_data
from backproplab import nn
from backproplab.autograd.grad_mode import no_grad
from backproplab.lab import limits
from backproplab.lab.config import (
    AUTOENCODER_DATASETS,
    HIDDEN_ACTIVATIONS,
    TRAIN_DATASETS,
    TRAINING_ONLY,
    LabConfig,
    describe_validation_error,
)
from backproplab.lab.network import LabNetwork, _act_name, _linear_layers
from backproplab.lab.point_set import PointSet
from backproplab.lab.session import Session
from backproplab.nn.activation import activation_spec
from backproplab.train.task import head_for

_LOSS_BY_OUTPUT = {
    ("binary", "sigmoid"): "bce", ("binary", "identity"): "bce_with_logits",
    ("multiclass", "identity"): "cross_entropy", ("multiclass", "log_softmax"): "nll",
    ("regression", "identity"): "mse",
    ("autoencoder", "sigmoid"): "mse",
}
"""The loss a model's last activation implies for a task, when the caller names none."""

_CONFIG_LOSS = {"bce_with_logits": "bce", "nll": "cross_entropy", "l1": "mse", "mae": "mse",
                "huber": "mse"}
"""The lab config's nearest loss name (it knows mse, bce and cross_entropy) for the label the
page shows; training uses the real loss."""

_ADAPTIVE = ("adam", "adamw", "rmsprop", "adagrad")


class NotebookExperiment:
    """A notebook's model and dataset, checked once, with the weights they had when shown (what
    the lab's reset goes back to)."""

    def __init__(self, model, dataset, loss: str | None = None, optimizer: str = "sgd",
                 lr: float | None = None, batch_size: int | None = None,
                 test_fraction: float = 0.0):
        if not isinstance(dataset, bp_data.LabeledDataset):
            raise TypeError("bp.lab.show: data must be a bp.data dataset (from "
                            "bp.data.load_dataset or bp.data.load_csv), got "
                            f"{type(dataset).__name__}")
        self.model = model
        self.autoencoder = isinstance(model, nn.Autoencoder)
        self.points = _points(dataset, self.autoencoder, test_fraction)
        layers = _check_model(model, self.points.info)
        last = _act_name(layers[-1][1])
        task = self.points.info.task
        self.loss = loss or _LOSS_BY_OUTPUT.get((task, last))
        head = head_for(self.points.info, self.loss or "mse")
        if self.loss is None or (head.output_activation or "identity") != last:
            raise ValueError(f"bp.lab.show: the model ends with {last}, which "
                             f"{'no loss' if self.loss is None else repr(self.loss)} of a "
                             f"{task} task expects; pass loss=… or change the last layer")
        self.code_layer = len(model.hidden) if self.autoencoder else None
        self.config = _config(model, layers, dataset, self.autoencoder, self.loss, optimizer,
                              lr, batch_size, test_fraction, len(self.points))
        self.initial = copy.deepcopy(model.state_dict())

    def network(self) -> LabNetwork:
        return LabNetwork.around(self.model, self.points.info, self.loss, self.code_layer)

    def restore(self) -> None:
        """Put back the weights the model had when it was shown."""
        self.model.load_state_dict(copy.deepcopy(self.initial))


class NotebookSession(Session):
    """A Session whose network is the notebook's model; see the module docstring."""

    def __init__(self, experiment: NotebookExperiment, clock=time.monotonic):
        self.experiment = experiment
        self._built = False
        self._draw_weights = False
        super().__init__(experiment.config, clock=clock)

    def _new_points(self) -> PointSet:
        return copy.deepcopy(self.experiment.points)

    def _new_network(self) -> LabNetwork:
        """The model as the notebook left it on first build; on reset, as it was shown; with
        new initial weights when re-initialised (drawn into the same model)."""
        network = self.experiment.network()
        if self._draw_weights:
            rng = numpy.random.default_rng(self.config.seed)
            with no_grad():
                for linear, act in network.layers:  # as the lab initialises its own networks
                    nn.init.init_linear_for_(linear, _act_name(act), rng)
            self._draw_weights = False
        elif self._built:
            self.experiment.restore()
        self._built = True
        return network

    def configure(self, config: LabConfig) -> str:
        changed = {k for k, v in config.model_dump().items() if getattr(self.config, k) != v}
        fixed = sorted(changed - TRAINING_ONLY - {"seed"})
        if fixed:
            raise ValueError(f"this lab shows your notebook's model and data, so {', '.join(fixed)}"
                             " cannot change here; change them in the notebook and call "
                             "bp.lab.show(model, data) again")
        return super().configure(config)

    def reinitialise(self) -> int:
        with self.lock:
            self._draw_weights = True
            return super().reinitialise()

    def load_points(self, points: PointSet) -> None:
        raise ValueError("this lab shows your notebook's data; load another dataset in the "
                         "notebook and call bp.lab.show(model, data) again")


def _points(dataset, autoencoder: bool, test_fraction: float) -> PointSet:
    info = dataset.info
    if autoencoder:
        labels = dataset.y.copy() if info.task != "autoencoder" else numpy.arange(len(dataset))
        info = replace(info, task="autoencoder", n_outputs=info.n_features, n_classes=None)
        dataset = bp_data.LabeledDataset(dataset.x, dataset.x, info)
        return _edited(PointSet(dataset, test_fraction, 0, labels))
    if info.task == "autoencoder":
        raise ValueError("bp.lab.show: autoencoder data needs a bp.nn.Autoencoder model")
    if info.n_features not in (1, 2):
        raise ValueError(f"bp.lab.show: the lab draws data with 1 or 2 inputs; "
                         f"{info.name!r} has {info.n_features}")
    return _edited(PointSet(dataset, test_fraction, 0))


def _edited(points: PointSet) -> PointSet:
    points.edited = True  # the rows are the notebook's, not what the config's dataset makes
    return points


def _check_model(model, info) -> list:
    """The model's (Linear, activation) layers, or a ValueError saying what the lab cannot
    draw."""
    for name, module in model.named_modules():
        if list(module.children()) or isinstance(module, nn.Linear):
            continue
        if activation_spec(module) is None and not isinstance(module, nn.Identity):
            raise ValueError(f"bp.lab.show: the lab draws Linear layers and activations; "
                             f"{name or 'the model'} is a {type(module).__name__}")
    layers = _linear_layers(model)
    if not layers:
        raise ValueError("bp.lab.show: the model has no Linear layer")
    if any(lin.bias is None for lin, _ in layers):
        raise ValueError("bp.lab.show: the lab draws Linear layers with a bias; this model has "
                         "one without")
    sizes = [layers[0][0].in_features] + [lin.out_features for lin, _ in layers]
    if sizes[0] != info.n_features or sizes[-1] != info.n_outputs:
        raise ValueError(f"bp.lab.show: the model maps {sizes[0]} inputs to {sizes[-1]} outputs;"
                         f" the data has {info.n_features} inputs and {info.n_outputs} outputs")
    if any(n > limits.MAX_NEURONS for n in sizes[1:-1]):
        raise ValueError(f"bp.lab.show: the lab draws at most {limits.MAX_NEURONS} neurons a "
                         f"hidden layer; the model's sizes are {sizes}")
    return layers


def _config(model, layers, dataset, autoencoder, loss, optimizer, lr, batch_size,
            test_fraction, n) -> LabConfig:
    hidden_acts = [_act_name(act) for _, act in layers[:-1]]
    activation = next((a for a in hidden_acts if a in HIDDEN_ACTIVATIONS), "tanh")
    if autoencoder:
        shape = {"mode": "autoencoder", "hidden": tuple(model.hidden),
                 "bottleneck": model.bottleneck,
                 "dataset": dataset.info.name if dataset.info.name in AUTOENCODER_DATASETS
                 else "encoder"}
    else:
        shape = {"mode": "network", "hidden": tuple(lin.out_features for lin, _ in layers[:-1]),
                 "dataset": dataset.info.name if dataset.info.name in TRAIN_DATASETS else "xor"}
    lr = lr if lr is not None else (0.01 if optimizer in _ADAPTIVE else 0.5)
    try:
        return LabConfig(**shape, points=n, activation=activation,
                         loss=_CONFIG_LOSS.get(loss, loss), optimizer=optimizer, lr=lr,
                         batch_size=batch_size or min(n, 32), test_fraction=test_fraction)
    except ValidationError as e:
        raise ValueError(f"bp.lab.show: {describe_validation_error(e)}") from None

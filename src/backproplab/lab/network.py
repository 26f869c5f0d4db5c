"""``LabNetwork``: the session's model, built from the config, and the numbers the network panel
draws from it (weights, gradients, last updates, each neuron's net input and output).

The model's inputs are the config's features of a 2-D point (``bp.data.feature_columns``):
every method here takes the data's raw points and makes the features first, so the heatmaps,
predictions and clicked points all go through the same preprocessing the training does.

The model is an ordinary ``bp.nn`` model (an MLP from ``bp.nn.from_spec`` or an
``bp.nn.Autoencoder``) whose head — output width, output activation, loss — comes from
``bp.train.task.head_for``. Its weights are drawn from a generator seeded by the config (then
ReLU units dead on every training row drawn again), so the same seed and data give the same
initial network in every session.
"""

from dataclasses import replace

import numpy

from backproplab import nn
from backproplab.autograd.grad_mode import no_grad
from backproplab.creation import from_numpy
from backproplab.data import FEATURES, feature_columns
from backproplab.data.features import RAW_FEATURES
from backproplab.lab.json_numbers import significant
from backproplab.nn.activation import activation_spec
from backproplab.train import LOSSES, make_loss
from backproplab.train.task import head_for, mlp_spec, output_scale


class LabNetwork:
    def __init__(self, config, info, train_x: numpy.ndarray | None = None):
        if config.mode == "autoencoder":
            info = replace(info, task="autoencoder", n_outputs=info.n_features, n_classes=None)
        self.features = _features_of(config, info)
        """The feature names the model's inputs are made of; None: the raw points."""
        if self.features is not None:
            info = replace(info, n_features=len(self.features),
                           feature_names=tuple(FEATURES[f].label for f in self.features))
        self.info = info
        self.head = head_for(info, config.loss)
        self.code_layer = len(config.hidden) if config.mode == "autoencoder" else None
        """Index of an autoencoder's bottleneck layer (None for a plain network)."""
        if config.mode == "autoencoder":
            self.model = nn.Autoencoder(info.n_features, hidden=config.hidden,
                                        bottleneck=config.bottleneck,
                                        activation=config.activation,
                                        output_activation=self.head.output_activation)
        else:
            self.model = nn.from_spec(mlp_spec(info, config.hidden, config.activation,
                                               self.head))
        rng = numpy.random.default_rng(config.seed)
        self.layers = _linear_layers(self.model)
        for linear, act in self.layers:  # Kaiming before ReLUs, Xavier before tanh/σ/outputs
            nn.init.init_linear_for_(linear, _act_name(act), rng)
        if train_x is not None:  # ReLU units off on every training row start again
            nn.init.redraw_dead_relus_(self.model, from_numpy(self.inputs(train_x)), rng)
        self.suited_init = True
        """The weights were drawn for each layer's activation (not a notebook's own model),
        and ReLU units dead on the training rows ``train_x`` (raw points) drawn again."""
        self.loss_fn = make_loss(self.head.loss)

    @classmethod
    def around(cls, model, info, loss: str, code_layer: int | None = None) -> "LabNetwork":
        """A LabNetwork on an existing model (a notebook's), its weights left as they are.
        The caller checks that the model is an MLP the lab can draw."""
        network = cls.__new__(cls)
        network.features = None  # a notebook's model takes the raw points
        network.info = info
        network.head = head_for(info, loss)
        network.code_layer = code_layer
        network.model = model
        network.layers = _linear_layers(model)
        network.loss_fn = make_loss(network.head.loss)
        network.suited_init = False
        return network

    @property
    def sizes(self) -> list[int]:
        return [self.layers[0][0].in_features] + [lin.out_features for lin, _ in self.layers]

    @property
    def roles(self) -> list[str]:
        """Each layer's part: "hidden", "code" (an autoencoder's bottleneck) or "output". Only
        hidden layers use the config's activation, so the page names it only when one exists."""
        last = len(self.layers) - 1
        return ["output" if i == last else "code" if i == self.code_layer else "hidden"
                for i in range(len(self.layers))]

    def parameters(self) -> list:
        return list(self.model.parameters())

    def targets(self, y: numpy.ndarray) -> numpy.ndarray:
        """Targets in the form the loss takes (class indices stay integers)."""
        if self.head.loss == "cross_entropy":
            return y.astype(numpy.int64).reshape(-1)
        return y.astype(numpy.float32).reshape(len(y), -1)

    def inputs(self, x: numpy.ndarray) -> numpy.ndarray:
        """The model's inputs for the raw points ``x`` (N, features of the data)."""
        x = numpy.asarray(x, dtype=numpy.float32)
        return x if self.features is None else feature_columns(x, self.features)

    def outputs(self, x: numpy.ndarray) -> numpy.ndarray:
        """Probabilities (binary: of class 1; multiclass: per class) or values, no gradient."""
        return self.layer_outputs(x)[-1]

    def layer_outputs(self, x: numpy.ndarray) -> list[numpy.ndarray]:
        """One forward pass over the raw points ``x``, keeping what every layer gives: the
        model's inputs, each hidden layer's output, then the outputs on the scale ``outputs``
        reads (probabilities for a classifier)."""
        h = from_numpy(self.inputs(x))
        kept = [h.array]
        with no_grad():
            for linear, act in self.layers:
                h = linear(h)
                h = act(h) if act is not None else h
                kept.append(h.array)
        kept[-1] = output_scale(kept[-1], self.head)
        return kept

    def row_losses(self, out: numpy.ndarray, y: numpy.ndarray) -> numpy.ndarray:
        """Each row's loss given the model's outputs ``out``: the loss of a batch of that row
        alone, the one a training step on it starts from. For heads whose ``outputs`` are the
        model's own (an autoencoder's), not logits turned into probabilities."""
        per_value = LOSSES[self.head.loss](reduction="none")
        with no_grad():
            values = per_value(from_numpy(out), from_numpy(self.targets(y))).array
        return values.reshape(len(out), -1).mean(axis=1)

    def forward_details(self, x: numpy.ndarray) -> list[dict]:
        """Each layer's net input and output for one raw sample ``x`` of shape (features,)."""
        details = []
        h = from_numpy(self.inputs(numpy.asarray(x, dtype=numpy.float32).reshape(1, -1)))
        with no_grad():
            for linear, act in self.layers:
                net = linear(h)
                h = act(net) if act is not None else net
                details.append({"net": _floats(net.array[0]), "out": _floats(h.array[0])})
        return details

    def input_values(self, x: numpy.ndarray) -> list[float]:
        """The model's inputs for one raw sample: what the network's input column shows."""
        return _floats(self.inputs(numpy.asarray(x, dtype=numpy.float32).reshape(1, -1))[0])

    def encode(self, x: numpy.ndarray) -> numpy.ndarray:
        with no_grad():
            return self.model.encode(from_numpy(x.astype(numpy.float32))).array

    def activations(self) -> list[str]:
        """Each layer's activation by name ("identity" where there is none)."""
        return [_act_name(act) for _, act in self.layers]

    def weights(self) -> list[dict]:
        return [{"w": _floats(lin.weight.array), "b": _floats(lin.bias.array),
                 "activation": _act_name(act)} for lin, act in self.layers]

    def gradient_magnitudes(self) -> list[float] | None:
        """Mean |∂L/∂w| per layer: the bar that makes vanishing gradients visible."""
        if self.layers[0][0].weight.grad is None:
            return None
        return [float(numpy.abs(lin.weight.grad.array).mean()) for lin, _ in self.layers]

    def snapshot(self) -> list[numpy.ndarray]:
        return [p.array.copy() for p in self.parameters()]

    def set_weight(self, layer: int, row: int, col: int | None, value: float) -> None:
        if not 0 <= layer < len(self.layers):
            raise ValueError(f"there is no layer {layer}; the network has {len(self.layers)}")
        linear = self.layers[layer][0]
        param = linear.weight if col is not None else linear.bias
        index = (row, col) if col is not None else (row,)
        if any(not 0 <= i < n for i, n in zip(index, param.shape, strict=True)):
            raise ValueError(f"layer {layer} has no {'weight' if col is not None else 'bias'} "
                             f"at {list(index)}; its shape is {list(param.shape)}")
        with no_grad():
            param.array[index] = value


def _features_of(config, info) -> tuple[str, ...] | None:
    """The config's features where they apply (2-D points, not an autoencoder) and differ
    from the raw points; otherwise None. Imported CSV data of another width keeps its own."""
    if config.mode == "autoencoder" or info.n_features != 2 or config.features == RAW_FEATURES:
        return None
    return config.features


def _linear_layers(model) -> list:
    """(Linear, activation module or None) pairs in forward order."""
    layers = []
    for module in model.modules():
        if isinstance(module, nn.Linear):
            layers.append([module, None])
        elif layers and not list(module.children()) and activation_spec(module) is not None:
            layers[-1][1] = module
    return [tuple(pair) for pair in layers]


def _act_name(act) -> str:
    if act is None:
        return "identity"
    spec = activation_spec(act)
    return spec if isinstance(spec, str) else spec["name"]


def _floats(a) -> list:
    return significant(a)  # every digit the page prints is the engine's

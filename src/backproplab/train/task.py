"""From a dataset's task to the network's head: output width, output activation, loss, metrics.

The CLI and the lab both build models from a dataset and a few choices; this is the one place
that knows which combinations make sense (sigmoid + BCE, logits + BCE-with-logits,
logits + cross-entropy, linear + MSE…) and refuses the rest with the reason.
"""

from dataclasses import dataclass

DEFAULT_LOSS = {"binary": "bce_with_logits", "multiclass": "cross_entropy",
                "regression": "mse", "autoencoder": "mse"}

# (task, loss) -> output activation; a missing pair is not a sensible combination.
_OUTPUT_ACTIVATION = {
    ("binary", "bce_with_logits"): None,
    ("binary", "bce"): "sigmoid",
    ("binary", "mse"): "sigmoid",
    ("multiclass", "cross_entropy"): None,
    ("multiclass", "nll"): "log_softmax",
    ("regression", "mse"): None,
    ("regression", "l1"): None,
    ("regression", "mae"): None,
    ("regression", "huber"): None,
    ("autoencoder", "mse"): "sigmoid",
    ("autoencoder", "bce"): "sigmoid",
    ("autoencoder", "l1"): "sigmoid",
}

_METRICS = {"binary": ("accuracy",), "multiclass": ("accuracy",), "regression": ("mae", "r2"),
            "autoencoder": ()}


@dataclass(frozen=True)
class Head:
    loss: str
    output_activation: str | None
    n_outputs: int
    metrics: tuple


def head_for(info, loss: str | None = None) -> Head:
    """The output layer and loss for a dataset's ``info`` (a ``bp.data.DatasetInfo``)."""
    loss = DEFAULT_LOSS[info.task] if loss is None else loss
    key = (info.task, loss)
    if key not in _OUTPUT_ACTIVATION:
        valid = sorted(lo for (task, lo) in _OUTPUT_ACTIVATION if task == info.task)
        raise ValueError(
            f"loss {loss!r} does not fit the {info.task} dataset {info.name!r}; "
            f"use one of: {', '.join(valid)}"
        )
    return Head(loss, _OUTPUT_ACTIVATION[key], info.n_outputs, _METRICS[info.task])


def mlp_spec(info, hidden, activation: str, head: Head) -> dict:
    """A ``bp.nn.from_spec`` spec of an MLP from the dataset's inputs to the head."""
    return {"layers": [info.n_features, *hidden, head.n_outputs], "activation": activation,
            "output_activation": head.output_activation}


def probabilities(model, x, head: Head):
    """Model outputs as probabilities (class 1 for binary, per class for multiclass) or values.

    Logit heads get their sigmoid/softmax here, so plots and the lab read one scale.
    """
    import numpy

    from backproplab.autograd.grad_mode import no_grad
    from backproplab.creation import from_numpy

    with no_grad():
        out = model(from_numpy(numpy.asarray(x, dtype=numpy.float32))).array
    return output_scale(out, head)


def output_scale(out, head: Head):
    """The model's raw outputs ``out`` (a NumPy array) on the scale ``probabilities`` reads:
    for a caller that ran the layers itself (the lab keeps every layer's output)."""
    import numpy

    if head.output_activation is None and head.loss in ("bce_with_logits", "cross_entropy"):
        if out.shape[-1] == 1:
            return 1 / (1 + numpy.exp(-numpy.clip(out, -60, 60)))
        e = numpy.exp(out - out.max(axis=-1, keepdims=True))
        return e / e.sum(axis=-1, keepdims=True)
    if head.output_activation == "log_softmax":
        return numpy.exp(out)
    return out

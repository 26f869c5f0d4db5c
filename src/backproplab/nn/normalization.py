"""``BatchNorm1d`` and ``LayerNorm``: keep activations at mean 0, variance 1 while training.

Their state keys (``weight``, ``bias``, ``running_mean``, ``running_var``,
``num_batches_tracked``) are PyTorch's, so state_dicts move between the two libraries.
"""

from backproplab import backend, dtypes
from backproplab.nn import functional as F
from backproplab.nn.module import Module
from backproplab.nn.parameter import Parameter
from backproplab.tensor import Tensor


class BatchNorm1d(Module):
    """Per-channel normalisation of (N, C) or (N, C, L) batches (``C = num_features``).

    Training normalises with the batch's statistics and updates the running ones:
    ``running = (1 - momentum)·running + momentum·batch`` (``momentum=None``: a cumulative
    average over the batches seen). Eval normalises with the running statistics. ``affine``
    adds a learned scale (ones) and shift (zeros); ``track_running_stats=False`` keeps no
    running statistics and always uses the batch's.
    """

    def __init__(self, num_features: int, eps: float = 1e-5, momentum: float | None = 0.1,
                 affine: bool = True, track_running_stats: bool = True, device=None,
                 dtype=None):
        super().__init__()
        if num_features < 1:
            raise ValueError(f"BatchNorm1d: num_features must be positive, got {num_features}")
        self.num_features = int(num_features)
        self.eps = eps
        self.momentum = momentum
        self.affine = affine
        self.track_running_stats = track_running_stats
        dtype = dtypes.get_default_dtype() if dtype is None else dtypes.as_dtype(dtype)
        if affine:
            self.weight = Parameter(backend.xp.ones(num_features, dtype))
            self.bias = Parameter(backend.xp.zeros(num_features, dtype))
        else:
            self.register_parameter("weight", None)
            self.register_parameter("bias", None)
        if track_running_stats:
            xp = backend.xp
            self.register_buffer("running_mean", Tensor(xp.zeros(num_features, dtype)))
            self.register_buffer("running_var", Tensor(xp.ones(num_features, dtype)))
            self.register_buffer("num_batches_tracked", Tensor(xp.array(0, xp.int64)))
        else:
            for name in ("running_mean", "running_var", "num_batches_tracked"):
                self.register_buffer(name, None)
        if device is not None:
            self.to(device)

    def reset_running_stats(self) -> None:
        if self.track_running_stats:
            self.running_mean.array[...] = 0
            self.running_var.array[...] = 1
            self.num_batches_tracked.array[...] = 0

    def forward(self, input):
        if input.ndim in (2, 3) and input.shape[1] != self.num_features:
            raise ValueError(f"BatchNorm1d({self.num_features}): input of shape "
                             f"{tuple(input.shape)} has {input.shape[1]} channels in dim 1")
        use_batch = self.training or not self.track_running_stats
        F.batch_norm_layout(input, use_batch)
        momentum = 0.0
        if self.training and self.track_running_stats:
            self.num_batches_tracked.array[...] += 1
            momentum = (1.0 / float(self.num_batches_tracked.array) if self.momentum is None
                        else self.momentum)
            stats = self.running_mean, self.running_var  # updated by batch_norm
        elif use_batch:
            stats = None, None
        else:
            stats = self.running_mean, self.running_var  # read by batch_norm
        return F.batch_norm(input, *stats, self.weight, self.bias, use_batch, momentum,
                            self.eps)

    def extra_repr(self) -> str:
        return (f"{self.num_features}, eps={self.eps}, momentum={self.momentum}, "
                f"affine={self.affine}, track_running_stats={self.track_running_stats}")


class LayerNorm(Module):
    """Normalise each sample over its last dims (``normalized_shape``), then scale and shift.

    Unlike batch norm it has no running statistics and acts the same in training and eval.
    """

    def __init__(self, normalized_shape, eps: float = 1e-5, elementwise_affine: bool = True,
                 bias: bool = True, device=None, dtype=None):
        super().__init__()
        if isinstance(normalized_shape, int):
            normalized_shape = (normalized_shape,)
        self.normalized_shape = tuple(int(s) for s in normalized_shape)
        self.eps = eps
        self.elementwise_affine = elementwise_affine
        dtype = dtypes.get_default_dtype() if dtype is None else dtypes.as_dtype(dtype)
        if elementwise_affine:
            self.weight = Parameter(backend.xp.ones(self.normalized_shape, dtype))
            if bias:
                self.bias = Parameter(backend.xp.zeros(self.normalized_shape, dtype))
            else:
                self.register_parameter("bias", None)
        else:
            self.register_parameter("weight", None)
            self.register_parameter("bias", None)
        if device is not None:
            self.to(device)

    def forward(self, input):
        return F.layer_norm(input, self.normalized_shape, self.weight, self.bias, self.eps)

    def extra_repr(self) -> str:
        return (f"{self.normalized_shape}, eps={self.eps}, "
                f"elementwise_affine={self.elementwise_affine}")

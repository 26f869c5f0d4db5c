"""backproplab: learn, teach and use backpropagation.

A PyTorch-like autograd engine over NumPy (``bp.tensor``, ``.backward()``, ``.grad``), a
learning stack on top of it, explanations of every number, and an interactive laboratory.
"""

from backproplab.tensor import Tensor  # noqa: I001 - Tensor must be defined before the ops load

from backproplab import (
    autograd,
    cuda,
    data,
    dtypes,
    explain,
    export,
    nn,
    optim,
    plots,
    train,
    utils,
)
from backproplab.autograd import (
    detect_anomaly,
    enable_grad,
    is_grad_enabled,
    no_grad,
    set_grad_enabled,
)
from backproplab.backend import set_array_module
from backproplab.compile import compile
from backproplab.creation import (
    BoolTensor,
    ByteTensor,
    DoubleTensor,
    FloatTensor,
    HalfTensor,
    IntTensor,
    LongTensor,
    ShortTensor,
    arange,
    as_tensor,
    empty,
    empty_like,
    eye,
    from_numpy,
    full,
    full_like,
    linspace,
    ones,
    ones_like,
    rand,
    rand_like,
    randint,
    randn,
    randn_like,
    randperm,
    tensor,
    zeros,
    zeros_like,
)
from backproplab.devices import device
from backproplab.dtypes import (
    bool_,
    double,
    float16,
    float32,
    float64,
    get_default_dtype,
    half,
    int8,
    int16,
    int32,
    int64,
    long,
    set_default_dtype,
    uint8,
)
from backproplab.ops.activations import elu, gelu, leaky_relu, relu, sigmoid, softplus, tanh
from backproplab.ops.arithmetic import (
    abs,
    add,
    clone,
    div,
    floor_divide,
    mul,
    neg,
    pow,
    remainder,
    sub,
)
from backproplab.ops.comparison import (
    all,
    allclose,
    any,
    argmax,
    argmin,
    eq,
    equal,
    ge,
    gt,
    isclose,
    isfinite,
    isnan,
    le,
    lt,
    ne,
    sign,
)
from backproplab.ops.indexing import gather, index_select
from backproplab.ops.matmul import matmul
from backproplab.ops.reductions import amax, amin, max, mean, min, std, sum, var
from backproplab.ops.selection import clamp, masked_fill, maximum, minimum, where
from backproplab.ops.shape import (
    cat,
    expand,
    flatten,
    flip,
    permute,
    repeat,
    reshape,
    squeeze,
    stack,
    transpose,
    unsqueeze,
)
from backproplab.ops.softmax import log_softmax, logsumexp, softmax
from backproplab.ops.transcendental import cos, erf, exp, log, log2, log10, sin, sqrt
from backproplab.random import Generator, initial_seed, manual_seed
from backproplab.sampling import multinomial
from backproplab.serialization import load, load_metadata, load_tensors, save

bool = bool_
float = float32
clip = clamp
concat = concatenate = cat

__version__ = "0.1.0"


def __getattr__(name: str):
    """``bp.lab`` is imported on first use: it needs the ``lab`` extra (Starlette, uvicorn),
    which the engine and the learning stack do not."""
    if name == "lab":
        import importlib

        try:
            return importlib.import_module("backproplab.lab")
        except ImportError as e:
            raise ImportError(f"bp.lab needs its extra dependencies ({e.name} is missing): "
                              "pip install 'backproplab[lab]'") from e
    raise AttributeError(f"module 'backproplab' has no attribute {name!r}")

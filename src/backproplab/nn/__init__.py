"""Neural-network building blocks (``bp.nn``): modules, layers, losses, init and specs."""

from backproplab.nn import functional, init, utils
from backproplab.nn.activation import (
    ACTIVATIONS,
    ELU,
    GELU,
    LeakyReLU,
    LogSoftmax,
    ReLU,
    Sigmoid,
    Softmax,
    Softplus,
    Tanh,
    get_activation,
)
from backproplab.nn.autoencoder import Autoencoder
from backproplab.nn.containers import ModuleDict, ModuleList, Sequential
from backproplab.nn.dropout import Dropout
from backproplab.nn.embedding import Embedding
from backproplab.nn.flatten import Flatten
from backproplab.nn.linear import Identity, Linear
from backproplab.nn.loss import (
    BCELoss,
    BCEWithLogitsLoss,
    CrossEntropyLoss,
    HuberLoss,
    L1Loss,
    MSELoss,
    NLLLoss,
)
from backproplab.nn.module import Module
from backproplab.nn.normalization import BatchNorm1d, LayerNorm
from backproplab.nn.parameter import Parameter
from backproplab.nn.spec import from_spec, to_spec

__all__ = [
    "ACTIVATIONS",
    "ELU",
    "GELU",
    "Autoencoder",
    "BCELoss",
    "BCEWithLogitsLoss",
    "BatchNorm1d",
    "CrossEntropyLoss",
    "Dropout",
    "Embedding",
    "Flatten",
    "HuberLoss",
    "Identity",
    "L1Loss",
    "LayerNorm",
    "LeakyReLU",
    "Linear",
    "LogSoftmax",
    "MSELoss",
    "Module",
    "ModuleDict",
    "ModuleList",
    "NLLLoss",
    "Parameter",
    "ReLU",
    "Sequential",
    "Sigmoid",
    "Softmax",
    "Softplus",
    "Tanh",
    "from_spec",
    "functional",
    "get_activation",
    "init",
    "to_spec",
    "utils",
]

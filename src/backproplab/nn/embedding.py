"""``Embedding``: a lookup table of learned vectors, one row per token id.

``Embedding(27, 10)(ix)`` is ``weight[ix]``: indexing, whose backward adds each row's
gradient back into the table (a token used twice gets both contributions). That is the
layer of every character-level language model.
"""

from backproplab import backend, dtypes
from backproplab.nn import functional as F
from backproplab.nn import init
from backproplab.nn.module import Module
from backproplab.nn.parameter import Parameter


class Embedding(Module):
    """``num_embeddings`` rows of ``embedding_dim`` values, drawn from N(0, 1) as in PyTorch.

    The row at ``padding_idx`` (if given) starts at zero and receives no gradient.
    ``_weight`` uses a given table instead of drawing one (PyTorch's argument). ``sparse=True``
    is accepted and gives the same (dense) gradient; ``max_norm`` and ``scale_grad_by_freq``
    are refused rather than silently ignored.
    """

    def __init__(self, num_embeddings: int, embedding_dim: int, padding_idx: int | None = None,
                 max_norm: float | None = None, norm_type: float = 2.0,
                 scale_grad_by_freq: bool = False, sparse: bool = False, _weight=None,
                 _freeze: bool = False, device=None, dtype=None, generator=None):
        super().__init__()
        if max_norm is not None or scale_grad_by_freq:
            raise NotImplementedError("Embedding: max_norm and scale_grad_by_freq are not "
                                      "supported")
        if num_embeddings < 1 or embedding_dim < 1:
            raise ValueError(f"Embedding: sizes must be positive, got num_embeddings="
                             f"{num_embeddings}, embedding_dim={embedding_dim}")
        if padding_idx is not None:
            if not -num_embeddings <= padding_idx < num_embeddings:
                raise ValueError(f"Embedding: padding_idx {padding_idx} must be within "
                                 f"[-{num_embeddings}, {num_embeddings})")
            padding_idx %= num_embeddings
        self.num_embeddings = int(num_embeddings)
        self.embedding_dim = int(embedding_dim)
        self.padding_idx = padding_idx
        shape = (self.num_embeddings, self.embedding_dim)
        if _weight is None:
            dtype = dtypes.get_default_dtype() if dtype is None else dtypes.as_dtype(dtype)
            self.weight = Parameter(backend.xp.empty(shape, dtype), requires_grad=not _freeze)
            self.reset_parameters(generator)
        else:
            if tuple(_weight.shape) != shape:
                raise ValueError(f"Embedding: _weight has shape {tuple(_weight.shape)}, "
                                 f"expected {shape}")
            self.weight = Parameter(_weight, requires_grad=not _freeze)
        if device is not None:
            self.to(device)

    def reset_parameters(self, generator=None) -> None:
        init.normal_(self.weight, generator=generator)
        if self.padding_idx is not None:
            self.weight.array[self.padding_idx] = 0

    @classmethod
    def from_pretrained(cls, embeddings, freeze: bool = True, padding_idx=None) -> "Embedding":
        """A table holding ``embeddings`` (rows, dim), frozen unless ``freeze=False``."""
        if embeddings.ndim != 2:
            raise ValueError(f"Embedding.from_pretrained: embeddings must be 2-D, got shape "
                             f"{tuple(embeddings.shape)}")
        rows, dim = embeddings.shape
        return cls(rows, dim, padding_idx=padding_idx, _weight=embeddings, _freeze=freeze)

    def forward(self, input):
        return F.embedding(input, self.weight, self.padding_idx)

    def extra_repr(self) -> str:
        pad = "" if self.padding_idx is None else f", padding_idx={self.padding_idx}"
        return f"{self.num_embeddings}, {self.embedding_dim}{pad}"

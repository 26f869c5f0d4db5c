"""``bp.utils``: the counterpart of ``torch.utils``, so ``from torch.utils.data import …``
ports by changing the import."""

from backproplab.utils import data

__all__ = ["data"]

"""Neural-network building blocks (``bp.nn``)."""

from backproplab.nn import functional

__all__ = ["functional"]

"""Taking trained models elsewhere (``bp.export``): to PyTorch and back, and to ONNX.

PyTorch and onnx are optional: each is imported only when its function is called, and a
missing one raises an ImportError that says how to install it.
"""

from backproplab.export.onnx_export import to_onnx
from backproplab.export.torch_export import from_torch, to_torch

__all__ = ["from_torch", "to_onnx", "to_torch"]

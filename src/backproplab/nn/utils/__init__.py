"""``bp.nn.utils``: helpers around modules and their gradients, as ``torch.nn.utils``."""

from backproplab.nn.utils.clip_grad import clip_grad_norm_, clip_grad_value_

__all__ = ["clip_grad_norm_", "clip_grad_value_"]

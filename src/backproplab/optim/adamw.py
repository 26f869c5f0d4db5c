"""AdamW: Adam with weight decay applied to the weights, not mixed into the gradient."""

from backproplab.optim.adam import Adam


class AdamW(Adam):
    """p ← p·(1 - lr·wd) before the Adam step (Loshchilov & Hutter), so the decay is not
    rescaled by the adaptive denominator. Default weight_decay is 0.01, as in PyTorch.
    """

    decoupled_weight_decay = True

    def __init__(self, params, lr: float = 1e-3, betas=(0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 1e-2, amsgrad: bool = False):
        super().__init__(params, lr, betas, eps, weight_decay, amsgrad)

"""Reverse-mode automatic differentiation: Function, backward, grad, gradcheck, modes."""

from backproplab.autograd.anomaly import AnomalyError, detect_anomaly, is_anomaly_enabled
from backproplab.autograd.custom_function import Function
from backproplab.autograd.engine import backward, grad
from backproplab.autograd.grad_mode import enable_grad, is_grad_enabled, no_grad, set_grad_enabled
from backproplab.autograd.gradcheck import GradcheckError, gradcheck, gradgradcheck

__all__ = [
    "AnomalyError",
    "Function",
    "GradcheckError",
    "backward",
    "detect_anomaly",
    "enable_grad",
    "grad",
    "gradcheck",
    "gradgradcheck",
    "is_anomaly_enabled",
    "is_grad_enabled",
    "no_grad",
    "set_grad_enabled",
]

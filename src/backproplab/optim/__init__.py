"""Optimizers (``bp.optim``) with PyTorch's update rules, and learning-rate schedules."""

from backproplab.optim import lr_scheduler
from backproplab.optim.adagrad import Adagrad
from backproplab.optim.adam import Adam
from backproplab.optim.adamw import AdamW
from backproplab.optim.optimizer import Optimizer
from backproplab.optim.rmsprop import RMSprop
from backproplab.optim.sgd import SGD

__all__ = ["SGD", "Adagrad", "Adam", "AdamW", "Optimizer", "RMSprop", "lr_scheduler"]

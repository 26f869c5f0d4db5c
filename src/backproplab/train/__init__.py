"""Training: ``fit``, History, callbacks and metrics (``bp.train``)."""

from backproplab.train.callback import Callback, TrainingState
from backproplab.train.checkpoint import ModelCheckpoint
from backproplab.train.divergence import DivergenceDetector
from backproplab.train.early_stopping import EarlyStopping
from backproplab.train.fit import evaluate, fit
from backproplab.train.gradient_flow import GradientFlowRecorder
from backproplab.train.history import Event, History
from backproplab.train.metrics import accuracy, mae, mse, r2
from backproplab.train.names import LOSSES, OPTIMIZERS, make_loss, make_optimizer
from backproplab.train.pca_reference import pca_reconstruction_mse
from backproplab.train.plateau import PlateauDetector
from backproplab.train.scheduler_callback import LearningRateScheduler
from backproplab.train.task import Head, head_for, mlp_spec, probabilities

__all__ = [
    "LOSSES",
    "OPTIMIZERS",
    "Callback",
    "DivergenceDetector",
    "EarlyStopping",
    "Event",
    "GradientFlowRecorder",
    "Head",
    "History",
    "LearningRateScheduler",
    "ModelCheckpoint",
    "PlateauDetector",
    "TrainingState",
    "accuracy",
    "evaluate",
    "fit",
    "head_for",
    "mae",
    "make_loss",
    "make_optimizer",
    "mlp_spec",
    "mse",
    "pca_reconstruction_mse",
    "probabilities",
    "r2",
]

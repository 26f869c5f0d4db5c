"""Capture and replay of training steps: ``bp.compile`` (see :mod:`backproplab.compile.step`)."""

from backproplab.compile.recorder import CompileError
from backproplab.compile.step import CompiledStep, compile

__all__ = ["CompileError", "CompiledStep", "compile"]

"""bpcourse: the companion package of a course on neural-network backpropagation.

Modules, one concept each: ``activations``, ``losses``, ``layers``, ``networks``, ``optimizers``,
``gradcheck``, ``autodiff``, ``gates`` (chapter 2's gates and circuits), ``deltas`` (chapter 7's δ recursion in
matrix form), ``regularization`` (L2, dropout, early stopping), ``schedules`` (learning-rate schedules),
``testfunctions`` (functions with known gradients, for exercise 4), ``datasets``, ``validate`` (the shared input
checks), ``models`` (the source articles' own networks), and — imported only when used — ``plotting``, ``widgets`` and ``grading``.

Importing the package is cheap: submodules load on first attribute access, and nothing here imports
matplotlib, ipywidgets, sympy or Jupyter.
"""
from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

_SUBMODULES = {
    "activations", "losses", "layers", "networks", "optimizers", "gradcheck", "autodiff", "datasets",
    "models", "plotting", "widgets", "grading", "progress", "validate", "gates", "deltas", "regularization",
    "schedules", "testfunctions",
}
# The handful of names a chapter uses most, importable as ``from bpcourse import Dense``.
_NAMES = {
    "Dense": "layers", "Sigmoid": "layers", "Tanh": "layers", "ReLU": "layers", "Identity": "layers",
    "ActivationLayer": "layers", "SoftmaxCrossEntropy": "layers",
    "Sequential": "networks", "mlp": "networks",
    "SGD": "optimizers", "Momentum": "optimizers", "Adam": "optimizers",
    "numeric_gradient": "gradcheck", "rel_error": "gradcheck", "check_layer": "gradcheck",
    "check_network": "gradcheck", "Value": "autodiff",
}

__all__ = sorted(_SUBMODULES | set(_NAMES))


def __getattr__(name: str) -> Any:
    if name in _SUBMODULES:
        return importlib.import_module(f"{__name__}.{name}")
    if name in _NAMES:
        return getattr(importlib.import_module(f"{__name__}.{_NAMES[name]}"), name)
    raise AttributeError(f"module 'bpcourse' has no attribute {name!r}")


def __dir__() -> list[str]:
    return __all__

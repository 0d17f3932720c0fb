"""Linear probes: what can a straight line read out of a hidden state?

A probe is a linear classifier trained on frozen features. If it decodes a token well, the
information is there in linear form; if it fails, it is gone or tangled (Chapter 1).
"""
from __future__ import annotations

import numpy as np

from ._checks import check_float, check_int


def _as_features(name: str, features) -> np.ndarray:
    array = np.asarray(features, dtype=np.float64)
    if array.ndim != 2 or array.shape[0] == 0:
        raise ValueError(f"{name} must have shape (N, D) with N >= 1, got shape {array.shape}")
    if not np.all(np.isfinite(array)):
        raise ValueError(f"{name} must be finite (no NaN or inf)")
    return array


def _as_labels(labels, num_rows: int, num_classes: int) -> np.ndarray:
    array = np.asarray(labels)
    if array.shape != (num_rows,) or not np.issubdtype(array.dtype, np.integer):
        raise ValueError(f"labels must be integers of shape ({num_rows},), got {array.dtype} {array.shape}")
    if array.min() < 0 or array.max() >= num_classes:
        raise ValueError(f"labels must lie in [0, {num_classes - 1}], got [{array.min()}, {array.max()}]")
    return array


def fit_linear_probe(features, labels, num_classes: int, l2: float = 1e-2) -> np.ndarray:
    """Fit a ridge-regression probe from features to one-hot labels, in closed form.

    Solves :math:`W = (X^\\top X + \\lambda I)^{-1} X^\\top Y` with a bias column appended to
    ``X`` (not penalised less, for simplicity). Closed form means no training noise: the same
    features always give the same probe.

    Parameters
    ----------
    features : array of shape (N, D)
    labels : int array of shape (N,), values in ``[0, num_classes)``
    num_classes : int
    l2 : float
        Ridge penalty :math:`\\lambda`, at least 0.

    Returns
    -------
    numpy.ndarray of shape (D + 1, num_classes)
        Weights; the last row is the bias.
    """
    features = _as_features("features", features)
    num_classes = check_int("num_classes", num_classes, minimum=2)
    labels = _as_labels(labels, features.shape[0], num_classes)
    l2 = check_float("l2", l2, minimum=0.0)
    design = np.hstack([features, np.ones((features.shape[0], 1))])  # (N, D + 1)
    one_hot = np.eye(num_classes)[labels]  # (N, C)
    gram = design.T @ design + l2 * np.eye(design.shape[1])
    return np.linalg.solve(gram, design.T @ one_hot)


def probe_accuracy(weights, features, labels) -> float:
    """Fraction of rows whose arg-max probe score is the true label."""
    weights = np.asarray(weights, dtype=np.float64)
    features = _as_features("features", features)
    if weights.ndim != 2 or weights.shape[0] != features.shape[1] + 1:
        raise ValueError(f"weights must have shape (D + 1, C) = ({features.shape[1] + 1}, C), "
                         f"got {weights.shape}")
    labels = _as_labels(labels, features.shape[0], weights.shape[1])
    scores = np.hstack([features, np.ones((features.shape[0], 1))]) @ weights
    return float((scores.argmax(1) == labels).mean())

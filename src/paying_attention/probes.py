"""Probes: what can a simple reader decode from a hidden state?

A probe is a classifier trained on frozen features. If a linear probe decodes a token well, the
information is there in linear form; if it fails, it is gone or tangled, and a small non-linear
probe (one hidden layer) tells the two apart in part (Chapter 1).
"""
from __future__ import annotations

from typing import NamedTuple

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
    Derived in Chapter 1.

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
    """Fraction of rows whose arg-max probe score is the true label.
    Derived in Chapter 1.
    """
    weights = np.asarray(weights, dtype=np.float64)
    features = _as_features("features", features)
    if weights.ndim != 2 or weights.shape[0] != features.shape[1] + 1:
        raise ValueError(f"weights must have shape (D + 1, C) = ({features.shape[1] + 1}, C), "
                         f"got {weights.shape}")
    labels = _as_labels(labels, features.shape[0], weights.shape[1])
    scores = np.hstack([features, np.ones((features.shape[0], 1))]) @ weights
    return float((scores.argmax(1) == labels).mean())


class MLPProbe(NamedTuple):
    """The weights of a two-layer probe (see :func:`fit_mlp_probe`).
    Derived in Chapter 1.
    """

    hidden_weights: np.ndarray  # (D, H)
    hidden_bias: np.ndarray  # (H,)
    output_weights: np.ndarray  # (H, C)
    output_bias: np.ndarray  # (C,)


def _mlp_scores(probe: MLPProbe, features: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    hidden = np.tanh(features @ probe.hidden_weights + probe.hidden_bias)  # (N, H)
    return hidden, hidden @ probe.output_weights + probe.output_bias  # (N, H), (N, C)


def fit_mlp_probe(features, labels, num_classes: int, hidden_size: int = 32, steps: int = 150,
                  learning_rate: float = 0.05, seed: int = 0) -> MLPProbe:
    """Fit a small non-linear probe: one tanh hidden layer, then a softmax over the classes.

    The probe computes :math:`p = \\mathrm{softmax}(\\tanh(X W_1 + b_1) W_2 + b_2)` and is trained
    by full-batch Adam on the cross-entropy for a fixed number of ``steps``, from weights drawn
    with ``seed``, in float64: the same features always give the same probe. Where it reads a
    token that the linear probe (:func:`fit_linear_probe`) cannot, the token is in the features
    but not in linear form (Chapter 1, section 1.4).

    Parameters
    ----------
    features : array of shape (N, D)
    labels : int array of shape (N,), values in ``[0, num_classes)``
    num_classes : int
    hidden_size : int
        Width ``H`` of the hidden layer, at least 1.
    steps : int
        Number of full-batch Adam steps, at least 1.
    learning_rate : float
        Adam step size, above 0.
    seed : int
        Seed of the initial weights, at least 0.

    Returns
    -------
    MLPProbe
        Weights of shapes (D, H), (H,), (H, C), (C,).
    """
    features = _as_features("features", features)
    num_classes = check_int("num_classes", num_classes, minimum=2)
    labels = _as_labels(labels, features.shape[0], num_classes)
    hidden_size = check_int("hidden_size", hidden_size, minimum=1)
    steps = check_int("steps", steps, minimum=1)
    learning_rate = check_float("learning_rate", learning_rate, minimum=0.0, strict=True)
    seed = check_int("seed", seed, minimum=0)
    rng = np.random.default_rng(seed)
    num_rows, width = features.shape
    params = [rng.normal(size=(width, hidden_size)) / np.sqrt(width), np.zeros(hidden_size),
              rng.normal(size=(hidden_size, num_classes)) / np.sqrt(hidden_size), np.zeros(num_classes)]
    first_moment = [np.zeros_like(p) for p in params]
    second_moment = [np.zeros_like(p) for p in params]
    one_hot = np.eye(num_classes)[labels]  # (N, C)
    for step in range(1, steps + 1):
        hidden, scores = _mlp_scores(MLPProbe(*params), features)
        scores = scores - scores.max(1, keepdims=True)  # stable softmax
        probabilities = np.exp(scores) / np.exp(scores).sum(1, keepdims=True)
        grad_scores = (probabilities - one_hot) / num_rows  # d mean cross-entropy / d scores
        grad_hidden = grad_scores @ params[2].T * (1 - hidden ** 2)  # back through tanh
        grads = [features.T @ grad_hidden, grad_hidden.sum(0), hidden.T @ grad_scores, grad_scores.sum(0)]
        for index, grad in enumerate(grads):
            first_moment[index] = 0.9 * first_moment[index] + 0.1 * grad
            second_moment[index] = 0.999 * second_moment[index] + 0.001 * grad ** 2
            corrected_first = first_moment[index] / (1 - 0.9 ** step)
            corrected_second = second_moment[index] / (1 - 0.999 ** step)
            params[index] = params[index] - learning_rate * corrected_first / (np.sqrt(corrected_second) + 1e-8)
    return MLPProbe(*params)


def mlp_probe_accuracy(probe: MLPProbe, features, labels) -> float:
    """Fraction of rows whose arg-max score under a probe from :func:`fit_mlp_probe` is the true label.
    Derived in Chapter 1.
    """
    if not isinstance(probe, MLPProbe):
        raise TypeError(f"probe must be an MLPProbe from fit_mlp_probe, got {type(probe).__name__}")
    features = _as_features("features", features)
    if probe.hidden_weights.shape[0] != features.shape[1]:
        raise ValueError(f"features must have {probe.hidden_weights.shape[0]} columns, the width the "
                         f"probe was fitted on, got {features.shape[1]}")
    labels = _as_labels(labels, features.shape[0], probe.output_weights.shape[1])
    return float((_mlp_scores(probe, features)[1].argmax(1) == labels).mean())

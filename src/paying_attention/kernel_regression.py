"""Nadaraya-Watson kernel regression: attention as a soft lookup in one dimension (Chapter 2).

A query ``q`` looks up a table of keys ``k_i`` and values ``v_i``. Instead of returning the value of
the one key that matches, it returns an average of all values, weighted by how close each key is:

.. math::

    f(q) = \\sum_i \\alpha_i(q)\\, v_i, \\qquad
    \\alpha_i(q) = \\softmax_i\\left(-\\frac{(q - k_i)^2}{2h^2}\\right)
    = \\frac{\\exp(-(q - k_i)^2 / 2h^2)}{\\sum_j \\exp(-(q - k_j)^2 / 2h^2)}.

With a Gaussian kernel this is exactly the Nadaraya-Watson estimator (Nadaraya 1964; Watson 1964),
and the weights :math:`\\alpha_i(q)` are attention weights. The bandwidth ``h`` sets how far the
query looks; :func:`fit_bandwidth` learns it by gradient descent on the leave-one-out error.
"""
from __future__ import annotations

import numpy as np
import torch

from ._checks import check_float, check_int


def _as_points(name: str, array, *, allow_empty: bool = False) -> np.ndarray:
    """Return ``array`` as a finite 1-D float64 array, else raise naming the expected shape."""
    points = np.asarray(array, dtype=np.float64)
    if points.ndim != 1:
        raise ValueError(f"{name} must be a 1-D array of shape (N,), got shape {points.shape}")
    if points.size == 0 and not allow_empty:
        raise ValueError(f"{name} must hold at least one point, got shape {points.shape}")
    if not np.all(np.isfinite(points)):
        raise ValueError(f"{name} must be finite (no NaN or inf)")
    return points


def _check_pairs(keys, values) -> tuple[np.ndarray, np.ndarray]:
    keys = _as_points("keys", keys)
    values = _as_points("values", values)
    if values.shape != keys.shape:
        raise ValueError(f"values must have the shape of keys, {keys.shape}, got {values.shape}")
    return keys, values


def _check_bandwidth(bandwidth) -> float:
    if isinstance(bandwidth, (np.floating, np.integer)):
        bandwidth = bandwidth.item()
    return check_float("bandwidth", bandwidth, minimum=0.0, strict=True)


def gaussian_kernel_weights(queries, keys, bandwidth, *, exclude_self: bool = False) -> np.ndarray:
    """Attention weights of a Gaussian kernel: a softmax over negative squared distances.

    .. math::

        \\alpha_{ij} = \\frac{\\exp(-(q_i - k_j)^2 / 2h^2)}{\\sum_{l} \\exp(-(q_i - k_l)^2 / 2h^2)}
        = \\softmax_j\\left(-\\frac{(q_i - k_j)^2}{2h^2}\\right)

    Derived in Chapter 2 (section 2.3). The softmax subtracts each row's largest score before
    exponentiating, which changes nothing (shift invariance) and never overflows, so even a tiny
    bandwidth gives a valid row (all the weight on the nearest key).

    Parameters
    ----------
    queries : array of shape (N_q,)
        Query positions.
    keys : array of shape (N_k,)
        Key positions.
    bandwidth : float
        Kernel width :math:`h > 0`.
    exclude_self : bool
        Leave-one-out: query ``i`` may not attend to key ``i`` (its weight is set to 0 and the rest
        renormalised). Needs ``N_q == N_k >= 2``; used when the queries are the keys themselves.

    Returns
    -------
    numpy.ndarray of shape (N_q, N_k)
        Non-negative weights; every row sums to one.
    """
    queries = _as_points("queries", queries, allow_empty=True)
    keys = _as_points("keys", keys)
    bandwidth = _check_bandwidth(bandwidth)
    scores = -((queries[:, None] - keys[None, :]) ** 2) / (2 * bandwidth**2)  # (N_q, N_k)
    if exclude_self:
        if queries.shape != keys.shape or keys.size < 2:
            raise ValueError("exclude_self needs queries and keys of the same shape (N,) with "
                             f"N >= 2, got {queries.shape} and {keys.shape}")
        np.fill_diagonal(scores, -np.inf)
    scores = scores - scores.max(axis=1, keepdims=True)  # shift invariance: same weights, no overflow
    exponentials = np.exp(scores)
    return exponentials / exponentials.sum(axis=1, keepdims=True)


def nadaraya_watson(queries, keys, values, bandwidth, return_weights: bool = False,
                    *, exclude_self: bool = False):
    """Nadaraya-Watson kernel regression with a Gaussian kernel: attention pooling in 1-D.

    .. math::

        f(q_i) = \\sum_j \\alpha_{ij} v_j, \\qquad
        \\alpha_{ij} = \\softmax_j\\left(-\\frac{(q_i - k_j)^2}{2h^2}\\right)

    Derived in Chapter 2 (section 2.3); the weights are those of :func:`gaussian_kernel_weights`.
    As :math:`h \\to 0` the prediction tends to the value of the nearest key (1-nearest
    neighbour); as :math:`h \\to \\infty` it tends to the mean of the values.

    Parameters
    ----------
    queries : array of shape (N_q,)
    keys : array of shape (N_k,)
    values : array of shape (N_k,)
        One value per key.
    bandwidth : float
        Kernel width :math:`h > 0`.
    return_weights : bool
        Also return the attention weights.
    exclude_self : bool
        Leave-one-out prediction (see :func:`gaussian_kernel_weights`).

    Returns
    -------
    predictions : numpy.ndarray of shape (N_q,)
    weights : numpy.ndarray of shape (N_q, N_k)
        Only if ``return_weights`` is true.
    """
    keys, values = _check_pairs(keys, values)
    weights = gaussian_kernel_weights(queries, keys, bandwidth, exclude_self=exclude_self)
    predictions = weights @ values  # (N_q, N_k) @ (N_k,) -> (N_q,)
    return (predictions, weights) if return_weights else predictions


def leave_one_out_loss(keys, values, bandwidth) -> float:
    """Mean squared error of predicting each value from all the *other* points.

    .. math::

        L(h) = \\frac{1}{N} \\sum_i \\Big(v_i - \\sum_{j \\ne i} \\alpha_{ij} v_j\\Big)^2

    Derived in Chapter 2 (section 2.4). Letting point ``i`` attend to itself would make
    :math:`h \\to 0` a perfect, useless fit; leaving it out makes the loss measure how well the
    kernel predicts a point it has not seen.

    Parameters
    ----------
    keys, values : arrays of shape (N,), N >= 2
    bandwidth : float
        Kernel width :math:`h > 0`.

    Returns
    -------
    float
    """
    keys, values = _check_pairs(keys, values)
    predictions = nadaraya_watson(keys, keys, values, bandwidth, exclude_self=True)
    return float(np.mean((values - predictions) ** 2))


def fit_bandwidth(keys, values, *, initial_bandwidth: float = 1.0, steps: int = 100,
                  learning_rate: float = 0.1) -> tuple[float, list[float]]:
    """Learn the bandwidth by gradient descent on the leave-one-out squared error, in torch.

    The parameter is :math:`\\log h`, so the bandwidth stays positive and a step changes it by a
    factor rather than an amount. Each step computes :math:`L(h)` of
    :func:`leave_one_out_loss` in float64 with the diagonal scores set to :math:`-\\infty`, and
    takes one plain gradient step :math:`\\log h \\leftarrow \\log h - \\eta\\,
    \\partial L / \\partial \\log h`. Derived in Chapter 2 (section 2.4).

    Parameters
    ----------
    keys, values : arrays of shape (N,), N >= 2
        The training points.
    initial_bandwidth : float
        Starting bandwidth, > 0.
    steps : int
        Number of gradient steps, >= 1.
    learning_rate : float
        Step size :math:`\\eta` on :math:`\\log h`, > 0.

    Returns
    -------
    bandwidth : float
        The learned bandwidth.
    losses : list of float, length ``steps + 1``
        The leave-one-out loss before each step and after the last one.
    """
    keys, values = _check_pairs(keys, values)
    if keys.size < 2:
        raise ValueError(f"fit_bandwidth needs at least 2 points, got shape {keys.shape}")
    initial_bandwidth = _check_bandwidth(initial_bandwidth)
    steps = check_int("steps", steps, minimum=1)
    learning_rate = check_float("learning_rate", learning_rate, minimum=0.0, strict=True)

    keys_t = torch.as_tensor(keys, dtype=torch.float64)  # (N,)
    values_t = torch.as_tensor(values, dtype=torch.float64)  # (N,)
    squared_distances = (keys_t[:, None] - keys_t[None, :]) ** 2  # (N, N)
    self_mask = torch.eye(keys.size, dtype=torch.bool)  # (N, N): True where a point meets itself
    log_bandwidth = torch.tensor(np.log(initial_bandwidth), dtype=torch.float64, requires_grad=True)

    def loss_at(log_h):
        scores = -squared_distances / (2 * torch.exp(log_h) ** 2)  # (N, N)
        scores = scores.masked_fill(self_mask, float("-inf"))  # leave one out
        weights = torch.softmax(scores, dim=1)  # (N, N), rows sum to one
        return torch.mean((values_t - weights @ values_t) ** 2)

    losses = []
    for _ in range(steps):
        loss = loss_at(log_bandwidth)
        losses.append(loss.item())
        (gradient,) = torch.autograd.grad(loss, log_bandwidth)
        with torch.no_grad():
            log_bandwidth -= learning_rate * gradient
    with torch.no_grad():
        losses.append(loss_at(log_bandwidth).item())
    return float(torch.exp(log_bandwidth).item()), losses

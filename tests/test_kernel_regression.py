import numpy as np
import pytest

from paying_attention.kernel_regression import (fit_bandwidth, gaussian_kernel_weights,
                                                leave_one_out_loss, nadaraya_watson)


def _data(num_points=40, seed=0):
    rng = np.random.default_rng(seed)
    keys = np.sort(rng.uniform(0, 5, num_points))
    values = 2 * np.sin(keys) + keys**0.8 + rng.normal(0, 0.5, num_points)
    return keys, values


@pytest.mark.parametrize("num_queries,num_keys", [(1, 1), (1, 7), (5, 3), (30, 40), (0, 4)])
@pytest.mark.parametrize("bandwidth", [0.01, 0.5, 100.0])
def test_weights_are_positive_rows_summing_to_one(num_queries, num_keys, bandwidth):
    rng = np.random.default_rng(1)
    queries, keys = rng.uniform(0, 5, num_queries), rng.uniform(0, 5, num_keys)
    weights = gaussian_kernel_weights(queries, keys, bandwidth)
    assert weights.shape == (num_queries, num_keys)
    assert np.all(weights >= 0)
    np.testing.assert_allclose(weights.sum(axis=1), 1.0, atol=1e-12)


def test_weights_are_strictly_positive_for_a_moderate_bandwidth():
    keys, _ = _data()
    assert np.all(gaussian_kernel_weights(np.linspace(0, 5, 9), keys, 1.0) > 0)


def test_matches_a_plain_loop():
    keys, values = _data(15)
    queries, bandwidth = np.array([-1.0, 0.3, 2.2, 4.9, 7.0]), 0.7
    predictions, weights = nadaraya_watson(queries, keys, values, bandwidth, return_weights=True)
    for i, query in enumerate(queries):
        kernel = [np.exp(-(query - key) ** 2 / (2 * bandwidth**2)) for key in keys]
        expected_weights = [value / sum(kernel) for value in kernel]
        expected = sum(w * v for w, v in zip(expected_weights, values))
        np.testing.assert_allclose(weights[i], expected_weights, rtol=1e-12)
        assert predictions[i] == pytest.approx(expected, rel=1e-12)


def test_weights_are_a_softmax_of_negative_squared_distances():
    keys, _ = _data(10)
    queries, bandwidth = np.array([0.5, 2.5]), 0.4
    scores = -((queries[:, None] - keys[None, :]) ** 2) / (2 * bandwidth**2)
    # Shift invariance: adding a constant per query changes nothing.
    shifted = scores + np.array([[3.0], [-50.0]])
    expected = np.exp(shifted) / np.exp(shifted).sum(axis=1, keepdims=True)
    np.testing.assert_allclose(gaussian_kernel_weights(queries, keys, bandwidth), expected, rtol=1e-10)


def test_tiny_bandwidth_gives_the_nearest_neighbour():
    keys, values = _data(30)
    queries = np.linspace(0.05, 4.95, 23)
    nearest = values[np.argmin(np.abs(queries[:, None] - keys[None, :]), axis=1)]
    np.testing.assert_allclose(nadaraya_watson(queries, keys, values, 1e-3), nearest, atol=1e-9)


def test_huge_bandwidth_gives_the_global_mean():
    keys, values = _data(30)
    predictions = nadaraya_watson(np.linspace(-2, 7, 11), keys, values, 1e4)
    np.testing.assert_allclose(predictions, values.mean(), atol=1e-6)


def test_leave_one_out_excludes_self():
    keys, values = _data(12)
    weights = gaussian_kernel_weights(keys, keys, 0.3, exclude_self=True)
    np.testing.assert_array_equal(np.diag(weights), 0.0)
    np.testing.assert_allclose(weights.sum(axis=1), 1.0, atol=1e-12)
    # The off-diagonal weights are the ordinary ones renormalised without the diagonal.
    full = gaussian_kernel_weights(keys, keys, 0.3)
    off_diagonal = full * (1 - np.eye(12))
    np.testing.assert_allclose(weights, off_diagonal / off_diagonal.sum(axis=1, keepdims=True),
                               rtol=1e-10)
    # Even a tiny bandwidth cannot copy a point's own value: it gets its nearest *other* neighbour.
    predictions = nadaraya_watson(keys, keys, values, 1e-4, exclude_self=True)
    distances = np.abs(keys[:, None] - keys[None, :]) + np.diag(np.full(12, np.inf))
    np.testing.assert_allclose(predictions, values[np.argmin(distances, axis=1)], atol=1e-9)


def test_leave_one_out_loss_does_not_collapse_to_zero():
    keys, values = _data()
    with_self = np.mean((values - nadaraya_watson(keys, keys, values, 1e-5)) ** 2)
    assert with_self < 1e-12  # the trap that leave-one-out avoids
    assert leave_one_out_loss(keys, values, 1e-5) > 0.1


def test_fit_bandwidth_lowers_the_loss_and_agrees_with_numpy():
    keys, values = _data(60)
    bandwidth, losses = fit_bandwidth(keys, values, initial_bandwidth=2.0, steps=60,
                                      learning_rate=0.5)
    assert len(losses) == 61
    assert losses[-1] < losses[0]
    assert 0 < bandwidth < 2.0
    assert losses[0] == pytest.approx(leave_one_out_loss(keys, values, 2.0), rel=1e-10)
    assert losses[-1] == pytest.approx(leave_one_out_loss(keys, values, bandwidth), rel=1e-10)
    # The learned bandwidth is near the best one on a fine grid.
    grid = np.geomspace(0.05, 2.0, 200)
    best = grid[np.argmin([leave_one_out_loss(keys, values, h) for h in grid])]
    assert bandwidth == pytest.approx(best, rel=0.1)


def test_fit_bandwidth_from_a_small_start_grows():
    keys, values = _data(60)
    bandwidth, losses = fit_bandwidth(keys, values, initial_bandwidth=0.05, steps=80,
                                      learning_rate=0.5)
    assert bandwidth > 0.05 and losses[-1] < losses[0]


@pytest.mark.parametrize("call,error,match", [
    (lambda: gaussian_kernel_weights(np.zeros((2, 2)), np.zeros(3), 1.0), ValueError, r"queries.*\(N,\)"),
    (lambda: gaussian_kernel_weights(np.zeros(2), np.zeros((3, 1)), 1.0), ValueError, r"keys.*\(N,\)"),
    (lambda: gaussian_kernel_weights(np.zeros(2), np.zeros(0), 1.0), ValueError, "at least one"),
    (lambda: gaussian_kernel_weights(np.zeros(2), np.array([0.0, np.nan]), 1.0), ValueError, "finite"),
    (lambda: gaussian_kernel_weights(np.zeros(2), np.zeros(3), 0.0), ValueError, "bandwidth must be > 0"),
    (lambda: gaussian_kernel_weights(np.zeros(2), np.zeros(3), -1.0), ValueError, "bandwidth must be > 0"),
    (lambda: gaussian_kernel_weights(np.zeros(2), np.zeros(3), "1"), TypeError, "bandwidth"),
    (lambda: gaussian_kernel_weights(np.zeros(2), np.zeros(3), 1.0, exclude_self=True),
     ValueError, "same shape"),
    (lambda: nadaraya_watson(np.zeros(2), np.zeros(3), np.zeros(4), 1.0), ValueError,
     r"values must have the shape of keys, \(3,\)"),
    (lambda: leave_one_out_loss(np.zeros(1), np.zeros(1), 1.0), ValueError, "N >= 2"),
    (lambda: fit_bandwidth(np.zeros(1), np.zeros(1)), ValueError, "at least 2 points"),
    (lambda: fit_bandwidth(np.zeros(3), np.zeros(3), initial_bandwidth=0.0), ValueError, "bandwidth"),
    (lambda: fit_bandwidth(np.zeros(3), np.zeros(3), steps=0), ValueError, "steps must be >= 1"),
    (lambda: fit_bandwidth(np.zeros(3), np.zeros(3), learning_rate=0.0), ValueError, "learning_rate"),
])
def test_bad_input_raises_a_clear_error(call, error, match):
    with pytest.raises(error, match=match):
        call()

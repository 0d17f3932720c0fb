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


# ------------------------------------------------------- the package is the notebook's code (Ch. 2)
# Chapter 2 derives the softmax, the estimator and the bandwidth fit from scratch, then imports the
# package's versions. These tests run the chapter's own definitions, found by their source in the
# notebook, and check that the two never drift apart (house style, rule 7).
import ast  # noqa: E402
import math  # noqa: E402
from pathlib import Path  # noqa: E402

import nbformat  # noqa: E402
import torch  # noqa: E402

from paying_attention import claim  # noqa: E402
from paying_attention.scoring import softmax as package_softmax  # noqa: E402

CHAPTER_2 = Path(__file__).resolve().parents[1] / "book" / "02_soft_lookup.ipynb"


def _chapter_cell(marker):
    """The source of the one code cell of Chapter 2 that contains ``marker``."""
    cells = [cell.source for cell in nbformat.read(CHAPTER_2, as_version=4).cells
             if cell.cell_type == "code" and marker in cell.source]
    assert len(cells) == 1, f"expected one cell of {CHAPTER_2.name} with {marker!r}, found {len(cells)}"
    return cells[0]


def chapter_function(name, namespace=None):
    """Define the chapter's function ``name`` (only its ``def``, not the rest of its cell)."""
    tree = ast.parse(_chapter_cell(f"def {name}("))
    definition = [node for node in tree.body if isinstance(node, ast.FunctionDef) and node.name == name]
    namespace = {"np": np, "math": math, "torch": torch, **(namespace or {})}
    exec(compile(ast.Module(body=definition, type_ignores=[]), str(CHAPTER_2), "exec"), namespace)
    return namespace[name]


@pytest.fixture(scope="module")
def chapter_softmax():
    return chapter_function("softmax")


@pytest.fixture(scope="module")
def chapter_data():
    """The chapter's own data set (seed 0), made by its own ``make_data``."""
    true_function = chapter_function("true_function")
    make_data = chapter_function("make_data", {"true_function": true_function})
    return make_data(seed=0)


@pytest.mark.parametrize("shape, axis", [((7,), -1), ((1000, 7), -1), ((4, 5, 6), 1), ((3, 2), 0)])
def test_package_softmax_is_the_chapter_softmax_on_random_scores(chapter_softmax, shape, axis):
    scores = np.random.default_rng(len(shape)).normal(scale=3.0, size=shape)
    np.testing.assert_allclose(package_softmax(scores, axis=axis), chapter_softmax(scores, axis=axis),
                               rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("scores", [[1000.0, 1001.0, 1002.0], [0.0, 0.0, 0.0], [-5.0, 2.0, 40.0],
                                    [3.0]])
def test_package_softmax_is_the_chapter_softmax_on_fixed_scores(chapter_softmax, scores):
    scores = np.array(scores)
    np.testing.assert_allclose(package_softmax(scores), chapter_softmax(scores), rtol=1e-12)


@pytest.mark.parametrize("bandwidth", [0.05, 0.5, 2.0])
def test_nadaraya_watson_is_the_chapter_estimator(chapter_softmax, bandwidth):
    keys, values = _data(30, seed=3)
    queries = np.array([-0.5, 0.0, 1.3, 2.5, 4.99, 6.0])
    chapter = chapter_function("kernel_regression", {"softmax": chapter_softmax})
    loop = chapter_function("kernel_regression_loop")
    expected_predictions, expected_weights = chapter(queries, keys, values, bandwidth)
    predictions, weights = nadaraya_watson(queries, keys, values, bandwidth, return_weights=True)
    np.testing.assert_allclose(predictions, expected_predictions, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(weights, expected_weights, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(predictions, loop(queries, keys, values, bandwidth), rtol=1e-10)


@pytest.mark.parametrize("bandwidth", [0.1, 0.2, 1.0, 3.0])
def test_leave_one_out_loss_is_the_chapter_torch_loss(chapter_data, bandwidth):
    keys, values = chapter_data[:2]
    namespace = {"keys_t": torch.tensor(keys), "values_t": torch.tensor(values),
                 "self_mask": torch.eye(len(keys), dtype=torch.bool)}
    chapter_loss = chapter_function("leave_one_out_loss_torch", namespace)
    expected = chapter_loss(torch.tensor(math.log(bandwidth), dtype=torch.float64)).item()
    assert leave_one_out_loss(keys, values, bandwidth) == pytest.approx(expected, rel=1e-10)


def test_fit_bandwidth_is_the_chapter_training_loop(chapter_data):
    """Run the chapter's gradient-descent cell as it stands and compare with ``fit_bandwidth``."""
    keys, values = chapter_data[:2]
    namespace = {"np": np, "math": math, "torch": torch, "claim": claim,
                 "keys_t": torch.tensor(keys), "values_t": torch.tensor(values),
                 "self_mask": torch.eye(len(keys), dtype=torch.bool)}
    namespace["leave_one_out_loss_torch"] = chapter_function("leave_one_out_loss_torch", namespace)
    exec(compile(_chapter_cell("learned_bandwidth = math.exp("), str(CHAPTER_2), "exec"), namespace)
    bandwidth, losses = fit_bandwidth(keys, values, initial_bandwidth=1.0, steps=50, learning_rate=1.0)
    assert bandwidth == pytest.approx(namespace["learned_bandwidth"], rel=1e-9)
    np.testing.assert_allclose(losses, namespace["losses"], rtol=1e-9)

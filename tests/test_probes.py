"""The non-linear probe of Chapter 1: reads what a line cannot, is deterministic, checks its input."""
import numpy as np
import pytest

from paying_attention import fit_linear_probe, probe_accuracy
from paying_attention.probes import MLPProbe, fit_mlp_probe, mlp_probe_accuracy


def _xor(num_rows, seed):
    rng = np.random.default_rng(seed)
    features = rng.normal(size=(num_rows, 2))
    return features, (features[:, 0] * features[:, 1] > 0).astype(int)


def test_mlp_probe_reads_a_rule_no_line_can():
    features, labels = _xor(1000, 0)
    test_features, test_labels = _xor(500, 1)
    linear = probe_accuracy(fit_linear_probe(features, labels, 2), test_features, test_labels)
    probe = fit_mlp_probe(features, labels, 2, hidden_size=16, steps=300)
    assert linear < 0.65  # XOR: no straight line separates the classes
    assert mlp_probe_accuracy(probe, test_features, test_labels) > 0.9


def test_mlp_probe_shapes_and_determinism():
    features, labels = _xor(200, 2)
    first = fit_mlp_probe(features, labels, 3, hidden_size=5, steps=10, seed=3)
    second = fit_mlp_probe(features, labels, 3, hidden_size=5, steps=10, seed=3)
    assert [array.shape for array in first] == [(2, 5), (5,), (5, 3), (3,)]
    assert all(np.array_equal(a, b) for a, b in zip(first, second))
    other_seed = fit_mlp_probe(features, labels, 3, hidden_size=5, steps=10, seed=4)
    assert not np.array_equal(first.hidden_weights, other_seed.hidden_weights)


def test_mlp_probe_on_noise_is_near_chance_on_held_out_data():
    rng = np.random.default_rng(5)
    features, labels = rng.normal(size=(2000, 4)), rng.integers(0, 4, size=2000)
    probe = fit_mlp_probe(features[:1000], labels[:1000], 4, hidden_size=8, steps=100)
    assert abs(mlp_probe_accuracy(probe, features[1000:], labels[1000:]) - 0.25) < 0.05


def test_mlp_probe_training_lowers_the_loss():
    features, labels = _xor(400, 6)
    untrained = fit_mlp_probe(features, labels, 2, hidden_size=8, steps=1)
    trained = fit_mlp_probe(features, labels, 2, hidden_size=8, steps=200)
    assert mlp_probe_accuracy(trained, features, labels) > mlp_probe_accuracy(untrained, features, labels)


@pytest.mark.parametrize("features,labels,kwargs,error,match", [
    (np.zeros(5), np.zeros(5, dtype=int), {}, ValueError, r"shape \(N, D\)"),
    (np.zeros((5, 2)), np.zeros(4, dtype=int), {}, ValueError, r"shape \(5,\)"),
    (np.zeros((5, 2)), np.full(5, 3), {}, ValueError, r"\[0, 2\]"),
    (np.full((5, 2), np.inf), np.zeros(5, dtype=int), {}, ValueError, "finite"),
    (np.zeros((5, 2)), np.zeros(5), {}, ValueError, "integers"),
    (np.zeros((5, 2)), np.zeros(5, dtype=int), {"hidden_size": 0}, ValueError, "hidden_size"),
    (np.zeros((5, 2)), np.zeros(5, dtype=int), {"steps": 0}, ValueError, "steps"),
    (np.zeros((5, 2)), np.zeros(5, dtype=int), {"steps": 2.5}, TypeError, "steps"),
    (np.zeros((5, 2)), np.zeros(5, dtype=int), {"learning_rate": 0.0}, ValueError, "learning_rate"),
    (np.zeros((5, 2)), np.zeros(5, dtype=int), {"seed": -1}, ValueError, "seed"),
])
def test_mlp_probe_rejects_bad_input(features, labels, kwargs, error, match):
    with pytest.raises(error, match=match):
        fit_mlp_probe(features, labels, 3, **kwargs)


def test_mlp_probe_accuracy_checks_its_input():
    probe = fit_mlp_probe(np.zeros((4, 3)), np.array([0, 1, 2, 0]), 3, hidden_size=2, steps=1)
    assert isinstance(probe, MLPProbe)
    with pytest.raises(ValueError, match="3 columns"):
        mlp_probe_accuracy(probe, np.zeros((4, 2)), np.zeros(4, dtype=int))
    with pytest.raises(ValueError, match=r"\[0, 2\]"):
        mlp_probe_accuracy(probe, np.zeros((4, 3)), np.full(4, 5))
    with pytest.raises(TypeError, match="MLPProbe"):
        mlp_probe_accuracy(np.zeros((4, 3)), np.zeros((4, 3)), np.zeros(4, dtype=int))

"""plot_attention: one helper for one map, a row of heads, or a grid of layers by heads (Chapter 7)."""
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pytest
import torch
from matplotlib.figure import Figure

from paying_attention.plotting import figure_to_png, plot_attention


def maps(*shape, seed=0):
    """Random row-stochastic maps of the given shape (..., T_q, T_k)."""
    weights = np.random.default_rng(seed).random(shape)
    return weights / weights.sum(-1, keepdims=True)


def image_axes(figure):
    """The panels that show a map (the colour bar's axes hold no AxesImage)."""
    return [ax for ax in figure.axes if ax.images and ax.get_label() != "<colorbar>"]


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


@pytest.mark.parametrize("shape,panels,titles", [
    ((5, 5), 1, [""]),
    ((3, 4, 6), 3, ["Head 1", "Head 2", "Head 3"]),
    ((2, 3, 4, 4), 6, [f"Layer {layer}, Head {head}" for layer in (1, 2) for head in (1, 2, 3)]),
    ((1, 1, 7, 7), 1, ["Layer 1, Head 1"]),
])
def test_shapes_give_panel_counts_and_titles(shape, panels, titles):
    figure = plot_attention(maps(*shape))
    assert isinstance(figure, Figure)
    drawn = image_axes(figure)
    assert len(drawn) == panels
    assert [ax.get_title() for ax in drawn] == titles
    assert len(figure.axes) == panels + 1           # one shared colour bar
    for ax in drawn:                                # every panel shows its (T_q, T_k) map
        assert ax.images[0].get_array().shape == shape[-2:]


def test_panels_show_the_maps_in_row_major_order_on_one_scale():
    weights = maps(2, 2, 3, 3)
    drawn = image_axes(plot_attention(weights))
    for index, ax in enumerate(drawn):
        layer, head = divmod(index, 2)
        np.testing.assert_allclose(ax.images[0].get_array(), weights[layer, head])
        assert ax.images[0].get_clim() == (0.0, pytest.approx(weights.max()))


def test_torch_input_and_token_labels():
    weights = torch.softmax(torch.randn(2, 4, 4, requires_grad=True), dim=-1)  # needs detaching
    tokens = ["the", "cat", "sat", "down"]
    figure = plot_attention(weights, row_labels=tokens, column_labels=tokens)
    first, second = image_axes(figure)
    assert [label.get_text() for label in first.get_yticklabels()] == tokens
    assert [label.get_text() for label in first.get_xticklabels()] == tokens
    assert [label.get_text() for label in second.get_yticklabels()] == [""] * 4  # inner panel
    assert figure_to_png(figure).startswith(b"\x89PNG")


def test_custom_titles_cmap_and_given_axes():
    figure, axes = plt.subplots(1, 2)
    returned = plot_attention(maps(2, 3, 3), titles=["copy", "reverse"], cmap="cividis", axes=axes)
    assert returned is figure
    assert [ax.get_title() for ax in axes] == ["copy", "reverse"]
    assert axes[0].images[0].get_cmap().name == "cividis"
    assert plot_attention(maps(3, 3), titles="one map").axes[0].get_title() == "one map"


@pytest.mark.parametrize("weights,kwargs,error,match", [
    (maps(4), {}, ValueError, r"\(T_q, T_k\), \(H, T_q, T_k\) or \(L, H, T_q, T_k\), got shape \(4,\)"),
    (maps(1, 2, 2, 3, 3), {}, ValueError, r"got shape \(1, 2, 2, 3, 3\)"),
    (np.zeros((0, 3)), {}, ValueError, "empty"),
    (np.full((3, 3), np.nan), {}, ValueError, "finite"),
    (maps(3, 4), {"row_labels": list("ab")}, ValueError, r"3 query position \(row\)s, got 2"),
    (maps(3, 4), {"column_labels": list("abc")}, ValueError, r"4 key position \(column\)s, got 3"),
    (maps(3, 3), {"row_labels": "abc"}, TypeError, "not a string"),
    (maps(2, 3, 3), {"titles": ["only one"]}, ValueError, r"2 panels \(1 x 2\), got 1 titles"),
    (maps(2, 2, 3, 3), {"axes": [None, None]}, ValueError, "one Axes per panel: 4 panels, got 2"),
    ("weights", {}, TypeError, "numpy array or torch tensor"),
])
def test_bad_input_raises_a_clear_error(weights, kwargs, error, match):
    with pytest.raises(error, match=match):
        plot_attention(weights, **kwargs)


def test_marks_outline_the_named_cells_and_the_colour_bar_can_be_left_out():
    figure = plot_attention(maps(4, 4), marks=[(2, 0, "o"), (3, 1, "s")], colorbar=False)
    ax = figure.axes[0]
    assert len(figure.axes) == 1                              # no colour bar
    outlined = sorted(tuple(point) for collection in ax.collections
                      for point in collection.get_offsets().tolist())
    assert outlined == [(0.0, 2.0), (1.0, 3.0)]               # (column, row) of each mark
    plt.close(figure)


def test_describe_attention_names_the_links_with_their_weights():
    from paying_attention.plotting import describe_attention

    weights = np.array([[1.0, 0.0, 0.0], [0.25, 0.75, 0.0], [0.5, 0.1, 0.4]])
    words = ["the", "king", "runs"]
    text = describe_attention(weights, words, [(2, 1, "the verb on its subject")], name="Head 2")
    assert text.startswith('Head 2 on the sentence "the king runs", queries down and keys across.')
    assert "across. The verb on its subject: runs on king, weight 0.10." in text
    strongest = describe_attention(weights, words)
    assert strongest.endswith("across. The on the; king on king; runs on the.")
    with pytest.raises(ValueError, match=r"\(T, T\) = \(2, 2\)"):
        describe_attention(weights, ["a", "b"])

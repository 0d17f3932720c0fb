"""Figure helpers shared by the chapters: widget frames and attention maps (Chapter 7)."""
from __future__ import annotations

import io

import matplotlib.pyplot as plt
import numpy as np
import torch
from matplotlib.figure import Figure
from PIL import Image

from .reproducibility import OKABE_ITO


def figure_to_png(figure: Figure, *, close: bool = True) -> bytes:
    """Render a matplotlib figure to PNG bytes (for widget frames); close it unless told not to.
    Derived in Chapter 7.

    The image is stored with a palette of at most 256 colours, not dithered: a page holds dozens
    of frames, and a palette makes each about half the size of a full-colour PNG with no change
    the eye can see in these plots (a smooth colour map keeps 256 steps).
    """
    if not isinstance(figure, Figure):
        raise TypeError(f"figure must be a matplotlib Figure, got {type(figure).__name__}")
    buffer = io.BytesIO()
    # A fixed dpi and no metadata make the bytes depend on the figure alone.
    figure.savefig(buffer, format="png", dpi=figure.dpi, metadata={"Software": None})
    if close:
        plt.close(figure)
    return palette_png(buffer.getvalue())


def palette_png(png: bytes) -> bytes:
    """The same picture as a PNG with a palette of at most 256 colours, not dithered (for widget
    frames, and for the figures of the slide decks, ``scripts/slides.py``). Transparency is
    dropped: the book's figures are drawn on white.
    Used by :func:`figure_to_png`; no chapter calls it.
    """
    image = Image.open(io.BytesIO(png)).convert("RGB")
    # Maximum coverage keeps every pixel within a few levels of its colour (median cut moves
    # anti-aliased edges by up to a fifth of the range).
    palette = image.quantize(colors=256, method=Image.Quantize.MAXCOVERAGE, dither=Image.Dither.NONE)
    buffer = io.BytesIO()
    palette.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()


def _as_weight_array(weights):
    """Attention maps as a float numpy array; torch tensors are detached and moved to the CPU."""
    if isinstance(weights, torch.Tensor):
        weights = weights.detach().cpu().float().numpy()
    try:
        array = np.asarray(weights, dtype=float)
    except (TypeError, ValueError) as error:
        raise TypeError("weights must be a numpy array or torch tensor of shape (T_q, T_k), "
                        "(H, T_q, T_k) or (L, H, T_q, T_k)") from error
    return array


def _check_tick_labels(name: str, labels, count: int, axis: str):
    if labels is None:
        return None
    if isinstance(labels, str):
        raise TypeError(f"{name} must be a sequence of {count} labels, one per {axis}, not a string")
    labels = [str(label) for label in labels]
    if len(labels) != count:
        raise ValueError(f"{name} must have one label per {axis}: the maps have {count} "
                         f"{axis}s, got {len(labels)} labels")
    return labels


def plot_attention(weights, *, row_labels=None, column_labels=None, titles=None, cmap="viridis",
                   axes=None, vmax=None, colorbar_label="attention weight", panel_size=2.6,
                   label_size=None, marks=None, colorbar=True):
    r"""Draw attention maps: one map, a row of heads, or a grid of layers by heads.

    The book's one plotting helper for attention weights (Chapter 7, section 7.2). Row ``i`` of a
    map is query position ``i`` and column ``j`` key position ``j``, so a row holds the weights
    one query spreads over the keys (rows sum to 1). All panels share one colour scale, from 0 to
    ``vmax``, and one colour bar, in a perceptually uniform, colour-blind-safe map (viridis by
    default; cividis is another).

    Parameters
    ----------
    weights : numpy array or torch tensor
        ``(T_q, T_k)``: one panel. ``(H, T_q, T_k)``: a row of ``H`` panels titled
        ``"Head j"``. ``(L, H, T_q, T_k)``: a grid of ``L`` rows by ``H`` columns titled
        ``"Layer i, Head j"`` (counted from 1).
    row_labels : sequence of ``T_q`` labels, optional
        Tick labels of the queries (the tokens that attend), on the left of each panel row.
    column_labels : sequence of ``T_k`` labels, optional
        Tick labels of the keys (the tokens attended to), below each panel column.
    titles : str or sequence of str, optional
        One title per panel, in row-major order (a string for a single panel); default as above.
    cmap : str or matplotlib colormap
        Colour map; default ``"viridis"``.
    axes : matplotlib Axes or array of Axes, optional
        Where to draw: one Axes per panel (any layout; flattened in row-major order). By
        default a new figure is made.
    vmax : float, optional
        Top of the shared colour scale; default the largest weight shown.
    colorbar_label : str
        Label of the shared colour bar.
    panel_size : float
        Width and height in inches of one panel of a new figure.
    label_size : float, optional
        Font size of the token labels; default 7 (6 for more than 16 tokens).
    marks : sequence of (row, column, marker), optional
        Cells to outline on every panel (a known link: a verb and its subject), each with a
        matplotlib marker ("o", "s"); drawn hollow in orange, which viridis does not use.
    colorbar : bool
        Draw the shared colour bar (turn it off when redrawing one panel for widget frames).

    Returns
    -------
    matplotlib.figure.Figure
        The figure that holds the panels (``figure_to_png`` renders it for a widget frame).
    """
    array = _as_weight_array(weights)
    if array.ndim not in (2, 3, 4):
        raise ValueError("weights must have shape (T_q, T_k), (H, T_q, T_k) or (L, H, T_q, T_k), "
                         f"got shape {array.shape}")
    if 0 in array.shape:
        raise ValueError(f"weights must not be empty, got shape {array.shape}")
    if not np.isfinite(array).all():
        raise ValueError("weights must be finite (no NaN or inf)")
    grid = array.reshape((1,) * (4 - array.ndim) + array.shape)  # (L, H, T_q, T_k)
    num_layers, num_heads, length_q, length_k = grid.shape
    row_labels = _check_tick_labels("row_labels", row_labels, length_q, "query position (row)")
    column_labels = _check_tick_labels("column_labels", column_labels, length_k,
                                       "key position (column)")
    count = num_layers * num_heads
    if titles is None:
        if array.ndim == 2:
            titles = [""]
        elif array.ndim == 3:
            titles = [f"Head {head + 1}" for head in range(num_heads)]
        else:
            titles = [f"Layer {layer + 1}, Head {head + 1}"
                      for layer in range(num_layers) for head in range(num_heads)]
    elif isinstance(titles, str):
        titles = [titles]
    titles = [str(title) for title in titles]
    if len(titles) != count:
        raise ValueError(f"titles must have one title per panel: {count} panels "
                         f"({num_layers} x {num_heads}), got {len(titles)} titles")
    if vmax is None:
        vmax = float(array.max()) if array.max() > 0 else 1.0
    if axes is None:
        figure, axes_grid = plt.subplots(
            num_layers, num_heads, squeeze=False, layout="constrained",
            figsize=(panel_size * num_heads + 0.9, panel_size * num_layers + 0.2))
        panels = list(axes_grid.ravel())
    else:
        panels = list(np.ravel(np.asarray(axes, dtype=object)))
        if len(panels) != count:
            raise ValueError(f"axes must hold one Axes per panel: {count} panels, got {len(panels)}")
        if not all(hasattr(ax, "imshow") for ax in panels):
            raise TypeError("axes must be matplotlib Axes")
        figure = panels[0].figure
    image = None
    for index, (ax, title) in enumerate(zip(panels, titles)):
        layer, head = divmod(index, num_heads)
        image = ax.imshow(grid[layer, head], cmap=cmap, vmin=0.0, vmax=vmax,
                          interpolation="nearest", aspect="equal")
        ax.grid(False)
        ax.set_title(title, fontsize=9)
        size = label_size or (7 if max(length_q, length_k) <= 16 else 6)
        first_column, last_row = head == 0, layer == num_layers - 1
        if axes is not None:
            first_column = last_row = True
        if row_labels is not None:
            ax.set_yticks(range(length_q), row_labels if first_column else [""] * length_q,
                          fontsize=size)
        if column_labels is not None:
            ax.set_xticks(range(length_k), column_labels if last_row else [""] * length_k,
                          fontsize=size, rotation=90 if max(map(len, column_labels)) > 2 else 0)
        if first_column:
            ax.set_ylabel("query", fontsize=8)
        if last_row:
            ax.set_xlabel("key", fontsize=8)
        for row, column, marker in marks or ():
            ax.scatter([column], [row], s=60, marker=marker, facecolors="none",
                       edgecolors=OKABE_ITO[1], linewidths=1.5)
    if colorbar:
        bar = figure.colorbar(image, ax=panels, shrink=0.8 if num_layers > 1 else 0.9,
                              fraction=0.05, pad=0.02)
        bar.set_label(colorbar_label, fontsize=8)
        bar.ax.tick_params(labelsize=7)
    return figure


def describe_attention(weights, words, links=None, *, name="Attention map") -> str:
    """The text alternative of one attention map over ``words``: what it shows, the row's
    strongest key for each query, or the weight of each named link.
    Used in Chapter 6.

    Parameters
    ----------
    weights : array or tensor, shape ``(T, T)``
    words : sequence of ``T`` str
    links : sequence of (query, key, what), optional
        Links to report with their weight, e.g. ``(verb, subject, "the verb looking at its
        subject")``; default: each query's strongest key.
    name : str
        How the text starts ("Attention map of head 2").
    """
    array = _as_weight_array(weights)
    if array.ndim != 2 or array.shape != (len(words), len(words)):
        raise ValueError(f"weights must have shape (T, T) = ({len(words)}, {len(words)}) for "
                         f"{len(words)} words, got {array.shape}")
    text = f"{name} on the sentence \"{' '.join(words)}\", queries down and keys across."
    if links:
        described = [f"{what}: {words[query]} on {words[key]}, weight {array[query, key]:.2f}"
                     for query, key, what in links]
    else:
        described = [f"{word} on {words[int(array[i].argmax())]}" for i, word in enumerate(words)]
    details = "; ".join(described)
    return f"{text} {details[:1].upper()}{details[1:]}."

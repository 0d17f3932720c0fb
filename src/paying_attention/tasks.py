"""Synthetic sequence tasks: data the book generates instead of downloading.

Each task is a generator of batches with their targets, seeded by a ``torch.Generator``; none
needs any knowledge of language, so what makes a task hard is what a model must remember or find.

- **Copy and reverse** (Chapter 1, Chapter 4): read a random sequence of symbols and write it out
  again, as it is or backwards; the only difficulty is *remembering* the source, which is exactly
  what a fixed-size hidden state makes hard (:func:`make_batch`, :func:`decoder_inputs`).
- **Recall by position** (Chapter 5): "which symbol was at position p?", a random sequence
  followed by a query token naming a position (:func:`make_recall_batch`). The question comes
  last, so a left-to-right reader must keep every symbol; attention looks the answer up, if it
  knows where position ``p`` is.
- **Repeated segment** (Chapter 7): random tokens in which a segment occurs twice in a row
  (:func:`make_repeat_batch`), and where a head that copies should look
  (:func:`induction_targets`).

Names: ``num_symbols`` is the size of a task's alphabet of content symbols; ``vocab_size`` the
number of distinct token ids a model reads. They differ where a task adds tokens of its own (the
start token of the copy task, the query tokens of the recall task); in the repeated-segment task
every token is a symbol, so its alphabet is the model's vocabulary, ``vocab_size``.
"""
from __future__ import annotations

from typing import NamedTuple

import numpy as np
import torch

from ._checks import check_choice, check_int

__all__ = ["START_TOKEN", "TASKS", "RepeatBatch", "decoder_inputs", "induction_targets",
           "make_batch", "make_recall_batch", "make_repeat_batch"]

#: Token id of the start-of-sequence token the decoder reads first. Symbols are 1..num_symbols.
#: Derived in Chapter 1.
START_TOKEN = 0
#: The tasks of the book: write the source as it is (Chapter 1), or backwards (Chapter 4).
TASKS = ("copy", "reverse")


def make_batch(batch_size: int, length: int, *, num_symbols: int = 10, task: str = "copy",
               generator: torch.Generator | None = None) -> tuple[torch.Tensor, torch.Tensor]:
    """Draw a batch of source sequences and their targets.
    Derived in Chapter 1.

    Parameters
    ----------
    batch_size : int
        Number of sequences ``B``; at least 1.
    length : int
        Sequence length ``T``; at least 1. Source and target have the same length.
    num_symbols : int
        Size of the alphabet; symbols are the ids ``1..num_symbols`` (``0`` is the start token).
    task : {"copy", "reverse"}
        ``"copy"``: the target equals the source. ``"reverse"``: the target is the source reversed.
    generator : torch.Generator, optional
        Source of randomness, for reproducible batches.

    Returns
    -------
    source, target : torch.Tensor
        Two ``torch.long`` tensors of shape ``(B, T)``.
    """
    batch_size = check_int("batch_size", batch_size, minimum=1)
    length = check_int("length", length, minimum=1)
    num_symbols = check_int("num_symbols", num_symbols, minimum=2)
    check_choice("task", task, TASKS)
    source = torch.randint(1, num_symbols + 1, (batch_size, length), generator=generator)  # (B, T)
    target = source.clone() if task == "copy" else source.flip(1)
    return source, target


def decoder_inputs(target: torch.Tensor) -> torch.Tensor:
    """Shift a target right by one, starting with :data:`START_TOKEN` (teacher forcing).
    Derived in Chapter 1.

    ``target`` of shape ``(B, T)`` gives ``[START, y_1, ..., y_{T-1}]`` of the same shape.
    """
    if not isinstance(target, torch.Tensor) or target.dim() != 2:
        shape = tuple(target.shape) if isinstance(target, torch.Tensor) else type(target).__name__
        raise ValueError(f"target must be a tensor of shape (B, T), got {shape}")
    start = torch.full_like(target[:, :1], START_TOKEN)
    return torch.cat([start, target[:, :-1]], dim=1)


# ----------------------------------------------------------------------------- recall by position
def make_recall_batch(batch_size: int, length: int, *, num_symbols: int = 8,
                      max_length: int = 64, generator: torch.Generator | None = None
                      ) -> tuple[torch.Tensor, torch.Tensor]:
    """Draw ``batch_size`` examples of "which symbol was at position p?".
    Derived in Chapter 5.

    Parameters
    ----------
    batch_size : int
        Number of examples ``B``; at least 1.
    length : int
        Number of symbols ``T`` before the query; in ``[1, max_length]``.
    num_symbols : int
        Alphabet size; symbols are ``0, ..., num_symbols - 1``; at least 2.
    max_length : int
        The longest sequence the query tokens can address; at least 1.
    generator : torch.Generator, optional
        Source of randomness, for reproducible batches.

    Returns
    -------
    tokens : torch.Tensor of int64, shape ``(B, T + 1)``
        ``T`` uniform random symbols, then the query token ``num_symbols + p`` with ``p``
        uniform in ``[0, T - 1]``.
    targets : torch.Tensor of int64, shape ``(B,)``
        The symbol at position ``p``.
    """
    batch_size = check_int("batch_size", batch_size, minimum=1)
    max_length = check_int("max_length", max_length, minimum=1)
    length = check_int("length", length, minimum=1, maximum=max_length)
    num_symbols = check_int("num_symbols", num_symbols, minimum=2)
    symbols = torch.randint(0, num_symbols, (batch_size, length), generator=generator)  # (B, T)
    positions = torch.randint(0, length, (batch_size,), generator=generator)            # (B,)
    tokens = torch.cat([symbols, (num_symbols + positions)[:, None]], dim=1)           # (B, T+1)
    return tokens, symbols.gather(1, positions[:, None])[:, 0]


# ----------------------------------------------------------------------------- repeated segment
class RepeatBatch(NamedTuple):
    """A batch of the repeated-segment task of :func:`make_repeat_batch` (Chapter 7, section 7.3)."""

    tokens: torch.Tensor   #: ``(B, T)`` token ids
    first: torch.Tensor    #: ``(B, T)`` bool, True on the first occurrence of the segment
    second: torch.Tensor   #: ``(B, T)`` bool, True on its repeat


def make_repeat_batch(batch_size: int, length: int = 32, *, vocab_size: int = 20,
                      segment_lengths=(6, 16), generator: torch.Generator | None = None) -> RepeatBatch:
    r"""Random sequences in which a random segment occurs twice in a row (Chapter 7, section 7.3).

    Every sequence is ``length`` tokens drawn uniformly from ``0, ..., vocab_size - 1``, except
    that a segment of ``S`` tokens (``S`` uniform in ``segment_lengths``, inclusive) starting at a
    uniform position ``a`` is repeated right after itself:

    .. math::

        x_{a + S + i} = x_{a + i}, \qquad i = 0, \dots, S - 1 .

    Nothing else can be predicted, so a model's loss is :math:`\ln V` on every token except the
    repeat's, where a model that has learned to copy what followed the earlier occurrence of the
    current token (an induction head) can do much better. The segment's length and place change
    from sequence to sequence, so a model cannot find the earlier occurrence by position alone.

    Parameters
    ----------
    batch_size : int
        ``B``; at least 1.
    length : int
        ``T``; at least ``2 * segment_lengths[1]``.
    vocab_size : int
        ``V``; at least 2.
    segment_lengths : pair of int
        Smallest and largest ``S``, ``1 <= low <= high``.
    generator : torch.Generator, optional
        For reproducible batches.

    Returns
    -------
    RepeatBatch
        ``tokens`` ``(B, T)`` (``torch.long``), and boolean masks ``first`` and ``second``
        ``(B, T)`` of the positions of the segment and of its repeat; ``tokens[second]`` equals
        ``tokens[first]`` element for element.
    """
    batch_size = check_int("batch_size", batch_size, minimum=1)
    vocab_size = check_int("vocab_size", vocab_size, minimum=2)
    try:
        low, high = segment_lengths
    except (TypeError, ValueError) as error:
        raise ValueError(f"segment_lengths must be a pair (low, high), got {segment_lengths!r}") from error
    low = check_int("segment_lengths[0]", low, minimum=1)
    high = check_int("segment_lengths[1]", high, minimum=low)
    length = check_int("length", length, minimum=2 * high)
    tokens = torch.randint(0, vocab_size, (batch_size, length), generator=generator)   # (B, T)
    sizes = torch.randint(low, high + 1, (batch_size,), generator=generator)            # (B,) S
    starts = (torch.rand(batch_size, generator=generator) * (length - 2 * sizes + 1)).long()  # (B,)
    positions = torch.arange(length)                                                   # (T,)
    first = (positions >= starts[:, None]) & (positions < (starts + sizes)[:, None])   # (B, T)
    second = (positions >= (starts + sizes)[:, None]) & (positions < (starts + 2 * sizes)[:, None])
    tokens[second] = tokens[first]        # row-major order keeps the segment's order
    return RepeatBatch(tokens, first, second)


def induction_targets(batch: RepeatBatch):
    r"""Where an induction head should look: the position after the source of the copied token.

    Derived in Chapter 7 (section 7.4). In a :class:`RepeatBatch` the segment of ``S`` tokens at
    positions ``a, ..., a + S - 1`` is repeated at ``a + S, ..., a + 2S - 1``
    (:func:`make_repeat_batch`), so every token of the repeat has a known *source*, the same token
    ``S`` positions earlier: :math:`x_t = x_{t - S}`. What followed the source is what comes next,
    :math:`x_{t - S + 1} = x_{t + 1}` (up to the repeat's last token, after which the copy is
    wrong), so the induction target of query ``t`` is

    .. math::

        \operatorname{target}(t) = t - S + 1, \qquad a + S \le t \le a + 2S - 1 ,

    the repeated-token pattern of Olsson et al. (2022). Rows outside the repeat have no target.
    The target is *not* the position after the most recent earlier occurrence of :math:`x_t`:
    inside the repeat a letter has often occurred again since its source (in the segment itself,
    or by chance), and that later occurrence is followed by the wrong token.

    Parameters
    ----------
    batch : RepeatBatch
        ``tokens`` ``(B, T)`` and the masks ``first`` and ``second`` ``(B, T)`` of
        :func:`make_repeat_batch` (or built by hand): in every row, ``first`` must be one run of
        ``S >= 1`` positions, ``second`` the ``S`` positions right after it, holding the same tokens.

    Returns
    -------
    numpy array of bool, shape ``(B, T, T)``
        ``True`` at ``[b, t, t - S_b + 1]`` for the ``S_b`` positions ``t`` of the repeat of
        sequence ``b``; every other row is all False.
    """
    if not isinstance(batch, RepeatBatch):
        raise TypeError(f"batch must be a RepeatBatch (tokens, first, second) as made by "
                        f"make_repeat_batch, got {type(batch).__name__}")
    tokens, first, second = (part.detach().cpu().numpy() if isinstance(part, torch.Tensor)
                             else np.asarray(part) for part in batch)
    if tokens.dtype == bool or not np.issubdtype(tokens.dtype, np.integer):
        raise TypeError(f"batch.tokens must hold integer token ids, got dtype {tokens.dtype}")
    if tokens.ndim != 2:
        raise ValueError(f"batch.tokens must have shape (B, T), got shape {tokens.shape}")
    for name, mask in (("first", first), ("second", second)):
        if mask.dtype != bool or mask.shape != tokens.shape:
            raise ValueError(f"batch.{name} must be a bool mask of the shape of batch.tokens, "
                             f"{tokens.shape}; got dtype {mask.dtype} and shape {mask.shape}")
    sizes = first.sum(-1)                                            # (B,) S of every sequence
    starts = first.argmax(-1)                                        # (B,) a
    positions = np.arange(tokens.shape[1])                           # (T,)
    run = (positions >= starts[:, None]) & (positions < (starts + sizes)[:, None])
    repeat = (positions >= (starts + sizes)[:, None]) & (positions < (starts + 2 * sizes)[:, None])
    if (sizes == 0).any() or (first != run).any() or (second != repeat).any():
        raise ValueError("batch.first must mark one run of S >= 1 positions in every sequence and "
                         "batch.second the S positions right after it")
    if (tokens[second] != tokens[first]).any():
        raise ValueError("batch.tokens must repeat the segment: tokens[second] must equal "
                         "tokens[first]")
    rows, queries = np.nonzero(second)                               # the repeat's positions t
    targets = np.zeros(tokens.shape + tokens.shape[-1:], dtype=bool)  # (B, T, T)
    targets[rows, queries, queries - sizes[rows] + 1] = True         # t - S + 1
    return targets

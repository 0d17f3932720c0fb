"""Synthetic sequence tasks: data the book generates instead of downloading.

The copy task (Chapter 1) asks a model to read a random sequence of symbols and write it out
again; the reverse task asks for it backwards. Neither needs any knowledge of language, so the only
difficulty is *remembering* the source, which is exactly what a fixed-size hidden state makes hard.
"""
from __future__ import annotations

import torch

from ._checks import check_choice, check_int

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

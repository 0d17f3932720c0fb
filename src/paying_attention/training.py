"""Training and evaluation of sequence-to-sequence models on the synthetic tasks."""
from __future__ import annotations

import torch
from torch import nn

from ._checks import check_choice, check_float, check_int
from .tasks import TASKS, decoder_inputs, make_batch


def _check_lengths(lengths) -> tuple[int, int]:
    if not (isinstance(lengths, (tuple, list)) and len(lengths) == 2):
        raise ValueError(f"lengths must be a pair (shortest, longest), got {lengths!r}")
    shortest = check_int("lengths[0]", lengths[0], minimum=1)
    longest = check_int("lengths[1]", lengths[1], minimum=shortest)
    return shortest, longest


def train_seq2seq(model: nn.Module, *, steps: int, task: str = "copy", lengths=(4, 24),
                  batch_size: int = 64, learning_rate: float = 3e-3, seed: int = 0) -> list[float]:
    """Train ``model`` with teacher forcing and Adam; return the loss of every step.
    Used in Chapter 1.

    Each step draws one length uniformly from ``lengths`` (inclusive) and a batch of that length,
    so no padding is needed. Gradients are clipped to norm 1, as is usual for recurrent networks.
    The run is a fixed number of steps, not seconds, so that it is reproducible.

    Parameters
    ----------
    model : Seq2Seq
        The model; its ``config["num_symbols"]`` sets the alphabet.
    steps : int
        Number of optimisation steps; at least 1.
    task : {"copy", "reverse"}
    lengths : (int, int)
        Shortest and longest training length.
    batch_size : int
    learning_rate : float
    seed : int
        Seeds the data stream, so two runs with the same seed see the same batches.
    """
    steps = check_int("steps", steps, minimum=1)
    check_choice("task", task, TASKS)
    shortest, longest = _check_lengths(lengths)
    batch_size = check_int("batch_size", batch_size, minimum=1)
    learning_rate = check_float("learning_rate", learning_rate, minimum=0.0, strict=True)
    num_symbols = model.config["num_symbols"]
    generator = torch.Generator().manual_seed(check_int("seed", seed, minimum=0))
    optimizer = torch.optim.Adam(model.parameters(), lr=learning_rate)
    loss_fn = nn.CrossEntropyLoss()
    losses = []
    model.train()
    for _ in range(steps):
        length = int(torch.randint(shortest, longest + 1, (1,), generator=generator))
        source, target = make_batch(batch_size, length, num_symbols=num_symbols, task=task,
                                    generator=generator)
        logits = model(source, decoder_inputs(target))  # (B, T, V)
        loss = loss_fn(logits.reshape(-1, logits.shape[-1]), target.reshape(-1))
        optimizer.zero_grad()
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
        losses.append(loss.item())
    model.eval()
    return losses


@torch.no_grad()
def accuracy_by_position(model: nn.Module, length: int, *, task: str = "copy",
                         num_sequences: int = 256, seed: int = 1234) -> torch.Tensor:
    """Greedy-decoding accuracy at each target position, shape ``(length,)``.
    Used in Chapter 1.

    The model decodes from its own predictions (no teacher forcing), as it would in use.
    A fixed ``seed`` gives the same test sequences to every model compared.
    """
    length = check_int("length", length, minimum=1)
    num_sequences = check_int("num_sequences", num_sequences, minimum=1)
    check_choice("task", task, TASKS)
    generator = torch.Generator().manual_seed(check_int("seed", seed, minimum=0))
    source, target = make_batch(num_sequences, length, num_symbols=model.config["num_symbols"],
                                task=task, generator=generator)
    model.eval()
    predicted = model.greedy_decode(source, length)  # (N, T)
    return (predicted == target).float().mean(0)


def token_accuracy(model: nn.Module, lengths, *, task: str = "copy", num_sequences: int = 256,
                   seed: int = 1234) -> dict[int, float]:
    """Mean greedy-decoding token accuracy for each length in ``lengths``: ``{length: accuracy}``.
    Used in Chapter 1.
    """
    lengths = list(lengths)
    if not lengths:
        raise ValueError("lengths must name at least one sequence length")
    return {int(length): float(accuracy_by_position(model, length, task=task,
                                                    num_sequences=num_sequences, seed=seed).mean())
            for length in lengths}

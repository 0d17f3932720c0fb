"""Scoring a model: its size, its accuracy on its task, its loss on held-out text.

The numbers the chapters compare models by, each measured on examples fixed by a seed, so that
every model compared is scored on the same ones: :func:`parameter_count` (Chapters 5 and 9 compare
models of about the same size), greedy-decoding accuracy of the encoder-decoders
(:func:`accuracy_by_position`, :func:`token_accuracy`, Chapters 1 and 4), accuracy on recall by
position (:func:`recall_accuracy`, Chapter 5) and on the toy language's two tasks
(:func:`toy_accuracy`, Chapter 6), and the cross-entropy of a language model on held-out text
(:func:`evaluate_loss`, Chapter 9).
"""
from __future__ import annotations

import torch
from torch import nn

from ._checks import check_choice, check_int
from .language_model import next_token_loss
from .tasks import TASKS, make_batch, make_recall_batch
from .text import make_lm_batch
from .toy_language import ToyCorpus

__all__ = ["accuracy_by_position", "evaluate_loss", "parameter_count", "recall_accuracy",
           "token_accuracy", "toy_accuracy"]


def parameter_count(model: nn.Module) -> int:
    """The number of trainable numbers in ``model``.
    Derived in Chapter 5; Chapter 9 compares its two language models by it too.
    """
    return sum(parameter.numel() for parameter in model.parameters() if parameter.requires_grad)


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


@torch.no_grad()
def recall_accuracy(model: nn.Module, lengths, *, num_examples: int = 1000,
                    seed: int = 1234) -> dict[int, float]:
    """Accuracy on ``num_examples`` fresh examples per length, the same examples for every model.
    Derived in Chapter 5.
    """
    num_examples = check_int("num_examples", num_examples, minimum=1)
    model.eval()
    accuracy = {}
    for length in lengths:
        length = check_int("length", length, minimum=1, maximum=model.max_length)
        generator = torch.Generator().manual_seed(check_int("seed", seed, minimum=0) + length)
        tokens, targets = make_recall_batch(num_examples, length, num_symbols=model.num_symbols,
                                            max_length=model.max_length, generator=generator)
        predictions = model(tokens)[0].argmax(dim=-1)
        accuracy[length] = (predictions == targets).double().mean().item()
    return accuracy


@torch.no_grad()
def toy_accuracy(model: nn.Module, corpus: ToyCorpus, head_mask=None) -> dict:
    """Accuracy of the three tasks on ``corpus``:
    ``{"agreement": ..., "coreference": ..., "selection": ...}``. Derived in Chapter 6.
    """
    was_training = model.training
    model.eval()
    logits = model.predict(corpus, head_mask=head_mask)
    model.train(was_training)
    return {"agreement": (logits["number"].argmax(-1) == corpus.number).float().mean().item(),
            "coreference": (logits["antecedent"].argmax(-1) == corpus.antecedent).float().mean().item(),
            "selection": (logits["fits"].argmax(-1) == corpus.fits).float().mean().item()}


@torch.no_grad()
def evaluate_loss(model: nn.Module, ids: torch.Tensor, *, batches: int = 4, batch_size: int = 64,
                  length: int = 64, seed: int = 1234) -> float:
    """Mean cross-entropy (nats per character) on ``batches`` fixed random windows of ``ids``.
    Derived in Chapter 9 (section 9.1).

    The loss of Chapter 9 (section 9.1), averaged over every position of every window. The windows depend only on ``seed``, so every model is scored on the same characters.
    """
    batches = check_int("batches", batches, minimum=1)
    generator = torch.Generator().manual_seed(check_int("seed", seed, minimum=0))
    was_training = model.training
    model.eval()
    total = 0.0
    for _ in range(batches):
        inputs, targets = make_lm_batch(ids, batch_size, length, generator)
        total += next_token_loss(model, inputs, targets).item()
    model.train(was_training)
    return total / batches

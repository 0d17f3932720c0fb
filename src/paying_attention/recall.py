r"""The models of Chapter 5's "which symbol was at position p?": self-attention against a GRU.

Each example (:func:`paying_attention.tasks.make_recall_batch`) is a random sequence of ``T``
symbols followed by one *query token* that names a position ``p``; the answer is the symbol at
position ``p``. The question comes after the
sequence, so a reader that goes left to right (a recurrent network) cannot know which symbol to
keep and must carry all ``T`` of them in its state; self-attention looks the answer up, provided
it knows where position ``p`` is, that is, provided it has position encodings.

Section 5.6 of Chapter 5 compares four models trained on the same data, each from three seeds
(their recipes are in :data:`paying_attention.recipes.RECIPES`, trained by
``scripts/train.py NAME``; seed 0 is shipped as ``weights/NAME.pt``, seeds 1 and 2 as
``NAME_seed1.pt`` and ``NAME_seed2.pt``):

- ``recall_attention``: one self-attention layer over token embeddings plus sinusoidal position
  encodings (:class:`RecallAttention`), 4,000 steps;
- ``recall_attention_no_position``: the same without position encodings;
- ``recall_gru``: a GRU with a state of 24 numbers that reads the sequence and then the query
  (:class:`RecallGRU`), and ``recall_gru_wide``, the same with 96; both trained until their
  held-out loss is flat (a cosine-decayed learning rate, 20,000 and 10,000 steps).

Token ids: symbols are ``0, ..., num_symbols - 1``; the query for position ``p`` is
``num_symbols + p``, ``p = 0, ..., max_length - 1``; so a model embeds
``num_symbols + max_length`` ids.
"""
from __future__ import annotations

import torch
from torch import nn

from ._checks import check_int, check_tokens
from .position import sinusoidal_encoding
from .self_attention import SelfAttention

__all__ = ["RecallAttention", "RecallGRU"]


def _check_recall_tokens(tokens, vocab_size: int, max_length: int) -> torch.Tensor:
    """``T`` symbols and the query: ``(B, T + 1)`` ids with ``1 <= T <= max_length``."""
    if isinstance(tokens, torch.Tensor) and not (tokens.dim() == 2
                                                 and 2 <= tokens.shape[1] <= max_length + 1):
        raise ValueError(f"tokens must have shape (B, T + 1) with 1 <= T <= max_length = "
                         f"{max_length}, got {tuple(tokens.shape)}")
    return check_tokens("tokens", tokens, vocab_size=vocab_size)


def _classifier(width: int, num_symbols: int) -> nn.Sequential:
    return nn.Sequential(nn.Linear(width, 32), nn.ReLU(), nn.Linear(32, num_symbols))


class RecallAttention(nn.Module):
    r"""One self-attention layer that answers "which symbol was at position p?".

    Derived in Chapter 5 (section 5.6). Embed the ``T + 1`` tokens, add the sinusoidal encoding
    (unless ``positions=False``), apply :class:`~paying_attention.self_attention.SelfAttention`
    and classify the output of the **last** position, the query, with a small MLP:

    .. math::

        X = E[\text{tokens}] + PE, \qquad \text{logits} = \operatorname{MLP}\big(
        \operatorname{SA}(X)_{T+1}\big).

    Forward
    -------
    ``logits, weights = model(tokens)``; tokens ``(B, T + 1)`` from
    :func:`~paying_attention.tasks.make_recall_batch`, logits ``(B, num_symbols)``, weights ``(B, T + 1, T + 1)``.
    """

    def __init__(self, num_symbols: int = 8, max_length: int = 64, d_model: int = 32,
                 positions: bool = True):
        super().__init__()
        self.num_symbols = check_int("num_symbols", num_symbols, minimum=2)
        self.max_length = check_int("max_length", max_length, minimum=1)
        d_model = check_int("d_model", d_model, minimum=2)
        if d_model % 2:
            raise ValueError(f"d_model must be even (sinusoidal encoding), got {d_model}")
        self.positions = bool(positions)
        self.config = {"num_symbols": num_symbols, "max_length": max_length,
                       "d_model": d_model, "positions": self.positions}
        self.embedding = nn.Embedding(num_symbols + max_length, d_model)
        self.attention = SelfAttention(d_model)
        self.classifier = _classifier(d_model, num_symbols)

    def forward(self, tokens: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        tokens = _check_recall_tokens(tokens, self.embedding.num_embeddings, self.max_length)
        x = self.embedding(tokens)                                           # (B, T+1, d_model)
        if self.positions:
            x = x + sinusoidal_encoding(tokens.shape[1], x.shape[-1], backend="torch").to(x)
        output, weights = self.attention(x)                                  # (B, T+1, d_model)
        return self.classifier(output[:, -1]), weights                       # (B, num_symbols)


class RecallGRU(nn.Module):
    r"""A GRU classifier for "which symbol was at position p?", the recurrent baseline.

    Derived in Chapter 5 (section 5.6). It reads the ``T`` symbols and then the query token
    left to right, and classifies its final state :math:`h_{T+1}` with the same small MLP as
    :class:`RecallAttention`. It knows which position is asked for only at the very end.

    Forward
    -------
    ``logits, None = model(tokens)``; tokens ``(B, T + 1)``, logits
    ``(B, num_symbols)`` (there are no attention weights).
    """

    def __init__(self, num_symbols: int = 8, max_length: int = 64, d_model: int = 32,
                 hidden_size: int = 24):
        super().__init__()
        self.num_symbols = check_int("num_symbols", num_symbols, minimum=2)
        self.max_length = check_int("max_length", max_length, minimum=1)
        d_model = check_int("d_model", d_model, minimum=1)
        hidden_size = check_int("hidden_size", hidden_size, minimum=1)
        self.config = {"num_symbols": num_symbols, "max_length": max_length,
                       "d_model": d_model, "hidden_size": hidden_size}
        self.embedding = nn.Embedding(num_symbols + max_length, d_model)
        self.gru = nn.GRU(d_model, hidden_size, batch_first=True)
        self.classifier = _classifier(hidden_size, num_symbols)

    def forward(self, tokens: torch.Tensor) -> tuple[torch.Tensor, None]:
        tokens = _check_recall_tokens(tokens, self.embedding.num_embeddings, self.max_length)
        _, final = self.gru(self.embedding(tokens))  # (1, B, hidden_size)
        return self.classifier(final[0]), None       # (B, num_symbols)

r"""Character language models: the recurrent baseline of Chapter 9, and sampling from any of them.

A language model maps token ids ``(B, T)`` to logits ``(B, T, V)``: the logits at position ``t``
predict token ``t + 1``. Chapter 9 compares the tiny transformer
(:class:`paying_attention.transformer.TinyTransformerLM`) with a GRU of about its size
(:class:`GRULanguageModel`), trained the same way, and samples text from both:
:func:`sample_next_token` draws one id from the logits of the last position,
:func:`generate` repeats that to continue a prompt. :func:`next_token_loss` is the cross-entropy
both are trained and measured with.
"""
from __future__ import annotations

import torch
from torch import nn

from ._checks import check_float, check_float_tensor, check_int, check_tokens

__all__ = ["GRULanguageModel", "generate", "logits_of", "next_token_loss", "sample_next_token"]


class GRULanguageModel(nn.Module):
    r"""The recurrent baseline of Chapter 9 (section 9.5): embedding, one GRU layer, unembedding.
    Derived in Chapter 9 (section 9.5).

    It reads the characters left to right and predicts the next one from its hidden state
    :math:`h_t` (the recurrence of Chapter 1): ``logits = h_t W_U + b_U``.

    Parameters
    ----------
    vocab_size : int
        ``V``, at least 2.
    d_embed : int
        Width of the character embeddings.
    hidden_size : int
        Width of the GRU state; chosen in the chapter so that the model has about as many
        parameters as the transformer it is compared with.
    max_length : int
        The context window used for training and by :func:`generate` (the GRU itself has none).

    Forward
    -------
    ``model(tokens)`` with ``tokens`` ``(B, T)`` gives ``logits`` ``(B, T, V)``.
    """

    def __init__(self, vocab_size: int, d_embed: int, hidden_size: int, max_length: int):
        super().__init__()
        self.vocab_size = check_int("vocab_size", vocab_size, minimum=2)
        self.max_length = check_int("max_length", max_length, minimum=1)
        self.config = {"vocab_size": vocab_size, "d_embed": check_int("d_embed", d_embed, minimum=1),
                       "hidden_size": check_int("hidden_size", hidden_size, minimum=1),
                       "max_length": max_length}
        self.token_embedding = nn.Embedding(vocab_size, d_embed)
        self.gru = nn.GRU(d_embed, hidden_size, batch_first=True)
        self.unembedding = nn.Linear(hidden_size, vocab_size)

    def forward(self, tokens: torch.Tensor) -> torch.Tensor:
        tokens = check_tokens("tokens", tokens, vocab_size=self.vocab_size, max_length=self.max_length)
        states, _ = self.gru(self.token_embedding(tokens))   # (B, T, hidden_size)
        return self.unembedding(states)                      # (B, T, V)


def logits_of(model: nn.Module, tokens: torch.Tensor) -> torch.Tensor:
    """The logits of a language model, ``(B, T, V)``, whether it returns them alone or first in
    a tuple (``TinyTransformerLM(..., return_weights=True)`` and the attention-only models do)."""
    output = model(tokens)
    return output[0] if isinstance(output, tuple) else output


def next_token_loss(model: nn.Module, inputs: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
    """Mean cross-entropy of predicting ``targets`` ``(B, T)`` from the logits of ``inputs``
    ``(B, T)``, over every position: the loss a language model is trained and scored with."""
    logits = logits_of(model, inputs)  # (B, T, V)
    return nn.functional.cross_entropy(logits.reshape(-1, logits.shape[-1]), targets.reshape(-1))


# ----------------------------------------------------------------------------- sampling
def sample_next_token(logits: torch.Tensor, temperature: float = 1.0,
                      generator: torch.Generator | None = None) -> int:
    r"""Draw one token id from ``softmax(logits / temperature)`` (Chapter 9, section 9.6).

    Inverse-CDF sampling in float64: one uniform number :math:`u` from ``generator``, and the
    first id whose cumulative probability exceeds :math:`u`. With the same generator state the
    same id comes out on every CPU. ``temperature = 0`` means greedy decoding (the argmax).

    Parameters
    ----------
    logits : torch.Tensor, shape ``(V,)``
    temperature : float
        At least 0. Below 1 sharpens the distribution, above 1 flattens it.
    generator : torch.Generator, optional
        Source of the uniform number; seed it for reproducible samples.
    """
    check_float_tensor("logits", logits, "(V,)", ndims=1)
    temperature = check_float("temperature", temperature, minimum=0.0)
    if temperature == 0.0:
        return int(logits.argmax())
    probabilities = torch.softmax(logits.detach().double() / temperature, dim=-1)  # (V,)
    cumulative = probabilities.cumsum(dim=-1)                                      # (V,)
    uniform = torch.rand((), generator=generator, dtype=torch.float64)
    index = torch.searchsorted(cumulative, uniform * cumulative[-1], right=True)
    return int(index.clamp(max=logits.shape[0] - 1))


@torch.no_grad()
def generate(model: nn.Module, prompt_tokens: torch.Tensor, length: int,
             temperature: float = 1.0, generator: torch.Generator | None = None) -> torch.Tensor:
    """Continue ``prompt_tokens`` by ``length`` sampled tokens (Chapter 9, section 9.6).

    At each step the model reads the last ``model.max_length`` tokens, and
    :func:`sample_next_token` draws the next one from the logits of the last position.

    Parameters
    ----------
    model : TinyTransformerLM or GRULanguageModel (any module mapping ``(1, T)`` ids to logits)
    prompt_tokens : torch.Tensor of int64, shape ``(T_0,)``, ``T_0 >= 1``
    length : int
        Number of new tokens, at least 0.
    temperature : float
        See :func:`sample_next_token`; 0 is greedy.
    generator : torch.Generator, optional
        Seed it for a reproducible sample.

    Returns
    -------
    torch.Tensor of int64, shape ``(T_0 + length,)``: the prompt followed by the new tokens.
    """
    if not isinstance(model, nn.Module):
        raise TypeError(f"model must be a torch.nn.Module, got {type(model).__name__}")
    prompt_tokens = check_tokens("prompt_tokens", prompt_tokens, ndim=1)
    length = check_int("length", length, minimum=0)
    window = getattr(model, "max_length", None)
    was_training = model.training
    model.eval()
    tokens = prompt_tokens.long().tolist()
    for _ in range(length):
        context = torch.tensor(tokens[-window:] if window else tokens)[None]  # (1, T)
        logits = logits_of(model, context)[0, -1]                                # (V,)
        tokens.append(sample_next_token(logits, temperature, generator))
    model.train(was_training)
    return torch.tensor(tokens, dtype=torch.long)

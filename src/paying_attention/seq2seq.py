"""A GRU encoder-decoder without attention: the model whose bottleneck Chapter 1 measures.

The encoder reads the source into one hidden vector; the decoder starts from that vector alone
(Cho et al. 2014; Sutskever et al. 2014). Chapter 4 adds attention to this same model.
"""
from __future__ import annotations

import torch
from torch import nn

from ._checks import check_choice, check_int, check_tokens
from .scoring import AdditiveAttention, DotProductAttention
from .tasks import START_TOKEN

ATTENTION_KINDS = ("additive", "dot")
# Token ids are 0..num_symbols: the symbols 1..num_symbols and the start token 0.
_START_HINT = f" ({START_TOKEN} is the start token)"


class Seq2Seq(nn.Module):
    """GRU encoder-decoder whose decoder sees the source only through the final encoder state.
    Derived in Chapter 1.

    Parameters
    ----------
    num_symbols : int
        Alphabet size; token ids are ``0..num_symbols`` with ``0`` the start token.
    hidden_size : int
        Width of the one hidden vector that carries the whole source.
    embedding_size : int
        Width of the token embeddings.
    reverse_source : bool
        Read the source backwards (Sutskever et al. 2014, section 3.3), so that the first target
        tokens sit close to the end of what the encoder read.

    Shapes
    ------
    ``source`` and ``decoder_input`` are ``(B, T)`` token ids; logits are ``(B, T, V)``
    with ``V = num_symbols + 1``.
    """

    def __init__(self, num_symbols: int, hidden_size: int, embedding_size: int = 32,
                 reverse_source: bool = False):
        super().__init__()
        self.config = {
            "num_symbols": check_int("num_symbols", num_symbols, minimum=2),
            "hidden_size": check_int("hidden_size", hidden_size, minimum=1),
            "embedding_size": check_int("embedding_size", embedding_size, minimum=1),
            "reverse_source": bool(reverse_source),
        }
        vocab_size = num_symbols + 1
        self.source_embedding = nn.Embedding(vocab_size, embedding_size)
        self.target_embedding = nn.Embedding(vocab_size, embedding_size)
        self.encoder = nn.GRU(embedding_size, hidden_size, batch_first=True)
        self.decoder = nn.GRU(embedding_size, hidden_size, batch_first=True)
        self.output = nn.Linear(hidden_size, vocab_size)

    def encode(self, source: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Read the source; return all encoder states ``(B, T, hidden)`` and the final one ``(B, hidden)``."""
        check_tokens("source", source, vocab_size=self.config["num_symbols"] + 1,
                     hint=_START_HINT)
        if self.config["reverse_source"]:
            source = source.flip(1)
        states, final = self.encoder(self.source_embedding(source))  # (B, T, hidden), (1, B, hidden)
        return states, final[0]

    def forward(self, source: torch.Tensor, decoder_input: torch.Tensor) -> torch.Tensor:
        """Teacher-forced logits ``(B, T_out, V)`` for ``decoder_input`` ``(B, T_out)``."""
        check_tokens("decoder_input", decoder_input, vocab_size=self.config["num_symbols"] + 1,
                     hint=_START_HINT)
        _, final = self.encode(source)
        # The decoder's only view of the source: its initial state.
        states, _ = self.decoder(self.target_embedding(decoder_input), final[None])  # (B, T_out, hidden)
        return self.output(states)

    @torch.no_grad()
    def greedy_decode(self, source: torch.Tensor, length: int) -> torch.Tensor:
        """Decode ``length`` tokens, each step feeding back its own best guess; returns ``(B, length)``."""
        length = check_int("length", length, minimum=1)
        _, hidden = self.encode(source)
        hidden = hidden[None]  # (1, B, hidden)
        token = torch.full((source.shape[0], 1), START_TOKEN, dtype=torch.long)
        outputs = []
        for _ in range(length):
            state, hidden = self.decoder(self.target_embedding(token), hidden)  # (B, 1, hidden)
            # Never predict the start token: it is not a symbol.
            token = self.output(state)[..., 1:].argmax(-1) + 1  # (B, 1)
            outputs.append(token)
        return torch.cat(outputs, dim=1)


class AttentionSeq2Seq(Seq2Seq):
    r"""Chapter 1's encoder-decoder plus attention over the encoder states (Chapter 4).

    At every output step the decoder state :math:`s_{t-1}` queries all encoder states
    :math:`h_1..h_T`; the weighted average (the context :math:`c_t`) joins the decoder's input and
    its output layer (Bahdanau et al. 2015). Everything else (embeddings, encoder, initial state,
    training) is as in :class:`Seq2Seq`, so the two models differ only by attention.

    Parameters
    ----------
    num_symbols, hidden_size, embedding_size, reverse_source
        As for :class:`Seq2Seq`.
    attention : {"additive", "dot"}
        ``"additive"``: Bahdanau's score :math:`v^\top \tanh(s W_q + h W_k)` with
        ``hidden_size`` tanh units; ``"dot"``: the scaled dot product :math:`s \cdot h / \sqrt{d}`
        (Chapter 3).

    Forward
    -------
    ``forward(..., return_weights=True)`` and ``greedy_decode(..., return_weights=True)`` also
    return the attention weights, shape ``(B, T_out, T_in)``: row ``t`` says where output step
    ``t`` looked.
    """

    def __init__(self, num_symbols: int, hidden_size: int, embedding_size: int = 32,
                 reverse_source: bool = False, attention: str = "additive"):
        super().__init__(num_symbols, hidden_size, embedding_size, reverse_source)
        self.config["attention"] = check_choice("attention", attention, ATTENTION_KINDS)
        vocab_size = num_symbols + 1
        # A cell, not a layer: the context of each step depends on the state of the previous one.
        self.decoder = nn.GRUCell(embedding_size + hidden_size, hidden_size)
        self.attention = (AdditiveAttention(hidden_size, hidden_size, hidden_size)
                          if attention == "additive" else DotProductAttention(scaled=True))
        self.output = nn.Linear(2 * hidden_size, vocab_size)

    def _step(self, token: torch.Tensor, state: torch.Tensor, encoder_states: torch.Tensor):
        """One decoder step: logits ``(B, V)``, new state ``(B, hidden)``, weights ``(B, T_in)``."""
        context, weights = self.attention(state, encoder_states, encoder_states)  # (B, hidden), (B, T_in)
        state = self.decoder(torch.cat([self.target_embedding(token), context], dim=-1), state)
        logits = self.output(torch.cat([state, context], dim=-1))
        return logits, state, weights

    def forward(self, source: torch.Tensor, decoder_input: torch.Tensor,
                return_weights: bool = False):
        """Teacher-forced logits ``(B, T_out, V)`` (and weights ``(B, T_out, T_in)`` if asked)."""
        check_tokens("decoder_input", decoder_input, vocab_size=self.config["num_symbols"] + 1,
                     hint=_START_HINT)
        encoder_states, state = self.encode(source)  # (B, T_in, hidden), (B, hidden)
        if self.config["reverse_source"]:
            # Weights then index the source in its original order, whatever the reading order.
            encoder_states = encoder_states.flip(1)
        logits, weights = [], []
        for t in range(decoder_input.shape[1]):
            step_logits, state, step_weights = self._step(decoder_input[:, t], state, encoder_states)
            logits.append(step_logits)
            weights.append(step_weights)
        logits = torch.stack(logits, dim=1)  # (B, T_out, V)
        return (logits, torch.stack(weights, dim=1)) if return_weights else logits

    @torch.no_grad()
    def greedy_decode(self, source: torch.Tensor, length: int, return_weights: bool = False):
        """Decode ``length`` tokens from the model's own guesses; ``(B, length)`` (and weights)."""
        length = check_int("length", length, minimum=1)
        encoder_states, state = self.encode(source)
        if self.config["reverse_source"]:
            encoder_states = encoder_states.flip(1)
        token = torch.full((source.shape[0],), START_TOKEN, dtype=torch.long)
        outputs, weights = [], []
        for _ in range(length):
            logits, state, step_weights = self._step(token, state, encoder_states)
            token = logits[:, 1:].argmax(-1) + 1  # never the start token
            outputs.append(token)
            weights.append(step_weights)
        outputs = torch.stack(outputs, dim=1)  # (B, length)
        return (outputs, torch.stack(weights, dim=1)) if return_weights else outputs

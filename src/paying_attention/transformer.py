r"""Transformers assembled from the book's parts: the block and the models built of it.

Chapter 9, "A tiny transformer", puts together what Chapters 3 to 6 derived: token embeddings,
position encodings (:mod:`paying_attention.position`), multi-head self-attention
(:class:`paying_attention.multihead.MultiHeadAttention`) under a causal mask
(:func:`paying_attention.masking.causal_mask`), a position-wise MLP, residual connections and
layer normalisation. One pre-LayerNorm block (Xiong et al. 2020; the arrangement of GPT-2) maps
:math:`X \in \mathbb{R}^{T \times d_\text{model}}` to

.. math::

    H = X + \operatorname{MHA}(\operatorname{LN}_1(X)), \qquad
    Y = H + \operatorname{MLP}(\operatorname{LN}_2(H)),

with :math:`\operatorname{MLP}(z) = \operatorname{GELU}(z W_1 + b_1) W_2 + b_2` applied to every
position (row) on its own. :class:`TinyTransformerLM` stacks ``L`` blocks between an embedding
and an unembedding and predicts the next character at every position.

The same parts make the other transformers of the book, each with what its chapter asks of it:
:class:`ToyLanguageModel` (Chapter 6: one causal block with two classifiers, whose heads the
chapter reads) and :class:`AttentionOnlyTransformer` (Chapter 7: attention layers only, where
induction heads form). The recurrent baseline of Chapter 9 is
:class:`paying_attention.language_model.GRULanguageModel`.
"""
from __future__ import annotations

import torch
from torch import nn

from ._checks import check_choice, check_float_tensor, check_head_mask, check_int, check_tokens
from ._parameters import linear_weight
from .masking import causal_mask
from .multihead import MultiHeadAttention
from .position import LearnedPositionEmbedding, sinusoidal_encoding
from .toy_language import MAX_LENGTH, NOUN_LEMMAS, VOCABULARY, ToyCorpus

__all__ = ["AttentionOnlyTransformer", "FeedForward", "TinyTransformerLM", "ToyLanguageModel",
           "TransformerBlock"]


# ----------------------------------------------------------------------------- the block
class FeedForward(nn.Module):
    r"""The position-wise MLP of a transformer block (Chapter 9, section 9.2).

    .. math::

        \operatorname{MLP}(z) = \operatorname{GELU}(z W_1 + b_1)\, W_2 + b_2 ,

    applied to every position on its own: nothing mixes positions here, attention does that.
    Weights in the book's ``(in, out)`` layout: ``W_1`` ``(d_model, d_ff)``, ``W_2``
    ``(d_ff, d_model)``; :math:`2 d_\text{model} d_\text{ff} + d_\text{ff} + d_\text{model}`
    parameters. GELU is the exact (erf) one, as in GPT-2.

    Forward
    -------
    ``x`` ``(B, T, d_model)`` to ``(B, T, d_model)``.
    """

    def __init__(self, d_model: int, d_ff: int):
        super().__init__()
        self.d_model = check_int("d_model", d_model, minimum=1)
        self.d_ff = check_int("d_ff", d_ff, minimum=1)
        self.W_1, self.W_2 = linear_weight(d_model, d_ff), linear_weight(d_ff, d_model)
        self.b_1 = nn.Parameter(torch.zeros(d_ff))
        self.b_2 = nn.Parameter(torch.zeros(d_model))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = check_float_tensor("x", x, "(B, T, d_model)", ndims=3, width=self.d_model)
        hidden = nn.functional.gelu(x @ self.W_1 + self.b_1)  # (B, T, d_ff)
        return hidden @ self.W_2 + self.b_2                   # (B, T, d_model)

    def extra_repr(self) -> str:
        return f"d_model={self.d_model}, d_ff={self.d_ff}"


class TransformerBlock(nn.Module):
    r"""One pre-LayerNorm decoder block: causal multi-head self-attention, then the MLP.

    Derived in Chapter 9 (section 9.2):

    .. math::

        H = X + \operatorname{MHA}(\operatorname{LN}_1(X), \text{causal}), \qquad
        Y = H + \operatorname{MLP}(\operatorname{LN}_2(H)).

    The attention is :class:`~paying_attention.multihead.MultiHeadAttention` (Chapter 6) with
    the :func:`~paying_attention.masking.causal_mask` of Chapter 3, so position ``t`` reads
    positions ``0, ..., t`` only. The residual additions keep a path on which the input, and
    the gradient, pass unchanged; the layer norms (``torch.nn.LayerNorm``) give each sublayer
    inputs of a fixed scale.

    Parameters
    ----------
    d_model : int
        Width of the residual stream.
    num_heads : int
        ``H``; must divide ``d_model``.
    d_ff : int
        Width of the MLP's hidden layer (usually ``4 * d_model``).
    residual : bool
        Keep the residual connections (default). False gives ``Y = MLP(LN(MHA(LN(X))))``, for
        the chapter's experiment on why they are there.

    Forward
    -------
    ``output, weights = block(x, need_weights=True)`` with ``x`` ``(B, T, d_model)``;
    ``output`` ``(B, T, d_model)`` and the attention ``weights`` ``(B, H, T, T)`` (None if
    ``need_weights`` is False).
    """

    def __init__(self, d_model: int, num_heads: int, d_ff: int, *, residual: bool = True):
        super().__init__()
        self.attention = MultiHeadAttention(d_model, num_heads)  # checks d_model % num_heads
        self.d_model, self.num_heads = int(d_model), int(num_heads)
        self.norm_attention = nn.LayerNorm(d_model)
        self.feed_forward = FeedForward(d_model, d_ff)
        self.norm_feed_forward = nn.LayerNorm(d_model)
        self.residual = bool(residual)

    def forward(self, x: torch.Tensor, need_weights: bool = True):
        x = check_float_tensor("x", x, "(B, T, d_model)", ndims=3, width=self.d_model)
        mask = causal_mask(x.shape[1], backend="torch")            # (T, T), True = may attend
        normed = self.norm_attention(x)                            # (B, T, d_model)
        attended, weights = self.attention(normed, normed, normed, mask=mask,
                                           need_weights=need_weights)  # (B, T, d_model)
        hidden = x + attended if self.residual else attended       # (B, T, d_model)
        update = self.feed_forward(self.norm_feed_forward(hidden))  # (B, T, d_model)
        output = hidden + update if self.residual else update      # (B, T, d_model)
        return output, weights                                     # weights (B, H, T, T)

    def extra_repr(self) -> str:
        return f"residual={self.residual}"


# ----------------------------------------------------------------------------- the language model
class TinyTransformerLM(nn.Module):
    r"""A decoder-only transformer language model (Chapter 9, section 9.3).

    Token embedding, position encoding, ``L`` :class:`TransformerBlock` s, a final layer norm and
    an unembedding to one logit per vocabulary entry:

    .. math::

        X_0 = E[\text{tokens}] + P, \qquad X_l = \operatorname{Block}_l(X_{l-1}), \qquad
        \text{logits} = \operatorname{LN}(X_L)\, W_U + b_U .

    The logits at position ``t`` predict token ``t + 1`` and, by the causal mask, depend on
    tokens ``0, ..., t`` only.

    Parameters
    ----------
    vocab_size : int
        ``V``, at least 2.
    d_model, num_heads, num_layers, d_ff : int
        Width, heads per block (must divide ``d_model``), number of blocks ``L``, MLP width.
    max_length : int
        The longest input ``T`` (the context window); longer inputs raise ``ValueError``.
    position : {"sinusoidal", "learned", "none"}
        :func:`~paying_attention.position.sinusoidal_encoding` (a fixed buffer),
        :class:`~paying_attention.position.LearnedPositionEmbedding`, or nothing (for the
        chapter's exercise).
    residual : bool
        Passed to every block.

    Forward
    -------
    ``model(tokens)`` with ``tokens`` ``(B, T)`` of ids gives ``logits`` ``(B, T, V)``;
    ``model(tokens, return_weights=True)`` gives ``(logits, weights)`` with the attention weights
    of every layer and head, ``(L, B, H, T, T)``.
    """

    def __init__(self, vocab_size: int, d_model: int, num_heads: int, num_layers: int, d_ff: int,
                 max_length: int, position: str = "sinusoidal", *, residual: bool = True):
        super().__init__()
        self.vocab_size = check_int("vocab_size", vocab_size, minimum=2)
        self.d_model = check_int("d_model", d_model, minimum=1)
        self.num_layers = check_int("num_layers", num_layers, minimum=1)
        self.max_length = check_int("max_length", max_length, minimum=1)
        self.position = check_choice("position", position, {"sinusoidal", "learned", "none"})
        self.config = {"vocab_size": vocab_size, "d_model": d_model, "num_heads": num_heads,
                       "num_layers": num_layers, "d_ff": d_ff, "max_length": max_length,
                       "position": position, "residual": bool(residual)}
        self.token_embedding = nn.Embedding(vocab_size, d_model)
        if position == "sinusoidal":
            self.register_buffer("position_encoding",
                                 sinusoidal_encoding(max_length, d_model, backend="torch"),
                                 persistent=False)  # (T_max, d_model)
        elif position == "learned":
            self.position_embedding = LearnedPositionEmbedding(max_length, d_model)
        self.blocks = nn.ModuleList([TransformerBlock(d_model, num_heads, d_ff, residual=residual)
                                     for _ in range(num_layers)])
        self.final_norm = nn.LayerNorm(d_model)
        self.unembedding = nn.Linear(d_model, vocab_size)
        self.num_heads = self.blocks[0].num_heads

    def embed(self, tokens: torch.Tensor) -> torch.Tensor:
        """Token embeddings plus position encodings, ``(B, T)`` ids to ``(B, T, d_model)``."""
        tokens = check_tokens("tokens", tokens, vocab_size=self.vocab_size,
                              max_length=self.max_length)
        x = self.token_embedding(tokens)                          # (B, T, d_model)
        if self.position == "sinusoidal":
            x = x + self.position_encoding[:tokens.shape[1]]      # (B, T, d_model)
        elif self.position == "learned":
            x = self.position_embedding(x)                        # (B, T, d_model)
        return x

    def forward(self, tokens: torch.Tensor, return_weights: bool = False):
        x = self.embed(tokens)                                    # (B, T, d_model)
        all_weights = []
        for block in self.blocks:
            x, weights = block(x, need_weights=return_weights)    # (B, T, d_model)
            all_weights.append(weights)                           # (B, H, T, T) or None
        logits = self.unembedding(self.final_norm(x))             # (B, T, V)
        if return_weights:
            return logits, torch.stack(all_weights)               # (L, B, H, T, T)
        return logits


# ----------------------------------------------------------------------------- Chapter 6's classifier
class ToyLanguageModel(nn.Module):
    r"""A small causal Transformer encoder with three classifiers (Chapter 6, section 6.7).

    Token embedding plus a learned position embedding, then ``num_layers`` blocks of causal
    multi-head self-attention (:class:`~paying_attention.multihead.MultiHeadAttention`) and,
    if ``mlp_width > 0``, a small MLP, each with a residual connection and layer normalisation
    before it. A final layer norm and three linear read-outs: the verb's number (2 classes) read at
    the main verb, the antecedent (one of the nine noun lemmas) read at the pronoun, and whether
    the object fits its verb (2 classes) read at the object noun. Causal:
    a position sees only itself and what came before, as a reader does. The chapter's models
    have one block and no MLP (``mlp_width=0``), so that everything the read-outs see from other
    positions has passed through a head.

    Forward
    -------
    ``hidden, weights = model(tokens, head_mask=None)`` with ``tokens`` ``(B, T)``;
    ``hidden`` ``(B, T, d_model)``; ``weights`` ``(L, B, H, T, T)``; ``head_mask`` ``(L, H)``
    multiplies each head's output (0 ablates it). :meth:`predict` gives the three tasks' logits.
    """

    def __init__(self, d_model: int = 32, num_heads: int = 4, num_layers: int = 1,
                 mlp_width: int = 64):
        super().__init__()
        self.config = {"d_model": check_int("d_model", d_model, minimum=1),
                       "num_heads": check_int("num_heads", num_heads, minimum=1),
                       "num_layers": check_int("num_layers", num_layers, minimum=1),
                       "mlp_width": check_int("mlp_width", mlp_width, minimum=0)}
        self.token_embedding = nn.Embedding(len(VOCABULARY), d_model)
        self.position_embedding = nn.Embedding(MAX_LENGTH, d_model)  # learned positions
        self.attention_norms = nn.ModuleList(nn.LayerNorm(d_model) for _ in range(num_layers))
        self.attentions = nn.ModuleList(MultiHeadAttention(d_model, num_heads)
                                        for _ in range(num_layers))
        # The MLP of each block, with its layer norm; none at all if mlp_width is 0.
        self.mlp_norms = nn.ModuleList(nn.LayerNorm(d_model) if mlp_width else None
                                       for _ in range(num_layers))
        self.mlps = nn.ModuleList(nn.Sequential(nn.Linear(d_model, mlp_width), nn.ReLU(),
                                                nn.Linear(mlp_width, d_model)) if mlp_width else None
                                  for _ in range(num_layers))
        self.final_norm = nn.LayerNorm(d_model)
        self.number_head = nn.Linear(d_model, 2)
        self.antecedent_head = nn.Linear(d_model, len(NOUN_LEMMAS))
        self.selection_head = nn.Linear(d_model, 2)

    def forward(self, tokens: torch.Tensor, head_mask=None):
        tokens = check_tokens("tokens", tokens, vocab_size=len(VOCABULARY), max_length=MAX_LENGTH)
        length = tokens.shape[1]
        layers, heads = self.config["num_layers"], self.config["num_heads"]
        head_mask = check_head_mask(head_mask, (layers, heads), "(L, H)")
        hidden = self.token_embedding(tokens) + self.position_embedding.weight[:length]  # (B, T, d_model)
        causal = causal_mask(length, backend="torch")                                   # (T, T)
        all_weights = []
        for layer in range(layers):
            normed = self.attention_norms[layer](hidden)
            out, weights = self.attentions[layer](
                normed, normed, normed, mask=causal,
                head_mask=None if head_mask is None else head_mask[layer])  # (B, T, d_model)
            hidden = hidden + out
            if self.mlps[layer] is not None:
                hidden = hidden + self.mlps[layer](self.mlp_norms[layer](hidden))
            all_weights.append(weights)                                      # (B, H, T, T)
        return self.final_norm(hidden), torch.stack(all_weights)            # (L, B, H, T, T)

    def predict(self, corpus: ToyCorpus, head_mask=None):
        """Logits of the three tasks: ``number`` ``(N, 2)`` at the verbs, ``antecedent``
        ``(N, 9)`` at the pronouns, ``fits`` ``(N, 2)`` at the objects, and the attention weights
        ``(L, N, H, T, T)``."""
        hidden, weights = self(corpus.tokens, head_mask=head_mask)
        rows = torch.arange(len(corpus))
        return {"number": self.number_head(hidden[rows, corpus.verb_position]),
                "antecedent": self.antecedent_head(hidden[rows, corpus.pronoun_position]),
                "fits": self.selection_head(hidden[rows, corpus.object_position]),
                "weights": weights}


# ----------------------------------------------------------------------------- Chapter 7's attention-only model
class AttentionOnlyTransformer(nn.Module):
    r"""A causal Transformer with attention layers only: no MLP, no normalisation (Chapter 7).

    Derived in Chapter 7 (section 7.3), after the attention-only models of Elhage et al. (2021).
    Tokens are embedded, a learned vector per position is added (Chapter 5), and ``L`` layers of
    causal multi-head self-attention (:class:`~paying_attention.multihead.MultiHeadAttention`,
    Chapter 6) each add their output to the residual stream:

    .. math::

        x^{(0)}_t = E_{w_t} + P_t, \qquad
        x^{(l)} = x^{(l-1)} + \operatorname{MultiHead}^{(l)}\big(x^{(l-1)}\big), \qquad
        \text{logits}_t = x^{(L)}_t W_U + b_U .

    Parameters
    ----------
    vocab_size : int
        ``V``.
    max_length : int
        Longest sequence (number of learned position vectors).
    d_model : int
        Width of the residual stream.
    num_heads : int
        ``H`` heads per layer; must divide ``d_model``.
    num_layers : int
        ``L``.

    Forward
    -------
    ``logits, weights = model(tokens, head_mask=None)`` with ``tokens`` ``(B, T)``; ``logits``
    ``(B, T, V)`` predict the *next* token at every position; ``weights`` ``(L, B, H, T, T)``;
    ``head_mask`` ``(L, H)`` multiplies each head's output (0 ablates it).
    """

    def __init__(self, vocab_size: int = 20, max_length: int = 32, d_model: int = 64,
                 num_heads: int = 2, num_layers: int = 2):
        super().__init__()
        self.config = {"vocab_size": check_int("vocab_size", vocab_size, minimum=2),
                       "max_length": check_int("max_length", max_length, minimum=1),
                       "d_model": check_int("d_model", d_model, minimum=1),
                       "num_heads": check_int("num_heads", num_heads, minimum=1),
                       "num_layers": check_int("num_layers", num_layers, minimum=1)}
        self.token_embedding = nn.Embedding(vocab_size, d_model)
        self.position_embedding = nn.Embedding(max_length, d_model)     # learned positions
        self.attentions = nn.ModuleList(MultiHeadAttention(d_model, num_heads)
                                        for _ in range(num_layers))
        self.unembedding = nn.Linear(d_model, vocab_size)

    def forward(self, tokens: torch.Tensor, head_mask=None):
        config = self.config
        tokens = check_tokens("tokens", tokens, vocab_size=config["vocab_size"],
                              max_length=config["max_length"])
        length = tokens.shape[1]
        head_mask = check_head_mask(head_mask, (config["num_layers"], config["num_heads"]),
                                    "(L, H)")
        hidden = self.token_embedding(tokens) + self.position_embedding.weight[:length]  # (B, T, d_model)
        causal = causal_mask(length, backend="torch")                                   # (T, T)
        all_weights = []
        for layer, attention in enumerate(self.attentions):
            out, weights = attention(hidden, hidden, hidden, mask=causal,
                                     head_mask=None if head_mask is None else head_mask[layer])
            hidden = hidden + out                        # the residual stream, (B, T, d_model)
            all_weights.append(weights)                  # (B, H, T, T)
        return self.unembedding(hidden), torch.stack(all_weights)  # (B, T, V), (L, B, H, T, T)

r"""A tiny decoder-only transformer, assembled from the book's parts (Chapter 9).

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

The chapter compares it with a recurrent language model of about the same size
(:class:`GRULanguageModel`). Both are trained with the same data, budget and optimiser
(:data:`LM_TRAINING`; their recipes are in :data:`paying_attention.recipes.RECIPES`, trained by
``scripts/train.py NAME``) on the public-domain text that ships with the package
(:func:`load_shakespeare`, ``data/shakespeare.txt``, read by :class:`TextData`), and shipped in
``weights/`` together with their loss curves and the measured wall time.
"""
from __future__ import annotations

import hashlib
import math
from importlib import resources

import torch
from torch import nn

from ._checks import check_choice, check_float, check_int
from .checkpoints import load, read, summary
from .masking import causal_mask
from .multihead import MultiHeadAttention
from .position import LearnedPositionEmbedding, sinusoidal_encoding
from .recipes import RECIPES, recipe_names
from .training import build_model, train_steps

__all__ = [
    "CharTokenizer", "FeedForward", "GRULanguageModel", "LM_TRAINING", "TextData",
    "TinyTransformerLM", "TransformerBlock", "build_language_model", "evaluate_loss", "generate",
    "load_language_model", "load_shakespeare", "make_lm_batch", "sample_next_token",
    "split_text", "text_fingerprint", "train_language_model", "training_log",
]


# ----------------------------------------------------------------------------- tokenizer
class CharTokenizer:
    """A character-level tokenizer: one token id per distinct character of a text.

    Derived in Chapter 9 (section 9.1). The vocabulary is the sorted set of characters of
    ``text``, so the same text always gives the same ids, and
    ``CharTokenizer(tokenizer.characters)`` rebuilds an identical tokenizer.

    Parameters
    ----------
    text : str
        A non-empty text; every character in it gets an id ``0, ..., V - 1``.

    Methods
    -------
    encode(string) -> torch.Tensor of int64, shape ``(T,)``
        Raises ``ValueError`` naming any character that is not in the vocabulary.
    decode(ids) -> str
        ``ids`` a 1-D sequence or tensor of ids in ``[0, V - 1]``; raises otherwise.
    """

    def __init__(self, text: str):
        if not isinstance(text, str):
            raise TypeError(f"text must be a str, got {type(text).__name__}")
        if not text:
            raise ValueError("text must hold at least one character")
        self.characters = "".join(sorted(set(text)))
        self._index = {character: index for index, character in enumerate(self.characters)}

    @property
    def vocab_size(self) -> int:
        """``V``, the number of distinct characters."""
        return len(self.characters)

    def __len__(self) -> int:
        return self.vocab_size

    def __repr__(self) -> str:
        return f"CharTokenizer(vocab_size={self.vocab_size})"

    def encode(self, string: str) -> torch.Tensor:
        """The ids of the characters of ``string``, shape ``(T,)``, dtype int64."""
        if not isinstance(string, str):
            raise TypeError(f"string must be a str, got {type(string).__name__}")
        unknown = sorted(set(string) - set(self._index))
        if unknown:
            raise ValueError(f"characters not in the vocabulary of {self.vocab_size}: "
                             f"{unknown!r}; the tokenizer knows only {self.characters!r}")
        return torch.tensor([self._index[character] for character in string], dtype=torch.long)

    def decode(self, ids) -> str:
        """The text of a 1-D sequence of ids (a list or a tensor of integers)."""
        if isinstance(ids, torch.Tensor):
            if ids.dtype.is_floating_point or ids.dtype == torch.bool or ids.is_complex():
                raise TypeError(f"ids must hold integers, got dtype {ids.dtype}")
            if ids.dim() != 1:
                raise ValueError(f"ids must have shape (T,), got shape {tuple(ids.shape)}")
            ids = ids.tolist()
        ids = list(ids)
        if any(isinstance(i, bool) or not isinstance(i, int) for i in ids):
            raise TypeError("ids must hold integers")
        bad = [i for i in ids if not 0 <= i < self.vocab_size]
        if bad:
            raise ValueError(f"ids must lie in [0, {self.vocab_size - 1}], got {bad[:5]}")
        return "".join(self.characters[i] for i in ids)


# ----------------------------------------------------------------------------- the block
def _weight(fan_in: int, fan_out: int) -> nn.Parameter:
    """A ``(fan_in, fan_out)`` weight initialised like ``nn.Linear``: uniform in +-1/sqrt(fan_in)."""
    bound = 1.0 / math.sqrt(fan_in)
    return nn.Parameter(torch.empty(fan_in, fan_out).uniform_(-bound, bound))


def _check_activations(x, d_model: int) -> torch.Tensor:
    if not isinstance(x, torch.Tensor) or not x.is_floating_point():
        raise TypeError("x must be a floating-point torch.Tensor of shape (B, T, d_model)")
    if x.dim() != 3 or x.shape[-1] != d_model:
        raise ValueError(f"x must have shape (B, T, d_model) with d_model = {d_model}, "
                         f"got shape {tuple(x.shape)}")
    return x


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
        self.W_1, self.W_2 = _weight(d_model, d_ff), _weight(d_ff, d_model)
        self.b_1 = nn.Parameter(torch.zeros(d_ff))
        self.b_2 = nn.Parameter(torch.zeros(d_model))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = _check_activations(x, self.d_model)
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
        x = _check_activations(x, self.d_model)
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


# ----------------------------------------------------------------------------- the models
def _check_lm_tokens(tokens, vocab_size: int, max_length: int | None) -> torch.Tensor:
    if not isinstance(tokens, torch.Tensor):
        raise TypeError(f"tokens must be a torch.Tensor of shape (B, T), got {type(tokens).__name__}")
    if tokens.dtype not in (torch.int64, torch.int32):
        raise TypeError(f"tokens must hold integer token ids (torch.long), got dtype {tokens.dtype}")
    if tokens.dim() != 2 or tokens.shape[1] == 0:
        raise ValueError(f"tokens must have shape (B, T) with T >= 1, got shape {tuple(tokens.shape)}")
    if max_length is not None and tokens.shape[1] > max_length:
        raise ValueError(f"sequence length T = {tokens.shape[1]} exceeds max_length = "
                         f"{max_length}: feed at most the last {max_length} tokens")
    if tokens.numel():
        low, high = int(tokens.min()), int(tokens.max())
        if low < 0 or high >= vocab_size:
            raise ValueError(f"tokens must hold ids in [0, {vocab_size - 1}], "
                             f"got values in [{low}, {high}]")
    return tokens.long()


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
        tokens = _check_lm_tokens(tokens, self.vocab_size, self.max_length)
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
        tokens = _check_lm_tokens(tokens, self.vocab_size, self.max_length)
        states, _ = self.gru(self.token_embedding(tokens))   # (B, T, hidden_size)
        return self.unembedding(states)                      # (B, T, V)


def _logits(model: nn.Module, tokens: torch.Tensor) -> torch.Tensor:
    output = model(tokens)
    return output[0] if isinstance(output, tuple) else output


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
    if not isinstance(logits, torch.Tensor) or not logits.is_floating_point():
        raise TypeError("logits must be a floating-point torch.Tensor of shape (V,)")
    if logits.dim() != 1:
        raise ValueError(f"logits must have shape (V,), got shape {tuple(logits.shape)}")
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
    if not isinstance(prompt_tokens, torch.Tensor) or prompt_tokens.dim() != 1:
        raise ValueError("prompt_tokens must be a 1-D tensor of token ids, shape (T_0,)")
    if prompt_tokens.numel() == 0:
        raise ValueError("prompt_tokens must hold at least one token")
    length = check_int("length", length, minimum=0)
    window = getattr(model, "max_length", None)
    was_training = model.training
    model.eval()
    tokens = prompt_tokens.long().tolist()
    for _ in range(length):
        context = torch.tensor(tokens[-window:] if window else tokens)[None]  # (1, T)
        logits = _logits(model, context)[0, -1]                                # (V,)
        tokens.append(sample_next_token(logits, temperature, generator))
    model.train(was_training)
    return torch.tensor(tokens, dtype=torch.long)


# ----------------------------------------------------------------------------- training
def load_shakespeare() -> str:
    """The text the language models of Chapter 9 learn: 111,902 characters of *Coriolanus*.

    It ships inside the package (``paying_attention/data/shakespeare.txt``; its ``README.md`` says
    where it comes from), so the chapter runs wherever the package is installed, Colab included.
    """
    return _package_text("shakespeare.txt")


def _package_text(name: str) -> str:
    path = resources.files(__package__) / "data" / name
    if not path.is_file():
        raise FileNotFoundError(f"text must be a file in the package's data/ folder, got {name!r}")
    return path.read_text(encoding="utf-8")


def text_fingerprint(text: str) -> str:
    """The SHA-256 of a text (UTF-8), stored with the weights to name the text they learned.
    Derived in Chapter 9 (section 9.4).

    Chapter 9 (section 9.4) checks that the shipped weights were trained on the shipped text.
    """
    if not isinstance(text, str):
        raise TypeError(f"text must be a str, got {type(text).__name__}")
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def split_text(ids: torch.Tensor, validation_fraction: float = 0.1):
    """Split a 1-D tensor of ids into a training part and the held-out last ``fraction``.

    Derived in Chapter 9 (section 9.1). The validation text is the *end* of the text, a contiguous block the model never trains on.
    """
    if not isinstance(ids, torch.Tensor) or ids.dim() != 1:
        raise ValueError("ids must be a 1-D tensor of token ids")
    validation_fraction = check_float("validation_fraction", validation_fraction, minimum=0.0,
                                      strict=True)
    if validation_fraction >= 1:
        raise ValueError(f"validation_fraction must be < 1, got {validation_fraction}")
    cut = int(round(len(ids) * (1 - validation_fraction)))
    return ids[:cut], ids[cut:]


def make_lm_batch(ids: torch.Tensor, batch_size: int, length: int,
                  generator: torch.Generator | None = None):
    """Draw ``batch_size`` windows of ``length + 1`` consecutive ids at random offsets.
    Derived in Chapter 9 (section 9.3).

    Used from Chapter 9 (section 9.3) on. Returns ``inputs`` and ``targets``, both ``(B, T)`` with ``T = length``: the targets are the
    inputs shifted by one, so position ``t`` must predict character ``t + 1``.
    """
    if not isinstance(ids, torch.Tensor) or ids.dim() != 1:
        raise ValueError("ids must be a 1-D tensor of token ids")
    batch_size = check_int("batch_size", batch_size, minimum=1)
    length = check_int("length", length, minimum=1)
    if len(ids) < length + 1:
        raise ValueError(f"ids must hold at least length + 1 = {length + 1} tokens, got {len(ids)}")
    starts = torch.randint(0, len(ids) - length, (batch_size,), generator=generator)  # (B,)
    windows = torch.stack([ids[start:start + length + 1] for start in starts.tolist()])
    return windows[:, :-1], windows[:, 1:]  # (B, T), (B, T)


def _loss(model: nn.Module, inputs: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
    logits = _logits(model, inputs)  # (B, T, V)
    return nn.functional.cross_entropy(logits.reshape(-1, logits.shape[-1]), targets.reshape(-1))


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
        total += _loss(model, inputs, targets).item()
    model.train(was_training)
    return total / batches


class TextData:
    """A character text as training data for a language model (Chapter 9, section 9.4).

    Batches are windows of ``length + 1`` characters at random offsets of the training ids
    (:func:`make_lm_batch`). Every evaluation measures, with :func:`evaluate_loss` on windows
    fixed by ``eval_seed``, the loss on the validation ids (``validation_loss``) and on the
    training ids (``train_sample_loss``: the training loss of the chapter's curves).
    :meth:`from_text` builds it from a text of the package's ``data/`` folder, as the recipes do.
    """

    def __init__(self, train_ids: torch.Tensor, validation_ids: torch.Tensor, *, length: int = 64,
                 eval_batches: int = 4, eval_seed: int = 1000, tokenizer: CharTokenizer | None = None,
                 text: str | None = None):
        self.train_ids, self.validation_ids = train_ids, validation_ids
        self.length = check_int("length", length, minimum=1)
        self.eval_batches = check_int("eval_batches", eval_batches, minimum=1)
        self.eval_seed = check_int("eval_seed", eval_seed, minimum=0)
        self.tokenizer, self.text = tokenizer, text

    @classmethod
    def from_text(cls, text: str = "shakespeare.txt", *, length: int = 64,
                  validation_fraction: float = 0.1, eval_batches: int = 4,
                  eval_seed: int = 1000) -> "TextData":
        """Read ``data/TEXT`` of the package, tokenize it by character and hold out its end."""
        content = _package_text(text)
        tokenizer = CharTokenizer(content)
        train_ids, validation_ids = split_text(tokenizer.encode(content), validation_fraction)
        return cls(train_ids, validation_ids, length=length, eval_batches=eval_batches,
                   eval_seed=eval_seed, tokenizer=tokenizer, text=content)

    def model_arguments(self) -> dict:
        """What the text decides of the model: its vocabulary size."""
        return {"vocab_size": self.tokenizer.vocab_size}

    def describe(self) -> dict:
        """What a checkpoint keeps about the text: the tokenizer's characters, the text's
        SHA-256 and length (Chapter 9 checks the weights were trained on the shipped text)."""
        return {"characters": self.tokenizer.characters, "text_sha256": text_fingerprint(self.text),
                "text_characters": len(self.text)}

    def batch(self, batch_size, generator):
        return make_lm_batch(self.train_ids, batch_size, self.length, generator)

    def loss(self, model, batch):
        return _loss(model, *batch)

    def evaluate(self, model) -> dict:
        def measured(ids):
            return evaluate_loss(model, ids, batches=self.eval_batches, length=self.length,
                                 seed=self.eval_seed)
        return {"train_sample_loss": measured(self.train_ids),
                "validation_loss": measured(self.validation_ids)}


def _log(history: dict, batch_size: int, length: int) -> dict:
    """The training log the chapter reads, from a history: losses rounded to 4 decimals."""
    steps, seconds = len(history["losses"]), history["wall_seconds"][-1]
    return {"step": history["step"],
            "train_loss": [round(loss, 4) for loss in history["train_sample_loss"]],
            "validation_loss": [round(loss, 4) for loss in history["validation_loss"]],
            "steps": steps, "train_seconds": round(seconds, 2),
            "cpu_seconds": round(history["cpu_seconds"][-1], 2),
            "tokens_per_second": round(steps * batch_size * length / seconds, 1)}


def train_language_model(model: nn.Module, train_ids: torch.Tensor, validation_ids: torch.Tensor,
                         *, steps: int, batch_size: int = 32, length: int = 64,
                         learning_rate: float = 3e-3, warmup_steps: int = 50, seed: int = 0,
                         eval_every: int = 100, eval_batches: int = 4) -> dict:
    """Train a character language model with AdamW and record its loss curves (Chapter 9, 9.4).
    Derived in Chapter 9.

    The learning rate rises linearly for ``warmup_steps`` and then follows a cosine down to a
    tenth of ``learning_rate``; gradients are clipped to norm 1. Every ``eval_every`` steps (and
    at the start and the end) the loss on fixed training windows and on fixed validation windows
    is measured with :func:`evaluate_loss`. Only the optimisation steps are timed. The step loop
    is that of every model, :func:`paying_attention.training.train_steps`, on :class:`TextData`.

    Returns
    -------
    dict with ``step``, ``train_loss``, ``validation_loss`` (lists), ``train_seconds`` (the
    wall time of the optimisation steps), ``cpu_seconds`` (the processor time they took, which
    other programs running on the machine do not inflate), ``tokens_per_second`` (training
    tokens per second of wall time) and ``steps``.
    """
    steps = check_int("steps", steps, minimum=1)
    warmup_steps = check_int("warmup_steps", warmup_steps, minimum=0)
    eval_every = check_int("eval_every", eval_every, minimum=1)
    learning_rate = check_float("learning_rate", learning_rate, minimum=0.0, strict=True)
    data = TextData(train_ids, validation_ids, length=length, eval_batches=eval_batches,
                    eval_seed=seed + 1000)
    optimiser = {"algorithm": "adamw", "learning_rate": learning_rate, "weight_decay": 0.01,
                 "batch_size": batch_size, "clip_norm": 1.0, "schedule": "warmup_cosine",
                 "warmup_steps": warmup_steps, "final_lr_fraction": 0.1}
    history = train_steps(model, data, optimiser=optimiser, stop={"rule": "steps", "steps": steps},
                          seed=seed, eval_every=eval_every)
    return _log(history, batch_size, length)


# ----------------------------------------------------------------------------- shipped models
_NAMES = recipe_names("transformer")
_RECIPE = RECIPES[_NAMES[0]]
#: Shared by every recipe of Chapter 9 (see :data:`paying_attention.recipes.RECIPES`): the same
#: text, data, budget and optimiser.
#: Derived in Chapter 9.
LM_TRAINING = {"steps": _RECIPE.steps, "batch_size": _RECIPE.optimiser["batch_size"],
               "length": _RECIPE.data_settings["length"],
               "learning_rate": _RECIPE.optimiser["learning_rate"],
               "warmup_steps": _RECIPE.optimiser["warmup_steps"], "seed": _RECIPE.seed,
               "eval_every": _RECIPE.eval_every,
               "eval_batches": _RECIPE.data_settings["eval_batches"],
               "validation_fraction": _RECIPE.data_settings["validation_fraction"]}


def build_language_model(name: str, vocab_size: int) -> nn.Module:
    """An untrained model for recipe ``name`` (Chapter 9, section 9.4), seeded so that its initial
    weights are reproducible."""
    return build_model(check_choice("name", name, _NAMES), vocab_size=vocab_size)


def _saved(name: str, directory) -> dict:
    return read(check_choice("name", name, _NAMES), directory)


def load_language_model(name: str, directory=None):
    """Load the trained model of recipe ``name`` and its tokenizer: ``model, tokenizer``.
    Derived in Chapter 9 (sections 9.4).

    The models of Chapter 9 (sections 9.4, 9.5 and the exercises), trained by
    ``scripts/train.py NAME``.
    """
    saved = _saved(name, directory)
    characters = saved["characters"] if "characters" in saved else saved["data"]["characters"]
    return load(name, directory), CharTokenizer(characters)


def training_log(name: str, directory=None) -> dict:
    """The recipe and the training log stored beside the weights of ``name`` (Chapter 9, 9.4).
    Derived in Chapter 9.

    Returns ``{"recipe": dict, **log}`` with the keys of :func:`train_language_model`'s log;
    the recipe in one level, with the text's SHA-256.
    """
    saved = _saved(name, directory)
    recipe = summary(saved, final_loss_steps=20)
    log = saved["log"] if "log" in saved else _log(saved["history"], recipe["batch_size"],
                                                    recipe["length"])
    return {"recipe": recipe, **log}

"""Text as data: the character tokenizer and the text the language models of Chapter 9 learn.

Chapter 9 trains on a public-domain text that ships inside the package (:func:`load_shakespeare`,
``data/shakespeare.txt``; ``data/README.md`` says where it comes from), so the chapter runs
wherever the package is installed, Colab included. :class:`CharTokenizer` gives one id per
distinct character, :func:`split_text` holds out the end of the text, :func:`make_lm_batch` draws
the windows a language model learns from, and :func:`text_fingerprint` names the text a
checkpoint was trained on.
"""
from __future__ import annotations

import hashlib
from importlib import resources

import torch

from ._checks import check_float, check_int, check_tokens

__all__ = ["CharTokenizer", "load_shakespeare", "make_lm_batch", "package_text", "split_text",
           "text_fingerprint"]


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


def load_shakespeare() -> str:
    """The text the language models of Chapter 9 learn: 111,902 characters of *Coriolanus*.

    Used in Chapter 9 (section 9.1). It ships inside the package
    (``paying_attention/data/shakespeare.txt``; its ``README.md`` says where it comes from), so
    the chapter runs wherever the package is installed, Colab included.
    """
    return package_text("shakespeare.txt")


def package_text(name: str) -> str:
    """The text of ``data/NAME`` inside the package (read as UTF-8)."""
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
    ids = check_tokens("ids", ids, ndim=1)
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
    ids = check_tokens("ids", ids, ndim=1)
    batch_size = check_int("batch_size", batch_size, minimum=1)
    length = check_int("length", length, minimum=1)
    if len(ids) < length + 1:
        raise ValueError(f"ids must hold at least length + 1 = {length + 1} tokens, got {len(ids)}")
    starts = torch.randint(0, len(ids) - length, (batch_size,), generator=generator)  # (B,)
    windows = torch.stack([ids[start:start + length + 1] for start in starts.tolist()])
    return windows[:, :-1], windows[:, 1:]  # (B, T), (B, T)

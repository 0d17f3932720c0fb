"""The text of Chapter 9: the character tokenizer, the shipped text, its split and its batches."""
from pathlib import Path

import pytest
import torch

from paying_attention.text import CharTokenizer, load_shakespeare, make_lm_batch, split_text

ROOT = Path(__file__).resolve().parents[1]


# ----------------------------------------------------------------------------- tokenizer
def test_tokenizer_round_trip_and_vocabulary():
    text = "To be, or not to be:\nthat is the question."
    tokenizer = CharTokenizer(text)
    assert tokenizer.characters == "".join(sorted(set(text)))
    assert tokenizer.vocab_size == len(set(text)) == len(tokenizer)
    ids = tokenizer.encode(text)
    assert ids.dtype == torch.long and ids.shape == (len(text),)
    assert tokenizer.decode(ids) == text
    assert tokenizer.decode(ids.tolist()) == text
    assert CharTokenizer(tokenizer.characters).characters == tokenizer.characters


def test_tokenizer_rejects_unknown_characters_and_bad_ids():
    tokenizer = CharTokenizer("abc ")
    with pytest.raises(ValueError, match=r"not in the vocabulary.*'z'"):
        tokenizer.encode("a z")
    with pytest.raises(ValueError, match=r"ids must lie in \[0, 3\]"):
        tokenizer.decode([0, 4])
    with pytest.raises(TypeError, match="integers"):
        tokenizer.decode(torch.tensor([0.0, 1.0]))
    with pytest.raises(ValueError, match="at least one character"):
        CharTokenizer("")
    with pytest.raises(TypeError, match="str"):
        tokenizer.encode(["a"])


# ----------------------------------------------------------------------------- the text and its batches
def test_batches_are_shifted_windows_and_the_split_keeps_the_end():
    ids = torch.arange(100)
    inputs, targets = make_lm_batch(ids, 8, 10, torch.Generator().manual_seed(0))
    assert inputs.shape == targets.shape == (8, 10)
    assert torch.equal(targets[:, :-1], inputs[:, 1:]) and torch.equal(targets, inputs + 1)
    train, validation = split_text(ids, 0.1)
    assert torch.equal(train, ids[:90]) and torch.equal(validation, ids[90:])


def test_the_text_ships_inside_the_package():
    """Chapter 9 reads its text from the installed package (Colab has no book/ folder), so the
    text must be package data that an install copies."""
    text = load_shakespeare()
    assert len(text) == 111_902 and text.startswith("First Citizen:\nBefore we proceed")
    assert text.isascii() and text.endswith("\n")
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert '"data/*.txt"' in pyproject

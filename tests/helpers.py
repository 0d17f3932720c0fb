"""Builders that more than one test module needs, written once (imported as ``tests.helpers``)."""
import torch

from paying_attention.tasks import RepeatBatch
from paying_attention.transformer import TinyTransformerLM


def repeat_batch(rows):
    """A RepeatBatch built by hand from (tokens, start, segment length) of every sequence."""
    tokens = torch.tensor([tokens for tokens, _, _ in rows])
    positions = torch.arange(tokens.shape[1])
    first = torch.stack([(positions >= start) & (positions < start + size) for _, start, size in rows])
    second = torch.stack([(positions >= start + size) & (positions < start + 2 * size)
                          for _, start, size in rows])
    return RepeatBatch(tokens, first, second)


def small_model(position="sinusoidal", **changes):
    """A seeded two-layer TinyTransformerLM of width 16 over 11 symbols, in eval mode."""
    torch.manual_seed(0)
    config = dict(vocab_size=11, d_model=16, num_heads=4, num_layers=2, d_ff=32, max_length=12,
                  position=position)
    config.update(changes)
    return TinyTransformerLM(**config).eval()

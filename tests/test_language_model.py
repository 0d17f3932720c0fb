"""Language models: seeded sampling and generation from any model that maps ids to logits."""
import torch

from paying_attention.language_model import generate, sample_next_token
from tests.helpers import small_model


# ----------------------------------------------------------------------------- sampling
def test_generate_is_deterministic_with_a_seeded_generator():
    model = small_model()
    prompt = torch.tensor([1, 2, 3])

    def sample(seed, temperature=1.0, length=30):
        return generate(model, prompt, length, temperature,
                        generator=torch.Generator().manual_seed(seed))
    first, second = sample(0), sample(0)
    assert first.shape == (33,) and torch.equal(first[:3], prompt)
    assert torch.equal(first, second)
    assert not torch.equal(first, sample(1))
    assert torch.equal(sample(0, 0.0), sample(5, 0.0))            # greedy needs no randomness
    long = sample(0, length=40)                                   # beyond max_length = 12
    assert long.shape == (43,) and int(long.max()) < 11


def test_greedy_generation_follows_the_argmax():
    model = small_model()
    tokens = generate(model, torch.tensor([4]), 5, temperature=0.0)
    for t in range(1, 6):
        assert int(model(tokens[None, :t])[0, -1].argmax()) == int(tokens[t])


def test_sample_next_token_follows_the_distribution():
    logits = torch.tensor([0.0, 1.0, 2.0, -1.0])
    generator = torch.Generator().manual_seed(0)
    draws = torch.tensor([sample_next_token(logits, 1.0, generator) for _ in range(4000)])
    frequencies = torch.bincount(draws, minlength=4).double() / 4000
    assert torch.allclose(frequencies, torch.softmax(logits.double(), 0), atol=0.03)
    cold = [sample_next_token(logits, 0.05, generator) for _ in range(50)]
    assert set(cold) == {2}

"""Chapter 5's models of "which symbol was at position p?": shapes, what positions change, bad
input."""
import pytest
import torch

from paying_attention.recall import RecallAttention, RecallGRU
from paying_attention.tasks import make_recall_batch
from paying_attention.training import build_recall_model, train_recall




@pytest.mark.parametrize("model_class", [RecallAttention, RecallGRU])
@pytest.mark.parametrize("length", [1, 9, 64])
def test_models_give_one_logit_per_symbol(model_class, length):
    torch.manual_seed(0)
    model = model_class()
    tokens, _ = make_recall_batch(3, length)
    logits, weights = model(tokens)
    assert logits.shape == (3, 8)
    if model_class is RecallAttention:
        assert weights.shape == (3, length + 1, length + 1)
        torch.testing.assert_close(weights.sum(-1), torch.ones(3, length + 1))
    else:
        assert weights is None


def test_attention_without_positions_cannot_tell_where_a_symbol_is():
    """Without position encodings the answer is the same for every order of the symbols."""
    torch.manual_seed(0)
    model = RecallAttention(positions=False)
    tokens, _ = make_recall_batch(4, 10, generator=torch.Generator().manual_seed(1))
    shuffled = torch.cat([tokens[:, :-1][:, torch.randperm(10)], tokens[:, -1:]], dim=1)
    torch.testing.assert_close(model(shuffled)[0], model(tokens)[0])
    with_positions = RecallAttention(positions=True)
    assert not torch.allclose(with_positions(shuffled)[0], with_positions(tokens)[0])


@pytest.mark.parametrize("tokens,error,match", [
    (torch.zeros(2, 66, dtype=torch.long), ValueError, r"shape \(B, T \+ 1\)"),
    (torch.zeros(2, 1, dtype=torch.long), ValueError, r"shape \(B, T \+ 1\)"),
    (torch.zeros(5, dtype=torch.long), ValueError, r"shape \(B, T \+ 1\)"),
    (torch.full((2, 4), 72), ValueError, r"ids in \[0, 71\]"),
    (torch.zeros(2, 4), TypeError, "integer token ids"),
])
@pytest.mark.parametrize("model_class", [RecallAttention, RecallGRU])
def test_models_bad_input(model_class, tokens, error, match):
    with pytest.raises(error, match=match):
        model_class()(tokens)


def test_model_constructor_bad_input():
    with pytest.raises(ValueError, match="d_model must be even"):
        RecallAttention(d_model=7)
    with pytest.raises(ValueError, match="hidden_size must be >= 1"):
        RecallGRU(hidden_size=0)
    with pytest.raises(ValueError, match="name must be one of"):
        build_recall_model("transformer")
    with pytest.raises(ValueError, match=r"lengths\[1\] must be <= 64"):
        train_recall(RecallGRU(), steps=1, lengths=(4, 80))
    with pytest.raises(ValueError, match=r"lengths\[1\] must be >= 8"):
        train_recall(RecallGRU(), steps=1, lengths=(8, 4))
    with pytest.raises(ValueError, match=r"\(shortest, longest\)"):
        train_recall(RecallGRU(), steps=1, lengths=[8])

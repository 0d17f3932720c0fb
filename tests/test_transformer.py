"""The transformers: the block against a hand computation, the tiny language model of Chapter 9
(shapes, causality, residuals, bad input), and the models of Chapters 6 and 7."""
import math

import pytest
import torch

from paying_attention.language_model import GRULanguageModel, generate
from paying_attention.masking import causal_mask
from paying_attention.multihead import multi_head_attention_loop
from paying_attention.text import make_lm_batch
from paying_attention.toy_language import NOUN_LEMMAS, VOCABULARY, generate_sentences
from paying_attention.transformer import (AttentionOnlyTransformer, FeedForward, TinyTransformerLM,
                                          ToyLanguageModel, TransformerBlock)
from tests.helpers import small_model


# ----------------------------------------------------------------------------- shapes
@pytest.mark.parametrize("position", ["sinusoidal", "learned", "none"])
@pytest.mark.parametrize("batch, length", [(1, 1), (3, 7), (2, 12)])
def test_shapes_and_attention_weights(position, batch, length):
    model = small_model(position)
    tokens = torch.randint(0, 11, (batch, length))
    logits = model(tokens)
    assert logits.shape == (batch, length, 11)
    logits_again, weights = model(tokens, return_weights=True)
    assert torch.equal(logits, logits_again)
    assert weights.shape == (2, batch, 4, length, length)                 # (L, B, H, T, T)
    assert torch.allclose(weights.sum(-1), torch.ones(2, batch, 4, length), atol=1e-6)
    future = ~causal_mask(length, backend="torch")
    assert torch.all(weights[..., future] == 0)                          # nothing from the future


@pytest.mark.parametrize("d_model, d_ff", [(8, 16), (32, 128)])
def test_block_and_feed_forward_keep_the_shape(d_model, d_ff):
    x = torch.randn(2, 5, d_model)
    assert FeedForward(d_model, d_ff)(x).shape == (2, 5, d_model)
    output, weights = TransformerBlock(d_model, 2, d_ff)(x)
    assert output.shape == (2, 5, d_model) and weights.shape == (2, 2, 5, 5)
    output, weights = TransformerBlock(d_model, 2, d_ff)(x, need_weights=False)
    assert output.shape == (2, 5, d_model) and weights is None


# ----------------------------------------------------------------------------- causality
@pytest.mark.parametrize("make", [lambda: small_model("sinusoidal"), lambda: small_model("learned"),
                                  lambda: GRULanguageModel(11, 8, 16, 12).eval()])
@pytest.mark.parametrize("cut", [0, 4, 10])
def test_changing_future_tokens_leaves_earlier_logits_unchanged(make, cut):
    model = make()
    generator = torch.Generator().manual_seed(cut)
    tokens = torch.randint(0, 11, (3, 12), generator=generator)
    changed = tokens.clone()
    changed[:, cut + 1:] = (changed[:, cut + 1:] + 1 + torch.randint(
        0, 9, changed[:, cut + 1:].shape, generator=generator)) % 11   # every later token differs
    before, after = model(tokens), model(changed)
    assert torch.allclose(before[:, :cut + 1], after[:, :cut + 1], atol=1e-6)
    if cut < 11:
        assert not torch.allclose(before[:, cut + 1:], after[:, cut + 1:], atol=1e-4)


# ----------------------------------------------------------------------------- the block, by hand
def layer_norm_by_hand(x, norm):
    mean = x.mean(-1, keepdim=True)
    variance = ((x - mean) ** 2).mean(-1, keepdim=True)                 # biased, as LayerNorm
    return (x - mean) / torch.sqrt(variance + norm.eps) * norm.weight + norm.bias


@pytest.mark.parametrize("residual", [True, False])
def test_block_equals_a_hand_computation(residual):
    torch.manual_seed(1)
    block = TransformerBlock(16, 4, 40, residual=residual)
    with torch.no_grad():                       # non-trivial layer-norm parameters and biases
        for parameter in block.parameters():
            if parameter.dim() == 1:
                parameter.normal_(0.0, 0.5)
    x = torch.randn(2, 6, 16)
    attention = block.attention
    normed = layer_norm_by_hand(x, block.norm_attention)
    attended, weights = multi_head_attention_loop(
        normed, normed, normed, attention.W_Q, attention.W_K, attention.W_V, attention.W_O, 4,
        b_Q=attention.b_Q, b_K=attention.b_K, b_V=attention.b_V, b_O=attention.b_O,
        mask=torch.tril(torch.ones(6, 6, dtype=torch.bool)))
    hidden = x + attended if residual else attended
    mlp = block.feed_forward
    z = layer_norm_by_hand(hidden, block.norm_feed_forward)
    gelu = 0.5 * (z @ mlp.W_1 + mlp.b_1) * (1 + torch.erf((z @ mlp.W_1 + mlp.b_1) / math.sqrt(2)))
    expected = (hidden if residual else 0) + gelu @ mlp.W_2 + mlp.b_2
    output, block_weights = block(x)
    assert torch.allclose(output, expected, atol=1e-5)
    assert torch.allclose(block_weights, weights, atol=1e-6)


def test_model_is_embedding_blocks_norm_unembedding():
    model = small_model("sinusoidal")
    tokens = torch.randint(0, 11, (2, 9))
    x = model.token_embedding(tokens) + model.position_encoding[:9]
    for block in model.blocks:
        x, _ = block(x)
    expected = model.unembedding(model.final_norm(x))
    assert torch.allclose(model(tokens), expected, atol=1e-6)


def test_without_residuals_the_positions_collapse_onto_one_vector():
    """Chapter 9's claim: without the residual path, stacked attention averages the positions
    until they are nearly identical; with it, each position keeps its own vector."""
    def mean_cosine(residual, layers):
        model = small_model("sinusoidal", num_layers=layers, residual=residual)
        tokens = torch.randint(0, 11, (4, 12), generator=torch.Generator().manual_seed(0))
        x = model.embed(tokens)
        for block in model.blocks:
            x, _ = block(x)
        unit = torch.nn.functional.normalize(x, dim=-1)                  # (B, T, d_model)
        return (unit @ unit.transpose(1, 2)).mean().item()              # mean over (B, T, T)
    assert mean_cosine(False, 8) > 0.9
    assert mean_cosine(True, 8) < 0.6
    assert mean_cosine(False, 8) > mean_cosine(False, 2) - 1e-3


# ----------------------------------------------------------------------------- bad input
def test_bad_input_raises_clear_errors():
    model = small_model()
    with pytest.raises(ValueError, match="exceeds max_length = 12"):
        model(torch.zeros(1, 13, dtype=torch.long))
    with pytest.raises(ValueError, match=r"ids in \[0, 10\]"):
        model(torch.tensor([[0, 11]]))
    with pytest.raises(ValueError, match=r"shape \(B, T\)"):
        model(torch.zeros(5, dtype=torch.long))
    with pytest.raises(TypeError, match="integer token ids"):
        model(torch.zeros(1, 5))
    with pytest.raises(ValueError, match="d_model must be divisible by num_heads"):
        TinyTransformerLM(11, 30, 4, 1, 32, 12)
    with pytest.raises(ValueError, match="position must be one of"):
        TinyTransformerLM(11, 16, 4, 1, 32, 12, position="rotary")
    with pytest.raises(ValueError, match=r"shape \(B, T, d_model\) with d_model = 16"):
        TransformerBlock(16, 4, 32)(torch.randn(2, 3, 8))
    with pytest.raises(ValueError, match="temperature must be >= 0"):
        generate(model, torch.tensor([1]), 3, temperature=-1.0)
    with pytest.raises(ValueError, match=r"shape \(T,\) with T >= 1"):
        generate(model, torch.tensor([], dtype=torch.long), 3)
    with pytest.raises(ValueError, match="at least length"):
        make_lm_batch(torch.arange(5), 2, 5)


# ----------------------------------------------------------------------------- Chapter 7's attention-only model
@pytest.mark.parametrize("layers,heads", [(1, 1), (2, 2), (3, 4)])
def test_attention_only_model_shapes_and_causal_maps(layers, heads):
    torch.manual_seed(0)
    model = AttentionOnlyTransformer(vocab_size=11, max_length=9, d_model=8, num_heads=heads,
                                     num_layers=layers)
    tokens = torch.randint(0, 11, (3, 9))
    logits, weights = model(tokens)
    assert logits.shape == (3, 9, 11)
    assert weights.shape == (layers, 3, heads, 9, 9)
    torch.testing.assert_close(weights.sum(-1), torch.ones(layers, 3, heads, 9))
    assert torch.equal(weights.triu(1), torch.zeros_like(weights))


def test_attention_only_model_is_causal():
    torch.manual_seed(0)
    model = AttentionOnlyTransformer(vocab_size=7, max_length=8, d_model=8, num_heads=2)
    tokens = torch.randint(0, 7, (2, 8))
    changed = tokens.clone()
    changed[:, 5:] = (changed[:, 5:] + 1) % 7                    # change the future only
    logits, _ = model(tokens)
    logits_changed, _ = model(changed)
    torch.testing.assert_close(logits[:, :5], logits_changed[:, :5])


def test_attention_only_model_without_heads_keeps_the_direct_path():
    torch.manual_seed(0)
    model = AttentionOnlyTransformer(vocab_size=7, max_length=6, d_model=8, num_heads=2)
    tokens = torch.randint(0, 7, (2, 6))
    logits, _ = model(tokens, head_mask=torch.zeros(2, 2))
    stream = model.token_embedding(tokens) + model.position_embedding.weight[:6]
    for attention in model.attentions:                           # only the output bias remains
        stream = stream + attention.b_O
    torch.testing.assert_close(logits, model.unembedding(stream))


@pytest.mark.parametrize("tokens,kwargs,match", [
    (torch.zeros(2, 10, dtype=torch.long), {}, "exceeds max_length = 8"),
    (torch.full((2, 4), 7), {}, r"ids in \[0, 6\]"),
    (torch.zeros(4, dtype=torch.long), {}, r"shape \(B, T\)"),
    (torch.zeros(2, 4, dtype=torch.long), {"head_mask": torch.ones(2)}, r"\(L, H\) = \(2, 2\)"),
])
def test_attention_only_model_rejects_bad_input(tokens, kwargs, match):
    model = AttentionOnlyTransformer(vocab_size=7, max_length=8, d_model=8, num_heads=2)
    with pytest.raises(ValueError, match=match):
        model(tokens, **kwargs)


# ----------------------------------------------------------------------------- Chapter 6's toy-language model
@pytest.fixture(scope="module")
def corpus():
    return generate_sentences(3000, seed=5)


def test_toy_model_is_causal_and_returns_one_map_per_layer_and_head(corpus):
    torch.manual_seed(0)
    model = ToyLanguageModel(d_model=16, num_heads=2, num_layers=2, mlp_width=8).eval()
    tokens = corpus.tokens[:4]
    hidden, weights = model(tokens)
    assert hidden.shape == (4, 21, 16) and weights.shape == (2, 4, 2, 21, 21)
    assert torch.all(weights.triu(1) == 0), "no position looks ahead"
    changed = tokens.clone()
    changed[:, 10:] = 1
    assert torch.allclose(model(changed)[0][:, :10], hidden[:, :10], atol=1e-6)


def test_head_mask_removes_exactly_the_masked_head(corpus):
    """Masking head 0 is the same as deleting its rows of W_O (its share of the layer's output)."""
    torch.manual_seed(0)
    model = ToyLanguageModel(d_model=16, num_heads=2, mlp_width=0).eval()
    part = corpus[:20]
    with torch.no_grad():
        masked = model.predict(part, head_mask=torch.tensor([[0.0, 1.0]]))
        full = model.predict(part)
        model.attentions[0].W_O[:8] = 0.0                 # rows 0..d_k-1: head 0's output
        removed = model.predict(part)
    for task in ("number", "antecedent", "fits"):
        assert masked[task].shape == (20, len(NOUN_LEMMAS) if task == "antecedent" else 2)
        assert torch.allclose(masked[task], removed[task], atol=1e-6)
        assert not torch.allclose(masked[task], full[task], atol=1e-3), "head 0 mattered"


def test_without_its_heads_the_model_reads_nothing_from_other_positions(corpus):
    """One block and no MLP, the chapter's model: only heads carry information between positions.
    With every head masked, the read-outs at the verb, the pronoun and the object ignore every
    other word."""
    torch.manual_seed(0)
    model = ToyLanguageModel(d_model=16, num_heads=2, mlp_width=0).eval()
    part = corpus[:20]
    rows = torch.arange(20)
    changed = torch.where(part.tokens > 0, VOCABULARY.index("the"), 0)    # every word -> "the"
    read = (part.verb_position, part.pronoun_position, part.object_position)
    for position in read:
        changed[rows, position] = part.tokens[rows, position]           # ...but the read ones
    with torch.no_grad():
        for head_mask, should_match in ((torch.zeros(1, 2), True), (torch.ones(1, 2), False)):
            before, _ = model(part.tokens, head_mask=head_mask)
            after, _ = model(changed, head_mask=head_mask)
            for position in read:
                same = torch.equal(before[rows, position], after[rows, position])
                assert same == should_match, (head_mask, position)


def test_toy_model_rejects_bad_input(corpus):
    model = ToyLanguageModel(d_model=16, num_heads=2).eval()
    with pytest.raises(ValueError, match=r"head_mask must have shape \(L, H\)"):
        model(corpus.tokens[:3], head_mask=torch.ones(2))
    with pytest.raises(ValueError, match=r"shape \(B, T\)"):
        model(corpus.tokens[0])
    with pytest.raises(ValueError, match="divisible"):
        ToyLanguageModel(d_model=10, num_heads=4)

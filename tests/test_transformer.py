"""The tiny transformer of Chapter 9: shapes, causality, the block against a hand computation,
the tokenizer, seeded sampling, bad input, and the shipped weights and their training script."""
import math
from pathlib import Path

import pytest
import torch

from paying_attention.masking import causal_mask
from paying_attention.multihead import multi_head_attention_loop
from paying_attention.recipes import RECIPES, recipe_names
from paying_attention.training import fit
from paying_attention.transformer import (LM_TRAINING, CharTokenizer, FeedForward,
                                          GRULanguageModel, TinyTransformerLM, TransformerBlock,
                                          build_language_model, evaluate_loss, generate,
                                          load_language_model, load_shakespeare, make_lm_batch,
                                          sample_next_token, split_text, text_fingerprint,
                                          train_language_model, training_log)

LM_NAMES = recipe_names("transformer")

ROOT = Path(__file__).resolve().parents[1]
WEIGHTS = ROOT / "src" / "paying_attention" / "weights"


def small_model(position="sinusoidal", **changes):
    torch.manual_seed(0)
    config = dict(vocab_size=11, d_model=16, num_heads=4, num_layers=2, d_ff=32, max_length=12,
                  position=position)
    config.update(changes)
    return TinyTransformerLM(**config).eval()


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
    with pytest.raises(ValueError, match="at least one token"):
        generate(model, torch.tensor([], dtype=torch.long), 3)
    with pytest.raises(ValueError, match="at least length"):
        make_lm_batch(torch.arange(5), 2, 5)


# ----------------------------------------------------------------------------- training
def test_batches_are_shifted_windows_and_the_split_keeps_the_end():
    ids = torch.arange(100)
    inputs, targets = make_lm_batch(ids, 8, 10, torch.Generator().manual_seed(0))
    assert inputs.shape == targets.shape == (8, 10)
    assert torch.equal(targets[:, :-1], inputs[:, 1:]) and torch.equal(targets, inputs + 1)
    train, validation = split_text(ids, 0.1)
    assert torch.equal(train, ids[:90]) and torch.equal(validation, ids[90:])


def test_untrained_loss_is_near_log_vocabulary_and_training_lowers_it():
    text = "the cat sat on the mat. " * 40
    tokenizer = CharTokenizer(text)
    train, validation = split_text(tokenizer.encode(text))
    torch.manual_seed(0)
    model = TinyTransformerLM(tokenizer.vocab_size, 16, 2, 1, 32, 16)
    start = evaluate_loss(model, train, batch_size=8, length=16)
    assert abs(start - math.log(tokenizer.vocab_size)) < 0.5
    log = train_language_model(model, train, validation, steps=60, batch_size=8, length=16,
                               learning_rate=1e-2, warmup_steps=5, eval_every=30, eval_batches=2)
    assert log["step"] == [0, 30, 60]
    assert log["validation_loss"][-1] < 0.5 * log["validation_loss"][0]
    assert log["train_seconds"] > 0 and log["cpu_seconds"] > 0 and log["tokens_per_second"] > 0


# ----------------------------------------------------------------------------- shipped weights
def test_the_text_ships_inside_the_package():
    """Chapter 9 reads its text from the installed package (Colab has no book/ folder), so the
    text must be package data that an install copies."""
    text = load_shakespeare()
    assert len(text) == 111_902 and text.startswith("First Citizen:\nBefore we proceed")
    assert text.isascii() and text.endswith("\n")
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert '"data/*.txt"' in pyproject


@pytest.mark.parametrize("name", sorted(LM_NAMES))
def test_shipped_weights_match_their_recipe_and_text(name):
    path = WEIGHTS / f"{name}.pt"
    assert path.stat().st_size < 1_000_000
    log = training_log(name)
    text = load_shakespeare()
    assert log["recipe"]["text_sha256"] == text_fingerprint(text)
    for key, value in LM_TRAINING.items():
        assert log["recipe"][key] == value, key
    assert log["step"][-1] == LM_TRAINING["steps"]
    assert log["cpu_seconds"] < 60          # "trained in under a minute" of one core's time
    model, tokenizer = load_language_model(name)
    assert tokenizer.characters == CharTokenizer(text).characters
    _, validation = split_text(tokenizer.encode(text), LM_TRAINING["validation_fraction"])
    assert log["validation_loss"][-1] < 2.3
    assert abs(evaluate_loss(model, validation, batches=LM_TRAINING["eval_batches"],
                             length=LM_TRAINING["length"], seed=LM_TRAINING["seed"] + 1000)
               - log["validation_loss"][-1]) < 1e-3


def test_the_models_compared_have_about_the_same_size():
    counts = {name: sum(p.numel() for p in build_language_model(name, 61).parameters())
              for name in LM_NAMES}
    assert abs(counts["tiny_gru"] / counts["tiny_transformer"] - 1) < 0.05


def test_load_rejects_unknown_name_and_missing_file(tmp_path):
    with pytest.raises(ValueError, match="name must be one of"):
        load_language_model("tiny_lstm")
    with pytest.raises(FileNotFoundError, match="scripts/train.py tiny_gru"):
        load_language_model("tiny_gru", directory=tmp_path)


def test_train_language_model_is_the_recipe_loop_and_a_quick_run_reads_back(tmp_path):
    """Chapter 9's train_language_model on a registry model takes fit()'s steps, and the log
    training_log derives from a new checkpoint is the one train_language_model returns."""
    recipe = RECIPES["tiny_gru"].quick()
    model, history = fit(recipe, out=tmp_path)
    text = load_shakespeare()
    tokenizer = CharTokenizer(text)
    train, validation = split_text(tokenizer.encode(text), LM_TRAINING["validation_fraction"])
    again = build_language_model("tiny_gru", tokenizer.vocab_size)
    log = train_language_model(again, train, validation, steps=20, batch_size=16, length=64,
                               warmup_steps=20, eval_every=10, eval_batches=4)
    assert all(torch.equal(a, b) for a, b in zip(model.state_dict().values(),
                                                 again.state_dict().values()))
    saved = training_log("tiny_gru", tmp_path)
    for key in ("step", "train_loss", "validation_loss", "steps"):
        assert saved[key] == log[key], key
    assert saved["step"] == [0, 10, 20] and saved["recipe"]["eval_every"] == 10
    assert saved["recipe"]["text_sha256"] == text_fingerprint(text)
    loaded, loaded_tokenizer = load_language_model("tiny_gru", tmp_path)
    assert loaded.config == model.config and loaded_tokenizer.characters == tokenizer.characters

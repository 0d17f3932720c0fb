"""Tests of the toy language of Chapter 6: grammar invariants, gold links, determinism, bad input,
the small model trained on it, and the script that produced its shipped weights."""
import subprocess
import sys
from pathlib import Path

import pytest
import torch

from paying_attention.toy_language import (NOUN_LEMMAS, TOY_MODELS, TOY_RECIPE, VOCABULARY,
                                           ToyLanguageModel, ablation_drops, decode,
                                           generate_sentences, link_scores, load_toy_model,
                                           noun_gender, pronoun_for, saved_toy_recipe,
                                           toy_accuracy, train_toy_model)

ROOT = Path(__file__).resolve().parents[1]
PRONOUNS = {"he", "she", "it", "they"}
NOUN_FORMS = {}
for _lemma in NOUN_LEMMAS:
    NOUN_FORMS[_lemma] = (_lemma, False)
    NOUN_FORMS[{"man": "men", "woman": "women"}.get(_lemma, _lemma + "s")] = (_lemma, True)


@pytest.fixture(scope="module")
def corpus():
    return generate_sentences(3000, seed=5)


def sentences(corpus):
    """Iterate over (index, words) of a corpus."""
    return enumerate(corpus.words)


# ----------------------------------------------------------------------------- the corpus
def test_tokens_decode_to_the_words_with_padding_at_the_end(corpus):
    assert corpus.tokens.shape == (3000, 18) and corpus.tokens.dtype == torch.long
    for i, words in sentences(corpus):
        length = int(corpus.lengths[i])
        assert length == len(words) <= 18
        assert decode(corpus.tokens[i]) == words
        assert torch.all(corpus.tokens[i, length:] == 0) and torch.all(corpus.tokens[i, :length] > 0)
        assert words[-1] == "." and words[-4] == "and"


def test_agreement_link_points_from_the_main_verb_to_the_head_noun(corpus):
    for i, words in sentences(corpus):
        verb, subject = int(corpus.verb_position[i]), int(corpus.subject_position[i])
        nouns = [p for p, word in enumerate(words) if word in NOUN_FORMS]
        assert subject == nouns[0], "the subject is the first noun"
        assert words[verb] in ("see", "like", "chase", "help", "know")
        lemma, plural = NOUN_FORMS[words[subject]]
        assert int(corpus.number[i]) == int(plural), "the label is the subject's number"
        attractor = int(corpus.attractor_position[i])
        if attractor >= 0:   # the verb comes after the relative clause, not right after the subject
            assert words[attractor - 2:attractor - 1] == ["that"] or words[attractor - 3] == "that"
            assert subject < attractor < verb
            assert words[verb - 1] in ("see", "like", "chase", "help", "know")
            assert bool(corpus.attractor_mismatch[i]) == (NOUN_FORMS[words[attractor]][1] != plural)
        else:
            assert verb == subject + 1 and not corpus.attractor_mismatch[i]


def test_coreference_link_points_from_the_pronoun_to_its_only_possible_antecedent(corpus):
    for i, words in sentences(corpus):
        pronoun, antecedent = int(corpus.pronoun_position[i]), int(corpus.antecedent_position[i])
        assert words[pronoun] in PRONOUNS and antecedent < pronoun
        lemma, plural = NOUN_FORMS[words[antecedent]]
        assert pronoun_for(lemma, plural) == words[pronoun]
        assert NOUN_LEMMAS[int(corpus.antecedent[i])] == lemma
        matching = [p for p, word in enumerate(words[:pronoun])
                    if word in NOUN_FORMS and pronoun_for(*NOUN_FORMS[word]) == words[pronoun]]
        assert matching == [antecedent], "exactly one noun fits the pronoun"


def test_every_sentence_has_two_or_three_distinct_nouns(corpus):
    for _, words in sentences(corpus):
        lemmas = [NOUN_FORMS[word][0] for word in words if word in NOUN_FORMS]
        assert len(lemmas) in (2, 3) and len(set(lemmas)) == len(lemmas)


def test_label_statistics_leave_no_shortcut():
    corpus = generate_sentences(20000, seed=1)
    assert abs(corpus.number.float().mean().item() - 0.5) < 0.02
    with_clause = corpus.attractor_position >= 0
    assert abs(with_clause.float().mean().item() - 0.7) < 0.02
    # The attractor disagrees with the subject half the time: its number says nothing.
    assert abs(corpus.attractor_mismatch[with_clause].float().mean().item() - 0.5) < 0.02
    pronouns = corpus.tokens[torch.arange(len(corpus)), corpus.pronoun_position]
    for word in PRONOUNS:
        assert abs((pronouns == VOCABULARY.index(word)).float().mean().item() - 0.25) < 0.03
    # The antecedent is not always in the same role.
    roles = [(corpus.antecedent_position == corpus.subject_position).float().mean().item(),
             (corpus.antecedent_position == corpus.attractor_position).float().mean().item()]
    assert all(0.15 < share < 0.6 for share in roles)


def test_generation_is_deterministic_by_seed():
    first, second = generate_sentences(200, seed=3), generate_sentences(200, seed=3)
    assert first.words == second.words
    for name in ("tokens", "number", "antecedent", "subject_position", "antecedent_position"):
        assert torch.equal(getattr(first, name), getattr(second, name))
    assert generate_sentences(200, seed=4).words != first.words


def test_rates_change_the_grammar():
    assert torch.all(generate_sentences(100, relative_clause_rate=0.0).attractor_position == -1)
    assert torch.all(generate_sentences(100, relative_clause_rate=1.0).attractor_position >= 0)
    plain = generate_sentences(100, adjective_rate=0.0, adverb_rate=0.0)
    assert torch.all(plain.subject_position == 1)


def test_corpus_indexing_keeps_rows_together(corpus):
    part = corpus[corpus.attractor_mismatch]
    assert len(part) == int(corpus.attractor_mismatch.sum())
    assert torch.all(part.attractor_mismatch)
    first = corpus[:5]
    assert first.words == corpus.words[:5] and torch.equal(first.tokens, corpus.tokens[:5])
    assert corpus[[2, 0]].words == [corpus.words[2], corpus.words[0]]


def test_lexicon_helpers():
    assert noun_gender("queen") == "feminine" and pronoun_for("dog", False) == "it"
    assert pronoun_for("king", True) == "they"
    assert len(VOCABULARY) == len(set(VOCABULARY)) and VOCABULARY[0] == "<pad>"


@pytest.mark.parametrize("kwargs,error,match", [
    ({"num_sentences": 0}, ValueError, "num_sentences must be >= 1"),
    ({"num_sentences": 2.5}, TypeError, "num_sentences must be an integer"),
    ({"num_sentences": 5, "seed": -1}, ValueError, "seed must be >= 0"),
    ({"num_sentences": 5, "relative_clause_rate": 1.5}, ValueError,
     r"relative_clause_rate must lie in \[0, 1\]"),
    ({"num_sentences": 5, "adjective_rate": -0.1}, ValueError, "adjective_rate must be >= 0"),
    ({"num_sentences": 5, "adverb_rate": "often"}, TypeError, "adverb_rate must be a real number"),
])
def test_bad_input_raises_clear_errors(kwargs, error, match):
    with pytest.raises(error, match=match):
        generate_sentences(**kwargs)


def test_bad_lexicon_input_raises():
    with pytest.raises(ValueError, match="lemma must be one of"):
        noun_gender("dragon")
    with pytest.raises(ValueError, match="token ids must lie in"):
        decode([1, 99])


# ----------------------------------------------------------------------------- the model
def test_model_is_causal_and_returns_one_map_per_layer_and_head(corpus):
    torch.manual_seed(0)
    model = ToyLanguageModel(d_model=16, num_heads=2, num_layers=2, mlp_width=8).eval()
    tokens = corpus.tokens[:4]
    hidden, weights = model(tokens)
    assert hidden.shape == (4, 18, 16) and weights.shape == (2, 4, 2, 18, 18)
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
    for task in ("number", "antecedent"):
        assert masked[task].shape == (20, 2 if task == "number" else len(NOUN_LEMMAS))
        assert torch.allclose(masked[task], removed[task], atol=1e-6)
        assert not torch.allclose(masked[task], full[task], atol=1e-3), "head 0 mattered"


def test_without_its_heads_the_model_reads_nothing_from_other_positions(corpus):
    """One block and no MLP, the chapter's model: only heads carry information between positions.
    With every head masked, the read-outs at the verb and the pronoun ignore every other word."""
    torch.manual_seed(0)
    model = ToyLanguageModel(d_model=16, num_heads=2, mlp_width=0).eval()
    part = corpus[:20]
    rows = torch.arange(20)
    changed = torch.where(part.tokens > 0, VOCABULARY.index("the"), 0)    # every word -> "the"
    for position in (part.verb_position, part.pronoun_position):
        changed[rows, position] = part.tokens[rows, position]           # ...but the read ones
    with torch.no_grad():
        for head_mask, should_match in ((torch.zeros(1, 2), True), (torch.ones(1, 2), False)):
            before, _ = model(part.tokens, head_mask=head_mask)
            after, _ = model(changed, head_mask=head_mask)
            for position in (part.verb_position, part.pronoun_position):
                same = torch.equal(before[rows, position], after[rows, position])
                assert same == should_match, (head_mask, position)


def test_model_rejects_bad_input(corpus):
    model = ToyLanguageModel(d_model=16, num_heads=2).eval()
    with pytest.raises(ValueError, match=r"head_mask must have shape \(L, H\)"):
        model(corpus.tokens[:3], head_mask=torch.ones(2))
    with pytest.raises(ValueError, match=r"shape \(B, T\)"):
        model(corpus.tokens[0])
    with pytest.raises(ValueError, match="divisible"):
        ToyLanguageModel(d_model=10, num_heads=4)


# ----------------------------------------------------------------------------- reading heads
def test_link_scores_count_where_the_largest_weight_lands(corpus):
    part = corpus[:50]
    rows = torch.arange(50)
    weights = torch.full((1, 50, 2, 18, 18), 0.01)                    # (L, N, H, T, T)
    weights[0, rows, 0, part.verb_position, part.subject_position] = 1.0       # head 0: agreement
    weights[0, rows, 1, part.pronoun_position, part.antecedent_position] = 1.0  # head 1: coreference
    weights[0, :25, 1, :, :] = 0.01
    weights[0, rows[:25], 1, part.pronoun_position[:25], 0] = 1.0     # half of head 1 looks at 0
    scores = link_scores(weights, part)
    assert torch.equal(scores["agreement"], torch.tensor([[1.0, 0.0]]))
    assert torch.equal(scores["coreference"], torch.tensor([[0.0, 0.5]]))
    with pytest.raises(ValueError, match=r"\(L, N, H, T, T\) with N = 50"):
        link_scores(weights[:, :10], part)


def test_ablation_drops_of_a_model_without_the_head_it_needs():
    """A shipped model without the head coreference needs loses coreference, not agreement, and
    ``ablation_drops`` reports exactly the accuracy lost when that head is masked."""
    model = load_toy_model("toy_language_seed1")
    sentences = generate_sentences(500, seed=2)
    drops = ablation_drops(model, sentences)
    assert set(drops) == {"agreement", "coreference"}
    assert all(drop.shape == (1, 4) and drop.abs().max() <= 1 for drop in drops.values())
    needed = int(drops["coreference"][0].argmax())
    head_mask = torch.ones(1, 4)
    head_mask[0, needed] = 0.0
    full = toy_accuracy(model, sentences)
    without = toy_accuracy(model, sentences, head_mask=head_mask)
    for task in ("agreement", "coreference"):
        assert drops[task][0, needed] == pytest.approx(full[task] - without[task])
    assert full["coreference"] - without["coreference"] > 0.2, "the head it needs"
    assert full["agreement"] - without["agreement"] < 0.05, "the other task hardly notices"


def test_train_toy_model_lowers_the_loss_and_rejects_bad_budgets():
    torch.manual_seed(0)
    model = ToyLanguageModel(d_model=16, num_heads=2, mlp_width=0)
    losses = train_toy_model(model, steps=60, batch_size=32, train_sentences=500)
    # Untrained, the loss stays near ln 2 + ln 9 = 2.9 whatever the batch; 60 steps take it to 2.4.
    assert len(losses) == 60 and sum(losses[-10:]) < 0.9 * sum(losses[:10])
    with pytest.raises(ValueError, match="steps must be >= 1"):
        train_toy_model(model, steps=0)
    with pytest.raises(ValueError, match="learning_rate must be > 0"):
        train_toy_model(model, steps=1, learning_rate=0.0)


# ----------------------------------------------------------------------------- shipped weights
@pytest.mark.parametrize("name", sorted(TOY_MODELS))
def test_shipped_models_match_their_recipe_and_solve_both_tasks(name):
    recipe = saved_toy_recipe(name)
    for key, value in {**TOY_RECIPE, **TOY_MODELS[name]}.items():
        assert recipe[key] == value, key
    model = load_toy_model(name)
    accuracy = toy_accuracy(model, generate_sentences(1000, seed=2))
    assert accuracy["agreement"] > 0.97 and accuracy["coreference"] > 0.97


def test_load_toy_model_rejects_unknown_names_and_missing_files(tmp_path):
    with pytest.raises(ValueError, match="name must be one of"):
        load_toy_model("toy_language_h99")
    with pytest.raises(FileNotFoundError, match="scripts/train.py toy_language_seed0"):
        load_toy_model(sorted(TOY_MODELS)[0], directory=tmp_path)


def test_training_script_quick_mode_reproduces_itself(tmp_path):
    """The script that made the shipped weights runs, and gives identical weights twice."""
    name = sorted(TOY_MODELS)[0]
    for out in ("first", "second"):
        subprocess.run([sys.executable, str(ROOT / "scripts" / "train.py"), "--quick",
                        "--out", str(tmp_path / out), name], check=True, capture_output=True, text=True)
    first, second = (load_toy_model(name, tmp_path / out) for out in ("first", "second"))
    assert saved_toy_recipe(name, tmp_path / "first")["steps"] == 20
    for (key, a), b in zip(first.state_dict().items(), second.state_dict().values()):
        assert torch.equal(a, b), key

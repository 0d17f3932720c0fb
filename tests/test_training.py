"""The one way to train: fit() on every recipe, its history, the plateau rule, scripts/train.py."""
import os
import subprocess
import sys
from pathlib import Path

import pytest
import torch

from paying_attention.checkpoints import load, read
from paying_attention.pretrained import (load_induction_model, load_language_model, load_toy_model,
                                         saved_toy_recipe, training_log)
from paying_attention.recall import RecallAttention
from paying_attention.recipes import LM_TRAINING, QUICK_STEPS, RECIPES, TOY_MODELS
from paying_attention.text import CharTokenizer, load_shakespeare, split_text, text_fingerprint
from paying_attention.training import (HISTORY_KEYS, build_language_model, build_model,
                                       build_recall_model, converged, fit, late_improvement,
                                       train_induction,
                                       train_language_model, train_recall, train_steps,
                                       train_toy_model)
from paying_attention.training_data import RecallData
from paying_attention.transformer import ToyLanguageModel

ROOT = Path(__file__).resolve().parents[1]


def same_weights(first, second) -> bool:
    one, two = first.state_dict(), second.state_dict()
    return one.keys() == two.keys() and all(torch.equal(one[key], two[key]) for key in one)


@pytest.fixture(scope="module")
def quick_runs(tmp_path_factory):
    """Every recipe of the registry trained with --quick into a temporary folder."""
    out = tmp_path_factory.mktemp("quick")
    return out, {name: fit(name, quick=True, out=out) for name in RECIPES}


@pytest.mark.parametrize("name", sorted(RECIPES))
def test_quick_fit_of_every_recipe_saves_what_reads_back_as_the_same_model(quick_runs, name):
    out, runs = quick_runs
    model, history = runs[name]
    again = load(name, out)
    assert not again.training and again.config == model.config and same_weights(model, again)
    checkpoint = read(name, out)
    assert checkpoint["recipe"] == RECIPES[name].as_dict()
    assert checkpoint["seed"] == RECIPES[name].seed and checkpoint["quick"] is True
    assert checkpoint["history"] == history


@pytest.mark.parametrize("name", sorted(RECIPES))
def test_history_has_its_columns_and_runs_forward_in_steps_and_time(quick_runs, name):
    _, history = quick_runs[1][name]
    assert set(HISTORY_KEYS) <= set(history) and len(history["losses"]) == QUICK_STEPS
    rows = len(history["step"])
    assert all(len(history[key]) == rows for key in set(history) - {"losses"})
    assert history["step"] == [0, 10, 20]                  # step 0, every 10 steps, the end
    assert history["train_loss"][0] is None
    for step in (1, 2):                                    # the mean of the steps since the last row
        assert history["train_loss"][step] == pytest.approx(
            sum(history["losses"][10 * step - 10:10 * step]) / 10)
    for key in ("wall_seconds", "cpu_seconds"):
        assert history[key][0] == 0.0
        assert all(a <= b for a, b in zip(history[key], history[key][1:])), key
    assert history["wall_seconds"][-1] > 0
    assert all(loss > 0 for loss in history["validation_loss"])


def test_a_seeded_quick_run_gives_the_same_weights_twice_and_another_seed_does_not():
    for name in ("copy48_h16_seed0", "recall_attention", "tiny_gru"):
        first, first_history = fit(name, quick=True)
        second, second_history = fit(name, quick=True)
        assert same_weights(first, second), name
        assert first_history["losses"] == second_history["losses"]
        assert first_history["validation_loss"] == second_history["validation_loss"]
        other, _ = fit(name, seed=1, quick=True)
        assert not same_weights(first, other), name


def test_evaluating_does_not_change_the_training():
    """The held-out set has its own generator: a run that measures it every step and one that
    never does take the same steps."""
    recipe = RECIPES["recall_gru"].quick()
    runs = []
    for eval_every in (1, None):
        model = build_model(recipe)
        history = train_steps(model, RecallData(**recipe.data_settings), optimiser=recipe.optimiser,
                              stop=recipe.stop, eval_every=eval_every)
        runs.append((model, history))
    (measured, measured_history), (unmeasured, unmeasured_history) = runs
    assert len(measured_history["step"]) == QUICK_STEPS + 1 and unmeasured_history["step"] == []
    assert measured_history["losses"] == unmeasured_history["losses"]
    assert same_weights(measured, unmeasured)


# ----------------------------------------------------------------------------- the plateau rule
def history_of(losses, every=10):
    return {"step": [every * index for index in range(len(losses))], "validation_loss": losses}


@pytest.mark.parametrize("losses,expected", [
    ([5.0], False),                                   # one evaluation: nothing to compare
    ([5.0, 4.0, 3.0, 2.0, 1.0], False),               # still falling fast
    ([5.0, 2.0, 1.0, 1.0, 1.0, 1.0, 0.995], True),    # the last 20%: 1.0 -> 0.995, 0.5% better
    ([5.0, 2.0, 1.0, 1.0, 1.0, 1.0, 0.97], False),    # 3% better: not yet
    ([5.0, 2.0, 1.0, 1.0, 1.0, 1.0, 1.2], True),      # worse counts as no improvement
    ([3.0, 0.0, 0.0], True),                          # a loss of zero cannot improve
    ([3.0, 0.01, 0.005], False),                      # halved, and above the floor
    ([3.0, 0.001, 0.0005], True),                     # halved, but below the floor of 0.001
])
def test_converged_compares_the_loss_now_with_the_loss_a_fifth_of_the_steps_ago(losses, expected):
    assert converged(history_of(losses)) is expected


def test_converged_reads_its_window_and_tolerance():
    history = history_of([4.0, 3.0, 2.0, 1.9, 1.8])     # 10% better over the last half
    assert not converged(history, fraction=0.5, tolerance=0.02)
    assert converged(history, fraction=0.5, tolerance=0.2)
    assert not converged(history, fraction=0.25, tolerance=0.05)   # 1.9 -> 1.8: 5.3%
    assert converged(history, fraction=0.25, tolerance=0.05, floor=2.0)   # below the floor
    assert late_improvement(history, fraction=0.25) == pytest.approx(0.1 / 1.9)
    assert late_improvement(history_of([4.0, 1.0, 1.5])) == pytest.approx(-0.5)   # it rose
    with pytest.raises(ValueError, match="at least two evaluations"):
        late_improvement(history_of([4.0]))
    with pytest.raises(ValueError, match="floor"):
        converged(history, floor=-1.0)
    with pytest.raises(ValueError, match="fraction must be > 0"):
        converged(history, fraction=0.0)
    with pytest.raises(ValueError, match="fraction must lie in"):
        converged(history, fraction=1.5)
    with pytest.raises(ValueError, match="one validation loss per step"):
        converged({"step": [0, 10], "validation_loss": [1.0]})
    with pytest.raises(ValueError, match="validation loss at every evaluation"):
        converged({"step": [0, 10], "validation_loss": [1.0, None]})


class LineData:
    """y = 3x + 1 with noise: a data source whose loss stops improving at the noise level."""

    def batch(self, batch_size, generator):
        x = torch.randn(batch_size, 1, generator=generator)
        return x, 3 * x + 1 + 0.1 * torch.randn(batch_size, 1, generator=generator)

    def loss(self, model, batch):
        x, y = batch
        return torch.nn.functional.mse_loss(model(x), y)

    def evaluate(self, model):
        batch = self.batch(256, torch.Generator().manual_seed(99))
        return {"validation_loss": self.loss(model, batch).item()}


def test_the_plateau_rule_stops_once_the_validation_loss_stops_improving():
    optimiser = {"algorithm": "adam", "learning_rate": 0.05, "batch_size": 32, "clip_norm": None}
    plateau = {"rule": "plateau", "max_steps": 5000, "fraction": 0.2, "tolerance": 0.02}
    torch.manual_seed(0)
    history = train_steps(torch.nn.Linear(1, 1), LineData(), optimiser=optimiser, stop=plateau,
                          eval_every=20)
    assert 100 < history["step"][-1] < 5000 and converged(history)
    assert history["validation_loss"][-1] < 0.02            # it had learnt the line by then
    assert not converged({key: value[:-1] for key, value in history.items() if key != "losses"})
    torch.manual_seed(0)
    fixed = train_steps(torch.nn.Linear(1, 1), LineData(), optimiser=optimiser,
                        stop={"rule": "steps", "steps": 300}, eval_every=100)
    assert fixed["step"] == [0, 100, 200, 300] and len(fixed["losses"]) == 300
    with pytest.raises(ValueError, match="plateau rule needs eval_every"):
        train_steps(torch.nn.Linear(1, 1), LineData(), optimiser=optimiser, stop=plateau)


def test_the_plateau_rule_waits_for_min_steps():
    """A run that would stop early (the line is learnt in a few hundred steps) goes on to
    min_steps, then stops at the first evaluation where the rule holds."""
    optimiser = {"algorithm": "adam", "learning_rate": 0.05, "batch_size": 32, "clip_norm": None}
    plateau = {"rule": "plateau", "max_steps": 5000, "fraction": 0.2, "tolerance": 0.02}
    torch.manual_seed(0)
    early = train_steps(torch.nn.Linear(1, 1), LineData(), optimiser=optimiser, stop=plateau,
                        eval_every=20)
    torch.manual_seed(0)
    late = train_steps(torch.nn.Linear(1, 1), LineData(), optimiser=optimiser,
                       stop={**plateau, "min_steps": 1000}, eval_every=20)
    assert early["step"][-1] < 1000 <= late["step"][-1] < 5000 and converged(late)
    with pytest.raises(ValueError, match="must not exceed max_steps"):
        train_steps(torch.nn.Linear(1, 1), LineData(), optimiser=optimiser,
                    stop={**plateau, "min_steps": 6000}, eval_every=20)


# ----------------------------------------------------------------------------- the script
@pytest.fixture(scope="module")
def train_script():
    """scripts/train.py as a module, and the processor kernels it chose for torch."""
    sys.path.insert(0, str(ROOT / "scripts"))
    before = os.environ.pop("ATEN_CPU_CAPABILITY", None)
    try:
        import train
        yield train, os.environ.get("ATEN_CPU_CAPABILITY")
    finally:
        sys.path.remove(str(ROOT / "scripts"))
        os.environ.pop("ATEN_CPU_CAPABILITY", None)
        if before is not None:
            os.environ["ATEN_CPU_CAPABILITY"] = before


def test_training_script_saves_what_fit_makes(tmp_path):
    """The script, run as a program on the kernels of this process, writes the weights that
    fit() makes here, and says which kernels made them."""
    kernels = torch.backends.cpu.get_cpu_capability()
    result = subprocess.run([sys.executable, str(ROOT / "scripts" / "train.py"),
                             "copy48_h64_reversed_seed1", "toy_language_seed1", "--quick", "--out",
                             str(tmp_path)], capture_output=True, text=True, cwd=ROOT,
                            env={**os.environ, "ATEN_CPU_CAPABILITY": kernels.lower()})
    assert result.returncode == 0, result.stderr
    assert "copy48_h64_reversed_seed1: 20 steps" in result.stdout
    for name in ("copy48_h64_reversed_seed1", "toy_language_seed1"):
        model, history = fit(name, quick=True)
        assert same_weights(load(name, tmp_path), model), name
        assert read(name, tmp_path)["history"]["losses"] == history["losses"]
        assert read(name, tmp_path)["made_with"]["cpu_capability"] == kernels


def test_training_script_runs_torch_on_its_avx2_kernels(train_script):
    """The shipped weights were made on torch's AVX2 kernels; the script chooses them."""
    assert train_script[1] == "avx2"


def test_training_script_protects_the_shipped_weights_and_names_the_recipes(train_script, tmp_path,
                                                                             capsys):
    train_script = train_script[0]
    for arguments in (["copy_h64", "--quick"], ["copy_h64", "--seed", "3"],
                      ["copy_h999", "--out", str(tmp_path)], []):
        with pytest.raises(SystemExit) as stopped:
            train_script.main(arguments)
        assert stopped.value.code == 2, arguments
    errors = capsys.readouterr().err
    assert errors.count("need --out DIR") == 2 and "unknown recipe copy_h999" in errors
    assert "name at least one recipe" in errors
    assert train_script.main(["--list"]) == 0
    listing = capsys.readouterr().out
    assert listing.count("\n") == len(RECIPES) and "Chapter 9: tiny_gru" in listing
    assert not list(tmp_path.iterdir())


# ----------------------------------------------------------------------------- the chapters' training functions
def test_training_lowers_the_loss_of_the_attention_model():
    torch.manual_seed(0)
    model = RecallAttention()
    losses = train_recall(model, steps=150, lengths=(8, 8), learning_rate=1e-2)
    assert len(losses) == 150
    assert sum(losses[-20:]) / 20 < 0.5 * sum(losses[:20]) / 20


def test_train_recall_takes_the_steps_of_the_recipe_loop():
    """Chapter 5's train_recall on a registry model is fit()'s loop: the same losses and weights."""
    recipe = RECIPES["recall_attention"].quick()     # a constant rate, as train_recall has
    model, history = fit(recipe)
    again = build_recall_model("recall_attention")
    losses = train_recall(again, steps=recipe.steps, lengths=recipe.data_settings["lengths"],
                          learning_rate=recipe.optimiser["learning_rate"])
    assert losses == history["losses"]
    assert all(torch.equal(a, b) for a, b in zip(model.state_dict().values(),
                                                 again.state_dict().values()))


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


def test_train_induction_takes_the_steps_of_the_recipe_loop(tmp_path):
    """train_induction on the registry's model is fit()'s loop, and a quick run reads back."""
    recipe = RECIPES["induction_2layer"].quick()
    model, history = fit(recipe, out=tmp_path)
    again = build_model(recipe)
    assert train_induction(again, steps=recipe.steps) == history["losses"]
    assert all(torch.equal(a, b) for a, b in zip(model.state_dict().values(),
                                                 again.state_dict().values()))
    loaded, saved = load_induction_model(tmp_path, with_recipe=True)
    assert saved["steps"] == 20 and saved["segment_lengths"] == [6, 16]
    assert saved["final_loss"] == round(sum(history["losses"]) / 20, 4)
    assert loaded.config == model.config


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

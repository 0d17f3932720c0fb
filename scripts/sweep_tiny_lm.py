#!/usr/bin/env python
"""Chapter 9's sweeps: the GRU and two tiny transformers, five rates (or longer budgets), three seeds.

    python scripts/sweep_tiny_lm.py --work DIR     # train what DIR lacks, then summarise
    python scripts/sweep_tiny_lm.py --work DIR --summary-only
    python scripts/sweep_tiny_lm.py --work DIR --part budgets   # the longer budgets
    python scripts/sweep_tiny_lm.py --work DIR --part context   # the longer context

Each run is the registry's recipe (``tiny_gru`` or ``tiny_transformer``, the same text, batch,
schedule and 1,200-step budget) with one change: the learning rate, the seed, and for the
``learned`` model ``position="learned"``. Each history goes to ``DIR/NAME.json`` (a run already
there is not trained again: about half a minute of one core each, 45 in all), and the summary the
chapter reads, every run's validation curve and processor seconds, to the package's
``weights/tiny_lr_sweep.json``. Single-threaded and on torch's AVX2 kernels, like
``scripts/train.py``: the runs at the recipe's own rate and seed give the shipped weights' curves.

``--part budgets`` asks whether more steps change the comparison: each model at its best rate of
the first sweep and at the next lower rate of its grid, with 2,400 and 4,800 steps (each its own
warm-up and cosine schedule), three seeds; 36 runs of half a minute to a minute and a half each,
summarised to ``weights/tiny_budget_sweep.json``.

``--part context`` asks whether a longer context changes it: each model at its best rate, three
seeds, on windows of 128 characters instead of 64, in batches of 8 instead of 16 (the same
characters per step), for the same 1,200 steps; 9 runs of about half a minute. Besides each
history it keeps the validation loss by position in the window (256 fixed validation windows,
grouped like Chapter 9's), summarised to ``weights/tiny_context_sweep.json``. Two copies of the script may run at once on the
same folder (one per core): each run is claimed by a file before it is trained (a run that failed
leaves its claim: delete it to train the run again).
"""
from __future__ import annotations

import argparse
import json
import os
import sys
from dataclasses import replace
from pathlib import Path

# Read once, when torch is first imported: it must be set before the imports below.
os.environ.setdefault("ATEN_CPU_CAPABILITY", "avx2")

import torch  # noqa: E402 (after choosing the kernels)
import torch.nn.functional as F  # noqa: E402

from paying_attention.checkpoints import WEIGHTS_DIR  # noqa: E402
from paying_attention.recipes import RECIPES, resolve  # noqa: E402
from paying_attention.text import make_lm_batch  # noqa: E402
from paying_attention.training import fit  # noqa: E402

#: model: (the registry recipe it starts from, what it changes in the model's configuration)
MODELS = {"gru": ("tiny_gru", {}),
          "sinusoidal": ("tiny_transformer", {}),
          "learned": ("tiny_transformer", {"position": "learned"})}
LEARNING_RATES = (1e-3, 3e-3, 1e-2, 3e-2, 1e-1)
SEEDS = (0, 1, 2)
SUMMARY = WEIGHTS_DIR / "tiny_lr_sweep.json"
#: model: its best rate in the first sweep, read from the recipe that ships it
BEST_RATES = {model: RECIPES[name].optimiser["learning_rate"] for model, name in (
    ("gru", "tiny_gru"), ("sinusoidal", "tiny_transformer_sinusoidal_seed0"),
    ("learned", "tiny_transformer_learned_seed0"))}
BUDGETS = (2400, 4800)
BUDGET_SUMMARY = WEIGHTS_DIR / "tiny_budget_sweep.json"
#: The longer context: its length, the batch that keeps the characters per step, the position
#: groups of the loss by position (Chapter 9's, and one more for positions 64-127).
CONTEXT, CONTEXT_BATCH = 128, 8
POSITION_BINS = ((0, 1), (1, 2), (2, 4), (4, 8), (8, 16), (16, 32), (32, 64), (64, 128))
CONTEXT_SUMMARY = WEIGHTS_DIR / "tiny_context_sweep.json"
SUMMARIES = {"rates": SUMMARY, "budgets": BUDGET_SUMMARY, "context": CONTEXT_SUMMARY}


def budget_rates(model: str) -> tuple[float, float]:
    """The best rate of the first sweep and the next lower one of its grid (a longer run may want
    a lower rate)."""
    best = LEARNING_RATES.index(BEST_RATES[model])
    return LEARNING_RATES[best - 1], LEARNING_RATES[best]


def run_name(model: str, learning_rate: float, seed: int, steps=None) -> str:
    budget = "" if steps is None else f"_context{CONTEXT}" if steps == "context" else f"_steps{steps}"
    return f"{model}_lr{learning_rate:g}{budget}_seed{seed}"


def planned(part: str):
    """(model, learning rate, seed, steps or None for the recipe's) of every run of a part."""
    if part == "rates":
        return [(model, rate, seed, None) for seed in SEEDS for model in MODELS
                for rate in LEARNING_RATES]          # every model's first seed first
    if part == "context":                            # "context" in place of the steps
        return [(model, BEST_RATES[model], seed, "context") for seed in SEEDS for model in MODELS]
    return [(model, rate, seed, steps) for steps in BUDGETS for seed in SEEDS for model in MODELS
            for rate in budget_rates(model)]


def train(work: Path, part: str = "rates") -> int:
    """Train the runs of ``part`` that no copy of the script has claimed; return how many runs
    another copy claimed and has not finished."""
    work.mkdir(parents=True, exist_ok=True)
    for model, learning_rate, seed, steps in planned(part):
        base, change = MODELS[model]
        name = run_name(model, learning_rate, seed, steps)
        path = work / f"{name}.json"
        try:                                   # claimed by another copy of the script, or done
            os.close(os.open(work / f"{name}.claim", os.O_CREAT | os.O_EXCL))
        except FileExistsError:
            continue
        recipe = RECIPES[base]
        optimiser = {**recipe.optimiser, "learning_rate": learning_rate}
        config, data_settings = {**recipe.config, **change}, recipe.data_settings
        stop = recipe.stop if steps in (None, "context") else {"rule": "steps", "steps": steps}
        if steps == "context":
            config["max_length"] = CONTEXT
            data_settings = {**data_settings, "length": CONTEXT}
            optimiser["batch_size"] = CONTEXT_BATCH
        recipe = replace(recipe, name=name, config=config, data_settings=data_settings,
                         stop=stop, optimiser=optimiser)
        model_, history = fit(recipe, seed=seed)
        record = {"model": model, "lr": learning_rate, "seed": seed, "steps": recipe.steps,
                  "history": history}
        if steps == "context":
            record["loss_by_position"] = loss_by_position(model_, recipe)
        path.write_text(json.dumps(record))
        print(f"{name}: validation loss {history['validation_loss'][-1]:.4f}, "
              f"{history['cpu_seconds'][-1]:.1f} s processor time", flush=True)
    return sum(not (work / f"{run_name(*run)}.json").exists() for run in planned(part))


@torch.no_grad()
def loss_by_position(model, recipe, windows: int = 256) -> list[float]:
    """Mean validation cross-entropy in each group of positions of :data:`POSITION_BINS`, over
    ``windows`` validation windows fixed by seed 7 (as Chapter 9 measures it at 64)."""
    data = resolve(recipe.data)(**recipe.data_settings)
    inputs, targets = make_lm_batch(data.validation_ids, windows, CONTEXT,
                                    torch.Generator().manual_seed(7))
    logits = model.eval()(inputs)
    losses = F.cross_entropy(logits.transpose(1, 2), targets, reduction="none").mean(0)   # (T,)
    return [round(losses[a:b].mean().item(), 4) for a, b in POSITION_BINS]


def summarise(work: Path, part: str = "rates") -> dict:
    runs = []
    for model, learning_rate, seed, steps in sorted(planned(part), key=lambda run: (
            list(MODELS).index(run[0]), run[3] if isinstance(run[3], int) else 0, run[1], run[2])):
        path = work / f"{run_name(model, learning_rate, seed, steps)}.json"
        if not path.exists():
            raise FileNotFoundError(f"{path} is missing: run without --summary-only")
        saved = json.loads(path.read_text())
        history = saved["history"]
        run = {"model": model, "learning_rate": learning_rate, "seed": seed,
               "step": history["step"],
               "validation_loss": [round(v, 4) for v in history["validation_loss"]],
               "cpu_seconds": round(history["cpu_seconds"][-1], 2)}
        if steps == "context":
            run["loss_by_position"] = saved["loss_by_position"]
        elif steps is not None:
            run = {"steps": steps, **run,
                   "train_loss": [None if v is None else round(v, 4)
                                  for v in history["train_loss"]]}
        runs.append(run)
    about = ("Chapter 9's learning-rate sweep (scripts/sweep_tiny_lm.py): the recipes "
             "tiny_gru and tiny_transformer with another learning rate, seed, or learned "
             "positions ('learned'); validation loss every 100 steps.") if part == "rates" else (
             "Chapter 9's longer budgets (scripts/sweep_tiny_lm.py --part budgets): each model "
             "of the learning-rate sweep at its best rate and the next lower one, with 2,400 and "
             "4,800 steps, three seeds; training and validation loss every 100 steps.") \
        if part == "budgets" else (
             "Chapter 9's longer context (scripts/sweep_tiny_lm.py --part context): each model at "
             f"its best rate, three seeds, on windows of {CONTEXT} characters in batches of "
             f"{CONTEXT_BATCH} (the characters per step of the recipes), 1,200 steps; validation "
             "loss every 100 steps, and at the end by position, averaged over the groups "
             f"{[list(b) for b in POSITION_BINS]} of 256 fixed validation windows.")
    return {"about": about,
            "base_recipes": {model: base for model, (base, _) in MODELS.items()},
            "changes": {model: change for model, (_, change) in MODELS.items()},
            "runs": runs}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--work", type=Path, required=True, help="folder of the runs' histories")
    parser.add_argument("--summary-only", action="store_true", help="train nothing")
    parser.add_argument("--part", choices=tuple(SUMMARIES), default="rates",
                        help="the learning-rate sweep (default), the longer budgets, or the "
                             "longer context")
    parser.add_argument("--out", type=Path, default=None, help="the summary's path")
    args = parser.parse_args(argv)
    if args.out is None:
        args.out = SUMMARIES[args.part]
    if not args.summary_only:
        unfinished = train(args.work, args.part)
        if unfinished:
            print(f"{unfinished} runs are still training in another copy: the last copy to finish "
                  "writes the summary (or run again with --summary-only)")
            return 0
    args.out.write_text(json.dumps(summarise(args.work, args.part), indent=1) + "\n")
    print(f"written to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

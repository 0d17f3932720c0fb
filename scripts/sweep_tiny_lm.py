#!/usr/bin/env python
"""Chapter 9's learning-rate sweep: the GRU and two tiny transformers, five rates, three seeds.

    python scripts/sweep_tiny_lm.py --work DIR     # train what DIR lacks, then summarise
    python scripts/sweep_tiny_lm.py --work DIR --summary-only

Each run is the registry's recipe (``tiny_gru`` or ``tiny_transformer``, the same text, batch,
schedule and 1,200-step budget) with one change: the learning rate, the seed, and for the
``learned`` model ``position="learned"``. Each history goes to ``DIR/NAME.json`` (a run already
there is not trained again: about half a minute of one core each, 45 in all), and the summary the
chapter reads, every run's validation curve and processor seconds, to the package's
``weights/tiny_lr_sweep.json``. Single-threaded and on torch's AVX2 kernels, like
``scripts/train.py``: the runs at the recipe's own rate and seed give the shipped weights' curves.
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

from paying_attention.checkpoints import WEIGHTS_DIR  # noqa: E402 (after choosing the kernels)
from paying_attention.recipes import RECIPES  # noqa: E402
from paying_attention.training import fit  # noqa: E402

#: model: (the registry recipe it starts from, what it changes in the model's configuration)
MODELS = {"gru": ("tiny_gru", {}),
          "sinusoidal": ("tiny_transformer", {}),
          "learned": ("tiny_transformer", {"position": "learned"})}
LEARNING_RATES = (1e-3, 3e-3, 1e-2, 3e-2, 1e-1)
SEEDS = (0, 1, 2)
SUMMARY = WEIGHTS_DIR / "tiny_lr_sweep.json"


def run_name(model: str, learning_rate: float, seed: int) -> str:
    return f"{model}_lr{learning_rate:g}_seed{seed}"


def train(work: Path) -> None:
    work.mkdir(parents=True, exist_ok=True)
    for seed in SEEDS:                         # every model's first seed first
        for model, (base, change) in MODELS.items():
            for learning_rate in LEARNING_RATES:
                name = run_name(model, learning_rate, seed)
                path = work / f"{name}.json"
                if path.exists():
                    continue
                recipe = RECIPES[base]
                recipe = replace(recipe, name=name, config={**recipe.config, **change},
                                 optimiser={**recipe.optimiser, "learning_rate": learning_rate})
                _, history = fit(recipe, seed=seed)
                path.write_text(json.dumps({"model": model, "lr": learning_rate, "seed": seed,
                                            "history": history}))
                print(f"{name}: validation loss {history['validation_loss'][-1]:.4f}, "
                      f"{history['cpu_seconds'][-1]:.1f} s processor time", flush=True)


def summarise(work: Path) -> dict:
    runs = []
    for model in MODELS:
        for learning_rate in LEARNING_RATES:
            for seed in SEEDS:
                path = work / f"{run_name(model, learning_rate, seed)}.json"
                if not path.exists():
                    raise FileNotFoundError(f"{path} is missing: run without --summary-only")
                history = json.loads(path.read_text())["history"]
                runs.append({"model": model, "learning_rate": learning_rate, "seed": seed,
                             "step": history["step"],
                             "validation_loss": [round(v, 4) for v in history["validation_loss"]],
                             "cpu_seconds": round(history["cpu_seconds"][-1], 2)})
    return {"about": "Chapter 9's learning-rate sweep (scripts/sweep_tiny_lm.py): the recipes "
                     "tiny_gru and tiny_transformer with another learning rate, seed, or learned "
                     "positions ('learned'); validation loss every 100 steps.",
            "base_recipes": {model: base for model, (base, _) in MODELS.items()},
            "changes": {model: change for model, (_, change) in MODELS.items()},
            "runs": runs}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--work", type=Path, required=True, help="folder of the runs' histories")
    parser.add_argument("--summary-only", action="store_true", help="train nothing")
    parser.add_argument("--out", type=Path, default=SUMMARY, help="the summary's path")
    args = parser.parse_args(argv)
    if not args.summary_only:
        train(args.work)
    args.out.write_text(json.dumps(summarise(args.work), indent=1) + "\n")
    print(f"written to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

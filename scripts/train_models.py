#!/usr/bin/env python
"""Train every recipe in ``paying_attention.pretrained.RECIPES`` and save the weights.

    python scripts/train_models.py                 # full budget, into the package (minutes)
    python scripts/train_models.py --quick --out DIR   # 20 steps each, for the tests

Seeded and single-threaded, so a rerun on the same machine gives the same weights.
"""
from __future__ import annotations

import argparse
import time
from pathlib import Path

import torch

from paying_attention import RECIPES, TRAINING, build_model, save_model, setup_chapter, train_seq2seq
from paying_attention.pretrained import WEIGHTS_DIR


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="train 20 steps per recipe (tests)")
    parser.add_argument("--out", type=Path, default=WEIGHTS_DIR, help="where to write the .pt files")
    parser.add_argument("names", nargs="*", help="recipes to train (default: all)")
    args = parser.parse_args(argv)
    names = args.names or list(RECIPES)
    args.out.mkdir(parents=True, exist_ok=True)
    steps = 20 if args.quick else TRAINING["steps"]
    for name in names:
        setup_chapter(TRAINING["seed"])
        model = build_model(name)
        recipe = {**RECIPES[name], **TRAINING, "lengths": list(TRAINING["lengths"]), "steps": steps}
        start = time.perf_counter()
        losses = train_seq2seq(model, steps=steps, task=recipe["task"], lengths=TRAINING["lengths"],
                               batch_size=TRAINING["batch_size"],
                               learning_rate=TRAINING["learning_rate"], seed=TRAINING["seed"])
        recipe["final_loss"] = round(sum(losses[-20:]) / len(losses[-20:]), 4)
        save_model(model, args.out / f"{name}.pt", recipe=recipe)
        print(f"{name}: {steps} steps in {time.perf_counter() - start:.0f} s, "
              f"final loss {recipe['final_loss']:.3f}", flush=True)


if __name__ == "__main__":
    torch.set_num_threads(1)
    main()

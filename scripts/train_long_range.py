#!/usr/bin/env python
"""Train the models of Chapter 5, section 5.6 ("which symbol was at position p?") and save them.

    python scripts/train_long_range.py                     # full budget, into the package
    python scripts/train_long_range.py --quick --out DIR   # 20 steps each, for the tests

Every recipe in ``paying_attention.long_range.RECALL_RECIPES`` is trained with the same data
and budget (``RECALL_TRAINING``), each with its recipe's learning rate. Seeded and
single-threaded, so a rerun on the same machine gives the same weights.
"""
from __future__ import annotations

import argparse
import time
from pathlib import Path

import torch

from paying_attention.long_range import (RECALL_RECIPES, RECALL_TRAINING, WEIGHTS_DIR,
                                         build_recall_model, save_recall_model, train_recall)
from paying_attention.reproducibility import setup_chapter


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="train 20 steps per recipe (tests)")
    parser.add_argument("--out", type=Path, default=WEIGHTS_DIR, help="where to write the .pt files")
    parser.add_argument("names", nargs="*", help="recipes to train (default: all)")
    args = parser.parse_args(argv)
    names = args.names or list(RECALL_RECIPES)
    args.out.mkdir(parents=True, exist_ok=True)
    steps = 20 if args.quick else RECALL_TRAINING["steps"]
    for name in names:
        setup_chapter(RECALL_TRAINING["seed"])
        model = build_recall_model(name)
        recipe = {**RECALL_RECIPES[name], **RECALL_TRAINING,
                  "lengths": list(RECALL_TRAINING["lengths"]), "steps": steps}
        start = time.perf_counter()
        losses = train_recall(model, steps=steps, lengths=RECALL_TRAINING["lengths"],
                              batch_size=RECALL_TRAINING["batch_size"],
                              learning_rate=recipe["learning_rate"],
                              seed=RECALL_TRAINING["seed"])
        recipe["final_loss"] = round(sum(losses[-100:]) / len(losses[-100:]), 4)
        save_recall_model(model, args.out / f"{name}.pt", recipe=recipe, losses=losses)
        print(f"{name}: {steps} steps in {time.perf_counter() - start:.0f} s, "
              f"final loss {recipe['final_loss']:.3f}", flush=True)


if __name__ == "__main__":
    torch.set_num_threads(1)
    main()

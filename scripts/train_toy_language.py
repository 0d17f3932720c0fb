#!/usr/bin/env python
"""Train the toy-language models of Chapter 6 (``paying_attention.toy_language.TOY_MODELS``).

    python scripts/train_toy_language.py                    # full budget, into the package
    python scripts/train_toy_language.py --quick --out DIR  # 20 steps each, for the tests

Seeded and single-threaded, so a rerun on the same machine gives the same weights. Each model
takes well under a minute on one CPU core.
"""
from __future__ import annotations

import argparse
import time
from pathlib import Path

import torch

from paying_attention.reproducibility import setup_chapter
from paying_attention.toy_language import (TOY_MODELS, TOY_RECIPE, WEIGHTS_DIR, build_toy_model,
                                           generate_sentences, save_toy_model, toy_accuracy,
                                           train_toy_model)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="train 20 steps per model (tests)")
    parser.add_argument("--out", type=Path, default=WEIGHTS_DIR, help="where to write the .pt files")
    parser.add_argument("names", nargs="*", help="models to train (default: all)")
    args = parser.parse_args(argv)
    names = args.names or list(TOY_MODELS)
    args.out.mkdir(parents=True, exist_ok=True)
    steps = 20 if args.quick else TOY_RECIPE["steps"]
    for name in names:
        recipe = {**TOY_RECIPE, **TOY_MODELS[name], "steps": steps}
        setup_chapter(recipe["seed"])
        model = build_toy_model(name)
        start = time.perf_counter()
        losses = train_toy_model(model, steps=steps, batch_size=recipe["batch_size"],
                                 learning_rate=recipe["learning_rate"], seed=recipe["seed"],
                                 train_sentences=recipe["train_sentences"],
                                 data_seed=recipe["data_seed"])
        recipe["final_loss"] = round(sum(losses[-20:]) / len(losses[-20:]), 4)
        save_toy_model(model, args.out / f"{name}.pt", recipe=recipe)
        accuracy = toy_accuracy(model, generate_sentences(2000, seed=2))
        print(f"{name}: {steps} steps in {time.perf_counter() - start:.0f} s, final loss "
              f"{recipe['final_loss']:.3f}, held-out accuracy {accuracy}", flush=True)


if __name__ == "__main__":
    torch.set_num_threads(1)
    main()

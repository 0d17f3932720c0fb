#!/usr/bin/env python
"""Train Chapter 7's two-layer attention-only model on the repeated-segment task and save it.

    python scripts/train_induction.py                    # full recipe, into the package (under a minute)
    python scripts/train_induction.py --quick --out DIR  # 20 steps, for the tests

The recipe is ``paying_attention.interpret.INDUCTION_TRAINING``. Seeded and single-threaded, so a
rerun on the same machine gives the same weights. Writes ``induction_2layer.pt`` (configuration,
weights, and the recipe with the losses it reached).
"""
from __future__ import annotations

import argparse
import time
from pathlib import Path

import torch

from paying_attention import setup_chapter
from paying_attention.interpret import (INDUCTION_NAME, INDUCTION_TRAINING, WEIGHTS_DIR,
                                        build_induction_model, make_repeat_batch, repeat_losses,
                                        save_induction_model, train_induction)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="train 20 steps (tests)")
    parser.add_argument("--out", type=Path, default=WEIGHTS_DIR, help="where to write the .pt file")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    recipe = {**INDUCTION_TRAINING, "segment_lengths": list(INDUCTION_TRAINING["segment_lengths"])}
    if args.quick:
        recipe["steps"] = 20
    setup_chapter(recipe["seed"])
    model = build_induction_model()
    start = time.perf_counter()
    losses = train_induction(model, steps=recipe["steps"], batch_size=recipe["batch_size"],
                             learning_rate=recipe["learning_rate"], seed=recipe["seed"],
                             vocab_size=recipe["vocab_size"], length=recipe["length"],
                             segment_lengths=recipe["segment_lengths"])
    seconds = time.perf_counter() - start
    held_out = make_repeat_batch(1000, recipe["length"], vocab_size=recipe["vocab_size"],
                                 segment_lengths=recipe["segment_lengths"],
                                 generator=torch.Generator().manual_seed(recipe["seed"] + 1))
    with torch.no_grad():
        logits, _ = model(held_out.tokens)
    split = repeat_losses(logits, held_out)
    recipe["final_loss"] = round(sum(losses[-50:]) / len(losses[-50:]), 4)
    recipe["held_out_loss"] = {part: round(value, 4) for part, value in split.items()}
    save_induction_model(model, args.out / f"{INDUCTION_NAME}.pt", recipe=recipe)
    print(f"{INDUCTION_NAME}: {recipe['steps']} steps in {seconds:.0f} s, final loss "
          f"{recipe['final_loss']:.3f}; held-out loss on the first occurrence "
          f"{split['first']:.2f}, on the repeat {split['repeat']:.2f}", flush=True)


if __name__ == "__main__":
    torch.set_num_threads(1)
    main()

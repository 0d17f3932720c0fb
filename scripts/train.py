#!/usr/bin/env python
"""Train a model of the registry (``paying_attention.recipes.RECIPES``) and save its checkpoint.

    python scripts/train.py copy_h64                      # the recipe's budget, into the package
    python scripts/train.py copy_h64 recall_gru --out DIR # several, into another folder
    python scripts/train.py toy_language_seed0 --seed 5 --out DIR   # another seed
    python scripts/train.py copy_h64 --quick --out DIR    # 20 steps, to check a recipe runs
    python scripts/train.py --list                        # the recipes, by chapter

Seeded and single-threaded (``paying_attention.training.fit``), and on torch's AVX2 kernels,
which every x86-64 processor of the last decade has: the shipped weights were made with them, and
a processor that would pick its AVX-512 kernels adds up in another order and ends with other
weights. So a rerun gives the shipped weights bit for bit (set ``ATEN_CPU_CAPABILITY`` to choose
other kernels). The file ``NAME.pt`` holds the weights, the recipe, the seed and the history
(held-out loss, training loss, wall and processor seconds).
"""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

# Read once, when torch is first imported: it must be set before the imports below.
os.environ.setdefault("ATEN_CPU_CAPABILITY", "avx2")

from paying_attention.checkpoints import WEIGHTS_DIR  # noqa: E402 (after choosing the kernels)
from paying_attention.recipes import RECIPES  # noqa: E402
from paying_attention.training import fit  # noqa: E402


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", metavar="NAME", help="recipes to train")
    parser.add_argument("--seed", type=int, help="seed (default: the recipe's)")
    parser.add_argument("--quick", action="store_true", help="train 20 steps only (tests)")
    parser.add_argument("--out", type=Path, default=WEIGHTS_DIR,
                        help="where to write NAME.pt (default: the package's weights/)")
    parser.add_argument("--list", action="store_true", help="list the recipes and exit")
    args = parser.parse_args(argv)
    if args.list:
        for name, recipe in RECIPES.items():
            print(f"Chapter {recipe.chapter}: {name} ({recipe.model}, {recipe.steps} steps)")
        return 0
    if not args.names:
        parser.error("name at least one recipe (--list shows them)")
    unknown = [name for name in args.names if name not in RECIPES]
    if unknown:
        parser.error(f"unknown recipe {', '.join(unknown)}; the recipes are {', '.join(RECIPES)}")
    shipping = args.out.resolve() == WEIGHTS_DIR.resolve()
    for name in args.names:
        # A shipped file is what its recipe makes: another seed or a quick run goes elsewhere.
        if shipping and (args.quick or args.seed not in (None, RECIPES[name].seed)):
            parser.error(f"--quick and --seed other than the recipe's ({RECIPES[name].seed}) "
                         f"need --out DIR, so as not to overwrite the shipped {name}.pt")
    for name in args.names:
        _, history = fit(name, seed=args.seed, quick=args.quick, out=args.out)
        print(f"{name}: {len(history['losses'])} steps in {history['wall_seconds'][-1]:.1f} s "
              f"({history['cpu_seconds'][-1]:.1f} s processor time), validation loss "
              f"{history['validation_loss'][-1]:.4f}, written to {args.out / (name + '.pt')}",
              flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())

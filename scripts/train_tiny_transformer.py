#!/usr/bin/env python
"""Train the character language models of Chapter 9 ("A tiny transformer") and save them.

    python scripts/train_tiny_transformer.py                     # full budget, into the package
    python scripts/train_tiny_transformer.py --quick --out DIR   # 20 steps each, for the tests

Every recipe in ``paying_attention.transformer.LM_RECIPES`` is trained on the package's
``data/shakespeare.txt`` with the same data, budget and optimiser (``LM_TRAINING``). The saved file
holds the weights, the vocabulary, the recipe (with the SHA-256 of the text) and the log: the
training and validation loss every ``eval_every`` steps, and the wall time and processor time of
the optimisation steps. Seeded and single-threaded, so a rerun on the same
machine gives the same weights.
"""
from __future__ import annotations

import argparse
from pathlib import Path

import torch

from paying_attention.pretrained import WEIGHTS_DIR
from paying_attention.reproducibility import setup_chapter
from paying_attention.transformer import (LM_RECIPES, LM_TRAINING, CharTokenizer,
                                          build_language_model, load_shakespeare,
                                          save_language_model, split_text, text_fingerprint,
                                          train_language_model)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="train 20 steps per recipe (tests)")
    parser.add_argument("--out", type=Path, default=WEIGHTS_DIR, help="where to write the .pt files")
    parser.add_argument("--text", type=Path, help="the training text (default: the shipped "
                        "Shakespeare, load_shakespeare())")
    parser.add_argument("names", nargs="*", help="recipes to train (default: all)")
    args = parser.parse_args(argv)
    names = args.names or list(LM_RECIPES)
    args.out.mkdir(parents=True, exist_ok=True)
    text = args.text.read_text(encoding="utf-8") if args.text else load_shakespeare()
    tokenizer = CharTokenizer(text)
    train_ids, validation_ids = split_text(tokenizer.encode(text),
                                           LM_TRAINING["validation_fraction"])
    steps = 20 if args.quick else LM_TRAINING["steps"]
    eval_every = 10 if args.quick else LM_TRAINING["eval_every"]
    for name in names:
        setup_chapter(LM_TRAINING["seed"])
        model = build_language_model(name, tokenizer.vocab_size)
        recipe = {**LM_RECIPES[name], **LM_TRAINING, "steps": steps, "eval_every": eval_every,
                  "text": args.text.name if args.text else "shakespeare.txt",
                  "text_sha256": text_fingerprint(text), "text_characters": len(text)}
        log = train_language_model(
            model, train_ids, validation_ids, steps=steps, batch_size=LM_TRAINING["batch_size"],
            length=LM_TRAINING["length"], learning_rate=LM_TRAINING["learning_rate"],
            warmup_steps=min(LM_TRAINING["warmup_steps"], steps), seed=LM_TRAINING["seed"],
            eval_every=eval_every, eval_batches=LM_TRAINING["eval_batches"])
        save_language_model(model, args.out / f"{name}.pt", tokenizer=tokenizer, recipe=recipe,
                            log=log)
        print(f"{name}: {steps} steps in {log['train_seconds']:.0f} s wall time "
              f"({log['cpu_seconds']:.0f} s processor time), validation loss "
              f"{log['validation_loss'][-1]:.3f}", flush=True)


if __name__ == "__main__":
    torch.set_num_threads(1)
    main()

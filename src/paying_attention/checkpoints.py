"""The book's one checkpoint format: a trained model with the recipe, seed and history that made it.

Training every model a chapter compares would take minutes; a chapter must run in under one. So
``scripts/train.py NAME`` trains the recipe ``NAME`` of :data:`paying_attention.recipes.RECIPES`
(seeded, one thread) and saves it here as ``weights/NAME.pt``; the chapters load it. The file is a
dict written by ``torch.save`` and read back with ``weights_only=True`` (plain data only):

- ``format``: 3, this layout;
- ``config``: the model's constructor arguments (``model.config``), ``state_dict``: its weights;
- ``recipe``: the registry's recipe, :meth:`~paying_attention.recipes.Recipe.as_dict` (a test
  checks that every shipped file stores the recipe of its name, so the file cannot drift from
  the code that claims to make it);
- ``seed``: the seed it was trained with; ``quick``: True for a ``--quick`` run;
- ``history``: what :func:`paying_attention.training.fit` recorded (the held-out loss, the
  training loss, wall and processor seconds at every evaluation, the loss of every step); the
  loss of every step is stored as one float32 tensor, which holds it exactly (each is the value
  of a float32 loss) in half the space of a list, and :func:`read` gives it back as a list;
- ``data``: what the data source says about itself (Chapter 9: the tokenizer's characters and
  the SHA-256 of the text); empty for the synthetic tasks;
- ``made_with``: the torch version, the processor kernels it used (``"AVX2"``) and its thread
  count: what else decides the last bits of the weights.

Every shipped file has this layout; :func:`read` refuses a file of an older one.
"""
from __future__ import annotations

import json
from pathlib import Path

import torch

from .recipes import Recipe, get_recipe, resolve

__all__ = ["FORMAT", "WEIGHTS_DIR", "load", "read", "restore", "save", "step_losses", "summary"]

#: Where the shipped checkpoints live, ``weights/NAME.pt`` inside the package.
WEIGHTS_DIR = Path(__file__).parent / "weights"
#: The layout :func:`save` writes.
FORMAT = 3
SCRIPT = "scripts/train.py"


def save(path, model: torch.nn.Module, *, recipe: dict, seed: int, history: dict,
         quick: bool = False, data: dict | None = None) -> None:
    """Write ``model`` with the recipe (as a dict), seed and history that made it to ``path``.

    ``model.config`` must be the dict of its constructor's arguments; ``recipe``, ``history``
    and ``data`` must be plain JSON-able data, so that the file needs no code to be read.
    """
    if not isinstance(getattr(model, "config", None), dict):
        raise TypeError(f"model must have a dict `config` of its constructor's arguments, "
                        f"got {type(model).__name__}")
    for name, value in (("recipe", recipe), ("history", history), ("data", data or {})):
        try:
            json.dumps(value)
        except (TypeError, ValueError) as error:
            raise TypeError(f"{name} must be plain JSON-able data (dicts, lists, numbers, "
                            f"strings): {error}") from error
    losses = torch.tensor(history.get("losses", []), dtype=torch.float32)
    if losses.tolist() != list(history.get("losses", [])):
        raise ValueError("history['losses'] must hold float32 values (the .item() of float32 "
                         "losses), which a float32 tensor stores exactly")
    made_with = {"torch": str(torch.__version__), "threads": torch.get_num_threads(),
                 "cpu_capability": torch.backends.cpu.get_cpu_capability()}
    torch.save({"format": FORMAT, "config": model.config, "state_dict": model.state_dict(),
                "recipe": recipe, "seed": int(seed), "quick": bool(quick),
                "history": {**history, "losses": losses},
                "data": data or {}, "made_with": made_with}, path)


def read(name: str, directory=None) -> dict:
    """The checkpoint ``NAME.pt`` from the package's weights (or from ``directory``), as a dict."""
    path = Path(directory or WEIGHTS_DIR) / f"{name}.pt"
    if not path.is_file():
        raise FileNotFoundError(f"no weights for {name!r} at {path}: run {SCRIPT} {name}")
    checkpoint = torch.load(path, weights_only=True)
    if checkpoint.get("format") != FORMAT:
        raise ValueError(f"{path} has the layout {checkpoint.get('format', 1)}, not {FORMAT}: "
                         f"run {SCRIPT} {name}")
    history = checkpoint["history"]
    history["losses"] = history["losses"].tolist()
    return checkpoint


def restore(factory, checkpoint: dict) -> torch.nn.Module:
    """Build ``factory(**checkpoint["config"])``, load the saved weights, switch to eval mode."""
    model = factory(**checkpoint["config"])
    model.load_state_dict(checkpoint["state_dict"])
    model.eval()
    return model


def load(name: str, directory=None) -> torch.nn.Module:
    """The trained model ``NAME``, built by its registry recipe's factory, in eval mode."""
    return restore(resolve(get_recipe(name).model), read(name, directory))


def step_losses(checkpoint: dict) -> list[float]:
    """The training loss of every step (Chapter 5 plots them)."""
    return list(checkpoint["history"]["losses"])


def summary(checkpoint: dict, final_loss_steps: int) -> dict:
    """The flat recipe the chapters print: every setting in one level, the steps taken, the
    seed, and ``final_loss``, the mean training loss of the last ``final_loss_steps`` steps
    (rounded to 4 decimals), plus what the data source recorded (Chapter 9's text hash).

    The settings are those of the run: a ``--quick`` run's are its recipe's
    :meth:`~paying_attention.recipes.Recipe.quick` ones.
    """
    recipe = Recipe(**checkpoint["recipe"])
    settings = (recipe.quick() if checkpoint["quick"] else recipe).flat()
    losses = checkpoint["history"]["losses"][-final_loss_steps:]
    data = {key: value for key, value in checkpoint["data"].items() if key != "characters"}
    return {**settings, **data,
            "steps": len(checkpoint["history"]["losses"]), "seed": checkpoint["seed"],
            "final_loss": round(sum(losses) / len(losses), 4)}

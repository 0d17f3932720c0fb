"""Training: one loop for every model of the book, the history it records, and the chapters' wrappers.

:func:`fit` trains a recipe of the registry (:data:`paying_attention.recipes.RECIPES`) and returns
the model and its history; ``scripts/train.py NAME`` saves both as the shipped checkpoint. Its
step loop, :func:`train_steps`, is the only one in the package, and it draws from the data sources
of :mod:`paying_attention.training_data`. The training functions the chapters call on their own
models (:func:`train_seq2seq`, :func:`train_recall`, :func:`train_toy_model`,
:func:`train_induction`, :func:`train_language_model`) are thin wrappers over it, and
:func:`build_recall_model` and :func:`build_language_model` give the untrained model of a recipe.
One loop means one order of random draws: a seeded run gives the same weights whichever function
started it.
"""
from __future__ import annotations

import math
import time
from pathlib import Path
from typing import Mapping

import torch
from torch import nn

from ._checks import check_choice, check_float, check_int, check_length_range
from .checkpoints import save
from .recipes import STOP_RULES, get_recipe, recipe_names, resolve
from .reproducibility import setup_chapter
from .tasks import TASKS
from .training_data import RecallData, RepeatData, Seq2SeqData, TextData, ToyLanguageData

__all__ = ["HISTORY_KEYS", "build_language_model", "build_model", "build_recall_model",
           "converged", "fit", "language_model_log", "late_improvement", "train_induction",
           "train_language_model", "train_recall", "train_seq2seq", "train_steps", "train_toy_model"]

#: The columns of a history, one entry per evaluation (at step 0, every ``eval_every`` steps and
#: at the last step); a history also holds ``losses``, the training loss of every step.
#: Used by the training script and the tests; no chapter calls it.
HISTORY_KEYS = ("step", "train_loss", "validation_loss", "wall_seconds", "cpu_seconds")


# ----------------------------------------------------------------------------- the loop
def _optimiser(model: nn.Module, settings: Mapping, steps: int):
    """The optimiser and learning-rate schedule (or None) a recipe's settings name."""
    algorithm = check_choice("optimiser algorithm", settings["algorithm"], ("adam", "adamw"))
    learning_rate = check_float("learning_rate", settings["learning_rate"], minimum=0.0,
                                strict=True)
    if algorithm == "adam":
        optimiser = torch.optim.Adam(model.parameters(), lr=learning_rate)
    else:
        optimiser = torch.optim.AdamW(model.parameters(), lr=learning_rate,
                                      weight_decay=settings["weight_decay"])
    schedule = settings.get("schedule")
    if schedule is None:
        return optimiser, None
    check_choice("schedule", schedule, ("warmup_cosine",))
    warmup = check_int("warmup_steps", settings["warmup_steps"], minimum=0)
    final = settings["final_lr_fraction"]

    def factor(step: int) -> float:
        # Linear warm-up, then a cosine from the full rate down to final_lr_fraction of it.
        if step < warmup:
            return (step + 1) / warmup
        progress = (step - warmup) / max(1, steps - warmup)
        return final + (1 - final) * 0.5 * (1 + math.cos(math.pi * progress))

    return optimiser, torch.optim.lr_scheduler.LambdaLR(optimiser, factor)


def late_improvement(history: Mapping, fraction: float = 0.2) -> float:
    """How much the held-out loss fell over the last ``fraction`` of the steps, relative to its
    value then: ``(reference - last) / reference``, where ``reference`` is the loss of the last
    evaluation at or before step ``s_last - fraction * (s_last - s_first)``. Negative when the
    loss rose; 0 when the reference is 0 (a loss of zero cannot improve).
    Used in Chapter 1.
    """
    fraction = check_float("fraction", fraction, minimum=0.0, strict=True)
    if fraction > 1:
        raise ValueError(f"fraction must lie in (0, 1], got {fraction}")
    steps, losses = list(history["step"]), list(history["validation_loss"])
    if len(steps) != len(losses):
        raise ValueError(f"history must have one validation loss per step, got {len(losses)} "
                         f"losses for {len(steps)} steps")
    if any(loss is None for loss in losses):
        raise ValueError("history must hold a validation loss at every evaluation, got None")
    if len(steps) < 2:
        raise ValueError(f"history must hold at least two evaluations, got {len(steps)}")
    start = steps[-1] - fraction * (steps[-1] - steps[0])
    reference = losses[max(index for index, step in enumerate(steps) if step <= start)]
    return (reference - losses[-1]) / reference if reference > 0 else 0.0


def converged(history: Mapping, fraction: float = 0.2, tolerance: float = 0.02,
              floor: float = 1e-3) -> bool:
    """Whether the validation loss improved by less than ``tolerance`` (relative) over the last
    ``fraction`` of the steps (:func:`late_improvement`): the plateau stopping rule.
    Used in Chapter 1 (and in Chapters 4 to 6, and by the tests).

    A loss that rose counts as no improvement. A last loss below ``floor`` (in nats per
    prediction) counts as converged too: on a task that can be learned exactly the loss keeps
    falling towards zero in relative terms for as long as one trains, but below 0.001 the right
    answer already has a probability above 0.999, and what still falls is the confidence, not
    the answers. False while there are fewer than two evaluations.
    """
    tolerance = check_float("tolerance", tolerance, minimum=0.0)
    floor = check_float("floor", floor, minimum=0.0)
    if len(history["step"]) < 2 and len(history["step"]) == len(history["validation_loss"]):
        return False
    improvement = late_improvement(history, fraction)          # checks the history and fraction
    return history["validation_loss"][-1] < floor or improvement < tolerance


def train_steps(model: nn.Module, data, *, optimiser: Mapping, stop: Mapping, seed: int = 0,
                eval_every: int | None = None) -> dict:
    """Train ``model`` on ``data`` and return its history: the step loop of every model.
    Used by the training script and the tests; no chapter calls it.

    Each step draws ``data.batch(batch_size, generator)`` from one generator seeded with
    ``seed``, computes ``data.loss(model, batch)``, and takes one optimiser step (gradient norm
    clipped to ``optimiser["clip_norm"]`` unless it is None, then one step of the schedule).
    Every ``eval_every`` steps, at step 0 and at the last step, ``data.evaluate(model)`` (in eval
    mode, without gradients) gives the held-out loss; it uses its own generator, so measuring
    changes nothing in training. ``eval_every=None`` measures nothing.

    Parameters
    ----------
    model : torch.nn.Module
    data
        A data source, with ``batch``, ``loss`` and ``evaluate`` (see
        :mod:`paying_attention.training_data`).
    optimiser : mapping
        A recipe's optimiser settings (:class:`paying_attention.recipes.Recipe`).
    stop : mapping
        ``{"rule": "steps", "steps": N}`` or ``{"rule": "plateau", "max_steps": N,
        "fraction": f, "tolerance": t}`` (stop once :func:`converged`), with an optional
        ``"min_steps"``: never stop before it, so that a flat start or a slow, noisy descent
        does not pass for convergence.
    seed : int
        Seeds the order of the batches.
    eval_every : int or None

    Returns
    -------
    dict
        The columns of :data:`HISTORY_KEYS`, one entry per evaluation: ``step``,
        ``train_loss`` (mean training loss of the steps since the previous evaluation; None at
        step 0), ``validation_loss``, ``wall_seconds`` and ``cpu_seconds`` (of the optimisation
        steps so far, evaluations excluded), plus any other measure ``data.evaluate`` reports;
        and ``losses``, the training loss of every step.
    """
    rule = check_choice("stopping rule", stop["rule"], STOP_RULES)
    max_steps = check_int("steps", stop["steps"] if rule == "steps" else stop["max_steps"],
                          minimum=1)
    if eval_every is not None:
        eval_every = check_int("eval_every", eval_every, minimum=1)
    elif rule == "plateau":
        raise ValueError("the plateau rule needs eval_every: it stops on the validation loss")
    min_steps = check_int("min_steps", stop.get("min_steps", 0), minimum=0) if rule == "plateau" else 0
    if min_steps > max_steps:
        raise ValueError(f"min_steps ({min_steps}) must not exceed max_steps ({max_steps})")
    batch_size = check_int("batch_size", optimiser["batch_size"], minimum=1)
    clip_norm = optimiser.get("clip_norm")
    generator = torch.Generator().manual_seed(check_int("seed", seed, minimum=0))
    optimiser, schedule = _optimiser(model, optimiser, max_steps)
    history = {key: [] for key in HISTORY_KEYS}
    history["losses"] = []
    since = []                        # training losses since the last evaluation
    seconds = cpu_seconds = 0.0

    def record(step: int) -> None:
        was_training = model.training
        model.eval()
        with torch.no_grad():
            measures = data.evaluate(model)
        model.train(was_training)
        history["step"].append(step)
        history["train_loss"].append(sum(since) / len(since) if since else None)
        for key, value in measures.items():
            history.setdefault(key, []).append(value)
        history["wall_seconds"].append(seconds)
        history["cpu_seconds"].append(cpu_seconds)
        since.clear()

    if eval_every is not None:
        record(0)
    model.train()
    for step in range(1, max_steps + 1):
        start, cpu_start = time.perf_counter(), time.process_time()
        loss = data.loss(model, data.batch(batch_size, generator))
        optimiser.zero_grad()
        loss.backward()
        if clip_norm is not None:
            nn.utils.clip_grad_norm_(model.parameters(), clip_norm)
        optimiser.step()
        if schedule is not None:
            schedule.step()
        seconds += time.perf_counter() - start
        cpu_seconds += time.process_time() - cpu_start
        history["losses"].append(loss.item())
        since.append(history["losses"][-1])
        if eval_every is not None and (step % eval_every == 0 or step == max_steps):
            record(step)
            if (rule == "plateau" and step >= min_steps
                    and converged(history, stop["fraction"], stop["tolerance"])):
                break
    model.eval()
    return history


def build_model(recipe, seed: int | None = None, **arguments) -> nn.Module:
    """An untrained model of a recipe (or of its name), seeded: its initial weights reproduce.
    Used by the training script and the tests; no chapter calls it.

    ``torch.manual_seed(seed)`` (the recipe's seed by default), then the recipe's factory with
    its config and ``arguments`` (what the data decides, such as a vocabulary size).
    """
    recipe = get_recipe(recipe)
    torch.manual_seed(recipe.seed if seed is None else check_int("seed", seed, minimum=0))
    return resolve(recipe.model)(**{**recipe.config, **arguments})


def fit(recipe, seed: int | None = None, quick: bool = False, *, out=None):
    """Build, train and return ``(model, history)`` for a recipe of the registry (or its name).
    Used by the training script and the tests; no chapter calls it.

    Seeds everything as a chapter does (:func:`~paying_attention.reproducibility.setup_chapter`:
    one thread, deterministic algorithms), builds the data source, then the model from
    ``seed``, and runs :func:`train_steps` with the recipe's optimiser, stopping rule and
    evaluation interval. At the recipe's budget and seed, on torch's AVX2 kernels (which
    ``scripts/train.py`` selects), this gives the shipped weights bit for bit.

    Parameters
    ----------
    recipe : str or Recipe
    seed : int, optional
        Default: the recipe's seed.
    quick : bool
        Train :data:`~paying_attention.recipes.QUICK_STEPS` steps only (:meth:`Recipe.quick`).
    out : path, optional
        A folder: also save the checkpoint ``out/NAME.pt``
        (:func:`paying_attention.checkpoints.save`, with the registry's recipe).
    """
    recipe = get_recipe(recipe)
    seed = recipe.seed if seed is None else check_int("seed", seed, minimum=0)
    run = recipe.quick() if quick else recipe
    setup_chapter(seed)
    data = resolve(run.data)(**run.data_settings)
    model_arguments = data.model_arguments() if hasattr(data, "model_arguments") else {}
    model = build_model(run, seed, **model_arguments)
    history = train_steps(model, data, optimiser=run.optimiser, stop=run.stop, seed=seed,
                          eval_every=run.eval_every)
    if out is not None:
        Path(out).mkdir(parents=True, exist_ok=True)
        save(Path(out) / f"{recipe.name}.pt", model, recipe=recipe.as_dict(), seed=seed,
             history=history, quick=quick,
             data=data.describe() if hasattr(data, "describe") else {})
    return model, history


def build_recall_model(name: str) -> nn.Module:
    """An untrained model for recipe ``name``, seeded so that its initial weights are reproducible.
    Derived in Chapter 5.
    """
    return build_model(check_choice("name", name, recipe_names(5)))


def build_language_model(name: str, vocab_size: int) -> nn.Module:
    """An untrained model for recipe ``name`` (Chapter 9, section 9.4), seeded so that its initial
    weights are reproducible."""
    return build_model(check_choice("name", name, recipe_names(9)), vocab_size=vocab_size)


# ----------------------------------------------------------------------------- the chapters' wrappers
def _budget(steps, batch_size, learning_rate) -> dict:
    """The checked budget of a chapter's training function: a fixed number of Adam steps, checked
    before its data is built (building the toy corpus takes a while)."""
    return {"steps": check_int("steps", steps, minimum=1),
            "batch_size": check_int("batch_size", batch_size, minimum=1),
            "learning_rate": check_float("learning_rate", learning_rate, minimum=0.0, strict=True)}


def _adam_losses(model: nn.Module, data, budget: dict, *, seed: int, clip_norm) -> list[float]:
    """Train with Adam for the budget's steps on ``data`` (the one loop, :func:`train_steps`)
    and return the loss of every step: what the chapters' training functions return."""
    history = train_steps(model, data, seed=seed, stop={"rule": "steps", "steps": budget["steps"]},
                          optimiser={"algorithm": "adam", "learning_rate": budget["learning_rate"],
                                     "batch_size": budget["batch_size"], "clip_norm": clip_norm})
    return history["losses"]


def train_seq2seq(model: nn.Module, *, steps: int, task: str = "copy", lengths=(4, 24),
                  batch_size: int = 64, learning_rate: float = 3e-3, seed: int = 0) -> list[float]:
    """Train ``model`` with teacher forcing and Adam; return the loss of every step.
    Used in Chapter 1.

    Each step draws one length uniformly from ``lengths`` (inclusive) and a batch of that length,
    so no padding is needed. Gradients are clipped to norm 1, as is usual for recurrent networks.
    The run is a fixed number of steps, not seconds, so that it is reproducible. The shipped
    models of Chapters 1 and 4 were trained by the same loop (:func:`fit`).

    Parameters
    ----------
    model : Seq2Seq
        The model; its ``config["num_symbols"]`` sets the alphabet.
    steps : int
        Number of optimisation steps; at least 1.
    task : {"copy", "reverse"}
    lengths : (int, int)
        Shortest and longest training length.
    batch_size : int
    learning_rate : float
    seed : int
        Seeds the data stream, so two runs with the same seed see the same batches.
    """
    budget = _budget(steps, batch_size, learning_rate)
    check_choice("task", task, TASKS)
    lengths = check_length_range(lengths)
    data = Seq2SeqData(task, lengths, model.config["num_symbols"], eval_batches=0)
    return _adam_losses(model, data, budget, seed=seed, clip_norm=1.0)


def train_recall(model: nn.Module, *, steps: int, lengths=(4, 64), batch_size: int = 64,
                 learning_rate: float = 3e-3, seed: int = 0) -> list[float]:
    """Train with Adam on cross-entropy, each batch of a random length in ``lengths``.
    Derived in Chapter 5.

    The step loop of every model, :func:`paying_attention.training.train_steps`, on
    :class:`~paying_attention.training_data.RecallData`.

    Parameters
    ----------
    model : RecallAttention or RecallGRU
    steps : int
        Number of Adam steps; at least 1.
    lengths : (int, int)
        Shortest and longest ``T``; batch ``i`` has a length drawn uniformly from
        ``[lengths[0], lengths[1]]`` (both included), at most ``model.max_length``.
    batch_size, learning_rate, seed
        Examples per batch; Adam's step size; seed of the generator that draws every batch, so
        that every model sees the same data.

    Returns
    -------
    list of float
        The training loss of every step.
    """
    budget = _budget(steps, batch_size, learning_rate)
    data = RecallData(lengths, model.num_symbols, model.max_length, eval_batches=0)
    return _adam_losses(model, data, budget, seed=seed, clip_norm=None)


def train_toy_model(model: nn.Module, *, steps: int, batch_size: int = 128,
                    learning_rate: float = 3e-3, seed: int = 0, train_sentences: int = 20000,
                    data_seed: int = 1) -> list[float]:
    """Train ``model`` on the three tasks at once (the sum of their cross-entropies) with Adam.
    Derived in Chapter 6.

    The step loop of every model (:func:`paying_attention.training.train_steps`) on
    :class:`~paying_attention.training_data.ToyLanguageData`: batches are drawn from a fixed
    training corpus (``generate_sentences(train_sentences, seed=data_seed)``) by a generator seeded
    with ``seed``, so a run is reproducible on one machine. Returns the loss of every step.
    """
    budget = _budget(steps, batch_size, learning_rate)
    data = ToyLanguageData(train_sentences, data_seed, eval_sentences=0)
    return _adam_losses(model, data, budget, seed=seed, clip_norm=None)


def train_induction(model: nn.Module, *, steps: int, batch_size: int = 64,
                    learning_rate: float = 3e-3, seed: int = 0, vocab_size: int = 20,
                    length: int = 32, segment_lengths=(6, 16)) -> list[float]:
    """Train ``model`` on next-token prediction over
    :func:`~paying_attention.tasks.make_repeat_batch` sequences.

    Adam, a fresh seeded batch per step, gradient norm clipped at 1: the step loop of every model
    (:func:`paying_attention.training.train_steps`) on
    :class:`~paying_attention.training_data.RepeatData`, which trained the shipped model (Chapter 7,
    section 7.3). Returns the loss of every step (mean over all positions).
    """
    budget = _budget(steps, batch_size, learning_rate)
    if model.config["vocab_size"] != vocab_size or model.config["max_length"] < length:
        raise ValueError("model must have vocab_size and max_length that fit the task")
    data = RepeatData(vocab_size, length, segment_lengths, eval_batches=0)
    return _adam_losses(model, data, budget, seed=seed, clip_norm=1.0)


def language_model_log(history: dict, batch_size: int, length: int) -> dict:
    """The training log Chapter 9 reads, from a history: losses rounded to 4 decimals, the
    seconds and the throughput."""
    steps, seconds = len(history["losses"]), history["wall_seconds"][-1]
    return {"step": history["step"],
            "train_loss": [round(loss, 4) for loss in history["train_sample_loss"]],
            "validation_loss": [round(loss, 4) for loss in history["validation_loss"]],
            "steps": steps, "train_seconds": round(seconds, 2),
            "cpu_seconds": round(history["cpu_seconds"][-1], 2),
            "tokens_per_second": round(steps * batch_size * length / seconds, 1)}


def train_language_model(model: nn.Module, train_ids: torch.Tensor, validation_ids: torch.Tensor,
                         *, steps: int, batch_size: int = 32, length: int = 64,
                         learning_rate: float = 3e-3, warmup_steps: int = 50, seed: int = 0,
                         eval_every: int = 100, eval_batches: int = 4) -> dict:
    """Train a character language model with AdamW and record its loss curves (Chapter 9, 9.4).
    Derived in Chapter 9.

    The learning rate rises linearly for ``warmup_steps`` and then follows a cosine down to a tenth
    of ``learning_rate``; gradients are clipped to norm 1. Every ``eval_every`` steps (and at the
    start and the end) the loss on fixed training windows and on fixed validation windows is
    measured with :func:`~paying_attention.evaluation.evaluate_loss`. Only the optimisation steps
    are timed. The step loop is that of every model, :func:`paying_attention.training.train_steps`,
    on :class:`~paying_attention.training_data.TextData`.

    Returns
    -------
    dict with ``step``, ``train_loss``, ``validation_loss`` (lists), ``train_seconds`` (the
    wall time of the optimisation steps), ``cpu_seconds`` (the processor time they took, which
    other programs running on the machine do not inflate), ``tokens_per_second`` (training
    tokens per second of wall time) and ``steps``.
    """
    steps = check_int("steps", steps, minimum=1)
    warmup_steps = check_int("warmup_steps", warmup_steps, minimum=0)
    eval_every = check_int("eval_every", eval_every, minimum=1)
    learning_rate = check_float("learning_rate", learning_rate, minimum=0.0, strict=True)
    data = TextData(train_ids, validation_ids, length=length, eval_batches=eval_batches,
                    eval_seed=seed + 1000)
    optimiser = {"algorithm": "adamw", "learning_rate": learning_rate, "weight_decay": 0.01,
                 "batch_size": batch_size, "clip_norm": 1.0, "schedule": "warmup_cosine",
                 "warmup_steps": warmup_steps, "final_lr_fraction": 0.1}
    history = train_steps(model, data, optimiser=optimiser, stop={"rule": "steps", "steps": steps},
                          seed=seed, eval_every=eval_every)
    return language_model_log(history, batch_size, length)

"""Training: one loop for every model of the book, the history it records, and Chapter 1's scores.

:func:`fit` trains a recipe of the registry (:data:`paying_attention.recipes.RECIPES`) and returns
the model and its history; ``scripts/train.py NAME`` saves both as the shipped checkpoint. Its
step loop, :func:`train_steps`, is the only one in the package: the training functions the
chapters call on their own models (:func:`train_seq2seq` here, ``train_recall``,
``train_toy_model``, ``train_induction`` and ``train_language_model`` in their modules) are thin
wrappers over it. One loop means one order of random draws: a seeded run gives the same weights
whichever function started it.
"""
from __future__ import annotations

import math
import time
from pathlib import Path
from typing import Mapping

import torch
from torch import nn
from torch.nn import functional as F

from ._checks import check_choice, check_float, check_int
from .checkpoints import save
from .recipes import STOP_RULES, get_recipe, resolve
from .reproducibility import setup_chapter
from .tasks import TASKS, decoder_inputs, make_batch

__all__ = ["EVAL_BATCH_SIZE", "HISTORY_KEYS", "Seq2SeqData", "SyntheticData",
           "accuracy_by_position", "build_model", "converged", "fit", "token_accuracy",
           "train_seq2seq", "train_steps"]

#: The columns of a history, one entry per evaluation (at step 0, every ``eval_every`` steps and
#: at the last step); a history also holds ``losses``, the training loss of every step.
#: Used by the training script and the tests; no chapter calls it.
HISTORY_KEYS = ("step", "train_loss", "validation_loss", "wall_seconds", "cpu_seconds")
#: Examples in each batch of a synthetic task's held-out set.
EVAL_BATCH_SIZE = 64


# ----------------------------------------------------------------------------- data sources
class SyntheticData:
    """Base of the data sources whose every batch is drawn fresh from a seeded generator.

    Subclasses give ``batch(batch_size, generator)`` and ``loss(model, batch)``. The held-out
    set is ``eval_batches`` batches of :data:`EVAL_BATCH_SIZE` examples drawn the same way, once,
    by a generator seeded with ``eval_seed``: it never touches the training stream.
    """

    def __init__(self, eval_batches: int = 4, eval_seed: int = 1000):
        self.eval_batches = check_int("eval_batches", eval_batches, minimum=0)
        self.eval_seed = check_int("eval_seed", eval_seed, minimum=0)
        self._held_out = None

    def batch(self, batch_size: int, generator: torch.Generator):
        raise NotImplementedError

    def loss(self, model: nn.Module, batch) -> torch.Tensor:
        raise NotImplementedError

    def evaluate(self, model: nn.Module) -> dict:
        """``{"validation_loss": mean loss over the held-out batches}``."""
        if not self.eval_batches:
            raise ValueError("this data source has no held-out set (eval_batches = 0)")
        if self._held_out is None:
            generator = torch.Generator().manual_seed(self.eval_seed)
            self._held_out = [self.batch(EVAL_BATCH_SIZE, generator)
                              for _ in range(self.eval_batches)]
        losses = [self.loss(model, batch).item() for batch in self._held_out]
        return {"validation_loss": sum(losses) / len(losses)}


def _check_lengths(lengths) -> tuple[int, int]:
    if not (isinstance(lengths, (tuple, list)) and len(lengths) == 2):
        raise ValueError(f"lengths must be a pair (shortest, longest), got {lengths!r}")
    shortest = check_int("lengths[0]", lengths[0], minimum=1)
    longest = check_int("lengths[1]", lengths[1], minimum=shortest)
    return shortest, longest


class Seq2SeqData(SyntheticData):
    """The copy or reverse task of Chapters 1 and 4, for an encoder-decoder with teacher forcing.

    Each batch has one length drawn uniformly from ``lengths`` (both ends included), so no
    padding is needed; the loss is the cross-entropy of every target token.
    """

    def __init__(self, task: str = "copy", lengths=(4, 24), num_symbols: int = 10,
                 eval_batches: int = 4, eval_seed: int = 1000):
        super().__init__(eval_batches, eval_seed)
        self.task = check_choice("task", task, TASKS)
        self.shortest, self.longest = _check_lengths(lengths)
        self.num_symbols = check_int("num_symbols", num_symbols, minimum=2)

    def batch(self, batch_size, generator):
        length = int(torch.randint(self.shortest, self.longest + 1, (1,), generator=generator))
        return make_batch(batch_size, length, num_symbols=self.num_symbols, task=self.task,
                          generator=generator)

    def loss(self, model, batch):
        source, target = batch
        logits = model(source, decoder_inputs(target))  # (B, T, V)
        return F.cross_entropy(logits.reshape(-1, logits.shape[-1]), target.reshape(-1))


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


def converged(history: Mapping, fraction: float = 0.2, tolerance: float = 0.02) -> bool:
    """Whether the validation loss improved by less than ``tolerance`` (relative) over the last
    ``fraction`` of the steps: the plateau stopping rule.
    Used by the training script and the tests; no chapter calls it.

    The loss of the last evaluation is compared with that of the last evaluation at or before
    the window's start, step ``s_last - fraction * (s_last - s_first)``:
    ``(reference - last) / reference < tolerance``. A loss that rose counts as no improvement.
    False while there are fewer than two evaluations.
    """
    fraction = check_float("fraction", fraction, minimum=0.0, strict=True)
    if fraction > 1:
        raise ValueError(f"fraction must lie in (0, 1], got {fraction}")
    tolerance = check_float("tolerance", tolerance, minimum=0.0)
    steps, losses = list(history["step"]), list(history["validation_loss"])
    if len(steps) != len(losses):
        raise ValueError(f"history must have one validation loss per step, got {len(losses)} "
                         f"losses for {len(steps)} steps")
    if any(loss is None for loss in losses):
        raise ValueError("history must hold a validation loss at every evaluation, got None")
    if len(steps) < 2:
        return False
    start = steps[-1] - fraction * (steps[-1] - steps[0])
    reference = losses[max(index for index, step in enumerate(steps) if step <= start)]
    if reference <= 0:
        return losses[-1] >= reference
    return (reference - losses[-1]) / reference < tolerance


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
        A data source, with ``batch``, ``loss`` and ``evaluate`` (see :class:`SyntheticData`).
    optimiser : mapping
        A recipe's optimiser settings (:class:`paying_attention.recipes.Recipe`).
    stop : mapping
        ``{"rule": "steps", "steps": N}`` or ``{"rule": "plateau", "max_steps": N,
        "fraction": f, "tolerance": t}`` (stop once :func:`converged`).
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
            if rule == "plateau" and converged(history, stop["fraction"], stop["tolerance"]):
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


# ----------------------------------------------------------------------------- Chapter 1
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
    steps = check_int("steps", steps, minimum=1)
    check_choice("task", task, TASKS)
    lengths = _check_lengths(lengths)
    batch_size = check_int("batch_size", batch_size, minimum=1)
    learning_rate = check_float("learning_rate", learning_rate, minimum=0.0, strict=True)
    data = Seq2SeqData(task, lengths, model.config["num_symbols"], eval_batches=0)
    history = train_steps(model, data, seed=seed, stop={"rule": "steps", "steps": steps},
                          optimiser={"algorithm": "adam", "learning_rate": learning_rate,
                                     "batch_size": batch_size, "clip_norm": 1.0})
    return history["losses"]


@torch.no_grad()
def accuracy_by_position(model: nn.Module, length: int, *, task: str = "copy",
                         num_sequences: int = 256, seed: int = 1234) -> torch.Tensor:
    """Greedy-decoding accuracy at each target position, shape ``(length,)``.
    Used in Chapter 1.

    The model decodes from its own predictions (no teacher forcing), as it would in use.
    A fixed ``seed`` gives the same test sequences to every model compared.
    """
    length = check_int("length", length, minimum=1)
    num_sequences = check_int("num_sequences", num_sequences, minimum=1)
    check_choice("task", task, TASKS)
    generator = torch.Generator().manual_seed(check_int("seed", seed, minimum=0))
    source, target = make_batch(num_sequences, length, num_symbols=model.config["num_symbols"],
                                task=task, generator=generator)
    model.eval()
    predicted = model.greedy_decode(source, length)  # (N, T)
    return (predicted == target).float().mean(0)


def token_accuracy(model: nn.Module, lengths, *, task: str = "copy", num_sequences: int = 256,
                   seed: int = 1234) -> dict[int, float]:
    """Mean greedy-decoding token accuracy for each length in ``lengths``: ``{length: accuracy}``.
    Used in Chapter 1.
    """
    lengths = list(lengths)
    if not lengths:
        raise ValueError("lengths must name at least one sequence length")
    return {int(length): float(accuracy_by_position(model, length, task=task,
                                                    num_sequences=num_sequences, seed=seed).mean())
            for length in lengths}

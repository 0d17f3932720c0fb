"""The one registry of recipes: how every model the book ships is made.

A recipe names, as plain data, everything that decides a trained model: the model's factory and
its configuration, the data (a data source and its settings), the optimiser (algorithm, learning
rate, batch size, gradient clipping, schedule), the stopping rule, how often the held-out loss
is measured, and the seed. :func:`paying_attention.training.fit` turns a recipe into a trained
model and its history; ``scripts/train.py NAME`` saves both with
:func:`paying_attention.checkpoints.save` in ``weights/NAME.pt``, and the chapters read them back.
A new model of a new chapter is one more entry in :data:`RECIPES`. The chapters' own views of
the registry are here too: :data:`LM_TRAINING` (Chapter 9) and :data:`TOY_RECIPE` and
:data:`TOY_MODELS` (Chapter 6).

Factories and data sources are named by their public name in the package (``"Seq2Seq"``,
``"TextData.from_text"``: ``paying_attention.Seq2Seq``), not by the module that defines them, so
that a recipe is JSON-able (the checkpoint stores it, and a test checks that every shipped file
stores its registry recipe), so that moving a class to another module changes no recipe and no
checkpoint, and so that this module imports no model.

The data source ``data`` is built as ``data(**data_settings)`` and must have
``batch(batch_size, generator)``, ``loss(model, batch)`` and ``evaluate(model)`` (see
:func:`paying_attention.training.train_steps`). Its held-out set is drawn from a generator
seeded with ``eval_seed``, apart from the training stream, so measuring it changes nothing in
training.

The stopping rule is ``{"rule": "steps", "steps": N}`` (what every shipped model uses: a fixed
budget, reproducible) or ``{"rule": "plateau", "max_steps": N, "fraction": 0.2,
"tolerance": 0.02}``: measure the held-out loss every ``eval_every`` steps and stop once it
improved by less than ``tolerance`` (relative) over the last ``fraction`` of the steps, or is
below 0.001 (:func:`paying_attention.training.converged`), or after ``max_steps``; an optional
``"min_steps"`` keeps it from stopping earlier.
"""
from __future__ import annotations

import importlib
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, Mapping

from ._checks import check_choice, check_int

__all__ = ["AMBIGUOUS_TOY_MODELS", "LM_TRAINING", "OPTIMISERS", "QUICK_STEPS", "RECIPES", "STOP_RULES", "TOY_MODELS",
           "TOY_RECIPE", "Recipe", "get_recipe", "recipe_names", "resolve"]

#: What ``scripts/train.py --quick`` and ``fit(..., quick=True)`` train instead of the budget:
#: a few steps, to check that a recipe runs and is deterministic.
#: Used by the training script and the tests; no chapter calls it.
QUICK_STEPS = 20
#: The optimisers a recipe may name, and the stopping rules.
#: Used by the training script and the tests; no chapter calls it.
OPTIMISERS = ("adam", "adamw")
STOP_RULES = ("steps", "plateau")


def _frozen(value):
    """A read-only copy: dicts become mapping proxies, lists tuples (a recipe must not drift)."""
    if isinstance(value, Mapping):
        return MappingProxyType({key: _frozen(item) for key, item in value.items()})
    if isinstance(value, (list, tuple)):
        return tuple(_frozen(item) for item in value)
    return value


def _plain(value):
    """The JSON-able form: mappings become dicts and tuples lists."""
    if isinstance(value, Mapping):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(item) for item in value]
    return value


def resolve(name: str):
    """The object a recipe names: a public name of the package, ``"Name"`` or
    ``"Name.attribute"`` (``"TextData.from_text"``), looked up in ``paying_attention``.
    Used by the training script and the tests; no chapter calls it.
    """
    first, *attributes = name.split(".")
    package = importlib.import_module(__package__)
    if first not in package.__all__:
        raise ValueError(f"a factory must be a public name of {__package__} (in its __all__), "
                         f"such as 'Seq2Seq' or 'TextData.from_text'; got {name!r}")
    target = getattr(package, first)
    for attribute in attributes:
        target = getattr(target, attribute)
    return target


@dataclass(frozen=True)
class Recipe:
    """How one shipped model is made: model, data, optimiser, stopping rule, seed.
    Used by the training script and the tests; no chapter calls it.

    Attributes
    ----------
    name : str
        The checkpoint's name, ``weights/NAME.pt``.
    chapter : int
        The chapter that reads the model.
    model : str
        The factory, a public name of the package (``"Seq2Seq"``); built as ``model(**config)``
        (plus what the data source's ``model_arguments()`` adds, such as a vocabulary size).
    config : mapping
        The factory's keyword arguments.
    data : str
        The data source, a public name (``"Seq2SeqData"``, ``"TextData.from_text"``); built as
        ``data(**data_settings)``.
    data_settings : mapping
        Its settings, including the held-out set's (``eval_seed`` and its size).
    optimiser : mapping
        ``algorithm`` (one of :data:`OPTIMISERS`), ``learning_rate``, ``batch_size``,
        ``clip_norm`` (None: no clipping); ``weight_decay`` for AdamW; ``schedule``
        (``"warmup_cosine"``, with ``warmup_steps`` and ``final_lr_fraction``) if any.
    stop : mapping
        The stopping rule (see the module's docstring).
    eval_every : int
        Steps between two measurements of the held-out loss (also at step 0 and at the end).
    seed : int
        Seeds the initial weights and the order of the training batches.
    """

    name: str
    chapter: int
    model: str
    config: Mapping[str, Any]
    data: str
    data_settings: Mapping[str, Any]
    optimiser: Mapping[str, Any]
    stop: Mapping[str, Any]
    eval_every: int
    seed: int = 0

    def __post_init__(self):
        for name in ("config", "data_settings", "optimiser", "stop"):
            object.__setattr__(self, name, _frozen(getattr(self, name)))
        check_choice("optimiser algorithm", self.optimiser["algorithm"], OPTIMISERS)
        check_choice("stopping rule", self.stop["rule"], STOP_RULES)
        check_int("eval_every", self.eval_every, minimum=1)
        check_int("seed", self.seed, minimum=0)
        check_int("steps", self.steps, minimum=1)
        # A setting named in two places must say the same thing in both (flat() merges them).
        for key in set(self.config) & set(self.data_settings):
            if self.config[key] != self.data_settings[key]:
                raise ValueError(f"recipe {self.name!r}: {key} is {self.config[key]!r} in config "
                                 f"but {self.data_settings[key]!r} in data_settings")

    @property
    def steps(self) -> int:
        """The most optimisation steps the recipe takes (its budget, or its cap)."""
        return self.stop["steps"] if self.stop["rule"] == "steps" else self.stop["max_steps"]

    def as_dict(self) -> dict:
        """The recipe as plain JSON-able data: what a checkpoint stores."""
        return {"name": self.name, "chapter": self.chapter, "model": self.model,
                "config": _plain(self.config), "data": self.data,
                "data_settings": _plain(self.data_settings), "optimiser": _plain(self.optimiser),
                "stop": _plain(self.stop), "eval_every": self.eval_every, "seed": self.seed}

    def flat(self) -> dict:
        """The settings in one level, ``{**config, **data_settings, **optimiser, "steps",
        "eval_every", "seed"}``: the layout of the recipes the chapters print."""
        return {**_plain(self.config), **_plain(self.data_settings), **_plain(self.optimiser),
                "steps": self.steps, "eval_every": self.eval_every, "seed": self.seed}

    def quick(self) -> "Recipe":
        """The same recipe cut to :data:`QUICK_STEPS` steps, measured every 10 steps at most
        (and a warm-up no longer than the run): what ``--quick`` trains."""
        stop = dict(self.stop)
        stop["steps" if stop["rule"] == "steps" else "max_steps"] = QUICK_STEPS
        if "min_steps" in stop:
            stop["min_steps"] = min(stop["min_steps"], QUICK_STEPS)
        optimiser = dict(self.optimiser)
        if "warmup_steps" in optimiser:
            optimiser["warmup_steps"] = min(optimiser["warmup_steps"], QUICK_STEPS)
        return Recipe(self.name, self.chapter, self.model, self.config, self.data,
                      self.data_settings, optimiser, stop, min(self.eval_every, 10), self.seed)


def _seq2seq(name, chapter, task, hidden_size, *, reverse_source=False, attention=None,
             long=False, lengths=(4, 24), steps=15000, seed=0):
    config = {"num_symbols": 10, "hidden_size": hidden_size, "embedding_size": 32,
              "reverse_source": reverse_source}
    if attention:
        config["attention"] = attention
    optimiser = {"algorithm": "adam", "learning_rate": 3e-3, "batch_size": 64, "clip_norm": 1.0}
    stop = {"rule": "steps", "steps": 3000}
    if long:
        # Five times the budget (unless `steps` says otherwise), at the rate that trained the
        # model without attention fastest (1e-2, against 3e-3 and 3e-2, over 6,000 steps of
        # copying lengths 4 to 48 at hidden size 64), falling along a cosine to 5% of it. Slow to
        # converge (the chapters show the learning curves): at 60,000 steps the copy loss of a
        # GRU of width 64 still falls by more than 10% over the last fifth; on lengths 4 to 24,
        # 480,000 steps take two of three seeds below the floor of 0.001.
        optimiser.update(learning_rate=1e-2, schedule="warmup_cosine", warmup_steps=0,
                         final_lr_fraction=0.05)
        stop = {"rule": "steps", "steps": steps}
    return Recipe(
        (f"{name}_seed{seed}" if lengths != (4, 24) else f"{name}_long_seed{seed}") if long
        else name, chapter,
        "AttentionSeq2Seq" if attention else "Seq2Seq", config, "Seq2SeqData",
        {"task": task, "lengths": lengths, "num_symbols": 10, "eval_batches": 4,
         "eval_seed": 1000},
        optimiser, stop, eval_every=250 if long else 100, seed=seed)


def _recall(name, model, learning_rate, *, seed=0, steps=4000, cosine=False, **config):
    optimiser = {"algorithm": "adam", "learning_rate": learning_rate, "batch_size": 64,
                 "clip_norm": None}
    if cosine:
        # At a constant rate a GRU's loss creeps down, noisily, for tens of thousands of steps,
        # and a plateau rule stops it on a lucky stretch; a rate that falls along a cosine to
        # 5% of its start ends on a flat validation loss (Chapter 5 checks the 2% rule).
        optimiser.update(schedule="warmup_cosine", warmup_steps=0, final_lr_fraction=0.05)
    return Recipe(
        name if seed == 0 else f"{name}_seed{seed}", 5, model,
        {"num_symbols": 8, "max_length": 64, "d_model": 32, **config}, "RecallData",
        {"lengths": (4, 64), "num_symbols": 8, "max_length": 64, "eval_batches": 4,
         "eval_seed": 1000},
        optimiser, {"rule": "steps", "steps": steps}, eval_every=100 if steps <= 4000 else 250,
        seed=seed)


def _toy_language(seed, *, ambiguous=False, steps=3000, num_layers=1, d_model=32):
    data = {"train_sentences": 20000, "data_seed": 1, "eval_sentences": 2000, "eval_seed": 2}
    if ambiguous:
        # The second language: half the pronouns have two nouns that fit, and refer to the
        # subject (toy_language.generate_sentences, ambiguous_rate).
        data["ambiguous_rate"] = 0.5
    return Recipe(
        f"toy_{'ambiguous' if ambiguous else 'language'}{'_2layer' * (num_layers == 2)}"
        f"{'_wide' * (d_model != 32)}_seed{seed}", 6, "ToyLanguageModel",
        # One block of causal self-attention, 4 heads of width 8, no MLP: everything the
        # read-outs see from other positions has passed through a head.
        {"d_model": d_model, "num_heads": 4, "num_layers": num_layers, "mlp_width": 0},
        "ToyLanguageData", data,
        # Three tasks (agreement, coreference, selection); the rate falls along a cosine to 5% of
        # its start. Every task ends learned (held-out accuracy >= 0.998) and every seed converged
        # by the rule of training.converged (seed 0 flat; seeds 1 and 2 below its floor of 0.001).
        {"algorithm": "adam", "learning_rate": 3e-3, "batch_size": 128, "clip_norm": None,
         "schedule": "warmup_cosine", "warmup_steps": 0, "final_lr_fraction": 0.05},
        {"rule": "steps", "steps": steps}, eval_every=100, seed=seed)


def _induction(seed):
    return Recipe(
        "induction_2layer" if seed == 0 else f"induction_2layer_seed{seed}", 7,
        "AttentionOnlyTransformer",
        {"vocab_size": 20, "max_length": 32, "d_model": 64, "num_heads": 2, "num_layers": 2},
        "RepeatData",
        {"vocab_size": 20, "length": 32, "segment_lengths": (6, 16), "eval_batches": 4,
         "eval_seed": 1000},
        {"algorithm": "adam", "learning_rate": 3e-3, "batch_size": 64, "clip_norm": 1.0},
        # A fixed budget, five times the step of the phase change; every seed ends converged
        # by the 2% rule (Chapter 7 checks it on the histories).
        {"rule": "steps", "steps": 1500}, eval_every=10, seed=seed)


def _language_model(name, model, *, learning_rate=3e-3, seed=0, **config):
    return Recipe(
        name, 9, model, {**config, "max_length": 64}, "TextData.from_text",
        {"text": "shakespeare.txt", "length": 64, "validation_fraction": 0.1, "eval_batches": 4,
         "eval_seed": 1000},
        {"algorithm": "adamw", "learning_rate": learning_rate, "weight_decay": 0.01,
         "batch_size": 16, "clip_norm": 1.0, "schedule": "warmup_cosine", "warmup_steps": 50,
         "final_lr_fraction": 0.1},
        {"rule": "steps", "steps": 1200}, eval_every=100, seed=seed)


_ALL = [
    # Chapter 1: the encoder-decoder without attention on the copy task, four widths, and the
    # same model reading its source backwards; on lengths 4 to 48, at five times the budget of
    # Chapter 4's comparison, three seeds each.
    *(_seq2seq(f"copy48_h{hidden}", 1, "copy", hidden, long=True, lengths=(4, 48), seed=seed)
      for hidden in (16, 32, 64, 128) for seed in (0, 1, 2)),
    *(_seq2seq("copy48_h64_reversed", 1, "copy", 64, reverse_source=True, long=True,
               lengths=(4, 48), seed=seed) for seed in (0, 1, 2)),
    # One of them four times as long again, to see how far the budget moves its curve.
    _seq2seq("copy48_h64_60k", 1, "copy", 64, long=True, lengths=(4, 48), steps=60000),
    # The two narrowest widths four times as long, three seeds each: still not converged (their
    # loss falls 5-12% over the last fifth), every fall later, the ratio of the widths about kept.
    *(_seq2seq(f"copy48_h{hidden}_60k", 1, "copy", hidden, long=True, lengths=(4, 48),
               steps=60000, seed=seed) for hidden in (16, 32) for seed in (0, 1, 2)),
    # The widest on lengths 4 to 64, to see whether the longest training length caps it.
    *(_seq2seq("copy64_h128", 1, "copy", 128, long=True, lengths=(4, 64), seed=seed)
      for seed in (0, 1, 2)),
    # Chapter 4: the same-budget comparison (3,000 steps, lengths 4 to 24) of the model without
    # attention at two widths and the one with attention; then the models of hidden size 64
    # with and without attention at five times the budget, three seeds each.
    *(_seq2seq(f"copy_h{hidden}", 4, "copy", hidden) for hidden in (64, 128)),
    _seq2seq("copy_h64_additive", 4, "copy", 64, attention="additive"),
    *(_seq2seq(name, 4, "copy", 64, attention=attention, long=True, seed=seed)
      for name, attention in (("copy_h64", None), ("copy_h64_additive", "additive"))
      for seed in (0, 1, 2)),
    # The one without attention, seed 0, four times as long again: how far does the budget go?
    _seq2seq("copy_h64_60k", 4, "copy", 64, long=True, steps=60000),
    # And far longer: 480,000 steps (32 times the longer runs), three seeds; seeds 0
    # and 1 end below 0.001, seed 2 at 0.0016, still falling (Chapter 4 says so).
    *(_seq2seq("copy_h64_480k", 4, "copy", 64, long=True, steps=480000, seed=seed)
      for seed in (0, 1, 2)),
    _seq2seq("reverse_h64_additive", 4, "reverse", 64, attention="additive"),
    _seq2seq("copy_h64_dot", 4, "copy", 64, attention="dot"),
    # Chapter 5: "which symbol was at position p?", three seeds each. Attention at the better of
    # the learning rates 3e-3 and 1e-2 (tried with 3,000 steps), for 4,000 steps (its loss is
    # below 0.001 long before); the GRU of width 24 at the better rate too (1e-2), the wide GRU
    # (96) at 3e-3, untuned; both with a cosine-decayed rate until their loss is flat.
    *(_recall("recall_attention", "RecallAttention", 3e-3, seed=seed, positions=True)
      for seed in (0, 1, 2)),
    *(_recall("recall_attention_no_position", "RecallAttention", 3e-3, seed=seed,
              positions=False) for seed in (0, 1, 2)),
    *(_recall("recall_gru", "RecallGRU", 1e-2, seed=seed, steps=20000, cosine=True,
              hidden_size=24) for seed in (0, 1, 2)),
    *(_recall("recall_gru_wide", "RecallGRU", 3e-3, seed=seed, steps=10000, cosine=True,
              hidden_size=96) for seed in (0, 1, 2)),
    # Chapter 6: the toy-language model; three seeds of initial weights and batch order.
    *(_toy_language(seed) for seed in (0, 1, 2)),
    # Chapter 6, section 6.10: the same model on the language with ambiguous pronouns. At 3,000
    # steps its held-out loss still fell by a third over the last fifth; at 24,000 every seed is
    # flat (it stops falling near step 10,000, at about 0.01: a few pronouns stay wrong). And the
    # controls: the same with two layers, whose loss is below 0.001 by step 1,200 (tried over
    # 12,000 steps), at the first language's 3,000; and one layer twice as wide (4 heads of
    # width 16), with more parameters than the two layers, at the one layer's 24,000.
    *(_toy_language(seed, ambiguous=True, steps=24000) for seed in (0, 1, 2)),
    *(_toy_language(seed, ambiguous=True, num_layers=2) for seed in (0, 1, 2)),
    *(_toy_language(seed, ambiguous=True, steps=24000, d_model=64) for seed in (0, 1, 2)),
    # Chapter 7: a two-layer attention-only transformer on the repeated-segment task; three
    # seeds (seed 0 keeps the name the chapter reads), measured every 10 steps so that the
    # history resolves the phase change (near step 300) in which the induction heads form.
    *(_induction(seed) for seed in (0, 1, 2)),
    # Chapter 9: the tiny transformer, the same without positions, and a GRU of about its size.
    _language_model("tiny_transformer", "TinyTransformerLM", d_model=64, num_heads=4,
                    num_layers=2, d_ff=256, position="sinusoidal"),
    _language_model("tiny_transformer_no_position", "TinyTransformerLM", d_model=64,
                    num_heads=4, num_layers=2, d_ff=256, position="none"),
    _language_model("tiny_gru", "GRULanguageModel", d_embed=64, hidden_size=152),
    # Chapter 9, section 9.5: each model at the best of the peak learning rates 1e-3, 3e-3, 1e-2,
    # 3e-2 and 1e-1 (scripts/sweep_tiny_lm.py: mean validation loss of three seeds at the
    # 1,200-step budget), three seeds each; the GRU's best is the recipe's 3e-3, so its seed 0 is
    # tiny_gru. Sinusoidal positions are best at 1e-2, learned ones at 3e-2.
    *(_language_model(f"tiny_gru_seed{seed}", "GRULanguageModel", seed=seed, d_embed=64,
                      hidden_size=152) for seed in (1, 2)),
    *(_language_model(f"tiny_transformer_{position}_seed{seed}", "TinyTransformerLM",
                      learning_rate=learning_rate, seed=seed, d_model=64, num_heads=4,
                      num_layers=2, d_ff=256, position=position)
      for position, learning_rate in (("sinusoidal", 1e-2), ("learned", 3e-2))
      for seed in (0, 1, 2)),
]

#: Every shipped model of every chapter, by name: the one registry of recipes.
#: Used in Chapter 1 (imported there; the chapters read the trained models, not the recipes).
RECIPES: Mapping[str, Recipe] = MappingProxyType({recipe.name: recipe for recipe in _ALL})


def get_recipe(recipe) -> Recipe:
    """The :class:`Recipe` of a name in :data:`RECIPES` (a Recipe is returned as it is).
    Used by the training script and the tests; no chapter calls it.
    """
    if isinstance(recipe, Recipe):
        return recipe
    return RECIPES[check_choice("name", recipe, RECIPES)]


def recipe_names(*chapters: int) -> list[str]:
    """The names of the shipped models of the given chapters, in the registry's order.
    Used by the training script and the tests; no chapter calls it.
    """
    return [name for name, recipe in RECIPES.items() if recipe.chapter in chapters]


# ----------------------------------------------------------------------------- chapters' views
_LANGUAGE_MODEL = RECIPES["tiny_transformer"]
#: Shared by every recipe of Chapter 9 (see :data:`RECIPES`): the same text, data, budget and
#: optimiser.
#: Derived in Chapter 9.
LM_TRAINING = {"steps": _LANGUAGE_MODEL.steps,
               "batch_size": _LANGUAGE_MODEL.optimiser["batch_size"],
               "length": _LANGUAGE_MODEL.data_settings["length"],
               "learning_rate": _LANGUAGE_MODEL.optimiser["learning_rate"],
               "warmup_steps": _LANGUAGE_MODEL.optimiser["warmup_steps"],
               "seed": _LANGUAGE_MODEL.seed, "eval_every": _LANGUAGE_MODEL.eval_every,
               "eval_batches": _LANGUAGE_MODEL.data_settings["eval_batches"],
               "validation_fraction": _LANGUAGE_MODEL.data_settings["validation_fraction"]}

_TOY = RECIPES["toy_language_seed0"]
#: The settings every shipped toy model shares (their recipes in :data:`RECIPES`, in one
#: level): one block of causal self-attention with 4 heads of width 8 and no MLP, so that
#: everything the read-outs see has passed through a head. Derived in Chapter 6.
TOY_RECIPE = {**_TOY.config, "steps": _TOY.steps,
              **{key: _TOY.optimiser[key] for key in ("batch_size", "learning_rate")},
              **{key: _TOY.data_settings[key] for key in ("train_sentences", "data_seed")}}
#: The shipped toy models differ only in the seed of their initial weights and batch order.
#: Derived in Chapter 6.
TOY_MODELS = {name: {"seed": RECIPES[name].seed} for name in recipe_names(6)
              if "ambiguous_rate" not in RECIPES[name].data_settings}
#: The models of Chapter 6's second language (section 6.10), whose pronouns may have two
#: fitting nouns: the same model and settings, its own data and budget, three seeds; and the
#: same with two layers.
#: Derived in Chapter 6.
AMBIGUOUS_TOY_MODELS = {name: {"seed": RECIPES[name].seed, "steps": RECIPES[name].steps,
                               "num_layers": RECIPES[name].config["num_layers"],
                               "d_model": RECIPES[name].config["d_model"],
                               "ambiguous_rate": RECIPES[name].data_settings["ambiguous_rate"]}
                        for name in recipe_names(6) if name not in TOY_MODELS}

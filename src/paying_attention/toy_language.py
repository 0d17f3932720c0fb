r"""A tiny generated language whose sentences carry known links (Chapter 6).

Used in Chapter 6, "Multi-head attention", sections 6.6-6.10, to ask whether different heads
learn different relations. Every sentence comes from one small grammar, shipped as code (no download)::

    S   -> [ADV ","] NP_subject [RC] VERB_main NP_object "and" PRONOUN VERB "."
    RC  -> "that" NP VERB          (a relative clause: "that the girls see")
    NP  -> "the" [ADJ] NOUN

for example ``the old king that the girls see chase the dog and it sleep .``. Two links are known
for every sentence, with the position of both ends:

- **agreement** (syntax): the main verb agrees in number with its subject, the head noun of the
  first noun phrase, *not* with the nearer noun inside the relative clause (the attractor). Verbs
  are written as bare stems (``see``, ``chase``), so the input never shows the number; the task is
  to predict it at the main verb: singular (``chases``) or plural (``chase``).
- **coreference**: the pronoun points back to exactly one earlier noun, its antecedent. Nouns
  have a gender (masculine ``king``, feminine ``queen``, neuter ``dog``) and a number; ``he``,
  ``she``, ``it`` refer to a singular noun of that gender and ``they`` to a plural one. The
  generator makes sure exactly one noun fits the pronoun; the others may share its gender (and
  differ in number) or its number (and differ in gender), so both must be matched. The task is
  to predict, at the pronoun, which noun (``king``, ``queen``, ...) it means.

Generation is seeded (:func:`generate_sentences`), so a seed gives the same corpus on every
machine. The numbers of the subject and of the relative-clause noun are independent coin flips,
so half the sentences with a relative clause have an attractor of the opposite number.

The module also holds the small model the chapter trains on both tasks
(:class:`ToyLanguageModel`), its training data (:class:`ToyLanguageData`, with
:func:`train_toy_model`; the shipped models are trained by ``scripts/train.py NAME``), the shipped
weights (:func:`load_toy_model`), and the two measurements of what its heads do:
:func:`link_scores` (where a head looks) and :func:`ablation_drops` (what is lost without it).
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

import numpy as np
import torch
from torch import nn

from ._checks import check_choice, check_float, check_int
from .checkpoints import load, read, summary
from .multihead import MultiHeadAttention
from .recipes import RECIPES, recipe_names
from .training import train_steps

__all__ = [
    "GENDERS", "NOUN_LEMMAS", "PAD", "RELATIONS", "TOY_MODELS", "TOY_RECIPE", "VOCABULARY",
    "ToyCorpus", "ToyLanguageData", "ToyLanguageModel", "ablation_drops", "decode",
    "generate_sentences", "link_scores", "load_toy_model", "noun_gender", "pronoun_for",
    "saved_toy_recipe", "toy_accuracy", "train_toy_model",
]

# ----------------------------------------------------------------------------- the lexicon
PAD = "<pad>"
GENDERS = ("masculine", "feminine", "neuter")
#: Noun lemmas by gender; the plural is formed by :data:`_PLURALS`.
_NOUNS_BY_GENDER = {"masculine": ("king", "boy", "man"), "feminine": ("queen", "girl", "woman"),
                    "neuter": ("dog", "cat", "horse")}
NOUN_LEMMAS = tuple(noun for gender in GENDERS for noun in _NOUNS_BY_GENDER[gender])
_PLURALS = {"man": "men", "woman": "women"}
_ADJECTIVES = ("old", "young", "big", "small", "happy")
_ADVERBS = ("today", "later", "often")
_TRANSITIVE = ("see", "like", "chase", "help", "know")
_INTRANSITIVE = ("run", "sleep", "sing", "smile", "wait")
_PRONOUNS = {("masculine", "singular"): "he", ("feminine", "singular"): "she",
             ("neuter", "singular"): "it"}


def _plural(noun: str) -> str:
    return _PLURALS.get(noun, noun + "s")


#: Every token of the language; id 0 is padding.
VOCABULARY = (PAD, "the", "that", "and", ",", ".", *_ADVERBS, *_ADJECTIVES,
              *NOUN_LEMMAS, *(_plural(noun) for noun in NOUN_LEMMAS),
              *_TRANSITIVE, *_INTRANSITIVE, "he", "she", "it", "they")
_INDEX = {word: index for index, word in enumerate(VOCABULARY)}
MAX_LENGTH = 18  # the longest sentence the grammar makes


def noun_gender(lemma: str) -> str:
    """The gender of a noun lemma (``"king"`` is masculine)."""
    for gender, nouns in _NOUNS_BY_GENDER.items():
        if lemma in nouns:
            return gender
    raise ValueError(f"lemma must be one of {list(NOUN_LEMMAS)}, got {lemma!r}")


def pronoun_for(lemma: str, plural: bool) -> str:
    """The pronoun that refers to a noun: ``he``/``she``/``it`` if singular, ``they`` if plural."""
    return "they" if plural else _PRONOUNS[(noun_gender(lemma), "singular")]


# ----------------------------------------------------------------------------- the corpus
@dataclass
class ToyCorpus:
    """Sentences of the toy language with their gold links and task labels.
    Derived in Chapter 6.

    All arrays have one row per sentence (``N`` of them); positions count from 0.

    Attributes
    ----------
    tokens : torch.LongTensor, shape ``(N, T)``
        Token ids into :data:`VOCABULARY`, padded with 0 (``<pad>``) at the end; ``T = 18``.
    lengths : torch.LongTensor ``(N,)``
        Number of real tokens.
    verb_position, subject_position : torch.LongTensor ``(N,)``
        The main verb and its subject's noun: the gold **agreement** link (verb -> subject).
    attractor_position : torch.LongTensor ``(N,)``
        The noun inside the relative clause, or -1 if the sentence has none.
    pronoun_position, antecedent_position : torch.LongTensor ``(N,)``
        The pronoun and its antecedent's noun: the gold **coreference** link.
    number : torch.LongTensor ``(N,)``
        Agreement label, the subject's number: 0 singular, 1 plural.
    antecedent : torch.LongTensor ``(N,)``
        Coreference label: the antecedent's lemma as an index into :data:`NOUN_LEMMAS`.
    attractor_mismatch : torch.BoolTensor ``(N,)``
        The relative clause's noun has the other number than the subject (the hard cases).
    words : list of list of str
        The sentences as words (no padding).
    vocabulary : tuple of str
        :data:`VOCABULARY`.
    """

    tokens: torch.Tensor
    lengths: torch.Tensor
    verb_position: torch.Tensor
    subject_position: torch.Tensor
    attractor_position: torch.Tensor
    pronoun_position: torch.Tensor
    antecedent_position: torch.Tensor
    number: torch.Tensor
    antecedent: torch.Tensor
    attractor_mismatch: torch.Tensor
    words: list = field(repr=False)
    vocabulary: tuple = field(default=VOCABULARY, repr=False)

    def __len__(self) -> int:
        return len(self.words)

    def __getitem__(self, index) -> "ToyCorpus":
        """Select sentences by an index, slice, list or boolean tensor; returns a ToyCorpus."""
        index = torch.arange(len(self))[index] if not isinstance(index, torch.Tensor) else index
        if index.dtype == torch.bool:
            index = index.nonzero().flatten()
        index = index.reshape(-1)
        arrays = {name: getattr(self, name)[index] for name in _ARRAY_FIELDS}
        return ToyCorpus(**arrays, words=[self.words[i] for i in index.tolist()])


_ARRAY_FIELDS = ("tokens", "lengths", "verb_position", "subject_position", "attractor_position",
                 "pronoun_position", "antecedent_position", "number", "antecedent",
                 "attractor_mismatch")


class _Dice:
    """Uniform draws from a seeded numpy generator, taken in blocks (one call per 4096 draws is
    far faster than one call per draw, and the sequence depends on the seed alone)."""

    def __init__(self, seed: int):
        self._generator = np.random.default_rng(seed)
        self._block, self._next = self._generator.random(4096), 0

    def random(self) -> float:
        if self._next == len(self._block):
            self._block, self._next = self._generator.random(4096), 0
        self._next += 1
        return float(self._block[self._next - 1])

    def integers(self, high: int) -> int:
        return min(int(self.random() * high), high - 1)

    def sample(self, population: int, size: int) -> list[int]:
        """``size`` distinct integers below ``population``, in random order."""
        pool = list(range(population))
        return [pool.pop(self.integers(len(pool))) for _ in range(size)]


def _noun_phrase(rng, lemma: str, plural: bool, adjective_rate: float) -> list[str]:
    words = ["the"]
    if rng.random() < adjective_rate:
        words.append(_ADJECTIVES[rng.integers(len(_ADJECTIVES))])
    return words + [_plural(lemma) if plural else lemma]


def _sentence(rng, relative_clause_rate: float, adjective_rate: float, adverb_rate: float) -> dict:
    has_adverb = rng.random() < adverb_rate
    has_clause = rng.random() < relative_clause_rate
    roles = ["subject"] + ["attractor"] * has_clause + ["object"]
    # Nouns are drawn independently (distinct lemmas in one sentence); numbers are coin flips.
    chosen = rng.sample(len(NOUN_LEMMAS), len(roles))
    lemmas = {role: NOUN_LEMMAS[i] for role, i in zip(roles, chosen)}
    plural = {role: bool(rng.random() < 0.5) for role in roles}
    # A pronoun must pick out one noun: two singular nouns of one gender share "he", "she" or
    # "it", and two plural nouns share "they". If no noun has a pronoun of its own, draw the
    # object again. It comes after the main verb, so nothing the verb sees depends on this.
    while True:
        pronouns = {role: pronoun_for(lemmas[role], plural[role]) for role in roles}
        counts = Counter(pronouns.values())
        unique = [role for role in roles if counts[pronouns[role]] == 1]
        if unique:
            break
        others = [i for i in range(len(NOUN_LEMMAS)) if NOUN_LEMMAS[i] not in
                  (lemmas[role] for role in roles if role != "object")]
        lemmas["object"] = NOUN_LEMMAS[others[rng.integers(len(others))]]
        plural["object"] = bool(rng.random() < 0.5)
    referent = unique[rng.integers(len(unique))]

    words = []
    if has_adverb:
        words += [_ADVERBS[rng.integers(len(_ADVERBS))], ","]
    positions = {}
    words += _noun_phrase(rng, lemmas["subject"], plural["subject"], adjective_rate)
    positions["subject"] = len(words) - 1
    if has_clause:
        words.append("that")
        words += _noun_phrase(rng, lemmas["attractor"], plural["attractor"], adjective_rate)
        positions["attractor"] = len(words) - 1
        words.append(_TRANSITIVE[rng.integers(len(_TRANSITIVE))])
    words.append(_TRANSITIVE[rng.integers(len(_TRANSITIVE))])
    positions["verb"] = len(words) - 1
    words += _noun_phrase(rng, lemmas["object"], plural["object"], adjective_rate)
    positions["object"] = len(words) - 1
    words += ["and", pronouns[referent]]
    positions["pronoun"] = len(words) - 1
    words += [_INTRANSITIVE[rng.integers(len(_INTRANSITIVE))], "."]
    return {
        "words": words, "verb": positions["verb"], "subject": positions["subject"],
        "attractor": positions.get("attractor", -1), "pronoun": positions["pronoun"],
        "antecedent_position": positions[referent], "number": int(plural["subject"]),
        "antecedent": NOUN_LEMMAS.index(lemmas[referent]),
        "mismatch": has_clause and plural["attractor"] != plural["subject"],
    }


def generate_sentences(num_sentences: int, *, seed: int = 0, relative_clause_rate: float = 0.7,
                       adjective_rate: float = 0.3, adverb_rate: float = 0.3) -> ToyCorpus:
    """Generate ``num_sentences`` sentences of the toy language with their links and labels.

    Used in Chapter 6 (section 6.6). The same ``seed`` and rates give the same corpus on every
    machine (uniform draws from numpy's ``default_rng(seed)``).

    Parameters
    ----------
    num_sentences : int
        At least 1.
    seed : int
        At least 0.
    relative_clause_rate : float in [0, 1]
        Share of sentences whose subject has a relative clause (with an attractor noun).
    adjective_rate, adverb_rate : float in [0, 1]
        Chance of an adjective before a noun, and of a sentence-initial adverb: they move the
        words about, so that no relation sits at a fixed position.

    Returns
    -------
    ToyCorpus
    """
    num_sentences = check_int("num_sentences", num_sentences, minimum=1)
    seed = check_int("seed", seed, minimum=0)
    rates = {"relative_clause_rate": relative_clause_rate, "adjective_rate": adjective_rate,
             "adverb_rate": adverb_rate}
    for name, rate in rates.items():
        rate = check_float(name, rate, minimum=0.0)
        if rate > 1:
            raise ValueError(f"{name} must lie in [0, 1], got {rate}")
    rng = _Dice(seed)
    sentences = [_sentence(rng, relative_clause_rate, adjective_rate, adverb_rate)
                 for _ in range(num_sentences)]
    tokens = torch.tensor([[_INDEX[word] for word in sentence["words"]]
                           + [0] * (MAX_LENGTH - len(sentence["words"])) for sentence in sentences])

    def column(key, dtype=torch.long):
        return torch.tensor([sentence[key] for sentence in sentences], dtype=dtype)

    return ToyCorpus(
        tokens=tokens, lengths=torch.tensor([len(s["words"]) for s in sentences]),
        verb_position=column("verb"), subject_position=column("subject"),
        attractor_position=column("attractor"), pronoun_position=column("pronoun"),
        antecedent_position=column("antecedent_position"), number=column("number"),
        antecedent=column("antecedent"), attractor_mismatch=column("mismatch", torch.bool),
        words=[s["words"] for s in sentences])


def decode(tokens) -> list[str]:
    """Token ids ``(T,)`` back to words, padding dropped."""
    ids = tokens.tolist() if isinstance(tokens, torch.Tensor) else list(tokens)
    if any(not 0 <= i < len(VOCABULARY) for i in ids):
        raise ValueError(f"token ids must lie in [0, {len(VOCABULARY) - 1}], got {ids}")
    return [VOCABULARY[i] for i in ids if i != 0]


# ----------------------------------------------------------------------------- the model
class ToyLanguageModel(nn.Module):
    r"""A small causal Transformer encoder with two classifiers (Chapter 6, section 6.7).

    Token embedding plus a learned position embedding, then ``num_layers`` blocks of causal
    multi-head self-attention (:class:`~paying_attention.multihead.MultiHeadAttention`) and,
    if ``mlp_width > 0``, a small MLP, each with a residual connection and layer normalisation
    before it. A final layer norm and two linear read-outs: the verb's number (2 classes) read at
    the main verb, and the antecedent (one of the nine noun lemmas) read at the pronoun. Causal:
    a position sees only itself and what came before, as a reader does. The chapter's models
    have one block and no MLP (``mlp_width=0``), so that everything the read-outs see from other
    positions has passed through a head.

    Forward
    -------
    ``hidden, weights = model(tokens, head_mask=None)`` with ``tokens`` ``(B, T)``;
    ``hidden`` ``(B, T, d_model)``; ``weights`` ``(L, B, H, T, T)``; ``head_mask`` ``(L, H)``
    multiplies each head's output (0 ablates it). :meth:`predict` gives both tasks' logits.
    """

    def __init__(self, d_model: int = 32, num_heads: int = 4, num_layers: int = 1,
                 mlp_width: int = 64):
        super().__init__()
        self.config = {"d_model": check_int("d_model", d_model, minimum=1),
                       "num_heads": check_int("num_heads", num_heads, minimum=1),
                       "num_layers": check_int("num_layers", num_layers, minimum=1),
                       "mlp_width": check_int("mlp_width", mlp_width, minimum=0)}
        self.token_embedding = nn.Embedding(len(VOCABULARY), d_model)
        self.position_embedding = nn.Embedding(MAX_LENGTH, d_model)  # learned positions
        self.attention_norms = nn.ModuleList(nn.LayerNorm(d_model) for _ in range(num_layers))
        self.attentions = nn.ModuleList(MultiHeadAttention(d_model, num_heads)
                                        for _ in range(num_layers))
        # The MLP of each block, with its layer norm; none at all if mlp_width is 0.
        self.mlp_norms = nn.ModuleList(nn.LayerNorm(d_model) if mlp_width else None
                                       for _ in range(num_layers))
        self.mlps = nn.ModuleList(nn.Sequential(nn.Linear(d_model, mlp_width), nn.ReLU(),
                                                nn.Linear(mlp_width, d_model)) if mlp_width else None
                                  for _ in range(num_layers))
        self.final_norm = nn.LayerNorm(d_model)
        self.number_head = nn.Linear(d_model, 2)
        self.antecedent_head = nn.Linear(d_model, len(NOUN_LEMMAS))

    def forward(self, tokens: torch.Tensor, head_mask=None):
        if not isinstance(tokens, torch.Tensor) or tokens.dtype != torch.long or tokens.dim() != 2:
            raise ValueError("tokens must be a torch.long tensor of shape (B, T)")
        length = tokens.shape[1]
        if not 1 <= length <= MAX_LENGTH:
            raise ValueError(f"tokens must have 1 to {MAX_LENGTH} positions, "
                             f"got shape {tuple(tokens.shape)}")
        layers, heads = self.config["num_layers"], self.config["num_heads"]
        if head_mask is not None and tuple(head_mask.shape) != (layers, heads):
            raise ValueError(f"head_mask must have shape (L, H) = {(layers, heads)}, "
                             f"got {tuple(head_mask.shape)}")
        hidden = self.token_embedding(tokens) + self.position_embedding.weight[:length]  # (B, T, d_model)
        causal = torch.ones(length, length, dtype=torch.bool).tril()                     # (T, T)
        all_weights = []
        for layer in range(layers):
            normed = self.attention_norms[layer](hidden)
            out, weights = self.attentions[layer](
                normed, normed, normed, mask=causal,
                head_mask=None if head_mask is None else head_mask[layer])  # (B, T, d_model)
            hidden = hidden + out
            if self.mlps[layer] is not None:
                hidden = hidden + self.mlps[layer](self.mlp_norms[layer](hidden))
            all_weights.append(weights)                                      # (B, H, T, T)
        return self.final_norm(hidden), torch.stack(all_weights)            # (L, B, H, T, T)

    def predict(self, corpus: ToyCorpus, head_mask=None):
        """Logits of both tasks: ``number`` ``(N, 2)`` at the verbs, ``antecedent`` ``(N, 9)`` at
        the pronouns, and the attention weights ``(L, N, H, T, T)``."""
        hidden, weights = self(corpus.tokens, head_mask=head_mask)
        rows = torch.arange(len(corpus))
        return {"number": self.number_head(hidden[rows, corpus.verb_position]),
                "antecedent": self.antecedent_head(hidden[rows, corpus.pronoun_position]),
                "weights": weights}


@torch.no_grad()
def toy_accuracy(model: ToyLanguageModel, corpus: ToyCorpus, head_mask=None) -> dict:
    """Accuracy of both tasks on ``corpus``: ``{"agreement": ..., "coreference": ...}``.
    Derived in Chapter 6.
    """
    was_training = model.training
    model.eval()
    logits = model.predict(corpus, head_mask=head_mask)
    model.train(was_training)
    return {"agreement": (logits["number"].argmax(-1) == corpus.number).float().mean().item(),
            "coreference": (logits["antecedent"].argmax(-1) == corpus.antecedent).float().mean().item()}


# ----------------------------------------------------------------------------- reading heads
#: The two known links: (name, query position field, gold key position field, label field).
RELATIONS = {"agreement": ("verb_position", "subject_position"),
             "coreference": ("pronoun_position", "antecedent_position")}


def link_scores(weights: torch.Tensor, corpus: ToyCorpus) -> dict:
    """How often each head's largest weight from the link's start lands on the gold position.

    Derived in Chapter 6 (section 6.8). For the agreement link the row of the main verb is read
    and compared with the subject's position; for coreference, the row of the pronoun and the
    antecedent's position.

    Parameters
    ----------
    weights : torch.Tensor, shape ``(L, N, H, T, T)``
        Attention weights of a :class:`ToyLanguageModel` on the ``N`` sentences of ``corpus``.
    corpus : ToyCorpus

    Returns
    -------
    dict
        ``{"agreement": (L, H) tensor, "coreference": (L, H) tensor}``: fractions in [0, 1].
    """
    if not isinstance(weights, torch.Tensor) or weights.dim() != 5 or weights.shape[1] != len(corpus):
        raise ValueError(f"weights must have shape (L, N, H, T, T) with N = {len(corpus)} sentences, "
                         f"got {tuple(getattr(weights, 'shape', ()))}")
    rows = torch.arange(len(corpus))
    by_head = weights.transpose(1, 2)                                  # (L, H, N, T, T)
    scores = {}
    for relation, (start, gold) in RELATIONS.items():
        from_start = by_head[:, :, rows, getattr(corpus, start)]       # (L, H, N, T)
        landed = from_start.argmax(-1) == getattr(corpus, gold)        # (L, H, N)
        scores[relation] = landed.float().mean(-1)                     # (L, H)
    return scores


def ablation_drops(model: ToyLanguageModel, corpus: ToyCorpus) -> dict:
    """Accuracy lost on each task when one head's output is set to zero, for every head.

    Derived in Chapter 6 (section 6.9). Returns ``{"agreement": (L, H), "coreference": (L, H)}``:
    accuracy of the whole model minus accuracy with that head removed (positive = it mattered).
    """
    layers, heads = model.config["num_layers"], model.config["num_heads"]
    full = toy_accuracy(model, corpus)
    drops = {task: torch.zeros(layers, heads) for task in full}
    for layer in range(layers):
        for head in range(heads):
            keep = torch.ones(layers, heads)
            keep[layer, head] = 0.0
            ablated = toy_accuracy(model, corpus, head_mask=keep)
            for task in full:
                drops[task][layer, head] = full[task] - ablated[task]
    return drops


# ----------------------------------------------------------------------------- training
class ToyLanguageData:
    """The training data of the toy-language model: both tasks at once (Chapter 6, section 6.7).

    Batches are drawn (with replacement) from a fixed training corpus,
    ``generate_sentences(train_sentences, seed=data_seed)``; the loss is the sum of the two
    cross-entropies, number at the main verb and antecedent at the pronoun. The held-out set is
    ``generate_sentences(eval_sentences, seed=eval_seed)``, the test set of Chapter 6.
    """

    def __init__(self, train_sentences: int = 20000, data_seed: int = 1,
                 eval_sentences: int = 2000, eval_seed: int = 2):
        self.corpus = generate_sentences(train_sentences, seed=data_seed)
        self.eval_sentences = check_int("eval_sentences", eval_sentences, minimum=0)
        self.eval_seed = check_int("eval_seed", eval_seed, minimum=0)
        self._held_out = None

    def batch(self, batch_size: int, generator: torch.Generator) -> ToyCorpus:
        return self.corpus[torch.randint(len(self.corpus), (batch_size,), generator=generator)]

    def loss(self, model: ToyLanguageModel, batch: ToyCorpus) -> torch.Tensor:
        logits = model.predict(batch)
        return (nn.functional.cross_entropy(logits["number"], batch.number)
                + nn.functional.cross_entropy(logits["antecedent"], batch.antecedent))

    def evaluate(self, model: ToyLanguageModel) -> dict:
        """``{"validation_loss": the loss on the held-out sentences}``."""
        if self._held_out is None:
            self._held_out = generate_sentences(self.eval_sentences, seed=self.eval_seed)
        return {"validation_loss": self.loss(model, self._held_out).item()}


def train_toy_model(model: ToyLanguageModel, *, steps: int, batch_size: int = 128,
                    learning_rate: float = 3e-3, seed: int = 0, train_sentences: int = 20000,
                    data_seed: int = 1) -> list[float]:
    """Train ``model`` on both tasks at once (the sum of the two cross-entropies) with Adam.
    Derived in Chapter 6.

    The step loop of every model (:func:`paying_attention.training.train_steps`) on
    :class:`ToyLanguageData`: batches are drawn from a fixed training corpus
    (``generate_sentences(train_sentences, seed=data_seed)``) by a generator seeded with
    ``seed``, so a run is reproducible on one machine. Returns the loss of every step.
    """
    steps = check_int("steps", steps, minimum=1)
    batch_size = check_int("batch_size", batch_size, minimum=1)
    learning_rate = check_float("learning_rate", learning_rate, minimum=0.0, strict=True)
    data = ToyLanguageData(train_sentences, data_seed, eval_sentences=0)
    history = train_steps(model, data, seed=seed, stop={"rule": "steps", "steps": steps},
                          optimiser={"algorithm": "adam", "learning_rate": learning_rate,
                                     "batch_size": batch_size, "clip_norm": None})
    return history["losses"]


# ----------------------------------------------------------------------------- shipped weights
_NAMES = recipe_names("toy_language")
_FIRST = RECIPES[_NAMES[0]]
#: The settings every shipped toy model shares (their recipes in
#: :data:`paying_attention.recipes.RECIPES`, in one level): one block of causal self-attention
#: with 4 heads of width 8 and no MLP, so that everything the read-outs see has passed through a
#: head. Derived in Chapter 6.
TOY_RECIPE = {**_FIRST.config, "steps": _FIRST.steps,
              **{key: _FIRST.optimiser[key] for key in ("batch_size", "learning_rate")},
              **{key: _FIRST.data_settings[key] for key in ("train_sentences", "data_seed")}}
#: The shipped models differ only in the seed of their initial weights and batch order.
#: Derived in Chapter 6.
TOY_MODELS = {name: {"seed": RECIPES[name].seed} for name in _NAMES}
#: The last steps whose mean training loss a summary reports as ``final_loss``.
_FINAL_LOSS_STEPS = 20


def load_toy_model(name: str = "toy_language_seed0", directory=None) -> ToyLanguageModel:
    """Load a trained :class:`ToyLanguageModel` (shipped with the package, or from ``directory``).
    Derived in Chapter 6.
    """
    return load(check_choice("name", name, TOY_MODELS), directory)


def saved_toy_recipe(name: str, directory=None) -> dict:
    """The recipe stored beside the weights of ``name``, in one level, with the steps taken and
    ``final_loss`` (the mean training loss of the last 20 steps).
    Derived in Chapter 6.
    """
    return summary(read(check_choice("name", name, TOY_MODELS), directory), _FINAL_LOSS_STEPS)

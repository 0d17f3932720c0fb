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

The model the chapter trains on both tasks is
:class:`paying_attention.transformer.ToyLanguageModel`, its training data
:class:`paying_attention.training_data.ToyLanguageData`; what its heads do is read by
:func:`paying_attention.interpret.link_scores` and :func:`paying_attention.interpret.ablation_drops`.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

import numpy as np
import torch

from ._checks import check_float, check_int

__all__ = [
    "GENDERS", "MAX_LENGTH", "NOUN_LEMMAS", "PAD", "RELATIONS", "VOCABULARY", "ToyCorpus", "decode",
    "generate_sentences", "noun_gender", "pronoun_for",
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


# ----------------------------------------------------------------------------- the gold links
#: The two known links of every sentence: the link's name, and the corpus fields holding the
#: position of its start (where it is read) and of its gold end.
RELATIONS = {"agreement": ("verb_position", "subject_position"),
             "coreference": ("pronoun_position", "antecedent_position")}

r"""A tiny generated language whose sentences carry known links (Chapter 6).

Used in Chapter 6, "Multi-head attention", sections 6.6-6.10, to ask whether different heads
learn different relations. Every sentence comes from one small grammar, shipped as code (no download)::

    S     -> [OPENER] NP_subject [RC] VERB_main NP_object "and" PRONOUN VERB "."
    OPENER -> ADV ","  |  NP VERB_intransitive "and"     (a lead clause: "the dogs sleep and")
    RC    -> "that" NP VERB          (a relative clause: "that the girls see")
    NP    -> "the" [ADJ] NOUN

for example ``the old king that the girls see chase the dog and it sleep .`` or
``the cats wait and the queen feed the horse and she smile .``. Three links are known for every
sentence, with the position of both ends:

- **agreement** (syntax): the main verb agrees in number with its subject, the head noun of the
  noun phrase right after the opener, *not* with the nearer noun inside the relative clause (the
  attractor). In a share of the sentences (``lead_clause_rate``, 40% by default) a lead clause
  comes first, with a noun of its own, so the subject is *not* the first noun and sits further
  right: "look at the first noun" and "look at the subject" are different rules. Verbs are
  written as bare stems (``see``, ``chase``), so the input never shows the number; the task is to
  predict it at the main verb: singular (``chases``) or plural (``chase``).
- **selection** (semantics): some verbs select the kind of object they take. *feed* and *walk*
  take animals (``dog``, ``cat``, ``horse``), *pay* and *thank* take people; *see*, *like*,
  *chase*, *help* and *know* take either. Half the main verbs (``selection_rate``) are selecting
  ones, and their object breaks the selection half the time (``the king feed the queen``). The
  task is to judge, at the object noun, whether it fits its verb (1) or not (0): the object's own
  word does not tell, the verb it must look back to does.
- **coreference**: the pronoun points back to exactly one earlier noun, its antecedent. Nouns
  have a gender (masculine ``king``, feminine ``queen``, neuter ``dog``) and a number; ``he``,
  ``she``, ``it`` refer to a singular noun of that gender and ``they`` to a plural one. The
  generator makes sure exactly one noun fits the pronoun; the others may share its gender (and
  differ in number) or its number (and differ in gender), so both must be matched. The task is
  to predict, at the pronoun, which noun (``king``, ``queen``, ...) it means.

Coreference here is resolved by unique matching of gender and number: no syntax, distance or
salience is needed to find the antecedent. Chapter 6's second language (section 6.10,
``ambiguous_rate``) lifts that: in a share of the sentences a second noun, the *competitor*,
has the subject's gender and number, and of two fitting nouns the pronoun means the subject.

Generation is seeded (:func:`generate_sentences`), so a seed gives the same corpus on every
machine. The numbers of all nouns are independent coin flips, so half the sentences with a
relative clause have an attractor of the opposite number, and half those with a lead clause a
first noun of the opposite number.

The model the chapter trains on the three tasks is
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
    "GENDERS", "MAX_LENGTH", "NOUN_KINDS", "NOUN_LEMMAS", "PAD", "RELATIONS", "SELECTING_VERBS",
    "VOCABULARY", "ToyCorpus", "decode", "generate_sentences", "noun_gender", "pronoun_for",
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
#: Transitive verbs: those that take any noun as object (and head relative clauses), then those
#: that select animals (feed, walk) and people (pay, thank) as their objects.
_ANY_OBJECT = ("see", "like", "chase", "help", "know")
_SELECTS = {"feed": "animal", "walk": "animal", "pay": "person", "thank": "person"}
_TRANSITIVE = _ANY_OBJECT + tuple(_SELECTS)
_INTRANSITIVE = ("run", "sleep", "sing", "smile", "wait")
#: The verbs that select their object's kind: verb -> "animal" or "person".
SELECTING_VERBS = dict(_SELECTS)
_PRONOUNS = {("masculine", "singular"): "he", ("feminine", "singular"): "she",
             ("neuter", "singular"): "it"}


#: The kind of thing each noun lemma is, for the verbs that select their object.
NOUN_KINDS = {lemma: "animal" if gender == "neuter" else "person"
              for gender in GENDERS for lemma in _NOUNS_BY_GENDER[gender]}


def _plural(noun: str) -> str:
    return _PLURALS.get(noun, noun + "s")


#: Every token of the language; id 0 is padding.
VOCABULARY = (PAD, "the", "that", "and", ",", ".", *_ADVERBS, *_ADJECTIVES,
              *NOUN_LEMMAS, *(_plural(noun) for noun in NOUN_LEMMAS),
              *_TRANSITIVE, *_INTRANSITIVE, "he", "she", "it", "they")
_INDEX = {word: index for index, word in enumerate(VOCABULARY)}
MAX_LENGTH = 21  # the longest sentence the grammar makes


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
        Token ids into :data:`VOCABULARY`, padded with 0 (``<pad>``) at the end; ``T = 21``.
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
    lead_position : torch.LongTensor ``(N,)``
        The noun of the lead clause (then the first noun, and not the subject), or -1 if none.
    object_position : torch.LongTensor ``(N,)``
        The main verb's object noun: the gold **selection** link is object -> verb.
    fits : torch.LongTensor ``(N,)``
        Selection label: 1 if the object is a kind of thing its verb takes, 0 if not.
    selecting : torch.BoolTensor ``(N,)``
        The main verb selects its object's kind (``feed``, ``walk``, ``pay``, ``thank``).
    competitor_position : torch.LongTensor ``(N,)``
        In a sentence whose pronoun two nouns fit (``ambiguous_rate``), the one that is not the
        subject (the antecedent); -1 in every other sentence.
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
    lead_position: torch.Tensor
    object_position: torch.Tensor
    fits: torch.Tensor
    selecting: torch.Tensor
    competitor_position: torch.Tensor
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
                 "attractor_mismatch", "lead_position", "object_position", "fits", "selecting",
                 "competitor_position")


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


def _sentence(rng, relative_clause_rate: float, adjective_rate: float, adverb_rate: float,
              lead_clause_rate: float, selection_rate: float, violation_rate: float,
              ambiguous_rate: float = 0.0) -> dict:
    opener = rng.random()
    has_lead = opener < lead_clause_rate
    has_adverb = not has_lead and opener < lead_clause_rate + adverb_rate
    has_clause = rng.random() < relative_clause_rate
    # The main verb, and the kind of object it takes (None: any noun).
    if rng.random() < selection_rate:
        verb = tuple(_SELECTS)[rng.integers(len(_SELECTS))]
        fits = bool(rng.random() >= violation_rate)
        kind = _SELECTS[verb] if fits else {"animal": "person", "person": "animal"}[_SELECTS[verb]]
    else:
        verb, fits, kind = _ANY_OBJECT[rng.integers(len(_ANY_OBJECT))], True, None
    pool = [i for i, lemma in enumerate(NOUN_LEMMAS) if kind is None or NOUN_KINDS[lemma] == kind]
    roles = ["lead"] * has_lead + ["subject"] + ["attractor"] * has_clause + ["object"]
    # The object is drawn first, from the nouns its verb allows (or forbids); the other nouns are
    # distinct lemmas drawn from the rest; numbers are coin flips.
    object_index = pool[rng.integers(len(pool))]
    rest = [i for i in range(len(NOUN_LEMMAS)) if i != object_index]
    chosen = [rest[i] for i in rng.sample(len(rest), len(roles) - 1)]
    lemmas = {role: NOUN_LEMMAS[i] for role, i in zip(roles[:-1], chosen)}
    lemmas["object"] = NOUN_LEMMAS[object_index]
    plural = {role: bool(rng.random() < 0.5) for role in roles}
    # An ambiguous pronoun (drawn only when the rate is above 0, so that the other sentences of
    # a seed stay as they were): a second noun, the competitor, gets another lemma of the
    # subject's gender and the subject's number, so that both fit the pronoun, and the rule of
    # the language, "if two nouns fit, the subject", decides. Any third noun that would fit too
    # changes its number.
    competitor = None
    if ambiguous_rate > 0 and rng.random() < ambiguous_rate:
        gender = noun_gender(lemmas["subject"])
        candidates = [role for role in roles if role != "subject"
                      and (role != "object" or kind in (None, NOUN_KINDS[lemmas["subject"]]))]
        if candidates:
            competitor = candidates[rng.integers(len(candidates))]
            taken = {lemmas[role] for role in roles if role != competitor}
            options = [lemma for lemma in _NOUNS_BY_GENDER[gender] if lemma not in taken]
            if options:
                lemmas[competitor] = options[rng.integers(len(options))]
                plural[competitor] = plural["subject"]
                shared = pronoun_for(lemmas["subject"], plural["subject"])
                for role in roles:
                    if role not in ("subject", competitor) \
                            and pronoun_for(lemmas[role], plural[role]) == shared:
                        plural[role] = not plural[role]
            else:
                competitor = None
    # A pronoun must pick out one noun: two singular nouns of one gender share "he", "she" or
    # "it", and two plural nouns share "they". If no noun has a pronoun of its own, draw the
    # object again, of the same kind. It comes after the main verb, so nothing the verb sees
    # depends on this.
    while competitor is None:
        pronouns = {role: pronoun_for(lemmas[role], plural[role]) for role in roles}
        counts = Counter(pronouns.values())
        unique = [role for role in roles if counts[pronouns[role]] == 1]
        if unique:
            break
        others = [i for i in pool if NOUN_LEMMAS[i] not in
                  (lemmas[role] for role in roles if role != "object")]
        lemmas["object"] = NOUN_LEMMAS[others[rng.integers(len(others))]]
        plural["object"] = bool(rng.random() < 0.5)
    if competitor is None:
        referent = unique[rng.integers(len(unique))]
    else:
        pronouns = {role: pronoun_for(lemmas[role], plural[role]) for role in roles}
        referent = "subject"

    words, positions = [], {}
    if has_adverb:
        words += [_ADVERBS[rng.integers(len(_ADVERBS))], ","]
    if has_lead:
        words += _noun_phrase(rng, lemmas["lead"], plural["lead"], adjective_rate)
        positions["lead"] = len(words) - 1
        words += [_INTRANSITIVE[rng.integers(len(_INTRANSITIVE))], "and"]
    words += _noun_phrase(rng, lemmas["subject"], plural["subject"], adjective_rate)
    positions["subject"] = len(words) - 1
    if has_clause:
        words.append("that")
        words += _noun_phrase(rng, lemmas["attractor"], plural["attractor"], adjective_rate)
        positions["attractor"] = len(words) - 1
        words.append(_ANY_OBJECT[rng.integers(len(_ANY_OBJECT))])
    words.append(verb)
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
        "lead": positions.get("lead", -1), "object": positions["object"], "fits": int(fits),
        "selecting": verb in _SELECTS,
        "competitor": positions[competitor] if competitor else -1,
    }


def generate_sentences(num_sentences: int, *, seed: int = 0, relative_clause_rate: float = 0.7,
                       adjective_rate: float = 0.3, adverb_rate: float = 0.2,
                       lead_clause_rate: float = 0.4, selection_rate: float = 0.5,
                       violation_rate: float = 0.5, ambiguous_rate: float = 0.0) -> ToyCorpus:
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
    adjective_rate : float in [0, 1]
        Chance of an adjective before a noun: it moves the words about, so that no relation sits
        at a fixed position.
    adverb_rate, lead_clause_rate : float in [0, 1], summing to at most 1
        Chance that the sentence opens with an adverb (``today ,``), and with a lead clause
        (``the dogs sleep and``), whose noun then comes before the subject.
    selection_rate : float in [0, 1]
        Share of main verbs that select their object's kind (*feed*, *walk*, *pay*, *thank*).
    violation_rate : float in [0, 1]
        Share of those whose object is of the other kind (label ``fits = 0``).
    ambiguous_rate : float in [0, 1]
        Share of sentences whose pronoun two nouns fit, the subject and a *competitor* of its
        gender and number (another lemma), and which refers to the subject. Where no other noun
        can take the subject's gender (a choosy verb's object of the other kind, and no lead
        clause or relative clause), the sentence stays unambiguous. The default, 0, draws
        nothing for it: the corpus of a seed is the one it was before the option existed.

    Returns
    -------
    ToyCorpus
    """
    num_sentences = check_int("num_sentences", num_sentences, minimum=1)
    seed = check_int("seed", seed, minimum=0)
    rates = {"relative_clause_rate": relative_clause_rate, "adjective_rate": adjective_rate,
             "adverb_rate": adverb_rate, "lead_clause_rate": lead_clause_rate,
             "selection_rate": selection_rate, "violation_rate": violation_rate,
             "ambiguous_rate": ambiguous_rate}
    for name, rate in rates.items():
        rate = check_float(name, rate, minimum=0.0)
        if rate > 1:
            raise ValueError(f"{name} must lie in [0, 1], got {rate}")
    if adverb_rate + lead_clause_rate > 1:
        raise ValueError("adverb_rate + lead_clause_rate must be at most 1, got "
                         f"{adverb_rate} + {lead_clause_rate}")
    rng = _Dice(seed)
    sentences = [_sentence(rng, relative_clause_rate, adjective_rate, adverb_rate,
                           lead_clause_rate, selection_rate, violation_rate, ambiguous_rate)
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
        lead_position=column("lead"), object_position=column("object"), fits=column("fits"),
        selecting=column("selecting", torch.bool), competitor_position=column("competitor"),
        words=[s["words"] for s in sentences])


def decode(tokens) -> list[str]:
    """Token ids ``(T,)`` back to words, padding dropped."""
    ids = tokens.tolist() if isinstance(tokens, torch.Tensor) else list(tokens)
    if any(not 0 <= i < len(VOCABULARY) for i in ids):
        raise ValueError(f"token ids must lie in [0, {len(VOCABULARY) - 1}], got {ids}")
    return [VOCABULARY[i] for i in ids if i != 0]


# ----------------------------------------------------------------------------- the gold links
#: The three known links of every sentence: the link's name, and the corpus fields holding the
#: position of its start (where it is read) and of its gold end.
RELATIONS = {"agreement": ("verb_position", "subject_position"),
             "coreference": ("pronoun_position", "antecedent_position"),
             "selection": ("object_position", "verb_position")}

"""The data sources of the training loop: what each recipe trains on, and its held-out loss.

:func:`paying_attention.training.train_steps` draws every batch from a data source and asks it
for the loss; a recipe (:data:`paying_attention.recipes.RECIPES`) names its source and settings.
A source has ``batch(batch_size, generator)``, ``loss(model, batch)`` and ``evaluate(model)``
(the held-out loss, drawn apart from the training stream, so measuring changes nothing in
training); it may add ``model_arguments()`` (what the data decides of the model, such as a
vocabulary size) and ``describe()`` (what a checkpoint keeps about the data). One per task:

- :class:`Seq2SeqData`: copy and reverse, for the encoder-decoders (Chapters 1 and 4);
- :class:`RecallData`: "which symbol was at position p?" (Chapter 5);
- :class:`ToyLanguageData`: the toy language's agreement, coreference and selection (Chapter 6);
- :class:`RepeatData`: next-token prediction on the repeated-segment task (Chapter 7);
- :class:`TextData`: next-character prediction on a text of the package (Chapter 9).
"""
from __future__ import annotations

import torch
from torch import nn
from torch.nn import functional as F

from ._checks import check_choice, check_int, check_length_range
from .evaluation import evaluate_loss
from .interpret import induction_score, previous_token_score, repeat_losses
from .language_model import next_token_loss
from .tasks import TASKS, decoder_inputs, make_batch, make_recall_batch, make_repeat_batch
from .text import CharTokenizer, make_lm_batch, package_text, split_text, text_fingerprint
from .toy_language import ToyCorpus, generate_sentences

__all__ = ["EVAL_BATCH_SIZE", "RecallData", "RepeatData", "Seq2SeqData", "SyntheticData",
           "TextData", "ToyLanguageData"]

#: Examples in each batch of a synthetic task's held-out set.
EVAL_BATCH_SIZE = 64


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


class Seq2SeqData(SyntheticData):
    """The copy or reverse task of Chapters 1 and 4, for an encoder-decoder with teacher forcing.
    Used in Chapter 1, by :func:`~paying_attention.training.train_seq2seq`.

    Each batch has one length drawn uniformly from ``lengths`` (both ends included), so no
    padding is needed; the loss is the cross-entropy of every target token.
    """

    def __init__(self, task: str = "copy", lengths=(4, 24), num_symbols: int = 10,
                 eval_batches: int = 4, eval_seed: int = 1000):
        super().__init__(eval_batches, eval_seed)
        self.task = check_choice("task", task, TASKS)
        self.shortest, self.longest = check_length_range(lengths)
        self.num_symbols = check_int("num_symbols", num_symbols, minimum=2)

    def batch(self, batch_size, generator):
        length = int(torch.randint(self.shortest, self.longest + 1, (1,), generator=generator))
        return make_batch(batch_size, length, num_symbols=self.num_symbols, task=self.task,
                          generator=generator)

    def loss(self, model, batch):
        source, target = batch
        logits = model(source, decoder_inputs(target))  # (B, T, V)
        return F.cross_entropy(logits.reshape(-1, logits.shape[-1]), target.reshape(-1))


class RecallData(SyntheticData):
    """The data of "which symbol was at position p?" for training.
    Used in Chapter 5 (section 5.6), by :func:`~paying_attention.training.train_recall`.

    Each batch has ``T`` symbols, ``T`` drawn uniformly from ``lengths`` (both ends included),
    then the query; the loss is the cross-entropy of the answer.
    """

    def __init__(self, lengths=(4, 64), num_symbols: int = 8, max_length: int = 64,
                 eval_batches: int = 4, eval_seed: int = 1000):
        super().__init__(eval_batches, eval_seed)
        self.max_length = check_int("max_length", max_length, minimum=1)
        self.shortest, self.longest = check_length_range(lengths, maximum=max_length)
        self.num_symbols = check_int("num_symbols", num_symbols, minimum=2)

    def batch(self, batch_size, generator):
        length = int(torch.randint(self.shortest, self.longest + 1, (1,), generator=generator))
        return make_recall_batch(batch_size, length, num_symbols=self.num_symbols,
                                 max_length=self.max_length, generator=generator)

    def loss(self, model, batch):
        tokens, targets = batch
        return nn.functional.cross_entropy(model(tokens)[0], targets)


class ToyLanguageData:
    """The training data of the toy-language model: the three tasks at once.
    Used in Chapter 6 (section 6.7), by :func:`~paying_attention.training.train_toy_model`.

    Batches are drawn (with replacement) from a fixed training corpus,
    ``generate_sentences(train_sentences, seed=data_seed, ambiguous_rate=ambiguous_rate)``
    (Chapter 6's second language has ambiguous pronouns; the first has none); the loss is the sum of the three
    cross-entropies, number at the main verb, antecedent at the pronoun, and whether the object
    fits its verb at the object. The held-out set is
    ``generate_sentences(eval_sentences, seed=eval_seed)``, the test set of Chapter 6.
    """

    def __init__(self, train_sentences: int = 20000, data_seed: int = 1,
                 eval_sentences: int = 2000, eval_seed: int = 2, ambiguous_rate: float = 0.0):
        self.ambiguous_rate = ambiguous_rate
        self.corpus = generate_sentences(train_sentences, seed=data_seed,
                                         ambiguous_rate=ambiguous_rate)
        self.eval_sentences = check_int("eval_sentences", eval_sentences, minimum=0)
        self.eval_seed = check_int("eval_seed", eval_seed, minimum=0)
        self._held_out = None

    def batch(self, batch_size: int, generator: torch.Generator) -> ToyCorpus:
        return self.corpus[torch.randint(len(self.corpus), (batch_size,), generator=generator)]

    def loss(self, model: nn.Module, batch: ToyCorpus) -> torch.Tensor:
        logits = model.predict(batch)
        return (nn.functional.cross_entropy(logits["number"], batch.number)
                + nn.functional.cross_entropy(logits["antecedent"], batch.antecedent)
                + nn.functional.cross_entropy(logits["fits"], batch.fits))

    def evaluate(self, model: nn.Module) -> dict:
        """``{"validation_loss": the loss on the held-out sentences}``."""
        if self._held_out is None:
            self._held_out = generate_sentences(self.eval_sentences, seed=self.eval_seed,
                                                ambiguous_rate=self.ambiguous_rate)
        return {"validation_loss": self.loss(model, self._held_out).item()}


class RepeatData(SyntheticData):
    """The repeated-segment task as training data: next-token prediction.
    Used in Chapter 7 (section 7.3), by :func:`~paying_attention.training.train_induction`.

    Every batch is fresh from :func:`~paying_attention.tasks.make_repeat_batch`; the loss is the
    mean cross-entropy of predicting each token from those before it, over all positions.
    """

    def __init__(self, vocab_size: int = 20, length: int = 32, segment_lengths=(6, 16),
                 eval_batches: int = 4, eval_seed: int = 1000):
        super().__init__(eval_batches, eval_seed)
        self.vocab_size = check_int("vocab_size", vocab_size, minimum=2)
        self.length = check_int("length", length, minimum=2)
        self.segment_lengths = tuple(segment_lengths)

    def batch(self, batch_size, generator):
        return make_repeat_batch(batch_size, self.length, vocab_size=self.vocab_size,
                                 segment_lengths=self.segment_lengths, generator=generator)

    def loss(self, model, batch):
        logits, _ = model(batch.tokens)                                     # (B, T, V)
        return F.cross_entropy(logits[:, :-1].reshape(-1, self.vocab_size),
                               batch.tokens[:, 1:].reshape(-1))

    def evaluate(self, model: nn.Module) -> dict:
        """The held-out loss, plus what Chapter 7 follows through training (section 7.4): the
        loss on the repeat (:func:`~paying_attention.interpret.repeat_losses`), the induction
        score of the best head of the last layer and the previous-token score of the best head
        of the first (:func:`~paying_attention.interpret.induction_score`,
        :func:`~paying_attention.interpret.previous_token_score`), each head's score averaged
        over the held-out batches. They become columns of the training history."""
        measures = super().evaluate(model)
        repeat, induction, previous = [], [], []
        for batch in self._held_out:
            logits, weights = model(batch.tokens)               # (B, T, V), (L, B, H, T, T)
            repeat.append(repeat_losses(logits, batch)["repeat"])
            induction.append(induction_score(weights, batch)[-1])           # (H,): last layer
            previous.append(previous_token_score(weights[0]).mean(0))      # (H,): first layer
        return {**measures, "repeat_loss": sum(repeat) / len(repeat),
                "induction_score": float(max(sum(induction) / len(induction))),
                "previous_token_score": float(max(sum(previous) / len(previous)))}


class TextData:
    """A character text as training data for a language model.
    Used in Chapter 9 (section 9.4), by :func:`~paying_attention.training.train_language_model`.

    Batches are windows of ``length + 1`` characters at random offsets of the training ids
    (:func:`~paying_attention.text.make_lm_batch`). Every evaluation measures, with
    :func:`~paying_attention.evaluation.evaluate_loss` on windows fixed by ``eval_seed``, the loss
    on the validation ids (``validation_loss``) and on the training ids (``train_sample_loss``: the
    training loss of the chapter's curves). :meth:`from_text` builds it from a text of the package's
    ``data/`` folder, as the recipes do.
    """

    def __init__(self, train_ids: torch.Tensor, validation_ids: torch.Tensor, *, length: int = 64,
                 eval_batches: int = 4, eval_seed: int = 1000, tokenizer: CharTokenizer | None = None,
                 text: str | None = None):
        self.train_ids, self.validation_ids = train_ids, validation_ids
        self.length = check_int("length", length, minimum=1)
        self.eval_batches = check_int("eval_batches", eval_batches, minimum=1)
        self.eval_seed = check_int("eval_seed", eval_seed, minimum=0)
        self.tokenizer, self.text = tokenizer, text

    @classmethod
    def from_text(cls, text: str = "shakespeare.txt", *, length: int = 64,
                  validation_fraction: float = 0.1, eval_batches: int = 4,
                  eval_seed: int = 1000) -> "TextData":
        """Read ``data/TEXT`` of the package, tokenize it by character and hold out its end."""
        content = package_text(text)
        tokenizer = CharTokenizer(content)
        train_ids, validation_ids = split_text(tokenizer.encode(content), validation_fraction)
        return cls(train_ids, validation_ids, length=length, eval_batches=eval_batches,
                   eval_seed=eval_seed, tokenizer=tokenizer, text=content)

    def model_arguments(self) -> dict:
        """What the text decides of the model: its vocabulary size."""
        return {"vocab_size": self.tokenizer.vocab_size}

    def describe(self) -> dict:
        """What a checkpoint keeps about the text: the tokenizer's characters, the text's
        SHA-256 and length (Chapter 9 checks the weights were trained on the shipped text)."""
        return {"characters": self.tokenizer.characters, "text_sha256": text_fingerprint(self.text),
                "text_characters": len(self.text)}

    def batch(self, batch_size, generator):
        return make_lm_batch(self.train_ids, batch_size, self.length, generator)

    def loss(self, model, batch):
        return next_token_loss(model, *batch)

    def evaluate(self, model) -> dict:
        def measured(ids):
            return evaluate_loss(model, ids, batches=self.eval_batches, length=self.length,
                                 seed=self.eval_seed)
        return {"train_sample_loss": measured(self.train_ids),
                "validation_loss": measured(self.validation_ids)}

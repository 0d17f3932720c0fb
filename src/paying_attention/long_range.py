r"""A long-range task that needs positions: "which symbol was at position p?" (Chapter 5).

Each example is a random sequence of ``T`` symbols followed by one *query token* that names a
position ``p``; the answer is the symbol at position ``p``. The question comes after the
sequence, so a reader that goes left to right (a recurrent network) cannot know which symbol to
keep and must carry all ``T`` of them in its state; self-attention looks the answer up, provided
it knows where position ``p`` is, that is, provided it has position encodings.

Section 5.6 of Chapter 5 compares three models of about the same size, trained with the same
data and budget (their recipes are in :data:`paying_attention.recipes.RECIPES`, trained by
``scripts/train.py NAME``) and shipped in ``weights/``:

- ``recall_attention``: one self-attention layer over token embeddings plus sinusoidal position
  encodings (:class:`RecallAttention`);
- ``recall_attention_no_position``: the same without position encodings;
- ``recall_gru``: a GRU that reads the sequence and then the query (:class:`RecallGRU`).

Token ids: symbols are ``0, ..., num_symbols - 1``; the query for position ``p`` is
``num_symbols + p``, ``p = 0, ..., max_length - 1``.
"""
from __future__ import annotations


import torch
from torch import nn

from ._checks import check_choice, check_float, check_int
from .checkpoints import load, read, step_losses, summary
from .position import sinusoidal_encoding
from .recipes import recipe_names
from .self_attention import SelfAttention
from .training import SyntheticData, build_model, train_steps

__all__ = ["RecallAttention", "RecallData", "RecallGRU", "build_recall_model",
           "load_recall_model", "make_recall_batch", "parameter_count", "recall_accuracy",
           "saved_recall_log", "train_recall"]

#: The last steps whose mean training loss a summary reports as ``final_loss``.
_FINAL_LOSS_STEPS = 100


def make_recall_batch(batch_size: int, length: int, *, num_symbols: int = 8,
                      max_length: int = 64, generator: torch.Generator | None = None
                      ) -> tuple[torch.Tensor, torch.Tensor]:
    """Draw ``batch_size`` examples of "which symbol was at position p?".
    Derived in Chapter 5.

    Parameters
    ----------
    batch_size : int
        Number of examples ``B``; at least 1.
    length : int
        Number of symbols ``T`` before the query; in ``[1, max_length]``.
    num_symbols : int
        Alphabet size; symbols are ``0, ..., num_symbols - 1``; at least 2.
    max_length : int
        The longest sequence the query tokens can address; at least 1.
    generator : torch.Generator, optional
        Source of randomness, for reproducible batches.

    Returns
    -------
    tokens : torch.Tensor of int64, shape ``(B, T + 1)``
        ``T`` uniform random symbols, then the query token ``num_symbols + p`` with ``p``
        uniform in ``[0, T - 1]``.
    targets : torch.Tensor of int64, shape ``(B,)``
        The symbol at position ``p``.
    """
    batch_size = check_int("batch_size", batch_size, minimum=1)
    max_length = check_int("max_length", max_length, minimum=1)
    length = check_int("length", length, minimum=1, maximum=max_length)
    num_symbols = check_int("num_symbols", num_symbols, minimum=2)
    symbols = torch.randint(0, num_symbols, (batch_size, length), generator=generator)  # (B, T)
    positions = torch.randint(0, length, (batch_size,), generator=generator)            # (B,)
    tokens = torch.cat([symbols, (num_symbols + positions)[:, None]], dim=1)           # (B, T+1)
    return tokens, symbols.gather(1, positions[:, None])[:, 0]


def _check_recall_tokens(tokens, vocabulary: int, max_length: int) -> torch.Tensor:
    if not isinstance(tokens, torch.Tensor) or tokens.dtype not in (torch.int64, torch.int32):
        raise TypeError("tokens must be a torch.Tensor of integer token ids, shape (B, T + 1)")
    if tokens.dim() != 2 or not 2 <= tokens.shape[1] <= max_length + 1:
        raise ValueError(f"tokens must have shape (B, T + 1) with 1 <= T <= max_length = "
                         f"{max_length}, got {tuple(tokens.shape)}")
    if tokens.numel() and (int(tokens.min()) < 0 or int(tokens.max()) >= vocabulary):
        raise ValueError(f"tokens must hold ids in [0, {vocabulary - 1}], got values in "
                         f"[{int(tokens.min())}, {int(tokens.max())}]")
    return tokens


def _classifier(width: int, num_symbols: int) -> nn.Sequential:
    return nn.Sequential(nn.Linear(width, 32), nn.ReLU(), nn.Linear(32, num_symbols))


class RecallAttention(nn.Module):
    r"""One self-attention layer that answers "which symbol was at position p?".

    Derived in Chapter 5 (section 5.6). Embed the ``T + 1`` tokens, add the sinusoidal encoding
    (unless ``positions=False``), apply :class:`~paying_attention.self_attention.SelfAttention`
    and classify the output of the **last** position, the query, with a small MLP:

    .. math::

        X = E[\text{tokens}] + PE, \qquad \text{logits} = \operatorname{MLP}\big(
        \operatorname{SA}(X)_{T+1}\big).

    Forward
    -------
    ``logits, weights = model(tokens)``; tokens ``(B, T + 1)`` from
    :func:`make_recall_batch`, logits ``(B, num_symbols)``, weights ``(B, T + 1, T + 1)``.
    """

    def __init__(self, num_symbols: int = 8, max_length: int = 64, d_model: int = 32,
                 positions: bool = True):
        super().__init__()
        self.num_symbols = check_int("num_symbols", num_symbols, minimum=2)
        self.max_length = check_int("max_length", max_length, minimum=1)
        d_model = check_int("d_model", d_model, minimum=2)
        if d_model % 2:
            raise ValueError(f"d_model must be even (sinusoidal encoding), got {d_model}")
        self.positions = bool(positions)
        self.config = {"num_symbols": num_symbols, "max_length": max_length,
                       "d_model": d_model, "positions": self.positions}
        self.embedding = nn.Embedding(num_symbols + max_length, d_model)
        self.attention = SelfAttention(d_model)
        self.classifier = _classifier(d_model, num_symbols)

    def forward(self, tokens: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        tokens = _check_recall_tokens(tokens, self.embedding.num_embeddings, self.max_length)
        x = self.embedding(tokens)                                           # (B, T+1, d_model)
        if self.positions:
            x = x + sinusoidal_encoding(tokens.shape[1], x.shape[-1], backend="torch").to(x)
        output, weights = self.attention(x)                                  # (B, T+1, d_model)
        return self.classifier(output[:, -1]), weights                       # (B, num_symbols)


class RecallGRU(nn.Module):
    r"""A GRU classifier for "which symbol was at position p?", the recurrent baseline.

    Derived in Chapter 5 (section 5.6). It reads the ``T`` symbols and then the query token
    left to right, and classifies its final state :math:`h_{T+1}` with the same small MLP as
    :class:`RecallAttention`. It knows which position is asked for only at the very end.

    Forward
    -------
    ``logits, None = model(tokens)``; tokens ``(B, T + 1)``, logits
    ``(B, num_symbols)`` (there are no attention weights).
    """

    def __init__(self, num_symbols: int = 8, max_length: int = 64, d_model: int = 32,
                 hidden_size: int = 24):
        super().__init__()
        self.num_symbols = check_int("num_symbols", num_symbols, minimum=2)
        self.max_length = check_int("max_length", max_length, minimum=1)
        d_model = check_int("d_model", d_model, minimum=1)
        hidden_size = check_int("hidden_size", hidden_size, minimum=1)
        self.config = {"num_symbols": num_symbols, "max_length": max_length,
                       "d_model": d_model, "hidden_size": hidden_size}
        self.embedding = nn.Embedding(num_symbols + max_length, d_model)
        self.gru = nn.GRU(d_model, hidden_size, batch_first=True)
        self.classifier = _classifier(hidden_size, num_symbols)

    def forward(self, tokens: torch.Tensor) -> tuple[torch.Tensor, None]:
        tokens = _check_recall_tokens(tokens, self.embedding.num_embeddings, self.max_length)
        _, final = self.gru(self.embedding(tokens))  # (1, B, hidden_size)
        return self.classifier(final[0]), None       # (B, num_symbols)


class RecallData(SyntheticData):
    """The data of "which symbol was at position p?" for training (Chapter 5, section 5.6).

    Each batch has ``T`` symbols, ``T`` drawn uniformly from ``lengths`` (both ends included),
    then the query; the loss is the cross-entropy of the answer.
    """

    def __init__(self, lengths=(4, 64), num_symbols: int = 8, max_length: int = 64,
                 eval_batches: int = 4, eval_seed: int = 1000):
        super().__init__(eval_batches, eval_seed)
        if len(tuple(lengths)) != 2:
            raise ValueError(f"lengths must be (shortest, longest), got {lengths!r}")
        self.max_length = check_int("max_length", max_length, minimum=1)
        self.shortest = check_int("shortest length", lengths[0], minimum=1, maximum=max_length)
        self.longest = check_int("longest length", lengths[1], minimum=self.shortest,
                                 maximum=max_length)
        self.num_symbols = check_int("num_symbols", num_symbols, minimum=2)

    def batch(self, batch_size, generator):
        length = int(torch.randint(self.shortest, self.longest + 1, (1,), generator=generator))
        return make_recall_batch(batch_size, length, num_symbols=self.num_symbols,
                                 max_length=self.max_length, generator=generator)

    def loss(self, model, batch):
        tokens, targets = batch
        return nn.functional.cross_entropy(model(tokens)[0], targets)


def build_recall_model(name: str) -> nn.Module:
    """An untrained model for recipe ``name``, seeded so that its initial weights are reproducible.
    Derived in Chapter 5.
    """
    return build_model(check_choice("name", name, recipe_names("long_range")))


def train_recall(model: nn.Module, *, steps: int, lengths=(4, 64), batch_size: int = 64,
                 learning_rate: float = 3e-3, seed: int = 0) -> list[float]:
    """Train with Adam on cross-entropy, each batch of a random length in ``lengths``.
    Derived in Chapter 5.

    The step loop of every model, :func:`paying_attention.training.train_steps`, on
    :class:`RecallData`.

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
    steps = check_int("steps", steps, minimum=1)
    batch_size = check_int("batch_size", batch_size, minimum=1)
    learning_rate = check_float("learning_rate", learning_rate, minimum=0.0, strict=True)
    data = RecallData(lengths, model.num_symbols, model.max_length, eval_batches=0)
    history = train_steps(model, data, seed=seed, stop={"rule": "steps", "steps": steps},
                          optimiser={"algorithm": "adam", "learning_rate": learning_rate,
                                     "batch_size": batch_size, "clip_norm": None})
    return history["losses"]


@torch.no_grad()
def recall_accuracy(model: nn.Module, lengths, *, num_examples: int = 1000,
                    seed: int = 1234) -> dict[int, float]:
    """Accuracy on ``num_examples`` fresh examples per length, the same examples for every model.
    Derived in Chapter 5.
    """
    num_examples = check_int("num_examples", num_examples, minimum=1)
    model.eval()
    accuracy = {}
    for length in lengths:
        length = check_int("length", length, minimum=1, maximum=model.max_length)
        generator = torch.Generator().manual_seed(check_int("seed", seed, minimum=0) + length)
        tokens, targets = make_recall_batch(num_examples, length, num_symbols=model.num_symbols,
                                            max_length=model.max_length, generator=generator)
        predictions = model(tokens)[0].argmax(dim=-1)
        accuracy[length] = (predictions == targets).double().mean().item()
    return accuracy


def _saved(name: str, directory) -> dict:
    return read(check_choice("name", name, recipe_names("long_range")), directory)


def load_recall_model(name: str, directory=None) -> nn.Module:
    """Load the trained model of recipe ``name`` (from the package, or from ``directory``).
    Derived in Chapter 5.
    """
    return load(check_choice("name", name, recipe_names("long_range")), directory)


def saved_recall_log(name: str, directory=None) -> dict:
    """The recipe (in one level, with ``final_loss``, the mean of the last 100 steps) and the
    per-step training losses stored beside the weights of ``name``.
    Derived in Chapter 5.

    Returns ``{"recipe": dict, "losses": list of float}``.
    """
    saved = _saved(name, directory)
    return {"recipe": summary(saved, _FINAL_LOSS_STEPS), "losses": step_losses(saved)}


def parameter_count(model: nn.Module) -> int:
    """The number of trainable numbers in ``model``.
    Derived in Chapter 5.
    """
    return sum(parameter.numel() for parameter in model.parameters() if parameter.requires_grad)


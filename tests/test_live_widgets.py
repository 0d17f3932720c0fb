"""The live widgets' Python side: input checks, alt text, the static fallback, a stable repr.

What they compute in the browser is checked by tests/test_site.py against the same formulas.
"""
from __future__ import annotations

import base64

import numpy as np
import pytest

from paying_attention.live_widgets import LiveWidget, SoftmaxPlayground, fallback_bundle


def test_softmax_playground_weights_and_description():
    widget = SoftmaxPlayground([1.0, 2.0, 3.0], ["a", "b", "c"], temperature=0.5)
    weights = np.array(widget.weights())
    expected = np.exp(np.array([2.0, 4.0, 6.0]) - 6) / np.exp(np.array([2.0, 4.0, 6.0]) - 6).sum()
    np.testing.assert_allclose(weights, expected)
    assert "c 3.0 gets 0.87" in widget.alt and "temperature 0.5" in widget.alt
    assert repr(widget) == "SoftmaxPlayground()"


def test_the_module_is_a_file_of_the_package():
    widget = SoftmaxPlayground([0.0, 1.0], ["x", "y"])
    assert "export default" in str(widget._esm) and "function render" in str(widget._esm)
    assert isinstance(widget, LiveWidget)


@pytest.mark.parametrize("scores, labels, temperature, message", [
    ([1.0], ["a"], 1.0, "2 to 12"),
    ([1.0, 2.0], ["a"], 1.0, "name every score"),
    ([1.0, 9.0], ["a", "b"], 1.0, r"\[-5, 5\]"),
    ([1.0, 2.0], ["a", "b"], 0.0, "temperature"),
])
def test_softmax_playground_rejects_bad_input(scores, labels, temperature, message):
    with pytest.raises(ValueError, match=message):
        SoftmaxPlayground(scores, labels, temperature)


def test_fallback_bundle_carries_the_picture_and_its_alt_text():
    png = b"\x89PNG\r\n\x1a\nrest"
    bundle = fallback_bundle(png, 'Weights "a" & b')
    assert 'alt="Weights &quot;a&quot; &amp; b"' in bundle["text/html"]
    assert 'class="widget-fallback"' in bundle["text/html"]
    assert base64.b64decode(bundle["image/png"]) == png
    with pytest.raises(ValueError, match="alt"):
        fallback_bundle(png, "  ")


def test_display_shows_the_fallback_before_the_widget(monkeypatch):
    shown = []
    monkeypatch.setattr("IPython.display.display", lambda data, **kwargs: shown.append(data))
    SoftmaxPlayground([0.0, 1.0], ["x", "y"])._ipython_display_()
    assert "text/html" in shown[0] and "widget-fallback" in shown[0]["text/html"]
    assert "application/vnd.jupyter.widget-view+json" in shown[1]


# --- tiny transformer (Chapter 9): TinyTransformerPlayground -------------------------------------
import json  # noqa: E402 - this section's own imports
import shutil  # noqa: E402
import subprocess  # noqa: E402

TINY_TEXT = "MENENIUS:\n"


@pytest.fixture(scope="module")
def tiny():
    from paying_attention import load_language_model
    from paying_attention.live_widgets import TinyTransformerPlayground

    model, tokenizer = load_language_model("tiny_transformer")
    return model, tokenizer, TinyTransformerPlayground(model, tokenizer, TINY_TEXT, seed=1)


def _floats(source: str) -> np.ndarray:
    return np.frombuffer(base64.b64decode(source), dtype="<f4")


def test_tiny_transformer_exports_every_number_of_the_model(tiny):
    model, _, widget = tiny
    floats = _floats(widget.weights)
    exported = {name: floats[offset:offset + size] for name, offset, size in widget.weight_layout}
    renamed = {"token_embedding.weight": "token_embedding"}
    for name, tensor in model.named_parameters():
        np.testing.assert_array_equal(exported[renamed.get(name, name)], tensor.detach().numpy().ravel())
    np.testing.assert_array_equal(exported["positions"], model.position_encoding.numpy().ravel())
    assert floats.size == sum(p.numel() for p in model.parameters()) + model.position_encoding.numel()
    assert len(widget.weights) < 700_000            # the page stays far below 2 MB
    assert widget.config == {"vocab_size": 61, "d_model": 64, "num_heads": 4, "num_layers": 2,
                             "d_ff": 256, "max_length": 64, "residual": True,
                             "position": "sinusoidal"}


def test_tiny_transformer_stores_pytorchs_logits_for_the_check(tiny):
    import torch

    model, tokenizer, widget = tiny
    reference = _floats(widget.checks["logits"])
    offset = 0
    assert len(widget.checks["ids"]) == 3 and len(widget.checks["bench_text"]) == model.max_length
    for ids in widget.checks["ids"]:
        with torch.no_grad():
            logits = model(torch.tensor([ids]))[0].numpy().ravel()
        np.testing.assert_array_equal(reference[offset:offset + logits.size], logits)
        offset += logits.size
    assert offset == reference.size


def test_tiny_transformer_sample_is_generate_with_the_seeded_stream(tiny):
    import torch

    from paying_attention import generate
    from paying_attention.live_widgets import TinyTransformerPlayground, _tiny_uniforms

    model, tokenizer, widget = tiny
    stream = _tiny_uniforms(1)   # the numbers js/tiny_transformer.js draws (checked there by hand)
    assert [next(stream) for _ in range(3)] == [0.6270739405881613, 0.002735721180215478,
                                                0.5274470399599522]
    sample = widget.continuation()
    assert len(sample) == widget.length and sample == widget.continuation()   # reproducible
    assert f'"{sample}"'.replace("\n", "↵") in widget.alt
    greedy = TinyTransformerPlayground(model, tokenizer, TINY_TEXT, temperature=0.0, length=12)
    expected = generate(model, tokenizer.encode(TINY_TEXT), 12, temperature=0.0)
    assert greedy.continuation() == tokenizer.decode(expected[len(TINY_TEXT):])
    other = TinyTransformerPlayground(model, tokenizer, TINY_TEXT, seed=2)
    assert other.continuation() != sample


def test_tiny_transformer_describes_the_next_characters_and_the_maps(tiny):
    model, _, widget = tiny
    guesses = widget.next_characters()
    probabilities = [p for _, p in guesses]
    assert len(guesses) == widget.top and probabilities == sorted(probabilities, reverse=True)
    assert 0 < sum(probabilities) <= 1
    assert f'"{guesses[0][0]}" {guesses[0][1]:.2f}' in widget.alt
    assert "2 layers by 4 heads" in widget.alt and repr(widget) == "TinyTransformerPlayground()"
    weights = widget.attention()
    assert weights.shape == (2, 4, len(TINY_TEXT), len(TINY_TEXT))
    np.testing.assert_allclose(weights.sum(-1), 1, atol=1e-5)
    assert np.all(np.triu(weights, k=1) == 0)                     # causal
    figure = widget.fallback_figure()
    assert len(figure.axes) == 1 + 2 * 4
    import matplotlib.pyplot as plt
    plt.close(figure)


@pytest.mark.parametrize("change, error, message", [
    ({"text": ""}, ValueError, "1 to 64 characters"),
    ({"text": "x" * 65}, ValueError, "1 to 64 characters"),
    ({"text": "Zounds€"}, ValueError, "not in the vocabulary"),
    ({"text": 3}, TypeError, "str"),
    ({"temperature": 2.5}, ValueError, r"\[0, 2\]"),
    ({"temperature": -1}, ValueError, "temperature"),
    ({"seed": 21}, ValueError, r"\[0, 20\]"),
    ({"length": 0}, ValueError, "length"),
    ({"top": 11}, ValueError, "top"),
    ({"check_prompts": ["a", "b"]}, ValueError, "three"),
])
def test_tiny_transformer_rejects_bad_input(tiny, change, error, message):
    from paying_attention.live_widgets import TinyTransformerPlayground

    model, tokenizer, _ = tiny
    arguments = {"text": TINY_TEXT, **change}
    with pytest.raises(error, match=message):
        TinyTransformerPlayground(model, tokenizer, **arguments)


def test_tiny_transformer_rejects_other_models_and_tokenizers(tiny):
    from paying_attention import CharTokenizer, load_language_model
    from paying_attention.live_widgets import TinyTransformerPlayground

    model, tokenizer, _ = tiny
    gru, _ = load_language_model("tiny_gru")
    with pytest.raises(TypeError, match="TinyTransformerLM"):
        TinyTransformerPlayground(gru, tokenizer)
    with pytest.raises(ValueError, match="tokenizer has 3 characters"):
        TinyTransformerPlayground(model, CharTokenizer("abc"))
    with pytest.raises(TypeError, match="CharTokenizer"):
        TinyTransformerPlayground(model, "abc")


@pytest.mark.skipif(shutil.which("node") is None, reason="needs Node.js to run the widget's module")
def test_tiny_transformer_javascript_matches_pytorch(tiny, tmp_path):
    """The module's forward pass and sampler, run by Node.js on the exported weights (the page
    repeats the logits check in the browser: tests/test_site.py)."""
    from paying_attention.live_widgets import TinyTransformerPlayground

    model, tokenizer, widget = tiny
    long_text = "BRUTUS:\nWell, well, we'll leave you.\n\nSICINIUS:\nHe is a man of"  # 62: the
    assert len(long_text) == 62                                   # window slides while sampling
    other = TinyTransformerPlayground(model, tokenizer, long_text, temperature=1.3, seed=7, length=8)
    state = {name: getattr(widget, name)
             for name in ("config", "weights", "weight_layout", "checks")}
    (tmp_path / "module.mjs").write_text(widget._esm, encoding="utf-8")
    (tmp_path / "state.json").write_text(json.dumps(state), encoding="utf-8")
    encode = lambda text: tokenizer.encode(text).tolist()  # noqa: E731
    (tmp_path / "run.mjs").write_text(f"""
import * as tt from "./module.mjs";
import fs from "fs";
const state = JSON.parse(fs.readFileSync("state.json"));
const net = tt.makeNet({{ get: (name) => state[name] }});
console.log(JSON.stringify({{
  error: tt.checkError(net, state.checks),
  first: tt.generate(net, {encode(TINY_TEXT)}, {widget.length}, {widget.temperature}, {widget.seed}),
  second: tt.generate(net, {encode(long_text)}, 8, 1.3, 7),
}}));""", encoding="utf-8")
    result = subprocess.run(["node", "run.mjs"], cwd=tmp_path, capture_output=True, text=True,
                            timeout=120, check=True)
    computed = json.loads(result.stdout)
    assert computed["error"] < 1e-4
    assert tokenizer.decode(computed["first"]) == widget.continuation()
    assert tokenizer.decode(computed["second"]) == other.continuation()


# --- tour widgets (book/tour.ipynb): DotProductArrows, SoftDictionary, SentenceAttention ---------

import json  # noqa: E402,F811 - this section's own imports
import shutil  # noqa: E402,F811
import subprocess  # noqa: E402,F811


def test_arrow_relation_follows_the_maths():
    from paying_attention.live_widgets import arrow_relation

    assert arrow_relation((2.0, 1.0), (1.0, 2.0))[0] == 4.0
    assert arrow_relation((1.0, 0.0), (0.0, 3.0)) == (0.0, 90.0)
    assert arrow_relation((1.0, 1.0), (-2.0, -2.0))[1] == pytest.approx(180.0)
    assert arrow_relation((0.0, 0.0), (1.0, 2.0)) == (0.0, None)
    rng = np.random.default_rng(0)
    for _ in range(20):
        a, b = rng.normal(size=2), rng.normal(size=2)
        dot, angle = arrow_relation(a, b)
        assert dot == pytest.approx(np.linalg.norm(a) * np.linalg.norm(b) * np.cos(np.radians(angle)))


def test_dot_product_arrows_describes_and_checks_itself():
    from paying_attention.live_widgets import DotProductArrows

    widget = DotProductArrows((2.0, 0.0), (-1.0, 0.5))
    assert "2.0×(-1.0) + 0.0×0.5 = -2.00" in widget.alt and "they point apart" in widget.alt
    assert "right angles" in DotProductArrows((1.0, 0.0), (0.0, 1.0)).alt
    assert "length 0" in DotProductArrows((0.0, 0.0), (1.0, 1.0)).alt
    assert widget.checks[-1]["dot"] == -2.0 and len(widget.checks) >= 4
    assert repr(widget) == "DotProductArrows()" and isinstance(widget, LiveWidget)


@pytest.mark.parametrize("first, second, message", [
    ((1.0,), (1.0, 2.0), "two numbers"),
    ((4.0, 0.0), (1.0, 2.0), r"\[-3, 3\]"),
    ((1.0, 0.0), (float("nan"), 2.0), "second"),
])
def test_dot_product_arrows_rejects_bad_input(first, second, message):
    from paying_attention.live_widgets import DotProductArrows

    with pytest.raises(ValueError, match=message):
        DotProductArrows(first, second)


SPEEDS = dict(keys=[(-2.2, 1.4), (-1.2, 2.3), (1.4, 1.9), (2.4, 0.6)], labels=["cat", "dog", "bus", "car"],
              values=[45, 40, 100, 180])


def test_soft_dictionary_blends_the_values():
    from paying_attention.live_widgets import SoftDictionary, soft_lookup

    widget = SoftDictionary(**SPEEDS, query=(-0.6, 1.4), unit="km/h")
    weights, answer = widget.lookup()
    scores = np.array(SPEEDS["keys"]) @ np.array([-0.6, 1.4])
    np.testing.assert_allclose(weights, np.exp(scores) / np.exp(scores).sum())
    assert answer == pytest.approx(np.dot(weights, SPEEDS["values"]))
    assert f"Blended answer: {answer:.1f} km/h" in widget.alt
    # At the centre every score is 0: the plain average; a cold temperature picks the best key.
    assert soft_lookup((0.0, 0.0), SPEEDS["keys"], SPEEDS["values"])[1] == pytest.approx(91.25)
    assert soft_lookup((3.0, 0.0), SPEEDS["keys"], SPEEDS["values"], 0.1)[1] == pytest.approx(180.0)
    assert {"query", "temperature", "weights", "answer"} <= set(widget.checks[0])


@pytest.mark.parametrize("change, message", [
    (dict(keys=[(0.0, 1.0)], labels=["a"], values=[1.0]), "2 to 8"),
    (dict(labels=["cat", "dog", "bus"]), "label"),
    (dict(values=[1.0, 2.0, 3.0, float("inf")]), "finite"),
    (dict(query=(0.0, 9.0)), "query"),
    (dict(temperature=0.0), "temperature"),
])
def test_soft_dictionary_rejects_bad_input(change, message):
    from paying_attention.live_widgets import SoftDictionary

    with pytest.raises(ValueError, match=message):
        SoftDictionary(**{**SPEEDS, **change})


def test_tour_heads_find_what_they_say():
    from paying_attention.live_widgets import tour_attention

    words = "the small cat sees a dog".split()
    kind = tour_attention(" ".join(words), "kind")
    np.testing.assert_allclose(kind.sum(axis=1), 1.0)
    assert kind[1, 2] == pytest.approx(kind[1, 5]) and kind[1, 2] > 0.45      # small: cat or dog
    assert kind[2].argmax() == 3 and kind[2, 3] > 0.9                          # cat: its verb
    after = tour_attention(" ".join(words), "next")
    assert list(after[:-1].argmax(axis=1)) == [1, 2, 3, 4, 5]
    np.testing.assert_allclose(after[-1], 1 / 6)                               # nothing after it
    before = tour_attention(" ".join(words), "previous")
    assert list(before.argmax(axis=1)) == [0, 0, 1, 2, 3, 4]
    # Without positions the kind head is permutation equivariant (Chapter 5).
    order = [5, 3, 0, 2, 1, 4]
    shuffled = tour_attention(" ".join(words[i] for i in order), "kind")
    np.testing.assert_allclose(shuffled, kind[np.ix_(order, order)])


def test_tour_attention_matches_a_plain_softmax():
    from paying_attention.live_widgets import tour_attention, tour_embed, tour_heads, tour_words

    head = tour_heads()["next"]
    inputs = tour_embed(tour_words("Every hungry bird eats a fish."))
    scores = (inputs @ np.array(head["query"])) @ (inputs @ np.array(head["key"])).T / np.sqrt(8)
    expected = np.exp(scores) / np.exp(scores).sum(axis=1, keepdims=True)
    np.testing.assert_allclose(tour_attention("every hungry bird eats a fish", "next"), expected)


@pytest.mark.parametrize("sentence, message", [
    ("", "2 to 8"), ("cat", "2 to 8"), ("the cat " * 5, "2 to 8"),
    ("the zebra sleeps", "unknown word.*zebra"), ("\u2603\u20ac ?!", "unknown"),
])
def test_tour_words_say_what_is_wrong(sentence, message):
    from paying_attention.live_widgets import tour_words

    with pytest.raises(ValueError, match=message):
        tour_words(sentence)


def test_sentence_attention_widget():
    from paying_attention.live_widgets import SentenceAttention, tour_attention

    widget = SentenceAttention("The small cat sleeps.", heads=["kind", "next"], head="next")
    assert widget.sentence == "the small cat sleeps" and widget.head == "next"
    assert set(widget.heads) == {"kind", "next"} and widget.vocabulary["cat"] == "noun"
    assert "small → cat 0.96" in widget.alt and "sleeps → all evenly" in widget.alt
    assert "small → cat/dog 0.50" in SentenceAttention("the small cat sees a dog").alt
    assert "head 2: the word just after it" in widget.alt
    for case in widget.checks:
        np.testing.assert_allclose(case["weights"], tour_attention(case["sentence"], case["head"]))
    for bad, message in ((dict(heads=["sideways"]), "heads"), (dict(head="previous"), "head must"),
                         (dict(sentence="the unicorn"), "unicorn"), (dict(alternative="x y z"), "unknown")):
        with pytest.raises(ValueError, match=message):
            SentenceAttention(**{"sentence": "the cat sleeps", **bad})


@pytest.mark.parametrize("make", ["arrows", "dictionary", "sentence"])
def test_tour_widgets_show_a_fallback_picture(make, monkeypatch):
    from paying_attention.live_widgets import DotProductArrows, SentenceAttention, SoftDictionary

    widget = {"arrows": lambda: DotProductArrows(), "dictionary": lambda: SoftDictionary(**SPEEDS),
              "sentence": lambda: SentenceAttention()}[make]()
    shown = []
    monkeypatch.setattr("IPython.display.display", lambda data, **kwargs: shown.append(data))
    widget._ipython_display_()
    assert "widget-fallback" in shown[0]["text/html"] and widget.alt.split(":")[0] in shown[0]["text/plain"]
    assert "application/vnd.jupyter.widget-view+json" in shown[1]


@pytest.mark.skipif(shutil.which("node") is None, reason="needs Node.js to run the widgets' modules")
def test_tour_javascript_matches_python(tmp_path):
    """The three modules' maths, run by Node.js on the Python reference cases (the page repeats
    these checks in the browser: tests/test_site.py)."""
    from paying_attention.live_widgets import DotProductArrows, SentenceAttention, SoftDictionary

    arrows, dictionary = DotProductArrows(), SoftDictionary(**SPEEDS)
    sentence = SentenceAttention(heads=["kind", "next", "previous"])
    for name, widget in (("arrows", arrows), ("dictionary", dictionary), ("sentence", sentence)):
        (tmp_path / f"{name}.mjs").write_text(widget._esm, encoding="utf-8")
    state = {"arrows": arrows.checks, "dictionary": [dictionary.checks, dictionary.key_points, dictionary.values],
             "sentence": [sentence.checks, sentence.heads, sentence.vocabulary, sentence.kinds, sentence.max_words]}
    (tmp_path / "state.json").write_text(json.dumps(state), encoding="utf-8")
    (tmp_path / "run.mjs").write_text("""
import * as arrows from "./arrows.mjs";
import * as dictionary from "./dictionary.mjs";
import * as sentence from "./sentence.mjs";
import fs from "fs";
const state = JSON.parse(fs.readFileSync("state.json"));
console.log(JSON.stringify({
  arrows: arrows.checkError(state.arrows),
  dictionary: dictionary.checkError(...state.dictionary),
  sentence: sentence.checkError(...state.sentence),
  words: sentence.words("  The small CAT, sleeps!  "),
  text: arrows.describe([2, 1], [1, 2]),
  negative: arrows.describe([2, -1], [-0.5, 2]),
}));""", encoding="utf-8")
    result = subprocess.run(["node", "run.mjs"], cwd=tmp_path, capture_output=True, text=True,
                            timeout=120, check=True)
    computed = json.loads(result.stdout)
    assert max(computed["arrows"], computed["dictionary"], computed["sentence"]) < 1e-9
    assert computed["words"] == ["the", "small", "cat", "sleeps"]
    assert computed["text"] == DotProductArrows((2.0, 1.0), (1.0, 2.0)).alt
    assert computed["negative"] == DotProductArrows((2.0, -1.0), (-0.5, 2.0)).alt


# --- chapter widgets (Chapters 2, 3, 5, 6): KernelRegressionExplorer, QueryKeyValuePlane, -------
# --- SinusoidalShift, ToyLanguageHeads -----------------------------------------------------------
import json  # noqa: E402,F811 - this section's own imports
import subprocess as _subprocess  # noqa: E402

import torch as _torch  # noqa: E402


def _chapter2_data():
    data_rng = np.random.default_rng(0)
    keys = np.sort(data_rng.uniform(0, 5, size=30))
    return keys, np.sin(keys) + data_rng.normal(0, 0.3, size=30)


PLANE = {"keys": [[2, 0.5], [0.5, 2], [-1.5, 1], [1, -2]], "values": [[1, 1], [-1, 2], [2, -1], [-2, -2]],
         "labels": ["k1", "k2", "k3", "k4"]}


@pytest.fixture(scope="module")
def toy_heads():
    from paying_attention.live_widgets import ToyLanguageHeads

    return ToyLanguageHeads()


def test_kernel_regression_explorer_is_nadaraya_watson():
    from paying_attention.kernel_regression import gaussian_kernel_weights, nadaraya_watson
    from paying_attention.live_widgets import KernelRegressionExplorer

    keys, values = _chapter2_data()
    widget = KernelRegressionExplorer(keys, values, bandwidth=0.4, query=1.5, domain=(0, 5))
    weights, prediction = widget.estimate()
    np.testing.assert_allclose(weights, gaussian_kernel_weights([1.5], keys, 0.4)[0])
    assert prediction == pytest.approx(nadaraya_watson([1.5], keys, values, 0.4)[0])
    assert sum(weights) == pytest.approx(1.0)
    for case in widget.checks:       # the references the browser recomputes
        np.testing.assert_allclose(case["weights"], gaussian_kernel_weights([case["query"]], keys, case["bandwidth"])[0])
    assert any(case["bandwidth"] == 0.02 for case in widget.checks)   # a nearly one-hot row
    assert f"prediction {prediction:.2f}" in widget.alt and "h = 0.40" in widget.alt
    assert repr(widget) == "KernelRegressionExplorer()"


@pytest.mark.parametrize("change, message", [
    ({"keys": [1.0]}, "2 to 200"),
    ({"values": [1.0, 2.0]}, "one number per key"),
    ({"bandwidth": 0.0}, "bandwidth"),
    ({"bandwidth": 5.0}, "bandwidth"),
    ({"query": 9.0}, "query"),
    ({"domain": (3, 1)}, "low < high"),
    ({"truth": [0.0] * 10}, "101 points"),
    ({"keys": [0.0, float("nan"), 1.0]}, "finite"),
])
def test_kernel_regression_explorer_rejects_bad_input(change, message):
    from paying_attention.live_widgets import KernelRegressionExplorer

    arguments = {"keys": [0.0, 1.0, 2.0], "values": [1.0, 0.0, 1.0], "domain": (0, 2), **change}
    with pytest.raises(ValueError, match=message):
        KernelRegressionExplorer(**arguments)


def test_plane_attention_matches_pytorch_and_masks():
    from paying_attention.live_widgets import plane_attention

    query, keys, values = [1.0, 1.5], np.array(PLANE["keys"], float), np.array(PLANE["values"], float)
    scores, weights, output = plane_attention(query, keys, values)
    expected = _torch.nn.functional.scaled_dot_product_attention(
        _torch.tensor([query], dtype=_torch.float64), _torch.tensor(keys), _torch.tensor(values))
    np.testing.assert_allclose(output, expected[0].numpy(), atol=1e-12)
    np.testing.assert_allclose(scores, keys @ query / np.sqrt(2))
    unscaled = plane_attention(query, keys, values, scaled=False)[0]
    np.testing.assert_allclose(unscaled, keys @ query)
    scores, weights, output = plane_attention(query, keys, values, mask=[True, False, True, False])
    assert scores[1] is None and weights[1] == weights[3] == 0.0 and sum(weights) == pytest.approx(1)
    scores, weights, output = plane_attention(query, keys, values, mask=[False] * 4)
    assert weights == [0.0] * 4 and output == [0.0, 0.0]   # the fully masked row


def test_query_key_value_plane_describes_and_checks_itself():
    from paying_attention.live_widgets import QueryKeyValuePlane

    widget = QueryKeyValuePlane(**PLANE, query=(1.0, 1.5))
    assert "k2 score 2.47 weight 0.59" in widget.alt and "q·k/√2" in widget.alt
    masked = QueryKeyValuePlane(**PLANE, mask=[False] * 4, scaled=False)
    assert "Every key is masked" in masked.alt and "not divided" in masked.alt
    assert any(not any(case["mask"]) and case["output"] == [0.0, 0.0] for case in widget.checks)
    assert {case["scaled"] for case in widget.checks} == {True, False}


@pytest.mark.parametrize("change, message", [
    ({"keys": [[1, 1]], "values": [[1, 1]], "labels": ["a"]}, "2 to 6"),
    ({"labels": ["a", "b"]}, "one value and one label"),
    ({"query": (4, 0)}, "query"),
    ({"query": (1, 2, 3)}, "two numbers"),
    ({"mask": [True]}, "one entry per key"),
    ({"scaled": "yes"}, "True or False"),
])
def test_query_key_value_plane_rejects_bad_input(change, message):
    from paying_attention.live_widgets import QueryKeyValuePlane

    with pytest.raises(ValueError, match=message):
        QueryKeyValuePlane(**{**PLANE, **change})


def test_sinusoidal_shift_turns_every_pair_by_k_omega():
    from paying_attention.live_widgets import SinusoidalShift
    from paying_attention.position import sinusoidal_encoding

    widget = SinusoidalShift(d_model=8, position=3, shift=5)
    np.testing.assert_allclose(widget.angles(), np.degrees(5 * 10000.0 ** (-np.arange(0, 8, 2) / 8)))
    table = sinusoidal_encoding(101, 8)
    for case in widget.checks:
        np.testing.assert_allclose(case["encoding"], table[case["position"]])
    assert max(case["position"] for case in widget.checks) == 100   # p + k at both ends of the sliders
    assert "pair 0 by 286.5°" in widget.alt and f"= {table[3] @ table[8]:.2f} for every p" in widget.alt


@pytest.mark.parametrize("change, message", [
    ({"d_model": 7}, "even"), ({"d_model": 18}, "even"), ({"position": 60}, "position"),
    ({"shift": -1}, "shift"), ({"max_position": 0}, "max_position"), ({"base": 1.0}, "base"),
])
def test_sinusoidal_shift_rejects_bad_input(change, message):
    from paying_attention.live_widgets import SinusoidalShift

    with pytest.raises(ValueError, match=message):
        SinusoidalShift(**change)


@pytest.mark.parametrize("sentence, message", [
    ("", "1 to 21"), ("the " * 22, "1 to 21"), ("the king sees", "sees"), ("the <pad>", "<pad>"),
])
def test_toy_tokens_say_what_is_wrong(sentence, message):
    from paying_attention.live_widgets import toy_tokens

    with pytest.raises(ValueError, match=message):
        toy_tokens(sentence)


def test_toy_tokens_split_punctuation():
    from paying_attention.live_widgets import toy_tokens

    assert toy_tokens("Today, the King see the dogs.") == ["today", ",", "the", "king", "see",
                                                           "the", "dogs", "."]


def test_toy_language_heads_exports_the_model_and_pytorchs_maps(toy_heads):
    from paying_attention.pretrained import load_toy_model

    model = load_toy_model("toy_language_seed0")
    decoded = np.frombuffer(base64.b64decode(toy_heads.weights["W_Q"]), dtype="<f4").reshape(32, 32)
    np.testing.assert_array_equal(decoded, model.attentions[0].W_Q.detach().numpy())
    assert set(toy_heads.weights) == {"token_embedding", "position_embedding", "norm_weight",
                                      "norm_bias", "W_Q", "b_Q", "W_K", "b_K"}
    maps = toy_heads.maps()                                           # (H, T, T)
    length = len(toy_heads.sentence.split())
    assert maps.shape == (4, length, length)
    np.testing.assert_allclose(maps.sum(-1), 1.0, atol=1e-6)
    assert np.all(np.triu(maps, k=1) == 0)                            # causal
    assert len(toy_heads.checks) >= 4 and toy_heads.checks[-1]["tokens"] == ["he"]
    assert "head 1 of" in toy_heads.alt and "causal" in toy_heads.alt
    size = len(json.dumps(toy_heads.get_state(), default=str))
    assert size < 200_000, size


def test_toy_language_heads_rejects_bad_input():
    from paying_attention.live_widgets import ToyLanguageHeads

    with pytest.raises(ValueError, match="head"):
        ToyLanguageHeads(head=4)
    with pytest.raises(ValueError, match="unknown"):
        ToyLanguageHeads(sentence="the king sees the dog")
    with pytest.raises(ValueError, match="ToyLanguageModel"):
        ToyLanguageHeads(model=_torch.nn.Linear(2, 2))


@pytest.mark.parametrize("make", ["KernelRegressionExplorer", "QueryKeyValuePlane", "SinusoidalShift"])
def test_chapter_widgets_show_a_fallback_picture(make, monkeypatch):
    import paying_attention.live_widgets as live

    keys, values = _chapter2_data()
    widget = {"KernelRegressionExplorer": lambda: live.KernelRegressionExplorer(keys, values),
              "QueryKeyValuePlane": lambda: live.QueryKeyValuePlane(**PLANE, mask=[True, False, True, True]),
              "SinusoidalShift": lambda: live.SinusoidalShift()}[make]()
    shown = []
    monkeypatch.setattr("IPython.display.display", lambda data, **kwargs: shown.append(data))
    widget._ipython_display_()
    assert "widget-fallback" in shown[0]["text/html"] and "application/vnd.jupyter.widget-view+json" in shown[1]


def test_chapter_widgets_javascript_matches_python(toy_heads, tmp_path):
    """The four modules' maths, run by Node.js on the Python (and PyTorch) reference cases; the
    page repeats these checks in the browser (tests/test_site.py)."""
    from paying_attention.live_widgets import KernelRegressionExplorer, QueryKeyValuePlane, SinusoidalShift

    keys, values = _chapter2_data()
    kernel = KernelRegressionExplorer(keys, values, bandwidth=0.3, domain=(0, 5))
    plane, shift = QueryKeyValuePlane(**PLANE), SinusoidalShift(d_model=16, position=7, shift=40)
    widgets = {"kernel": kernel, "plane": plane, "shift": shift, "toy": toy_heads}
    for name, widget in widgets.items():
        (tmp_path / f"{name}.mjs").write_text(widget._esm, encoding="utf-8")
    state = {"kernel": [kernel.checks, kernel.key_points, kernel.values],
             "plane": [plane.checks, plane.key_points, plane.value_points],
             "shift": [shift.checks, shift.d_model, shift.base],
             "toy": {name: getattr(toy_heads, name) for name in ("checks", "vocabulary", "weights", "model_config")}}
    (tmp_path / "state.json").write_text(json.dumps(state), encoding="utf-8")
    (tmp_path / "run.mjs").write_text("""
import * as kernel from "./kernel.mjs";
import * as plane from "./plane.mjs";
import * as shift from "./shift.mjs";
import * as toy from "./toy.mjs";
import fs from "fs";
const state = JSON.parse(fs.readFileSync("state.json"));
const index = new Map(state.toy.vocabulary.map((word, i) => [word, i]));
console.log(JSON.stringify({
  kernel: kernel.checkError(...state.kernel),
  plane: plane.checkError(...state.plane),
  shift: shift.checkError(...state.shift),
  toy: toy.checkError(state.toy.checks, index, toy.unpack(state.toy.weights), state.toy.model_config),
  tokens: toy.tokenize("Today, the King see the dogs."),
  masked: plane.attend([1, 1], [[1, 0], [0, 1]], [[1, 2], [3, 4]], [false, false], true),
}));""", encoding="utf-8")
    result = _subprocess.run(["node", "run.mjs"], cwd=tmp_path, capture_output=True, text=True,
                             timeout=120, check=True)
    computed = json.loads(result.stdout)
    assert max(computed["kernel"], computed["plane"], computed["shift"]) < 1e-9
    assert computed["toy"] < 1e-4
    assert computed["tokens"] == ["today", ",", "the", "king", "see", "the", "dogs", "."]
    assert computed["masked"]["weights"] == [0, 0] and computed["masked"]["output"] == [0, 0]


def _order_widget(**change):
    from paying_attention.live_widgets import SelfAttentionOrder

    rng = np.random.default_rng(0)
    scale = 1.5 / np.sqrt(8)
    arguments = {"vocabulary": ["the", "dog", "bites", "man"], "word_vectors": rng.normal(size=(4, 8)),
                 "w_query": scale * rng.normal(size=(8, 4)), "w_key": scale * rng.normal(size=(8, 4)),
                 "w_value": scale * rng.normal(size=(8, 4)), **change}
    return SelfAttentionOrder(**arguments)


def test_self_attention_order_same_word_same_row_until_positions():
    from paying_attention.live_widgets import order_attention

    widget = _order_widget()
    outputs = widget.outputs()
    np.testing.assert_array_equal(outputs[0], outputs[3])                 # "the" twice
    assert widget.repeats() == [("the", [1, 4], 0.0)] and "rows identical" in widget.alt
    swapped = order_attention("the man bites the dog".split(), widget.vocabulary, widget.word_vectors,
                              widget.w_query, widget.w_key, widget.w_value)
    np.testing.assert_allclose(swapped[[0, 4, 2, 3, 1]], outputs, atol=1e-12)  # equivariance
    positioned = _order_widget(positions=True)
    assert positioned.repeats()[0][2] > 0.05 and "differ by up to" in positioned.alt
    assert {case["positions"] for case in widget.checks} == {False, True}


@pytest.mark.parametrize("change, message", [
    ({"sentence": "the cat"}, "unknown word"), ({"sentence": ""}, "1 to 10"),
    ({"vocabulary": ["the", "the", "a", "b"]}, "distinct"),
    ({"word_vectors": np.zeros((3, 8))}, "one row per word"),
    ({"word_vectors": np.zeros((4, 7))}, "even"),
    ({"w_value": np.zeros((8, 9))}, "d_v <= 8"),
    ({"positions": 1}, "True or False"),
])
def test_self_attention_order_rejects_bad_input(change, message):
    with pytest.raises(ValueError, match=message):
        _order_widget(**change)


def test_self_attention_order_javascript_matches_python(tmp_path):
    widget = _order_widget()
    (tmp_path / "order.mjs").write_text(widget._esm, encoding="utf-8")
    state = {name: getattr(widget, name) for name in
             ("checks", "vocabulary", "word_vectors", "w_query", "w_key", "w_value")}
    (tmp_path / "state.json").write_text(json.dumps(state), encoding="utf-8")
    (tmp_path / "run.mjs").write_text("""
import * as order from "./order.mjs";
import fs from "fs";
const state = JSON.parse(fs.readFileSync("state.json"));
console.log(JSON.stringify({ error: order.checkError(state.checks, state), words: order.words(" The DOG, bites! ") }));
""", encoding="utf-8")
    result = _subprocess.run(["node", "run.mjs"], cwd=tmp_path, capture_output=True, text=True,
                             timeout=120, check=True)
    computed = json.loads(result.stdout)
    assert computed["error"] < 1e-9 and computed["words"] == ["the", "dog", "bites"]


@pytest.mark.skipif(shutil.which("node") is None, reason="needs Node.js to parse the widgets' modules")
def test_every_widget_module_parses(tmp_path):
    """Each widget's module is js/common.js followed by its own file: a name declared in both,
    or a syntax error, fails here (node --check), whichever widget no other test runs."""
    import subprocess

    from paying_attention import live_widgets

    classes = [cls for cls in vars(live_widgets).values()
               if isinstance(cls, type) and issubclass(cls, live_widgets.LiveWidget)
               and cls is not live_widgets.LiveWidget]
    assert len(classes) >= 10
    for cls in classes:
        module = tmp_path / f"{cls.__name__}.mjs"
        module.write_text(str(cls._esm), encoding="utf-8")
        result = subprocess.run(["node", "--check", str(module)], capture_output=True, text=True)
        assert result.returncode == 0, f"{cls.__name__}: {result.stderr}"

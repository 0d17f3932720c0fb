// Heads of the trained toy model on your own sentence (paying_attention.live_widgets.ToyLanguageHeads),
// Chapter 6. The model's embeddings, layer norm and query/key projections come as float32; for
// the typed sentence this module computes x_t = E[token_t] + P[t], LN(x), Q = X W_Q + b_Q,
// K = X W_K + b_K and, for each head h, the causal softmax(Q_h K_h^T / sqrt(d_k)): the attention
// maps of the PyTorch model, checked against it on stored sentences. softmax, decodeFloat32 and
// the page's helpers come from common.js, which live_widgets.py puts in front of this file.

export function tokenize(sentence) {
  return sentence.replace(/([,.])/g, " $1 ").toLowerCase().split(/\s+/).filter((w) => w.length > 0);
}

export function unpack(weights) {
  return Object.fromEntries(Object.entries(weights).map(([name, text]) => [name, decodeFloat32(text)]));
}

export function attentionMaps(ids, w, config) {
  const { d_model: d, num_heads: heads, d_k: dk, eps } = config;
  const T = ids.length;
  const project = (x, W, b) => Array.from({ length: d }, (_, c) => {
    let sum = b[c];
    for (let r = 0; r < d; r += 1) sum += x[r] * W[r * d + c];   // (in, out) layout: x @ W
    return sum;
  });
  const queries = [];
  const keys = [];
  ids.forEach((id, t) => {
    const x = Array.from({ length: d }, (_, c) => w.token_embedding[id * d + c] + w.position_embedding[t * d + c]);
    const mean = x.reduce((a, b) => a + b, 0) / d;
    const variance = x.reduce((a, b) => a + (b - mean) ** 2, 0) / d;     // biased, as LayerNorm
    const normed = x.map((v, c) => (v - mean) / Math.sqrt(variance + eps) * w.norm_weight[c] + w.norm_bias[c]);
    queries.push(project(normed, w.W_Q, w.b_Q));                         // (T, d_model)
    keys.push(project(normed, w.W_K, w.b_K));
  });
  const scale = 1 / Math.sqrt(dk);
  return Array.from({ length: heads }, (_, h) => queries.map((q, i) => {
    const scores = [];
    for (let j = 0; j <= i; j += 1) {                                    // causal: j <= i only
      let s = 0;
      for (let c = h * dk; c < (h + 1) * dk; c += 1) s += q[c] * keys[j][c];
      scores.push(s * scale);
    }
    const row = softmax(scores);
    return Array.from({ length: T }, (_, j) => (j <= i ? row[j] : 0));
  }));                                                                    // (H, T, T)
}

export function checkError(checks, index, w, config) {
  return worstCheck(checks, (c) => largestDifference(attentionMaps(c.tokens.map((t) => index.get(t)), w, config), c.weights));
}

const CELL = 28;
const LEFT = 74;
const TOP = 74;

function render({ model, el }) {
  const [config, vocabulary, groups] = traits(model, "model_config", "vocabulary", "groups");
  const index = new Map(vocabulary.map((word, i) => [word, i]));
  index.delete(vocabulary[0]);                                  // padding is not a word
  const stems = new Set(groups.filter((g) => g.kind.startsWith("verbs")).flatMap((g) => g.words));
  const weights = unpack(model.get("weights"));
  const maxLength = config.max_length;

  const root = element("div", "pa-live pa-toy-heads");
  const { label: row1, input } = sentenceInput(model, 60, "your sentence in the toy language");
  input.style.maxWidth = "100%";

  const row2 = document.createElement("div");
  row2.className = "pa-control";
  const adder = document.createElement("select");
  adder.setAttribute("aria-label", "add a word at the end of the sentence");
  adder.appendChild(new Option("add a word…", ""));
  for (const group of groups) {
    const optgroup = document.createElement("optgroup");
    optgroup.label = group.kind;
    group.words.forEach((word) => optgroup.appendChild(new Option(word, word)));
    adder.appendChild(optgroup);
  }
  const headLabel = document.createElement("label");
  headLabel.textContent = "head ";
  const headSelect = document.createElement("select");
  headSelect.setAttribute("aria-label", "which head");
  for (let h = 0; h < config.num_heads; h += 1) headSelect.appendChild(new Option(`head ${h + 1}`, String(h)));  // labelled from 1, as in the book
  headLabel.appendChild(headSelect);
  row2.append(adder, headLabel);

  const message = statusMessage(null);
  message.style.margin = "0.2em 0";

  const chart = svg("svg", { width: "100%", role: "img" }, null);
  const knownWords = document.createElement("p");
  knownWords.className = "pa-caption";
  knownWords.style.fontSize = "0.85em";
  knownWords.textContent = "Words the model knows: " + groups.map((g) => `${g.kind}: ${g.words.join(" ")}`).join("; ") + ".";

  const live = liveText(null);

  let tokens = tokenize(model.get("sentence"));
  let problem = "";

  function parse(text) {
    const found = tokenize(text);
    if (found.length === 0) return `Type a sentence of 1 to ${maxLength} words of the toy language (its words are listed below).`;
    if (found.length > maxLength) return `The model reads at most ${maxLength} words (commas and full stops count); this sentence has ${found.length}.`;
    const unknown = [...new Set(found.filter((word) => !index.has(word)))];
    if (unknown.length) {
      const hints = unknown.map((word) => {
        const stem = word.endsWith("es") && stems.has(word.slice(0, -2)) ? word.slice(0, -2)
          : word.endsWith("s") && stems.has(word.slice(0, -1)) ? word.slice(0, -1) : null;
        return stem ? `“${word}” (verbs are bare stems here: try “${stem}”)` : `“${word}”`;
      });
      return `The model does not know ${hints.join(", ")} in “${text.trim()}”. Use the words listed below.`;
    }
    tokens = found;
    return "";
  }

  function update() {
    problem = parse(input.value);
    if (!problem) setTrait(model, "sentence", tokens.join(" "));
    draw();
  }
  input.addEventListener("input", update);
  adder.addEventListener("change", () => {
    if (!adder.value) return;
    input.value = `${input.value.trimEnd()} ${adder.value}`.trimStart();
    adder.selectedIndex = 0;
    update();
  });
  headSelect.addEventListener("change", () => setTrait(model, "head", Number(headSelect.value)));

  function draw() {
    const head = model.get("head");
    headSelect.value = String(head);
    const T = tokens.length;
    const maps = attentionMaps(tokens.map((t) => index.get(t)), weights, config);
    const map = maps[head];
    const size = LEFT + CELL * T + 20;
    chart.setAttribute("viewBox", `0 0 ${size} ${TOP + CELL * T + 28}`);
    chart.style.maxWidth = `${1.3 * size}px`;
    chart.setAttribute("aria-label", `Attention map of head ${head + 1}: rows are the words looking, columns the words looked at`);
    chart.replaceChildren();
    svg("text", { x: LEFT, y: 12, class: "pa-caption" }, chart).textContent =
      `head ${head + 1}: row = word looking, column = word looked at`;
    tokens.forEach((word, i) => {
      svg("text", { x: LEFT - 6, y: TOP + CELL * i + CELL / 2 + 4, class: "pa-label", "text-anchor": "end" }, chart)
        .textContent = word;
      const x = LEFT + CELL * i + CELL / 2;
      svg("text", { x, y: TOP - 6, class: "pa-label", transform: `rotate(-55 ${x} ${TOP - 6})` }, chart).textContent = word;
      map[i].forEach((value, j) => {
        const cell = { x: LEFT + CELL * j, y: TOP + CELL * i, width: CELL, height: CELL };
        if (j > i) {
          svg("rect", { ...cell, fill: "none", stroke: "currentColor", "stroke-opacity": 0.08 }, chart);
          return;
        }
        svg("rect", { ...cell, fill: BLUE, "fill-opacity": value.toFixed(3), stroke: "currentColor", "stroke-opacity": 0.2 }, chart);
        if (value >= 0.1) {
          svg("text", { x: cell.x + CELL / 2, y: cell.y + CELL / 2 + 4, "text-anchor": "middle", "font-size": 10,
            fill: value > 0.55 ? "#fff" : "currentColor" }, chart).textContent = value.toFixed(1).replace(/^0/, "");
        }
      });
    });
    svg("text", { x: LEFT, y: TOP + CELL * T + 20, class: "pa-caption" }, chart)
      .textContent = "empty cells: later words, which a causal model cannot see";
    const links = tokens.map((word, i) => {
      const best = map[i].indexOf(Math.max(...map[i]));
      return `${word} → ${tokens[best]} ${map[i][best].toFixed(2)}`;
    });
    message.textContent = problem;
    const shown = `Head ${head + 1} on “${tokens.join(" ")}”: strongest link of each word: ${links.join(", ")}.`;
    live.textContent = problem ? `${problem} The map still shows the last sentence the model could read. ${shown}` : shown;
  }

  root.append(row1, row2, message, chart, live, knownWords);
  el.appendChild(root);
  reportCheck(root, checkError(model.get("checks"), index, weights, config), "1e-4");
  drawOn(model, ["head"], draw);
}

export default { render };

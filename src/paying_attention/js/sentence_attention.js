// Your sentence's attention map (paying_attention.live_widgets.SentenceAttention), the tour.
// Type a short sentence from the small vocabulary: each word becomes its kind and its position
// (two one-hot codes), the head's matrices give queries and keys, and the weights
// softmax(Q K^T / sqrt(d_k)) are computed here in the browser, row by row (words and softmax
// come from common.js, which live_widgets.py puts in front of this file).

function embed(tokens, vocabulary, kinds, maxWords) {
  return tokens.map((word, position) => {
    const row = new Array(kinds.length + maxWords).fill(0);
    row[kinds.indexOf(vocabulary[word])] = 1;
    row[kinds.length + position] = 1;
    return row;
  });
}

const project = (inputs, matrix) => inputs.map((x) =>
  matrix[0].map((_, c) => x.reduce((sum, xi, r) => sum + xi * matrix[r][c], 0)));

export function attention(tokens, head, vocabulary, kinds, maxWords) {
  const inputs = embed(tokens, vocabulary, kinds, maxWords);
  const queries = project(inputs, head.query);           // (T, d_k)
  const keys = project(inputs, head.key);                // (T, d_k)
  const scale = 1 / Math.sqrt(head.key[0].length);       // 1 / sqrt(d_k)
  return queries.map((q) => softmax(keys.map((k) => k.reduce((sum, kj, j) => sum + kj * q[j], 0) * scale)));
}

export function checkError(checks, heads, vocabulary, kinds, maxWords) {
  return worstCheck(checks, (c) => largestDifference(
    attention(words(c.sentence), heads[c.head], vocabulary, kinds, maxWords), c.weights));
}

const CELL = 50;
const LEFT = 90;
const TOP = 90;

function render({ model, el }) {
  const [heads, vocabulary, kinds, maxWords] = traits(model, "heads", "vocabulary", "kinds", "max_words");
  const id = Math.random().toString(36).slice(2);

  const root = element("div", "pa-live pa-sentence");
  keepPageGround(root);

  const { label: inputLabel, input } = sentenceInput(model, 36, "your sentence");
  input.spellcheck = false;
  input.setAttribute("aria-describedby", `pa-vocab-${id}`);
  root.append(inputLabel);

  let select = null;
  const names = Object.keys(heads);
  if (names.length > 1) {
    const headLabel = document.createElement("label");
    headLabel.className = "pa-control";
    headLabel.textContent = "head ";
    select = document.createElement("select");
    select.setAttribute("aria-label", "which head");
    for (const name of names) {
      const option = document.createElement("option");
      option.value = name;
      option.textContent = heads[name].title;
      select.append(option);
    }
    headLabel.append(select);
    root.append(headLabel);
    select.addEventListener("change", () => setTrait(model, "head", select.value));
  }

  const message = statusMessage(null);
  const vocab = document.createElement("p");
  vocab.id = `pa-vocab-${id}`;
  vocab.className = "pa-vocabulary";
  vocab.style.fontSize = "0.85em";
  vocab.textContent = "Known words: " + kinds.map((kind) => {
    const list = Object.keys(vocabulary).filter((w) => vocabulary[w] === kind);
    return `${kind}s: ${list.join(", ")}`;
  }).join("; ") + ".";

  const chart = svg("svg", { width: "100%", role: "img" });
  const live = liveText(null);

  input.addEventListener("input", () => {
    const tokens = words(input.value);
    if (tokens.length === 0) {
      message.textContent = `Type a sentence of 2 to ${maxWords} words from the list below, for example "${model.get("alternative")}".`;
      return;
    }
    const unknown = tokens.filter((w) => !Object.prototype.hasOwnProperty.call(vocabulary, w));
    if (unknown.length) {
      message.textContent = `I don't know ${unknown.map((w) => `"${w}"`).join(", ")}: this toy model only has the words listed below. ` +
        `The map still shows "${model.get("sentence")}".`;
      return;
    }
    if (tokens.length < 2 || tokens.length > maxWords) {
      message.textContent = `Type 2 to ${maxWords} words; this has ${tokens.length}. The map still shows "${model.get("sentence")}".`;
      return;
    }
    message.textContent = "";
    setTrait(model, "sentence", tokens.join(" "));
  });

  function draw() {
    const tokens = words(model.get("sentence"));
    const head = model.get("head");
    if (select) select.value = head;
    const weights = attention(tokens, heads[head], vocabulary, kinds, maxWords);
    const T = tokens.length;
    const size = LEFT + CELL * T + 10;
    chart.replaceChildren();
    chart.setAttribute("viewBox", `0 0 ${size} ${TOP + CELL * T + 30}`);
    chart.style.maxWidth = `${size * 1.3}px`;
    chart.setAttribute("aria-label", `Attention map of "${tokens.join(" ")}"`);
    svg("text", { x: LEFT, y: 14, class: "pa-caption" }, chart).textContent = "looked at (key) →";
    svg("text", { x: 4, y: TOP - 6, class: "pa-caption" }, chart).textContent = "looking ↓";
    tokens.forEach((word, j) => {
      const x = LEFT + CELL * j + CELL / 2;
      svg("text", { x, y: TOP - 8, class: "pa-label", transform: `rotate(-45 ${x} ${TOP - 8})` }, chart).textContent = word;
      svg("text", { x: LEFT - 8, y: TOP + CELL * j + CELL / 2 + 4, class: "pa-label", "text-anchor": "end" }, chart)
        .textContent = word;
    });
    weights.forEach((row, i) => row.forEach((w, j) => {
      svg("rect", { x: LEFT + CELL * j, y: TOP + CELL * i, width: CELL - 2, height: CELL - 2, fill: BLUE,
        "fill-opacity": 0.04 + 0.96 * w, stroke: "currentColor", "stroke-opacity": 0.15 }, chart);
      const text = svg("text", { x: LEFT + CELL * j + CELL / 2 - 1, y: TOP + CELL * i + CELL / 2 + 4,
        "text-anchor": "middle", "font-size": 12 }, chart);
      text.setAttribute("fill", w > 0.5 ? "#ffffff" : "currentColor");
      text.textContent = w.toFixed(2);
    }));
    const links = tokens.map((word, i) => {
      if (Math.max(...weights[i]) - Math.min(...weights[i]) < 0.01) return `${word} → all evenly`;
      const max = Math.max(...weights[i]);
      const best = tokens.filter((_, j) => weights[i][j] > max - 0.01);
      return `${word} → ${best.join("/")} ${max.toFixed(2)}`;
    });
    live.textContent = `Attention map of "${tokens.join(" ")}", ${heads[head].title}: row i shows how word i ` +
      `spreads its attention over the ${T} words. Strongest link of each word (ties joined by /): ${links.join(", ")}.`;
    root.dataset.weights = JSON.stringify(weights);
  }

  root.append(message, chart, live, vocab);
  el.appendChild(root);
  reportCheck(root, checkError(model.get("checks"), heads, vocabulary, kinds, maxWords), "1e-6");
  drawOn(model, ["sentence", "head"], draw);
}

export default { render };

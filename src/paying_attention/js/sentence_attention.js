// Your sentence's attention map (paying_attention.live_widgets.SentenceAttention), the tour.
// Type a short sentence from the small vocabulary: each word becomes its kind and its position
// (two one-hot codes), the head's matrices give queries and keys, and the weights
// softmax(Q K^T / sqrt(d_k)) are computed here in the browser, row by row.

export function words(sentence) {
  return sentence.split(/\s+/).map((w) => w.replace(/^[.,!?;:]+|[.,!?;:]+$/g, "").toLowerCase())
    .filter((w) => w.length > 0);
}

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
  return queries.map((q) => {
    const scores = keys.map((k) => k.reduce((sum, kj, j) => sum + kj * q[j], 0) * scale);
    const max = Math.max(...scores);
    const exps = scores.map((s) => Math.exp(s - max));
    const total = exps.reduce((a, b) => a + b, 0);
    return exps.map((e) => e / total);
  });
}

export function checkError(checks, heads, vocabulary, kinds, maxWords) {
  let worst = 0;
  for (const c of checks) {
    const weights = attention(words(c.sentence), heads[c.head], vocabulary, kinds, maxWords);
    weights.forEach((row, i) => row.forEach((w, j) => { worst = Math.max(worst, Math.abs(w - c.weights[i][j])); }));
  }
  return worst;
}

const SVG = "http://www.w3.org/2000/svg";
const BLUE = "#0072B2";
const CELL = 50;
const LEFT = 90;
const TOP = 90;

function svg(name, attributes, parent) {
  const node = document.createElementNS(SVG, name);
  for (const [key, value] of Object.entries(attributes)) node.setAttribute(key, value);
  if (parent) parent.appendChild(node);
  return node;
}

function render({ model, el }) {
  const heads = model.get("heads");
  const vocabulary = model.get("vocabulary");
  const kinds = model.get("kinds");
  const maxWords = model.get("max_words");
  const id = Math.random().toString(36).slice(2);

  const root = document.createElement("div");
  root.className = "pa-live pa-sentence";
  // In dark mode the theme paints widget areas light grey; keep the page's own ground so
  // that the text (the page's colour) stays legible.
  Object.assign(root.style, { backgroundColor: "var(--pst-color-background, transparent)",
    padding: "0.5em", borderRadius: "0.25rem" });

  const inputLabel = document.createElement("label");
  inputLabel.className = "pa-control";
  inputLabel.textContent = "your sentence ";
  const input = document.createElement("input");
  Object.assign(input, { type: "text", value: model.get("sentence"), spellcheck: false, size: 36 });
  input.setAttribute("aria-label", "your sentence");
  input.setAttribute("aria-describedby", `pa-vocab-${id}`);
  input.dataset.paExample = model.get("example");
  input.dataset.paAlternative = model.get("alternative");
  inputLabel.append(input);
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
    select.addEventListener("change", () => { model.set("head", select.value); model.save_changes(); });
  }

  const message = document.createElement("p");
  message.className = "pa-message";
  message.setAttribute("role", "status");
  const vocab = document.createElement("p");
  vocab.id = `pa-vocab-${id}`;
  vocab.className = "pa-vocabulary";
  vocab.style.fontSize = "0.85em";
  vocab.textContent = "Known words: " + kinds.map((kind) => {
    const list = Object.keys(vocabulary).filter((w) => vocabulary[w] === kind);
    return `${kind}s: ${list.join(", ")}`;
  }).join("; ") + ".";

  const chart = svg("svg", { width: "100%", role: "img" });
  const live = document.createElement("p");
  live.className = "pa-live-text";
  live.setAttribute("aria-live", "polite");

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
    model.set("sentence", tokens.join(" "));
    model.save_changes();
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
  root.dataset.checkError = String(checkError(model.get("checks"), heads, vocabulary, kinds, maxWords));
  root.dataset.checkTolerance = "1e-6";
  model.on("change:sentence", draw);
  model.on("change:head", draw);
  draw();
}

export default { render };

// Same word, same output (paying_attention.live_widgets.SelfAttentionOrder), Chapter 5. Type a
// sentence: each word's vector (plus, if ticked, the sinusoidal encoding of its position) goes
// through SA(X) = softmax(X W_Q (X W_K)^T / sqrt(d_k)) X W_V, computed here as the package's
// scaled_dot_product_attention does. Without positions a repeated word gets identical rows.
// words, softmax and the page's helpers come from common.js, which live_widgets.py puts in front
// of this file.

const matmul = (rows, matrix) => rows.map((x) => matrix[0].map((_, c) => x.reduce((s, xi, r) => s + xi * matrix[r][c], 0)));

export function selfAttention(tokens, state, positions) {
  const { vocabulary, word_vectors: vectors, w_query: wq, w_key: wk, w_value: wv } = state;
  const dModel = vectors[0].length;
  const inputs = tokens.map((word, t) => vectors[vocabulary.indexOf(word)].map((v, j) => {
    if (!positions) return v;
    const w = 10000 ** (-(j - (j % 2)) / dModel);        // pair j // 2, frequency base^(-2i/d)
    return v + (j % 2 === 0 ? Math.sin(t * w) : Math.cos(t * w));
  }));
  const queries = matmul(inputs, wq);
  const keys = matmul(inputs, wk);
  const values = matmul(inputs, wv);
  const scale = 1 / Math.sqrt(wk[0].length);
  return queries.map((q) => {
    const weights = softmax(keys.map((k) => k.reduce((s, kj, j) => s + kj * q[j], 0) * scale));
    return values[0].map((_, c) => weights.reduce((s, w, j) => s + w * values[j][c], 0));
  });
}

export function checkError(checks, state) {
  return worstCheck(checks, (c) => largestDifference(selfAttention(c.words, state, c.positions), c.outputs));
}

const CELL_W = 58;
const CELL_H = 26;
const LEFT = 96;
const TOP = 22;

function render({ model, el }) {
  const state = Object.fromEntries(["vocabulary", "word_vectors", "w_query", "w_key", "w_value"]
    .map((name) => [name, model.get(name)]));
  const maxWords = model.get("max_words");
  const dv = state.w_value[0].length;

  const root = element("div", "pa-live pa-self-attention-order");
  const { label: row, input } = sentenceInput(model, 40, `a sentence of the words ${state.vocabulary.join(", ")}`);
  input.style.maxWidth = "100%";
  const { label: toggle, box } = checkbox("add the sinusoidal position encoding PE_t to each input",
    "add the sinusoidal position encoding to the inputs");
  const message = statusMessage(null);
  message.style.margin = "0.2em 0";
  const chart = svg("svg", { width: "100%", role: "img" }, null);
  const live = liveText(null);

  let tokens = words(model.get("sentence"));
  let problem = "";
  function parse(text) {
    const found = words(text);
    if (found.length === 0 || found.length > maxWords) {
      return `Type 1 to ${maxWords} words from: ${state.vocabulary.join(", ")}.`;
    }
    const unknown = [...new Set(found.filter((w) => !state.vocabulary.includes(w)))];
    if (unknown.length) {
      return `Unknown word${unknown.length > 1 ? "s" : ""} ${unknown.map((w) => `“${w}”`).join(", ")}: ` +
        `this layer knows only ${state.vocabulary.join(", ")}.`;
    }
    tokens = found;
    return "";
  }
  input.addEventListener("input", () => {
    problem = parse(input.value);
    if (!problem) setTrait(model, "sentence", tokens.join(" "));
    draw();
  });
  box.addEventListener("change", () => setTrait(model, "positions", box.checked));

  function draw() {
    const positions = model.get("positions");
    box.checked = positions;
    const outputs = selfAttention(tokens, state, positions);
    const limit = Math.max(1e-9, ...outputs.flat().map(Math.abs));
    const width = LEFT + CELL_W * dv + 230;
    chart.setAttribute("viewBox", `0 0 ${width} ${TOP + CELL_H * tokens.length + 8}`);
    chart.style.maxWidth = `${1.25 * width}px`;
    chart.setAttribute("aria-label", "Output rows of self-attention, one per word");
    chart.replaceChildren();
    for (let j = 0; j < dv; j += 1) {
      svg("text", { x: LEFT + CELL_W * j + CELL_W / 2, y: TOP - 6, class: "pa-caption", "text-anchor": "middle" }, chart)
        .textContent = `out ${j}`;
    }
    const first = new Map();
    const notes = [];
    tokens.forEach((word, i) => {
      const y = TOP + CELL_H * i;
      svg("text", { x: LEFT - 8, y: y + CELL_H / 2 + 4, class: "pa-label", "text-anchor": "end" }, chart)
        .textContent = `${i + 1} ${word}`;
      outputs[i].forEach((v, j) => {
        svg("rect", { x: LEFT + CELL_W * j, y, width: CELL_W, height: CELL_H, fill: v >= 0 ? BLUE : "#E69F00",
          "fill-opacity": (0.85 * Math.abs(v) / limit).toFixed(3), stroke: "currentColor", "stroke-opacity": 0.2 }, chart);
        svg("text", { x: LEFT + CELL_W * j + CELL_W / 2, y: y + CELL_H / 2 + 4, "text-anchor": "middle",
          "font-size": 11, fill: "currentColor" }, chart).textContent = v.toFixed(2);
      });
      let note = "";
      if (first.has(word)) {
        const k = first.get(word);
        const difference = Math.max(...outputs[i].map((v, j) => Math.abs(v - outputs[k][j])));
        note = difference < 1e-9 ? `= row ${k + 1}, identical` : `≠ row ${k + 1}: differs by ${difference.toFixed(2)}`;
        if (!notes.some((n) => n.word === word)) notes.push({ word, rows: [k + 1], difference: 0 });
        const entry = notes.find((n) => n.word === word);
        entry.rows.push(i + 1);
        entry.difference = Math.max(entry.difference, difference);
      } else {
        first.set(word, i);
      }
      svg("text", { x: LEFT + CELL_W * dv + 10, y: y + CELL_H / 2 + 4, class: "pa-label",
        "font-weight": note.startsWith("=") ? "bold" : "normal" }, chart).textContent = note;
    });
    message.textContent = problem;
    const how = positions ? "with the sinusoidal position encoding added" : "without positions";
    const summary = notes.length
      ? notes.map((n) => `“${n.word}” at positions ${n.rows.join(", ")}: rows ` +
        (n.difference < 1e-9 ? "identical" : `differ by up to ${n.difference.toFixed(2)}`)).join("; ") + "."
      : "No word occurs twice; type one twice to compare its rows.";
    const shown = `Self-attention outputs of “${tokens.join(" ")}”, ${how}: ${summary}`;
    live.textContent = problem ? `${problem} Still showing the last sentence it could read. ${shown}` : shown;
  }

  root.append(row, toggle, message, chart, live);
  el.appendChild(root);
  reportCheck(root, checkError(model.get("checks"), state), "1e-9");
  drawOn(model, ["positions"], draw);
}

export default { render };

// The tiny transformer of Chapter 9 in the browser
// (paying_attention.live_widgets.TinyTransformerPlayground). The shipped weights arrive as one
// base64 string of float32 numbers; this module runs the forward pass of
// paying_attention.transformer.TinyTransformerLM on the reader's text, step for step:
//   X_0 = E[tokens] + P                                  (embedding + position encoding)
//   H   = X + MHA(LN_1(X), causal)                       (pre-LayerNorm block, Chapter 9.2)
//   Y   = H + GELU(LN_2(H) W_1 + b_1) W_2 + b_2
//   logits = LN(X_L) W_U^T + b_U                         (final norm, unembedding)
// with the attention of Chapter 6: per head, softmax(q k^T / sqrt(d_k)) over the keys j <= t.
// Then it shows the next-character probabilities, a seeded sample and every head's map.
// softmax, decodeFloat32 and the page's helpers come from common.js, which live_widgets.py puts in
// front of this file.

// ------------------------------------------------------------------------------- the model
export function decodeWeights(base64, layout) {
  const floats = decodeFloat32(base64);
  const weights = {};
  for (const [name, offset, size] of layout) weights[name] = floats.subarray(offset, offset + size);
  return weights;
}

// The exact (erf) GELU of torch.nn.functional.gelu. JavaScript has no Math.erf: a Taylor series
// for |x| < 3 and a continued fraction for erfc beyond, both good to about 1e-14.
export function erf(x) {
  const a = Math.abs(x);
  if (a < 3) {
    let term = a, sum = a;
    const x2 = a * a;
    for (let n = 1; n < 80; n++) {
      term *= -x2 / n;
      const next = term / (2 * n + 1);
      sum += next;
      if (Math.abs(next) < 1e-17 * Math.abs(sum)) break;
    }
    return Math.sign(x) * sum * 1.1283791670955126; // 2 / sqrt(pi)
  }
  if (a > 6) return Math.sign(x);
  let fraction = a; // erfc(a) = exp(-a^2) / sqrt(pi) / (a + (1/2)/(a + 1/(a + (3/2)/(a + ...))))
  for (let n = 60; n >= 1; n--) fraction = a + (n / 2) / fraction;
  const erfc = Math.exp(-a * a) / 1.7724538509055159 / fraction;
  return Math.sign(x) * (1 - erfc);
}

// erf is slow to sum: the forward pass reads it from a table on [0, 6] in steps of 1/64, with
// cubic Hermite interpolation (erf' = 2/sqrt(pi) exp(-x^2) is known): error below 1e-9.
const STEPS = 64;
const ERF_TABLE = Float64Array.from({ length: 6 * STEPS + 2 }, (_, k) => erf(k / STEPS));
const ERF_SLOPE = Float64Array.from({ length: 6 * STEPS + 2 },
  (_, k) => 1.1283791670955126 * Math.exp(-((k / STEPS) ** 2)) / STEPS);

export function erfTable(x) {
  const a = Math.abs(x);
  if (a >= 6) return Math.sign(x);
  const u = a * STEPS, k = Math.floor(u), s = u - k, s2 = s * s, s3 = s2 * s;
  const value = (2 * s3 - 3 * s2 + 1) * ERF_TABLE[k] + (s3 - 2 * s2 + s) * ERF_SLOPE[k]
    + (3 * s2 - 2 * s3) * ERF_TABLE[k + 1] + (s3 - s2) * ERF_SLOPE[k + 1];
  return x < 0 ? -value : value;
}

export const gelu = (x) => 0.5 * x * (1 + erfTable(x * Math.SQRT1_2));

function layerNorm(x, rows, d, weight, bias, out) {
  for (let t = 0; t < rows; t++) {
    const o = t * d;
    let mean = 0;
    for (let i = 0; i < d; i++) mean += x[o + i];
    mean /= d;
    let variance = 0;
    for (let i = 0; i < d; i++) variance += (x[o + i] - mean) ** 2;
    const inv = 1 / Math.sqrt(variance / d + 1e-5); // torch.nn.LayerNorm: biased variance, eps 1e-5
    for (let i = 0; i < d; i++) out[o + i] = (x[o + i] - mean) * inv * weight[i] + bias[i];
  }
  return out;
}

// out (rows, n) = x (rows, m) @ W + b, with W stored transposed, (n, m) = (out, in), so that every
// output is a dot product of two contiguous rows; blocks of four rows of x and two rows of W
// share their loads (about twice as fast in V8 as the plain triple loop).
function linear(x, rows, m, W, b, n, out) {
  let t = 0;
  for (; t + 4 <= rows; t += 4) {
    const x0 = t * m, x1 = x0 + m, x2 = x1 + m, x3 = x2 + m;
    const o0 = t * n, o1 = o0 + n, o2 = o1 + n, o3 = o2 + n;
    let j = 0;
    for (; j + 2 <= n; j += 2) {
      const wa = j * m, wb = wa + m;
      let a0 = b[j], a1 = a0, a2 = a0, a3 = a0, b0 = b[j + 1], b1 = b0, b2 = b0, b3 = b0;
      for (let i = 0; i < m; i++) {
        const u = W[wa + i], v = W[wb + i];
        const y0 = x[x0 + i], y1 = x[x1 + i], y2 = x[x2 + i], y3 = x[x3 + i];
        a0 += y0 * u; a1 += y1 * u; a2 += y2 * u; a3 += y3 * u;
        b0 += y0 * v; b1 += y1 * v; b2 += y2 * v; b3 += y3 * v;
      }
      out[o0 + j] = a0; out[o1 + j] = a1; out[o2 + j] = a2; out[o3 + j] = a3;
      out[o0 + j + 1] = b0; out[o1 + j + 1] = b1; out[o2 + j + 1] = b2; out[o3 + j + 1] = b3;
    }
    for (; j < n; j++) {
      const wa = j * m;
      let a0 = b[j], a1 = a0, a2 = a0, a3 = a0;
      for (let i = 0; i < m; i++) {
        const u = W[wa + i];
        a0 += x[x0 + i] * u; a1 += x[x1 + i] * u; a2 += x[x2 + i] * u; a3 += x[x3 + i] * u;
      }
      out[o0 + j] = a0; out[o1 + j] = a1; out[o2 + j] = a2; out[o3 + j] = a3;
    }
  }
  for (; t < rows; t++) {
    const xo = t * m;
    for (let j = 0; j < n; j++) {
      const wo = j * m;
      let s = b[j];
      for (let i = 0; i < m; i++) s += x[xo + i] * W[wo + i];
      out[t * n + j] = s;
    }
  }
  return out;
}

// The book stores W as (in, out) (x @ W); linear() wants (out, in): transpose once, at load.
function transpose(W, m, n) {
  const out = new Float32Array(m * n);
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) out[j * m + i] = W[i * n + j];
  return out;
}

export function emptyCache(config) {
  const size = config.max_length * config.d_model;
  return { length: 0, keys: Array.from({ length: config.num_layers }, () => new Float64Array(size)),
    values: Array.from({ length: config.num_layers }, () => new Float64Array(size)) };
}

// Forward pass over positions cache.length .. ids.length - 1 (all of them with a fresh cache):
// the keys and values of the earlier positions come from the cache, and those of the new ones
// are added to it. Returns the logits (rows, V) of the new positions and, if asked, every
// head's attention weights (L, H, T, T) as Float64Arrays (rows of cached positions stay 0).
export function forward(net, ids, { cache = null, weights: wantWeights = false } = {}) {
  const { d_model: d, num_heads: H, num_layers: L, d_ff: F, vocab_size: V, max_length } = net.config;
  const T = ids.length;
  if (T < 1 || T > max_length) throw new RangeError(`the model reads 1 to ${max_length} tokens, got ${T}`);
  cache = cache || emptyCache(net.config);
  const start = cache.length;
  const rows = T - start;
  const dk = d / H, scale = 1 / Math.sqrt(dk);
  const W = net.weights;
  const x = new Float64Array(rows * d);                       // the residual stream (rows, d)
  for (let r = 0; r < rows; r++) {
    const token = ids[start + r];
    for (let i = 0; i < d; i++) {
      x[r * d + i] = W.token_embedding[token * d + i] + (W.positions ? W.positions[(start + r) * d + i] : 0);
    }
  }
  const normed = new Float64Array(rows * d), q = new Float64Array(rows * d);
  const heads = new Float64Array(rows * d), update = new Float64Array(rows * d);
  const hidden = new Float64Array(rows * F), scores = new Float64Array(T);
  const maps = wantWeights ? new Float64Array(L * H * T * T) : null;
  for (let l = 0; l < L; l++) {
    const p = `blocks.${l}.`;
    const keys = cache.keys[l], values = cache.values[l];
    layerNorm(x, rows, d, W[p + "norm_attention.weight"], W[p + "norm_attention.bias"], normed);
    linear(normed, rows, d, W[p + "attention.W_Q"], W[p + "attention.b_Q"], d, q);
    linear(normed, rows, d, W[p + "attention.W_K"], W[p + "attention.b_K"], d, keys.subarray(start * d, T * d));
    linear(normed, rows, d, W[p + "attention.W_V"], W[p + "attention.b_V"], d, values.subarray(start * d, T * d));
    for (let r = 0; r < rows; r++) {
      const t = start + r;                                    // the query reads keys 0 .. t
      for (let h = 0; h < H; h++) {
        const qh = r * d + h * dk;                            // this head's d_k columns
        let max = -Infinity;
        for (let j = 0; j <= t; j++) {
          const kj = j * d + h * dk;
          let s = 0;
          for (let c = 0; c < dk; c++) s += q[qh + c] * keys[kj + c];
          s *= scale;
          scores[j] = s;
          if (s > max) max = s;
        }
        let total = 0;
        for (let j = 0; j <= t; j++) { const e = Math.exp(scores[j] - max); scores[j] = e; total += e; }
        for (let j = 0; j <= t; j++) scores[j] /= total;      // the weights, row t of the map
        if (maps) maps.set(scores.subarray(0, t + 1), ((l * H + h) * T + t) * T);
        for (let c = 0; c < dk; c++) {                        // output = weights @ values
          let sum = 0;
          for (let j = 0, vj = h * dk + c; j <= t; j++, vj += d) sum += scores[j] * values[vj];
          heads[qh + c] = sum;
        }
      }
    }
    linear(heads, rows, d, W[p + "attention.W_O"], W[p + "attention.b_O"], d, update);
    if (net.config.residual) for (let i = 0; i < rows * d; i++) x[i] += update[i];
    else x.set(update);
    layerNorm(x, rows, d, W[p + "norm_feed_forward.weight"], W[p + "norm_feed_forward.bias"], normed);
    linear(normed, rows, d, W[p + "feed_forward.W_1"], W[p + "feed_forward.b_1"], F, hidden);
    for (let i = 0; i < rows * F; i++) hidden[i] = gelu(hidden[i]);
    linear(hidden, rows, F, W[p + "feed_forward.W_2"], W[p + "feed_forward.b_2"], d, update);
    if (net.config.residual) for (let i = 0; i < rows * d; i++) x[i] += update[i];
    else x.set(update);
  }
  cache.length = T;
  layerNorm(x, rows, d, W["final_norm.weight"], W["final_norm.bias"], normed);
  const logits = linear(normed, rows, d, W["unembedding.weight"], W["unembedding.bias"], V,
    new Float64Array(rows * V));                              // nn.Linear: already (out, in) = (V, d)
  return { logits, weights: maps, rows };
}

// The seeded uniform numbers (mulberry32); TinyTransformerPlayground.continuation draws the same.
export function mulberry32(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6D2B79F5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// paying_attention.language_model.sample_next_token: inverse-CDF sampling from
// softmax(logits / temperature) in float64; temperature 0 is the argmax.
export function sampleNext(logits, temperature, uniform) {
  if (temperature === 0) {
    let best = 0;
    for (let v = 1; v < logits.length; v++) if (logits[v] > logits[best]) best = v;
    return best;
  }
  const probabilities = softmax(logits, temperature);
  const cumulative = [];
  let running = 0;
  for (const p of probabilities) { running += p; cumulative.push(running); }
  const target = uniform * running;
  const index = cumulative.findIndex((c) => c > target);
  return index === -1 ? logits.length - 1 : index;
}

// paying_attention.language_model.generate: continue ids by `length` tokens, reading the last
// max_length tokens at each step (a cache while the window does not slide).
export function generate(net, ids, length, temperature, seed) {
  const window = net.config.max_length, V = net.config.vocab_size;
  const uniform = mulberry32(seed);
  const tokens = ids.slice();
  let cache = emptyCache(net.config);
  for (let step = 0; step < length; step++) {
    let context = tokens;                                  // cached: only the new position runs
    if (tokens.length > window) {
      cache = emptyCache(net.config);                      // the window slid: positions changed
      context = tokens.slice(-window);
    }
    const { logits, rows } = forward(net, context, { cache });
    const last = logits.subarray((rows - 1) * V, rows * V);
    tokens.push(sampleNext(last, temperature, temperature === 0 ? 0 : uniform()));
  }
  return tokens.slice(ids.length);
}

export function makeNet(model) {
  const config = model.get("config"), { d_model: d, d_ff: F } = config;
  const weights = decodeWeights(model.get("weights"), model.get("weight_layout"));
  for (let l = 0; l < config.num_layers; l++) {
    for (const name of ["W_Q", "W_K", "W_V", "W_O"]) {
      weights[`blocks.${l}.attention.${name}`] = transpose(weights[`blocks.${l}.attention.${name}`], d, d);
    }
    weights[`blocks.${l}.feed_forward.W_1`] = transpose(weights[`blocks.${l}.feed_forward.W_1`], d, F);
    weights[`blocks.${l}.feed_forward.W_2`] = transpose(weights[`blocks.${l}.feed_forward.W_2`], F, d);
  }
  return { config, weights };
}

// The largest |JS - PyTorch| over the stored prompts' logits, the full pass and, for the last
// prompt, one token at a time through the cache.
export function checkError(net, checks) {
  const V = net.config.vocab_size;
  const reference = decodeFloat32(checks.logits);
  let offset = 0, error = 0;
  checks.ids.forEach((ids, k) => {
    const { logits } = forward(net, ids);
    for (let i = 0; i < logits.length; i++) error = Math.max(error, Math.abs(logits[i] - reference[offset + i]));
    if (k === checks.ids.length - 1) {
      const cache = emptyCache(net.config);
      for (let t = 1; t <= ids.length; t++) {
        const step = forward(net, ids.slice(0, t), { cache }).logits;
        for (let v = 0; v < V; v++) error = Math.max(error, Math.abs(step[v] - reference[offset + (t - 1) * V + v]));
      }
    }
    offset += ids.length * V;
  });
  return error;
}

// The time of one forward pass (with the maps) in this browser: median and fastest of `repeats`
// passes after three warm-up passes. Other programs on the machine slow the fastest one least.
export function timeForward(net, ids, repeats = 7) {
  for (let k = 0; k < 3; k++) forward(net, ids, { weights: true });   // warm up the JIT
  const times = [];
  for (let k = 0; k < repeats; k++) {
    const begin = performance.now();
    forward(net, ids, { weights: true });
    times.push(performance.now() - begin);
  }
  times.sort((a, b) => a - b);
  return { median: times[Math.floor(repeats / 2)], fastest: times[0] };
}

// ------------------------------------------------------------------------------- the page
const show = (c) => (c === " " ? "␣" : c === "\n" ? "↵" : c);
const shown = (text) => text.replace(/\n/g, "↵");

// The layout (live.css gives the colours, light and dark): a wide text box, maps in a grid.
const STYLES = {
  // Its own ground: in dark mode the theme gives .widget-subarea a light one, on which the page's
  // light text colour (--pa-text) would vanish.
  ".pa-tiny-transformer": "background-color:var(--pst-color-background, var(--jp-layout-color0, #fff)); padding:0.4em 0.6em; border-radius:4px",
  ".pa-text": "display:block; width:100%; box-sizing:border-box; font-family:monospace; font-size:0.95em; margin-top:0.2em; color:var(--pa-text); background:transparent; border:1px solid var(--pa-muted); border-radius:3px; padding:0.3em",
  ".pa-caption-block": "display:block; margin:0.5em 0 0.2em; font-size:0.9em",
  ".pa-message": "margin:0.2em 0; font-size:0.9em; color:var(--pa-text); font-weight:600; min-height:1.2em",
  ".pa-controls": "display:flex; flex-wrap:wrap; gap:0 1.5em",
  ".pa-sample": "font-family:monospace; white-space:pre-wrap; font-size:0.9em; margin:0.3em 0",
  ".pa-map-grid": "display:grid; gap:0.4em; max-width:52em",
  ".pa-map": "margin:0; text-align:center; font-size:0.8em",
  ".pa-map figcaption": "color:var(--pa-text)",
  ".pa-map canvas": "width:100%; height:auto; border:1px solid var(--pa-muted)",
};

function style(root) {
  for (const [selector, css] of Object.entries(STYLES)) {
    const nodes = root.matches(selector) ? [root] : root.querySelectorAll(selector);
    for (const node of nodes) node.style.cssText += css;
  }
}

function render({ model, el }) {
  const net = makeNet(model);
  const { vocab_size: V, num_layers: L, num_heads: H, max_length } = net.config;
  const characters = model.get("characters");
  const index = new Map(Array.from(characters, (c, i) => [c, i]));
  const colours = model.get("colormap");
  const top = model.get("top");

  const root = element("div", "pa-live pa-tiny-transformer");
  const textbox = element("textarea", "pa-text", null);
  Object.assign(textbox, { rows: 3, spellcheck: false });
  textbox.setAttribute("aria-label", "Text for the tiny transformer to read");
  textbox.dataset.paExample = "e";
  textbox.dataset.paAlternative = "CORIOLANUS:\nWhat is the";
  const textLabel = element("label", "pa-caption-block", root, `Your text (at most ${max_length} characters are read):`);
  textLabel.append(textbox);
  const message = statusMessage(root);

  element("p", "pa-caption-block", root, "Next character:");
  const barWidth = 360, barHeight = 22;
  const bars = svg("svg", { viewBox: `0 0 ${barWidth} ${top * barHeight + 4}`, width: "100%",
    role: "img", "aria-label": "The most likely next characters and their probabilities" }, root);
  bars.style.maxWidth = `${barWidth * 1.4}px`;

  const controls = element("div", "pa-controls", root);
  const temperature = rangeSlider("temperature", 0, 2, 0.1);
  const seed = rangeSlider("seed", 0, 20, 1);
  controls.append(temperature.label, seed.label);
  const sample = element("p", "pa-sample", root);

  const mapsTitle = element("p", "pa-caption-block", root,
    "Attention of every head: row = the character reading (query), column = the character read (key); brighter = more weight (0 to 1).");
  const grid = element("div", "pa-map-grid", root);
  grid.style.gridTemplateColumns = `repeat(${Math.min(H, 4)}, minmax(0, 1fr))`;
  const canvases = [];
  for (let l = 0; l < L; l++) {
    for (let h = 0; h < H; h++) {
      const figure = element("figure", "pa-map", grid);
      const canvas = element("canvas", null, figure);
      canvas.width = canvas.height = 320;              // drawn at twice its shown size: crisp
      canvas.setAttribute("role", "img");
      element("figcaption", null, figure, `Layer ${l + 1}, Head ${h + 1}`);
      canvases.push(canvas);
    }
  }
  const live = liveText(root);
  style(root);
  el.appendChild(root);

  function drawMap(canvas, weights, l, h, T, chars) {
    const context = canvas.getContext("2d");
    const size = canvas.width, margin = T <= 24 ? 24 : 0, cell = (size - margin) / T;
    context.fillStyle = "#ffffff";
    context.fillRect(0, 0, size, size);
    for (let t = 0; t < T; t++) {
      for (let j = 0; j < T; j++) {
        const w = weights[((l * H + h) * T + t) * T + j];
        context.fillStyle = j > t ? "#ffffff" : colours[Math.min(colours.length - 1, Math.floor(w * colours.length))];
        context.fillRect(margin + j * cell, margin + t * cell, Math.ceil(cell), Math.ceil(cell));
      }
    }
    if (margin) {
      context.fillStyle = "#000000";
      context.font = `${Math.min(18, Math.max(10, 0.8 * cell))}px monospace`;
      context.textAlign = "center";
      context.textBaseline = "middle";
      chars.forEach((c, t) => {
        context.fillText(show(c), margin / 2, margin + (t + 0.5) * cell);
        context.fillText(show(c), margin + (t + 0.5) * cell, margin / 2);
      });
    }
    const strongest = [];
    for (let t = 0; t < T; t++) {
      let best = 0;
      for (let j = 1; j <= t; j++) if (weights[((l * H + h) * T + t) * T + j] > weights[((l * H + h) * T + t) * T + best]) best = j;
      strongest.push(t - best);
    }
    const median = strongest.slice().sort((a, b) => a - b)[Math.floor(T / 2)];
    canvas.setAttribute("aria-label", `Layer ${l + 1}, head ${h + 1}: ${T} by ${T} map; its strongest key lies a median of ${median} characters back`);
  }

  function clearMaps() {
    for (const canvas of canvases) {
      const context = canvas.getContext("2d");
      context.fillStyle = "#ffffff";
      context.fillRect(0, 0, canvas.width, canvas.height);
      canvas.setAttribute("aria-label", "no map: no text to read");
    }
  }

  let last = null, requests = 0;
  const muted = (note) => {
    const span = element("span", null, null, note);
    span.style.color = "var(--pa-muted)";
    return span;
  };

  function say(problem) {
    last = null;
    requests++;
    message.textContent = problem;
    const settings = `temperature ${model.get("temperature").toFixed(1)}, seed ${model.get("seed")}`;
    live.textContent = `${problem} (Sampling at ${settings} once the text can be read.)`;
    bars.replaceChildren();
    sample.textContent = "";
    clearMaps();
  }

  function update() {
    const text = model.get("text");
    const tau = model.get("temperature"), s = model.get("seed");
    temperature.input.value = String(tau);
    temperature.readout.textContent = tau.toFixed(1);
    seed.input.value = String(s);
    seed.readout.textContent = String(s);
    if (textbox.value !== text) textbox.value = text;
    if (!text.length) { say("Type some text: the model needs at least one character to predict the next one."); return; }
    const unknown = [...new Set(Array.from(text).filter((c) => !index.has(c)))];
    if (unknown.length) {
      const letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
      const missing = Array.from(letters).filter((c) => !index.has(c));
      say(`The model knows only the ${V} characters of its training text (the letters${
        missing.length ? ` except ${missing.join(", ")}` : ""}, space, newline and ${
        Array.from(characters).filter((c) => !/[A-Za-z\n ]/.test(c)).join(" ")}); it cannot read ${
        unknown.map((c) => `"${c}"`).join(", ")}. Remove ${unknown.length > 1 ? "them" : "it"} to continue.`);
      return;
    }
    const read = text.slice(-max_length);
    message.textContent = text.length > max_length
      ? `The model reads at most ${max_length} characters: it reads the last ${max_length} of your ${text.length}.` : "";
    const chars = Array.from(read);
    const ids = chars.map((c) => index.get(c));
    const T = ids.length;
    if (!last || last.read !== read) {                        // the temperature and seed do not change these
      const { logits, weights } = forward(net, ids, { weights: true });
      const probabilities = softmax(logits.subarray((T - 1) * V, T * V));
      const order = probabilities.map((p, v) => [p, v]).sort((a, b) => b[0] - a[0]).slice(0, top);
      last = { read, order };
      bars.replaceChildren();
      order.forEach(([p, v], k) => {
        const y = 2 + k * barHeight;
        svg("text", { x: 28, y: y + 15, class: "pa-label", "text-anchor": "end" }, bars).textContent = show(characters[v]);
        svg("rect", { x: 34, y: y + 3, height: barHeight - 6, width: Math.max(1, p * (barWidth - 90)), class: "pa-bar pa-weight" }, bars);
        svg("text", { x: 40 + p * (barWidth - 90), y: y + 15, class: "pa-value" }, bars).textContent = p.toFixed(2);
      });
      bars.setAttribute("aria-label", `Most likely next characters: ${order.map(([p, v]) => `${show(characters[v])} ${p.toFixed(2)}`).join(", ")}`);
      canvases.forEach((canvas, k) => drawMap(canvas, weights, Math.floor(k / H), k % H, T, chars));
      root.dataset.probabilities = JSON.stringify(order.map(([p, v]) => [characters[v], p]));
    }
    const guesses = last.order.map(([p, v]) => `"${show(characters[v])}" ${p.toFixed(2)}`).join(", ");
    const heading = `Sampled at temperature ${tau.toFixed(1)}, seed ${s}: `;
    const said = `After "${shown(read.slice(-20))}" the model expects ${guesses}. ${heading}`;
    live.textContent = `${said}…`;
    sample.replaceChildren(muted(`${heading}…`));
    const request = ++requests;                               // sampling takes up to 40 passes:
    setTimeout(() => {                                        // draw the rest first, then sample
      if (request !== requests) return;                       // a newer input came meanwhile
      const continuation = generate(net, ids, model.get("length"), tau, s).map((v) => characters[v]).join("");
      sample.replaceChildren(muted(heading),
        element("span", "pa-prompt", null, shown(read.slice(-20))),
        element("strong", "pa-continuation", null, shown(continuation)));
      live.textContent = `${said}"${shown(continuation)}".`;
      root.dataset.sample = continuation;
    }, 0);
  }

  textbox.addEventListener("input", () => setTrait(model, "text", textbox.value));
  temperature.input.addEventListener("input", () => setTrait(model, "temperature", Number(temperature.input.value)));
  seed.input.addEventListener("input", () => setTrait(model, "seed", Number(seed.input.value)));
  for (const name of ["text", "temperature", "seed"]) model.on(`change:${name}`, update);

  reportCheck(root, checkError(net, model.get("checks")), "1e-4");
  const benchIds = Array.from(model.get("checks").bench_text).map((c) => index.get(c));
  const timing = timeForward(net, benchIds);                 // read by make bench
  root.dataset.forwardMs = timing.median.toFixed(2);
  root.dataset.forwardFastestMs = timing.fastest.toFixed(2);
  textbox.value = model.get("text");
  update();
}

export default { render };

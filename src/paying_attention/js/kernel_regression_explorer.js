// Nadaraya-Watson kernel regression, live (paying_attention.live_widgets.KernelRegressionExplorer),
// Chapter 2. Drag the query along the line (or focus it and press the arrow keys) and move the
// bandwidth h: the weights alpha_i(q) = softmax_i(-(q - k_i)^2 / 2h^2) over the keys and the
// estimate f(q) = sum_i alpha_i(q) v_i are recomputed here, as gaussian_kernel_weights and
// nadaraya_watson do in Python. softmax and the page's helpers come from common.js, which
// live_widgets.py puts in front of this file.

export function kernelWeights(query, keys, bandwidth) {
  return softmax(keys.map((k) => -((query - k) ** 2) / (2 * bandwidth ** 2)));
}

export function estimate(query, keys, values, bandwidth) {
  const weights = kernelWeights(query, keys, bandwidth);
  return { weights, prediction: weights.reduce((sum, w, i) => sum + w * values[i], 0) };
}

export function checkError(checks, keys, values) {
  return worstCheck(checks, (c) => {
    const { weights, prediction } = estimate(c.query, keys, values, c.bandwidth);
    return Math.max(largestDifference(weights, c.weights),
      Math.abs(prediction - c.prediction) / Math.max(1, Math.abs(c.prediction)));
  });
}

const WIDTH = 640;
const LEFT = 50;
const RIGHT = 620;
const FIT_TOP = 24;
const FIT_BOTTOM = 200;
const BARS_TOP = 222;
const BARS_BOTTOM = 300;
const HEIGHT = 340;

function render({ model, el }) {
  const [keys, values, [low, high], truth, learned] =
    traits(model, "key_points", "values", "domain", "truth", "learned_bandwidth");
  const grid = Array.from({ length: 101 }, (_, i) => low + (high - low) * i / 100);
  const ys = values.concat(truth);
  const pad = 0.1 * (Math.max(...ys) - Math.min(...ys) || 1);
  const [yLow, yHigh] = [Math.min(...ys) - pad, Math.max(...ys) + pad];
  const px = (x) => LEFT + (RIGHT - LEFT) * (x - low) / (high - low);
  const py = (y) => FIT_BOTTOM - (FIT_BOTTOM - FIT_TOP) * (y - yLow) / (yHigh - yLow);
  const step = (high - low) / 100;

  const root = element("div", "pa-live pa-kernel-regression");
  const chart = svg("svg", { viewBox: `0 0 ${WIDTH} ${HEIGHT}`, width: "100%", role: "group",
    "aria-label": "Training points, the kernel regression fit and the query; below, the weight of every key" });
  chart.style.maxWidth = `${WIDTH * 1.15}px`;
  svg("line", { x1: LEFT, x2: RIGHT, y1: FIT_BOTTOM, y2: FIT_BOTTOM, class: "pa-axis" }, chart);
  svg("line", { x1: LEFT, x2: RIGHT, y1: BARS_BOTTOM, y2: BARS_BOTTOM, class: "pa-axis" }, chart);
  svg("text", { x: 4, y: 14, class: "pa-caption" }, chart).textContent = "value";
  svg("text", { x: 4, y: BARS_TOP - 4, class: "pa-caption" }, chart).textContent = "weight α(q)";
  for (let i = 0; i <= 5; i += 1) {
    const x = low + (high - low) * i / 5;
    svg("text", { x: px(x), y: BARS_BOTTOM + 14, class: "pa-value", "text-anchor": "middle" }, chart)
      .textContent = String(Math.round(x * 100) / 100);
  }
  svg("text", { x: RIGHT, y: HEIGHT - 4, class: "pa-caption", "text-anchor": "end" }, chart)
    .textContent = "key position (drag the query ▲)";
  keys.forEach((k, i) => svg("circle", { cx: px(k), cy: py(values[i]), r: 2.6, fill: "currentColor",
    "fill-opacity": 0.45 }, chart));
  if (truth.length) {
    svg("polyline", { points: grid.map((x, i) => `${px(x)},${py(truth[i])}`).join(" "), fill: "none",
      stroke: "currentColor", "stroke-dasharray": "5 4", "stroke-width": 1, "stroke-opacity": 0.8 }, chart);
  }
  const fit = svg("polyline", { fill: "none", stroke: BLUE, "stroke-width": 2 }, chart);
  const queryLine = svg("line", { y1: FIT_TOP, y2: BARS_BOTTOM, stroke: "currentColor",
    "stroke-dasharray": "2 3", "stroke-width": 1 }, chart);
  const dot = svg("circle", { r: 6, fill: ORANGE, stroke: "currentColor", "stroke-width": 1 }, chart);
  const dotLabel = svg("text", { class: "pa-label" }, chart);
  const tallestText = svg("text", { x: RIGHT, y: BARS_TOP - 4, class: "pa-value", "text-anchor": "end" }, chart);
  const bars = keys.map((k) => svg("line", { x1: px(k), x2: px(k), y1: BARS_BOTTOM, stroke: GREEN,
    "stroke-width": 3 }, chart));
  const handle = svg("path", { fill: ORANGE, stroke: "currentColor", "stroke-width": 1.2, tabindex: 0,
    role: "slider", "aria-label": "query q (drag, or arrow keys)", "aria-valuemin": low,
    "aria-valuemax": high, style: "cursor: ew-resize" }, chart);

  const setQuery = (q) => setTrait(model, "query", clamp(q, low, high, 2));
  handle.addEventListener("keydown", (event) => {
    const delta = { ArrowRight: step, ArrowUp: step, ArrowLeft: -step, ArrowDown: -step,
      PageUp: 10 * step, PageDown: -10 * step }[event.key];
    if (delta === undefined) return;
    event.preventDefault();
    setQuery(model.get("query") + (event.shiftKey ? delta / 5 : delta));
  });
  draggable(handle, chart, (p) => setQuery(low + (high - low) * (p.x - LEFT) / (RIGHT - LEFT)));

  // The bandwidth on a log scale: from 0.02 (nearly nearest-neighbour) to 3 (nearly the mean).
  const { label: control, input: slider, readout } = rangeSlider("bandwidth h", Math.log10(0.02), Math.log10(3),
    0.01, "bandwidth h (log scale)");
  slider.addEventListener("input", () =>
    setTrait(model, "bandwidth", Math.round(10 ** Number(slider.value) * 1000) / 1000));
  const live = liveText(null);

  function draw() {
    const q = model.get("query");
    const h = model.get("bandwidth");
    const { weights, prediction } = estimate(q, keys, values, h);
    fit.setAttribute("points", grid.map((x) => `${px(x)},${py(estimate(x, keys, values, h).prediction)}`).join(" "));
    queryLine.setAttribute("x1", px(q));
    queryLine.setAttribute("x2", px(q));
    dot.setAttribute("cx", px(q));
    dot.setAttribute("cy", py(prediction));
    const right = px(q) > (LEFT + RIGHT) / 2;
    dotLabel.setAttribute("x", px(q) + (right ? -10 : 10));
    dotLabel.setAttribute("y", py(prediction) - 10);
    dotLabel.setAttribute("text-anchor", right ? "end" : "start");
    dotLabel.textContent = `f(${q.toFixed(2)}) = ${prediction.toFixed(2)}`;
    const tallest = Math.max(...weights);
    tallestText.textContent = `tallest bar: ${tallest.toFixed(2)}`;
    bars.forEach((bar, i) => bar.setAttribute("y2", BARS_BOTTOM - (BARS_BOTTOM - BARS_TOP) * weights[i] / tallest));
    const x = px(q);
    handle.setAttribute("d", `M ${x} ${BARS_BOTTOM + 2} l 9 16 l -18 0 z`);
    handle.setAttribute("aria-valuenow", q);
    handle.setAttribute("aria-valuetext", `q = ${q.toFixed(2)}`);
    slider.value = String(Math.log10(h));
    slider.setAttribute("aria-valuetext", `h = ${h.toFixed(2)}`);
    readout.textContent = `${h.toFixed(2)} (temperature 2h² = ${(2 * h * h).toFixed(3)})` +
      (learned ? `; learned bandwidth: ${learned.toFixed(2)}` : "");
    const order = weights.map((w, i) => i).sort((a, b) => weights[b] - weights[a]).slice(0, 3);
    const top = order.map((i) => `key ${keys[i].toFixed(2)} (value ${values[i].toFixed(2)}) ${weights[i].toFixed(2)}`);
    live.textContent = `Bandwidth h = ${h.toFixed(2)} (softmax temperature 2h² = ${(2 * h * h).toFixed(2)}), ` +
      `query q = ${q.toFixed(2)}: prediction ${prediction.toFixed(2)}. The largest attention weights ` +
      `(bars scaled to the tallest): ${top.join(", ")}.`;
    root.dataset.weights = JSON.stringify(weights);
  }

  root.append(chart, control, live);
  el.appendChild(root);
  reportCheck(root, checkError(model.get("checks"), keys, values), "1e-9");
  drawOn(model, ["query", "bandwidth"], draw);
}

export default { render };

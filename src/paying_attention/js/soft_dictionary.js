// A dictionary that blends its answers (paying_attention.live_widgets.SoftDictionary), the tour.
// Drag the query (or focus it and press the arrow keys) and move the temperature: the scores
// (query . key), their softmax weights (common.js's softmax) and the blended answer
// sum_j w_j v_j are recomputed here.

export function lookup(query, keys, values, temperature) {
  const scores = keys.map((k) => k[0] * query[0] + k[1] * query[1]);
  const weights = softmax(scores, temperature);
  const answer = weights.reduce((sum, w, j) => sum + w * values[j], 0);
  return { scores, weights, answer };
}

export function checkError(checks, keys, values) {
  return worstCheck(checks, (c) => {
    const { weights, answer } = lookup(c.query, keys, values, c.temperature);
    return Math.max(largestDifference(weights, c.weights), Math.abs(answer - c.answer) / Math.max(1, Math.abs(c.answer)));
  });
}

const LIMIT = 3;
const SCALE = 45;
const PLANE = 2 * LIMIT * SCALE + 40;

const px = (v) => 20 + (v + LIMIT) * SCALE;
const py = (v) => 20 + (LIMIT - v) * SCALE;
const onPlane = (v) => clamp(v, -LIMIT, LIMIT, 1);
const number = (v) => (Number.isInteger(v) ? String(v) : String(Math.round(v * 100) / 100));

function render({ model, el }) {
  const [keys, labels, values, unit] = traits(model, "key_points", "labels", "values", "unit");
  const n = keys.length;
  const barsWidth = 40 + 60 * n;
  const width = PLANE + barsWidth;

  const root = element("div", "pa-live pa-soft-dictionary");
  keepPageGround(root);
  const chart = svg("svg", { viewBox: `0 0 ${width} ${PLANE}`, width: "100%", role: "group",
    "aria-label": "Keys in the plane and a query to drag; bars show the weight of each key" });
  chart.style.maxWidth = `${width * 1.2}px`;
  planeGrid(chart, px, py, LIMIT, 0.15);

  keys.forEach((k) => svg("line", { x1: px(0), y1: py(0), x2: px(k[0]), y2: py(k[1]), stroke: BLUE,
    "stroke-width": 2, "stroke-opacity": 0.6 }, chart));
  const queryArrow = svg("line", { x1: px(0), y1: py(0), stroke: ORANGE, "stroke-width": 2,
    "stroke-dasharray": "5 3" }, chart);
  const links = keys.map((k) => svg("line", { x2: px(k[0]), y2: py(k[1]), stroke: ORANGE,
    "stroke-linecap": "round" }, chart));
  keys.forEach((k, j) => {
    svg("circle", { cx: px(k[0]), cy: py(k[1]), r: 7, fill: BLUE }, chart);
    const length = Math.hypot(k[0], k[1]) || 1;   // the label outside the tip, away from the origin
    svg("text", { x: px(k[0]) + (18 * k[0]) / length, y: py(k[1]) - (18 * k[1]) / length + 4,
      class: "pa-label", "text-anchor": k[0] < 0 ? "end" : "start" }, chart)
      .textContent = `${labels[j]}: ${number(values[j])}`;
  });
  const handle = svg("rect", { width: 18, height: 18, fill: ORANGE, stroke: "currentColor",
    "stroke-width": 1.5, tabindex: 0, role: "slider", "aria-label": "query (drag, or arrow keys)",
    "aria-valuemin": -LIMIT, "aria-valuemax": LIMIT, style: "cursor: move" }, chart);
  const handleLabel = svg("text", { class: "pa-label" }, chart);
  handleLabel.textContent = "query";

  // The weights, one bar per key, right of the plane.
  const barTop = 40, barHeight = PLANE - 110;
  const left = PLANE + 30;
  svg("text", { x: left, y: 20, class: "pa-caption" }, chart).textContent = "weights";
  svg("line", { x1: left, x2: width - 10, y1: barTop + barHeight, y2: barTop + barHeight, class: "pa-axis" }, chart);
  const bars = labels.map((label, j) => {
    const x = left + 10 + 60 * j;
    svg("text", { x: x + 20, y: barTop + barHeight + 16, class: "pa-label", "text-anchor": "middle" }, chart)
      .textContent = label;
    return { rect: svg("rect", { x, width: 40, fill: ORANGE }, chart),
             text: svg("text", { x: x + 20, class: "pa-value", "text-anchor": "middle" }, chart) };
  });
  const answerText = svg("text", { x: left, y: PLANE - 20, class: "pa-caption", "font-weight": "bold" }, chart);

  const setQuery = (q) => setTrait(model, "query", [onPlane(q[0]), onPlane(q[1])]);
  planeKeys(handle, (delta) => {
    const q = model.get("query");
    setQuery([q[0] + delta[0], q[1] + delta[1]]);
  });
  draggable(handle, chart, (p) => setQuery([(p.x - 20) / SCALE - LIMIT, LIMIT - (p.y - 20) / SCALE]));

  const { label: control, input: slider, readout } = rangeSlider("temperature", 0.1, 5, 0.1);
  slider.addEventListener("input", () => setTrait(model, "temperature", Number(slider.value)));
  const live = liveText(null);

  function draw() {
    const q = model.get("query");
    const temperature = model.get("temperature");
    const { weights, answer } = lookup(q, keys, values, temperature);
    handle.setAttribute("x", px(q[0]) - 9);
    handle.setAttribute("y", py(q[1]) - 9);
    handle.setAttribute("aria-valuenow", q[0]);
    handle.setAttribute("aria-valuetext", `x ${q[0].toFixed(1)}, y ${q[1].toFixed(1)}`);
    queryArrow.setAttribute("x2", px(q[0]));
    queryArrow.setAttribute("y2", py(q[1]));
    handleLabel.setAttribute("x", px(q[0]) + 12);
    handleLabel.setAttribute("y", py(q[1]) + 20);
    links.forEach((line, j) => {
      line.setAttribute("x1", px(q[0]));
      line.setAttribute("y1", py(q[1]));
      line.setAttribute("stroke-width", 0.5 + 9 * weights[j]);
      line.setAttribute("stroke-opacity", 0.25 + 0.75 * weights[j]);
    });
    bars.forEach((bar, j) => {
      const h = Math.max(1, barHeight * weights[j]);
      bar.rect.setAttribute("y", barTop + barHeight - h);
      bar.rect.setAttribute("height", h);
      bar.text.setAttribute("y", barTop + barHeight - h - 4);
      bar.text.textContent = weights[j].toFixed(2);
    });
    const suffix = unit ? ` ${unit}` : "";
    answerText.textContent = `blended answer: ${answer.toFixed(1)}${suffix}`;
    slider.value = String(temperature);
    readout.textContent = temperature.toFixed(1);
    const parts = labels.map((label, j) => `${label} (value ${number(values[j])}) weight ${weights[j].toFixed(2)}`);
    live.textContent = `Query at (${q[0].toFixed(1)}, ${q[1].toFixed(1)}), temperature ${temperature.toFixed(1)}: ` +
      `${parts.join(", ")}. Blended answer: ${answer.toFixed(1)}${suffix}.`;
    root.dataset.weights = JSON.stringify(weights);
  }

  root.append(chart, control, live);
  el.appendChild(root);
  reportCheck(root, checkError(model.get("checks"), keys, values), "1e-6");
  drawOn(model, ["query", "temperature"], draw);
}

export default { render };

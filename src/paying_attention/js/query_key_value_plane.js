// Queries, keys and values in the plane (paying_attention.live_widgets.QueryKeyValuePlane),
// Chapter 3. Drag the query (or focus it and press the arrow keys), tick keys off the mask and
// switch the division by sqrt(d_k): the scores q . k_j / sqrt(d_k), their softmax weights and the
// output sum_j w_j v_j are recomputed here, as scaled_dot_product_attention does in Python. A
// masked key gets the score -infinity and weight 0; with every key masked, every weight is 0 and
// the output is the zero vector (the package's convention, and PyTorch's). softmax and the page's
// helpers come from common.js, which live_widgets.py puts in front of this file.

export function attend(query, keys, values, mask, scaled) {
  const scale = scaled ? 1 / Math.sqrt(query.length) : 1;  // d_k = 2 here
  const scores = keys.map((k, j) => (mask[j] ? (k[0] * query[0] + k[1] * query[1]) * scale : -Infinity));
  if (!mask.some(Boolean)) {
    return { scores, weights: keys.map(() => 0), output: values[0].map(() => 0) };
  }
  const weights = softmax(scores);                          // a finite score exists; exp(-inf) = 0
  const output = values[0].map((_, c) => weights.reduce((sum, w, j) => sum + w * values[j][c], 0));
  return { scores, weights, output };
}

export function checkError(checks, keys, values) {
  return worstCheck(checks, (c) => {
    const { weights, output } = attend(c.query, keys, values, c.mask, c.scaled);
    return Math.max(largestDifference(weights, c.weights), largestDifference(output, c.output));
  });
}

const LIMIT = 3;
const SCALE = 40;
const PLANE = 2 * LIMIT * SCALE + 40;
const GAP = 30;
let instances = 0;
const onPlane = (v) => clamp(v, -LIMIT, LIMIT, 1);

function render({ model, el }) {
  const [keys, values, labels] = traits(model, "key_points", "value_points", "labels");
  const id = `pa-qkv-${(instances += 1)}`;
  const width = 2 * PLANE + GAP;

  const root = element("div", "pa-live pa-qkv-plane");
  const chart = svg("svg", { viewBox: `0 0 ${width} ${PLANE + 16}`, width: "100%", role: "group",
    "aria-label": "Left: the query (drag it) and the keys. Right: the values and the output, their weighted average" });
  chart.style.maxWidth = `${width * 1.2}px`;
  const defs = svg("defs", {}, chart);
  for (const [name, colour] of [["blue", BLUE], ["orange", ORANGE], ["green", GREEN]]) {
    const marker = svg("marker", { id: `${id}-${name}`, viewBox: "0 0 10 10", refX: 8, refY: 5,
      markerUnits: "userSpaceOnUse", markerWidth: 12, markerHeight: 12, orient: "auto-start-reverse" }, defs);
    svg("path", { d: "M 0 0 L 10 5 L 0 10 z", fill: colour }, marker);
  }
  const planes = [0, PLANE + GAP].map((offset, index) => {
    const px = (v) => offset + 20 + (v + LIMIT) * SCALE;
    const py = (v) => 20 + (LIMIT - v) * SCALE;
    planeGrid(chart, px, py, LIMIT, 0.12);
    svg("text", { x: px(-LIMIT), y: PLANE + 12, class: "pa-caption" }, chart).textContent =
      index === 0 ? "query q and keys k" : "values v and the output Σ w v";
    return { px, py };
  });
  const [left, right] = planes;
  const arrow = (plane, colour, parent) => svg("line", { x1: plane.px(0), y1: plane.py(0),
    stroke: colour, "stroke-linecap": "round", "marker-end": `url(#${id}-${colour === BLUE ? "blue" : colour === GREEN ? "green" : "orange"})` }, parent);
  const keyArrows = keys.map((k) => {
    const line = arrow(left, BLUE, chart);
    line.setAttribute("x2", left.px(k[0]));
    line.setAttribute("y2", left.py(k[1]));
    line.setAttribute("stroke-width", 2.5);
    return { line, text: svg("text", { x: left.px(k[0] * 1.12) - 8, y: left.py(k[1] * 1.12) + 4, class: "pa-label" }, chart) };
  });
  const valueArrows = values.map((v, j) => {
    const line = arrow(right, GREEN, chart);
    line.setAttribute("x2", right.px(v[0]));
    line.setAttribute("y2", right.py(v[1]));
    const text = svg("text", { x: right.px(v[0] * 1.12) - 8, y: right.py(v[1] * 1.12) + 4, class: "pa-label" }, chart);
    text.textContent = `v ${labels[j]}`;
    return { line, text };
  });
  const queryArrow = arrow(left, ORANGE, chart);
  queryArrow.setAttribute("stroke-width", 3);
  const handle = svg("circle", { r: 9, fill: ORANGE, "fill-opacity": 0.35, stroke: ORANGE, "stroke-width": 2,
    tabindex: 0, role: "slider", "aria-label": "query q (drag, or arrow keys)", "aria-valuemin": -LIMIT,
    "aria-valuemax": LIMIT, style: "cursor: move" }, chart);
  const queryText = svg("text", { class: "pa-label", "font-weight": "bold" }, chart);
  const outputArrow = arrow(right, ORANGE, chart);
  outputArrow.setAttribute("stroke-width", 3.5);
  const outputDot = svg("circle", { r: 5, fill: ORANGE }, chart);
  const outputText = svg("text", { class: "pa-label", "font-weight": "bold" }, chart);

  const setQuery = (q) => setTrait(model, "query", [onPlane(q[0]), onPlane(q[1])]);
  planeKeys(handle, (delta) => {
    const q = model.get("query");
    setQuery([q[0] + delta[0], q[1] + delta[1]]);
  });
  draggable(handle, chart, (p) => setQuery([(p.x - 20) / SCALE - LIMIT, LIMIT - (p.y - 20) / SCALE]));

  // The table: one row per key, its mask checkbox, score and weight.
  const table = document.createElement("table");
  table.className = "pa-qkv-table";
  table.innerHTML = "<thead><tr><th scope='col'>key</th><th scope='col'>may attend</th>" +
    "<th scope='col'>score</th><th scope='col'>weight</th></tr></thead>";
  const body = document.createElement("tbody");
  table.appendChild(body);
  const rows = labels.map((label, j) => {
    const row = document.createElement("tr");
    const name = document.createElement("th");
    name.scope = "row";
    name.textContent = `${label} (${keys[j][0]}, ${keys[j][1]})`;
    const boxCell = document.createElement("td");
    const box = document.createElement("input");
    box.type = "checkbox";
    box.setAttribute("aria-label", `key ${label} may be attended to (unticked: masked)`);
    box.addEventListener("change", () => {
      const mask = model.get("mask").slice();
      mask[j] = box.checked;
      setTrait(model, "mask", mask);
    });
    boxCell.appendChild(box);
    const score = document.createElement("td");
    const weight = document.createElement("td");
    const bar = document.createElement("span");
    bar.className = "pa-qkv-bar";
    Object.assign(bar.style, { display: "inline-block", height: "0.8em", background: ORANGE,
      marginRight: "0.4em", verticalAlign: "middle" });
    const weightText = document.createElement("span");
    weight.append(bar, weightText);
    row.append(name, boxCell, score, weight);
    body.appendChild(row);
    return { box, score, bar, weightText };
  });

  const { label: toggle, box: scaledBox } = checkbox("divide the scores by √d_k = √2",
    "divide the scores by the square root of d_k");
  scaledBox.addEventListener("change", () => setTrait(model, "scaled", scaledBox.checked));
  const live = liveText(null);

  function draw() {
    const q = model.get("query");
    const mask = model.get("mask");
    const scaled = model.get("scaled");
    const { scores, weights, output } = attend(q, keys, values, mask, scaled);
    queryArrow.setAttribute("x2", left.px(q[0]));
    queryArrow.setAttribute("y2", left.py(q[1]));
    handle.setAttribute("cx", left.px(q[0]));
    handle.setAttribute("cy", left.py(q[1]));
    handle.setAttribute("aria-valuenow", q[0]);
    handle.setAttribute("aria-valuetext", `x ${q[0].toFixed(1)}, y ${q[1].toFixed(1)}`);
    queryText.setAttribute("x", left.px(q[0]) + 12);
    queryText.setAttribute("y", left.py(q[1]) - 10);
    queryText.textContent = "q";
    keyArrows.forEach((a, j) => {
      a.line.setAttribute("stroke-opacity", mask[j] ? 1 : 0.3);
      a.line.setAttribute("stroke-dasharray", mask[j] ? "" : "4 4");
      a.text.textContent = mask[j] ? `${labels[j]} ${weights[j].toFixed(2)}` : `${labels[j]} masked`;
    });
    valueArrows.forEach((a, j) => {
      a.line.setAttribute("stroke-width", 1 + 6 * weights[j]);
      a.line.setAttribute("stroke-opacity", mask[j] ? 0.35 + 0.65 * weights[j] : 0.2);
    });
    outputArrow.setAttribute("x2", right.px(output[0]));
    outputArrow.setAttribute("y2", right.py(output[1]));
    const zero = output[0] === 0 && output[1] === 0;
    outputArrow.setAttribute("visibility", zero ? "hidden" : "visible");
    outputDot.setAttribute("cx", right.px(output[0]));
    outputDot.setAttribute("cy", right.py(output[1]));
    outputText.setAttribute("x", right.px(output[0]) - 10);
    outputText.setAttribute("y", right.py(output[1]) - 8);
    outputText.setAttribute("text-anchor", "end");
    outputText.textContent = zero ? "output = 0" : "output";
    rows.forEach((row, j) => {
      row.box.checked = mask[j];
      row.score.textContent = mask[j] ? scores[j].toFixed(2) : "−∞ (masked)";
      row.bar.style.width = `${(60 * weights[j]).toFixed(1)}px`;
      row.weightText.textContent = weights[j].toFixed(2);
    });
    scaledBox.checked = scaled;
    const how = scaled ? "q·k/√2" : "q·k (not divided by √d_k)";
    const parts = labels.map((label, j) => (mask[j]
      ? `${label} score ${scores[j].toFixed(2)} weight ${weights[j].toFixed(2)}` : `${label} masked, weight 0`));
    const result = mask.some(Boolean)
      ? `Output, the weighted average of the values: (${output[0].toFixed(2)}, ${output[1].toFixed(2)}).`
      : "Every key is masked: all weights are 0 and the output is the zero vector.";
    live.textContent = `Query (${q[0].toFixed(1)}, ${q[1].toFixed(1)}), scores ${how}: ${parts.join(", ")}. ${result}`;
    root.dataset.weights = JSON.stringify(weights);
  }

  root.append(chart, toggle, table, live);
  el.appendChild(root);
  reportCheck(root, checkError(model.get("checks"), keys, values), "1e-9");
  drawOn(model, ["query", "mask", "scaled"], draw);
}

export default { render };

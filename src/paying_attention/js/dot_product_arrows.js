// Two arrows and their dot product (paying_attention.live_widgets.DotProductArrows), the tour.
// Drag an arrow's tip (or focus it and press the arrow keys): a.b = a1*b1 + a2*b2 and the angle
// between the arrows are recomputed here in the browser. The page's helpers come from common.js,
// which live_widgets.py puts in front of this file.

export function relation(a, b) {
  const dot = a[0] * b[0] + a[1] * b[1];
  const lengths = Math.hypot(a[0], a[1]) * Math.hypot(b[0], b[1]);
  if (lengths === 0) return { dot, angle: null };
  const cosine = Math.max(-1, Math.min(1, dot / lengths));
  return { dot, angle: (Math.acos(cosine) * 180) / Math.PI };
}

export function describe(a, b) {
  const { dot, angle } = relation(a, b);
  const f = (v) => v.toFixed(1);
  const g = (v) => (v < 0 ? `(${f(v)})` : f(v));   // 2.0×(-0.5)
  const text = `Two arrows from the origin: a = (${f(a[0])}, ${f(a[1])}) and b = (${f(b[0])}, ${f(b[1])}). ` +
    `Dot product a·b = ${g(a[0])}×${g(b[0])} + ${g(a[1])}×${g(b[1])} = ${dot.toFixed(2)}`;
  if (angle === null) return `${text}; an arrow of length 0 has no direction.`;
  const verdict = angle < 60 ? "they point the same way"
    : angle <= 120 ? "they are nearly at right angles" : "they point apart";
  return `${text}; the angle between them is ${angle.toFixed(0)} degrees: ${verdict}.`;
}

// The largest difference between this file's numbers and the Python reference cases.
export function checkError(checks) {
  return worstCheck(checks, (c) => {
    const { dot, angle } = relation(c.first, c.second);
    if ((angle === null) !== (c.angle === null)) return Infinity;
    return Math.max(Math.abs(dot - c.dot), angle === null ? 0 : Math.abs(angle - c.angle));
  });
}

const LIMIT = 3;
const SCALE = 50;                       // pixels per unit
const SIZE = 2 * LIMIT * SCALE + 40;     // the plane with a 20 px margin
const COLOURS = { first: BLUE, second: ORANGE };

const px = (v) => 20 + (v + LIMIT) * SCALE;    // x coordinate -> pixels
const py = (v) => 20 + (LIMIT - v) * SCALE;    // y coordinate -> pixels (up is positive)
const onPlane = (v) => clamp(v, -LIMIT, LIMIT, 1);

function render({ model, el }) {
  const root = element("div", "pa-live pa-arrows");
  keepPageGround(root);
  const chart = svg("svg", { viewBox: `0 0 ${SIZE} ${SIZE}`, width: "100%", role: "group",
    "aria-label": "Two arrows in the plane; drag a tip or use the arrow keys" });
  chart.style.maxWidth = `${SIZE}px`;
  planeGrid(chart, px, py, LIMIT, 0.15);
  const arc = svg("path", { fill: "none", class: "pa-axis", "stroke-dasharray": "3 2" }, chart);
  const readout = svg("text", { x: 26, y: 40, class: "pa-caption", "font-size": 15, "font-weight": "bold" }, chart);
  const defs = svg("defs", {}, chart);

  const arrows = {};
  for (const [name, label] of [["first", "a"], ["second", "b"]]) {
    const marker = svg("marker", { id: `pa-head-${name}-${Math.random().toString(36).slice(2)}`,
      viewBox: "0 0 10 10", refX: 8, refY: 5, markerWidth: 6, markerHeight: 6, orient: "auto-start-reverse" }, defs);
    svg("path", { d: "M 0 0 L 10 5 L 0 10 z", fill: COLOURS[name] }, marker);
    const line = svg("line", { x1: px(0), y1: py(0), stroke: COLOURS[name], "stroke-width": 4,
      "marker-end": `url(#${marker.id})` }, chart);
    const handle = svg("circle", { r: 11, fill: COLOURS[name], "fill-opacity": 0.25, stroke: COLOURS[name],
      "stroke-width": 2, tabindex: 0, role: "slider", "aria-label": `tip of arrow ${label}`,
      "aria-valuemin": -LIMIT, "aria-valuemax": LIMIT, style: "cursor: move" }, chart);
    const text = svg("text", { class: "pa-label", "font-weight": "bold" }, chart);
    text.textContent = label;
    arrows[name] = { line, handle, text };

    const move = (point) => setTrait(model, name, [onPlane(point[0]), onPlane(point[1])]);
    planeKeys(handle, (delta) => {
      const at = model.get(name);
      move([at[0] + delta[0], at[1] + delta[1]]);
    });
    draggable(handle, chart, (point) => move([(point.x - 20) / SCALE - LIMIT, LIMIT - (point.y - 20) / SCALE]));
  }

  const live = liveText(null);

  function draw() {
    const a = model.get("first");
    const b = model.get("second");
    for (const [name, tip] of [["first", a], ["second", b]]) {
      const { line, handle, text } = arrows[name];
      line.setAttribute("x2", px(tip[0]));
      line.setAttribute("y2", py(tip[1]));
      handle.setAttribute("cx", px(tip[0]));
      handle.setAttribute("cy", py(tip[1]));
      handle.setAttribute("aria-valuenow", tip[0]);
      handle.setAttribute("aria-valuetext", `x ${tip[0].toFixed(1)}, y ${tip[1].toFixed(1)}`);
      const length = Math.hypot(tip[0], tip[1]) || 1;
      text.setAttribute("x", px(tip[0]) + (24 * tip[0]) / length - 4);
      text.setAttribute("y", py(tip[1]) - (24 * tip[1]) / length + 5);
    }
    const { dot, angle } = relation(a, b);
    readout.textContent = `a·b = ${dot.toFixed(2)}` + (angle === null ? "" : `, angle ${angle.toFixed(0)}°`);
    if (angle === null) {
      arc.setAttribute("d", "");
    } else {   // an arc of radius 30 px from a's direction to b's, the short way round
      const start = Math.atan2(a[1], a[0]);
      let turn = Math.atan2(b[1], b[0]) - start;
      turn = Math.atan2(Math.sin(turn), Math.cos(turn));
      const r = 30;
      const x1 = px(0) + r * Math.cos(start), y1 = py(0) - r * Math.sin(start);
      const x2 = px(0) + r * Math.cos(start + turn), y2 = py(0) - r * Math.sin(start + turn);
      arc.setAttribute("d", `M ${x1} ${y1} A ${r} ${r} 0 0 ${turn > 0 ? 0 : 1} ${x2} ${y2}`);
    }
    live.textContent = describe(a, b);
  }

  root.append(chart, live);
  el.appendChild(root);
  reportCheck(root, checkError(model.get("checks")), "1e-6");
  drawOn(model, ["first", "second"], draw);
}

export default { render };

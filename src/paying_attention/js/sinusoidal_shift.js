// A shift is a rotation (paying_attention.live_widgets.SinusoidalShift), Chapter 5. Pick a
// position p and a shift k: pair i of the sinusoidal encoding, (sin p w_i, cos p w_i) with
// w_i = base^(-2i/d), is a point on the unit circle, and moving to p + k turns it by k w_i,
// whatever p is. The encoding is computed here as sinusoidal_encoding does in Python. The page's
// helpers come from common.js, which live_widgets.py puts in front of this file.

export function frequencies(dModel, base) {
  return Array.from({ length: dModel / 2 }, (_, i) => base ** (-(2 * i) / dModel));
}

export function encoding(position, dModel, base) {
  const row = [];
  for (const w of frequencies(dModel, base)) row.push(Math.sin(position * w), Math.cos(position * w));
  return row;
}

export function checkError(checks, dModel, base) {
  return worstCheck(checks, (c) => largestDifference(encoding(c.position, dModel, base), c.encoding));
}

const CELL = 130;
const RADIUS = 44;
const degrees = (radians) => radians * 180 / Math.PI;
const turnText = (radians) => {
  const d = degrees(radians);
  return d < 360 ? `${d.toFixed(1)}°` : `${d.toFixed(0)}° (${(d / 360).toFixed(2)} turns)`;
};

function render({ model, el }) {
  const [dModel, base, maxPosition] = traits(model, "d_model", "base", "max_position");
  const omegas = frequencies(dModel, base);
  const pairs = omegas.length;
  const width = CELL * pairs;
  const height = CELL + 44;

  const root = element("div", "pa-live pa-sinusoidal-shift");
  const controls = [["position", "position p"], ["shift", "shift k"]].map(([name, text]) => {
    const label = document.createElement("label");
    label.className = "pa-control";
    const caption = document.createElement("span");
    caption.textContent = text;
    caption.style.minWidth = "6.5em";
    label.appendChild(caption);
    const slider = document.createElement("input");
    Object.assign(slider, { type: "range", min: "0", max: String(maxPosition), step: "1" });
    slider.setAttribute("aria-label", text);
    const readout = document.createElement("output");
    label.append(slider, readout);
    slider.addEventListener("input", () => setTrait(model, name, Number(slider.value)));
    return { name, slider, readout, label };
  });

  const chart = svg("svg", { viewBox: `0 0 ${width} ${height}`, width: "100%", role: "img",
    "aria-label": "One unit circle per pair of dimensions: the pair at position p and at p + k" });
  chart.style.maxWidth = `${width * 1.2}px`;
  const circles = omegas.map((w, i) => {
    const cx = CELL * i + CELL / 2;
    const cy = 24 + CELL / 2 - 6;
    svg("circle", { cx, cy, r: RADIUS, fill: "none", stroke: "currentColor", "stroke-opacity": 0.35 }, chart);
    svg("line", { x1: cx, x2: cx, y1: cy - RADIUS - 4, y2: cy + RADIUS + 4, class: "pa-axis", "stroke-opacity": 0.4 }, chart);
    svg("line", { x1: cx - RADIUS - 4, x2: cx + RADIUS + 4, y1: cy, y2: cy, class: "pa-axis", "stroke-opacity": 0.4 }, chart);
    svg("text", { x: cx, y: 14, class: "pa-caption", "text-anchor": "middle" }, chart)
      .textContent = `pair ${i}: dims ${2 * i}, ${2 * i + 1}`;
    const arc = svg("path", { fill: "none", stroke: ORANGE, "stroke-width": 3, "stroke-opacity": 0.6 }, chart);
    const from = svg("line", { x1: cx, y1: cy, stroke: BLUE, "stroke-width": 2 }, chart);
    const to = svg("line", { x1: cx, y1: cy, stroke: ORANGE, "stroke-width": 2 }, chart);
    const start = svg("circle", { r: 6, fill: BLUE }, chart);
    const end = svg("rect", { width: 10, height: 10, fill: ORANGE }, chart);
    const turn = svg("text", { x: cx, y: cy + RADIUS + 22, class: "pa-value", "text-anchor": "middle" }, chart);
    const freq = svg("text", { x: cx, y: cy + RADIUS + 38, class: "pa-value", "text-anchor": "middle" }, chart);
    freq.textContent = `ω = ${w < 0.01 ? w.toExponential(1) : w.toPrecision(2)}`;
    return { cx, cy, arc, from, to, start, end, turn };
  });
  const legend = document.createElement("p");
  legend.className = "pa-caption";
  legend.style.margin = "0.2em 0";

  const live = liveText(null);

  function draw() {
    const p = model.get("position");
    const k = model.get("shift");
    const here = encoding(p, dModel, base);
    const there = encoding(p + k, dModel, base);
    circles.forEach((c, i) => {
      // (sin, cos) as (x, y): position 0 is at the top, and positions turn clockwise.
      const point = (row) => [c.cx + RADIUS * row[2 * i], c.cy - RADIUS * row[2 * i + 1]];
      const [x1, y1] = point(here);
      const [x2, y2] = point(there);
      c.from.setAttribute("x2", x1); c.from.setAttribute("y2", y1);
      c.to.setAttribute("x2", x2); c.to.setAttribute("y2", y2);
      c.start.setAttribute("cx", x1); c.start.setAttribute("cy", y1);
      c.end.setAttribute("x", x2 - 5); c.end.setAttribute("y", y2 - 5);
      const angle = k * omegas[i];
      const wrapped = angle % (2 * Math.PI);
      const r = RADIUS + 7;
      const a1 = p * omegas[i];
      const a2 = a1 + wrapped;
      const large = wrapped > Math.PI ? 1 : 0;
      c.arc.setAttribute("d", wrapped < 1e-9 ? "" : `M ${c.cx + r * Math.sin(a1)} ${c.cy - r * Math.cos(a1)} ` +
        `A ${r} ${r} 0 ${large} 1 ${c.cx + r * Math.sin(a2)} ${c.cy - r * Math.cos(a2)}`);
      c.turn.textContent = `turns ${turnText(angle)}`;
    });
    controls.forEach((c) => {
      const value = model.get(c.name);
      c.slider.value = String(value);
      c.readout.textContent = c.name === "position" ? `${value}` : `${value} (to position ${p + k})`;
    });
    const similarity = here.reduce((sum, v, j) => sum + v * there[j], 0);
    const cosines = omegas.reduce((sum, w) => sum + Math.cos(k * w), 0);
    legend.textContent = `● position ${p}   ■ position ${p + k}.  PE_p · PE_(p+k) = ${similarity.toFixed(2)} ` +
      `= Σ cos(k ω_i) = ${cosines.toFixed(2)}: it depends on k alone, not on p.`;
    const turns = omegas.map((w, i) => `pair ${i} by ${degrees(k * w).toFixed(1)}°`).join(", ");
    live.textContent = `Shifting position p = ${p} by k = ${k} to ${p + k} turns ${turns}; the turns ` +
      `do not depend on p, so PE_p · PE_(p+k) = ${similarity.toFixed(2)} for every p.`;
  }

  root.append(...controls.map((c) => c.label), chart, legend, live);
  el.appendChild(root);
  reportCheck(root, checkError(model.get("checks"), dModel, base), "1e-9");
  drawOn(model, ["position", "shift"], draw);
}

export default { render };

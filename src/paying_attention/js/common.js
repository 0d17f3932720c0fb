// What the live widgets' modules share (paying_attention.live_widgets). live_widgets.py puts this
// file's source in front of each widget's own file, and that one string is the widget's _esm: so
// every name declared here is a name of every widget module (exported, for the Node.js tests
// too), and a widget's file must not declare it again.

// ------------------------------------------------------------------------------- maths
// softmax(scores / temperature), shifted by the largest score so that exp cannot overflow
// (Chapter 2). A score of -Infinity (a masked key) gets weight 0; `scores` may be a typed array.
export function softmax(scores, temperature = 1) {
  const scaled = Array.from(scores, (s) => s / temperature);
  const max = Math.max(...scaled);
  const exps = scaled.map((s) => Math.exp(s - max));
  const total = exps.reduce((a, b) => a + b, 0);
  return exps.map((e) => e / total);
}

// A sentence's words, lower case, without the punctuation around them.
export function words(sentence) {
  return sentence.split(/\s+/).map((w) => w.replace(/^[.,!?;:]+|[.,!?;:]+$/g, "").toLowerCase())
    .filter((w) => w.length > 0);
}

// Little-endian float32 numbers sent as one base64 string (as the Python side exports them).
export function decodeFloat32(base64) {
  const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
  return new Float32Array(bytes.buffer);
}

// `value` kept within [low, high] and rounded to `decimals` places: a dragged point lands on the
// grid its slider or keys use.
export function clamp(value, low, high, decimals) {
  const unit = 10 ** decimals;
  return Math.round(Math.max(low, Math.min(high, value)) * unit) / unit;
}

// ------------------------------------------------------------------------------- self-checks
// Each widget recomputes the Python side's reference cases on render and reports its largest
// difference (root.dataset.checkError), which the browser tests compare with checkTolerance.

// The largest |computed - expected| over two numbers or two arrays of the same shape.
export function largestDifference(computed, expected) {
  if (typeof computed === "number") return Math.abs(computed - expected);
  return Array.from(computed).reduce((worst, value, i) => Math.max(worst, largestDifference(value, expected[i])), 0);
}

// The largest error(check) over the reference cases.
export function worstCheck(checks, error) {
  return checks.reduce((worst, check) => Math.max(worst, error(check)), 0);
}

export function reportCheck(root, error, tolerance) {
  root.dataset.checkError = String(error);
  root.dataset.checkTolerance = tolerance;
}

// ------------------------------------------------------------------------------- the page
export const SVG = "http://www.w3.org/2000/svg";
// The Okabe-Ito colours, told apart with every common colour blindness (live.css uses them too).
export const BLUE = "#0072B2";
export const ORANGE = "#D55E00";
export const GREEN = "#009E73";

export function svg(name, attributes, parent) {
  const node = document.createElementNS(SVG, name);
  for (const [key, value] of Object.entries(attributes)) node.setAttribute(key, value);
  if (parent) parent.appendChild(node);
  return node;
}

export function element(tag, className, parent, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  if (parent) parent.appendChild(node);
  return node;
}

// In dark mode the theme paints widget areas light grey; keep the page's own ground so that the
// text (the page's colour) stays legible.
export function keepPageGround(root) {
  Object.assign(root.style, { backgroundColor: "var(--pst-color-background, transparent)",
    padding: "0.5em", borderRadius: "0.25rem" });
}

// The sentence read aloud by screen readers whenever the widget redraws.
export function liveText(parent) {
  const live = element("p", "pa-live-text", parent);
  live.setAttribute("aria-live", "polite");
  return live;
}

// Where a widget says why it cannot read the reader's input.
export function statusMessage(parent) {
  const message = element("p", "pa-message", parent);
  message.setAttribute("role", "status");
  return message;
}

// <label class="pa-control">text <input type="range"> <output></label>, not yet placed.
export function rangeSlider(text, min, max, step, ariaLabel = text) {
  const label = element("label", "pa-control", null, `${text} `);
  const input = document.createElement("input");
  Object.assign(input, { type: "range", min: String(min), max: String(max), step: String(step) });
  input.setAttribute("aria-label", ariaLabel);
  const readout = document.createElement("output");
  label.append(input, readout);
  return { label, input, readout };
}

// <label class="pa-control"><input type="checkbox"> text</label>, not yet placed.
export function checkbox(text, ariaLabel) {
  const label = element("label", "pa-control");
  const box = document.createElement("input");
  box.type = "checkbox";
  box.setAttribute("aria-label", ariaLabel);
  label.append(box, document.createTextNode(text));
  return { label, box };
}

// The reader's sentence: a labelled text box that starts with the "sentence" trait and carries
// the "example" and "alternative" traits for the browser tests.
export function sentenceInput(model, size, ariaLabel) {
  const label = element("label", "pa-control", null, "your sentence ");
  const input = document.createElement("input");
  Object.assign(input, { type: "text", size, value: model.get("sentence") });
  input.setAttribute("aria-label", ariaLabel);
  input.dataset.paExample = model.get("example");
  input.dataset.paAlternative = model.get("alternative");
  label.append(input);
  return { label, input };
}

// ------------------------------------------------------------------------------- the model
// Set a synced trait and send it on (to the kernel, or to the page's saved state).
export function setTrait(model, name, value) {
  model.set(name, value);
  model.save_changes();
}

// The current values of the named traits, in that order (to destructure).
export function traits(model, ...names) {
  return names.map((name) => model.get(name));
}

// draw() now and again whenever one of the named traits changes.
export function drawOn(model, names, draw) {
  for (const name of names) model.on(`change:${name}`, draw);
  draw();
}

// ------------------------------------------------------------------------------- the plane
// A grid line at every whole number of [-limit, limit] and the two axes, drawn into `chart` with
// px and py (plane coordinates to pixels).
export function planeGrid(chart, px, py, limit, opacity) {
  for (let v = -limit; v <= limit; v += 1) {
    svg("line", { x1: px(v), x2: px(v), y1: py(-limit), y2: py(limit), stroke: "currentColor", "stroke-opacity": opacity }, chart);
    svg("line", { x1: px(-limit), x2: px(limit), y1: py(v), y2: py(v), stroke: "currentColor", "stroke-opacity": opacity }, chart);
  }
  svg("line", { x1: px(0), x2: px(0), y1: py(-limit), y2: py(limit), class: "pa-axis" }, chart);
  svg("line", { x1: px(-limit), x2: px(limit), y1: py(0), y2: py(0), class: "pa-axis" }, chart);
}

// The arrow keys move a point of the plane by 0.25 (0.1 with Shift): moveBy([dx, dy]).
export function planeKeys(handle, moveBy) {
  handle.addEventListener("keydown", (event) => {
    const step = event.shiftKey ? 0.1 : 0.25;
    const delta = { ArrowRight: [step, 0], ArrowLeft: [-step, 0], ArrowUp: [0, step], ArrowDown: [0, -step] }[event.key];
    if (!delta) return;
    event.preventDefault();
    moveBy(delta);
  });
}

// Dragging `handle` calls moveTo(point) with the pointer's place in `chart`'s own (viewBox)
// coordinates, {x, y}, until the pointer is released.
export function draggable(handle, chart, moveTo) {
  handle.addEventListener("pointerdown", (event) => {
    event.preventDefault();
    handle.setPointerCapture(event.pointerId);
    const follow = (e) => moveTo(new DOMPoint(e.clientX, e.clientY).matrixTransform(chart.getScreenCTM().inverse()));
    handle.addEventListener("pointermove", follow);
    handle.addEventListener("pointerup", () => handle.removeEventListener("pointermove", follow), { once: true });
  });
}

// Softmax playground (paying_attention.live_widgets.SoftmaxPlayground), Chapter 2 and the tour.
// Drag a score bar (or focus it and press the arrow keys) and move the temperature: the weights
// w_j = exp(s_j / T) / sum_l exp(s_l / T) redraw at once, computed here in the browser.

export function softmax(scores, temperature) {
  const scaled = scores.map((s) => s / temperature);
  const max = Math.max(...scaled); // subtract the maximum: no overflow (Chapter 2)
  const exps = scaled.map((s) => Math.exp(s - max));
  const total = exps.reduce((a, b) => a + b, 0);
  return exps.map((e) => e / total);
}

const SVG = "http://www.w3.org/2000/svg";
const RANGE = 5; // scores live in [-5, 5]

function svg(name, attributes, parent) {
  const node = document.createElementNS(SVG, name);
  for (const [key, value] of Object.entries(attributes)) node.setAttribute(key, value);
  if (parent) parent.appendChild(node);
  return node;
}

function render({ model, el }) {
  const labels = model.get("labels");
  const n = labels.length;
  const width = 120 + 56 * n;
  const height = 170;
  const root = document.createElement("div");
  root.className = "pa-live pa-softmax";

  const chart = svg("svg", { viewBox: `0 0 ${width} ${2 * height + 40}`, width: "100%",
    role: "group", "aria-label": "Scores (drag or use the arrow keys) and their softmax weights" });
  chart.style.maxWidth = `${width * 1.4}px`;
  const scoreAxis = (s) => 20 + (height - 40) * (RANGE - s) / (2 * RANGE); // score -> y
  const weightAxis = (w) => height + 40 + (height - 40) * (1 - w);         // weight -> y
  svg("line", { x1: 60, x2: width - 10, y1: scoreAxis(0), y2: scoreAxis(0), class: "pa-axis" }, chart);
  svg("line", { x1: 60, x2: width - 10, y1: weightAxis(0), y2: weightAxis(0), class: "pa-axis" }, chart);
  svg("text", { x: 4, y: 16, class: "pa-caption" }, chart).textContent = "score";
  svg("text", { x: 4, y: height + 36, class: "pa-caption" }, chart).textContent = "weight";

  const bars = [];
  labels.forEach((label, j) => {
    const x = 70 + 56 * j;
    const score = svg("rect", { x, width: 36, class: "pa-bar pa-score", tabindex: 0, role: "slider",
      "aria-label": `score of ${label}`, "aria-valuemin": -RANGE, "aria-valuemax": RANGE }, chart);
    const weight = svg("rect", { x, width: 36, class: "pa-bar pa-weight" }, chart);
    const scoreText = svg("text", { x: x + 18, class: "pa-value", "text-anchor": "middle" }, chart);
    const weightText = svg("text", { x: x + 18, class: "pa-value", "text-anchor": "middle" }, chart);
    svg("text", { x: x + 18, y: 2 * height + 34, class: "pa-label", "text-anchor": "middle" }, chart)
      .textContent = label;
    bars.push({ score, weight, scoreText, weightText });

    const setScore = (value) => {
      const scores = model.get("scores").slice();
      scores[j] = Math.round(Math.max(-RANGE, Math.min(RANGE, value)) * 10) / 10;
      model.set("scores", scores);
      model.save_changes();
    };
    score.addEventListener("keydown", (event) => {
      const step = { ArrowUp: 0.5, ArrowRight: 0.5, ArrowDown: -0.5, ArrowLeft: -0.5 }[event.key];
      if (step === undefined) return;
      event.preventDefault();
      setScore(model.get("scores")[j] + step);
    });
    score.addEventListener("pointerdown", (event) => {
      score.setPointerCapture(event.pointerId);
      const move = (e) => {
        const box = chart.getBoundingClientRect();
        const y = (e.clientY - box.top) * (2 * height + 40) / box.height;
        setScore(RANGE - (y - 20) * (2 * RANGE) / (height - 40));
      };
      move(event);
      score.addEventListener("pointermove", move);
      score.addEventListener("pointerup", () => score.removeEventListener("pointermove", move), { once: true });
    });
  });

  const control = document.createElement("label");
  control.className = "pa-control";
  control.textContent = "temperature ";
  const slider = document.createElement("input");
  Object.assign(slider, { type: "range", min: "0.1", max: "5", step: "0.1" });
  slider.setAttribute("aria-label", "temperature");
  const readout = document.createElement("output");
  control.append(slider, readout);
  slider.addEventListener("input", () => {
    model.set("temperature", Number(slider.value));
    model.save_changes();
  });

  const live = document.createElement("p");
  live.className = "pa-live-text";
  live.setAttribute("aria-live", "polite");

  function draw() {
    const scores = model.get("scores");
    const temperature = model.get("temperature");
    const weights = softmax(scores, temperature);
    bars.forEach((bar, j) => {
      const s = scores[j];
      const top = Math.min(scoreAxis(s), scoreAxis(0));
      bar.score.setAttribute("y", top);
      bar.score.setAttribute("height", Math.max(2, Math.abs(scoreAxis(s) - scoreAxis(0))));
      bar.score.setAttribute("aria-valuenow", s);
      bar.score.setAttribute("aria-valuetext", s.toFixed(1));
      bar.scoreText.setAttribute("y", s >= 0 ? top - 4 : top + Math.abs(scoreAxis(s) - scoreAxis(0)) + 12);
      bar.scoreText.textContent = s.toFixed(1);
      bar.weight.setAttribute("y", weightAxis(weights[j]));
      bar.weight.setAttribute("height", Math.max(1, weightAxis(0) - weightAxis(weights[j])));
      bar.weightText.setAttribute("y", weightAxis(weights[j]) - 4);
      bar.weightText.textContent = weights[j].toFixed(2);
    });
    slider.value = String(temperature);
    readout.textContent = temperature.toFixed(1);
    const parts = labels.map((label, j) => `${label} ${scores[j].toFixed(1)} gets ${weights[j].toFixed(2)}`);
    live.textContent = `At temperature ${temperature.toFixed(1)}: ${parts.join(", ")}. The weights sum to 1.`;
    root.dataset.weights = JSON.stringify(weights); // read by the browser test
  }

  // Self-check against the package's Python (paying_attention.scoring.softmax).
  let error = 0;
  for (const check of model.get("checks")) {
    softmax(check.scores, check.temperature).forEach((w, j) => {
      error = Math.max(error, Math.abs(w - check.weights[j]));
    });
  }
  root.dataset.checkError = String(error);
  root.dataset.checkTolerance = "1e-12";

  root.append(chart, control, live);
  el.appendChild(root);
  model.on("change:scores", draw);
  model.on("change:temperature", draw);
  draw();
}

export default { render };

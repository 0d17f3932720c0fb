// Softmax playground (paying_attention.live_widgets.SoftmaxPlayground), Chapter 2 and the tour.
// Drag a score bar (or focus it and press the arrow keys) and move the temperature: the weights
// w_j = exp(s_j / T) / sum_l exp(s_l / T) redraw at once, computed here in the browser by
// common.js's softmax (which live_widgets.py puts in front of this file).

const RANGE = 5; // scores live in [-5, 5]

function render({ model, el }) {
  const labels = model.get("labels");
  const n = labels.length;
  const width = 120 + 56 * n;
  const height = 170;
  const root = element("div", "pa-live pa-softmax");

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
      scores[j] = clamp(value, -RANGE, RANGE, 1);
      setTrait(model, "scores", scores);
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

  const { label: control, input: slider, readout } = rangeSlider("temperature", 0.1, 5, 0.1);
  slider.addEventListener("input", () => setTrait(model, "temperature", Number(slider.value)));
  const live = liveText(null);

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
  reportCheck(root, worstCheck(model.get("checks"),
    (check) => largestDifference(softmax(check.scores, check.temperature), check.weights)), "1e-12");

  root.append(chart, control, live);
  el.appendChild(root);
  drawOn(model, ["scores", "temperature"], draw);
}

export default { render };

// Self-check quizzes (book/_ext/quiz.py): each option becomes a button that reveals whether it
// is right and why. Runs in the browser alone, so it works on the static website.
document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("div.quiz").forEach((quiz) => {
    quiz.classList.add("quiz-ready");
    quiz.querySelectorAll("div.quiz-option").forEach((option) => {
      const correct = option.classList.contains("quiz-correct");
      const label = option.querySelector(".quiz-option-text");
      const feedback = option.querySelector(".quiz-feedback");
      const verdict = document.createElement("strong");
      verdict.className = "quiz-verdict";
      verdict.textContent = correct ? "Correct. " : "Not quite. ";
      feedback.prepend(verdict);
      label.setAttribute("role", "button");
      label.setAttribute("tabindex", "0");
      label.setAttribute("aria-expanded", "false");
      const choose = () => {
        option.classList.add("quiz-chosen");
        label.setAttribute("aria-expanded", "true");
      };
      label.addEventListener("click", choose);
      label.addEventListener("keydown", (event) => {
        if (event.key === "Enter" || event.key === " ") {
          event.preventDefault();
          choose();
        }
      });
    });
  });
});

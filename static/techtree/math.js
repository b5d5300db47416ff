// Typeset every server-marked math element with the vendored KaTeX.
// The server emits <span class="math inline"> and <div class="math block"> holding TeX.

export function typeset(root = document) {
  if (!window.katex) return;
  for (const el of root.querySelectorAll(".math:not([data-typeset])")) {
    const tex = el.textContent;
    try {
      window.katex.render(tex, el, {
        displayMode: el.classList.contains("block"),
        throwOnError: false,
        output: "htmlAndMathml",
      });
      el.dataset.typeset = "1";
      el.setAttribute("data-tex", tex);
    } catch (error) {
      el.title = String(error);
    }
  }
}

function start() {
  typeset();
  document.addEventListener("content-changed", (event) => typeset(event.target));
}

// katex.min.js is deferred; module scripts run after deferred classic scripts.
if (document.readyState === "loading") {
  document.addEventListener("DOMContentLoaded", start);
} else {
  start();
}

// Live preview of an exercise template in the admin. The unsaved TOML is POSTed to the
// admin's preview view, which renders it with the exercise kit at a few seeds and returns
// HTML; math.js typesets it on "content-changed". No inline script: the CSP holds.

const DELAY_MS = 500;

function start(panel) {
  const form = panel.closest("form");
  const textarea = form.querySelector("textarea[name='spec']");
  const seeds = panel.querySelector("[data-preview-seeds]");
  const output = panel.querySelector("[data-preview-output]");
  const status = panel.querySelector("[data-preview-status]");
  const token = form.querySelector("input[name='csrfmiddlewaretoken']").value;
  let timer = null;
  let controller = null;

  async function refresh() {
    clearTimeout(timer);
    if (controller) controller.abort();
    controller = new AbortController();
    status.textContent = "Rendering…";
    const body = new FormData();
    body.append("spec", textarea.value);
    body.append("seeds", seeds.value);
    try {
      const response = await fetch(panel.dataset.url, {
        method: "POST",
        body,
        headers: { "X-CSRFToken": token },
        credentials: "same-origin",
        signal: controller.signal,
      });
      if (!response.ok) throw new Error(`the server answered ${response.status}`);
      output.innerHTML = await response.text(); // rendered and sanitised by the server
      status.textContent = output.querySelector("[data-preview-errors]")
        ? "Preview: see the errors below."
        : "Preview up to date.";
      output.dispatchEvent(new CustomEvent("content-changed", { bubbles: true }));
    } catch (error) {
      if (error.name !== "AbortError") status.textContent = `Preview failed: ${error.message}`;
    }
  }

  function soon() {
    clearTimeout(timer);
    timer = setTimeout(refresh, DELAY_MS);
  }

  textarea.addEventListener("input", soon);
  seeds.addEventListener("input", soon);
  seeds.addEventListener("keydown", (event) => {
    if (event.key === "Enter") {
      event.preventDefault(); // Enter in the seeds box previews; it never saves the form
      refresh();
    }
  });
  panel.querySelector("[data-preview-button]").addEventListener("click", refresh);
  panel.dataset.previewReady = "true"; // listening: typing now previews (tests wait for it)
}

const panel = document.querySelector("[data-template-preview]");
if (panel) start(panel);

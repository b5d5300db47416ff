// Reviews one after another in place: the review section's forms are posted with fetch and
// the section the server renders back (feedback, then the next review) replaces the old one.
// Without JavaScript the same forms post normally and the server redirects to the dashboard.

const SECTION = "section[data-review]";

async function send(form) {
  const section = form.closest(SECTION);
  if (!section || form.dataset.sending === "true") return;
  form.dataset.sending = "true";
  section.setAttribute("aria-busy", "true");
  for (const button of form.querySelectorAll("button")) button.disabled = true;
  try {
    const response = await fetch(form.action, {
      method: "POST",
      body: new FormData(form),
      headers: { Accept: "application/json" },
      credentials: "same-origin",
    });
    const data = await response.json();
    const template = document.createElement("template");
    template.innerHTML = data.html.trim();
    const fresh = template.content.firstElementChild;
    section.replaceWith(fresh);
    fresh.dispatchEvent(new CustomEvent("content-changed", { bubbles: true }));
    const input = fresh.querySelector("input[name=answer]");
    const feedback = fresh.querySelector("[data-review-feedback]");
    if (input && data.hint) input.focus();
    else if (feedback) {
      feedback.setAttribute("tabindex", "-1");
      feedback.focus();
    }
  } catch (error) {
    form.dataset.sending = "false";
    form.submit(); // the plain post: the server deduplicates by the submission id
  }
}

document.addEventListener("submit", (event) => {
  const form = event.target.closest("form[data-review-form]");
  if (!form || !form.closest(SECTION)) return;
  event.preventDefault();
  send(form);
});

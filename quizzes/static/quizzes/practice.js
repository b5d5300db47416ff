// Practice answered in place: the forms of each problem card are posted with fetch and the
// card the server renders back replaces the old one. Without JavaScript the same forms post
// normally and the server redirects back with the feedback, so this is only an enhancement.
//
// The server stays the authority: it grades, counts attempts and deduplicates by the
// per-render submission id in the answer form, so a double click (or a fallback post after
// a lost response) is stored once.

const CARD = "article[data-problem]";
const FORMS = "form[data-answer-form], form[data-action-form]";

function csrfToken(form) {
  const field = form.querySelector("input[name=csrfmiddlewaretoken]");
  return field ? field.value : "";
}

function setBusy(card, form, busy) {
  card.setAttribute("aria-busy", busy ? "true" : "false");
  for (const button of form.querySelectorAll("button")) button.disabled = busy;
}

function updateStatus(status) {
  const badge = document.querySelector("[data-status]");
  if (!status || !badge) return;
  for (const name of [...badge.classList]) {
    if (name.startsWith("status-") && name !== "status-badge") badge.classList.remove(name);
  }
  badge.classList.add(`status-${status.replace(/ /g, "-")}`);
  badge.dataset.status = status;
  badge.textContent = `Your status: ${status}`;
}

function replaceCard(card, html) {
  const template = document.createElement("template");
  template.innerHTML = html.trim();
  const fresh = template.content.firstElementChild;
  if (!fresh) return card;
  card.replaceWith(fresh);
  // techtree/math.js typesets the formulas of whatever announces new content.
  fresh.dispatchEvent(new CustomEvent("content-changed", { bubbles: true }));
  return fresh;
}

function focusAfter(card, data) {
  const input = card.querySelector("input[name=answer]");
  if (input && (data.error || data.correct === false)) {
    input.focus();
    input.select();
    return;
  }
  const feedback = card.querySelector("[data-feedback]");
  if (feedback) {
    feedback.setAttribute("tabindex", "-1");
    feedback.focus();
  }
}

async function send(form) {
  const card = form.closest(CARD);
  if (!card || form.dataset.sending === "true") return;
  form.dataset.sending = "true";
  setBusy(card, form, true);
  let response;
  try {
    response = await fetch(form.action, {
      method: "POST",
      body: new FormData(form),
      headers: { Accept: "application/json", "X-CSRFToken": csrfToken(form) },
      credentials: "same-origin",
    });
  } catch {
    response = null;
  }
  const json = response && (response.headers.get("Content-Type") || "").includes("json");
  if (!json) {
    // No usable answer (network trouble, an error page): post the plain form instead. The
    // submission id is the same, so an answer that did arrive is not stored twice.
    form.submit();
    return;
  }
  const data = await response.json();
  const fresh = data.html ? replaceCard(card, data.html) : card;
  if (fresh === card) {
    delete form.dataset.sending;
    setBusy(card, form, false);
  }
  updateStatus(data.status);
  focusAfter(fresh, data);
}

function start() {
  const section = document.querySelector("[data-practice]");
  if (!section) return;
  section.addEventListener("submit", (event) => {
    const form = event.target.closest(FORMS);
    if (!form || !section.contains(form)) return;
    event.preventDefault();
    send(form);
  });
  section.dataset.enhanced = "true";
}

start();

// A step-by-step player for every worked example ([data-example] with an <ol data-steps>).
// Driven purely by the server-rendered steps: it reveals them one at a time and highlights
// the current one. Without JavaScript the steps are simply all listed.

import { h } from "./dom.js";

const STEP_MS = 2500; // one step at 1x
const SPEEDS = [0.25, 1, 2];
const ZOOMS = [0.8, 0.9, 1, 1.15, 1.3, 1.5, 1.75, 2];
const KEYS = { ArrowLeft: "back", ArrowUp: "back", ArrowRight: "forward", ArrowDown: "forward", Home: "first", End: "last" };

// Icons as SVG paths (24 x 24), so they do not depend on the fonts installed.
const ICONS = {
  first: "M5 5h2.5v14H5zM20 5v14L9 12z",
  back: "M12 5v14L4 12zM21 5v14l-8-7z",
  play: "M7 5v14l12-7z",
  pause: "M6 5h4v14H6zM14 5h4v14h-4z",
  forward: "M3 5v14l8-7zM12 5v14l8-7z",
  last: "M4 5v14l11-7zM16.5 5H19v14h-2.5z",
};

function icon(name) {
  const svg = document.createElementNS("http://www.w3.org/2000/svg", "svg");
  svg.setAttribute("viewBox", "0 0 24 24");
  svg.setAttribute("class", "player-icon");
  svg.setAttribute("aria-hidden", "true");
  svg.setAttribute("focusable", "false");
  const path = document.createElementNS("http://www.w3.org/2000/svg", "path");
  path.setAttribute("d", ICONS[name]);
  svg.append(path);
  return svg;
}

function actionButton(action, label) {
  return h(
    "button",
    { type: "button", class: "secondary player-button", dataset: { playerAction: action } },
    icon(action),
    h("span", { class: "player-label", text: label }),
  );
}

class Player {
  constructor(article) {
    this.article = article;
    this.list = article.querySelector("[data-steps]");
    this.steps = Array.from(this.list.querySelectorAll(":scope > [data-step]"));
    this.count = this.steps.length;
    this.current = this.count; // every step shown, as without JavaScript
    this.started = false; // nothing is hidden or highlighted until the player is used
    this.timer = null;
    this.speed = 1;
    this.zoom = ZOOMS.indexOf(1);
    this.after = Array.from(article.querySelectorAll(".result, .insight")); // the answer, last
    this.build();
    this.render(false);
    article.dataset.playerReady = "true";
  }

  build() {
    const heading = document.getElementById(this.article.getAttribute("aria-labelledby"));
    const title = heading?.textContent.trim() || "this example";
    this.buttons = {
      first: actionButton("first", "First"),
      back: actionButton("back", "Back"),
      play: actionButton("play", "Play"),
      forward: actionButton("forward", "Forward"),
      last: actionButton("last", "Last"),
    };
    this.speedSelect = h(
      "select",
      { dataset: { playerSpeed: "" } },
      SPEEDS.map((speed) => h("option", { value: String(speed), selected: speed === 1, text: `${speed}×` })),
    );
    this.zoomValue = h("output", { class: "player-zoom-value", dataset: { playerZoomValue: "" } });
    // The name starts with what the button shows ("A−"), so a voice user can say it too.
    const zoomOut = h("button", { type: "button", class: "secondary", title: "Smaller text", dataset: { playerZoom: "-1" } }, "A−", h("span", { class: "sr-only", text: " Smaller text" }));
    const zoomIn = h("button", { type: "button", class: "secondary", title: "Larger text", dataset: { playerZoom: "1" } }, "A+", h("span", { class: "sr-only", text: " Larger text" }));
    this.counter = h("p", { class: "player-counter", "aria-live": "polite", dataset: { playerCounter: "" } });
    this.root = h(
      "div",
      {
        class: "player",
        role: "group",
        tabindex: "0",
        "aria-label": `Step-by-step player: ${title}`,
        "aria-keyshortcuts": "Space ArrowLeft ArrowRight Home End",
        dataset: { player: "" },
      },
      h("div", { class: "player-controls" }, Object.values(this.buttons)),
      h("label", { class: "player-speed" }, "Speed ", this.speedSelect),
      h("span", { class: "player-zoom", role: "group", "aria-label": "Text size" }, zoomOut, this.zoomValue, zoomIn),
      this.counter,
      h("p", { class: "player-keys small muted", text: "Keys here: Space plays or pauses, ← → step, Home and End jump." }),
    );
    this.list.before(this.root);

    for (const [action, button] of Object.entries(this.buttons)) {
      button.addEventListener("click", () => this.act(action));
    }
    this.speedSelect.addEventListener("change", () => {
      this.speed = Number(this.speedSelect.value);
      if (this.playing) this.schedule();
    });
    zoomOut.addEventListener("click", () => this.setZoom(this.zoom - 1));
    zoomIn.addEventListener("click", () => this.setZoom(this.zoom + 1));
    this.root.addEventListener("keydown", (event) => this.key(event));
    this.setZoom(this.zoom);
  }

  get playing() {
    return this.timer !== null;
  }

  act(action) {
    if (this.buttons[action]?.getAttribute("aria-disabled") === "true") return;
    if (action === "play") {
      this.togglePlay();
      return;
    }
    this.pause();
    const targets = { first: 1, back: this.current - 1, forward: this.current + 1, last: this.count };
    this.go(targets[action]);
  }

  go(step) {
    this.started = true;
    this.current = Math.max(1, Math.min(this.count, step));
    this.render(true);
  }

  togglePlay() {
    if (this.playing) {
      this.pause();
      return;
    }
    if (!this.started || this.current >= this.count) this.go(1); // play from the start
    this.schedule();
    this.render(false);
  }

  schedule() {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = null;
      this.go(this.current + 1);
      if (this.current < this.count) this.schedule();
      this.render(false);
    }, STEP_MS / this.speed);
  }

  pause() {
    if (!this.playing) return;
    clearTimeout(this.timer);
    this.timer = null;
    this.render(false);
  }

  setZoom(index) {
    this.zoom = Math.max(0, Math.min(ZOOMS.length - 1, index));
    const scale = ZOOMS[this.zoom];
    this.article.style.setProperty("--player-zoom", String(scale));
    this.zoomValue.textContent = `${Math.round(scale * 100)}%`;
    this.root.querySelector('[data-player-zoom="-1"]').setAttribute("aria-disabled", String(this.zoom === 0));
    this.root.querySelector('[data-player-zoom="1"]').setAttribute("aria-disabled", String(this.zoom === ZOOMS.length - 1));
    // Larger text may overflow a formula's box: scrollers.js checks which boxes scroll again.
    this.article.dispatchEvent(new CustomEvent("content-changed", { bubbles: true }));
  }

  key(event) {
    if (event.altKey || event.ctrlKey || event.metaKey) return;
    const target = event.target;
    if (target.tagName === "SELECT") return; // its arrows choose a speed
    if (event.key === " " || event.key === "Spacebar") {
      if (target.tagName === "BUTTON") return; // Space presses the focused button
      event.preventDefault();
      this.act("play");
    } else if (event.key in KEYS) {
      event.preventDefault();
      this.act(KEYS[event.key]);
    }
  }

  /** Show steps 1..current, highlight the current one; with `scroll`, bring it into view. */
  render(scroll) {
    this.steps.forEach((step, i) => {
      const isCurrent = this.started && i === this.current - 1;
      step.hidden = this.started && i >= this.current;
      step.classList.toggle("step-current", isCurrent);
      step.classList.toggle("step-done", this.started && i < this.current - 1);
      if (isCurrent) step.setAttribute("aria-current", "step");
      else step.removeAttribute("aria-current");
    });
    for (const el of this.after) el.hidden = this.started && this.current < this.count;
    this.counter.textContent = `Step ${this.current} of ${this.count}`;
    const atStart = this.current <= 1;
    const atEnd = this.current >= this.count;
    this.buttons.first.setAttribute("aria-disabled", String(atStart && this.started));
    this.buttons.back.setAttribute("aria-disabled", String(atStart && this.started));
    this.buttons.forward.setAttribute("aria-disabled", String(atEnd));
    this.buttons.last.setAttribute("aria-disabled", String(atEnd));
    this.buttons.play.querySelector(".player-icon").replaceWith(icon(this.playing ? "pause" : "play"));
    this.buttons.play.querySelector(".player-label").textContent = this.playing ? "Pause" : "Play";
    this.root.dataset.playing = String(this.playing);
    if (this.started) this.article.dataset.playerStarted = "true";
    if (scroll && this.started) {
      // Instantly, and only as far as needed: a smooth scroll would move the buttons away
      // from under a pointer about to press Pause.
      this.steps[this.current - 1].scrollIntoView({ block: "nearest", behavior: "instant" });
    }
  }
}

for (const article of document.querySelectorAll("[data-example]")) {
  if (article.querySelector("[data-steps] > [data-step]")) article.player = new Player(article);
}

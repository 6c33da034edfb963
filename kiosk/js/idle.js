/* Idle sign-out: after the configured idle time a countdown, then sign-out; the welcome screen
 * goes back to Chinese for the next person. */
import { signOut } from "./session.js";
import { IDLE_SCREENS, state } from "./state.js";
import { $, applyTexts, closeMessage, t } from "./ui.js";

export function touch() {
  state.lastActivity = Date.now();
  if (!$("idle-warning").hidden) $("idle-warning").hidden = true;
}

function checkIdle() {
  const idleFor = (Date.now() - state.lastActivity) / 1000;
  const limit = state.config.idle_seconds;
  const warning = state.config.idle_warning_seconds;
  if (state.screen === "welcome") {
    if (idleFor >= limit && (state.lang !== "zh" || !$("message").hidden)) {
      closeMessage(false);
      state.lang = "zh";
      applyTexts();
    }
    return;
  }
  if (!IDLE_SCREENS.includes(state.screen) || state.ordering) return;
  if (idleFor >= limit + warning) {
    closeMessage(false);
    signOut();
  } else if (idleFor >= limit) {
    $("idle-text").textContent = t("idle.text", { n: Math.ceil(limit + warning - idleFor) });
    $("idle-warning").hidden = false;
  }
}

export function startIdleWatch() {
  ["pointerdown", "touchstart", "keydown"].forEach((name) => {
    document.addEventListener(name, touch, { capture: true, passive: true });
  });
  setInterval(checkIdle, 250);
}

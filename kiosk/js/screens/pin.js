/* The PIN of a printed card: six digits on the keypad (or a keyboard); the sixth tap signs in. */
import { state } from "../state.js";
import { $, el, registerScreen, show } from "../ui.js";
import { signIn } from "./scan.js";

function renderPin() {
  const dots = $("pin-dots");
  dots.textContent = "";
  for (let i = 0; i < 6; i++) dots.appendChild(el("span", { class: i < state.pin.length ? "dot filled" : "dot" }));
  dots.dataset.length = state.pin.length;
}

function submitPin() {
  if (state.pin.length === 6 && state.pendingCode) signIn(state.pendingCode, state.pin);
}

function pressPin(key, fromTouch) {
  if (key === "clear") state.pin = "";
  else if (key === "back") state.pin = state.pin.slice(0, -1);
  else if (state.pin.length < 6) state.pin += key;
  renderPin();
  if (fromTouch && state.pin.length === 6) submitPin();
}

/* A key typed on a keyboard while the PIN screen is up. */
export function pinKey(key) {
  if (state.screen !== "pin" || !$("message").hidden) return;
  if (/^\d$/.test(key)) pressPin(key, false);
  else if (key === "Backspace") pressPin("back", false);
  else if (key === "Enter") submitPin();
}

export function wirePin() {
  registerScreen("pin", { render: renderPin });
  $("pin-keypad").addEventListener("click", (event) => {
    const button = event.target.closest("button");
    if (button && button.dataset.key) pressPin(button.dataset.key, true);
  });
  $("pin-cancel").addEventListener("click", () => {
    state.pendingCode = null;
    state.pin = "";
    show("welcome");
  });
}

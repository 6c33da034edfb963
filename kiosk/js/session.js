/* The two tokens: the kiosk's own (from pairing) and the signed-in resident's; signing out. */
import { createApi } from "/webcommon/api.js";
import { state, TOKEN_KEY } from "./state.js";
import { $, apiLang, applyTexts, busy, leaveScreen, render, show, showError, isDeviceError, isSessionError } from "./ui.js";

/* Calls made as the kiosk (config, pairing, signing a resident in). */
export const deviceApi = createApi({ getToken: () => state.deviceToken, getLang: apiLang });
/* Calls made as the signed-in resident. */
export const residentApi = createApi({ getToken: () => state.session && state.session.token, getLang: apiLang });

export function forgetDevice() {
  state.deviceToken = null;
  state.device = null;
  localStorage.removeItem(TOKEN_KEY);
}

export function rememberDevice(token) {
  state.deviceToken = token;
  localStorage.setItem(TOKEN_KEY, token);
}

export async function loadConfig() {
  try {
    state.config = await deviceApi.get("/kiosk/config");
  } catch (error) { /* keep the last known settings */ }
}

/* Nothing of the last resident stays in the page once they are gone. */
function clearScreens() {
  ["home-hello", "home-points", "home-stars", "home-next", "home-score", "home-history", "home-pending",
    "catalogue-points", "category-tabs", "item-grid", "cart-summary", "cart-lines", "cart-total", "cart-after",
    "confirm-lines", "confirm-text", "receipt-shop", "pickup-code", "receipt-no", "receipt-lines",
    "receipt-total", "receipt-balance", "receipt-time", "topbar-user"].forEach((id) => { $(id).textContent = ""; });
  $("receipt-qr").removeAttribute("src");
  render("pin");
}

export function resetSession() {
  Object.assign(state, {
    session: null, home: null, catalogue: null, category: "all", confirmKey: null, receipt: null, pin: "",
    pendingCode: null,
  });
  state.cart.clear();
  clearScreens();
}

export function signOut() {
  const token = state.session && state.session.token;
  leaveScreen();
  resetSession();
  $("idle-warning").hidden = true;
  // the next person starts in Chinese
  state.lang = "zh";
  applyTexts();
  if (state.deviceToken) show("welcome");
  if (token) createApi({ getToken: () => token }).del("/kiosk/sessions/current").catch(() => {});
}

/* An error of a call made with the resident's token. */
export function residentError(error, options) {
  if (error.code === "device_disabled") {
    forgetDevice();
    showError(error, { onClose: () => show("pair") });
    resetSession();
    show("pair");
  } else if (isSessionError(error)) {
    showError(error);
    signOut();
  } else {
    showError(error, options);
  }
}

const NOT_A_DEVICE_PROBLEM = ["pin_required", "wrong_pin", "pin_not_set", "invalid_pairing_code"];

/* An error of a call made with the device token: a kiosk no longer trusted goes back to pairing. */
export function deviceError(error, options) {
  if ((error.status === 401 && !NOT_A_DEVICE_PROBLEM.includes(error.code)) || isDeviceError(error)) {
    forgetDevice();
    showError({ code: "device_disabled" });
    show("pair");
    return;
  }
  showError(error, options);
}

/* Runs ``work`` with the busy overlay shown. */
export async function whileBusy(work) {
  busy(true);
  try {
    return await work();
  } finally {
    busy(false);
  }
}

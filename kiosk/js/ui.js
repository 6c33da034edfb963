/* Texts, DOM helpers, the message and busy overlays, and which screen is shown. */
import { errorMessage } from "/webcommon/errors.js";
import { TEXT } from "./i18n.js";
import { SIGNED_IN_SCREENS, state } from "./state.js";

export const $ = (id) => document.getElementById(id);

/* --- texts ------------------------------------------------------------------------- */

export function t(key, params) {
  let text = (TEXT[state.lang] || {})[key];
  if (text === undefined) text = TEXT.zh[key];
  if (text === undefined) text = key;
  Object.keys(params || {}).forEach((name) => {
    text = text.split("{" + name + "}").join(String(params[name]));
  });
  return text;
}

export function hasText(key) { return TEXT.zh[key] !== undefined; }

/* The API's language for Accept-Language. */
export function apiLang() { return state.lang === "zh" ? "zh-CN" : "en"; }

export function localName(thing) {
  if (!thing) return "";
  return state.lang === "zh" ? thing.name_zh : (thing.name_en || thing.name_zh);
}

export function formatDate(iso) {
  return new Date(iso).toLocaleString(state.lang === "zh" ? "zh-CN" : "en-GB", {
    month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit",
  });
}

/* el("li", {class: "x", text: "…", onclick: fn}, child, …) */
export function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  Object.entries(attrs || {}).forEach(([name, value]) => {
    if (value === null || value === undefined || value === false) return;
    if (name === "text") node.textContent = value;
    else if (name === "class") node.className = value;
    else if (name.startsWith("on")) node.addEventListener(name.slice(2), value);
    else node.setAttribute(name, value === true ? "" : value);
  });
  children.forEach((child) => { if (child !== null && child !== undefined) node.appendChild(child); });
  return node;
}

/* --- screens ----------------------------------------------------------------------- */

const screens = {}; //: name → { render(), leave() }

/* Each screen module registers what draws it and what to stop when it is left. */
export function registerScreen(name, hooks) { screens[name] = hooks; }

export function render(name = state.screen) {
  if (screens[name] && screens[name].render) screens[name].render();
}

export function leaveScreen() {
  if (screens[state.screen] && screens[state.screen].leave) screens[state.screen].leave();
}

export function show(name) {
  if (state.screen !== name) leaveScreen();
  // a focused field (the pairing code) would swallow the scanner's keys
  if (document.activeElement && document.activeElement !== document.body) document.activeElement.blur();
  state.screen = name;
  document.body.dataset.screen = name;
  document.querySelectorAll(".screen").forEach((section) => {
    section.classList.toggle("active", section.id === "screen-" + name);
  });
  state.lastActivity = Date.now(); // a new screen is activity
  renderTopbar();
  render(name);
  window.scrollTo(0, 0);
}

/* The shop's name, and who is signed in. Points are shown once, on the screen itself. */
export function renderTopbar() {
  const shop = state.device && state.device.supermarket;
  $("shop-name").textContent = shop ? localName(shop) : t("app.title");
  const user = $("topbar-user");
  if (state.session && state.home && SIGNED_IN_SCREENS.includes(state.screen)) {
    user.textContent = state.home.masked_name;
    user.hidden = false;
  } else {
    user.hidden = true;
  }
}

export function applyTexts() {
  document.documentElement.lang = apiLang();
  document.querySelectorAll("[data-i18n]").forEach((node) => { node.textContent = t(node.dataset.i18n); });
  document.querySelectorAll("[data-i18n-placeholder]").forEach((node) => {
    node.placeholder = t(node.dataset.i18nPlaceholder);
  });
  document.querySelectorAll("[data-i18n-label]").forEach((node) => {
    node.setAttribute("aria-label", t(node.dataset.i18nLabel));
  });
  renderTopbar();
  render();
}

/* --- overlays ---------------------------------------------------------------------- */

let messageClose = null;
let messageRetry = null;

export function message(title, text, { code = "", onClose = null, retry = null } = {}) {
  $("message-title").textContent = title;
  $("message-text").textContent = text;
  $("message").dataset.code = code;
  messageClose = onClose;
  messageRetry = retry;
  $("message-retry").hidden = !retry;
  $("message").hidden = false;
  $(retry ? "message-retry" : "message-ok").focus();
}

export function closeMessage(runCallback) {
  if ($("message").hidden) return;
  $("message").hidden = true;
  const callback = messageClose;
  messageClose = null;
  messageRetry = null;
  if (runCallback && callback) callback();
}

/* The retry of the message shown: closes it, then retries. */
export function retryMessage() {
  const retry = messageRetry;
  closeMessage(false);
  if (retry) retry();
}

export function busy(on) { $("busy").hidden = !on; }

export function isBusy() { return !$("busy").hidden; }

/* --- errors ------------------------------------------------------------------------ */

const SESSION_ERRORS = ["token_expired", "token_revoked", "token_invalid", "token_missing"];
const DEVICE_ERRORS = ["device_disabled", "device_unknown", "kiosk_not_assigned"];

export function isSessionError(error) { return SESSION_ERRORS.includes(error.code); }

export function isDeviceError(error) { return DEVICE_ERRORS.includes(error.code); }

function triesLeft(error) {
  const text = (error.errors && error.errors.pin && error.errors.pin[0]) || error.detail || "";
  const match = text.match(/\d+/);
  return match ? match[0] : "?";
}

/* [title, text] for an ApiError: the kiosk's own words for what it expects, the API's otherwise. */
function explain(error) {
  if (error.offline) return [t("error.network.title"), t("error.network")];
  if (error.code === "wrong_pin") return [t("error.wrong_pin.title"), t("error.wrong_pin", { n: triesLeft(error) })];
  if (isDeviceError(error)) return [t("error.device.title"), t("error.device")];
  if (error.code === "invalid_pairing_code") return [t("error.pairing.title"), t("error.pairing")];
  if (error.code === "wrong_code_kind") return [t("error.invalid_code.title"), t("error.invalid_code")];
  if (isSessionError(error)) return [t("error.session.title"), t("error.session")];
  if (hasText("error." + error.code)) return [t("error." + error.code + ".title"), t("error." + error.code)];
  return [t("error.title"), error.detail ? errorMessage(error, apiLang()) : t("error.generic")];
}

export function showError(error, options) {
  const [title, text] = explain(error);
  message(title, text, { code: error.code, ...options });
}

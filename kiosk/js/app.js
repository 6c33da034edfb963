/* The credit supermarket kiosk: one page, one screen at a time.
 *
 * welcome → scan → (PIN, printed card only) → home → catalogue → cart → confirm → receipt → welcome
 *
 * The device token from pairing is kept in localStorage; a resident's session
 * token only in memory, and it is dropped on sign-out or when the kiosk has
 * been idle. Every confirmation of a cart carries one Idempotency-Key, made
 * once and reused when the resident taps "try again" after a network failure,
 * so a redemption that reached the server is never made twice.
 */
"use strict";

(function () {
  const TEXT = window.KIOSK_TEXT;
  const Scanner = window.KioskScanner;
  const TOKEN_KEY = "chengxin.kiosk.deviceToken";
  const REQUEST_TIMEOUT_MS = 15000;
  const SIGNED_IN_SCREENS = ["home", "catalogue", "cart", "confirm", "receipt"];
  const IDLE_SCREENS = ["scan", "pin"].concat(SIGNED_IN_SCREENS);
  const ORDER_ERRORS = ["insufficient_points", "out_of_stock", "limit_exceeded", "item_unavailable",
    "item_not_in_supermarket"];
  const SESSION_ERRORS = ["token_expired", "token_revoked", "token_invalid", "token_missing"];

  const $ = function (id) { return document.getElementById(id); };

  const state = {
    lang: "zh",
    deviceToken: localStorage.getItem(TOKEN_KEY),
    device: null,
    config: { idle_seconds: 60, idle_warning_seconds: 15 },
    screen: "loading",
    session: null,
    pendingCode: null,
    pin: "",
    home: null,
    catalogue: null,
    category: "all",
    cart: new Map(),
    confirmKey: null,
    ordering: false,
    receipt: null,
    lastActivity: Date.now(),
  };

  /* --- texts -------------------------------------------------------------------- */

  function t(key, params) {
    let text = (TEXT[state.lang] || {})[key];
    if (text === undefined) text = TEXT.zh[key];
    if (text === undefined) text = key;
    Object.keys(params || {}).forEach(function (name) {
      text = text.split("{" + name + "}").join(String(params[name]));
    });
    return text;
  }

  function hasText(key) { return TEXT.zh[key] !== undefined; }

  function localName(thing) {
    if (!thing) return "";
    return state.lang === "zh" ? thing.name_zh : (thing.name_en || thing.name_zh);
  }

  function applyTexts() {
    document.documentElement.lang = state.lang === "zh" ? "zh-CN" : "en";
    document.querySelectorAll("[data-i18n]").forEach(function (node) { node.textContent = t(node.dataset.i18n); });
    document.querySelectorAll("[data-i18n-placeholder]").forEach(function (node) {
      node.placeholder = t(node.dataset.i18nPlaceholder);
    });
    renderTopbar();
    render(state.screen);
  }

  function el(tag, attrs) {
    const node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (name) {
      const value = attrs[name];
      if (value === null || value === undefined || value === false) return;
      if (name === "text") node.textContent = value;
      else if (name === "class") node.className = value;
      else if (name.indexOf("on") === 0) node.addEventListener(name.slice(2), value);
      else node.setAttribute(name, value === true ? "" : value);
    });
    for (let i = 2; i < arguments.length; i++) {
      const child = arguments[i];
      if (child !== null && child !== undefined) node.appendChild(child);
    }
    return node;
  }

  function formatDate(iso) {
    const date = new Date(iso);
    return date.toLocaleString(state.lang === "zh" ? "zh-CN" : "en-GB", {
      month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit",
    });
  }

  /* --- the API ------------------------------------------------------------------ */

  function ApiError(status, code, body) {
    this.status = status;
    this.code = code;
    this.body = body || {};
  }

  async function api(method, path, options) {
    options = options || {};
    // the server's error texts follow the screen's language
    const headers = { Accept: "application/json", "Accept-Language": state.lang === "zh" ? "zh-CN" : "en" };
    const token = options.token || (options.auth === "device" ? state.deviceToken
      : options.auth === "resident" && state.session ? state.session.token : null);
    if (token) headers.Authorization = "Bearer " + token;
    if (options.body !== undefined) headers["Content-Type"] = "application/json";
    if (options.key) headers["Idempotency-Key"] = options.key;
    const controller = new AbortController();
    const timer = setTimeout(function () { controller.abort(); }, REQUEST_TIMEOUT_MS);
    let response;
    let data = null;
    try {
      response = await fetch(path, {
        method: method, headers: headers, cache: "no-store", signal: controller.signal,
        body: options.body === undefined ? undefined : JSON.stringify(options.body),
      });
      if (response.status !== 204) {
        try { data = await response.json(); } catch (error) { if (response.ok) throw error; }
      }
    } catch (error) {
      throw new ApiError(0, "network_error", null);
    } finally {
      clearTimeout(timer);
    }
    if (!response.ok) throw new ApiError(response.status, (data && data.code) || "http_error", data);
    return data;
  }

  function newKey() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    const bytes = new Uint8Array(16);
    crypto.getRandomValues(bytes);
    return Array.from(bytes, function (b) { return b.toString(16).padStart(2, "0"); }).join("");
  }

  /* --- overlays ----------------------------------------------------------------- */

  let messageClose = null;
  let messageRetry = null;

  function message(title, text, options) {
    options = options || {};
    $("message-title").textContent = title;
    $("message-text").textContent = text;
    $("message").dataset.code = options.code || "";
    messageClose = options.onClose || null;
    messageRetry = options.retry || null;
    $("message-retry").hidden = !options.retry;
    $("message").hidden = false;
  }

  function closeMessage(runCallback) {
    if ($("message").hidden) return;
    $("message").hidden = true;
    const callback = messageClose;
    messageClose = null;
    messageRetry = null;
    if (runCallback && callback) callback();
  }

  function busy(on) { $("busy").hidden = !on; }

  function triesLeft(error) {
    const errors = error.body.errors || {};
    const text = (errors.pin && errors.pin[0]) || error.body.detail || "";
    const match = text.match(/\d+/);
    return match ? match[0] : "?";
  }

  function explain(error) {
    if (error.code === "network_error") return [t("error.network.title"), t("error.network")];
    if (error.code === "wrong_pin") {
      return [t("error.wrong_pin.title"), t("error.wrong_pin", { n: triesLeft(error) })];
    }
    if (error.code === "device_disabled" || error.code === "device_unknown" || error.code === "kiosk_not_assigned") {
      return [t("error.device.title"), t("error.device")];
    }
    if (error.code === "invalid_pairing_code") return [t("error.pairing.title"), t("error.pairing")];
    if (error.code === "wrong_code_kind") return [t("error.invalid_code.title"), t("error.invalid_code")];
    if (SESSION_ERRORS.indexOf(error.code) >= 0) return [t("error.session.title"), t("error.session")];
    if (hasText("error." + error.code)) return [t("error." + error.code + ".title"), t("error." + error.code)];
    const detail = error.body && error.body.detail ? " (" + error.body.detail + ")" : "";
    return [t("error.title"), t("error.generic") + detail];
  }

  function showError(error, options) {
    const texts = explain(error);
    message(texts[0], texts[1], Object.assign({ code: error.code }, options || {}));
  }

  /* An error of a call made with the resident's token. */
  function residentError(error, options) {
    if (error.code === "device_disabled") {
      forgetDevice();
      showError(error, { onClose: function () { show("pair"); } });
      resetSession();
      show("pair");
    } else if (SESSION_ERRORS.indexOf(error.code) >= 0) {
      showError(error);
      signOut();
    } else {
      showError(error, options);
    }
  }

  /* An error of a call made with the device token. */
  function deviceError(error, options) {
    if (error.status === 401 && error.code !== "pin_required" && error.code !== "wrong_pin" &&
        error.code !== "pin_not_set" && error.code !== "invalid_pairing_code" || error.code === "device_disabled" ||
        error.code === "device_unknown" || error.code === "kiosk_not_assigned") {
      forgetDevice();
      showError({ code: "device_disabled", body: {} });
      show("pair");
      return;
    }
    showError(error, options);
  }

  /* --- screens ------------------------------------------------------------------ */

  function show(name) {
    if (state.screen === "scan" && name !== "scan") stopCamera();
    // a focused field (the pairing code) would swallow the scanner's keys
    if (document.activeElement && document.activeElement !== document.body) document.activeElement.blur();
    state.screen = name;
    document.body.dataset.screen = name;
    document.querySelectorAll(".screen").forEach(function (section) {
      section.classList.toggle("active", section.id === "screen-" + name);
    });
    renderTopbar();
    render(name);
    touch();
    window.scrollTo(0, 0);
  }

  function render(name) {
    const renderers = {
      pin: renderPin, home: renderHome, catalogue: renderCatalogue, cart: renderCart, confirm: renderConfirm,
      receipt: renderReceipt,
    };
    if (renderers[name]) renderers[name]();
  }

  function renderTopbar() {
    const shop = state.device && state.device.supermarket;
    $("shop-name").textContent = shop ? localName(shop) : t("app.title");
    const user = $("topbar-user");
    if (state.session && state.home && SIGNED_IN_SCREENS.indexOf(state.screen) >= 0) {
      user.textContent = state.home.masked_name + " · " + points() + " " + t("common.points");
      user.hidden = false;
    } else {
      user.hidden = true;
    }
  }

  /* --- device ------------------------------------------------------------------- */

  function forgetDevice() {
    state.deviceToken = null;
    state.device = null;
    localStorage.removeItem(TOKEN_KEY);
  }

  async function loadConfig() {
    try {
      state.config = await api("GET", "/api/v1/kiosk/config");
    } catch (error) { /* keep the last known settings */ }
  }

  async function boot() {
    await loadConfig();
    if (!state.deviceToken) {
      show("pair");
      return;
    }
    try {
      state.device = await api("GET", "/api/v1/kiosk/device", { auth: "device" });
      state.config = { idle_seconds: state.device.idle_seconds, idle_warning_seconds: state.device.idle_warning_seconds };
      show("welcome");
    } catch (error) {
      if (error.code === "network_error") {
        show("welcome");
        showError(error, { retry: boot });
      } else {
        forgetDevice();
        show("pair");
      }
    }
  }

  async function pair(code) {
    busy(true);
    try {
      const paired = await api("POST", "/api/v1/devices/pair", { body: { pairing_code: code } });
      state.deviceToken = paired.access_token;
      localStorage.setItem(TOKEN_KEY, paired.access_token);
      $("pair-code").value = "";
      await boot();
    } catch (error) {
      showError(error);
    } finally {
      busy(false);
    }
  }

  /* --- signing in --------------------------------------------------------------- */

  async function signIn(code, pin) {
    busy(true);
    try {
      const body = pin ? { code: code, pin: pin } : { code: code };
      const session = await api("POST", "/api/v1/kiosk/sessions", { auth: "device", body: body });
      state.session = { token: session.access_token, method: session.method };
      state.pendingCode = null;
      state.pin = "";
      await loadConfig();
      await openHome();
    } catch (error) {
      if (error.code === "pin_required") {
        state.pendingCode = code;
        state.pin = "";
        show("pin");
      } else if (error.code === "wrong_pin") {
        state.pin = "";
        renderPin();
        showError(error);
      } else {
        state.pendingCode = null;
        state.pin = "";
        if (state.screen === "pin") show("welcome");
        deviceError(error);
      }
    } finally {
      busy(false);
    }
  }

  function renderPin() {
    const dots = $("pin-dots");
    dots.textContent = "";
    for (let i = 0; i < 6; i++) dots.appendChild(el("span", { class: i < state.pin.length ? "dot filled" : "dot" }));
    dots.dataset.length = state.pin.length;
  }

  function pressPin(key, fromTouch) {
    if (key === "clear") state.pin = "";
    else if (key === "back") state.pin = state.pin.slice(0, -1);
    else if (state.pin.length < 6) state.pin += key;
    renderPin();
    if (fromTouch && state.pin.length === 6) submitPin();
  }

  function submitPin() {
    if (state.pin.length === 6 && state.pendingCode) signIn(state.pendingCode, state.pin);
  }

  function onScan(code) {
    touch();
    if (!$("busy").hidden || state.ordering) return;
    closeMessage(false);
    if (state.screen === "welcome" || state.screen === "scan" || state.screen === "pin") {
      signIn(code);
    } else if (SIGNED_IN_SCREENS.indexOf(state.screen) >= 0) {
      message(t("error.title"), t("error.signout_first"));
    }
  }

  function onKey(key) {
    touch();
    if (state.screen !== "pin" || !$("message").hidden) return;
    if (/^\d$/.test(key)) pressPin(key, false);
    else if (key === "Backspace") pressPin("back", false);
    else if (key === "Enter") submitPin();
  }

  /* --- home --------------------------------------------------------------------- */

  async function openHome() {
    try {
      state.home = await api("GET", "/api/v1/kiosk/me", { auth: "resident" });
      show("home");
    } catch (error) {
      residentError(error);
    }
  }

  function historyLabel(kind) {
    return hasText("kind." + kind) ? t("kind." + kind) : t("kind.other");
  }

  function renderHome() {
    const home = state.home;
    if (!home) return;
    $("home-hello").textContent = t("home.hello", { name: home.masked_name });
    $("home-points").textContent = home.points;
    const hasStars = home.stars !== null && home.stars !== undefined;
    $("home-stars-box").hidden = !hasStars;
    if (hasStars) {
      $("home-stars").textContent = "★".repeat(home.stars) + "☆".repeat(Math.max(0, 5 - home.stars));
      $("home-stars").setAttribute("aria-label", home.stars + "/5");
      const next = home.next_star && home.score_to_next_star !== null && home.score_to_next_star !== undefined;
      $("home-next").textContent = next ? t("home.next", { n: home.score_to_next_star, star: home.next_star }) : "";
    }
    $("home-score-box").hidden = home.score === null || home.score === undefined;
    $("home-score").textContent = home.score === null || home.score === undefined ? "" : home.score;
    const history = $("home-history");
    history.textContent = "";
    if (!home.history.length) history.appendChild(el("li", { class: "muted", text: t("home.history.none") }));
    home.history.forEach(function (entry) {
      history.appendChild(el("li", null,
        el("span", { class: "when", text: formatDate(entry.created_at) }),
        el("span", { class: "what", text: historyLabel(entry.kind) }),
        el("span", { class: entry.delta >= 0 ? "delta plus" : "delta minus",
          text: (entry.delta >= 0 ? "+" : "") + entry.delta })));
    });
    $("home-pending-box").hidden = !home.pending_orders.length;
    const pending = $("home-pending");
    pending.textContent = "";
    home.pending_orders.forEach(function (order) {
      pending.appendChild(el("li", null,
        el("span", { class: "when", text: formatDate(order.created_at) }),
        el("span", { class: "what", text: order.receipt_no }),
        el("span", { class: "delta", text: order.total_points + " " + t("common.points") })));
    });
  }

  /* --- catalogue and cart ------------------------------------------------------- */

  async function openCatalogue() {
    busy(true);
    try {
      state.catalogue = await api("GET", "/api/v1/kiosk/catalogue", { auth: "resident" });
      pruneCart();
      show("catalogue");
    } catch (error) {
      residentError(error);
    } finally {
      busy(false);
    }
  }

  function itemById(id) {
    return state.catalogue ? state.catalogue.items.find(function (item) { return item.id === id; }) : null;
  }

  function pruneCart() {
    state.cart.forEach(function (quantity, id) {
      if (!itemById(id)) state.cart.delete(id);
    });
  }

  function cartCount() {
    let count = 0;
    state.cart.forEach(function (quantity) { count += quantity; });
    return count;
  }

  function cartTotal() {
    let total = 0;
    state.cart.forEach(function (quantity, id) {
      const item = itemById(id);
      if (item) total += item.price_points * quantity;
    });
    return total;
  }

  function points() {
    if (state.catalogue) return state.catalogue.points;
    return state.home ? state.home.points : 0;
  }

  function availablePoints() { return points() - cartTotal(); }

  function periodText(item) { return t("period." + item.limit_period); }

  /* Why one more of ``item`` cannot go into the cart, or null. */
  function blocker(item) {
    const inCart = state.cart.get(item.id) || 0;
    if (item.stock <= inCart) return "out_of_stock";
    if (item.remaining_allowance !== null && item.remaining_allowance <= inCart) return "limit_exceeded";
    if (availablePoints() < item.price_points) return "insufficient_points";
    return null;
  }

  function addToCart(item) {
    touch();
    const reason = blocker(item);
    if (reason) {
      showError({ code: reason, body: {} });
      return;
    }
    state.cart.set(item.id, (state.cart.get(item.id) || 0) + 1);
    state.confirmKey = null;
    renderCatalogue();
  }

  function changeQuantity(item, delta) {
    const quantity = (state.cart.get(item.id) || 0) + delta;
    if (delta > 0) {
      const reason = blocker(item);
      if (reason) {
        showError({ code: reason, body: {} });
        return;
      }
    }
    if (quantity <= 0) state.cart.delete(item.id);
    else state.cart.set(item.id, quantity);
    state.confirmKey = null;
    renderCart();
  }

  function renderCatalogue() {
    const catalogue = state.catalogue;
    if (!catalogue) return;
    renderTopbar();
    $("catalogue-points").textContent = t("catalogue.available", { points: availablePoints() });
    const tabs = $("category-tabs");
    tabs.textContent = "";
    const categories = [{ code: "all", name_zh: t("catalogue.all"), name_en: t("catalogue.all") }]
      .concat(catalogue.categories);
    categories.forEach(function (category) {
      tabs.appendChild(el("button", {
        type: "button", class: category.code === state.category ? "tab active" : "tab",
        "data-category": category.code, text: localName(category),
        onclick: function () { state.category = category.code; renderCatalogue(); },
      }));
    });
    const grid = $("item-grid");
    grid.textContent = "";
    const shown = catalogue.items.filter(function (item) {
      return state.category === "all" || item.category === state.category;
    });
    if (!shown.length) grid.appendChild(el("p", { class: "muted center", text: t("catalogue.empty") }));
    shown.forEach(function (item) {
      const inCart = state.cart.get(item.id) || 0;
      const reason = blocker(item);
      const status = item.stock <= 0 ? t("catalogue.out")
        : item.remaining_allowance === 0 ? t("catalogue.limit.reached", { period: periodText(item) })
          : reason === "insufficient_points" ? t("catalogue.poor") : "";
      const limit = item.limit_quantity ? t("catalogue.limit", {
        n: item.limit_quantity, period: periodText(item), left: item.remaining_allowance,
      }) : "";
      grid.appendChild(el("article", {
        class: "item-card" + (reason ? " blocked" : ""), "data-item-id": item.id, "data-state": reason || "ok",
      },
      el("img", { class: "item-photo", src: item.photo || "img/item.svg", alt: "" }),
      el("h3", { class: "item-name", text: localName(item) }),
      el("div", { class: "item-price", text: item.price_points + " " + t("common.points") }),
      el("div", { class: "item-stock", text: item.stock > 0 ? t("catalogue.stock", { n: item.stock }) : "" }),
      limit ? el("div", { class: "item-limit", text: limit }) : null,
      status ? el("div", { class: "item-status", text: status }) : null,
      inCart ? el("div", { class: "item-incart", text: t("catalogue.incart", { n: inCart }) }) : null,
      el("button", {
        // never disabled: a tap on a greyed item explains why it cannot be taken
        type: "button", class: "btn btn-primary add",
        text: t("catalogue.add"), onclick: function () { addToCart(item); },
      })));
    });
    $("cart-summary").textContent = t("cart.bar", { count: cartCount(), total: cartTotal() });
    $("open-cart").disabled = cartCount() === 0;
  }

  function lineView(item, quantity, editable) {
    const row = el("li", { class: "cart-line", "data-item-id": item.id },
      el("img", { class: "line-photo", src: item.photo || "img/item.svg", alt: "" }),
      el("div", { class: "line-name" },
        el("div", { text: localName(item) }),
        el("div", { class: "muted", text: item.price_points + " " + t("common.points") + " × " + quantity })),
      el("strong", { class: "line-total", text: item.price_points * quantity + " " + t("common.points") }));
    if (editable) {
      row.appendChild(el("div", { class: "stepper" },
        el("button", { type: "button", class: "btn btn-secondary minus", text: "−",
          onclick: function () { changeQuantity(item, -1); } }),
        el("span", { class: "quantity", text: String(quantity) }),
        el("button", { type: "button", class: "btn btn-secondary plus", text: "+",
          onclick: function () { changeQuantity(item, 1); } })));
    }
    return row;
  }

  function renderLines(list, editable) {
    list.textContent = "";
    state.cart.forEach(function (quantity, id) {
      const item = itemById(id);
      if (item) list.appendChild(lineView(item, quantity, editable));
    });
    if (!state.cart.size) list.appendChild(el("li", { class: "muted center", text: t("cart.empty") }));
  }

  function renderCart() {
    renderTopbar();
    renderLines($("cart-lines"), true);
    $("cart-total").textContent = cartTotal() + " " + t("common.points");
    $("cart-after").textContent = availablePoints() + " " + t("common.points");
    $("to-confirm").disabled = state.cart.size === 0;
  }

  function renderConfirm() {
    renderLines($("confirm-lines"), false);
    $("confirm-text").textContent = t("confirm.text", { total: cartTotal() });
  }

  /* --- redemption --------------------------------------------------------------- */

  function openConfirm() {
    if (!state.cart.size) return;
    // one key per cart confirmation: a retry after a network failure sends the same one
    if (!state.confirmKey) state.confirmKey = newKey();
    show("confirm");
  }

  async function placeOrder() {
    if (state.ordering || !state.cart.size) return;
    state.ordering = true;
    busy(true);
    const lines = [];
    state.cart.forEach(function (quantity, id) { lines.push({ item_id: id, quantity: quantity }); });
    try {
      const receipt = await api("POST", "/api/v1/kiosk/orders", {
        auth: "resident", body: { lines: lines }, key: state.confirmKey,
      });
      state.receipt = receipt;
      state.cart.clear();
      state.confirmKey = null;
      if (state.catalogue) state.catalogue.points = receipt.balance_after;
      if (state.home) state.home.points = receipt.balance_after;
      show("receipt");
    } catch (error) {
      if (error.code === "network_error") {
        showError(error, { retry: placeOrder });
      } else if (ORDER_ERRORS.indexOf(error.code) >= 0) {
        state.confirmKey = null;
        showError(error, { onClose: refreshCart });
      } else {
        residentError(error);
      }
    } finally {
      state.ordering = false;
      busy(false);
    }
  }

  /* After a refused order: fresh stock, limits and points, then the cart to fix. */
  async function refreshCart() {
    try {
      state.catalogue = await api("GET", "/api/v1/kiosk/catalogue", { auth: "resident" });
      pruneCart();
      show("cart");
    } catch (error) {
      residentError(error);
    }
  }

  function renderReceipt() {
    const receipt = state.receipt;
    if (!receipt) return;
    const order = receipt.order;
    $("receipt-shop").textContent = localName(receipt.supermarket) + " · " + receipt.masked_name;
    $("receipt-qr").src = receipt.pickup_qr;
    $("pickup-code").textContent = order.pickup_code;
    $("receipt-no").textContent = order.receipt_no;
    const list = $("receipt-lines");
    list.textContent = "";
    order.lines.forEach(function (line) {
      list.appendChild(el("li", null,
        el("span", { text: localName(line) + " × " + line.quantity }),
        el("span", { text: line.line_points + " " + t("common.points") })));
    });
    $("receipt-total").textContent = order.total_points + " " + t("common.points");
    $("receipt-balance").textContent = receipt.balance_after + " " + t("common.points");
    $("receipt-time").textContent = formatDate(order.created_at);
  }

  /* --- signing out and idle ----------------------------------------------------- */

  function resetSession() {
    state.session = null;
    state.home = null;
    state.catalogue = null;
    state.category = "all";
    state.cart.clear();
    state.confirmKey = null;
    state.receipt = null;
    state.pin = "";
    state.pendingCode = null;
    clearScreens();
  }

  /* Nothing of the last resident stays in the page once they are gone. */
  function clearScreens() {
    ["home-hello", "home-points", "home-stars", "home-next", "home-score", "home-history", "home-pending",
      "catalogue-points", "category-tabs", "item-grid", "cart-summary", "cart-lines", "cart-total", "cart-after",
      "confirm-lines", "confirm-text", "receipt-shop", "pickup-code", "receipt-no", "receipt-lines",
      "receipt-total", "receipt-balance", "receipt-time", "topbar-user"].forEach(function (id) {
      $(id).textContent = "";
    });
    $("receipt-qr").removeAttribute("src");
    renderPin();
  }

  function signOut() {
    const token = state.session && state.session.token;
    resetSession();
    $("idle-warning").hidden = true;
    stopCamera();
    // the next person starts in Chinese
    state.lang = "zh";
    applyTexts();
    if (state.deviceToken) show("welcome");
    if (token) api("DELETE", "/api/v1/kiosk/sessions/current", { token: token }).catch(function () {});
  }

  function touch() {
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
    if (IDLE_SCREENS.indexOf(state.screen) < 0 || state.ordering) return;
    if (idleFor >= limit + warning) {
      closeMessage(false);
      signOut();
    } else if (idleFor >= limit) {
      $("idle-text").textContent = t("idle.text", { n: Math.ceil(limit + warning - idleFor) });
      $("idle-warning").hidden = false;
    }
  }

  /* --- camera ------------------------------------------------------------------- */

  function stopCamera() {
    Scanner.stopCamera($("camera-video"));
    $("camera-box").hidden = true;
    $("camera-button").textContent = t("scan.camera");
  }

  async function toggleCamera() {
    if (Scanner.cameraOn()) {
      stopCamera();
      return;
    }
    try {
      $("camera-box").hidden = false;
      $("camera-button").textContent = t("scan.camera.stop");
      await Scanner.startCamera($("camera-video"), function (code) {
        stopCamera();
        onScan(code);
      });
    } catch (error) {
      stopCamera();
      message(t("error.camera.title"), t("error.camera"));
    }
  }

  /* --- wiring ------------------------------------------------------------------- */

  function on(id, handler) { $(id).addEventListener("click", handler); }

  ["pointerdown", "touchstart", "keydown"].forEach(function (name) {
    document.addEventListener(name, touch, { capture: true, passive: true });
  });

  on("lang-toggle", function () {
    state.lang = state.lang === "zh" ? "en" : "zh";
    applyTexts();
  });
  $("pair-form").addEventListener("submit", function (event) {
    event.preventDefault();
    const code = $("pair-code").value.trim();
    if (code) pair(code);
  });
  on("start-button", function () { show("scan"); });
  on("scan-back", function () { show("welcome"); });
  on("camera-button", toggleCamera);
  $("pin-keypad").addEventListener("click", function (event) {
    const key = event.target.closest("button") && event.target.closest("button").dataset.key;
    if (key) pressPin(key, true);
  });
  on("pin-cancel", function () {
    state.pendingCode = null;
    state.pin = "";
    show("welcome");
  });
  on("go-shop", openCatalogue);
  on("sign-out", signOut);
  on("catalogue-back", openHome);
  on("open-cart", function () { show("cart"); });
  on("cart-more", function () { show("catalogue"); });
  on("to-confirm", openConfirm);
  on("confirm-back", function () { show("cart"); });
  on("confirm-button", placeOrder);
  on("print-button", function () { window.print(); });
  on("done-button", signOut);
  on("idle-stay", touch);
  on("message-ok", function () { closeMessage(true); });
  on("message-retry", function () {
    const retry = messageRetry;
    closeMessage(false);
    if (retry) retry();
  });

  Scanner.listen(onScan, onKey);
  setInterval(checkIdle, 250);
  applyTexts();
  boot();
})();

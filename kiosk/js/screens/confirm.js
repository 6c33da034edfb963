/* Confirming the cart: one Idempotency-Key per confirmation, reused when the resident taps "try
 * again" after a network failure, so a redemption that reached the server is never made twice. */
import { newIdempotencyKey } from "/webcommon/api.js";
import { residentApi, residentError, whileBusy } from "../session.js";
import { cartTotal, state } from "../state.js";
import { $, registerScreen, show, showError, t } from "../ui.js";
import { renderLines } from "./cart.js";
import { reloadCatalogue } from "./catalogue.js";

const ORDER_ERRORS = ["insufficient_points", "out_of_stock", "limit_exceeded", "item_unavailable",
  "item_not_in_supermarket"];

export function openConfirm() {
  if (!state.cart.size) return;
  if (!state.confirmKey) state.confirmKey = newIdempotencyKey();
  show("confirm");
}

async function placeOrder() {
  if (state.ordering || !state.cart.size) return;
  state.ordering = true;
  const lines = [];
  state.cart.forEach((quantity, id) => lines.push({ item_id: id, quantity }));
  try {
    await whileBusy(async () => {
      try {
        const receipt = await residentApi.post("/kiosk/orders", { lines }, { idempotencyKey: state.confirmKey });
        state.receipt = receipt;
        state.cart.clear();
        state.confirmKey = null;
        if (state.catalogue) state.catalogue.points = receipt.balance_after;
        if (state.home) state.home.points = receipt.balance_after;
        show("receipt");
      } catch (error) {
        if (error.offline) {
          showError(error, { retry: placeOrder });
        } else if (ORDER_ERRORS.includes(error.code)) {
          state.confirmKey = null;
          // fresh stock, limits and points, then the cart to fix
          showError(error, { onClose: () => reloadCatalogue("cart") });
        } else {
          residentError(error);
        }
      }
    });
  } finally {
    state.ordering = false;
  }
}

function renderConfirm() {
  renderLines($("confirm-lines"), false);
  $("confirm-text").textContent = t("confirm.text", { total: cartTotal() });
}

export function wireConfirm() {
  registerScreen("confirm", { render: renderConfirm });
  $("confirm-back").addEventListener("click", () => show("cart"));
  $("confirm-button").addEventListener("click", placeOrder);
}

/* The cart: lines with − and +, the total and what is left afterwards. */
import { availablePoints, blocker, cartTotal, itemById, state } from "../state.js";
import { $, el, localName, registerScreen, renderTopbar, show, showError, t } from "../ui.js";

function changeQuantity(item, delta) {
  const quantity = (state.cart.get(item.id) || 0) + delta;
  if (delta > 0) {
    const reason = blocker(item);
    if (reason) {
      showError({ code: reason });
      return;
    }
  }
  if (quantity <= 0) state.cart.delete(item.id);
  else state.cart.set(item.id, quantity);
  state.confirmKey = null;
  renderCart();
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
        "aria-label": t("cart.remove") + " 1 " + localName(item), onclick: () => changeQuantity(item, -1) }),
      el("span", { class: "quantity", text: String(quantity) }),
      el("button", { type: "button", class: "btn btn-secondary plus", text: "+",
        "aria-label": t("catalogue.add") + " 1 " + localName(item), onclick: () => changeQuantity(item, 1) })));
  }
  return row;
}

/* The cart's lines into ``list`` (the cart screen's editable, the confirmation's not). */
export function renderLines(list, editable) {
  list.textContent = "";
  state.cart.forEach((quantity, id) => {
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

export function wireCart(openConfirm) {
  registerScreen("cart", { render: renderCart });
  $("cart-more").addEventListener("click", () => show("catalogue"));
  $("to-confirm").addEventListener("click", openConfirm);
}

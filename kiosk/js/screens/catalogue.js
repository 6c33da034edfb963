/* The catalogue: category tabs, item cards with their stock and limits, and the cart bar. */
import { residentApi, residentError, whileBusy } from "../session.js";
import { availablePoints, blocker, cartCount, cartTotal, pruneCart, state } from "../state.js";
import { $, el, localName, registerScreen, renderTopbar, show, showError, t } from "../ui.js";
import { openHome } from "./home.js";

export async function openCatalogue() {
  await whileBusy(async () => {
    try {
      state.catalogue = await residentApi.get("/kiosk/catalogue");
      pruneCart();
      show("catalogue");
    } catch (error) {
      residentError(error);
    }
  });
}

/* Fresh stock, limits and points (after a refused order), then ``then`` to show. */
export async function reloadCatalogue(then) {
  try {
    state.catalogue = await residentApi.get("/kiosk/catalogue");
    pruneCart();
    show(then);
  } catch (error) {
    residentError(error);
  }
}

function addToCart(item) {
  const reason = blocker(item);
  if (reason) {
    showError({ code: reason });
    return;
  }
  state.cart.set(item.id, (state.cart.get(item.id) || 0) + 1);
  state.confirmKey = null;
  renderCatalogue();
}

function periodText(item) { return t("period." + item.limit_period); }

function itemCard(item) {
  const inCart = state.cart.get(item.id) || 0;
  const reason = blocker(item);
  const status = item.stock <= 0 ? t("catalogue.out")
    : item.remaining_allowance === 0 ? t("catalogue.limit.reached", { period: periodText(item) })
      : reason === "insufficient_points" ? t("catalogue.poor") : "";
  const limit = item.limit_quantity ? t("catalogue.limit", {
    n: item.limit_quantity, period: periodText(item), left: item.remaining_allowance,
  }) : "";
  return el("article", {
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
    type: "button", class: "btn btn-primary add", "aria-label": t("catalogue.add") + " " + localName(item),
    text: t("catalogue.add"), onclick: () => addToCart(item),
  }));
}

/* A fade with an arrow says where a list goes on beyond the edge: more categories to the right,
 * more items below. */
function markOverflow() {
  const tabs = $("category-tabs");
  $("category-bar").classList.toggle("more", tabs.scrollWidth - tabs.clientWidth - tabs.scrollLeft > 4);
  const grid = $("item-grid");
  $("screen-catalogue").classList.toggle("more-items", grid.scrollHeight - grid.clientHeight - grid.scrollTop > 4);
}

function renderCatalogue() {
  const catalogue = state.catalogue;
  if (!catalogue) return;
  renderTopbar();
  $("catalogue-points").textContent = t("catalogue.available", { points: availablePoints() });
  const tabs = $("category-tabs");
  const scrolled = tabs.scrollLeft;
  tabs.textContent = "";
  [{ code: "all", name_zh: t("catalogue.all"), name_en: t("catalogue.all") }].concat(catalogue.categories)
    .forEach((category) => {
      const active = category.code === state.category;
      tabs.appendChild(el("button", {
        type: "button", class: active ? "tab active" : "tab", "aria-pressed": active ? "true" : "false",
        "data-category": category.code, text: localName(category),
        onclick: () => { state.category = category.code; renderCatalogue(); },
      }));
    });
  tabs.scrollLeft = scrolled;
  const grid = $("item-grid");
  const scrolledDown = grid.scrollTop;
  grid.textContent = "";
  const shown = catalogue.items.filter((item) => state.category === "all" || item.category === state.category);
  if (!shown.length) grid.appendChild(el("p", { class: "muted center", text: t("catalogue.empty") }));
  shown.forEach((item) => grid.appendChild(itemCard(item)));
  grid.scrollTop = scrolledDown; // adding an item keeps the resident's place in the list
  $("cart-summary").textContent = t("cart.bar", { count: cartCount(), total: cartTotal() });
  $("open-cart").disabled = cartCount() === 0;
  markOverflow();
}

export function wireCatalogue() {
  registerScreen("catalogue", { render: renderCatalogue });
  $("catalogue-back").addEventListener("click", openHome);
  $("open-cart").addEventListener("click", () => show("cart"));
  $("category-tabs").addEventListener("scroll", markOverflow, { passive: true });
  $("item-grid").addEventListener("scroll", markOverflow, { passive: true });
  $("category-more").addEventListener("click", () => {
    $("category-tabs").scrollBy({ left: $("category-tabs").clientWidth * 0.7, behavior: "smooth" });
  });
  window.addEventListener("resize", () => { if (state.screen === "catalogue") markOverflow(); });
}

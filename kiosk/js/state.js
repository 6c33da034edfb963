/* What the kiosk remembers: the device, the signed-in resident's data and the cart.
 *
 * The device token from pairing is kept in localStorage; a resident's session token only in
 * memory, dropped on sign-out or when the kiosk has been idle.
 */
export const TOKEN_KEY = "chengxin.kiosk.deviceToken";
export const SIGNED_IN_SCREENS = ["home", "catalogue", "cart", "confirm", "receipt"];
export const IDLE_SCREENS = ["scan", "pin"].concat(SIGNED_IN_SCREENS);

export const state = {
  lang: "zh",
  deviceToken: localStorage.getItem(TOKEN_KEY),
  device: null,
  notices: [], //: the welcome screen's announcements, as last read
  config: { idle_seconds: 60, idle_warning_seconds: 15 },
  screen: "loading",
  session: null,
  pendingCode: null,
  pin: "",
  home: null,
  catalogue: null,
  category: "all",
  cart: new Map(), //: item id → quantity
  confirmKey: null, //: the Idempotency-Key of this cart's confirmation
  ordering: false,
  receipt: null,
  lastActivity: Date.now(),
};

/* --- the cart ---------------------------------------------------------------------- */

export function itemById(id) {
  return state.catalogue ? state.catalogue.items.find((item) => item.id === id) : null;
}

/* Drop what the shop no longer offers. */
export function pruneCart() {
  state.cart.forEach((quantity, id) => {
    if (!itemById(id)) state.cart.delete(id);
  });
}

export function cartCount() {
  let count = 0;
  state.cart.forEach((quantity) => { count += quantity; });
  return count;
}

export function cartTotal() {
  let total = 0;
  state.cart.forEach((quantity, id) => {
    const item = itemById(id);
    if (item) total += item.price_points * quantity;
  });
  return total;
}

/* The resident's balance as last read from the server. */
export function points() {
  if (state.catalogue) return state.catalogue.points;
  return state.home ? state.home.points : 0;
}

/* What is left to spend once the cart is paid: the one balance the catalogue and cart show. */
export function availablePoints() { return points() - cartTotal(); }

/* Why one more of ``item`` cannot go into the cart, or null. */
export function blocker(item) {
  const inCart = state.cart.get(item.id) || 0;
  if (item.stock <= inCart) return "out_of_stock";
  if (item.remaining_allowance !== null && item.remaining_allowance <= inCart) return "limit_exceeded";
  if (availablePoints() < item.price_points) return "insufficient_points";
  return null;
}

/* Home: the resident's points, stars and score, what the last points were for, and orders to collect. */
import { residentApi, residentError, signOut } from "../session.js";
import { state } from "../state.js";
import { $, el, formatDate, hasText, localName, registerScreen, show, t } from "../ui.js";

export async function openHome() {
  try {
    state.home = await residentApi.get("/kiosk/me");
    show("home");
  } catch (error) {
    residentError(error);
  }
}

function kindLabel(kind) {
  return hasText("kind." + kind) ? t("kind." + kind) : t("kind.other");
}

/* "大米（5公斤）×1、肥皂×2" */
function goods(lines) {
  return lines.map((line) => localName(line) + " ×" + line.quantity).join(state.lang === "zh" ? "、" : ", ");
}

function historyLine(entry) {
  const what = state.lang === "zh" ? entry.for_zh : (entry.for_en || entry.for_zh);
  return el("li", null,
    el("span", { class: "when", text: formatDate(entry.created_at) }),
    el("span", { class: "what" },
      el("span", { class: "kind", text: kindLabel(entry.kind) }),
      what ? el("span", { class: "for", text: what }) : null),
    el("span", { class: entry.delta >= 0 ? "delta plus" : "delta minus",
      text: (entry.delta >= 0 ? "+" : "") + entry.delta }));
}

function pendingLine(order) {
  return el("li", null,
    el("span", { class: "when", text: formatDate(order.created_at) }),
    el("span", { class: "what" },
      el("span", { class: "for", text: goods(order.lines || []) }),
      el("span", { class: "kind", text: t("receipt.no") + " " + order.receipt_no })),
    el("span", { class: "delta", text: order.total_points + " " + t("common.points") }));
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
  const hasScore = home.score !== null && home.score !== undefined;
  $("home-score-box").hidden = !hasScore;
  $("home-score").textContent = hasScore ? home.score : "";
  const history = $("home-history");
  history.textContent = "";
  if (!home.history.length) history.appendChild(el("li", { class: "muted", text: t("home.history.none") }));
  home.history.forEach((entry) => history.appendChild(historyLine(entry)));
  $("home-pending-box").hidden = !home.pending_orders.length;
  const pending = $("home-pending");
  pending.textContent = "";
  home.pending_orders.forEach((order) => pending.appendChild(pendingLine(order)));
}

export function wireHome(openCatalogue) {
  registerScreen("home", { render: renderHome });
  $("go-shop").addEventListener("click", openCatalogue);
  $("sign-out").addEventListener("click", signOut);
}

/* The welcome screen's notice board: the current announcements (公告) of the communities this
 * kiosk's supermarket serves, read with the device token. They are fetched when the screen shows
 * and every few minutes while it stays; a failed fetch keeps the last ones and says nothing (the
 * welcome screen is for signing in, not for error messages). */
import { deviceApi } from "../session.js";
import { state } from "../state.js";
import { $, el, formatDate, registerScreen, t } from "../ui.js";

const REFRESH_MS = 5 * 60 * 1000;

let fetchedAt = 0;
let fetching = false;

function localText(notice, field) {
  return state.lang === "zh" ? notice[field + "_zh"] : (notice[field + "_en"] || notice[field + "_zh"]);
}

function draw() {
  const box = $("welcome-notices");
  const list = $("notice-list");
  list.textContent = "";
  const items = state.notices || [];
  items.forEach((notice) => {
    list.appendChild(el("li", { class: "notice" + (notice.pinned ? " pinned" : ""), "data-notice-id": notice.id },
      el("div", { class: "notice-head" },
        notice.pinned ? el("span", { class: "notice-pin", text: t("notices.pinned") }) : null,
        el("strong", { class: "notice-title", text: localText(notice, "title") }),
        el("span", { class: "notice-date muted", text: formatDate(notice.publish_at) })),
      el("p", { class: "notice-body", text: localText(notice, "body") })));
  });
  box.hidden = items.length === 0;
  $("screen-welcome").classList.toggle("has-notices", items.length > 0);
}

async function refresh() {
  if (fetching || !state.deviceToken) return;
  fetching = true;
  try {
    const answer = await deviceApi.get("/kiosk/announcements");
    state.notices = answer.items;
    fetchedAt = Date.now();
  } catch (error) {
    /* keep the last notices; signing in reports a kiosk that is no longer trusted */
  } finally {
    fetching = false;
  }
  if (state.screen === "welcome") draw();
}

function render() {
  draw();
  if (Date.now() - fetchedAt > REFRESH_MS) refresh();
}

export function wireWelcome() {
  registerScreen("welcome", { render });
  setInterval(() => { if (state.screen === "welcome") refresh(); }, REFRESH_MS);
}

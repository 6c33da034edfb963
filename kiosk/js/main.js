/* The credit supermarket kiosk: one page, one screen at a time.
 *
 * welcome (with the notices of the communities served) → scan → (PIN, printed card only) → home → catalogue → cart → confirm → receipt → welcome
 *
 * Each screen lives in screens/<name>.js; state.js holds what the kiosk remembers, session.js the
 * two tokens, idle.js the idle sign-out. The API client, error texts and scanner are shared with the
 * other web front-ends (/webcommon/).
 */
import { listenWedge, setKeyGap } from "/webcommon/scanner.js";
import { startIdleWatch, touch } from "./idle.js";
import { boot, wirePair } from "./screens/pair.js";
import { wireScan, signIn } from "./screens/scan.js";
import { wireWelcome } from "./screens/welcome.js";
import { pinKey, wirePin } from "./screens/pin.js";
import { wireHome } from "./screens/home.js";
import { openCatalogue, wireCatalogue } from "./screens/catalogue.js";
import { wireCart } from "./screens/cart.js";
import { openConfirm, wireConfirm } from "./screens/confirm.js";
import { wireReceipt } from "./screens/receipt.js";
import { SIGNED_IN_SCREENS, state } from "./state.js";
import { $, applyTexts, closeMessage, isBusy, message, retryMessage, t } from "./ui.js";

/* A complete scan: signs in from the first screens; refused while someone is signed in. */
function onScan(code) {
  touch();
  if (isBusy() || state.ordering) return;
  closeMessage(false);
  if (["welcome", "scan", "pin"].includes(state.screen)) {
    signIn(code);
  } else if (SIGNED_IN_SCREENS.includes(state.screen)) {
    message(t("error.title"), t("error.signout_first"));
  }
}

wirePair();
wireWelcome();
wireScan(onScan);
wirePin();
wireHome(openCatalogue);
wireCatalogue();
wireCart(openConfirm);
wireConfirm();
wireReceipt();
$("lang-toggle").addEventListener("click", () => {
  state.lang = state.lang === "zh" ? "en" : "zh";
  applyTexts();
});
$("idle-stay").addEventListener("click", touch);
$("message-ok").addEventListener("click", () => closeMessage(true));
$("message-retry").addEventListener("click", retryMessage);

listenWedge(onScan, { minLength: 8, onKey: (key) => { touch(); pinKey(key); } });
// for tests on a slow machine (typing a code may pause longer than a real scanner ever does)
window.KioskScanner = { setKeyGap };
startIdleWatch();
applyTexts();
boot();

/* Signing in: the scan screen (scanner or camera) and the sign-in call; a printed card goes on to
 * the PIN screen. */
import { startCamera } from "/webcommon/scanner.js";
import { deviceApi, deviceError, loadConfig, whileBusy } from "../session.js";
import { state } from "../state.js";
import { $, message, registerScreen, render, show, showError, t } from "../ui.js";
import { openHome } from "./home.js";

let stopCameraNow = null;
let cameraStarting = false;

function stopCamera() {
  if (stopCameraNow) stopCameraNow();
  stopCameraNow = null;
  $("camera-box").hidden = true;
  $("camera-button").textContent = t("scan.camera");
}

/* Signs the resident in with what was scanned (and the PIN of a printed card). */
export async function signIn(code, pin) {
  await whileBusy(async () => {
    try {
      const session = await deviceApi.post("/kiosk/sessions", pin ? { code, pin } : { code });
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
        render("pin");
        showError(error);
      } else {
        state.pendingCode = null;
        state.pin = "";
        if (state.screen === "pin") show("welcome");
        deviceError(error);
      }
    }
  });
}

async function toggleCamera(onCode) {
  if (stopCameraNow) {
    stopCamera();
    return;
  }
  if (cameraStarting) return;
  cameraStarting = true;
  try {
    $("camera-box").hidden = false;
    $("camera-button").textContent = t("scan.camera.stop");
    // a kiosk's camera faces the person standing at it
    const stop = await startCamera($("camera-video"), (code) => {
      stopCameraNow = null;
      stopCamera();
      onCode(code);
    }, { facingMode: "user" });
    // the resident may have left the screen while the camera was starting
    if (state.screen === "scan" && !$("camera-box").hidden) stopCameraNow = stop;
    else stop();
  } catch (error) {
    stopCamera();
    message(t("error.camera.title"), t("error.camera"));
  } finally {
    cameraStarting = false;
  }
}

export function wireScan(onCode) {
  registerScreen("scan", { leave: stopCamera });
  $("start-button").addEventListener("click", () => show("scan"));
  $("scan-back").addEventListener("click", () => show("welcome"));
  $("camera-button").addEventListener("click", () => toggleCamera(onCode));
}

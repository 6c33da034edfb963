/* Pairing (only once: the device token stays in localStorage), and starting up. */
import { deviceApi, forgetDevice, loadConfig, rememberDevice, whileBusy } from "../session.js";
import { state } from "../state.js";
import { $, show, showError } from "../ui.js";

export async function boot() {
  await loadConfig();
  if (!state.deviceToken) {
    show("pair");
    return;
  }
  try {
    state.device = await deviceApi.get("/kiosk/device");
    state.config = { idle_seconds: state.device.idle_seconds, idle_warning_seconds: state.device.idle_warning_seconds };
    show("welcome");
  } catch (error) {
    if (error.offline) {
      show("welcome");
      showError(error, { retry: boot });
    } else {
      forgetDevice();
      show("pair");
    }
  }
}

async function pair(code) {
  await whileBusy(async () => {
    try {
      const paired = await deviceApi.post("/devices/pair", { pairing_code: code });
      rememberDevice(paired.access_token);
      $("pair-code").value = "";
      await boot();
    } catch (error) {
      showError(error);
    }
  });
}

export function wirePair() {
  $("pair-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const code = $("pair-code").value.trim();
    if (code) pair(code);
  });
}

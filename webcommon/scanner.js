/* Reading codes: a keyboard-wedge USB scanner and the camera.
 *
 *   import { listenWedge, startCamera, tokenFromScan } from "/webcommon/scanner.js";
 *   const stop = listenWedge((code) => signIn(code), { minLength: 8 });
 *
 * A wedge scanner "types" the code followed by Enter wherever the focus is, so keys are collected
 * on the whole document (never from a focused text field). A pause longer than the key gap starts
 * a new code, which keeps stray key presses apart from scans. The camera uses the browser's
 * BarcodeDetector where it exists and the vendored jsQR (loaded only when needed) elsewhere.
 */
let keyGapMs = 1000;

/* A slow machine typing for a test may pause longer than a real scanner ever does. */
export function setKeyGap(ms) { keyGapMs = ms; }

function isTyping(target) {
  return target && (target.tagName === "INPUT" || target.tagName === "TEXTAREA" || target.isContentEditable);
}

/* onCode(code) for a complete scan of at least minLength characters; onKey(key, buffer), when
 * given, for single keys and short entries (a PIN typed on a keyboard). Returns the stop function. */
export function listenWedge(onCode, { minLength = 8, onKey = null } = {}) {
  let buffer = "";
  let lastKeyAt = 0;
  function keydown(event) {
    if (isTyping(event.target) || event.ctrlKey || event.altKey || event.metaKey) return;
    const now = Date.now();
    if (now - lastKeyAt > keyGapMs) buffer = "";
    lastKeyAt = now;
    if (event.key === "Enter") {
      const code = buffer.trim();
      buffer = "";
      event.preventDefault();
      if (code.length >= minLength) onCode(code);
      else if (onKey) onKey("Enter", code);
      return;
    }
    if (event.key.length === 1) {
      buffer += event.key;
      if (onKey) onKey(event.key, buffer);
    } else if (event.key === "Backspace" && onKey) {
      onKey("Backspace", buffer);
    }
  }
  document.addEventListener("keydown", keydown, true);
  return () => document.removeEventListener("keydown", keydown, true);
}

const JSQR_URL = new URL("./vendor/jsQR.js", import.meta.url).href;
let jsQRLoading = null;

function loadJsQR() {
  if (window.jsQR) return Promise.resolve(window.jsQR);
  jsQRLoading = jsQRLoading || new Promise((resolve, reject) => {
    const script = document.createElement("script"); // jsQR is a classic script: it sets window.jsQR
    script.src = JSQR_URL;
    script.onload = () => resolve(window.jsQR);
    script.onerror = () => { jsQRLoading = null; reject(new Error("jsQR did not load")); };
    document.head.appendChild(script);
  });
  return jsQRLoading;
}

async function frameDecoder(video) {
  if ("BarcodeDetector" in window) {
    const detector = new window.BarcodeDetector({ formats: ["qr_code"] });
    return async () => {
      const codes = await detector.detect(video);
      return codes.length ? codes[0].rawValue : null;
    };
  }
  const jsQR = await loadJsQR();
  const canvas = document.createElement("canvas");
  const context = canvas.getContext("2d", { willReadFrequently: true });
  return async () => {
    if (!video.videoWidth) return null;
    canvas.width = video.videoWidth;
    canvas.height = video.videoHeight;
    context.drawImage(video, 0, 0);
    const image = context.getImageData(0, 0, canvas.width, canvas.height);
    const result = jsQR(image.data, image.width, image.height, { inversionAttempts: "dontInvert" });
    return result ? result.data : null;
  };
}

/* Shows the camera in videoElement and calls onCode(text) once for the first code it reads, then
 * stops. facingMode "environment" (a phone's back camera) or "user" (a kiosk's front camera).
 * Throws when there is no camera or the user refuses it. Returns the stop function. */
export async function startCamera(videoElement, onCode, { facingMode = "environment" } = {}) {
  if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) throw new Error("no camera");
  const stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode }, audio: false });
  let timer = null;
  let stopped = false;
  const stop = () => {
    stopped = true;
    if (timer) clearInterval(timer);
    timer = null;
    stream.getTracks().forEach((track) => track.stop());
    if (videoElement.srcObject === stream) videoElement.srcObject = null;
  };
  try {
    videoElement.srcObject = stream;
    await videoElement.play();
    const decode = await frameDecoder(videoElement);
    if (stopped) return stop;
    timer = setInterval(async () => {
      try {
        const code = await decode();
        if (code && !stopped) {
          stop();
          onCode(code);
        }
      } catch (error) { /* a frame that cannot be read: try the next one */ }
    }, 250);
  } catch (error) {
    stop();
    throw error;
  }
  return stop;
}

/* The token of a card or code URL (…/c/<token>, with or without a query), or the text itself. */
export function tokenFromScan(text) {
  const value = String(text || "").trim();
  const match = value.match(/\/c\/([^/?#\s]+)/);
  return match ? decodeURIComponent(match[1]) : value;
}

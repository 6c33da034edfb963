/* Code input for the kiosk: a keyboard-wedge USB scanner and the camera.
 *
 * A wedge scanner "types" the code followed by Enter, wherever the focus is,
 * so keys are collected on the whole document. A pause longer than
 * keyGapMs between keys starts a new code, which keeps stray key presses
 * apart from scans. The camera uses the browser's BarcodeDetector where it
 * exists and the vendored jsQR (loaded only when needed) elsewhere.
 */
"use strict";

window.KioskScanner = (function () {
  let keyGapMs = 1000;
  const MIN_LENGTH = 8;
  let buffer = "";
  let lastKeyAt = 0;
  let onCode = null;
  let onKey = null;

  function isTyping(target) {
    return target && (target.tagName === "INPUT" || target.tagName === "TEXTAREA");
  }

  document.addEventListener("keydown", function (event) {
    if (isTyping(event.target) || event.ctrlKey || event.altKey || event.metaKey) return;
    const now = Date.now();
    if (now - lastKeyAt > keyGapMs) buffer = "";
    lastKeyAt = now;
    if (event.key === "Enter") {
      const code = buffer.trim();
      buffer = "";
      event.preventDefault();
      if (code.length >= MIN_LENGTH && onCode) {
        onCode(code);
      } else if (onKey) {
        onKey("Enter", code);
      }
      return;
    }
    if (event.key.length === 1) {
      buffer += event.key;
      if (onKey) onKey(event.key, buffer);
    } else if (event.key === "Backspace" && onKey) {
      onKey("Backspace", buffer);
    }
  }, true);

  /* --- camera ------------------------------------------------------------------- */
  let stream = null;
  let timer = null;
  let detector = null;

  function loadJsQR() {
    if (window.jsQR) return Promise.resolve(window.jsQR);
    return new Promise(function (resolve, reject) {
      const script = document.createElement("script");
      script.src = "/webcommon/vendor/jsQR.js";
      script.onload = function () { resolve(window.jsQR); };
      script.onerror = reject;
      document.head.appendChild(script);
    });
  }

  async function startCamera(video, found) {
    stopCamera(video);
    if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) throw new Error("no camera");
    stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: "user" }, audio: false });
    video.srcObject = stream;
    await video.play();
    let decode;
    if ("BarcodeDetector" in window) {
      detector = detector || new window.BarcodeDetector({ formats: ["qr_code"] });
      decode = async function () {
        const codes = await detector.detect(video);
        return codes.length ? codes[0].rawValue : null;
      };
    } else {
      const jsQR = await loadJsQR();
      const canvas = document.createElement("canvas");
      const context = canvas.getContext("2d", { willReadFrequently: true });
      decode = async function () {
        if (!video.videoWidth) return null;
        canvas.width = video.videoWidth;
        canvas.height = video.videoHeight;
        context.drawImage(video, 0, 0);
        const image = context.getImageData(0, 0, canvas.width, canvas.height);
        const result = jsQR(image.data, image.width, image.height, { inversionAttempts: "dontInvert" });
        return result ? result.data : null;
      };
    }
    timer = setInterval(async function () {
      try {
        const code = await decode();
        if (code) {
          stopCamera(video);
          found(code);
        }
      } catch (error) { /* a frame that cannot be read: try the next one */ }
    }, 250);
  }

  function stopCamera(video) {
    if (timer) clearInterval(timer);
    timer = null;
    if (stream) stream.getTracks().forEach(function (track) { track.stop(); });
    stream = null;
    if (video) video.srcObject = null;
  }

  return {
    /* onCode(code) for a complete scan; onKey(key, buffer) for single keys (PIN typing) */
    listen: function (codeHandler, keyHandler) { onCode = codeHandler; onKey = keyHandler; },
    startCamera: startCamera,
    stopCamera: stopCamera,
    cameraOn: function () { return stream !== null; },
    /* a slow machine typing for a test may pause longer than a real scanner ever does */
    setKeyGap: function (ms) { keyGapMs = ms; },
  };
})();

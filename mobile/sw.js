/* The phone app's service worker: keeps the app shell (page, scripts, styles, vendored bundles)
 * so "add to home screen" opens at once and without a signal. It never stores an /api/ answer:
 * those hold personal data (and a phone code must never be replayed from a cache). */
const VERSION = "chengxin-m-7";
const SHELL = [
  "/m/",
  "/m/app.css",
  "/m/manifest.webmanifest",
  "/m/img/icon.svg",
  "/m/img/icon-192.png",
  "/m/js/boot.js",
  "/m/js/main.js",
  "/m/js/i18n.js",
  "/m/js/session.js",
  "/m/js/ui.js",
  "/m/js/vue.js",
  "/m/js/views/account.js",
  "/m/js/views/activity.js",
  "/m/js/views/archive.js",
  "/m/js/views/auth.js",
  "/m/js/views/cards.js",
  "/m/js/views/counter.js",
  "/m/js/views/deed.js",
  "/m/js/views/merchant.js",
  "/m/js/views/lookups.js",
  "/m/js/views/notice.js",
  "/m/js/views/objections.js",
  "/m/js/views/organise.js",
  "/m/js/views/poster.js",
  "/m/js/views/purchases.js",
  "/m/js/views/ratings.js",
  "/m/js/views/resident.js",
  "/m/js/views/review.js",
  "/m/js/views/volunteer.js",
  "/m/js/views/worker.js",
  "/m/js/views/alliance.js",
  "/m/js/views/points.js",
  "/m/js/views/repair.js",
  "/m/js/views/repairs.js",
  "/m/vendor/vue.global.prod.js",
  "/m/vendor/vant.min.js",
  "/m/vendor/vant.css",
  "/m/vendor/uqr.mjs",
  "/webcommon/api.js",
  "/webcommon/errors.js",
  "/webcommon/images.js",
  "/webcommon/scanner.js",
  "/webcommon/session.js",
  "/webcommon/vendor/jsQR.js",
];
const SHELL_PATHS = new Set(SHELL);

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(VERSION).then((cache) => cache.addAll(SHELL)).then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  event.waitUntil(caches.keys()
    .then((keys) => Promise.all(keys.filter((key) => key !== VERSION).map((key) => caches.delete(key))))
    .then(() => self.clients.claim()));
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== self.location.origin) return;
  if (url.pathname.startsWith("/api/")) return; // the network, always: never cached
  if (request.mode === "navigate" && url.pathname.startsWith("/m")) {
    // the page: fresh when online, the kept copy when not
    event.respondWith(fetch(request).then((response) => {
      if (response.ok) caches.open(VERSION).then((cache) => cache.put("/m/", response.clone()));
      return response;
    }).catch(() => caches.match("/m/")));
    return;
  }
  if (!SHELL_PATHS.has(url.pathname)) return;
  // scripts and styles: the kept copy at once, refreshed in the background for the next visit
  event.respondWith(caches.open(VERSION).then(async (cache) => {
    const kept = await cache.match(url.pathname);
    const fresh = fetch(request).then((response) => {
      if (response.ok) cache.put(url.pathname, response.clone());
      return response;
    });
    if (kept) {
      event.waitUntil(fresh.catch(() => {}));
      return kept;
    }
    return fresh;
  }));
});

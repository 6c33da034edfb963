/* The API client every front-end shares (kiosk, phone app, staff console).
 *
 *   import { createApi, ApiError, newIdempotencyKey } from "/webcommon/api.js";
 *   const api = createApi({ getToken: () => token, getLang: () => "zh-CN", onUnauthorized: signOut });
 *   const me = await api.get("/kiosk/me");
 *
 * Every failure is an ApiError: the server's problem+json (code, title, detail, per-field errors)
 * or, when no answer came back, `offline` true with the code "network_error" or "timeout".
 */
const TIMEOUT_MS = 15000;
//: files (PDFs of a whole village, exports) take longer to make than an answer
const FILE_TIMEOUT_MS = 90000;
const SESSION_CODES = ["token_expired", "token_revoked", "token_invalid", "token_missing"];

export class ApiError extends Error {
  constructor({ status = 0, code = "unknown", title = "", detail = "", errors = null, offline = false } = {}) {
    super(detail || title || code);
    this.name = "ApiError";
    this.status = status; //: HTTP status, 0 when no answer came back
    this.code = code; //: the API's stable code (insufficient_points, …) or network_error/timeout/server_busy/unknown
    this.title = title;
    this.detail = detail;
    this.errors = errors || {}; //: per-field messages, {field: [message, …]}
    this.offline = offline;
  }
}

/* One random key per intended write: a retry of the same write sends the same key. */
export function newIdempotencyKey() {
  if (globalThis.crypto && crypto.randomUUID) return crypto.randomUUID();
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

/* A code for an answer without a problem+json body. */
function codeForStatus(status) {
  if (status === 429 || status === 502 || status === 503 || status === 504) return "server_busy";
  return status >= 500 ? "server_error" : "http_error";
}

async function readBody(response) {
  if (response.status === 204) return null;
  const type = response.headers.get("Content-Type") || "";
  if (type.includes("json")) return response.json();
  return response.ok ? response.text() : null;
}

export function createApi({ base = "/api/v1", getToken = () => null, getLang = () => "zh-CN",
  onUnauthorized = null } = {}) {
  async function request(method, path, { body, query, idempotencyKey, raw = false } = {}) {
    let url = base + path;
    if (query) {
      const params = new URLSearchParams();
      Object.entries(query).forEach(([name, value]) => {
        if (value !== null && value !== undefined && value !== "") params.append(name, value);
      });
      if ([...params].length) url += (url.includes("?") ? "&" : "?") + params;
    }
    const headers = { Accept: "application/json, application/problem+json", "Accept-Language": getLang() };
    const token = getToken();
    if (token) headers.Authorization = "Bearer " + token;
    if (idempotencyKey) headers["Idempotency-Key"] = idempotencyKey;
    let payload;
    if (body instanceof FormData) {
      payload = body; // the browser sets the multipart boundary itself
    } else if (body !== undefined) {
      headers["Content-Type"] = "application/json";
      payload = JSON.stringify(body);
    }
    const controller = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => { timedOut = true; controller.abort(); }, raw ? FILE_TIMEOUT_MS : TIMEOUT_MS);
    let response;
    let data = null;
    try {
      response = await fetch(url, { method, headers, body: payload, cache: "no-store", signal: controller.signal });
      if (raw && response.ok) return await response.blob();
      try {
        data = await readBody(response);
      } catch (error) {
        if (response.ok) throw error; // a broken success is a lost answer; a broken error is still an error
      }
    } catch (error) {
      throw new ApiError({ code: timedOut ? "timeout" : "network_error", offline: true });
    } finally {
      clearTimeout(timer);
    }
    if (response.ok) return data;
    const problem = data && typeof data === "object" ? data : {};
    const error = new ApiError({
      status: response.status, code: problem.code || codeForStatus(response.status), title: problem.title || "",
      detail: problem.detail || "", errors: problem.errors,
    });
    if (response.status === 401 && SESSION_CODES.includes(error.code) && onUnauthorized) onUnauthorized(error);
    throw error;
  }

  return {
    get: (path, { query } = {}) => request("GET", path, { query }),
    post: (path, body, { idempotencyKey } = {}) => request("POST", path, { body: body ?? {}, idempotencyKey }),
    patch: (path, body) => request("PATCH", path, { body: body ?? {} }),
    put: (path, body) => request("PUT", path, { body: body ?? {} }),
    del: (path) => request("DELETE", path),
    upload: (path, formData, { idempotencyKey } = {}) => request("POST", path, { body: formData, idempotencyKey }),
    blob: (path) => request("GET", path, { raw: true }),
  };
}

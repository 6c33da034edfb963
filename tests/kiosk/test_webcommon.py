"""The shared front-end modules: served as ES modules, and their contract checked in Node.

The kiosk's browser tests use them for real; here each promise of the contract is checked on its
own (Node 18+ runs ES modules and has fetch, so a fake fetch stands in for the server).
"""
import json
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("name", ["api.js", "errors.js", "scanner.js", "vendor/jsQR.js"])
def test_webcommon_files_are_served_as_javascript(client, name):
    response = client.get(f"/webcommon/{name}")
    assert response.status_code == 200
    assert response.mimetype in ("text/javascript", "application/javascript")
    assert response.data == (ROOT / "webcommon" / name).read_bytes()


def test_webcommon_does_not_serve_outside_its_folder(client):
    assert client.get("/webcommon/../backend/config.py").status_code == 404


NODE_CHECKS = r"""
import { createApi, ApiError, newIdempotencyKey } from "./webcommon/api.js";
import { errorMessage, texts } from "./webcommon/errors.js";
import { tokenFromScan } from "./webcommon/scanner.js";

const seen = [];
function answer(status, body, type = "application/problem+json") {
  return new Response(body === null ? null : JSON.stringify(body), { status, headers: { "Content-Type": type } });
}
const replies = [
  answer(200, { points: 5 }, "application/json"),
  answer(409, { code: "insufficient_points", title: "Not enough points", detail: "需要 30 积分", errors: { lines: ["x"] } }),
  answer(401, { code: "token_expired", title: "Expired", detail: "登录已过期" }),
  answer(503, null, "text/plain"),
];
globalThis.fetch = async (url, init) => {
  seen.push({ url, method: init.method, headers: init.headers, body: init.body });
  if (!replies.length) throw new TypeError("Failed to fetch");
  return replies.shift();
};
const expired = [];
const api = createApi({ getToken: () => "T", getLang: () => "en", onUnauthorized: (e) => expired.push(e.code) });
const result = { ok: await api.get("/kiosk/me", { query: { page: 2, q: null } }) };
for (const call of [() => api.post("/kiosk/orders", { lines: [] }, { idempotencyKey: "K1" }),
                    () => api.del("/kiosk/sessions/current"), () => api.get("/x"), () => api.get("/y")]) {
  try { await call(); result.unexpected = true; } catch (e) {
    result[e.code] = { isApiError: e instanceof ApiError, status: e.status, title: e.title, detail: e.detail,
                       errors: e.errors, offline: e.offline, message: errorMessage(e, "zh-CN") };
  }
}
result.seen = seen;
result.expired = expired;
result.keys = [newIdempotencyKey(), newIdempotencyKey()];
result.tokens = [tokenFromScan("https://x.cn/c/abc.DEF-1?x=1"), tokenFromScan(" abc "), tokenFromScan("http://h/c/q%2Bz")];
result.enOffline = errorMessage({ offline: true, code: "network_error" }, "en");
result.texts = texts;
console.log(JSON.stringify(result));
"""


@pytest.fixture(scope="module")
def node_result():
    node = shutil.which("node")
    if not node:
        pytest.skip("node is not installed")
    out = subprocess.run([node, "--input-type=module", "-e", NODE_CHECKS], cwd=ROOT, capture_output=True,
                         text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


def test_api_client_sends_token_language_and_idempotency_key(node_result):
    first, second, third = node_result["seen"][:3]
    assert node_result["ok"] == {"points": 5}
    assert first["url"] == "/api/v1/kiosk/me?page=2" and first["method"] == "GET"
    assert first["headers"]["Authorization"] == "Bearer T" and first["headers"]["Accept-Language"] == "en"
    assert second["headers"]["Idempotency-Key"] == "K1" and json.loads(second["body"]) == {"lines": []}
    assert third["method"] == "DELETE" and "Idempotency-Key" not in third["headers"]


def test_api_client_turns_problems_into_api_errors(node_result):
    refused = node_result["insufficient_points"]
    assert refused == {"isApiError": True, "status": 409, "title": "Not enough points", "detail": "需要 30 积分",
                       "errors": {"lines": ["x"]}, "offline": False, "message": "需要 30 积分"}
    assert node_result["server_busy"]["status"] == 503
    assert node_result["server_busy"]["message"] == node_result["texts"]["zh-CN"]["server_busy"]
    offline = node_result["network_error"]
    assert offline["offline"] is True and offline["status"] == 0
    assert offline["message"] == node_result["texts"]["zh-CN"]["offline"]
    assert node_result["enOffline"] == node_result["texts"]["en"]["offline"]


def test_api_client_reports_an_expired_session(node_result):
    assert node_result["expired"] == ["token_expired"]
    assert node_result["token_expired"]["status"] == 401


def test_idempotency_keys_differ_and_scans_give_tokens(node_result):
    first, second = node_result["keys"]
    assert first != second and len(first) >= 32
    assert node_result["tokens"] == ["abc.DEF-1", "abc", "q+z"]

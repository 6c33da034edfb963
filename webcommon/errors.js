/* Error texts for what the API cannot say itself: no answer, a timeout, a busy or broken server.
 *
 *   import { errorMessage } from "/webcommon/errors.js";
 *   errorMessage(apiError, "zh-CN")
 *
 * Anything the server refused comes with its own `detail`, already meant for the reader; that
 * text wins. Front-ends keep their own friendlier texts for the codes they handle specially.
 */
export const texts = {
  "zh-CN": {
    offline: "网络连接中断，请检查网络后重试。",
    timeout: "服务器响应超时，请稍后重试。",
    server_busy: "系统繁忙，请稍后再试。",
    unknown: "出了点问题，请稍后再试或联系工作人员。",
  },
  en: {
    offline: "The network connection was lost. Please check it and try again.",
    timeout: "The server took too long to answer. Please try again shortly.",
    server_busy: "The system is busy. Please try again in a moment.",
    unknown: "Something went wrong. Please try again later or ask the staff.",
  },
};

/* "zh", "zh-CN", "en-GB" … → a key of `texts`. */
function textsFor(lang) {
  return String(lang || "").toLowerCase().startsWith("en") ? texts.en : texts["zh-CN"];
}

export function errorMessage(err, lang) {
  const local = textsFor(lang);
  if (!err) return local.unknown;
  if (err.offline) return err.code === "timeout" ? local.timeout : local.offline;
  if (err.detail) return err.detail;
  if (err.code === "server_busy") return local.server_busy;
  return local.unknown;
}

/* The receipt: pickup code (and its QR), the goods, the balance left; printable. */
import { signOut } from "../session.js";
import { state } from "../state.js";
import { $, el, formatDate, localName, registerScreen, t } from "../ui.js";

function renderReceipt() {
  const receipt = state.receipt;
  if (!receipt) return;
  const order = receipt.order;
  $("receipt-shop").textContent = localName(receipt.supermarket) + " · " + receipt.masked_name;
  $("receipt-qr").src = receipt.pickup_qr;
  $("pickup-code").textContent = order.pickup_code;
  $("receipt-no").textContent = order.receipt_no;
  const list = $("receipt-lines");
  list.textContent = "";
  order.lines.forEach((line) => {
    list.appendChild(el("li", null,
      el("span", { text: localName(line) + " × " + line.quantity }),
      el("span", { text: line.line_points + " " + t("common.points") })));
  });
  $("receipt-total").textContent = order.total_points + " " + t("common.points");
  $("receipt-balance").textContent = receipt.balance_after + " " + t("common.points");
  $("receipt-time").textContent = formatDate(order.created_at);
}

export function wireReceipt() {
  registerScreen("receipt", { render: renderReceipt });
  $("print-button").addEventListener("click", () => window.print());
  $("done-button").addEventListener("click", signOut);
}

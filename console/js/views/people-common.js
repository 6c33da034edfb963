/* What the district-keeping screens share: my villages by role, and an API refusal split into the
 * message for each form field (shown next to it) and the one for the whole form. */
import { localName, messageOf } from "../i18n.js";
import { api, hasRole, session } from "../session.js";

/* Towns and villages of the district (the names every list shows). */
export async function loadPlaces() {
  const [towns, villages] = await Promise.all([
    api.get("/towns", { query: { per_page: 100 } }),
    api.get("/communities", { query: { per_page: 100 } }),
  ]);
  return { towns: towns.items, villages: villages.items };
}

/* The villages where I hold one of `roles` (a district admin: all of them). */
export function villagesWhere(villages, ...roles) {
  if (hasRole("district_admin")) return villages;
  const mine = new Set(roles.flatMap((role) => (session.me.roles || {})[role] || []));
  return villages.filter((v) => mine.has(v.id));
}

export const nameOf = (rows) => Object.fromEntries(rows.map((row) => [row.id, localName(row, "name")]));

/* {field: message} from an ApiError's per-field errors, and the form's own message. */
export function refusal(error) {
  const fields = {};
  for (const [field, messages] of Object.entries((error && error.errors) || {})) {
    const list = Array.isArray(messages) ? messages : [messages];
    fields[field] = list.map((m) => (typeof m === "string" ? m : JSON.stringify(m))).join(" ");
  }
  return { fields, message: messageOf(error) };
}

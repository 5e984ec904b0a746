// Small DOM helpers shared by the portal's modules. Server text is always set as text, never HTML.

export function byId(id) { return document.getElementById(id); }

export function fieldValue(form, name) {
  const el = form.elements[name];
  return el ? String(el.value || "").trim() : "";
}

export function showFieldError(form, name, message) {
  const input = form.elements[name];
  const slot = byId("err-" + name);
  if (input) { input.setAttribute("aria-invalid", message ? "true" : "false"); }
  if (slot) { slot.textContent = message || ""; slot.hidden = !message; }
}

export function setStatus(id, text, kind) {
  const el = byId(id);
  el.textContent = text || "";
  el.className = "form-status" + (kind ? " " + kind : "");
}

export function formatTime(iso) {
  if (!iso) { return ""; }
  return new Date(iso).toLocaleString("zh-CN", { timeZone: "Asia/Shanghai", hour12: false });
}

export async function readJson(response) {
  try { return await response.json(); } catch { return {}; }
}

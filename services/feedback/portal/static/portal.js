// Citizen portal: file a grievance (intake's API), look one up, watch its timeline live (SSE),
// rate the answer (回访) or ask for 复查. ES modules, no build step.

import { byId, fieldValue, setStatus } from "./dom.js";
import { installFiling } from "./filing.js";
import { api, watch } from "./progress.js";

function installLookup() {
  const form = byId("lookup-form");
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const trackingNo = fieldValue(form, "tracking_no");
    const token = fieldValue(form, "token");
    for (const [name, value, missing] of [["tracking_no", trackingNo, "请填写查询编号"], ["token", token, "请填写查询码"]]) {
      const slot = byId("err-lookup-" + name);
      slot.textContent = value ? "" : missing;
      slot.hidden = Boolean(value);
      form.elements[name].setAttribute("aria-invalid", value ? "false" : "true");
    }
    if (!trackingNo || !token) { return; }
    setStatus("lookup-status", "查询中…");
    watch(trackingNo, token);
  });
}

async function post(path, payload, panel) {
  const res = await api(path, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(payload),
  });
  if (res.status === 201) {
    byId(panel).hidden = true;
    setStatus("follow-up-status", res.body.message_zh, "ok");
  } else {
    setStatus("follow-up-status", res.body.detail || "提交失败，请稍后再试。", "error");
  }
}

function installFollowUp() {
  byId("rate-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const form = event.target;
    const choice = form.querySelector('input[name="rating"]:checked');
    byId("err-rating").hidden = Boolean(choice);
    byId("err-rating").textContent = choice ? "" : "请选择满意程度";
    if (choice) { post("/rating", { rating: choice.value, comment: fieldValue(form, "comment") }, "rate"); }
  });
  byId("review-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const form = event.target;
    const reason = fieldValue(form, "reason");
    const message = Array.from(reason).length < 5 ? "请填写申请理由，至少 5 个字" : "";
    byId("err-review-reason").textContent = message;
    byId("err-review-reason").hidden = !message;
    form.elements.reason.setAttribute("aria-invalid", message ? "true" : "false");
    if (!message) { post("/review-requests", { level: "review", reason }, "review"); }
  });
}

installFiling((trackingNo, token) => watch(trackingNo, token, true));
installLookup();
installFollowUp();

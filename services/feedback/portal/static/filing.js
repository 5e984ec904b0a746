// Filing a grievance through intake's API, with its answers shown field by field.

import { byId, fieldValue, readJson, setStatus, showFieldError } from "./dom.js";
import { RULES } from "./validation.js";

const INTAKE = document.querySelector('meta[name="intake-base-url"]')?.content || "";
let idempotencyKey = null;

// 128 random bits; crypto.randomUUID() needs HTTPS, getRandomValues() does not.
function newKey() {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

function showSummary(form, errors) {
  const box = byId("file-errors");
  const list = box.querySelector("ul");
  list.textContent = "";
  for (const error of errors) {
    const li = document.createElement("li");
    const input = form.elements[error.field];
    if (input && input.id) {
      const link = document.createElement("a");
      link.href = "#" + input.id;
      link.textContent = error.message;
      li.appendChild(link);
    } else {
      li.textContent = error.message;
    }
    list.appendChild(li);
  }
  box.hidden = errors.length === 0;
  if (errors.length) { box.focus(); }
}

function validate(form) {
  const errors = [];
  for (const [name, rule] of Object.entries(RULES)) {
    const message = rule(fieldValue(form, name));
    showFieldError(form, name, message);
    if (message) { errors.push({ field: name, message }); }
  }
  return errors;
}

function grievanceBody(form) {
  const optional = (name) => fieldValue(form, name) || null;
  return {
    complainant: {
      name: fieldValue(form, "complainant.name"),
      mobile: fieldValue(form, "complainant.mobile"),
      id_card: optional("complainant.id_card"),
      anonymous: form.elements["complainant.anonymous"].checked,
    },
    address: {
      street: fieldValue(form, "address.street"),
      community: fieldValue(form, "address.community"),
      detail: optional("address.detail"),
    },
    title: fieldValue(form, "title"),
    content: fieldValue(form, "content"),
    respondent: optional("respondent"),
    desired_outcome: optional("desired_outcome"),
  };
}

// intake's problem+json: errors[].field is the dotted path, which is also the input's name.
function problemErrors(problem) {
  return (problem.errors || []).map((e) => ({ field: e.field, message: e.message_zh || e.message || "输入不正确" }));
}

function showFiled(accepted, onFiled) {
  byId("filed-message").textContent = accepted.message_zh || "";
  byId("filed-tracking-no").textContent = accepted.tracking_no;
  byId("filed-token").textContent = accepted.tracking_token;
  byId("file-form").hidden = true;
  byId("filed").hidden = false;
  byId("filed").focus();
  byId("l-tracking-no").value = accepted.tracking_no;
  byId("l-token").value = accepted.tracking_token;
  onFiled(accepted.tracking_no, accepted.tracking_token);
}

async function submit(form, onFiled) {
  const errors = validate(form);
  showSummary(form, errors);
  if (errors.length) { return; }
  setStatus("file-status", "正在提交…");
  // The same key for retries of this filling-in: a repeated click files one grievance.
  idempotencyKey = idempotencyKey || newKey();
  let response;
  try {
    response = await fetch(INTAKE + "/v1/grievances", {
      method: "POST",
      headers: { "Content-Type": "application/json", "Idempotency-Key": idempotencyKey },
      body: JSON.stringify(grievanceBody(form)),
    });
  } catch {
    setStatus("file-status", "网络异常，提交未完成，请检查网络后重试。", "error");
    return;
  }
  const body = await readJson(response);
  if (response.status === 202) {
    idempotencyKey = null;
    form.reset();
    setStatus("file-status", "");
    showFiled(body, onFiled);
  } else if (response.status === 422 && body.errors) {
    const serverErrors = problemErrors(body);
    serverErrors.forEach((e) => showFieldError(form, e.field, e.message));
    showSummary(form, serverErrors);
    setStatus("file-status", body.detail || "提交的内容有误，请按提示修改后重试。", "error");
  } else {
    setStatus("file-status", body.detail || "提交失败，请稍后再试。", "error");
  }
}

async function copyCredentials() {
  const text = "查询编号：" + byId("filed-tracking-no").textContent + "\n查询码：" + byId("filed-token").textContent;
  try {
    await navigator.clipboard.writeText(text);
    setStatus("file-status", "已复制，请妥善保存。", "ok");
  } catch {
    setStatus("file-status", "复制失败，请手动抄写。", "error");
  }
}

export function installFiling(onFiled) {
  const form = byId("file-form");
  const button = byId("file-submit");
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    button.disabled = true;
    try { await submit(form, onFiled); } finally { button.disabled = false; }
  });
  // Check a field as soon as the citizen leaves it, so the message appears where they type.
  for (const [name, rule] of Object.entries(RULES)) {
    form.elements[name]?.addEventListener("blur", () => showFieldError(form, name, rule(fieldValue(form, name))));
  }
  byId("copy-credentials").addEventListener("click", copyCredentials);
  byId("file-another").addEventListener("click", () => {
    byId("filed").hidden = true;
    form.hidden = false;
    form.elements["complainant.name"].focus();
  });
}

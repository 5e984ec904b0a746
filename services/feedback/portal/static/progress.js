// One grievance's timeline: loaded once, then kept live through Server-Sent Events (a grievance
// just filed: straight from the stream, which replays it whole).

import { byId, formatTime, readJson, setStatus } from "./dom.js";

// After these, what the citizen may do (rate, ask for 复查) may have changed.
const FOLLOW_UP_STATUSES = ["replied", "closed", "rated", "reopened", "review_requested", "review_decided"];

let current = { trackingNo: null, token: null, lastSeq: 0, source: null, retryTimer: null };

export async function api(path, options = {}) {
  const headers = { "X-Tracking-Token": current.token, ...(options.headers || {}) };
  const response = await fetch("/v1/grievances/" + encodeURIComponent(current.trackingNo) + path, { ...options, headers });
  return { status: response.status, body: await readJson(response) };
}

function appendEntry(entry) {
  if (entry.sequence <= current.lastSeq) { return; }
  current.lastSeq = entry.sequence;
  const li = document.createElement("li");
  li.dataset.status = entry.status;
  li.dataset.seq = String(entry.sequence);
  const label = document.createElement("span");
  label.className = "status-label";
  label.textContent = entry.status_label;
  const time = document.createElement("time");
  time.dateTime = entry.occurred_at;
  time.textContent = formatTime(entry.occurred_at);
  const message = document.createElement("p");
  message.className = "message";
  message.textContent = entry.message_zh;
  const actor = document.createElement("p");
  actor.className = "actor";
  actor.textContent = entry.actor + (entry.due_at ? " · 办理时限 " + formatTime(entry.due_at) : "");
  li.append(label, time, message, actor);
  byId("timeline").appendChild(li);
  byId("progress-status").textContent = entry.status_label;
}

function renderFollowUp(timeline) {
  const f = timeline.follow_up;
  byId("rate").hidden = !f.can_rate;
  byId("review").hidden = !f.can_request_review;
  byId("rate-window").textContent = f.window_ends_at
    ? "不满意的，可在 " + formatTime(f.window_ends_at) + " 前申请重新办理。" : "";
  if (f.last_rating && !f.can_rate) {
    setStatus("follow-up-status", "您的评价：" + f.last_rating.rating_label, "ok");
  }
}

export async function refreshFollowUp() {
  const res = await api("/timeline");
  if (res.status === 200) { renderFollowUp(res.body); }
}

function setLive(text, kind) {
  const el = byId("live-indicator");
  el.textContent = text;
  el.className = "live" + (kind ? " " + kind : "");
}

function openStream() {
  const url = "/v1/grievances/" + encodeURIComponent(current.trackingNo) + "/events?token=" +
    encodeURIComponent(current.token) + "&last_event_id=" + current.lastSeq;
  const source = new EventSource(url);
  current.source = source;
  source.addEventListener("open", () => setLive("实时更新中", "connected"));
  source.addEventListener("status", (event) => {
    const entry = JSON.parse(event.data);
    appendEntry(entry);
    if (FOLLOW_UP_STATUSES.includes(entry.status)) { refreshFollowUp(); }
  });
  source.addEventListener("error", () => {
    if (source.readyState === EventSource.CLOSED) {
      // Refused (e.g. too many connections): try again later from the last entry shown.
      setLive("连接已断开，稍后自动重连…", "reconnecting");
      current.retryTimer = setTimeout(openStream, 5000);
    } else {
      // The browser reconnects by itself and sends Last-Event-ID: nothing is missed.
      setLive("连接中断，正在重新连接…", "reconnecting");
    }
  });
}

function stopWatching() {
  current.source?.close();
  clearTimeout(current.retryTimer);
}

export async function watch(trackingNo, token, justFiled = false) {
  stopWatching();
  current = { trackingNo, token, lastSeq: 0, source: null, retryTimer: null };
  byId("timeline").textContent = "";
  byId("progress").hidden = false;
  byId("progress-tracking-no").textContent = trackingNo;
  byId("progress-status").textContent = "查询中…";
  setStatus("follow-up-status", "");
  setLive("连接中…", "");
  if (justFiled) {
    // Filed a moment ago, perhaps before feedback has heard of it: the stream waits for the
    // number and then replays the timeline from its first entry, so nothing is loaded first.
    byId("rate").hidden = true;
    byId("review").hidden = true;
    byId("rate-window").textContent = "";
    setStatus("lookup-status", "");
    openStream();
    return;
  }
  let res;
  try {
    res = await api("/timeline");
  } catch {
    setLive("网络异常，请稍后重试。", "reconnecting");
    return;
  }
  if (res.status !== 200) {
    byId("progress").hidden = true;
    setStatus("lookup-status", res.body.detail || "查询失败，请稍后再试。", "error");
    return;
  }
  setStatus("lookup-status", "");
  byId("progress-status").textContent = res.body.status_label;
  res.body.entries.forEach(appendEntry);
  renderFollowUp(res.body);
  openStream();
}

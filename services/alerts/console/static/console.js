// IOC operator console: live alerts (Server-Sent Events), the plan's target scoreboard and a
// drill-down per target. Vietnamese by default, English on request. No framework, no CDN.
"use strict";

const TEXT = {
  vi: {
    title: "Trung tâm điều hành thông minh", loading: "Đang tải…", signOut: "Đăng xuất",
    signIn: "Đăng nhập", apiKey: "Khóa API của cán bộ trực", signInFailed: "Khóa không hợp lệ.",
    alerts: "Cảnh báo trực tiếp", targets: "Bảng mục tiêu", allStatuses: "Mọi trạng thái",
    filterStatus: "Lọc theo trạng thái", noAlerts: "Không có cảnh báo.", comment: "Ghi chú",
    acknowledge: "Xác nhận", assign: "Giao xử lý", silence: "Tạm ẩn 1 giờ", resolve: "Đóng",
    assignee: "Giao cho (mã đơn vị)", target: "Mục tiêu", current: "Hiện tại", progress: "Tiến độ",
    status: "Trạng thái", deadline: "Hạn", back: "← Bảng mục tiêu", trend: "Xu hướng và dự báo",
    byCommune: "Theo xã, phường", byAgency: "Theo cơ quan", unit: "Đơn vị", value: "Giá trị",
    targetAlerts: "Cảnh báo của mục tiêu", since: "từ", silenced: "đang tạm ẩn", live: "Trực tiếp",
    offline: "Mất kết nối", noBreakdown: "Chưa có số liệu chi tiết.", history: "Số liệu",
    forecastBand: "Khoảng dự báo", targetLine: "Mục tiêu", assignedTo: "giao cho",
    noSeries: "Chưa có số liệu", milestones: "Các mốc của chỉ tiêu", year: "Năm",
    result: "Kết quả", figure: "Số liệu", finalBy: "Chốt số liệu", line: "Dòng kế hoạch",
    planNotes: "Lưu ý về kế hoạch", planNotesLink: "Lưu ý về kế hoạch →", scope: "Phạm vi và quy mô",
    inconsistencies: "Điểm chưa thống nhất trong kế hoạch", noNotes: "Không có lưu ý.",
    aspiration: "hướng tới", provisional: "tạm tính", notScoredLine: "không chấm điểm",
    partYear: "chưa đủ năm", scorecard: "Bộ chỉ số phục vụ (QĐ 766/QĐ-TTg)",
    scorecardLink: "Bộ chỉ số 766 →", communes: "Xã, phường", agencies: "Sở, ban, ngành",
    province: "Toàn tỉnh", rank: "Hạng", score: "Điểm", notMeasured: "chưa đo",
    scoreOutOf: "trên", scoreNote: "Điểm tính trên các nhóm IOC đo được từ dữ liệu hồ sơ, phản ánh; không quy đổi lên 100.",
  },
  en: {
    title: "Smart Operations Centre", loading: "Loading…", signOut: "Sign out",
    signIn: "Sign in", apiKey: "Operator API key", signInFailed: "Unknown key.",
    alerts: "Live alerts", targets: "Target scoreboard", allStatuses: "All statuses",
    filterStatus: "Filter by status", noAlerts: "No alerts.", comment: "Comment",
    acknowledge: "Acknowledge", assign: "Assign", silence: "Silence 1 h", resolve: "Resolve",
    assignee: "Assign to (unit code)", target: "Target", current: "Current", progress: "Progress",
    status: "Status", deadline: "Deadline", back: "← Scoreboard", trend: "Trend and forecast",
    byCommune: "By commune or ward", byAgency: "By agency", unit: "Unit", value: "Value",
    targetAlerts: "Alerts of this target", since: "since", silenced: "silenced", live: "Live",
    offline: "Disconnected", noBreakdown: "No breakdown yet.", history: "Reported",
    forecastBand: "Forecast range", targetLine: "Target", assignedTo: "assigned to",
    noSeries: "No data", milestones: "Milestones of this target", year: "Year",
    result: "Result", figure: "Figure", finalBy: "Final by", line: "Plan line",
    planNotes: "Notes on the plan", planNotesLink: "Notes on the plan →", scope: "Scope and sizing",
    inconsistencies: "Inconsistencies in the plan", noNotes: "No notes.",
    aspiration: "aiming at", provisional: "provisional", notScoredLine: "not scored",
    partYear: "part of the year", scorecard: "Service scorecard (Decision 766/QĐ-TTg)",
    scorecardLink: "766 scorecard →", communes: "Communes and wards", agencies: "Departments",
    province: "Province", rank: "Rank", score: "Score", notMeasured: "not measured",
    scoreOutOf: "of", scoreNote: "Scored over the groups IOC measures from dossiers and feedback; never scaled up to 100.",
  },
};
// The names and order of the domain's codes (statuses, groups, severities, states, kinds) come
// from the server (/v1/vocabulary): this script keeps no copy of them.
let vocabulary = { status: [], result: [], group: [], severity: [], state: [], kind: [] };
const codes = (kind) => vocabulary[kind].map((entry) => entry.code);
const rank = (kind, code) => codes(kind).indexOf(code);

let lang = localStorage.getItem("ioc-lang") === "en" ? "en" : "vi";
const alerts = new Map();
let targets = [];
let statusFilter = "";
let stream = null;

const named = (code) => {
  for (const entries of Object.values(vocabulary)) {
    const found = entries.find((entry) => entry.code === code);
    if (found) return found[lang];
  }
  return undefined;
};
const t = (key) => TEXT[lang][key] ?? named(key) ?? key;
const number = (value, digits = 1) =>
  value === null || value === undefined ? "—"
    : new Intl.NumberFormat(lang === "vi" ? "vi-VN" : "en-GB", { maximumFractionDigits: digits }).format(value);
// A value in its indicator's unit: an index keeps two decimals (0,60), a share one.
const inUnit = (unit, value) => {
  if (value === null || value === undefined) return "—";
  const digits = { index: 2, "%": 1 }[unit] ?? 1;
  return new Intl.NumberFormat(lang === "vi" ? "vi-VN" : "en-GB",
    { minimumFractionDigits: unit === "index" ? 2 : 0, maximumFractionDigits: digits }).format(value);
};
const day = (iso) => { const [y, m, d] = iso.slice(0, 10).split("-"); return `${d}/${m}/${y}`; };
const time = (iso) => {
  const at = new Date(iso);
  const pad = (n) => String(n).padStart(2, "0");
  return `${pad(at.getHours())}:${pad(at.getMinutes())} ${pad(at.getDate())}/${pad(at.getMonth() + 1)}/${at.getFullYear()}`;
};

function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === false || value === null || value === undefined) continue;
    if (name.startsWith("on")) node.addEventListener(name.slice(2), value);
    else if (name === "class") node.className = value;
    else node.setAttribute(name, value === true ? "" : value);
  }
  for (const child of children.flat()) {
    if (child !== null && child !== undefined) node.append(child instanceof Node ? child : String(child));
  }
  return node;
}

async function api(path, options = {}) {
  const response = await fetch(path, {
    credentials: "same-origin",
    headers: { "content-type": "application/json" },
    ...options,
  });
  if (response.status === 401) { showSignIn(); throw new Error("unauthorized"); }
  if (!response.ok) throw new Error(`${response.status} ${await response.text()}`);
  return response.status === 204 ? null : response.json();
}

function translateStatic() {
  document.documentElement.lang = lang;
  document.title = `IOC — ${t("title")}`;
  document.querySelectorAll("[data-i18n]").forEach((node) => { node.textContent = t(node.dataset.i18n); });
  document.getElementById("lang").textContent = lang === "vi" ? "EN" : "VI";
}

function showSignIn(message = "") {
  if (stream) { stream.close(); stream = null; }
  document.getElementById("sign-out").hidden = true;
  document.getElementById("who").textContent = "";
  const input = el("input", { id: "api-key", type: "password", autocomplete: "off", required: true });
  const form = el("form", { class: "panel signin", onsubmit: signIn },
    el("h2", {}, t("signIn")),
    el("label", { for: "api-key" }, t("apiKey")), input,
    el("p", { class: "error", role: "alert" }, message),
    el("button", { type: "submit" }, t("signIn")));
  document.getElementById("main").replaceChildren(el("section", { class: "panel signin" }, form));
  input.focus();
}

async function signIn(event) {
  event.preventDefault();
  const response = await fetch("/v1/session", {
    method: "POST", credentials: "same-origin", headers: { "content-type": "application/json" },
    body: JSON.stringify({ api_key: document.getElementById("api-key").value }),
  });
  if (!response.ok) { showSignIn(t("signInFailed")); return; }
  await start();
}

// --- alerts -------------------------------------------------------------------------------

function alertCard(alert, fresh = false) {
  const summary = lang === "vi" ? alert.summary_vi : alert.summary_en;
  const explanation = alert.details[lang === "vi" ? "explanation_vi" : "explanation_en"];
  const comment = el("input", { type: "text", "aria-label": t("comment"), placeholder: t("comment") });
  const act = (action, extra = {}) => async () => {
    await api(`/v1/alerts/${alert.fingerprint}/${action}`, {
      method: "POST", body: JSON.stringify({ comment: comment.value, ...extra }),
    });
  };
  const assign = async () => {
    const assignee = prompt(t("assignee"), alert.labels.agency ?? "");
    if (assignee) await act("assign", { assignee })();
  };
  const silence = async () => {
    await api("/v1/silences", {
      method: "POST",
      body: JSON.stringify({
        matchers: Object.entries(alert.labels).map(([label, value]) => ({ label, value })),
        minutes: 60, comment: comment.value,
      }),
    });
  };
  const active = alert.state !== "resolved";
  const assigned = alert.assignee ? ` · ${t("assignedTo")} ${alert.assignee}` : "";
  return el("article", {
    class: `alert ${active ? alert.severity : "resolved"}${fresh ? " new" : ""}`,
    "data-fingerprint": alert.fingerprint, "data-state": alert.state,
  },
  el("h3", {}, el("span", { class: `badge ${alert.severity}` }, t(alert.severity)), " ", summary),
  explanation ? el("p", { class: "explain" }, explanation) : null,
  alert.details.ids ? el("p", { class: "explain" }, alert.details.ids) : null,
  el("p", { class: "meta" },
    `${t(alert.state)} · ${t("since")} ${time(alert.started_at)}${assigned}`,
    alert.silenced ? ` · ${t("silenced")}` : "",
    alert.labels.target ? [" · ", el("a", { href: `/targets/${alert.labels.target}` }, alert.labels.target)] : ""),
  active ? el("div", { class: "actions" }, comment,
    alert.state === "firing" ? el("button", { type: "button", onclick: act("acknowledge") }, t("acknowledge")) : null,
    el("button", { type: "button", onclick: assign }, t("assign")),
    el("button", { type: "button", onclick: silence }, t("silence")),
    el("button", { type: "button", onclick: act("resolve") }, t("resolve"))) : null);
}

function sortedAlerts(filter = () => true) {
  return [...alerts.values()].filter(filter).sort((a, b) =>
    (a.state === "resolved") - (b.state === "resolved")
    || rank("severity", a.severity) - rank("severity", b.severity)
    || b.updated_at.localeCompare(a.updated_at));
}

function renderFeed(freshFingerprint = null, filter = () => true) {
  const feed = document.getElementById("feed");
  if (!feed) return;
  const shown = sortedAlerts(filter).slice(0, 100);
  const active = shown.filter((a) => a.state !== "resolved");
  const counts = codes("severity").map((s) =>
    el("span", { class: `count badge ${s}` }, `${t(s)}: ${active.filter((a) => a.severity === s).length}`));
  const cards = shown.map((a) => alertCard(a, a.fingerprint === freshFingerprint));
  feed.replaceChildren(el("div", { class: "counts" }, counts), ...(cards.length ? cards : [el("p", {}, t("noAlerts"))]));
}

function follow(onChange) {
  if (stream) stream.close();
  stream = new EventSource("/v1/alerts/stream");
  const state = document.getElementById("live");
  stream.onopen = () => { if (state) state.textContent = `● ${t("live")}`; };
  stream.onerror = () => { if (state) state.textContent = `○ ${t("offline")}`; };
  stream.addEventListener("change", (event) => {
    const change = JSON.parse(event.data);
    if (change.alert) {
      alerts.set(change.alert.fingerprint, change.alert);  // as the alert API shows it
      onChange(change.alert.fingerprint);
    }
  });
}

// --- scoreboard ---------------------------------------------------------------------------

function progressOf(target) {
  const goal = target.milestone.value;
  if (!target.latest || goal === null || goal === 0) return null;
  return Math.max(0, Math.min(1, target.latest.value / goal));
}

function goalOf(target, milestone) {
  if (milestone.value === null) return milestone.level > 1 ? `≥ ${milestone.level}` : "✓";
  const symbol = { ">=": "≥", "<=": "≤", "=": "=" }[target.comparator];
  const v = (value) => inUnit(target.indicator.unit, value);
  const goal = milestone.upper !== null ? `${v(milestone.value)}–${v(milestone.upper)}` : `${symbol} ${v(milestone.value)}`;
  return milestone.aspiration !== null ? `${goal} (${t("aspiration")} ${v(milestone.aspiration)})` : goal;
}

// One step of the milestone timeline: 2025 ✓ 0,62 · 2030 on track. The milestone in view shows
// the target's own status; a final result its mark and figure.
const MARKS = { achieved: "✓", missed: "✗", awaiting: "…", unreported: "?", not_scored: "·", open: "" };

function isInView(target, r) {
  return r.year === target.year && r.deadline === target.milestone.deadline;
}

function timeline(target) {
  return el("ol", { class: "timeline", "aria-label": t("milestones") }, target.results.map((r) => {
    const current = isInView(target, r);
    const status = current && r.status === "open" ? target.status : r.status;
    const figure = r.figure && r.status !== "open" ? ` ${inUnit(target.indicator.unit, r.figure.value)}` : "";
    const label = current && r.status === "open" ? `${r.year} ${t(status)}` : `${r.year} ${MARKS[r.status] ?? ""}${figure}`;
    return el("li", { class: `step ${status}${current ? " current" : ""}`, "data-year": r.year,
      "data-result": r.status, title: t(status), "aria-label": `${r.year}: ${t(status)}${figure}` }, label);
  }));
}

function targetRow(target) {
  const name = target.indicator[lang === "vi" ? "name_vi" : "name_en"];
  const share = progressOf(target);
  const goal = goalOf(target, target.milestone);
  return el("tr", { "data-target": target.id, "data-status": target.status },
    el("td", {}, el("a", { href: `/targets/${target.id}` }, name),
      el("p", { class: "explain" }, lang === "vi" ? target.explanation_vi : target.explanation_en),
      timeline(target)),
    el("td", { class: "num" }, target.latest ? number(target.latest.value, 2) : "—"),
    el("td", {}, `${goal} · ${day(target.milestone.deadline)}`,
      share === null ? null : el("div", { class: "progress", role: "img", "aria-label": `${Math.round(share * 100)}%` },
        el("span", { style: null, "data-width": share }))),
    el("td", {}, el("span", { class: `badge ${target.status}` }, t(target.status))));
}

function renderScoreboard() {
  const board = document.getElementById("board");
  if (!board) return;
  const shown = targets.filter((x) => !statusFilter || x.status === statusFilter);
  board.replaceChildren(...codes("group").map((group) => {
    const rows = shown.filter((x) => x.group === group);
    if (!rows.length) return null;
    return el("div", { class: "group" }, el("h3", {}, t(group)),
      el("table", {},
        el("thead", {}, el("tr", {},
          el("th", { scope: "col" }, t("target")), el("th", { scope: "col", class: "num" }, t("current")),
          el("th", { scope: "col" }, t("progress")), el("th", { scope: "col" }, t("status")))),
        el("tbody", {}, rows.map(targetRow))));
  }).filter(Boolean));
  board.querySelectorAll(".progress span").forEach((bar) => { bar.style.width = `${bar.dataset.width * 100}%`; });
}

async function dashboard() {
  const select = el("select", { id: "status-filter", onchange: (e) => { statusFilter = e.target.value; renderScoreboard(); } },
    el("option", { value: "" }, t("allStatuses")),
    codes("status").map((s) => el("option", { value: s, selected: s === statusFilter }, t(s))));
  document.getElementById("main").replaceChildren(el("div", { class: "grid" },
    el("section", { class: "panel", "aria-labelledby": "alerts-title" },
      el("h2", { id: "alerts-title" }, t("alerts"), " ", el("span", { id: "live", class: "meta" })),
      el("div", { id: "feed", "aria-live": "polite" })),
    el("section", { class: "panel", "aria-labelledby": "targets-title" },
      el("h2", { id: "targets-title" }, t("targets"), " ",
        el("a", { href: "/plan", class: "meta", id: "plan-notes-link" }, t("planNotesLink")), " ",
        el("a", { href: "/scorecard", class: "meta", id: "scorecard-link" }, t("scorecardLink"))),
      el("div", { class: "filter" }, el("label", { for: "status-filter" }, `${t("filterStatus")}: `), select),
      el("div", { id: "board" }))));
  const [found, board] = await Promise.all([api("/v1/alerts"), api("/v1/targets")]);
  alerts.clear();
  found.items.forEach((a) => alerts.set(a.fingerprint, a));
  targets = board.items;
  renderFeed();
  renderScoreboard();
  follow((fingerprint) => renderFeed(fingerprint));
}

// --- target page --------------------------------------------------------------------------

function chart(target) {
  const width = 900, height = 340, left = 60, right = 20, top = 20, bottom = 40;
  const points = target.series.map((o) => ({ x: Date.parse(o.end), y: o.value }));
  const deadline = Date.parse(target.milestone.deadline);
  const goal = target.milestone.value;
  const f = target.forecast;
  const ys = [...points.map((p) => p.y), goal, f.low, f.high].filter((v) => v !== null && v !== undefined);
  const xs = [...points.map((p) => p.x), deadline];
  if (!points.length) return el("p", {}, t("noSeries"));
  const [x0, x1] = [Math.min(...xs), Math.max(...xs)];
  let [y0, y1] = [Math.min(0, ...ys), Math.max(...ys)];
  if (y1 === y0) y1 = y0 + 1;
  const X = (x) => left + ((x - x0) / Math.max(1, x1 - x0)) * (width - left - right);
  const Y = (y) => top + (1 - (y - y0) / (y1 - y0)) * (height - top - bottom);
  const ns = "http://www.w3.org/2000/svg";
  const svg = (tag, attributes) => {
    const node = document.createElementNS(ns, tag);
    Object.entries(attributes).forEach(([k, v]) => node.setAttribute(k, v));
    return node;
  };
  const root = svg("svg", { viewBox: `0 0 ${width} ${height}`, class: "chart", role: "img",
    "aria-label": `${t("trend")}: ${target.indicator[lang === "vi" ? "name_vi" : "name_en"]}` });
  root.append(svg("line", { class: "axis", x1: left, x2: left, y1: top, y2: height - bottom }));
  root.append(svg("line", { class: "axis", x1: left, x2: width - right, y1: height - bottom, y2: height - bottom }));
  for (const y of [y0, (y0 + y1) / 2, y1]) {
    const label = svg("text", { x: left - 8, y: Y(y) + 4, "text-anchor": "end" });
    label.textContent = number(y, 2);
    root.append(label);
  }
  for (const [x, text, anchor] of [[x0, day(new Date(x0).toISOString()), "start"], [deadline, day(target.milestone.deadline), "end"]]) {
    const label = svg("text", { x: X(x), y: height - bottom + 18, "text-anchor": anchor });
    label.textContent = text;
    root.append(label);
  }
  const last = points[points.length - 1];
  if (f.value !== null && f.low !== null && f.high !== null && deadline > last.x) {
    root.append(svg("polygon", { class: "band", "data-series": "forecast-band",
      points: `${X(last.x)},${Y(last.y)} ${X(deadline)},${Y(f.high)} ${X(deadline)},${Y(f.low)}` }));
    root.append(svg("line", { class: "forecast", x1: X(last.x), y1: Y(last.y), x2: X(deadline), y2: Y(f.value) }));
  }
  root.append(svg("polyline", { class: "history", "data-series": "history",
    points: points.map((p) => `${X(p.x)},${Y(p.y)}`).join(" ") }));
  points.forEach((p) => root.append(svg("circle", { class: "point", cx: X(p.x), cy: Y(p.y), r: 3.5 })));
  if (goal !== null) {
    root.append(svg("line", { class: "target", "data-series": "target-line", x1: left, x2: width - right, y1: Y(goal), y2: Y(goal) }));
    const label = svg("text", { x: width - right - 4, y: Y(goal) - 6, "text-anchor": "end" });
    label.textContent = `${t("targetLine")} ${number(goal, 2)}`;
    root.append(label);
  }
  root.append(svg("line", { class: "deadline", x1: X(deadline), x2: X(deadline), y1: top, y2: height - bottom }));
  return root;
}

function breakdownTable(title, items) {
  return el("section", { class: "panel" }, el("h2", {}, title),
    items.length ? el("table", {},
      el("thead", {}, el("tr", {}, el("th", { scope: "col" }, t("unit")), el("th", { scope: "col", class: "num" }, t("value")))),
      el("tbody", {}, items.map((i) => el("tr", {}, el("td", {}, i[`name_${lang}`] ?? i.code), el("td", { class: "num" }, number(i.value, 1))))))
      : el("p", {}, t("noBreakdown")));
}

function milestonesTable(target) {
  const lines = new Map(target.milestones.map((m) => [m.deadline, m]));
  return el("table", { class: "milestones" },
    el("thead", {}, el("tr", {}, ...["year", "targetLine", "result", "figure", "finalBy", "line"]
      .map((key) => el("th", { scope: "col" }, t(key))))),
    el("tbody", {}, target.results.map((r) => {
      const m = lines.get(r.deadline);
      const current = isInView(target, r);
      const status = current && r.status === "open" ? target.status : r.status;
      const note = r.status === "unreported" ? ` (${t("partYear")})` : r.final ? "" : ` (${t("provisional")})`;
      const figure = r.figure ? `${inUnit(target.indicator.unit, r.figure.value)}${note}` : "—";
      return el("tr", { "data-year": r.year, "data-result": r.status, class: current ? "current" : null },
        el("td", {}, String(r.year)), el("td", {}, m.scored ? goalOf(target, m) : t("notScoredLine")),
        el("td", {}, el("span", { class: `badge ${status}` }, t(status))),
        el("td", { class: "num" }, figure), el("td", {}, day(r.final_by)),
        el("td", {}, el("span", {}, `${m.section}: ${m.text_vi}`),
          m.reading ? el("p", { class: "explain" }, m.reading) : null));
    })));
}

function notesList(notes) {
  if (!notes.length) return el("p", {}, t("noNotes"));
  return el("ul", { class: "notes" }, notes.map((n) => el("li", { "data-rule": n.rule },
    lang === "vi" ? n.text_vi : n.text_en,
    el("ul", { class: "meta" }, n.lines.map((line) => el("li", {}, line))))));
}

async function planPage() {
  const plan = await api("/v1/plan");
  document.getElementById("main").replaceChildren(
    el("p", {}, el("a", { href: "/" }, t("back"))),
    el("section", { class: "panel", id: "plan-notes" },
      el("h2", {}, `${t("planNotes")}: ${plan.document}`),
      el("p", {}, plan[lang === "vi" ? "name_vi" : "name_en"], el("br"), el("span", { class: "meta" }, plan.issuer)),
      el("h3", {}, t("scope")),
      plan.notes.length ? el("ul", {}, plan.notes.map((note) => el("li", {}, note))) : el("p", {}, t("noNotes")),
      el("h3", {}, t("inconsistencies")), notesList(plan.inconsistencies)));
}

async function scorecardPage() {
  const params = new URLSearchParams(location.search);
  const level = ["commune", "agency", "province"].includes(params.get("level")) ? params.get("level") : "commune";
  const period = /^\d{4}$/.test(params.get("period") ?? "") ? params.get("period") : String(new Date().getFullYear());
  const card = await api(`/v1/scorecard?period=${period}&level=${level}`);
  const tab = (code, key) => el("a", { href: `/scorecard?level=${code}&period=${period}`,
    class: code === level ? "tab current" : "tab", "aria-current": code === level ? "page" : null }, t(key));
  const cell = (g) => el("td", { class: "num", "data-group": g.code },
    g.measured ? `${number(g.points, 1)}/${number(g.out_of, 0)}` : el("span", { class: "meta" }, t("notMeasured")));
  document.getElementById("main").replaceChildren(
    el("p", {}, el("a", { href: "/" }, t("back"))),
    el("section", { class: "panel", id: "scorecard" },
      el("h2", {}, `${t("scorecard")} · ${period}`),
      el("nav", { class: "tabs" }, tab("commune", "communes"), tab("agency", "agencies"), tab("province", "province")),
      el("p", { class: "meta" }, t("scoreNote")),
      el("table", {},
        el("thead", {}, el("tr", {}, el("th", { scope: "col", class: "num" }, t("rank")), el("th", { scope: "col" }, t("unit")),
          el("th", { scope: "col", class: "num" }, t("score")),
          ...card.groups.map((g) => el("th", { scope: "col", class: "num" }, `${g[`name_${lang}`]} (${number(g.points, 0)})`)))),
        el("tbody", {}, card.items.map((item) => el("tr", { "data-scope": item.scope },
          el("td", { class: "num" }, item.rank ?? "—"), el("td", {}, item[`name_${lang}`]),
          el("td", { class: "num" }, el("strong", {}, number(item.score, 1)), ` ${t("scoreOutOf")} ${number(item.out_of, 0)}`),
          ...item.groups.map(cell)))))));
}

async function targetPage(id) {
  const [target, breakdown, found] = await Promise.all([
    api(`/v1/targets/${encodeURIComponent(id)}`),
    api(`/v1/targets/${encodeURIComponent(id)}/breakdown`),
    api(`/v1/alerts?target=${encodeURIComponent(id)}`),
  ]);
  alerts.clear();
  found.items.forEach((a) => alerts.set(a.fingerprint, a));
  const name = target.indicator[lang === "vi" ? "name_vi" : "name_en"];
  document.getElementById("main").replaceChildren(
    el("p", {}, el("a", { href: "/" }, t("back"))),
    el("section", { class: "panel" },
      el("h2", {}, name, " ", el("span", { class: `badge ${target.status}` }, t(target.status))),
      el("p", {}, lang === "vi" ? target.explanation_vi : target.explanation_en),
      el("p", { class: "meta" }, target.milestone.text_vi),
      el("h3", {}, t("trend")), chart(target),
      el("h3", {}, t("milestones")), milestonesTable(target),
      target.notes.length ? el("div", { id: "target-notes" }, el("h3", {}, t("planNotes")), notesList(target.notes)) : null),
    el("div", { class: "two" },
      breakdownTable(`${t("byCommune")} (${breakdown.period ?? "—"})`, breakdown.by_org_unit),
      breakdownTable(`${t("byAgency")} (${breakdown.period ?? "—"})`, breakdown.by_agency)),
    el("section", { class: "panel", style: null }, el("h2", {}, t("targetAlerts")), el("div", { id: "feed", "aria-live": "polite" })));
  const mine = (a) => a.labels.target === id;
  renderFeed(null, mine);
  follow((fingerprint) => renderFeed(fingerprint, mine));
}

// --- start --------------------------------------------------------------------------------

async function start() {
  if (!vocabulary.status.length) vocabulary = await (await fetch("/v1/vocabulary")).json();
  translateStatic();
  let me;
  try { me = await api("/v1/me"); } catch { return; }
  document.getElementById("who").textContent = me.name;
  document.getElementById("sign-out").hidden = false;
  const match = location.pathname.match(/^\/targets\/([^/]+)$/);
  if (match) await targetPage(decodeURIComponent(match[1]));
  else if (location.pathname === "/plan") await planPage();
  else if (location.pathname === "/scorecard") await scorecardPage();
  else await dashboard();
  document.getElementById("main").focus();
}

document.getElementById("lang").addEventListener("click", () => {
  lang = lang === "vi" ? "en" : "vi";
  localStorage.setItem("ioc-lang", lang);
  start();
});
document.getElementById("sign-out").addEventListener("click", async () => {
  await fetch("/v1/session", { method: "DELETE", credentials: "same-origin" });
  showSignIn();
});
start();

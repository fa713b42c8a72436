// weiyin studio: the page's behaviour. Plain browser JavaScript over the /api/ endpoints;
// CodeMirror 6 (window.CM, see web/editor.js) and Mermaid are vendored next to this file.
"use strict";

const $ = (sel) => document.querySelector(sel);
const el = (tag, attrs = {}, ...kids) => {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === "class") e.className = v;
    else if (k.startsWith("on")) e.addEventListener(k.slice(2), v);
    else e.setAttribute(k, v);
  }
  for (const k of kids) e.append(k instanceof Node ? k : document.createTextNode(String(k)));
  return e;
};

// api calls the studio's JSON API; a 401 opens the sign-in form and retries after it.
async function api(method, path, body) {
  const opts = { method, headers: {} };
  if (body !== undefined) {
    opts.headers["Content-Type"] = "application/json";
    opts.body = JSON.stringify(body);
  }
  const r = await fetch(path, opts);
  if (r.status === 401) {
    await signIn();
    return api(method, path, body);
  }
  let data = null;
  try { data = await r.json(); } catch (_) { /* empty answer */ }
  if (!r.ok && !(data && (data.check || data.diff))) {
    throw new Error((data && data.message) || `HTTP ${r.status}`);
  }
  return data;
}

let signInWait = null;
function signIn() {
  if (signInWait) return signInWait;
  $("#login").classList.remove("hidden");
  signInWait = new Promise((resolve) => {
    $("#login-form").onsubmit = async (ev) => {
      ev.preventDefault();
      const r = await fetch("/api/login", { method: "POST", headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ token: $("#login-token").value }) });
      if (r.ok) {
        $("#login").classList.add("hidden");
        signInWait = null;
        resolve();
      } else {
        $("#login-error").textContent = "口令不对,请重试。";
      }
    };
  });
  return signInWait;
}

// ---------------------------------------------------------------- tabs

function showTab(name) {
  document.querySelectorAll("#tabs button").forEach((b) => b.classList.toggle("active", b.dataset.tab === name));
  document.querySelectorAll(".tab").forEach((t) => t.classList.toggle("active", t.id === "tab-" + name));
  if (name === "see") drawFlow();
  if (name === "review") loadReview();
  if (name === "ship") loadShip();
}
document.querySelectorAll("#tabs button").forEach((b) => b.addEventListener("click", () => showTab(b.dataset.tab)));

// ---------------------------------------------------------------- editor

const KEYWORDS = new Set(("a and answer as ask b bank call choices confirm default each else end entity examples " +
  "fallback false faq filled first flow from goto handoff if intent interruptible keywords menu no not on or reply " +
  "requires retry say sensitive set slot start timeout true validate value verify weiyin yes").split(" "));

// dlgLanguage highlights the dialog language: comments, strings with {template} parts and
// [slot](marks), keywords, numbers and durations.
const dlgLanguage = CM.StreamLanguage.define({
  name: "weiyin-dlg",
  startState: () => ({ inString: false }),
  token(stream, state) {
    if (state.inString) {
      if (stream.match(/^\\./)) return "string";
      if (stream.match(/^\{[^}"\n]*\}/)) return "variableName.special";
      if (stream.match(/^\[[^\]"\n]*\]\([^)"\n]*\)/)) return "labelName";
      if (stream.eat('"')) { state.inString = false; return "string"; }
      stream.match(/^[^"\\{[]+/) || stream.next();
      return "string";
    }
    if (stream.eatSpace()) return null;
    if (stream.match(/^#.*/)) return "comment";
    if (stream.eat('"')) { state.inString = true; return "string"; }
    if (stream.match(/^\d+(\.\d+)?(ms|s|m|h|d)?\b/)) return "number";
    const w = stream.match(/^[A-Za-z_][A-Za-z0-9_]*/);
    if (w) {
      if (KEYWORDS.has(w[0])) return "keyword";
      return stream.peek() === "(" ? "function(variableName)" : "variableName";
    }
    if (stream.match(/^[{}()]/)) return "bracket";
    if (stream.match(/^(==|!=|>=|<=|[<>=.,:|-])/)) return "operator";
    stream.next();
    return "invalid";
  },
  languageData: { commentTokens: { line: "#" } },
});

const dlgHighlight = CM.HighlightStyle.define([
  { tag: CM.tags.keyword, color: "#8e24aa", fontWeight: "600" },
  { tag: CM.tags.string, color: "#1b7d3a" },
  { tag: CM.tags.special(CM.tags.variableName), color: "#c25400" },
  { tag: CM.tags.labelName, color: "#0067b8", textDecoration: "underline dotted" },
  { tag: CM.tags.comment, color: "#8a96a3", fontStyle: "italic" },
  { tag: CM.tags.number, color: "#b3261e" },
  { tag: CM.tags.function(CM.tags.variableName), color: "#0b5cad" },
  { tag: CM.tags.invalid, color: "#fff", backgroundColor: "#b3261e" },
]);

let view = null;
let currentFile = "";
let lastCheck = null;
let dirty = false;

// position turns the checker's 1-based line and column (columns count characters, not UTF-16
// units) into an editor offset.
function position(doc, line, col) {
  if (!line || line < 1) return 0;
  if (line > doc.lines) return doc.length;
  const l = doc.line(line);
  const chars = Array.from(l.text);
  const units = chars.slice(0, Math.max(0, (col || 1) - 1)).join("").length;
  return l.from + Math.min(units, l.length);
}

function editorDiagnostics(doc, check) {
  const out = [];
  for (const d of (check && check.diagnostics) || []) {
    if (d.file !== currentFile) continue;
    const from = position(doc, d.line, d.column);
    let to = d.end_line ? position(doc, d.end_line, d.end_column) : from + 1;
    if (to <= from) to = Math.min(doc.length, from + 1);
    let message = `${d.message} [${d.code}]`;
    if (d.hint) message += `\n提示: ${d.hint}`;
    out.push({ from: Math.min(from, doc.length), to: Math.min(to, doc.length), severity: d.severity === "warning" ? "warning" : "error", message });
  }
  return out;
}

function showProblems(check) {
  lastCheck = check;
  const box = $("#problems");
  box.replaceChildren();
  const ds = (check && check.diagnostics) || [];
  const sum = $("#diag-summary");
  if (!ds.length) {
    sum.textContent = "✓ 检查通过";
    sum.className = "summary ok";
  } else {
    sum.textContent = `${check.errors} 个错误,${check.warnings} 个警告`;
    sum.className = "summary " + (check.errors ? "bad" : "ok");
  }
  for (const d of ds) {
    const row = el("div", { class: d.severity === "warning" ? "warning" : "error", "data-code": d.code },
      `${d.file}:${d.line}:${d.column}  ${d.severity === "warning" ? "警告" : "错误"}[${d.code}] ${d.message}`);
    if (d.hint) row.append(el("span", { class: "hint" }, "  提示: " + d.hint));
    row.addEventListener("click", () => openFile(d.file, d.line, d.column));
    box.append(row);
  }
}

// checkSource is the linter: the whole directory is checked with the buffer in place.
async function checkSource(v) {
  const text = v.state.doc.toString();
  const file = currentFile;
  if (!file) return [];
  const res = await api("POST", "/api/check", { file, text });
  if (file !== currentFile || text !== view.state.doc.toString()) return [];
  showProblems(res.check);
  return editorDiagnostics(v.state.doc, res.check);
}

function makeEditor() {
  view = new CM.EditorView({
    parent: $("#editor"),
    state: CM.EditorState.create({
      doc: "",
      extensions: [
        CM.basicSetup,
        CM.keymap.of([CM.indentWithTab, { key: "Mod-s", preventDefault: true, run: () => { save(); return true; } }]),
        dlgLanguage,
        CM.syntaxHighlighting(dlgHighlight),
        CM.lintGutter(),
        CM.linter(checkSource, { delay: 400 }),
        CM.EditorView.updateListener.of((u) => { if (u.docChanged) { dirty = true; $("#save-status").className = "muted"; $("#save-status").textContent = "未保存"; } }),
      ],
    }),
  });
  window.studioEditor = view; // for tests and the browser console
}

function setText(text) {
  view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: text } });
}

async function openFile(name, line, col) {
  if (name !== currentFile) {
    if (dirty && !confirm(`${currentFile} 有未保存的修改,放弃它们吗?`)) return;
    const f = await api("GET", "/api/files/" + encodeURIComponent(name));
    currentFile = name;
    $("#file-list").value = name;
    setText(f.text);
    dirty = false;
    $("#save-status").textContent = "";
  }
  if (line) {
    const pos = position(view.state.doc, line, col);
    view.dispatch({ selection: { anchor: pos }, scrollIntoView: true });
    view.focus();
  }
}

async function loadFiles() {
  const res = await api("GET", "/api/files");
  const sel = $("#file-list");
  sel.replaceChildren(...res.files.map((f) => el("option", { value: f }, f)));
  sel.onchange = () => openFile(sel.value);
  if (res.files.length) await openFile(res.files.includes(currentFile) ? currentFile : res.files[0]);
}

async function save() {
  if (!currentFile) return;
  $("#save").disabled = true;
  try {
    const res = await api("PUT", "/api/files/" + encodeURIComponent(currentFile), { text: view.state.doc.toString() });
    if (res.text !== view.state.doc.toString()) {
      const sel = view.state.selection.main.head;
      setText(res.text);
      view.dispatch({ selection: { anchor: Math.min(sel, view.state.doc.length) } });
    }
    dirty = false;
    showProblems(res.check);
    view.dispatch(CM.setDiagnostics(view.state, editorDiagnostics(view.state.doc, res.check)));
    $("#save-status").className = "muted saved";
    $("#save-status").textContent = (res.formatted ? "已格式化并保存" : "已保存(有语法错误,未格式化)") +
      (res.loaded ? ",试聊已用新版本" : ",试聊仍用上一个没有错误的版本");
    loadFlows();
  } catch (e) {
    $("#save-status").className = "error";
    $("#save-status").textContent = "保存失败: " + e.message;
  } finally {
    $("#save").disabled = false;
  }
}
$("#save").addEventListener("click", save);

// ---------------------------------------------------------------- simulator

let lastReply = null;

function addMsg(cls, text) {
  const m = el("div", { class: "msg " + cls }, text);
  $("#chat").append(m);
  $("#chat").scrollTop = $("#chat").scrollHeight;
  return m;
}

async function say(text) {
  if (!text.trim()) return;
  addMsg("me", text);
  try {
    const rep = await api("POST", "/api/sim", { text, customer: $("#customer").value });
    for (const t of rep.texts || []) addMsg("bot", t);
    if (rep.buttons && rep.buttons.length) {
      $("#chat").append(el("div", { class: "buttons" }, ...rep.buttons.map((b) => el("button", { onclick: () => say(b) }, b))));
    }
    lastReply = rep;
    showDebug(rep, text);
  } catch (e) {
    addMsg("err", "出错了: " + e.message);
  }
}

function pct(x) { return (100 * (x || 0)).toFixed(0) + "%"; }

// showDebug fills the debug panel with the reply to text.
function showDebug(rep, text) {
  const rows = [];
  const row = (k, ...v) => rows.push(el("tr", {}, el("th", {}, k), el("td", {}, ...v)));
  row("意图", el("span", { class: "intent", id: "dbg-intent", "data-text": text }, rep.intent || "—"), "  ",
    el("span", { class: "bar", style: `width:${Math.round(60 * (rep.confidence || 0))}px` }), pct(rep.confidence),
    rep.ambiguous ? "(两个意图太接近)" : "");
  row("候选", ...(rep.alternatives.length ? rep.alternatives.map((a) => el("span", { class: "tag" }, `${a.intent} ${pct(a.confidence)}`)) : ["—"]));
  row("实体", ...((rep.entities || []).length ? rep.entities.map((e) => el("span", { class: "tag" }, `${e.type}=${e.value}(${e.text})`)) : ["—"]));
  const slots = Object.entries(rep.slots || {}).sort();
  row("槽位", ...(slots.length ? slots.map(([k, v]) => el("span", { class: "tag" }, `${k}=${v}`)) : ["—"]));
  row("流程", rep.flow ? `${rep.flow} · 步骤 ${rep.step || "—"}` : "—(不在流程中)");
  const box = $("#debug");
  box.replaceChildren(el("table", {}, ...rows));
  if (rep.why) {
    const d = el("details", {}, el("summary", {}, "为什么是这个意图?(nlu --explain)"), el("pre", {}, rep.why));
    box.append(d);
  }
  drawSimFlow(rep);
}

async function drawSimFlow(rep) {
  const box = $("#sim-flow");
  if (!rep.flow) { box.replaceChildren(); return; }
  const g = await api("GET", `/api/graph?flow=${encodeURIComponent(rep.flow)}&current=${encodeURIComponent(rep.step || "")}`);
  await renderMermaid(box, g.mermaid, "simflow");
}

$("#chat-form").addEventListener("submit", (ev) => {
  ev.preventDefault();
  const t = $("#chat-input").value;
  $("#chat-input").value = "";
  say(t);
});
$("#reset").addEventListener("click", async () => {
  await api("POST", "/api/sim/reset", {});
  $("#chat").replaceChildren();
  $("#debug").replaceChildren(el("p", { class: "muted" }, "新会话已开始。"));
  $("#sim-flow").replaceChildren();
  lastReply = null;
});

// ---------------------------------------------------------------- flow diagrams

mermaid.initialize({ startOnLoad: false, securityLevel: "strict", theme: "default",
  flowchart: { htmlLabels: true, useMaxWidth: true }, fontFamily: "system-ui, 'Noto Sans CJK SC', sans-serif" });
let renderSeq = 0;

async function renderMermaid(box, src, prefix) {
  const id = `${prefix}-${++renderSeq}`;
  try {
    const { svg } = await mermaid.render(id, src);
    box.innerHTML = svg;
  } catch (e) {
    box.replaceChildren(el("pre", { class: "error" }, "流程图无法绘制: " + e.message));
  }
}

async function loadFlows() {
  const res = await api("GET", "/api/flows");
  const sel = $("#flow-list");
  const keep = sel.value;
  sel.replaceChildren(...res.flows.map((f) => el("option", { value: f.name }, f.title ? `${f.name} · ${f.title}` : f.name)));
  if (keep && res.flows.some((f) => f.name === keep)) sel.value = keep;
}
$("#flow-list").addEventListener("change", drawFlow);
$("#show-coverage").addEventListener("change", drawFlow);

async function drawFlow() {
  const sel = $("#flow-list");
  if (!sel.value) return;
  const cov = $("#show-coverage").checked;
  const current = lastReply && lastReply.flow === sel.value ? lastReply.step || "" : "";
  $("#coverage-summary").textContent = cov ? "正在回放测试对话…" : "";
  try {
    const g = await api("GET", `/api/graph?flow=${encodeURIComponent(sel.value)}&current=${encodeURIComponent(current)}${cov ? "&coverage=1" : ""}`);
    if (g.coverage) {
      const c = g.coverage;
      $("#coverage-summary").textContent = `等待步骤覆盖 ${c.hit.length}/${c.hit.length + c.missed.length}` +
        (c.missed.length ? `,未覆盖: ${c.missed.join("、")}` : "") + `(${c.suite.runs} 个测试对话,${c.suite.failed} 个失败)`;
    } else if (cov) {
      $("#coverage-summary").textContent = "没有配置测试对话(--transcripts)";
    }
    await renderMermaid($("#diagram"), g.mermaid, "flow");
  } catch (e) {
    $("#coverage-summary").textContent = e.message;
  }
}

// When the simulator is in a flow, the diagram tab opens on it.
document.querySelector('#tabs button[data-tab="see"]').addEventListener("click", () => {
  if (lastReply && lastReply.flow) $("#flow-list").value = lastReply.flow;
}, true);

// ---------------------------------------------------------------- review

let reviewIntents = [];

async function loadReview() {
  const tbody = $("#review-table tbody");
  try {
    const res = await api("GET", "/api/review");
    reviewIntents = res.intents;
    $("#review-summary").textContent = `${res.messages} 条消息,${res.groups.length} 组相似消息` + (res.malformed ? `,${res.malformed} 行无法读取` : "");
    tbody.replaceChildren(...res.groups.map(reviewRow));
  } catch (e) {
    $("#review-summary").textContent = e.message;
    tbody.replaceChildren();
  }
}
$("#review-refresh").addEventListener("click", loadReview);

function reviewRow(g) {
  const input = el("input", { class: "example-text", value: g.text, title: "例句(可以修改)" });
  const pick = el("select", { class: "example-intent" }, el("option", { value: "" }, "选择意图…"),
    ...reviewIntents.map((n) => el("option", { value: n }, n)));
  const preview = el("button", { class: "secondary" }, "预览");
  const add = el("button", { class: "add-example" }, "加为例句");
  const act = (dry) => async () => {
    if (!pick.value) { pick.focus(); return; }
    if (!dry && dirty) { // the example is written into a file the editor may hold unsaved
      $("#eval").replaceChildren(el("p", { class: "error" }, `编辑器里的 ${currentFile} 有未保存的修改:请先保存,再加例句。`));
      return;
    }
    preview.disabled = add.disabled = true;
    try {
      const res = await api("POST", "/api/review/example", { text: input.value, intent: pick.value, dry_run: dry });
      showEval(res, dry);
      if (!dry && res.saved) { loadReview(); if (currentFile === res.file) openFileForce(res.file); }
    } catch (e) {
      $("#eval").replaceChildren(el("p", { class: "error" }, e.message));
    } finally {
      preview.disabled = add.disabled = false;
    }
  };
  preview.addEventListener("click", act(true));
  add.addEventListener("click", act(false));
  const was = g.intents.map((i) => `${i.text}×${i.count}`).join(" ");
  return el("tr", { "data-text": g.text },
    el("td", {}, g.text, el("div", { class: "examples" }, g.examples.map((e) => `${e.text}(${e.count})`).join(" · "))),
    el("td", {}, g.count),
    el("td", {}, was),
    el("td", {}, `${g.now.intent} ${pct(g.now.confidence)}`),
    el("td", {}, input, pick, " ", preview, " ", add));
}

async function openFileForce(name) {
  const f = await api("GET", "/api/files/" + encodeURIComponent(name));
  currentFile = name;
  setText(f.text);
  dirty = false;
}

function evalColumn(title, r) {
  if (!r) return el("div", {}, el("h3", {}, title), el("p", { class: "muted" }, "没有配置评测集(--eval)"));
  return el("div", {}, el("h3", {}, title),
    el("div", { class: "eval-accuracy", "data-correct": r.correct, "data-accuracy": r.accuracy }, `准确率 ${(100 * r.accuracy).toFixed(1)}%(${r.correct}/${r.in_scope})`),
    el("div", {}, `误接受 ${r.false_accepts}/${r.out_scope},拒识 ${r.rejected}`));
}

function showEval(res, dry) {
  const box = $("#eval");
  const head = res.message ? el("p", { class: "error" }, res.message)
    : el("p", {}, dry ? `预览:将在 ${res.file} 中加入这个例句(尚未保存)` : (res.saved ? `已写入 ${res.file} 并格式化` : `已写入 ${res.file}`));
  const parts = [head, el("div", { class: "side", id: "eval-side" }, evalColumn("修改前 weiyin eval", res.before), evalColumn("修改后 weiyin eval", res.after))];
  if (res.before && res.after) {
    const d = 100 * (res.after.accuracy - res.before.accuracy);
    parts.push(el("p", { class: "delta " + (d >= 0 ? "up" : "down"), id: "eval-delta" }, `准确率变化 ${d >= 0 ? "+" : ""}${d.toFixed(1)} 个百分点`));
  }
  if ((res.fixed || []).length) parts.push(el("div", {}, el("b", {}, "改对的评测句: "), res.fixed.map((c) => `${c.text}(${c.before}→${c.after})`).join(";")));
  if ((res.broken || []).length) parts.push(el("div", { class: "error" }, el("b", {}, "改错的评测句: "), res.broken.map((c) => `${c.text}(${c.before}→${c.after})`).join(";")));
  if (res.diff) parts.push(el("details", {}, el("summary", {}, "文件改动"), el("pre", {}, res.diff)));
  box.replaceChildren(...parts);
}

// ---------------------------------------------------------------- ship

async function loadShip() {
  const box = $("#ship");
  try {
    const s = await api("GET", "/api/ship");
    if (!s.reachable) {
      box.replaceChildren(el("div", { class: "status down" }, `连不上线上服务 ${s.server}`), el("p", {}, s.error));
      return;
    }
    const h = s.health || {};
    const st = h.status || "?";
    const label = { ok: "正常", degraded: "降级:最近一次修改被拒绝,线上仍用上一个好的版本", draining: "正在停机" }[st] || st;
    const parts = [el("div", { class: "status " + st, id: "ship-status" }, `${s.server}:${label}`)];
    const r = h.reload;
    if (r) {
      parts.push(el("p", {}, `当前版本 ${r.version || "—"},启动以来被拒绝的修改 ${r.refused} 次` + (r.at ? `,最近一次重新加载 ${new Date(r.at).toLocaleString("zh-CN")}` : "")));
      if (r.last_refused) {
        const lr = r.last_refused;
        parts.push(el("h3", {}, `最近被拒绝的修改(${new Date(lr.at).toLocaleString("zh-CN")})`));
        const ds = (lr.check && lr.check.diagnostics) || [];
        const list = el("div", { class: "problems" });
        for (const d of ds) {
          const row = el("div", { class: d.severity === "warning" ? "warning" : "error" }, `${d.file}:${d.line}:${d.column} [${d.code}] ${d.message}`);
          if (d.hint) row.append(el("span", { class: "hint" }, "  提示: " + d.hint));
          list.append(row);
        }
        parts.push(ds.length ? list : el("pre", {}, lr.error));
      }
    } else {
      parts.push(el("p", { class: "muted" }, "该服务没有用 --dialogs 启动,不会热加载。"));
    }
    box.replaceChildren(...parts);
  } catch (e) {
    box.replaceChildren(el("p", { class: "muted" }, e.message));
  }
}
$("#ship-refresh").addEventListener("click", loadShip);

// ---------------------------------------------------------------- start

async function start() {
  const s = await api("GET", "/api/session");
  $("#dir").textContent = s.dir;
  $("#customer").replaceChildren(el("option", { value: "" }, "未绑定的访客"),
    ...s.customers.map((c) => el("option", { value: c.id }, `${c.name}(${c.id})`)));
  if (s.customers.length) $("#customer").value = s.customers[0].id;
  $("#customer").addEventListener("change", () => $("#reset").click());
  makeEditor();
  await loadFiles();
  await loadFlows();
  document.body.dataset.ready = "1";
}
start().catch((e) => { document.body.prepend(el("p", { class: "error" }, "studio 无法启动: " + e.message)); });

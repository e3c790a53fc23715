// hearten's web chat. No framework, no build step, nothing from other hosts.
// Everything a reply or a message contains is put on the page as text
// (textContent, createTextNode), never as HTML.
"use strict";

const $ = (id) => document.getElementById(id);
const TOKEN_KEY = "hearten.token";
const SVG = "http://www.w3.org/2000/svg";

// A send that failed keeps its text in the box and its key: sending the same text
// again is a retry, stored once.
const state = { token: null, conversation: null, sending: false, failed: null };

function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

function newKey() {
  if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

class ApiError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

async function api(path, options = {}) {
  const headers = Object.assign({}, options.headers || {});
  if (state.token) headers["Authorization"] = "Bearer " + state.token;
  if (options.json !== undefined) {
    headers["Content-Type"] = "application/json";
    options.body = JSON.stringify(options.json);
  }
  const response = await fetch(path, Object.assign({}, options, { headers }));
  if (!response.ok) {
    let message = "Something went wrong (" + response.status + ").";
    try {
      const body = await response.json();
      if (typeof body.detail === "string") message = body.detail;
    } catch (_) { /* not JSON */ }
    if (response.status === 401) signOut("Please sign in again.");
    throw new ApiError(response.status, message);
  }
  return response;
}

// --- signing in and out ---------------------------------------------------

async function signIn(token) {
  state.token = token;
  const me = await (await api("/api/me")).json();
  localStorage.setItem(TOKEN_KEY, token);
  showPrivacy(me);
  $("signin").hidden = true;
  $("app").hidden = false;
  for (const id of ["new-conversation", "export", "delete-open", "sign-out"]) $(id).hidden = false;
  const conversations = await (await api("/api/conversations")).json();
  if (conversations.length) await openConversation(conversations[conversations.length - 1].id);
  else await startConversation();
  await Promise.all([refreshGoals(), refreshMood()]);
  $("message").focus();
}

function signOut(message) {
  state.token = null;
  state.conversation = null;
  localStorage.removeItem(TOKEN_KEY);
  $("app").hidden = true;
  $("signin").hidden = false;
  for (const id of ["new-conversation", "export", "delete-open", "sign-out"]) $(id).hidden = true;
  $("log").replaceChildren();
  $("signin-error").textContent = message || "";
  $("privacy").textContent = "";
}

function showPrivacy(me) {
  const p = $("privacy");
  if (me.stays_on_this_machine) {
    p.textContent = "Everything you write stays on this machine.";
    p.classList.remove("warning");
  } else {
    p.textContent = "Replies are written by a model at " + me.remote_host +
      ": what you write is sent there.";
    p.classList.add("warning");
  }
}

// --- the conversation -----------------------------------------------------

function addMessage(role, text, options = {}) {
  const item = el("li", "message " + role);
  const who = el("span", "who", role === "user" ? "You" : "hearten");
  const body = el("p", "text", text);
  item.append(who, body);
  if (options.crisis) item.classList.add("crisis");
  if (options.incomplete) item.append(el("span", "note", "This reply was cut off."));
  $("log").append(item);
  item.scrollIntoView({ block: "end" });
  return body;
}

async function startConversation() {
  const created = await (await api("/api/conversations", { method: "POST" })).json();
  state.conversation = created.id;
  $("log").replaceChildren();
  addMessage("assistant", created.opening);
}

async function openConversation(id) {
  const conv = await (await api("/api/conversations/" + id)).json();
  state.conversation = conv.id;
  $("log").replaceChildren();
  for (const m of conv.messages) {
    if (m.role === "assistant" && !m.text) continue;
    addMessage(m.role, m.text, { incomplete: m.role === "assistant" && !m.complete });
  }
}

// Reads a text/event-stream body and calls onEvent(name, data) for each event.
async function readEvents(response, onEvent) {
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let buffer = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += decoder.decode(value, { stream: true }).replace(/\r\n/g, "\n");
    let cut;
    while ((cut = buffer.indexOf("\n\n")) >= 0) {
      const block = buffer.slice(0, cut);
      buffer = buffer.slice(cut + 2);
      let name = "message";
      const data = [];
      for (const line of block.split("\n")) {
        if (line.startsWith("event:")) name = line.slice(6).trim();
        else if (line.startsWith("data:")) data.push(line.slice(5).replace(/^ /, ""));
      }
      if (data.length) onEvent(name, JSON.parse(data.join("\n")));
    }
  }
}

async function send(text) {
  state.sending = true;
  $("send").disabled = true;
  $("chat-error").textContent = "";
  const mine = addMessage("user", text).parentElement;
  const key = state.failed && state.failed.text === text ? state.failed.key : newKey();
  let body = null;
  let item = null;
  let sent = false;
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const response = await api("/api/conversations/" + state.conversation + "/messages", {
        method: "POST",
        json: { text },
        headers: { "Accept": "text/event-stream", "Idempotency-Key": key },
      });
      if (body) body.textContent = "";
      await readEvents(response, (name, data) => {
        if (name === "token") {
          if (!body) {
            body = addMessage("assistant", "");
            item = body.parentElement;
            item.setAttribute("aria-busy", "true");
          }
          body.append(document.createTextNode(data.text));
          item.scrollIntoView({ block: "end" });
        } else if (name === "done") {
          if (!body) body = addMessage("assistant", "");
          body.textContent = data.text;
          item = body.parentElement;
          item.removeAttribute("aria-busy");
          if (data.crisis) {
            item.classList.add("crisis");
            $("crisis-open").classList.add("pulse");
          }
        }
      });
      sent = true;
      break;
    } catch (error) {
      if (error instanceof ApiError && error.status < 500 && error.status !== 429) {
        $("chat-error").textContent = error.message;
        break;
      }
      if (attempt === 2) $("chat-error").textContent =
        "Your message could not be sent just now. Please try again in a moment.";
      await new Promise((resolve) => setTimeout(resolve, 800 * (attempt + 1)));
    }
  }
  if (sent) {
    state.failed = null;
  } else if (state.token) {
    // Nothing is lost: the words go back in the box, ready to send again.
    state.failed = { text, key };
    mine.remove();
    if (item) item.remove();
    if (!$("message").value) $("message").value = text;
  }
  state.sending = false;
  $("send").disabled = false;
  await Promise.all([refreshGoals(), refreshMood()]).catch(() => {});
}

// --- goals and mood -------------------------------------------------------

async function refreshGoals() {
  const goals = await (await api("/api/goals")).json();
  const list = $("goals");
  list.replaceChildren();
  for (const g of goals) {
    const item = el("li", "goal " + g.status);
    item.append(el("span", "goal-text", g.text), el("span", "goal-status", statusWord(g.status)));
    list.append(item);
  }
  $("goals-empty").hidden = goals.length > 0;
}

function statusWord(status) {
  return { open: "to try", done: "done", partly: "partly", not: "not yet" }[status] || status;
}

async function refreshMood() {
  const points = await (await api("/api/mood")).json();
  drawMood(points);
}

function drawMood(points) {
  const box = $("mood-chart");
  box.replaceChildren();
  const width = 300, height = 120, pad = 14;
  const svg = document.createElementNS(SVG, "svg");
  svg.setAttribute("viewBox", `0 0 ${width} ${height}`);
  svg.setAttribute("role", "img");
  const label = points.length
    ? `Mood over ${points.length} messages, from ${describe(points[0].valence)} to ${describe(points[points.length - 1].valence)}.`
    : "No mood yet.";
  svg.setAttribute("aria-label", label);
  const y = (v) => pad + (1 - (v + 1) / 2) * (height - 2 * pad);
  const axis = document.createElementNS(SVG, "line");
  for (const [k, v] of [["x1", pad], ["x2", width - pad], ["y1", y(0)], ["y2", y(0)]]) axis.setAttribute(k, v);
  axis.setAttribute("class", "axis");
  svg.append(axis);
  for (const [word, v] of [["brighter", 1], ["lower", -1]]) {
    const label = document.createElementNS(SVG, "text");
    label.setAttribute("x", pad);
    label.setAttribute("y", v > 0 ? pad - 2 : height - 2);
    label.setAttribute("class", "chart-label");
    label.textContent = word;
    svg.append(label);
  }
  if (points.length) {
    const step = points.length > 1 ? (width - 2 * pad) / (points.length - 1) : 0;
    const coords = points.map((p, i) => [pad + i * step, y(p.valence)]);
    const line = document.createElementNS(SVG, "polyline");
    line.setAttribute("points", coords.map((c) => c.join(",")).join(" "));
    line.setAttribute("class", "mood-line");
    svg.append(line);
    for (const [cx, cy] of coords) {
      const dot = document.createElementNS(SVG, "circle");
      dot.setAttribute("cx", cx);
      dot.setAttribute("cy", cy);
      dot.setAttribute("r", 3);
      dot.setAttribute("class", "mood-dot");
      svg.append(dot);
    }
  }
  box.append(svg);
  $("mood-summary").textContent = label;
}

function describe(v) {
  if (v <= -0.5) return "very low";
  if (v < -0.1) return "low";
  if (v <= 0.1) return "steady";
  if (v < 0.5) return "a little brighter";
  return "bright";
}

// --- crisis resources -----------------------------------------------------

async function openCrisis() {
  const dialog = $("crisis");
  if (!dialog.open) dialog.showModal();
  try {
    const res = await (await fetch("/api/resources")).json();
    $("emergency").textContent = res.emergency;
    const list = $("lines");
    list.replaceChildren();
    for (const line of res.lines.concat(res.directory || [])) {
      const item = el("li", "line");
      item.append(el("strong", null, line.name));
      const ways = [];
      if (line.phone) ways.push("call " + line.phone);
      if (line.text) ways.push(line.text.startsWith("text") ? line.text : "text " + line.text);
      if (ways.length) item.append(el("span", null, " — " + ways.join(" or ")));
      if (line.hours) item.append(el("span", "muted", " (" + line.hours + ")"));
      list.append(item);
    }
  } catch (_) { /* the static wording in the dialog still stands */ }
  if (state.token) {
    try {
      const plan = await (await api("/api/safety-plan")).json();
      const box = $("plan");
      box.replaceChildren();
      let any = false;
      for (const [field, heading] of PLAN_STEPS) {
        if (!plan[field] || !plan[field].length) continue;
        any = true;
        box.append(el("h4", null, heading));
        const ul = el("ul");
        for (const item of plan[field]) ul.append(el("li", null, item));
        box.append(ul);
      }
      $("plan-box").hidden = !any;
    } catch (_) { /* no plan to show */ }
  }
}

const PLAN_STEPS = [
  ["warning_signs", "My warning signs"],
  ["coping", "Things I can do on my own"],
  ["people_places", "People and places that take my mind off things"],
  ["who_to_ask", "People I can ask for help"],
  ["professionals", "Professionals and services"],
  ["safe_environment", "Making my surroundings safer"],
  ["reasons", "What matters to me"],
];

// --- export and delete ----------------------------------------------------

async function exportData() {
  const blob = await (await api("/api/export")).blob();
  const url = URL.createObjectURL(blob);
  const a = el("a");
  a.href = url;
  a.download = "hearten-export.json";
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

async function deleteData() {
  await api("/api/me", { method: "DELETE" });
  signOut("Your data has been deleted from this server.");
}

// --- wiring ---------------------------------------------------------------

document.addEventListener("DOMContentLoaded", () => {
  $("crisis-open").addEventListener("click", openCrisis);
  $("signin-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    $("signin-error").textContent = "";
    try {
      await signIn($("token").value.trim());
      $("token").value = "";
    } catch (error) {
      signOut(error.message);
    }
  });
  $("composer").addEventListener("submit", (event) => {
    event.preventDefault();
    const text = $("message").value.trim();
    if (!text || state.sending) return;
    $("message").value = "";
    send(text);
  });
  $("message").addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      $("composer").requestSubmit();
    }
  });
  $("new-conversation").addEventListener("click", () => startConversation().catch(() => {}));
  $("export").addEventListener("click", () => exportData().catch((e) => {
    $("chat-error").textContent = e.message;
  }));
  $("sign-out").addEventListener("click", () => signOut(""));
  $("delete-open").addEventListener("click", () => $("delete").showModal());
  $("delete").addEventListener("close", () => {
    if ($("delete").returnValue === "delete") deleteData().catch((e) => {
      $("chat-error").textContent = e.message;
    });
  });
  const saved = localStorage.getItem(TOKEN_KEY);
  if (saved) signIn(saved).catch(() => signOut(""));
});

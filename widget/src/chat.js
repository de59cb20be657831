// <trialbot-chat>: a launcher button and a chat panel in a shadow root, talking to the
// Rasa server's socket.io channel (trialbot/channels.py):
//   → session_request {session_id, token}   ← session_confirm {session_id, token, resumed}
//   ← session_history {messages: [{sender, text, buttons, custom}]}   (when resumed)
//   → user_uttered {message}                 ← bot_uttered {text, quick_replies|buttons, custom}
//   ← error
// Every piece of bot text goes into the DOM as text (links built element by element);
// no inline script or style, so it runs under a strict Content-Security-Policy.
import { io } from "socket.io-client";
import { colorProperties } from "./colors.js";
import { format, labelsFor } from "./labels.js";
import { SessionStore } from "./session.js";
import { textWithLinks } from "./text.js";

const OPEN_KEY = "trialbot:open";
// After a bot message without a question, more may follow: keep the typing indicator
// this long before deciding the turn is over.
const TURN_GAP_MS = 1200;
// Give up waiting (and hide the indicator) after this long without a reply.
const REPLY_TIMEOUT_MS = 60000;
const MAX_MESSAGE = 2000;
// How long a resumed session waits for its history before sending queued messages.
const HISTORY_WAIT_MS = 5000;
const ANNOUNCED = 5;

function element(doc, tag, attributes = {}, text) {
  const node = doc.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === true) node.setAttribute(name, "");
    else if (value !== false && value != null) node.setAttribute(name, String(value));
  }
  if (text != null) node.textContent = text;
  return node;
}

// The answer buttons of a bot message: socket.io quick replies, REST-style buttons, or
// the question payload's options.
export function choicesOf(message) {
  const from = (list) =>
    (Array.isArray(list) ? list : [])
      .map((item) =>
        typeof item === "string"
          ? { title: item, payload: item }
          : item && typeof item.title === "string"
          ? { title: item.title, payload: typeof item.payload === "string" && item.payload ? item.payload : item.title }
          : null,
      )
      .filter(Boolean);
  const custom = message && typeof message.custom === "object" && message.custom ? message.custom : {};
  for (const list of [message.quick_replies, message.buttons, custom.options]) {
    const choices = from(list);
    if (choices.length) return choices;
  }
  return [];
}

function progressOf(message) {
  const custom = message && typeof message.custom === "object" && message.custom ? message.custom : {};
  const progress = custom.progress;
  if (!progress || typeof progress !== "object") return null;
  const answered = Number(progress.answered);
  const total = Number(progress.total);
  if (!Number.isInteger(answered) || !Number.isInteger(total) || total <= 0 || answered < 0) return null;
  return { n: Math.min(answered + 1, total), total };
}

// A button press comes back in the history as its payload, Rasa's intent syntax
// `/answer{"question_id": ..., "value": "Yes"}`: the candidate saw (and tapped) the value.
export function shownUserText(text) {
  const source = typeof text === "string" ? text : "";
  const match = source.match(/^\/[A-Za-z_][\w-]*(\{.*\})$/s);
  if (match) {
    try {
      const entities = JSON.parse(match[1]);
      if (entities && typeof entities.value === "string") return entities.value;
    } catch (_) {
      /* not a payload: shown as written */
    }
  }
  return source;
}

function asksQuestion(message) {
  const custom = message && typeof message.custom === "object" && message.custom ? message.custom : {};
  return typeof custom.question_id === "string" || choicesOf(message).length > 0;
}

export class TrialbotChat extends HTMLElement {
  constructor() {
    super();
    this.attachShadow({ mode: "open" });
    this.config = {};
    this.socket = null;
    this.confirmed = false;
    this.outbox = [];
    this.turnTimer = null;
    this.replyTimer = null;
  }

  configure(config, stylesheetUrl) {
    this.config = config || {};
    this.stylesheetUrl = stylesheetUrl;
    this.labels = labelsFor(this.config.language, this.config.labels);
    this.trial = typeof this.config.trial === "string" && this.config.trial ? this.config.trial : "default";
    this.sessions = new SessionStore(this.trial);
  }

  connectedCallback() {
    // Built once configured (index.js configures it before or right after upgrading).
    if (this.root || !this.labels) return;
    for (const [name, value] of Object.entries(colorProperties(this.config.colors))) {
      this.style.setProperty(name, value); // CSSOM, not a style attribute: CSP allows it
    }
    this.build();
    let wasOpen = false;
    try {
      wasOpen = window.sessionStorage.getItem(`${OPEN_KEY}:${this.trial}`) === "1";
    } catch (_) {
      /* no session storage: start closed */
    }
    if (wasOpen) this.open({ focus: false });
  }

  disconnectedCallback() {
    if (this.socket) this.socket.disconnect();
    this.socket = null;
  }

  // --- the DOM ----------------------------------------------------------------------
  build() {
    const doc = this.ownerDocument;
    const L = this.labels;
    const shadow = this.shadowRoot;
    const root = element(doc, "div", { class: "root", hidden: true });
    if (this.stylesheetUrl) {
      const link = element(doc, "link", { rel: "stylesheet", href: this.stylesheetUrl });
      // Shown once styled, so the page never flashes the unstyled panel.
      link.addEventListener("load", () => root.removeAttribute("hidden"));
      link.addEventListener("error", () => root.removeAttribute("hidden"));
      shadow.append(link);
    } else {
      root.removeAttribute("hidden");
    }

    this.launcher = element(doc, "button", {
      type: "button",
      class: "launcher",
      "aria-expanded": "false",
      "aria-controls": "tb-panel",
    });
    const icon = element(doc, "span", { class: "launcher-icon", "aria-hidden": "true" });
    this.launcher.append(icon, element(doc, "span", {}, L.launcher));

    const title = this.config.title && typeof this.config.title === "string" ? this.config.title : L.title;
    this.panel = element(doc, "section", { class: "panel", id: "tb-panel", "aria-labelledby": "tb-title", hidden: true });
    const header = element(doc, "header", { class: "header" });
    const heading = element(doc, "h2", { id: "tb-title", class: "title" }, title);
    this.closeButton = element(doc, "button", { type: "button", class: "close", "aria-label": L.close });
    this.closeButton.append(element(doc, "span", { "aria-hidden": "true" }, "×"));
    const headingRow = element(doc, "div", { class: "heading-row" });
    headingRow.append(heading, this.closeButton);

    this.progress = element(doc, "div", { class: "progress", hidden: true });
    this.progressText = element(doc, "p", { class: "progress-text", id: "tb-progress" });
    this.progressBar = element(doc, "progress", { max: "1", value: "0", "aria-labelledby": "tb-progress" });
    this.progress.append(this.progressText, this.progressBar);

    const tools = element(doc, "div", { class: "tools" });
    this.startOverButton = element(doc, "button", { type: "button", class: "tool" }, L.startOver);
    this.stopButton = element(doc, "button", { type: "button", class: "tool" }, L.stop);
    tools.append(this.startOverButton, this.stopButton);
    header.append(headingRow, this.progress, tools);

    this.log = element(doc, "ol", { class: "log", "aria-label": L.conversation, tabindex: "0" });
    this.typing = element(doc, "div", { class: "typing", hidden: true });
    const dots = element(doc, "span", { class: "dots", "aria-hidden": "true" });
    dots.append(element(doc, "span"), element(doc, "span"), element(doc, "span"));
    this.typing.append(dots, element(doc, "span", { class: "sr-only" }, L.typing));
    this.choices = element(doc, "div", { class: "choices", role: "group", "aria-label": L.suggestions, hidden: true });

    this.form = element(doc, "form", { class: "composer" });
    const label = element(doc, "label", { for: "tb-input", class: "sr-only" }, L.input);
    this.input = element(doc, "input", {
      id: "tb-input",
      type: "text",
      autocomplete: "off",
      maxlength: String(MAX_MESSAGE),
      placeholder: L.placeholder,
      enterkeyhint: "send",
    });
    this.sendButton = element(doc, "button", { type: "submit", class: "send" }, L.send);
    this.form.append(label, this.input, this.sendButton);

    this.status = element(doc, "p", { class: "status", role: "status" });
    // Announces each new bot message once (the visible log is not a live region, so
    // the candidate's own words and the restored history are not read out again).
    this.announcer = element(doc, "div", { class: "sr-only", "aria-live": "polite", "aria-atomic": "false" });
    this.footer = element(doc, "footer", { class: "footer" });
    const privacy = this.config.privacyUrl;
    if (typeof privacy === "string" && /^https?:\/\//i.test(privacy)) {
      const link = element(doc, "a", { href: privacy, target: "_blank", rel: "noopener noreferrer" }, L.privacy);
      link.append(element(doc, "span", { class: "sr-only" }, ` ${L.opensNewTab}`));
      this.footer.append(link);
    } else if (typeof privacy === "string" && privacy.startsWith("/")) {
      this.footer.append(element(doc, "a", { href: privacy }, L.privacy));
    }

    this.panel.append(header, this.log, this.typing, this.choices, this.status, this.form, this.footer, this.announcer);
    root.append(this.launcher, this.panel);
    shadow.append(root);
    this.root = root;

    this.launcher.addEventListener("click", () => this.open({ focus: true }));
    this.closeButton.addEventListener("click", () => this.close());
    this.panel.addEventListener("keydown", (event) => {
      if (event.key === "Escape") {
        event.preventDefault();
        this.close();
      }
    });
    this.form.addEventListener("submit", (event) => {
      event.preventDefault();
      const text = this.input.value.trim();
      if (!text) return;
      this.input.value = "";
      this.send(text);
    });
    this.startOverButton.addEventListener("click", () => {
      this.setProgress(null);
      this.send(this.labels.commands.startOver);
      this.input.focus();
    });
    this.stopButton.addEventListener("click", () => {
      this.send(this.labels.commands.stop);
      this.input.focus();
    });
  }

  // --- opening and closing ---------------------------------------------------------
  open({ focus }) {
    this.panel.hidden = false;
    this.launcher.hidden = true;
    this.launcher.setAttribute("aria-expanded", "true");
    this.rememberOpen(true);
    if (focus) this.input.focus();
    this.scrollToEnd();
    this.connect();
  }

  close() {
    this.panel.hidden = true;
    this.launcher.hidden = false;
    this.launcher.setAttribute("aria-expanded", "false");
    this.rememberOpen(false);
    this.launcher.focus();
  }

  rememberOpen(open) {
    try {
      window.sessionStorage.setItem(`${OPEN_KEY}:${this.trial}`, open ? "1" : "0");
    } catch (_) {
      /* not remembered */
    }
  }

  // --- the connection --------------------------------------------------------------
  serverUrl() {
    const configured = typeof this.config.server === "string" && this.config.server ? this.config.server : window.location.href;
    return new URL(configured, window.location.href).origin;
  }

  connect() {
    if (this.socket) return;
    this.setStatus(this.labels.connecting);
    const socket = io(this.serverUrl(), {
      path: typeof this.config.socketPath === "string" ? this.config.socketPath : "/socket.io",
      reconnectionDelayMax: 10000,
    });
    this.socket = socket;
    socket.on("connect", () => {
      this.confirmed = false;
      const saved = this.sessions.load();
      socket.emit("session_request", { session_id: saved.session_id, token: saved.token });
    });
    socket.on("session_confirm", (data) => this.onSessionConfirm(data));
    socket.on("session_history", (data) => this.onHistory(data));
    socket.on("bot_uttered", (message) => this.onBotMessage(message));
    socket.on("error", () => {
      this.stopTyping();
      this.setStatus(this.labels.error);
    });
    socket.on("disconnect", () => {
      this.confirmed = false;
      this.stopTyping();
      this.setStatus(this.labels.reconnecting);
    });
    socket.on("connect_error", () => {
      this.setStatus(socket.active ? this.labels.reconnecting : this.labels.failed);
    });
  }

  onSessionConfirm(data) {
    if (!data || typeof data.session_id !== "string" || typeof data.token !== "string") {
      this.setStatus(this.labels.error);
      return;
    }
    const previous = this.sessions.load();
    this.sessionId = data.session_id;
    this.sessions.save(data.session_id, data.token, previous.session_id === data.session_id && previous.greeted);
    this.setStatus("");
    clearTimeout(this.historyTimer);
    if (data.resumed) {
      // The conversation so far arrives as session_history; queued messages go after it.
      this.historyTimer = setTimeout(() => this.ready({ greet: false }), HISTORY_WAIT_MS);
      return;
    }
    if (previous.session_id && previous.session_id !== data.session_id) this.clearConversation();
    this.ready({ greet: !this.log.querySelector(".from-bot") });
  }

  onHistory(data) {
    const messages = data && Array.isArray(data.messages) ? data.messages : [];
    clearTimeout(this.historyTimer);
    this.clearConversation();
    let start = 0;
    // The greeting the widget sent for the candidate is not shown, live or restored (the
    // server may keep it only as a placeholder: messages before consent are not stored).
    const opened = this.sessions.load().greeted;
    if (messages.length && messages[0] && messages[0].sender === "user") {
      if (opened || messages[0].text === this.labels.commands.greeting) start = 1;
    }
    let last = null;
    for (const message of messages.slice(start)) {
      if (!message || typeof message !== "object") continue;
      if (message.sender === "user") this.addMessage("user", shownUserText(message.text));
      else if (typeof message.text === "string" && message.text) {
        this.addMessage("bot", message.text);
        const progress = progressOf(message);
        if (progress) this.setProgress(progress);
      }
      last = message;
    }
    if (last && last.sender !== "user") this.showChoices(choicesOf(last));
    if (messages.length > start) this.announce(this.labels.restored);
    this.confirmed = false;
    this.ready({ greet: messages.length === 0 });
  }

  ready({ greet }) {
    if (this.confirmed) return;
    this.confirmed = true;
    if (greet && this.outbox.length === 0) {
      const saved = this.sessions.load();
      if (saved.session_id === this.sessionId) this.sessions.save(saved.session_id, saved.token, true);
      this.emit(this.labels.commands.greeting);
      this.startTyping();
    }
    const queued = this.outbox.splice(0);
    for (const text of queued) this.emit(text);
  }

  emit(text) {
    this.socket.emit("user_uttered", { message: text });
  }

  // --- messages --------------------------------------------------------------------
  // `shown` is what the candidate sees as theirs: a button's title, its payload is sent.
  send(text, shown) {
    const message = String(text).slice(0, MAX_MESSAGE);
    this.addMessage("user", shown == null ? message : shown);
    this.showChoices([]);
    this.startTyping();
    if (!this.socket) this.connect();
    if (this.confirmed) this.emit(message);
    else this.outbox.push(message);
  }

  onBotMessage(message) {
    if (!message || typeof message !== "object") return;
    if (typeof message.text === "string" && message.text) {
      this.addMessage("bot", message.text);
      this.announce(message.text);
    }
    const progress = progressOf(message);
    if (progress) this.setProgress(progress);
    const choices = choicesOf(message);
    if (choices.length) this.showChoices(choices);
    if (asksQuestion(message)) this.stopTyping();
    else this.endTurnSoon();
  }

  addMessage(sender, text) {
    const doc = this.ownerDocument;
    const item = element(doc, "li", { class: `message ${sender === "user" ? "from-user" : "from-bot"}` });
    item.append(element(doc, "span", { class: "sr-only" }, `${sender === "user" ? this.labels.you : this.labels.assistant} `));
    const bubble = element(doc, "span", { class: "bubble" });
    bubble.append(textWithLinks(doc, text, this.labels.opensNewTab));
    item.append(bubble);
    this.log.append(item);
    this.scrollToEnd();
  }

  showChoices(choices) {
    const doc = this.ownerDocument;
    const hadFocus = this.shadowRoot.activeElement && this.choices.contains(this.shadowRoot.activeElement);
    this.choices.replaceChildren();
    for (const choice of choices) {
      const button = element(doc, "button", { type: "button", class: "choice" }, choice.title);
      button.addEventListener("click", () => {
        this.send(choice.payload, choice.title);
        this.input.focus();
      });
      this.choices.append(button);
    }
    this.choices.hidden = choices.length === 0;
    if (hadFocus) this.input.focus();
    this.scrollToEnd();
  }

  setProgress(progress) {
    if (!progress) {
      this.progress.hidden = true;
      return;
    }
    this.progress.hidden = false;
    this.progressText.textContent = format(this.labels.progress, progress);
    this.progressBar.max = progress.total;
    this.progressBar.value = progress.n;
  }

  clearConversation() {
    this.log.replaceChildren();
    this.showChoices([]);
    this.setProgress(null);
  }

  announce(text) {
    const doc = this.ownerDocument;
    this.announcer.append(element(doc, "p", {}, text));
    while (this.announcer.childElementCount > ANNOUNCED) this.announcer.firstElementChild.remove();
  }

  setStatus(text) {
    this.status.textContent = text;
    this.status.hidden = !text;
  }

  startTyping() {
    this.typing.hidden = false;
    clearTimeout(this.turnTimer);
    clearTimeout(this.replyTimer);
    this.replyTimer = setTimeout(() => this.stopTyping(), REPLY_TIMEOUT_MS);
    this.scrollToEnd();
  }

  endTurnSoon() {
    clearTimeout(this.turnTimer);
    this.turnTimer = setTimeout(() => this.stopTyping(), TURN_GAP_MS);
  }

  stopTyping() {
    clearTimeout(this.turnTimer);
    clearTimeout(this.replyTimer);
    this.typing.hidden = true;
  }

  scrollToEnd() {
    if (this.log) this.log.scrollTop = this.log.scrollHeight;
  }
}

// The embed: <script src=".../widget/trialbot-widget.js" defer></script> and, anywhere on
// the page, <script type="application/json" id="trialbot-config">{...}</script> (data,
// never run, so a strict CSP allows it). Config: server (default: where this script comes
// from), trial, language, title, colors {accent, accentText, background}, privacyUrl,
// labels {...}. A page may also place <trialbot-chat> itself; otherwise it is appended.
import { TrialbotChat } from "./chat.js";

const script = document.currentScript;
const scriptUrl = script && script.src ? script.src : null;

function readConfig() {
  const holder = document.getElementById("trialbot-config");
  let config = {};
  if (holder) {
    try {
      const parsed = JSON.parse(holder.textContent || "{}");
      if (parsed && typeof parsed === "object" && !Array.isArray(parsed)) config = parsed;
    } catch (_) {
      console.error("trialbot: the #trialbot-config element does not hold valid JSON");
    }
  }
  if (!config.server && scriptUrl) config = { ...config, server: new URL(scriptUrl).origin };
  return config;
}

function mount() {
  const config = readConfig();
  const stylesheet = scriptUrl ? new URL("trialbot-widget.css", scriptUrl).href : null;
  let chat = document.querySelector("trialbot-chat");
  if (!chat) {
    chat = document.createElement("trialbot-chat");
    chat.configure(config, stylesheet);
    document.body.append(chat);
  } else if (!chat.root) {
    chat.configure(config, stylesheet);
    chat.connectedCallback();
  }
}

if (!window.customElements.get("trialbot-chat")) {
  window.customElements.define("trialbot-chat", TrialbotChat);
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", mount);
  else mount();
}

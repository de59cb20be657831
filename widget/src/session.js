// The conversation's credentials (server-issued session id and token), kept per trial in
// localStorage so that the same browser continues the same conversation after a reload
// or days later. Storage can be unavailable (private modes, blocked): then in memory.
const memory = new Map();

function store() {
  try {
    const probe = "trialbot:probe";
    window.localStorage.setItem(probe, "1");
    window.localStorage.removeItem(probe);
    return window.localStorage;
  } catch (_) {
    return null;
  }
}

export class SessionStore {
  constructor(trial) {
    this.key = `trialbot:${trial}:session`;
    this.storage = store();
  }

  load() {
    let raw = null;
    try {
      raw = this.storage ? this.storage.getItem(this.key) : memory.get(this.key);
    } catch (_) {
      raw = memory.get(this.key);
    }
    try {
      const saved = JSON.parse(raw || "null");
      if (saved && typeof saved.session_id === "string" && typeof saved.token === "string") {
        return { session_id: saved.session_id, token: saved.token, greeted: saved.greeted === true };
      }
    } catch (_) {
      /* a damaged entry: start a new conversation */
    }
    return { session_id: null, token: null, greeted: false };
  }

  // `greeted`: the widget opened this conversation with its own greeting (not shown).
  save(sessionId, token, greeted) {
    const raw = JSON.stringify({ session_id: sessionId, token, greeted: greeted === true });
    memory.set(this.key, raw);
    try {
      if (this.storage) this.storage.setItem(this.key, raw);
    } catch (_) {
      /* full or blocked: memory only */
    }
  }
}

// The widget's own words (its controls), per language. What the bot says comes from the
// server (bot/messages/<lang>.yml); `commands` are the words the bot understands as
// commands (trialbot/interview.py, _COMMANDS), sent when the candidate presses
// "Start over" or "Stop". A page can override any of them: config "labels": {...}.
export const LABELS = {
  en: {
    launcher: "Chat about the study",
    title: "Study assistant",
    close: "Close the chat",
    conversation: "Conversation",
    you: "You said:",
    assistant: "Assistant said:",
    input: "Your message",
    placeholder: "Type your answer…",
    send: "Send",
    startOver: "Start over",
    stop: "Stop",
    suggestions: "Suggested answers",
    progress: "Question {n} of {total}",
    typing: "The assistant is typing…",
    connecting: "Connecting…",
    reconnecting: "The connection was lost. Reconnecting…",
    failed: "The chat is not available right now. Please try again later.",
    error: "Something went wrong. Please try again.",
    restored: "Your conversation so far is shown again.",
    privacy: "Privacy notice",
    opensNewTab: "(opens in a new tab)",
    commands: { startOver: "start over", stop: "stop", greeting: "hi" },
  },
};

export function labelsFor(language, overrides) {
  const base = LABELS[language] || LABELS.en;
  const labels = { ...LABELS.en, ...base, commands: { ...LABELS.en.commands, ...base.commands } };
  if (overrides && typeof overrides === "object") {
    for (const [key, value] of Object.entries(overrides)) {
      if (key === "commands" && value && typeof value === "object") {
        for (const [name, words] of Object.entries(value)) {
          if (typeof words === "string" && words.trim()) labels.commands[name] = words;
        }
      } else if (key in labels && typeof value === "string" && value.trim()) {
        labels[key] = value;
      }
    }
  }
  return labels;
}

export function format(template, values) {
  return template.replace(/\{(\w+)\}/g, (whole, name) => (name in values ? String(values[name]) : whole));
}

// Bot text into DOM nodes without ever parsing it as HTML: plain text, line breaks kept
// by CSS, and http(s) URLs as links that open in a new tab without an opener or referrer.
const URL_PATTERN = /\bhttps?:\/\/[^\s<>"'`]+/gi;
const TRAILING = /[.,;:!?'")\]}]+$/;

export function safeHref(candidate) {
  try {
    const url = new URL(candidate);
    return url.protocol === "http:" || url.protocol === "https:" ? url.href : null;
  } catch (_) {
    return null;
  }
}

export function textWithLinks(doc, text, opensNewTab) {
  const fragment = doc.createDocumentFragment();
  const source = String(text == null ? "" : text);
  let last = 0;
  for (const match of source.matchAll(URL_PATTERN)) {
    let raw = match[0];
    const trailing = raw.match(TRAILING);
    if (trailing) raw = raw.slice(0, raw.length - trailing[0].length);
    const href = safeHref(raw);
    if (!href) continue;
    if (match.index > last) fragment.append(doc.createTextNode(source.slice(last, match.index)));
    const link = doc.createElement("a");
    link.href = href;
    link.target = "_blank";
    link.rel = "noopener noreferrer";
    link.textContent = raw;
    if (opensNewTab) {
      const hint = doc.createElement("span");
      hint.className = "sr-only";
      hint.textContent = ` ${opensNewTab}`;
      link.append(hint);
    }
    fragment.append(link);
    last = match.index + raw.length;
  }
  if (last < source.length) fragment.append(doc.createTextNode(source.slice(last)));
  return fragment;
}

// Page colours from the config, with text colours chosen for WCAG AA contrast (4.5:1):
// the better of near-black and white on each background always reaches it.
const HEX = /^#(?:[0-9a-f]{3}|[0-9a-f]{6})$/i;
const DARK = "#1a1a1a";
const LIGHT = "#ffffff";

function channels(hex) {
  const digits = hex.length === 4 ? [...hex.slice(1)].map((c) => c + c) : [hex.slice(1, 3), hex.slice(3, 5), hex.slice(5, 7)];
  return digits.map((d) => parseInt(d, 16) / 255);
}

export function luminance(hex) {
  const [r, g, b] = channels(hex).map((c) => (c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4));
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

export function contrast(a, b) {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (hi + 0.05) / (lo + 0.05);
}

export function readableOn(background) {
  return contrast(background, DARK) >= contrast(background, LIGHT) ? DARK : LIGHT;
}

// CSS custom properties for the host element; anything that is not a hex colour is ignored.
export function colorProperties(colors) {
  const properties = {};
  if (!colors || typeof colors !== "object") return properties;
  const pick = (name) => (typeof colors[name] === "string" && HEX.test(colors[name].trim()) ? colors[name].trim() : null);
  const accent = pick("accent") || pick("primary");
  if (accent) {
    properties["--tb-accent"] = accent;
    const onAccent = pick("accentText");
    properties["--tb-on-accent"] = onAccent && contrast(accent, onAccent) >= 4.5 ? onAccent : readableOn(accent);
  }
  const background = pick("background");
  if (background) {
    properties["--tb-background"] = background;
    properties["--tb-text"] = readableOn(background);
    properties["--tb-muted"] = readableOn(background);
  }
  return properties;
}

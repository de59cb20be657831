// Builds the widget into one script and its stylesheet:
//   trialbot-widget.js   the <trialbot-chat> element, socket.io-client included
//   trialbot-widget.css  its styles (loaded by the script into its shadow root)
// Default output: ../trialbot/widget_static (committed; served by trialbot/widget.py).
// `node build.mjs --outdir DIR` builds elsewhere (tests/widget/test_bundle.py compares).
// The output is deterministic: no source maps, no paths, no timestamps in it.
import { build } from "esbuild";
import { fileURLToPath } from "node:url";
import path from "node:path";

const here = path.dirname(fileURLToPath(import.meta.url));
const flag = process.argv.indexOf("--outdir");
const outdir = flag > 0 ? path.resolve(process.argv[flag + 1]) : path.join(here, "..", "trialbot", "widget_static");

const common = {
  absWorkingDir: here,
  bundle: true,
  minify: true,
  legalComments: "eof",
  charset: "utf8",
  logLevel: "warning",
  target: ["es2020", "chrome90", "firefox90", "safari15"],
};

await build({
  ...common,
  entryPoints: { "trialbot-widget": "src/index.js" },
  outdir,
  format: "iife",
  platform: "browser",
  define: { "process.env.NODE_ENV": '"production"' },
});
await build({
  ...common,
  entryPoints: { "trialbot-widget": "src/widget.css" },
  outdir,
});
console.log(`built ${path.join(outdir, "trialbot-widget.js")} and .css`);

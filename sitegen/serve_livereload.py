"""The script `sitegen serve` adds to the pages it serves: live reload and the error overlay.

It is served from memory at SCRIPT_PATH and never written to output/ (templates/static/ is
copied into every build, so it cannot live there).
"""

from __future__ import annotations

import json

from .i18n import live_reload_strings

SCRIPT_PATH = "/__sitegen/livereload.js"
EVENTS_PATH = "/__sitegen/events"

# The page tells the server which build it shows (data-build on its <script> tag); the server
# answers with what differs: "reload" when a newer build is out, "errors" while the last build
# failed. Both paths are absolute, so the same script works at / and under /REPO/; the script
# spells EVENTS_PATH out (the tests check that it does). Its words come from the catalogues
# of every language (sitegen/i18n.py), put in where the script says STRINGS: it picks them
# by the page's lang attribute, as the site's catalogue is picked by site.yaml's language.
_SCRIPT = """\
// Added by `sitegen serve` (not part of the built site): reloads the page after each good
// build and shows the errors of a failed one over the page.
(function () {
  "use strict";
  var build = document.currentScript.dataset.build;
  var catalogues = STRINGS;
  var language = (document.documentElement.lang || "en").toLowerCase().split("-");
  while (language.length > 1 && !catalogues[language.join("-")]) language.pop();
  var strings = catalogues[language.join("-")] || catalogues.en;
  var plurals = new Intl.PluralRules(document.documentElement.lang || "en");
  function say(key, count) {
    var text = strings[key];
    if (typeof text === "object") text = text[plurals.select(count)] || text.other;
    return text.replace("{count}", String(count));
  }
  var panel = null;
  var source = null;

  function connect() {
    if (source || document.hidden) return;
    var stream = new EventSource("/__sitegen/events?build=" + encodeURIComponent(build));
    source = stream;
    stream.addEventListener("reload", function () {
      disconnect();
      location.reload();
    });
    stream.addEventListener("errors", function (event) {
      show(JSON.parse(event.data));
    });
    stream.addEventListener("error", function () {
      // The browser retries by itself while the server is away; when it gives up for good
      // (e.g. a restarted server briefly refused the stream), start over.
      if (stream === source && stream.readyState === EventSource.CLOSED) {
        source = null;
        setTimeout(connect, 1000);
      }
    });
  }

  function disconnect() {
    if (source) source.close();
    source = null;
  }

  // A browser opens only about six connections to one server, and each stream holds one:
  // only pages in view keep theirs, or the seventh tab would never load. A page coming back
  // into view reconnects, and the server then tells it whether it missed a build.
  document.addEventListener("visibilitychange", function () {
    if (document.hidden) disconnect(); else connect();
  });

  function element(tag, css, text) {
    var node = document.createElement(tag);
    node.style.cssText = css;
    // textContent, never innerHTML: the lines quote the content, which may hold markup.
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function hide() {
    if (panel) panel.remove();
    panel = null;
  }

  function show(lines) {
    hide();
    // The site's root sets color-scheme (system or the theme toggle), so light-dark() follows
    // it; the plain colour before each is the fallback for browsers without light-dark().
    panel = element("div",
      "position:fixed;left:0;right:0;bottom:0;z-index:2147483647;max-height:50vh;" +
      "overflow:auto;margin:0;padding:12px 16px;box-sizing:border-box;text-align:left;" +
      "font:14px/1.45 system-ui,sans-serif;" +
      "background:#fff0f0;background:light-dark(#fff0f0,#2b1111);" +
      "color:#4d0000;color:light-dark(#4d0000,#ffe3e3);" +
      "border-top:4px solid #b3261e;border-top:4px solid light-dark(#b3261e,#ff8a80);" +
      "box-shadow:0 -4px 16px rgba(0,0,0,.25)");
    panel.setAttribute("role", "alert");
    panel.id = "sitegen-errors";
    panel.appendChild(element("p", "margin:0 0 8px;font-weight:bold;color:inherit",
      say("errors_overlay", lines.length)));
    lines.forEach(function (line) {
      panel.appendChild(element("pre",
        "margin:0 0 6px;padding:0;white-space:pre-wrap;overflow-wrap:anywhere;" +
        "font:13px/1.45 ui-monospace,monospace;color:inherit;background:none;border:0", line));
    });
    var close = element("button",
      "margin-top:4px;padding:2px 10px;font:inherit;color:inherit;background:none;" +
      "border:1px solid currentColor;border-radius:4px;cursor:pointer", say("hide"));
    close.type = "button";
    close.addEventListener("click", hide);
    panel.appendChild(close);
    document.body.appendChild(panel);
  }

  connect();
})();
"""
SCRIPT = _SCRIPT.replace("STRINGS", json.dumps(live_reload_strings(), ensure_ascii=False,
                                                sort_keys=True), 1)

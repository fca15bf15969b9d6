// Light/dark toggle. The page follows the system setting until the reader presses the
// toggle; the choice is then kept in localStorage and applied before the first paint by the
// inline script in each page's <head>.
(function () {
  "use strict";
  var KEY = "sitegen-theme";
  var root = document.documentElement;
  var button = document.querySelector(".theme-toggle");
  if (!button) return;
  var systemDark = window.matchMedia("(prefers-color-scheme: dark)");
  var say = window.sitegenSay;  // strings.js: the words shown, in the site's language

  function current() {
    return root.dataset.theme || (systemDark.matches ? "dark" : "light");
  }
  function show() {
    var dark = current() === "dark";
    button.setAttribute("aria-pressed", String(dark));
    button.title = say(dark ? "switch_to_light" : "switch_to_dark");
  }
  button.addEventListener("click", function () {
    var next = current() === "dark" ? "light" : "dark";
    root.dataset.theme = next;
    try { localStorage.setItem(KEY, next); } catch (e) { /* private mode: not remembered */ }
    show();
  });
  systemDark.addEventListener("change", show);
  show();
})();

// The words the site's scripts show, in the site's language. The page carries them (see
// base.html) with {placeholders} and, where a number decides, plural forms chosen as the
// language does; sitegenSay(key, values) gives one filled in. Loaded before the scripts that
// use it.
(function () {
  "use strict";
  var strings = {};
  try { strings = JSON.parse(document.getElementById("sitegen-strings").textContent); } catch (e) { /* none */ }
  var language = document.documentElement.lang || "en";
  var plurals = new Intl.PluralRules(language);
  var numbers = new Intl.NumberFormat(language);
  window.sitegenSay = function (key, values) {
    values = values || {};
    var text = strings[key] === undefined ? key : strings[key];
    if (typeof text === "object") text = text[plurals.select(values.count)] || text.other;
    return text.replace(/\{([a-z_]+)\}/g, function (whole, name) {
      var value = values[name];
      return typeof value === "number" ? numbers.format(value) : String(value);
    });
  };
})();

// Full-text search over every section of every topic, with MiniSearch (vendor/). The
// documents come from search-index.js and the parts it lists, written by the build from the
// rendered pages. All load as <script>s on first use, which also works for pages opened
// from a local folder.
(function () {
  "use strict";
  var box = document.querySelector(".search");
  if (!box) return;
  var input = box.querySelector(".search-input");
  var panel = box.querySelector(".search-panel");
  var status = box.querySelector(".search-status");
  var list = box.querySelector(".search-results");
  var root = document.body.dataset.root || "";
  var MAX_RESULTS = 8;
  var SNIPPET_CHARS = 160;
  var engine = null;
  var loading = null;
  var documentsById = {};

  var say = window.sitegenSay;  // strings.js: the words shown, in the site's language

  function loadScript(src) {
    return new Promise(function (resolve, reject) {
      var script = document.createElement("script");
      script.src = root + src;
      script.onload = resolve;
      script.onerror = function () { reject(new Error(src)); };
      document.head.appendChild(script);
    });
  }

  function ready() {
    if (!loading) {
      loading = Promise.all([loadScript("assets/vendor/minisearch.min.js"),
                             loadScript("assets/search-index.js")]).then(function () {
        // The index comes in parts, each filling its own slot of sitegenSearchDocuments.
        return Promise.all((window.sitegenSearchParts || []).map(loadScript));
      }).then(function () {
        var documents = [].concat.apply([], window.sitegenSearchDocuments || []);
        engine = new window.MiniSearch({
          fields: ["title", "topic", "text"],
          tokenize: words,
          processTerm: function (term) { return term.toLowerCase(); },
          searchOptions: { boost: { title: 3, topic: 1.5 }, prefix: true, fuzzy: 0.2 }
        });
        documents.forEach(function (d, i) { d.id = i; documentsById[i] = d; });
        engine.addAll(documents);
      });
    }
    return loading;
  }

  // Words, for the index and for queries alike: letters and digits, with an apostrophe
  // inside a word kept ("don't" is one word, not "don" and a "t" found everywhere). In
  // composed form (NFC), as the index is written: an accent typed as a combining mark
  // matches the same letter written as one character.
  function words(text) {
    return (text.normalize("NFC").replace(/\u2019/g, "'").match(/[\p{L}\p{N}]+(?:'[\p{L}\p{N}]+)*/gu) || []);
  }

  function escapeRegExp(text) { return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"); }

  // The matched words where a word starts: "os" is marked in "OS", not in "scenarios".
  function termsPattern(terms) {
    var alternatives = terms.map(function (term) {
      return escapeRegExp(term).replace(/'/g, "['\u2019]");  // either apostrophe
    });
    return new RegExp("(?<![\\p{L}\\p{N}])(" + alternatives.join("|") + ")", "giu");
  }

  // The part of a section's text around the first word that matched.
  function snippet(text, terms) {
    var found = terms.length ? termsPattern(terms).exec(text) : null;
    var at = found ? found.index : 0;
    var start = Math.max(0, at - SNIPPET_CHARS / 3);
    if (start > 0) start = text.indexOf(" ", start) + 1 || start;
    var end = Math.min(text.length, start + SNIPPET_CHARS);
    if (end < text.length) end = text.lastIndexOf(" ", end) > start ? text.lastIndexOf(" ", end) : end;
    return (start > 0 ? "… " : "") + text.slice(start, end) + (end < text.length ? " …" : "");
  }

  // Appends text to a node with the matched words wrapped in <mark>; never parses HTML.
  function appendHighlighted(node, text, terms) {
    if (!terms.length) { node.appendChild(document.createTextNode(text)); return; }
    var pattern = termsPattern(terms);
    text.split(pattern).forEach(function (part, i) {
      if (!part) return;
      if (i % 2) {
        var mark = document.createElement("mark");
        mark.textContent = part;
        node.appendChild(mark);
      } else {
        node.appendChild(document.createTextNode(part));
      }
    });
  }

  function render(query) {
    list.textContent = "";
    if (!query.trim()) { close(); return; }
    var results = engine.search(query, { combineWith: "AND" });
    if (!results.length) results = engine.search(query);
    var shown = results.slice(0, MAX_RESULTS);
    shown.forEach(function (result) {
      var doc = documentsById[result.id];
      var item = document.createElement("li");
      var link = document.createElement("a");
      link.href = root + doc.url;
      link.className = "search-result";
      var title = document.createElement("span");
      title.className = "search-result-title";
      appendHighlighted(title, doc.title, result.terms);
      var topic = document.createElement("span");
      topic.className = "search-result-topic";
      topic.textContent = doc.topic;
      var text = document.createElement("span");
      text.className = "search-result-snippet";
      appendHighlighted(text, snippet(doc.text, result.terms), result.terms);
      link.append(title, topic, text);
      item.appendChild(link);
      list.appendChild(item);
    });
    status.textContent = results.length === 0 ? say("no_results", { query: query })
      : say(results.length > shown.length ? "results_best" : "results",
            { count: results.length, shown: shown.length });
    panel.hidden = false;
  }

  function close() {
    panel.hidden = true;
    status.textContent = "";
  }

  function links() { return Array.prototype.slice.call(list.querySelectorAll("a")); }

  function search() {
    var query = input.value;
    ready().then(function () { if (input.value === query) render(query); }, function () {
      status.textContent = say("search_unavailable");
      panel.hidden = false;
    });
  }

  input.addEventListener("input", search);
  input.addEventListener("focus", function () { ready(); if (input.value.trim()) search(); });
  box.addEventListener("keydown", function (event) {
    var all = links();
    var at = all.indexOf(document.activeElement);
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      if (!all.length) return;
      event.preventDefault();
      var step = event.key === "ArrowDown" ? 1 : -1;
      var next = at + step;
      if (next < 0) { input.focus(); return; }
      all[Math.min(next, all.length - 1)].focus();
    } else if (event.key === "Enter" && document.activeElement === input && all.length) {
      event.preventDefault();
      all[0].click();
    } else if (event.key === "Escape") {
      event.preventDefault();  // keeps the query, which browsers clear from search fields
      close();
      input.focus();
    }
  });
  // A chosen result may be on this very page, where no new page load would close the list.
  list.addEventListener("click", function (event) {
    if (event.target.closest("a")) close();
  });
  box.addEventListener("focusout", function (event) {
    if (!event.relatedTarget || !box.contains(event.relatedTarget)) close();
  });
  document.addEventListener("keydown", function (event) {
    var typing = /^(INPUT|TEXTAREA|SELECT)$/.test(event.target.tagName) || event.target.isContentEditable;
    if (event.key === "/" && !typing && !event.ctrlKey && !event.metaKey && !event.altKey) {
      event.preventDefault();
      input.focus();
    }
  });
  document.addEventListener("click", function (event) {
    if (!box.contains(event.target)) close();
  });
})();

// Flashcards. The page lists every note of the guide, each with its answer behind "Show the
// answer"; this script turns the list into a review session: one card at a time, front
// first, then the answer and four grades (Again, Hard, Good, Easy), from which FSRS (the
// vendored ts-fsrs) schedules the card's next review. Cards that are due come first, then
// new ones, at most NEW_PER_DAY new a day. Progress is kept in localStorage per site, and can
// be exported to a file, imported from one and reset. Content is never written as HTML:
// the cards shown are clones of the notes the page already holds.
(function () {
  "use strict";
  var main = document.querySelector("main.flashcards");
  var review = main && main.querySelector(".review");
  if (!review || !window.FSRS) return;

  var say = window.sitegenSay;  // strings.js: the words shown, in the site's language
  var F = window.FSRS;
  // Without fuzz, the same grades at the same times give the same schedule everywhere.
  var scheduler = new F.FSRS(F.generatorParameters({ enable_fuzz: false }));
  var FORMAT = "sitegen-flashcards";
  var VERSION = 1;
  var MAX_FILE = 8 * 1024 * 1024;
  var NEW_PER_DAY = Number(main.dataset.newPerDay) || 20;
  var language = document.documentElement.lang || "en";
  var relative = new Intl.RelativeTimeFormat(language, { numeric: "auto" });
  var dateTime = new Intl.DateTimeFormat(language, { dateStyle: "medium", timeStyle: "short" });
  // Every site of one GitHub account shares one origin (user.github.io): the key names the
  // site's own folder, so two guides on one host never share their progress.
  var site = location.pathname.slice(0, location.pathname.lastIndexOf("/") + 1);
  var KEY = "sitegen-flashcards:" + site;

  function part(selector) { return review.querySelector(selector); }
  var chooser = part(".review-topic");
  var counts = { due: part(".count-due"), fresh: part(".count-new"), done: part(".count-done") };
  var card = part(".review-card");
  var where = part(".review-where");
  var front = part(".review-front");
  var back = part(".review-back");
  var flipButton = part(".review-flip");
  var grades = part(".review-grades");
  var empty = part(".review-empty");
  var emptyText = part(".review-empty-text");
  var live = part(".review-live");
  var message = part(".progress-message");
  var fileInput = part(".progress-file");

  // A note is named by its topic, block and item ids (never by its text): a reworded note
  // keeps its history. The name is the JSON of the three, so no separator can clash.
  var notes = Array.prototype.map.call(main.querySelectorAll(".note"), function (element) {
    var section = element.closest(".note-topic");
    var parts = [section.dataset.topic, element.dataset.block, element.dataset.item];
    return { element: element, parts: parts, id: JSON.stringify(parts), topic: parts[0],
             page: section.querySelector(".note-topic-link a").getAttribute("href") };
  });
  var known = {};
  notes.forEach(function (note) { known[note.id] = note; });
  var titles = {};
  main.querySelectorAll(".note-topic").forEach(function (section) {
    titles[section.dataset.topic] = section.querySelector("h2").textContent.trim();
  });

  // Progress: each card's FSRS state, by note, and how many new cards today took. Cards of
  // notes this page does not have (removed, or from an import) are kept as they are.
  function emptyProgress() { return { cards: {}, newToday: { day: "", count: 0 } }; }

  function stored(progress) {
    return {
      format: FORMAT, version: VERSION,
      cards: Object.keys(progress.cards).sort().map(function (id) {
        var c = progress.cards[id];
        return { note: JSON.parse(id), due: c.due.toISOString(), stability: c.stability,
                 difficulty: c.difficulty, elapsed_days: c.elapsed_days,
                 scheduled_days: c.scheduled_days, learning_steps: c.learning_steps,
                 reps: c.reps, lapses: c.lapses, state: c.state,
                 last_review: c.last_review ? c.last_review.toISOString() : null };
      }),
      new_today: { day: progress.newToday.day, count: progress.newToday.count }
    };
  }

  // Reading a file (or the stored progress) is strict: anything but exactly what stored()
  // writes is refused with the reason, and nothing is changed.
  function Invalid(reason) { this.reason = reason; }
  function check(condition, reason) { if (!condition) throw new Invalid(reason); }
  function isObject(value) { return value !== null && typeof value === "object" && !Array.isArray(value); }
  function hasKeys(object, keys) {
    return isObject(object) && Object.keys(object).sort().join(",") === keys.slice().sort().join(",");
  }
  var CARD_KEYS = ["note", "due", "stability", "difficulty", "elapsed_days", "scheduled_days",
                   "learning_steps", "reps", "lapses", "state", "last_review"];
  var INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
  function instant(value) {
    if (typeof value !== "string" || !INSTANT.test(value)) return null;
    var date = new Date(value);
    return isNaN(date.getTime()) || date.toISOString() !== value ? null : date;
  }
  function whole(value) { return typeof value === "number" && Number.isInteger(value) && value >= 0; }
  function amount(value) { return typeof value === "number" && isFinite(value) && value >= 0; }

  function readProgress(text) {
    var data;
    try { data = JSON.parse(text); } catch (e) { throw new Invalid(say("flashcards_import_not_json")); }
    check(isObject(data) && data.format === FORMAT, say("flashcards_import_not_progress"));
    check(data.version === VERSION, say("flashcards_import_version",
                                        { version: String(data.version), supported: VERSION }));
    check(hasKeys(data, ["format", "version", "cards", "new_today"]) && Array.isArray(data.cards)
          && hasKeys(data.new_today, ["day", "count"]) && whole(data.new_today.count)
          && typeof data.new_today.day === "string"
          && /^(\d{4}-\d{2}-\d{2})?$/.test(data.new_today.day), say("flashcards_import_shape"));
    var progress = emptyProgress();
    progress.newToday = { day: data.new_today.day, count: data.new_today.count };
    data.cards.forEach(function (entry, index) {
      function field(name, good) {
        check(good, say("flashcards_import_bad_card", { number: index + 1, field: name }));
      }
      field("note", hasKeys(entry, CARD_KEYS) && Array.isArray(entry.note) && entry.note.length === 3
            && entry.note.every(function (p) { return typeof p === "string" && p && p.length <= 200; }));
      var id = JSON.stringify(entry.note);
      field("note", !Object.prototype.hasOwnProperty.call(progress.cards, id));
      var due = instant(entry.due);
      field("due", due !== null);
      var last = entry.last_review === null ? null : instant(entry.last_review);
      field("last_review", entry.last_review === null || last !== null);
      ["stability", "difficulty", "elapsed_days", "scheduled_days"].forEach(function (name) {
        field(name, amount(entry[name]));
      });
      ["learning_steps", "reps", "lapses"].forEach(function (name) { field(name, whole(entry[name])); });
      field("state", whole(entry.state) && entry.state <= 3);
      progress.cards[id] = { due: due, stability: entry.stability, difficulty: entry.difficulty,
                             elapsed_days: entry.elapsed_days, scheduled_days: entry.scheduled_days,
                             learning_steps: entry.learning_steps, reps: entry.reps,
                             lapses: entry.lapses, state: entry.state, last_review: last || undefined };
    });
    return progress;
  }

  var progress = emptyProgress();
  var storedText = null;
  try { storedText = localStorage.getItem(KEY); } catch (e) { /* storage refused: nothing kept */ }
  if (storedText !== null) {
    try {
      progress = readProgress(storedText);
    } catch (problem) {
      if (!(problem instanceof Invalid)) throw problem;
      tell(say("flashcards_storage_unreadable", { reason: problem.reason }), true);
    }
  }

  function save() {
    try {
      localStorage.setItem(KEY, JSON.stringify(stored(progress)));
    } catch (e) {
      tell(say("flashcards_not_kept"), true);
    }
  }

  function tell(text, problem) {
    message.textContent = text;
    message.classList.toggle("is-problem", Boolean(problem));
  }

  // A live region repeats nothing it already says: the same words twice get a space more.
  function announce(text) {
    live.textContent = live.textContent === text ? text + "\u00a0" : text;
  }

  function pad(n) { return (n < 10 ? "0" : "") + n; }
  function dayOf(date) { return date.getFullYear() + "-" + pad(date.getMonth() + 1) + "-" + pad(date.getDate()); }
  function newSeenToday(now) {
    return progress.newToday.day === dayOf(now) ? progress.newToday.count : 0;
  }

  function fromNow(date, now) {
    var minutes = Math.max(1, Math.round((date - now) / 60000));
    if (minutes < 60) return relative.format(minutes, "minute");
    var hours = Math.round(minutes / 60);
    if (hours < 24) return relative.format(hours, "hour");
    var days = Math.round(hours / 24);
    if (days < 31) return relative.format(days, "day");
    if (days < 365) return relative.format(Math.round(days / 30.44), "month");
    return relative.format(Math.round(days / 365.25), "year");
  }

  var scope = "";  // the topic chosen, "" for all
  function inScope(note) { return !scope || note.topic === scope; }

  // What the session offers now: due cards, earliest first, then new ones in page order.
  function session(now) {
    var due = [], fresh = [], done = 0, next = null;
    notes.forEach(function (note) {
      if (!inScope(note)) return;
      var kept = progress.cards[note.id];
      if (!kept) { fresh.push(note); return; }
      if (kept.last_review && dayOf(kept.last_review) === dayOf(now)) done += 1;
      if (kept.due <= now) due.push(note);
      else if (!next || kept.due < next) next = kept.due;
    });
    due.sort(function (a, b) { return progress.cards[a.id].due - progress.cards[b.id].due; });
    var allowed = Math.max(0, NEW_PER_DAY - newSeenToday(now));
    return { due: due, fresh: fresh.slice(0, allowed), unseen: fresh.length, done: done, next: next };
  }

  var current = null, flipped = false, timer = null;

  function cloned(note, selector) {
    var found = note.element.querySelector(selector);
    return found ? [found.cloneNode(true)] : [];
  }

  // The link back to the note's section of its topic page.
  function sectionLink(note) {
    var line = document.createElement("p");
    var link = document.createElement("a");
    line.className = "note-link";
    link.href = note.page + "#" + note.parts[1];
    link.textContent = say("flashcards_read_section");
    line.appendChild(link);
    return line;
  }

  function show(focus) {
    var now = new Date();
    var offered = session(now);
    counts.due.textContent = String(offered.due.length);
    counts.fresh.textContent = String(offered.fresh.length);
    counts.done.textContent = String(offered.done);
    current = offered.due[0] || offered.fresh[0] || null;
    flipped = false;
    clearTimeout(timer);
    card.hidden = !current;
    empty.hidden = Boolean(current);
    grades.hidden = true;
    flipButton.hidden = !current;
    if (!current) {
      var lines = [];
      if (offered.unseen && !offered.fresh.length) lines.push(say("flashcards_new_limit", { count: NEW_PER_DAY }));
      lines.push(say("flashcards_nothing_due"));
      if (offered.next) {
        lines.push(say("flashcards_next_due", { when: fromNow(offered.next, now),
                                                 time: dateTime.format(offered.next) }));
        // Come back by itself when the next card is due, if that is soon.
        var wait = offered.next - now;
        if (wait < 12 * 3600 * 1000) timer = setTimeout(function () { show(false); }, wait + 500);
      }
      emptyText.textContent = lines.join(" ");
      if (focus) empty.focus();
      return;
    }
    where.textContent = titles[current.topic] || "";
    front.replaceChildren.apply(front, cloned(current, ".note-front"));
    back.replaceChildren.apply(back, cloned(current, ".note-back").concat(
      cloned(current, ".note-extra"), [sectionLink(current)]));
    back.hidden = true;
    if (focus) front.focus();
  }

  function flip() {
    if (!current || flipped) return;
    flipped = true;
    var now = new Date();
    var kept = progress.cards[current.id];
    var outcomes = scheduler.repeat(kept || F.createEmptyCard(now), now);
    grades.querySelectorAll("button[data-rating]").forEach(function (button) {
      var due = outcomes[Number(button.dataset.rating)].card.due;
      button.querySelector(".review-interval").textContent = fromNow(due, now);
    });
    back.hidden = false;
    flipButton.hidden = true;
    grades.hidden = false;
    announce(say("flashcards_answer_shown"));
    back.focus();
  }

  function gradeName(rating) {
    return grades.querySelector('button[data-rating="' + rating + '"] .review-grade').textContent.trim();
  }

  function grade(rating) {
    if (!current || !flipped) return;
    var now = new Date();
    var kept = progress.cards[current.id];
    var next = scheduler.next(kept || F.createEmptyCard(now), now, rating).card;
    progress.cards[current.id] = next;
    if (!kept) progress.newToday = { day: dayOf(now), count: newSeenToday(now) + 1 };
    save();
    announce(say("flashcards_graded", { grade: gradeName(rating), when: fromNow(next.due, now) }));
    show(true);
  }

  flipButton.addEventListener("click", flip);
  grades.addEventListener("click", function (event) {
    var button = event.target.closest("button[data-rating]");
    if (button) grade(Number(button.dataset.rating));
  });

  // Space or Enter shows the answer, 1 to 4 grade it; keys typed into a field, or pressed
  // on a button or link (which act on their own), are theirs.
  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey || !current) return;
    var target = event.target;
    if (target.closest && target.closest("input, select, textarea, [contenteditable]")) return;
    var onControl = target.closest && target.closest("button, a, summary");
    if (!flipped && (event.key === " " || event.key === "Enter") && !onControl) {
      event.preventDefault();
      flip();
    } else if (flipped && /^[1-4]$/.test(event.key)) {
      event.preventDefault();
      grade(Number(event.key));
    }
  });

  // The topic chosen is in the address (flashcards.html#topic=<slug>), which the topic
  // pages link to; without the script the same address leads to the topic's section.
  function topicOfAddress() {
    var found = /^#topic=(.+)$/.exec(location.hash);
    if (!found) return "";
    var slug = decodeURIComponent(found[1]);
    return Object.prototype.hasOwnProperty.call(titles, slug) ? slug : "";
  }
  function choose(slug, focus) {
    scope = slug;
    chooser.value = slug;
    show(focus);
  }
  chooser.addEventListener("change", function () {
    var address = location.pathname + location.search + (chooser.value ? "#topic=" + encodeURIComponent(chooser.value) : "");
    try { history.replaceState(null, "", address); } catch (e) { /* file:// in some browsers */ }
    choose(chooser.value, false);
  });
  window.addEventListener("hashchange", function () { choose(topicOfAddress(), false); });

  part(".progress-export").addEventListener("click", function () {
    var name = "flashcards-progress-" + dayOf(new Date()) + ".json";
    var blob = new Blob([JSON.stringify(stored(progress), null, 2) + "\n"], { type: "application/json" });
    var url = URL.createObjectURL(blob);
    var link = document.createElement("a");
    link.href = url;
    link.download = name;
    link.hidden = true;
    document.body.appendChild(link);
    link.click();
    link.remove();
    setTimeout(function () { URL.revokeObjectURL(url); }, 60000);
    tell(say("flashcards_exported", { file: name }), false);
  });

  part(".progress-import").addEventListener("click", function () { fileInput.click(); });
  fileInput.addEventListener("change", function () {
    var file = fileInput.files[0];
    if (!file) return;
    function refuse(reason) { tell(say("flashcards_import_failed", { reason: reason }), true); }
    if (file.size > MAX_FILE) {
      fileInput.value = "";
      refuse(say("flashcards_import_too_large"));
      return;
    }
    file.text().then(function (text) {
      fileInput.value = "";
      var imported;
      try {
        imported = readProgress(text);
      } catch (problem) {
        if (!(problem instanceof Invalid)) throw problem;
        refuse(problem.reason);
        return;
      }
      var ids = Object.keys(imported.cards);
      var unknown = ids.filter(function (id) { return !known[id]; }).length;
      progress = imported;
      save();
      show(false);
      var text = say("flashcards_imported", { count: ids.length - unknown });
      if (unknown) text += " " + say("flashcards_imported_unknown", { count: unknown });
      tell(text, false);
    }, function () {
      fileInput.value = "";
      refuse(say("flashcards_import_unreadable"));
    });
  });

  part(".progress-reset").addEventListener("click", function () {
    if (!window.confirm(say("flashcards_reset_confirm"))) return;
    progress = emptyProgress();
    try { localStorage.removeItem(KEY); } catch (e) { /* nothing kept anyway */ }
    show(false);
    tell(say("flashcards_reset_done"), false);
  });

  main.classList.add("is-reviewing");
  review.hidden = false;
  choose(topicOfAddress(), false);
})();

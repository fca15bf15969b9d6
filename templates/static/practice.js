// The practice exam. The page holds every question of the guide, hidden; this script draws
// an attempt from them: as many questions as the reader asks for, shared between the exam's
// domains by their weights, in an order and with options shuffled by a seeded generator.
// The attempt (its seed, the questions drawn, the answers, the flags, the deadline) is kept
// in localStorage, so a reload resumes it; past attempts are listed from there too. The
// questions shown are the page's own elements, moved and shown; no content is written as HTML.
(function () {
  "use strict";
  var main = document.querySelector("main.practice");
  var setup = main && main.querySelector(".practice-setup");
  if (!setup) return;

  var say = window.sitegenSay;  // strings.js: the words shown, in the site's language
  var VERSION = 1;
  var HISTORY_KEPT = 50;
  var language = document.documentElement.lang || "en";
  var dateTime = new Intl.DateTimeFormat(language, { dateStyle: "medium", timeStyle: "short" });
  // Kept per site: every site of one GitHub account shares one origin (user.github.io).
  var site = location.pathname.slice(0, location.pathname.lastIndexOf("/") + 1);
  var ATTEMPT_KEY = "sitegen-practice:" + site + ":attempt";
  var HISTORY_KEY = "sitegen-practice:" + site + ":history";

  function all(root, selector) { return Array.prototype.slice.call(root.querySelectorAll(selector)); }
  function part(selector) { return main.querySelector(selector); }
  var pool = part(".practice-pool");
  var form = part(".practice-form");
  var sizeInput = part(".practice-size");
  var timedInput = part(".practice-timed");
  var minutesInput = document.getElementById("practice-minutes");
  var setupMessage = part(".practice-message");
  var attemptView = part(".practice-attempt");
  var stage = part(".practice-stage");
  var position = part(".practice-position");
  var timerLine = part(".practice-timer");
  var clock = part(".practice-clock");
  var previousButton = part(".practice-previous");
  var nextButton = part(".practice-next");
  var flagButton = part(".practice-flag");
  var map = part(".practice-map-list");
  var live = part(".practice-live");
  var resultsView = part(".practice-results");
  var reviewList = part(".practice-review-list");
  var historyTable = part(".practice-history-table");
  var historyEmpty = part(".practice-history-empty");

  // A question is named by its topic, block and question ids, never by its place on the page.
  var questions = all(pool, ".practice-question").map(function (element) {
    var parts = [element.dataset.topic, element.dataset.block, element.dataset.question];
    return { element: element, parts: parts, id: JSON.stringify(parts),
             domain: element.dataset.domain, answer: element.dataset.answer.split(" "),
             options: all(element, ".option") };
  });
  var byId = {};
  questions.forEach(function (question) { byId[question.id] = question; });
  // The domains, in the exam's order, as the page's table lists them.
  var domains = all(setup, "tr[data-domain]").map(function (row) {
    var id = row.dataset.domain;
    return { id: id, weight: Number(row.dataset.weight), row: row,
             questions: questions.filter(function (q) { return q.domain === id; }) };
  });

  function load(key) {
    try { return JSON.parse(localStorage.getItem(key) || "null"); } catch (e) { return null; }
  }
  function keep(key, value) {
    try {
      if (value === null) localStorage.removeItem(key);
      else localStorage.setItem(key, JSON.stringify(value));
    } catch (e) { /* private mode: kept for this visit only */ }
  }
  function announce(text) {
    live.textContent = live.textContent === text ? text + "\u00a0" : text;
  }

  // mulberry32: a small generator whose sequence a seed fixes, in every browser alike.
  function generator(seed) {
    var state = seed >>> 0;
    return function () {
      state = (state + 0x6D2B79F5) >>> 0;
      var t = state;
      t = Math.imul(t ^ (t >>> 15), t | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
  }
  function shuffled(items, random) {
    var copy = items.slice();
    for (var i = copy.length - 1; i > 0; i--) {
      var j = Math.floor(random() * (i + 1));
      var swap = copy[i]; copy[i] = copy[j]; copy[j] = swap;
    }
    return copy;
  }

  // How many questions each domain gives: its share of the size by weight, whole numbers by
  // largest remainder (ties to the earlier domain). A domain with fewer questions than its
  // share gives them all, and the rest is shared again among the others; domains without a
  // weight only fill what the weighted ones cannot.
  function apportion(size) {
    var counts = {};
    domains.forEach(function (d) { counts[d.id] = 0; });
    var left = size;
    var open = domains.filter(function (d) { return d.weight > 0 && d.questions.length; });
    while (left > 0 && open.length) {
      var total = open.reduce(function (sum, d) { return sum + d.weight; }, 0);
      var shares = open.map(function (d, index) {
        var exact = left * d.weight / total;
        return { domain: d, index: index, whole: Math.floor(exact), remainder: exact - Math.floor(exact) };
      });
      var rest = left - shares.reduce(function (sum, s) { return sum + s.whole; }, 0);
      shares.slice().sort(function (a, b) { return b.remainder - a.remainder || a.index - b.index; })
        .slice(0, rest).forEach(function (s) { s.whole += 1; });
      var short = shares.filter(function (s) { return s.whole > s.domain.questions.length; });
      if (!short.length) {
        shares.forEach(function (s) { counts[s.domain.id] = s.whole; });
        left = 0;
        break;
      }
      short.forEach(function (s) {
        counts[s.domain.id] = s.domain.questions.length;
        left -= s.domain.questions.length;
      });
      open = open.filter(function (d) { return !short.some(function (s) { return s.domain === d; }); });
    }
    domains.forEach(function (d) {
      if (d.weight > 0 || left <= 0) return;
      counts[d.id] = Math.min(left, d.questions.length);
      left -= counts[d.id];
    });
    return counts;
  }

  function draw(size, seed) {
    var random = generator(seed);
    var counts = apportion(size);
    var chosen = [];
    domains.forEach(function (d) {
      chosen = chosen.concat(shuffled(d.questions, random).slice(0, counts[d.id]));
    });
    return shuffled(chosen, random);
  }

  // Each question's options are shuffled by a generator of its own, from the attempt's seed
  // and the question's place in it: the same on every reload.
  function optionOrder(question, seed, index) {
    return shuffled(question.options, generator((seed ^ Math.imul(index + 1, 0x9E3779B1)) >>> 0));
  }

  // The exam's pace: its minutes for its questions, for the size chosen, rounded up.
  var examMinutes = Number(main.dataset.examMinutes) || 0;
  var examQuestions = Number(main.dataset.examQuestions) || 0;
  var minutesEdited = false;
  function paceMinutes(size) {
    return examMinutes && examQuestions ? Math.ceil(size * examMinutes / examQuestions) : size;
  }
  sizeInput.addEventListener("input", function () {
    var size = Number(sizeInput.value);
    if (!minutesEdited && Number.isInteger(size) && size > 0) minutesInput.value = String(paceMinutes(size));
  });
  minutesInput.addEventListener("input", function () { minutesEdited = true; });
  timedInput.addEventListener("change", function () { minutesInput.disabled = !timedInput.checked; });

  // The attempt under way, as kept: {version, seed, size, minutes, started, deadline,
  // questions: [[topic, block, question]...], answers: [[option ids]...], flags, current}.
  var attempt = null, drawn = [], timer = null, warned = {};

  function isAttempt(value) {
    if (!value || value.version !== VERSION || !Array.isArray(value.questions)) return false;
    var n = value.questions.length;
    return n > 0 && typeof value.seed === "number" && Number.isInteger(value.seed)
      && Array.isArray(value.answers) && value.answers.length === n
      && value.answers.every(function (a) {
        return Array.isArray(a) && a.every(function (id) { return typeof id === "string"; });
      })
      && Array.isArray(value.flags) && value.flags.length === n
      && value.flags.every(function (f) { return typeof f === "boolean"; })
      && Number.isInteger(value.current) && value.current >= 0 && value.current < n
      && (value.deadline === null || typeof value.deadline === "number")
      && (value.minutes === null || (Number.isInteger(value.minutes) && value.minutes > 0))
      && typeof value.started === "number";
  }

  function showOnly(view) {
    [setup, attemptView, resultsView].forEach(function (v) { v.hidden = v !== view; });
  }

  function answerOf(index) { return attempt.answers[index]; }

  function letterOf(index) { return String.fromCharCode(65 + index); }

  // A question as drawn: its options in the attempt's order, lettered anew, answers restored.
  function prepare(question, index) {
    var list = question.element.querySelector(".options");
    optionOrder(question, attempt.seed, index).forEach(function (option, place) {
      list.appendChild(option);
      option.querySelector(".option-letter").textContent = letterOf(place) + ".";
      // Named for its place in the attempt: one group of radio buttons per question.
      var input = option.querySelector("input");
      input.name = "practice-" + index;
      input.id = "practice-" + index + "-" + place;
      option.querySelector("label").htmlFor = input.id;
    });
    question.element.querySelector(".practice-number").textContent =
      say("practice_number", { number: index + 1 });
    var chosen = answerOf(index);
    all(question.element, ".option input").forEach(function (input) {
      input.checked = chosen.indexOf(input.value) >= 0;
      input.disabled = false;
    });
    markOptions(question, false);
    question.element.querySelector(".practice-explanation").hidden = true;
    question.element.classList.remove("is-right", "is-wrong");
  }

  function startTimer() {
    clearInterval(timer);
    timerLine.hidden = attempt.deadline === null;
    if (attempt.deadline === null) return;
    var left = attempt.deadline - Date.now();
    // Warnings already past when the attempt is resumed are not given late.
    warned = { 5: left <= 5 * 60000, 1: left <= 60000 };
    tick();
    timer = setInterval(tick, 1000);
  }

  function tick() {
    var left = attempt.deadline - Date.now();
    if (left <= 0) {
      clock.textContent = "0:00";
      submit(true);
      return;
    }
    var seconds = Math.ceil(left / 1000);
    var hours = Math.floor(seconds / 3600);
    var parts = [Math.floor(seconds / 60) % 60, seconds % 60].map(function (n) {
      return n < 10 ? "0" + n : String(n);
    });
    if (hours) parts.unshift(String(hours));
    else parts[0] = String(Number(parts[0]));
    clock.textContent = parts.join(":");
    [5, 1].forEach(function (mark) {
      if (!warned[mark] && left <= mark * 60000) {
        warned[mark] = true;
        warned[5] = true;
        announce(say("practice_time_warning", { count: mark }));
      }
    });
  }

  function mapItems() {
    map.replaceChildren();
    drawn.forEach(function (question, index) {
      var item = document.createElement("li");
      var button = document.createElement("button");
      button.type = "button";
      button.className = "practice-map-item";
      button.textContent = String(index + 1);
      button.addEventListener("click", function () { go(index); });
      item.appendChild(button);
      map.appendChild(item);
    });
  }

  function showMap() {
    all(map, "button").forEach(function (button, index) {
      var answered = answerOf(index).length > 0, flagged = attempt.flags[index];
      var states = [say(answered ? "practice_answered" : "practice_unanswered")];
      if (flagged) states.push(say("practice_flagged"));
      button.setAttribute("aria-label", say("practice_map_item", { number: index + 1, state: states.join(", ") }));
      button.classList.toggle("is-answered", answered);
      button.classList.toggle("is-flagged", flagged);
      if (index === attempt.current) button.setAttribute("aria-current", "step");
      else button.removeAttribute("aria-current");
    });
  }

  function go(index) {
    attempt.current = index;
    keep(ATTEMPT_KEY, attempt);
    drawn.forEach(function (question, i) { question.element.hidden = i !== index; });
    var text = say("practice_position", { number: index + 1, count: drawn.length });
    position.textContent = text;
    previousButton.disabled = index === 0;
    nextButton.disabled = index === drawn.length - 1;
    flagButton.setAttribute("aria-pressed", String(attempt.flags[index]));
    showMap();
    announce(text);
  }

  function begin(resumed) {
    drawn = attempt.questions.map(function (parts) { return byId[JSON.stringify(parts)]; });
    stage.replaceChildren();
    drawn.forEach(function (question, index) {
      prepare(question, index);
      stage.appendChild(question.element);
    });
    mapItems();
    showOnly(attemptView);
    go(attempt.current);
    if (resumed) announce(say("practice_resumed", { number: attempt.current + 1, count: drawn.length }));
    position.focus();
    startTimer();  // last: an attempt whose time ran out while away is submitted at once
  }

  stage.addEventListener("change", function (event) {
    var element = event.target.closest(".practice-question");
    var index = drawn.findIndex(function (q) { return q.element === element; });
    if (index < 0) return;
    // In the options' order as written, as the answer (data-answer) lists them.
    attempt.answers[index] = drawn[index].options.filter(function (option) {
      return option.querySelector("input").checked;
    }).map(function (option) { return option.dataset.option; });
    keep(ATTEMPT_KEY, attempt);
    showMap();
  });
  previousButton.addEventListener("click", function () { if (attempt.current > 0) go(attempt.current - 1); });
  nextButton.addEventListener("click", function () {
    if (attempt.current < drawn.length - 1) go(attempt.current + 1);
  });
  flagButton.addEventListener("click", function () {
    attempt.flags[attempt.current] = !attempt.flags[attempt.current];
    keep(ATTEMPT_KEY, attempt);
    flagButton.setAttribute("aria-pressed", String(attempt.flags[attempt.current]));
    showMap();
    announce(say(attempt.flags[attempt.current] ? "practice_flag_set" : "practice_flag_cleared",
                 { number: attempt.current + 1 }));
  });
  part(".practice-submit").addEventListener("click", function () { submit(false); });

  function isRight(question, chosen) {
    return chosen.length === question.answer.length
      && question.answer.every(function (id) { return chosen.indexOf(id) >= 0; });
  }

  function markOptions(question, shown) {
    all(question.element, ".option").forEach(function (option) {
      var input = option.querySelector("input");
      var isAnswer = question.answer.indexOf(input.value) >= 0;
      option.classList.toggle("is-answer", shown && isAnswer);
      option.classList.toggle("is-wrong-choice", shown && input.checked && !isAnswer);
      var mark = option.querySelector(".option-mark");
      var text = !shown ? "" : isAnswer ? say(input.checked ? "your_choice_right" : "right_answer")
        : input.checked ? say("your_choice_not_right") : "";
      if (!text) {
        if (mark) mark.remove();
        return;
      }
      if (!mark) {
        mark = document.createElement("span");
        mark.className = "option-mark";
        option.querySelector("label").appendChild(mark);
      }
      mark.textContent = text;
    });
    all(question.element, ".option-note").forEach(function (note) { note.hidden = !shown; });
  }

  function letters(question, ids) {
    return all(question.element, ".option").filter(function (option) {
      return ids.indexOf(option.dataset.option) >= 0;
    }).map(function (option) {
      return option.querySelector(".option-letter").textContent.replace(".", "").trim();
    }).join(", ");
  }

  function percent(right, count) { return count ? Math.round(100 * right / count) : 0; }

  function submit(timeUp) {
    if (!attempt) return;
    var unanswered = attempt.answers.filter(function (a) { return !a.length; }).length;
    if (!timeUp && unanswered && !window.confirm(say("practice_confirm_unanswered", { count: unanswered }))) return;
    clearInterval(timer);
    var right = 0, byDomain = {};
    drawn.forEach(function (question, index) {
      var chosen = answerOf(index);
      var good = isRight(question, chosen);
      right += good ? 1 : 0;
      var tally = byDomain[question.domain] || (byDomain[question.domain] = { right: 0, count: 0 });
      tally.count += 1;
      tally.right += good ? 1 : 0;
      all(question.element, ".option input").forEach(function (input) { input.disabled = true; });
      markOptions(question, true);
      question.element.classList.toggle("is-right", good);
      question.element.classList.toggle("is-wrong", !good);
      question.element.querySelector(".practice-verdict").textContent = good
        ? say("practice_verdict_right", { answer: letters(question, chosen) })
        : chosen.length ? say("practice_verdict_wrong", { chosen: letters(question, chosen),
                                                          answer: letters(question, question.answer) })
        : say("practice_verdict_unanswered", { answer: letters(question, question.answer) });
      question.element.querySelector(".practice-explanation").hidden = false;
      question.element.hidden = false;
      reviewList.appendChild(question.element);
    });
    var result = { date: Date.now(), size: drawn.length, right: right, minutes: attempt.minutes,
                   time_up: Boolean(timeUp),
                   domains: domains.filter(function (d) { return byDomain[d.id]; }).map(function (d) {
                     return { id: d.id, right: byDomain[d.id].right, count: byDomain[d.id].count };
                   }) };
    showResults(result);
    var history = pastAttempts();
    history.unshift(result);
    keep(HISTORY_KEY, history.slice(0, HISTORY_KEPT));
    keep(ATTEMPT_KEY, null);
    attempt = null;
    showHistory();
  }

  function cell(row, tag, text) {
    var element = document.createElement(tag);
    if (tag === "th") element.scope = "row";
    element.textContent = text;
    row.appendChild(element);
  }

  function showResults(result) {
    var score = say("practice_score", { right: result.right, count: result.size,
                                        percent: percent(result.right, result.size) });
    part(".practice-score").textContent = result.time_up ? say("practice_time_up") + " " + score : score;
    var body = part(".practice-domain-scores tbody");
    body.replaceChildren();
    result.domains.forEach(function (tally) {
      var domain = domains.filter(function (d) { return d.id === tally.id; })[0];
      var row = document.createElement("tr");
      row.dataset.domain = tally.id;
      cell(row, "th", domain.row.querySelector("th").textContent.trim());
      cell(row, "td", domain.row.querySelector(".practice-weight").textContent.trim());
      cell(row, "td", say("practice_domain_right", { right: tally.right, count: tally.count }));
      cell(row, "td", say("practice_percent", { percent: percent(tally.right, tally.count) }));
      body.appendChild(row);
    });
    showOnly(resultsView);
    var heading = part(".practice-results-heading");
    heading.focus();
  }

  function pastAttempts() {
    var history = load(HISTORY_KEY);
    return Array.isArray(history) ? history.filter(function (entry) {
      return entry && typeof entry.date === "number" && Number.isInteger(entry.size)
        && Number.isInteger(entry.right);
    }) : [];
  }

  function showHistory() {
    var history = pastAttempts();
    historyEmpty.hidden = history.length > 0;
    historyTable.hidden = !history.length;
    part(".practice-history-clear").hidden = !history.length;
    var body = historyTable.querySelector("tbody");
    body.replaceChildren();
    history.forEach(function (entry) {
      var row = document.createElement("tr");
      cell(row, "th", dateTime.format(new Date(entry.date)));
      cell(row, "td", String(entry.size));
      cell(row, "td", say("practice_score_short", { right: entry.right, count: entry.size,
                                                    percent: percent(entry.right, entry.size) }));
      body.appendChild(row);
    });
  }

  // Questions go back to the pool, as they were, for the next attempt.
  function putBack() {
    questions.forEach(function (question) {
      var list = question.element.querySelector(".options");
      question.options.forEach(function (option) { list.appendChild(option); });
      all(question.element, ".option input").forEach(function (input) {
        input.checked = false;
        input.disabled = false;
        input.removeAttribute("name");
        input.removeAttribute("id");
      });
      all(question.element, ".option label").forEach(function (label) { label.removeAttribute("for"); });
      markOptions(question, false);
      question.element.hidden = false;
      pool.appendChild(question.element);
    });
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    if (!form.reportValidity()) return;
    var size = Number(sizeInput.value);
    var minutes = timedInput.checked ? Number(minutesInput.value) : null;
    var seed = window.crypto.getRandomValues(new Uint32Array(1))[0];
    var chosen = draw(size, seed);
    var now = Date.now();
    attempt = { version: VERSION, seed: seed, size: chosen.length, minutes: minutes, started: now,
                deadline: minutes === null ? null : now + minutes * 60000,
                questions: chosen.map(function (q) { return q.parts; }),
                answers: chosen.map(function () { return []; }),
                flags: chosen.map(function () { return false; }), current: 0 };
    setupMessage.textContent = "";
    keep(ATTEMPT_KEY, attempt);
    begin(false);
  });

  part(".practice-again").addEventListener("click", function () {
    putBack();
    showOnly(setup);
    sizeInput.focus();
  });

  part(".practice-history-clear").addEventListener("click", function () {
    if (!window.confirm(say("practice_history_clear_confirm"))) return;
    keep(HISTORY_KEY, null);
    showHistory();
  });

  // Start: the size and pace the page suggests, the past attempts, and an attempt under way.
  sizeInput.dispatchEvent(new Event("input"));
  minutesInput.disabled = !timedInput.checked;
  showHistory();
  var kept = load(ATTEMPT_KEY);
  var usable = isAttempt(kept) && kept.questions.every(function (parts) {
    return Array.isArray(parts) && Object.prototype.hasOwnProperty.call(byId, JSON.stringify(parts));
  });
  main.classList.add("is-practising");
  if (usable) {
    attempt = kept;
    begin(true);
  } else {
    if (kept !== null) {
      keep(ATTEMPT_KEY, null);
      setupMessage.textContent = say("practice_discarded");
    }
    showOnly(setup);
  }
})();

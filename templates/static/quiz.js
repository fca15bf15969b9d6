// The self-test: scenarios answered by choosing a value, misconceptions sorted into myth or
// reality, and multiple-choice questions (one answer, or "choose N") checked on demand.
// Answers are kept in localStorage per site and topic, so a reader can come back later;
// the reset button clears them. Without JavaScript the page keeps its reveal-the-answer
// form, which this script only hides once it has taken over.
(function () {
  "use strict";
  var main = document.querySelector("main[data-topic]");
  if (!main) return;

  var say = window.sitegenSay;  // strings.js: the words shown, in the site's language
  // Kept per site and topic: every site of one GitHub account shares one origin
  // (user.github.io), so the key names the site's own path too. Each answer is kept under
  // its question's text, so a question added, moved or reworded starts unanswered rather
  // than showing another question's answer.
  var site = new URL(document.body.dataset.root || "", location.href).pathname;
  var KEY = "sitegen-quiz:" + site + ":" + main.dataset.topic;
  var items = Array.prototype.slice.call(main.querySelectorAll(".quiz-item"));
  var scores = Array.prototype.slice.call(main.querySelectorAll(".quiz-score"));
  if (!items.length) return;

  function load() {
    try { return JSON.parse(localStorage.getItem(KEY) || "{}") || {}; } catch (e) { return {}; }
  }
  function save(answers) {
    try { localStorage.setItem(KEY, JSON.stringify(answers)); } catch (e) { /* not kept */ }
  }
  var answers = load();

  function labelOf(item, choice) {
    var button = item.querySelector('.quiz-choice[data-choice="' + choice + '"]');
    return button ? button.textContent.trim() : choice;
  }

  // A question's answer is the ids of the chosen options, in option order, space-separated:
  // compared as text with data-answer, which lists the right ones the same way.
  function isQuestion(item) { return item.classList.contains("question"); }
  function inputsOf(item) { return Array.prototype.slice.call(item.querySelectorAll(".option input")); }
  function lettersOf(item, ids) {
    return ids.split(" ").map(function (id) {
      var letter = item.querySelector('.option[data-option="' + id + '"] .option-letter');
      return letter ? letter.textContent.replace(".", "").trim() : id;
    }).join(", ");
  }

  // Once a question is checked, each option that matters says so in words, not only by the
  // colour of its outline: part of its label, so a screen reader reads it with the option.
  function markOption(option, text) {
    var mark = option.querySelector(".option-mark");
    if (!text) {
      if (mark) mark.parentNode.removeChild(mark);
      return;
    }
    if (!mark) {
      mark = document.createElement("span");
      mark.className = "option-mark";
      option.querySelector("label").appendChild(mark);
    }
    mark.textContent = text;
  }

  function showQuestion(item) {
    var choice = answers[item.dataset.quizId];
    var answered = choice !== undefined;
    var right = choice === item.dataset.answer;
    var chosen = answered ? choice.split(" ") : [];
    var correct = item.dataset.answer.split(" ");
    item.classList.toggle("quiz-pending", !answered);
    item.classList.toggle("quiz-right", answered && right);
    item.classList.toggle("quiz-wrong", answered && !right);
    inputsOf(item).forEach(function (input) {
      if (answered) input.checked = chosen.indexOf(input.value) >= 0;
      input.disabled = answered;
      var option = input.closest(".option");
      var isAnswer = correct.indexOf(input.value) >= 0;
      option.classList.toggle("is-answer", answered && isAnswer);
      option.classList.toggle("is-wrong-choice", answered && input.checked && !isAnswer);
      markOption(option, !answered ? "" : isAnswer
        ? say(input.checked ? "your_choice_right" : "right_answer")
        : (input.checked ? say("your_choice_not_right") : ""));
      var note = option.querySelector(".option-note");
      if (note) note.hidden = !answered;
    });
    item.querySelector(".question-actions").hidden = answered;
    var feedback = item.querySelector(".quiz-feedback");
    // The verdict gets the focus when it is given (see check), which reads it out: the live
    // region only announces the hints that leave the focus on the check button.
    feedback.setAttribute("aria-live", answered ? "off" : "polite");
    feedback.textContent = !answered ? "" : right
      ? say("right_verdict", { answer: lettersOf(item, choice) })
      : say("wrong_verdict", { chosen: lettersOf(item, choice),
                               answer: lettersOf(item, item.dataset.answer) });
    var details = item.querySelector("details.answer");
    if (details) details.open = answered;
  }

  function check(item) {
    var chosen = inputsOf(item).filter(function (input) { return input.checked; })
      .map(function (input) { return input.value; });
    var wanted = Number(item.dataset.choose);
    var feedback = item.querySelector(".quiz-feedback");
    if (chosen.length !== wanted) {
      feedback.textContent = wanted === 1 ? say("choose_an_option")
        : say("choose_options", { count: wanted, chosen: chosen.length });
      return;
    }
    answers[item.dataset.quizId] = chosen.join(" ");
    save(answers);
    show(item);
    showScores();
    // The check button is gone now, and the options are locked: the verdict takes the focus,
    // so that it is read out and Tab goes on to the answer's explanation.
    feedback.focus();
  }

  function show(item) {
    if (isQuestion(item)) return showQuestion(item);
    var choice = answers[item.dataset.quizId];
    var answered = choice !== undefined;
    var right = choice === item.dataset.answer;
    item.classList.toggle("quiz-pending", !answered);
    item.classList.toggle("quiz-right", answered && right);
    item.classList.toggle("quiz-wrong", answered && !right);
    item.querySelectorAll(".quiz-choice").forEach(function (button) {
      var chosen = button.dataset.choice === choice;
      button.setAttribute("aria-pressed", String(chosen));
      button.setAttribute("aria-disabled", String(answered));
      button.classList.toggle("is-answer", answered && button.dataset.choice === item.dataset.answer);
    });
    var feedback = item.querySelector(".quiz-feedback");
    feedback.textContent = !answered ? "" : right
      ? say("right_verdict", { answer: labelOf(item, choice) })
      : say("wrong_verdict", { chosen: labelOf(item, choice),
                               answer: labelOf(item, item.dataset.answer) });
    var details = item.querySelector("details.answer");
    if (details) details.open = answered;
    var explanation = item.querySelector(".quiz-explanation");
    if (explanation) explanation.hidden = !answered;
  }

  // Each score panel counts, and resets, the questions of its own section.
  function itemsOf(panel) {
    var section = panel.closest("section") || main;
    return items.filter(function (item) { return section.contains(item); });
  }

  function showScore(panel) {
    var own = itemsOf(panel), answered = 0, right = 0;
    own.forEach(function (item) {
      var choice = answers[item.dataset.quizId];
      if (choice === undefined) return;
      answered += 1;
      if (choice === item.dataset.answer) right += 1;
    });
    var total = say("questions_in_section", { count: own.length });
    var text = answered
      ? say("score", { right: right, count: answered, total: total })
      : say("score_nothing_yet", { total: total });
    var line = panel.querySelector(".quiz-score-text");
    if (line.textContent !== text) line.textContent = text;
    var progress = panel.querySelector(".quiz-progress");
    progress.max = own.length;
    progress.value = answered;
    panel.querySelector(".quiz-reset").disabled = answered === 0;
    panel.hidden = false;
  }

  function showScores() { scores.forEach(showScore); }

  items.forEach(function (item) {
    // A live region must be in the page before its text changes for that change to be
    // announced: the feedback stays shown, and is empty (so takes no room) until there is some.
    var feedback = item.querySelector(".quiz-feedback");
    feedback.hidden = false;
    if (isQuestion(item)) {
      feedback.tabIndex = -1;
      var actions = item.querySelector(".question-actions");
      actions.hidden = false;
      actions.querySelector(".question-check").addEventListener("click", function () { check(item); });
      show(item);
      return;
    }
    var choices = item.querySelector(".quiz-choices");
    choices.hidden = false;
    choices.addEventListener("click", function (event) {
      var button = event.target.closest(".quiz-choice");
      if (!button || answers[item.dataset.quizId] !== undefined) return;
      answers[item.dataset.quizId] = button.dataset.choice;
      save(answers);
      show(item);
      showScores();
    });
    show(item);
  });

  scores.forEach(function (panel) {
    panel.querySelector(".quiz-reset").addEventListener("click", function () {
      var own = itemsOf(panel);
      own.forEach(function (item) {
        delete answers[item.dataset.quizId];
        inputsOf(item).forEach(function (input) { input.checked = false; });
      });
      save(answers);
      own.forEach(show);
      showScores();
      var first = own.length && own[0].closest("section").querySelector(".quiz-pending .quiz-choice, .quiz-pending .option input");
      if (first) first.focus();
    });
  });

  // Myth-or-reality cards: shuffled so the order gives nothing away, and placed before the
  // table of answers, which folds away behind a summary.
  main.querySelectorAll(".myth-quiz").forEach(function (quiz) {
    var cards = quiz.querySelector(".myth-cards");
    var shuffled = Array.prototype.slice.call(cards.children);
    for (var i = shuffled.length - 1; i > 0; i--) {
      var j = Math.floor(Math.random() * (i + 1));
      var swap = shuffled[i]; shuffled[i] = shuffled[j]; shuffled[j] = swap;
    }
    shuffled.forEach(function (card) { cards.appendChild(card); });
    var table = quiz.parentNode.querySelector(".table-scroll");
    if (table) {
      var fold = document.createElement("details");
      fold.className = "answers-table";
      var summary = document.createElement("summary");
      summary.textContent = say("all_myths_table");
      fold.appendChild(summary);
      table.parentNode.insertBefore(fold, table);
      fold.appendChild(table);
      fold.parentNode.insertBefore(quiz, fold);
    }
    quiz.hidden = false;
  });
  showScores();
})();

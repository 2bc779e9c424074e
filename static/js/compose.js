// The compose page (templates/exchanges/compose.html). Everything here is an enhancement: without
// JavaScript the page works, with the H3 text always shown, the recipients' boxes without a
// filter, and one blank row of each entity kind (more rows come from formset.js).
(function () {
  "use strict";

  // "Due by …": the server renders the due date of every priority; show the chosen one.
  function setUpDueDate() {
    var data = document.getElementById("due-dates");
    var time = document.getElementById("due-at");
    if (!data || !time) return;
    var dates = JSON.parse(data.textContent);
    document.querySelectorAll('input[name="priority"]').forEach(function (radio) {
      radio.addEventListener("change", function () {
        var due = dates[radio.value];
        if (!radio.checked || !due) return;
        time.textContent = due.text;
        time.dateTime = due.datetime;
        time.title = due.title;
      });
    });
  }

  // The H3 text is asked for only when H3 is ticked. Hidden, it is also disabled, so that it is
  // neither sent nor refused. Text left in it without the tick (a page shown again with an
  // error) stays visible.
  function setUpH3() {
    var box = document.getElementById("id_h3");
    var field = document.getElementById("h3-text-field");
    var text = document.getElementById("id_h3_text");
    if (!box || !field || !text) return;
    function sync(keepFilled) {
      var show = box.checked || (keepFilled && text.value.trim() !== "");
      field.hidden = !show;
      text.disabled = !show;
    }
    box.addEventListener("change", function () {
      sync(false);
      if (box.checked) text.focus();
    });
    sync(true);
  }

  // Accents and case do not matter to the filter: "constanta" finds "Constanța".
  function fold(text) {
    return text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
  }

  // The recipient picker (templates/exchanges/_recipient_picker.html): a filter box over the
  // agencies' boxes, and the arrow keys to move between the boxes shown. A box hidden by the
  // filter keeps its tick and is still sent: the filter only narrows what is in view.
  function setUpRecipientPicker() {
    var picker = document.getElementById("recipients");
    var box = document.getElementById("recipient-filter");
    if (!picker || !box) return;
    var options = Array.prototype.slice.call(picker.querySelectorAll("[data-picker-option]"));
    var groups = Array.prototype.slice.call(picker.querySelectorAll("[data-picker-group]"));
    var count = document.getElementById("recipient-filter-count");
    var empty = picker.querySelector("[data-picker-empty]");
    var folded = options.map(function (option) { return fold(option.dataset.search || ""); });

    function shownBoxes() {
      return options.filter(function (option) { return !option.hidden; }).map(function (option) {
        return option.querySelector('input[type="checkbox"]');
      });
    }

    function apply() {
      var words = fold(box.value).split(/\s+/).filter(Boolean);
      var shown = 0;
      options.forEach(function (option, i) {
        var match = words.every(function (word) { return folded[i].indexOf(word) !== -1; });
        option.hidden = !match;
        if (match) shown += 1;
      });
      groups.forEach(function (group) {
        group.hidden = !group.querySelector("[data-picker-option]:not([hidden])");
      });
      if (empty) empty.hidden = shown !== 0;
      count.textContent = words.length
        ? count.dataset.shownText.replace("{shown}", shown).replace("{total}", options.length)
        : "";
    }

    box.addEventListener("input", apply);
    // The filter's own change is no change of recipients: the "Who will see this" panel, which
    // listens to changes inside #recipients, need not ask the server again.
    box.addEventListener("change", function (event) { event.stopPropagation(); });
    box.addEventListener("keydown", function (event) {
      if (event.key === "Enter" || event.key === "ArrowDown") {
        // Enter in a text box would send the whole form: here it means "go to the agencies".
        event.preventDefault();
        var first = shownBoxes()[0];
        if (first) first.focus();
      } else if (event.key === "Escape" && box.value) {
        event.preventDefault();
        box.value = "";
        apply();
      }
    });
    picker.addEventListener("keydown", function (event) {
      var target = event.target;
      if (event.key !== "ArrowDown" && event.key !== "ArrowUp") return;
      if (!target.matches || !target.matches('[data-picker-option] input[type="checkbox"]')) return;
      var boxes = shownBoxes();
      var at = boxes.indexOf(target);
      event.preventDefault();
      if (event.key === "ArrowDown" && at < boxes.length - 1) boxes[at + 1].focus();
      else if (event.key === "ArrowUp" && at > 0) boxes[at - 1].focus();
      else if (event.key === "ArrowUp") box.focus();
    });
    box.closest(".picker-filter").hidden = false;
    apply();
  }

  setUpDueDate();
  setUpH3();
  setUpRecipientPicker();
})();

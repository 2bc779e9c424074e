// The compose page (templates/exchanges/compose.html). Everything here is an enhancement: without
// JavaScript the page works, with the H3 text always shown and one blank row of each entity kind
// (more rows come from formset.js).
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

  setUpDueDate();
  setUpH3();
})();

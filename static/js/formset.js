// Rows added to a Django formset in the page (entities on New exchange, seizure lines on the
// results form). Each formset's empty form sits in a <template id="PREFIX-empty">; a button
// with data-add-row="PREFIX" appends a copy with the next index to #PREFIX-rows, and the
// management form's TOTAL_FORMS follows. Without JavaScript the button stays hidden and the
// form offers the blank rows the server rendered.
(function () {
  "use strict";

  document.querySelectorAll("[data-add-row]").forEach(function (button) {
    var prefix = button.getAttribute("data-add-row");
    var template = document.getElementById(prefix + "-empty");
    var rows = document.getElementById(prefix + "-rows");
    var total = document.getElementById("id_" + prefix + "-TOTAL_FORMS");
    var max = document.getElementById("id_" + prefix + "-MAX_NUM_FORMS");
    if (!template || !rows || !total) return;
    button.hidden = false;
    button.addEventListener("click", function () {
      var index = parseInt(total.value, 10);
      if (max && index >= parseInt(max.value, 10)) {
        button.disabled = true;
        return;
      }
      rows.insertAdjacentHTML("beforeend", template.innerHTML.replace(/__prefix__/g, String(index)));
      total.value = String(index + 1);
      var first = rows.lastElementChild && rows.lastElementChild.querySelector("input, select, textarea");
      if (first) first.focus();
    });
  });
})();

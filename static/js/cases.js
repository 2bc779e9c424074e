// The results form (templates/cases/result_form.html). Without JavaScript the form offers its
// blank seizure lines; with it, "Add a seizure line" appends one from the formset's empty form.
(function () {
  "use strict";

  document.querySelectorAll("[data-add-line]").forEach(function (button) {
    var prefix = button.getAttribute("data-add-line");
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
      var first = rows.lastElementChild && rows.lastElementChild.querySelector("select, input");
      if (first) first.focus();
    });
  });
})();

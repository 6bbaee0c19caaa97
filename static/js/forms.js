/* Small enhancements of plain forms; without this script every field stays visible.
 * A role select (data-role-select) shows the fieldsets marked data-shown-for-role="ROLE" of
 * its form only while ROLE is chosen (the disciplines belong to reviewers alone). A hidden
 * fieldset is disabled too, so what was ticked in it before is not sent. */
(function () {
  "use strict";

  function followRole(select) {
    var form = select.form;
    if (!form) { return; }
    var parts = form.querySelectorAll("[data-shown-for-role]");
    function update() {
      Array.prototype.forEach.call(parts, function (part) {
        var hide = part.dataset.shownForRole !== select.value;
        part.hidden = hide;
        part.disabled = hide;
      });
    }
    select.addEventListener("change", update);
    update();
  }

  function start() {
    Array.prototype.forEach.call(document.querySelectorAll("select[data-role-select]"), followRole);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();

/* The page frame on any screen: the navigation folds into a menu button on narrow
 * screens, and text areas marked data-grow fit their text (where the browser has no
 * `field-sizing: content`) so a long option is never cut off. */
(function () {
  "use strict";

  function menu(toggle) {
    return document.getElementById(toggle.getAttribute("aria-controls"));
  }

  function setOpen(toggle, open) {
    toggle.setAttribute("aria-expanded", open ? "true" : "false");
    var target = menu(toggle);
    if (target) { target.classList.toggle("open", open); }
  }

  document.addEventListener("click", function (event) {
    var toggle = event.target.closest("[data-nav-toggle]");
    if (toggle) {
      setOpen(toggle, toggle.getAttribute("aria-expanded") !== "true");
      return;
    }
    // A click outside an open menu folds it.
    document.querySelectorAll("[data-nav-toggle][aria-expanded=true]").forEach(function (open) {
      var target = menu(open);
      if (target && !target.contains(event.target)) { setOpen(open, false); }
    });
  });

  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") { return; }
    document.querySelectorAll("[data-nav-toggle][aria-expanded=true]").forEach(function (open) {
      var target = menu(open);
      var inside = target && target.contains(document.activeElement);
      setOpen(open, false);
      if (inside || document.activeElement === open) { open.focus(); }
    });
  });

  var sizesItself = window.CSS && CSS.supports && CSS.supports("field-sizing", "content");

  function grow(area) {
    if (sizesItself) { return; }
    area.style.height = "auto";
    area.style.height = area.scrollHeight + (area.offsetHeight - area.clientHeight) + "px";
  }

  function growAll(root) {
    if (sizesItself || !root.querySelectorAll) { return; }
    root.querySelectorAll("textarea[data-grow]").forEach(grow);
  }

  document.addEventListener("input", function (event) {
    if (event.target.matches && event.target.matches("textarea[data-grow]")) { grow(event.target); }
  });

  // An option is one line of text: Enter submits the form as it did in a one-line input.
  document.addEventListener("keydown", function (event) {
    var area = event.target;
    if (event.key !== "Enter" || event.shiftKey || !area.matches || !area.matches("textarea[data-single-line]")) { return; }
    event.preventDefault();
    if (area.form) { area.form.requestSubmit(); }
  });

  document.addEventListener("DOMContentLoaded", function () { growAll(document); });
  document.addEventListener("htmx:afterSettle", function () { growAll(document); });
})();

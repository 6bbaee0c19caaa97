/* The review page's keyboard flow and in-page panels (no native dialogs anywhere).
 * Shortcuts: space play/pause, , . frame step, j l ±5 s, [ ] span start/end, a accept,
 * e edit, r reject, n next, ? help. They are off while the focus is in a field. */
(function () {
  "use strict";

  var TEXT_INPUTS = ["text", "search", "number", "email", "password", "url", "tel"];

  function typing(target) {
    if (!target || !target.closest) { return false; }
    if (target.closest("textarea, select, [contenteditable=true]")) { return true; }
    var input = target.closest("input");
    // Radio buttons and checkboxes are not typing: the keys still drive the page there.
    return Boolean(input) && TEXT_INPUTS.indexOf(input.type || "text") !== -1;
  }

  function player() {
    return document.querySelector("#review video[data-testid=player]");
  }

  function nowOnOriginal(video) {
    var offset = parseFloat(video.dataset.offset || "0") || 0;
    return Math.round((video.currentTime + offset) * 1000) / 1000;
  }

  function toggle(selector) {
    var panel = document.querySelector(selector);
    if (!panel) { return; }
    panel.hidden = !panel.hidden;
    if (!panel.hidden) {
      var first = panel.querySelector("input, textarea, select, button");
      if (first) { first.focus(); }
    }
  }

  function setSpanTime(row, which) {
    var video = player();
    if (!video || !row) { return; }
    var input = row.querySelector(which === "start" ? "[data-span-start]" : "[data-span-end]");
    if (!input) { return; }
    input.value = String(nowOnOriginal(video));
    // As if typed: the timeline's band follows the field.
    input.dispatchEvent(new Event("input", { bubbles: true }));
  }

  // [ and ] fill the last row: the empty one the form keeps for a new span.
  function lastSpanRow() {
    var rows = document.querySelectorAll("#review [data-span-row]");
    return rows.length ? rows[rows.length - 1] : null;
  }

  document.addEventListener("click", function (event) {
    var toggler = event.target.closest("[data-toggle]");
    if (toggler) {
      event.preventDefault();
      toggle(toggler.dataset.toggle);
      return;
    }
    var now = event.target.closest("[data-comment-now]");
    if (now) {
      event.preventDefault();
      var video = player();
      var field = now.parentElement.querySelector("[data-comment-at]");
      if (video && field) { field.value = String(nowOnOriginal(video)); }
      return;
    }
    var setter = event.target.closest("[data-set-time]");
    if (setter) {
      event.preventDefault();
      setSpanTime(setter.closest("[data-span-row]"), setter.dataset.setTime);
    }
  });

  document.addEventListener("change", function (event) {
    var all = event.target.closest("[data-select-all]");
    if (!all) { return; }
    all.closest("form").querySelectorAll("input[name=uid]").forEach(function (box) {
      box.checked = all.checked;
    });
  });

  function press(selector) {
    var element = document.querySelector(selector);
    if (element && !element.disabled) { element.click(); return true; }
    return false;
  }

  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape") {
      document.querySelectorAll("#reject-panel, #shortcuts").forEach(function (panel) {
        panel.hidden = true;
      });
      return;
    }
    if (event.ctrlKey || event.metaKey || event.altKey || typing(event.target)) { return; }
    var video = player();
    var fps = video ? parseFloat(video.dataset.fps || "25") || 25 : 25;
    var handled = true;
    switch (event.key) {
      case " ":
        if (!video) { handled = false; break; }
        if (video.paused) { video.play(); } else { video.pause(); }
        break;
      case ",":
        if (video) { video.pause(); video.currentTime = Math.max(0, video.currentTime - 1 / fps); }
        break;
      case ".":
        if (video) { video.pause(); video.currentTime = video.currentTime + 1 / fps; }
        break;
      case "j":
        if (video) { video.currentTime = Math.max(0, video.currentTime - 5); }
        break;
      case "l":
        if (video) { video.currentTime = video.currentTime + 5; }
        break;
      case "[":
        setSpanTime(lastSpanRow(), "start");
        break;
      case "]":
        setSpanTime(lastSpanRow(), "end");
        break;
      case "a":
        handled = press("#review [data-testid=accept]");
        break;
      case "e":
        handled = press("#review [data-testid=edit]");
        break;
      case "r":
        handled = press("#review [data-testid=reject]");
        break;
      case "n":
        handled = press("#review [data-testid=next]");
        break;
      case "?":
        toggle("#shortcuts");
        break;
      default:
        handled = false;
    }
    if (handled) { event.preventDefault(); }
  });
})();

/* The review player: seek links, the time readout, and keyboard-free helpers.
 * Every element with data-seek="<seconds on the original's timeline>" jumps the player there;
 * data-offset on the <video> is subtracted when the served file is a re-encoded copy whose
 * timeline starts at the original's container start time. */
(function () {
  "use strict";

  function pad(n) { return (n < 10 ? "0" : "") + n; }

  function formatClock(seconds) {
    if (!isFinite(seconds) || seconds < 0) { seconds = 0; }
    var whole = Math.floor(seconds);
    var tenths = Math.floor((seconds - whole) * 10);
    var m = Math.floor(whole / 60);
    var s = whole % 60;
    return pad(m) + ":" + pad(s) + "." + tenths;
  }

  function playerFor(element) {
    var scope = element.closest("[data-player-scope]") || document;
    return scope.querySelector("video[data-testid=player]");
  }

  function offsetOf(video) {
    var offset = parseFloat(video.dataset.offset || "0");
    return isFinite(offset) ? offset : 0;
  }

  function seek(video, seconds) {
    var target = Math.max(0, seconds - offsetOf(video));
    var apply = function () {
      video.currentTime = target;
    };
    if (video.readyState >= 1) {
      apply();
    } else {
      video.addEventListener("loadedmetadata", apply, { once: true });
      video.load();
    }
  }

  // A span playing in a loop: [start, end] on the original's timeline, or null.
  var loop = null;

  function controlClick(event) {
    var control = event.target.closest("[data-jump], [data-frame], [data-play], [data-loop-start]");
    if (!control) { return false; }
    var video = playerFor(control);
    if (!video) { return false; }
    event.preventDefault();
    if (control.dataset.jump) {
      video.currentTime = Math.max(0, video.currentTime + parseFloat(control.dataset.jump));
    } else if (control.dataset.frame) {
      var fps = parseFloat(video.dataset.fps || "25") || 25;
      video.pause();
      video.currentTime = Math.max(0, video.currentTime + parseFloat(control.dataset.frame) / fps);
    } else if (control.hasAttribute("data-play")) {
      if (video.paused) { video.play(); } else { video.pause(); }
    } else {
      var on = control.getAttribute("aria-pressed") !== "true";
      document.querySelectorAll("[data-loop-start]").forEach(function (other) {
        other.setAttribute("aria-pressed", "false");
      });
      control.setAttribute("aria-pressed", on ? "true" : "false");
      loop = on ? [parseFloat(control.dataset.loopStart), parseFloat(control.dataset.loopEnd)] : null;
      if (loop) { seek(video, loop[0]); video.play(); }
    }
    return true;
  }

  document.addEventListener("change", function (event) {
    var speed = event.target.closest("[data-speed]");
    if (!speed) { return; }
    var video = playerFor(speed);
    if (video) { video.playbackRate = parseFloat(speed.value); }
  });

  document.addEventListener("input", function (event) {
    var search = event.target.closest("[data-transcript-search]");
    if (!search) { return; }
    var needle = search.value.trim().toLowerCase();
    var section = search.closest(".transcript");
    section.querySelectorAll("li").forEach(function (item) {
      item.hidden = needle !== "" && item.textContent.toLowerCase().indexOf(needle) === -1;
    });
  });

  document.addEventListener("click", function (event) {
    if (controlClick(event)) { return; }
    var link = event.target.closest("[data-seek]");
    if (!link) { return; }
    var video = playerFor(link);
    if (!video) { return; }
    event.preventDefault();
    seek(video, parseFloat(link.dataset.seek));
  });

  function highlightCue(video) {
    var now = video.currentTime + offsetOf(video);
    var cues = document.querySelectorAll(".transcript .cue");
    cues.forEach(function (cue) {
      var start = parseFloat(cue.dataset.seek);
      var end = parseFloat(cue.dataset.end);
      var active = now >= start && now < end;
      if (active && !cue.classList.contains("current")) {
        cue.classList.add("current");
        cue.scrollIntoView({ block: "nearest" });
      } else if (!active) {
        cue.classList.remove("current");
      }
    });
  }

  function wire(video) {
    var clock = document.querySelector("[data-clock]");
    video.addEventListener("timeupdate", function () {
      var now = video.currentTime + offsetOf(video);
      if (loop && (now >= loop[1] || now < loop[0] - 0.5)) { seek(video, loop[0]); }
      if (clock) { clock.textContent = formatClock(now); }
      highlightCue(video);
    });
    video.addEventListener("seeked", function () {
      if (clock) { clock.textContent = formatClock(video.currentTime + offsetOf(video)); }
      highlightCue(video);
    });
  }

  function wireAll() {
    document.querySelectorAll("video[data-testid=player]").forEach(function (video) {
      if (video.dataset.wired) { return; }
      video.dataset.wired = "1";
      wire(video);
    });
  }

  document.addEventListener("DOMContentLoaded", wireAll);
  // The review page swaps in the next item with htmx: wire its new player too.
  document.addEventListener("htmx:afterSettle", wireAll);

  window.sciannotPlayer = { seek: seek, offsetOf: offsetOf, formatClock: formatClock };
})();

/* The baseline answering page: keys 1-9 and 0 pick options A-J, the countdown (the server
 * enforces the limit; at zero the page submits without a choice), and a play-once player
 * when the study does not allow rewatching. No feedback on answers, ever. */
(function () {
  "use strict";

  function form() { return document.querySelector("[data-testid=answer-form]"); }

  function typing(target) {
    return Boolean(target && target.closest && target.closest("textarea, input[type=text]"));
  }

  document.addEventListener("keydown", function (event) {
    if (!form() || event.ctrlKey || event.metaKey || event.altKey || typing(event.target)) { return; }
    var choice = document.querySelector(".choice[data-key='" + event.key + "'] input");
    if (choice) {
      choice.checked = true;
      choice.focus();
      event.preventDefault();
    } else if (event.key === "Enter" && document.querySelector(".choice input:checked")) {
      document.querySelector("[data-testid=submit-answer]").click();
      event.preventDefault();
    }
  });

  function startTimer() {
    var timer = document.querySelector("[data-testid=timer][data-seconds-left]");
    if (!timer) { return; }
    var deadline = Date.now() + parseFloat(timer.dataset.secondsLeft) * 1000;
    var sent = false;
    var tick = function () {
      var left = Math.max(0, Math.ceil((deadline - Date.now()) / 1000));
      timer.textContent = left + " s left";
      timer.classList.toggle("urgent", left <= 10);
      if (left <= 0 && !sent) {
        sent = true;
        // Time is up: send what is chosen now, or nothing; the server decides.
        var current = form();
        if (current) { current.submit(); }
        return;
      }
      window.setTimeout(tick, 250);
    };
    tick();
  }

  function playOnce() {
    var button = document.querySelector("[data-testid=play-once]");
    var video = document.querySelector("video[data-play-once]");
    if (!button || !video) { return; }
    button.addEventListener("click", function () {
      button.disabled = true;
      video.play();
    });
    video.addEventListener("ended", function () { button.textContent = "Played"; });
    // No scrubbing back.
    var furthest = 0;
    video.addEventListener("timeupdate", function () {
      if (video.currentTime > furthest) { furthest = video.currentTime; }
    });
    video.addEventListener("seeking", function () {
      if (video.currentTime < furthest - 0.5) { video.currentTime = furthest; }
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    startTimer();
    playOnce();
  });
}());

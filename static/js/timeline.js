/* The timeline under the player: thumbnails, one band per evidence span, the playhead.
 * A click on the strip seeks there; a band is a button that seeks to its span's start (its
 * data-seek, handled by player.js). In edit mode the bands follow the form's span rows: typing
 * in a start or end moves its band, and each band's edges are sliders (drag them, or focus and
 * use the arrow keys: a frame, or 1 s with Shift) that write the same inputs the form posts.
 * Positions are set through element.style: the page's CSP forbids style attributes, not the
 * CSSOM. */
(function () {
  "use strict";

  var COLOURS = 8;

  function parseTime(text) {
    // The inputs take seconds ("75.5") or clock times ("01:15", "1:02:03.5"), as the server.
    var value = String(text || "").trim();
    if (value === "") { return null; }
    if (value.indexOf(":") === -1) {
      return /^\d+(\.\d+)?$/.test(value) ? parseFloat(value) : null;
    }
    if (!/^\d{1,2}(:\d{2}){1,2}(\.\d+)?$/.test(value)) { return null; }
    var parts = value.split(":");
    var seconds = 0;
    for (var i = 0; i < parts.length; i += 1) {
      var part = parseFloat(parts[i]);
      if (i > 0 && part >= 60) { return null; }
      seconds = seconds * 60 + part;
    }
    return seconds;
  }

  function pad(n) { return (n < 10 ? "0" : "") + n; }

  // "00:12" for whole seconds, "00:12.400" otherwise: what the edit form itself writes.
  function formatExact(seconds) {
    var millis = Math.round(Math.max(0, seconds) * 1000);
    var whole = Math.floor(millis / 1000);
    var fraction = millis % 1000;
    var hours = Math.floor(whole / 3600);
    var minutes = Math.floor((whole % 3600) / 60);
    var text = (hours ? hours + ":" + pad(minutes) : pad(minutes)) + ":" + pad(whole % 60);
    if (fraction) { text += "." + String(1000 + fraction).slice(1); }
    return text;
  }

  function formatShort(seconds) {
    var player = window.sciannotPlayer;
    return player ? player.formatClock(seconds) : formatExact(seconds);
  }

  function clamp(value, low, high) { return Math.min(high, Math.max(low, value)); }

  function scopeOf(timeline) {
    return timeline.closest("[data-player-scope]") || document;
  }

  function videoOf(timeline) {
    return scopeOf(timeline).querySelector("video[data-testid=player]");
  }

  function durationOf(timeline) {
    var duration = parseFloat(timeline.dataset.duration);
    return isFinite(duration) && duration > 0 ? duration : 0;
  }

  function frameStep(timeline) {
    var video = videoOf(timeline);
    var fps = video ? parseFloat(video.dataset.fps || "") : NaN;
    return isFinite(fps) && fps > 0 ? 1 / fps : 0.1;
  }

  function seek(timeline, seconds) {
    var video = videoOf(timeline);
    if (video && window.sciannotPlayer) { window.sciannotPlayer.seek(video, seconds); }
  }

  function place(band, start, end, duration) {
    var left = clamp(start / duration, 0, 1);
    var right = clamp(end / duration, left, 1);
    band.style.left = (left * 100).toFixed(3) + "%";
    band.style.width = ((right - left) * 100).toFixed(3) + "%";
    // A note near the right end opens leftwards, so it stays on the screen.
    band.classList.toggle("tip-left", (left + right) / 2 > 0.5);
  }

  // --- Thumbnails ---------------------------------------------------------------------------

  function layoutThumbs(timeline) {
    var box = timeline.querySelector("[data-timeline-thumbs]");
    var sprite = timeline._sprite;
    if (!box || !sprite) { return; }
    var count = sprite.count;
    var tiles = box.children;
    var width = box.clientWidth / count;
    var height = box.clientHeight;
    if (!width || !height) { return; }
    // Each tile shows its frame like background-size: cover would, cropped from the sprite.
    var frameWidth = Math.max(width, height * sprite.aspect);
    var frameHeight = frameWidth / sprite.aspect;
    for (var i = 0; i < tiles.length; i += 1) {
      var tile = tiles[i];
      tile.style.backgroundSize = (frameWidth * count).toFixed(1) + "px " + frameHeight.toFixed(1) + "px";
      tile.style.backgroundPosition = ((width - frameWidth) / 2 - i * frameWidth).toFixed(1) + "px " +
        ((height - frameHeight) / 2).toFixed(1) + "px";
    }
  }

  function loadThumbs(timeline) {
    var url = timeline.dataset.thumbs;
    var count = parseInt(timeline.dataset.thumbCount || "0", 10);
    var box = timeline.querySelector("[data-timeline-thumbs]");
    if (!url || !count || !box) { return; }
    var image = new Image();
    image.addEventListener("load", function () {
      if (!image.naturalWidth || !image.naturalHeight) { return; }
      timeline._sprite = { count: count, aspect: image.naturalWidth / count / image.naturalHeight };
      box.textContent = "";
      for (var i = 0; i < count; i += 1) {
        var tile = document.createElement("div");
        tile.className = "timeline-thumb";
        tile.style.backgroundImage = "url(\"" + url + "\")";
        box.appendChild(tile);
      }
      timeline.classList.add("with-thumbs");
      layoutThumbs(timeline);
    });
    // Without its pictures the strip still seeks and shows the bands.
    image.src = url;
  }

  // --- Bands of the question's spans (view) ---------------------------------------------------

  function layoutStaticBands(timeline) {
    var duration = durationOf(timeline);
    timeline.querySelectorAll("[data-band]").forEach(function (band) {
      var start = parseFloat(band.dataset.start);
      var end = parseFloat(band.dataset.end);
      if (!isFinite(start) || !duration) { band.hidden = true; return; }
      place(band, start, isFinite(end) ? Math.max(end, start) : start, duration);
    });
  }

  // --- Bands of the edit form's span rows (edit) ----------------------------------------------

  function spanRows(timeline) {
    return Array.prototype.slice.call(scopeOf(timeline).querySelectorAll("[data-span-row]"));
  }

  function rowTimes(row) {
    var start = parseTime(row.querySelector("[data-span-start]").value);
    var endText = row.querySelector("[data-span-end]").value;
    // An empty end is a moment: the server takes the start for it.
    var end = String(endText).trim() === "" ? start : parseTime(endText);
    return { start: start, end: end };
  }

  function makeHandle(which) {
    var handle = document.createElement("span");
    handle.className = "band-handle " + which;
    handle.dataset.handle = which;
    handle.dataset.testid = "band-" + which;
    handle.setAttribute("role", "slider");
    handle.setAttribute("tabindex", "0");
    handle.setAttribute("aria-valuemin", "0");
    return handle;
  }

  function makeEditBand(index) {
    var band = document.createElement("div");
    band.className = "band editable band-c" + (index % COLOURS);
    band.dataset.band = "";
    band.dataset.row = String(index);
    var body = document.createElement("button");
    body.type = "button";
    body.className = "band-body";
    body.dataset.testid = "band";
    var label = document.createElement("span");
    label.className = "visually-hidden";
    var tip = document.createElement("span");
    tip.className = "band-tip";
    // Seen on hover and focus; screen readers have the note in the label.
    tip.setAttribute("aria-hidden", "true");
    tip.dataset.testid = "band-note";
    body.appendChild(label);
    body.appendChild(tip);
    band.appendChild(makeHandle("start"));
    band.appendChild(body);
    band.appendChild(makeHandle("end"));
    return band;
  }

  function setSlider(handle, name, value, low, high) {
    handle.setAttribute("aria-label", name);
    handle.setAttribute("aria-valuemin", low.toFixed(3));
    handle.setAttribute("aria-valuemax", high.toFixed(3));
    handle.setAttribute("aria-valuenow", value.toFixed(3));
    handle.setAttribute("aria-valuetext", formatShort(value));
  }

  function renderEditBands(timeline) {
    var container = timeline.querySelector("[data-timeline-bands]");
    var duration = durationOf(timeline);
    if (!container || !duration) { return; }
    var rows = spanRows(timeline);
    rows.forEach(function (row, index) {
      var band = container.querySelector("[data-row='" + index + "']");
      if (!band) {
        band = makeEditBand(index);
        container.appendChild(band);
      }
      for (var c = 0; c < COLOURS; c += 1) { row.classList.toggle("band-c" + c, c === index % COLOURS); }
      var times = rowTimes(row);
      if (times.start === null) { band.hidden = true; return; }
      band.hidden = false;
      var end = times.end === null ? times.start : times.end;
      band.classList.toggle("invalid", times.end === null || end < times.start || end > duration);
      var shownEnd = Math.max(end, times.start);
      place(band, times.start, shownEnd, duration);
      var number = index + 1;
      var note = row.querySelector("input[name=span_note]");
      var noteText = note ? note.value.trim() : "";
      var body = band.querySelector(".band-body");
      body.dataset.seek = String(times.start);
      body.querySelector(".visually-hidden").textContent = "Evidence " + number + ": " +
        formatShort(times.start) + "–" + formatShort(shownEnd) + (noteText ? ": " + noteText : "");
      var tip = body.querySelector(".band-tip");
      tip.textContent = noteText;
      tip.hidden = noteText === "";
      setSlider(band.querySelector("[data-handle=start]"), "Evidence " + number + " start",
        times.start, 0, shownEnd);
      setSlider(band.querySelector("[data-handle=end]"), "Evidence " + number + " end",
        shownEnd, times.start, duration);
    });
    container.querySelectorAll("[data-row]").forEach(function (band) {
      if (parseInt(band.dataset.row, 10) >= rows.length) { band.remove(); }
    });
  }

  // Write a dragged or stepped edge into the form's input, as if typed.
  function moveEdge(timeline, handle, seconds) {
    var band = handle.closest("[data-row]");
    var row = spanRows(timeline)[parseInt(band.dataset.row, 10)];
    if (!row) { return; }
    var times = rowTimes(row);
    if (times.start === null) { return; }
    var end = times.end === null ? times.start : Math.max(times.end, times.start);
    var duration = durationOf(timeline);
    var value;
    if (handle.dataset.handle === "start") {
      value = clamp(seconds, 0, end);
      row.querySelector("[data-span-start]").value = formatExact(value);
      // An empty end meant "the start": keep the span where it was.
      if (String(row.querySelector("[data-span-end]").value).trim() === "") {
        row.querySelector("[data-span-end]").value = formatExact(end);
      }
    } else {
      value = clamp(seconds, times.start, duration);
      row.querySelector("[data-span-end]").value = formatExact(value);
    }
    row.querySelector(handle.dataset.handle === "start" ? "[data-span-start]" : "[data-span-end]")
      .dispatchEvent(new Event("input", { bubbles: true }));
    seek(timeline, value);
  }

  function handleValue(handle) {
    return parseFloat(handle.getAttribute("aria-valuenow") || "0");
  }

  // --- The playhead ---------------------------------------------------------------------------

  function movePlayhead(timeline) {
    var head = timeline.querySelector("[data-timeline-playhead]");
    var video = videoOf(timeline);
    var duration = durationOf(timeline);
    if (!head || !video || !duration) { return; }
    var offset = window.sciannotPlayer ? window.sciannotPlayer.offsetOf(video) : 0;
    head.style.left = (clamp((video.currentTime + offset) / duration, 0, 1) * 100).toFixed(3) + "%";
  }

  function follow(timeline, video) {
    var frame = null;
    var tick = function () {
      movePlayhead(timeline);
      frame = video.paused || video.ended ? null : window.requestAnimationFrame(tick);
    };
    video.addEventListener("play", function () { if (frame === null) { frame = window.requestAnimationFrame(tick); } });
    ["timeupdate", "seeked", "seeking", "loadedmetadata"].forEach(function (name) {
      video.addEventListener(name, function () { movePlayhead(timeline); });
    });
  }

  // --- Wiring ---------------------------------------------------------------------------------

  function timeAt(timeline, clientX) {
    var track = timeline.querySelector("[data-timeline-track]");
    var box = track.getBoundingClientRect();
    return clamp((clientX - box.left) / box.width, 0, 1) * durationOf(timeline);
  }

  function render(timeline) {
    if (timeline.hasAttribute("data-timeline-edit")) { renderEditBands(timeline); }
    else { layoutStaticBands(timeline); }
  }

  function wire(timeline) {
    var track = timeline.querySelector("[data-timeline-track]");
    var video = videoOf(timeline);
    var seekable = !timeline.hasAttribute("data-timeline-static");
    render(timeline);
    loadThumbs(timeline);
    if (video) { follow(timeline, video); movePlayhead(timeline); }

    if (seekable) {
      track.addEventListener("click", function (event) {
        // A band seeks to its own start (data-seek); a handle is being dragged.
        if (event.target.closest(".band")) { return; }
        seek(timeline, timeAt(timeline, event.clientX));
      });
    }

    if (!timeline.hasAttribute("data-timeline-edit")) { return; }
    var form = scopeOf(timeline).querySelector("[data-spans]");
    if (form) {
      form.addEventListener("input", function () { renderEditBands(timeline); });
    }
    var dragging = null;
    track.addEventListener("pointerdown", function (event) {
      var handle = event.target.closest("[data-handle]");
      if (!handle || event.button !== 0) { return; }
      event.preventDefault();
      dragging = handle;
      handle.focus();
      handle.setPointerCapture(event.pointerId);
      handle.classList.add("dragging");
    });
    track.addEventListener("pointermove", function (event) {
      if (!dragging) { return; }
      // Tenths of a second: finer than a pointer can aim on a long video; arrows step frames.
      moveEdge(timeline, dragging, Math.round(timeAt(timeline, event.clientX) * 10) / 10);
    });
    var stop = function () {
      if (!dragging) { return; }
      dragging.classList.remove("dragging");
      dragging = null;
    };
    track.addEventListener("pointerup", stop);
    track.addEventListener("pointercancel", stop);
    track.addEventListener("keydown", function (event) {
      var handle = event.target.closest("[data-handle]");
      if (!handle || event.ctrlKey || event.metaKey || event.altKey) { return; }
      var value = handleValue(handle);
      var step = event.shiftKey ? 1 : frameStep(timeline);
      var target = null;
      switch (event.key) {
        case "ArrowLeft": case "ArrowDown": target = value - step; break;
        case "ArrowRight": case "ArrowUp": target = value + step; break;
        case "PageDown": target = value - 10; break;
        case "PageUp": target = value + 10; break;
        case "Home": target = parseFloat(handle.getAttribute("aria-valuemin")); break;
        case "End": target = parseFloat(handle.getAttribute("aria-valuemax")); break;
        case "Enter": event.preventDefault(); seek(timeline, value); return;
        default: return;
      }
      event.preventDefault();
      event.stopPropagation();
      moveEdge(timeline, handle, Math.round(target * 1000) / 1000);
    });
  }

  function wireAll() {
    document.querySelectorAll("[data-timeline]").forEach(function (timeline) {
      if (timeline.dataset.wired) { return; }
      timeline.dataset.wired = "1";
      wire(timeline);
    });
  }

  var resizing = null;
  window.addEventListener("resize", function () {
    if (resizing) { window.cancelAnimationFrame(resizing); }
    resizing = window.requestAnimationFrame(function () {
      document.querySelectorAll("[data-timeline]").forEach(layoutThumbs);
    });
  });

  document.addEventListener("DOMContentLoaded", wireAll);
  // The review page swaps in the next item, or the edit form, with htmx.
  document.addEventListener("htmx:afterSettle", wireAll);

  window.sciannotTimeline = { parseTime: parseTime, formatExact: formatExact };
})();

/* The video upload page: sends the video (and its transcript and manuscript) in chunks at
 * their byte offsets, shows progress, retries a chunk that failed, and resumes after a reload
 * from the offset the server reports. The server protocol is described in
 * videos/uploads/views.py. */
(function () {
  "use strict";

  var JOVE_NAME = /^jove_([A-Za-z0-9_-]{1,64})\.[A-Za-z0-9]+$/;
  var MAX_ATTEMPTS = 6;
  var STORE_PREFIX = "sciannot-upload:";

  function csrfToken() {
    // The page carries the token for htmx on <body hx-headers>; the cookie is the fallback.
    try {
      var headers = JSON.parse(document.body.getAttribute("hx-headers") || "{}");
      if (headers["X-CSRFToken"]) { return headers["X-CSRFToken"]; }
    } catch (ignored) { /* not JSON: use the cookie */ }
    var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : "";
  }

  function sleep(ms) {
    return new Promise(function (resolve) { window.setTimeout(resolve, ms); });
  }

  function megabytes(bytes) {
    return (bytes / (1024 * 1024)).toFixed(1) + " MB";
  }

  function Uploader(form) {
    this.form = form;
    this.createUrl = form.dataset.createUrl;
    this.chunkSize = Math.max(1, parseInt(form.dataset.chunkSize || "8388608", 10) || 8388608);
    this.video = form.querySelector("[data-upload-video]");
    this.videoId = form.querySelector("[data-upload-video-id]");
    this.transcript = form.querySelector("[data-upload-transcript]");
    this.manuscript = form.querySelector("[data-upload-manuscript]");
    this.replace = form.querySelector("[data-upload-replace]");
    this.start = form.querySelector("[data-upload-start]");
    this.cancel = form.querySelector("[data-upload-cancel]");
    this.progress = form.querySelector("[data-upload-progress]");
    this.status = form.querySelector("[data-upload-status]");
    this.error = form.querySelector("[data-upload-error]");
    this.active = [];
    this.controller = null;
    this.cancelled = false;
  }

  Uploader.prototype.bind = function () {
    var self = this;
    this.video.addEventListener("change", function () { self.prefillId(); });
    this.videoId.addEventListener("input", function () { delete self.videoId.dataset.auto; });
    this.form.addEventListener("submit", function (event) {
      event.preventDefault();
      self.run();
    });
    this.cancel.addEventListener("click", function () { self.stop(); });
    // A file chosen before this script ran (a slow connection) still names the video.
    this.prefillId();
  };

  Uploader.prototype.prefillId = function () {
    var file = this.video.files[0];
    if (!file || (this.videoId.value && !this.videoId.dataset.auto)) { return; }
    var match = JOVE_NAME.exec(file.name);
    if (match) {
      this.videoId.value = match[1];
      this.videoId.dataset.auto = "1";
    }
  };

  Uploader.prototype.say = function (text) { this.status.textContent = text; };

  Uploader.prototype.fail = function (message) {
    this.error.textContent = message;
    this.error.hidden = false;
  };

  Uploader.prototype.call = async function (method, url, body, headers) {
    var options = {
      method: method,
      credentials: "same-origin",
      headers: Object.assign({"X-CSRFToken": csrfToken(), "Accept": "application/json"}, headers || {}),
      signal: this.controller ? this.controller.signal : undefined
    };
    if (body !== undefined) { options.body = body; }
    var response = await fetch(url, options);
    var data;
    try {
      data = await response.json();
    } catch (ignored) {
      data = {error: "the server answered " + response.status + " " + response.statusText};
    }
    return {status: response.status, data: data};
  };

  Uploader.prototype.callJson = function (method, url, payload) {
    return this.call(method, url, JSON.stringify(payload), {"Content-Type": "application/json"});
  };

  function storeKey(kind, videoId, file) {
    return STORE_PREFIX + [kind, videoId, file.name, file.size, file.lastModified].join(":");
  }

  // An upload of this very file that the server still has, or a new one.
  Uploader.prototype.open = async function (kind, file, videoId, replace) {
    var key = storeKey(kind, videoId, file);
    var statusUrl = window.localStorage.getItem(key);
    if (statusUrl) {
      var known = await this.call("GET", statusUrl);
      var usable = known.status === 200 && known.data.size === file.size &&
        (known.data.status === "receiving" || known.data.status === "received");
      if (usable) { return {key: key, upload: known.data, file: file}; }
      window.localStorage.removeItem(key);
    }
    var created = await this.callJson("POST", this.createUrl, {
      kind: kind, name: file.name, size: file.size, video_id: videoId, replace: replace
    });
    if (created.status !== 201) { throw new Error(created.data.error || "the upload was refused"); }
    window.localStorage.setItem(key, created.data.status_url);
    return {key: key, upload: created.data, file: file};
  };

  // Sends the file from the offset the server has, one chunk at a time, in order.
  Uploader.prototype.send = async function (item, onProgress) {
    var file = item.file;
    var upload = item.upload;
    var offset = upload.offset;
    var attempts = 0;
    var realigned = 0;
    onProgress(offset);
    while (offset < file.size) {
      if (this.cancelled) { throw new Error("cancelled"); }
      var end = Math.min(offset + this.chunkSize, file.size);
      var result = null;
      try {
        result = await this.call("PUT", upload.chunk_url, file.slice(offset, end), {
          "Content-Type": "application/octet-stream",
          "Content-Range": "bytes " + offset + "-" + (end - 1) + "/" + file.size
        });
      } catch (error) {
        if (this.cancelled) { throw new Error("cancelled"); }
        result = null;  // the network failed: try the chunk again
      }
      if (result && result.status === 200) {
        offset = result.data.offset;
        attempts = 0;
        realigned = 0;
      } else if (result && result.status === 409 && typeof result.data.expected_offset === "number") {
        // The server has a different number of bytes (a reply lost on the way, or a resumed
        // upload): go on from where it is.
        realigned += 1;
        if (realigned > 3) { throw new Error(result.data.error); }
        offset = result.data.expected_offset;
      } else if (!result || result.status >= 500 || result.status === 408 || result.status === 429) {
        attempts += 1;
        if (attempts >= MAX_ATTEMPTS) {
          throw new Error((result && result.data.error) || "the connection keeps failing");
        }
        this.say("Chunk failed; trying again (" + attempts + " of " + (MAX_ATTEMPTS - 1) + ")…");
        await sleep(Math.min(1000 * Math.pow(2, attempts - 1), 15000));
      } else {
        throw new Error(result.data.error || "the chunk was refused");
      }
      onProgress(offset);
    }
  };

  Uploader.prototype.busy = function (on) {
    this.start.disabled = on;
    this.cancel.hidden = !on;
    [this.video, this.videoId, this.transcript, this.manuscript, this.replace].forEach(function (el) {
      el.disabled = on;
    });
  };

  Uploader.prototype.run = async function () {
    var file = this.video.files[0];
    var videoId = this.videoId.value.trim();
    this.error.hidden = true;
    if (!file) { this.fail("Choose a video file."); return; }
    if (!/^[A-Za-z0-9_-]{1,64}$/.test(videoId)) {
      this.fail("The video id must be 1 to 64 letters, digits, '-' or '_'.");
      return;
    }
    var parts = [["video", file]];
    if (this.transcript.files[0]) { parts.push(["transcript", this.transcript.files[0]]); }
    if (this.manuscript.files[0]) { parts.push(["manuscript", this.manuscript.files[0]]); }
    var total = parts.reduce(function (sum, part) { return sum + part[1].size; }, 0);
    var self = this;
    this.cancelled = false;
    this.controller = new AbortController();
    this.active = [];
    this.busy(true);
    this.progress.value = 0;
    try {
      var done = 0;
      for (var i = 0; i < parts.length; i++) {
        var kind = parts[i][0];
        var item = await this.open(kind, parts[i][1], videoId, this.replace.checked);
        this.active.push(item);
        if (item.upload.offset > 0 && item.upload.offset < item.file.size) {
          this.say("Resuming " + item.file.name + " from " + megabytes(item.upload.offset) + "…");
        }
        var before = done;
        await this.send(item, function (offset) {
          var sent = before + offset;
          self.progress.value = Math.floor(100 * sent / total);
          self.say("Uploading " + item.file.name + ": " + self.progress.value + "% (" +
            megabytes(sent) + " of " + megabytes(total) + ")");
        });
        done += item.file.size;
      }
      this.progress.value = 100;
      this.say("All " + megabytes(total) + " sent; checking the video…");
      var byKind = {};
      this.active.forEach(function (entry) { byKind[entry.upload.kind] = entry.upload.id; });
      var finished = await this.callJson("POST", this.active[0].upload.finish_url, {
        transcript: byKind.transcript || null,
        manuscript: byKind.manuscript || null
      });
      if (finished.status !== 200) {
        // A refused file is gone from the server: forget it, so a retry sends it afresh.
        await this.forgetFailed();
        throw new Error(finished.data.error || "the upload could not be finished");
      }
      this.active.forEach(function (entry) { window.localStorage.removeItem(entry.key); });
      this.say("Done: opening video " + finished.data.video_id + "…");
      window.location.assign(finished.data.video_url);
    } catch (error) {
      this.busy(false);
      if (this.cancelled) {
        this.say("Cancelled.");
      } else {
        this.say("");
        this.fail(error.message || String(error));
      }
    }
  };

  Uploader.prototype.forgetFailed = async function () {
    for (var i = 0; i < this.active.length; i++) {
      var entry = this.active[i];
      var known = await this.call("GET", entry.upload.status_url);
      if (known.status !== 200 || known.data.status === "failed") {
        window.localStorage.removeItem(entry.key);
      }
    }
  };

  Uploader.prototype.stop = async function () {
    this.cancelled = true;
    if (this.controller) { this.controller.abort(); }
    this.controller = null;
    var active = this.active;
    this.active = [];
    for (var i = 0; i < active.length; i++) {
      window.localStorage.removeItem(active[i].key);
      await this.call("POST", active[i].upload.cancel_url);
    }
    this.progress.value = 0;
    this.say("Cancelled.");
  };

  document.addEventListener("DOMContentLoaded", function () {
    var form = document.querySelector("[data-upload-form]");
    if (form) { new Uploader(form).bind(); }
  });
})();

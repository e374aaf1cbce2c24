// Scanning the owner's QR code with the phone camera (progressive enhancement: without
// JavaScript the page offers upload and link instead, and says so).
// The camera picture goes to a canvas about every 400 ms; the frame is sent to /scan, which
// reads the QR code on the server; once it has read one, its text is put in the hidden form
// and the form is submitted, exactly as if it had been pasted. One frame is in flight at a
// time. The texts shown come from the page (data-msg-*), in the page's language.
(function () {
  "use strict";
  var section = document.querySelector("[data-scanner]");
  if (!section) {
    return;
  }
  var controls = section.querySelector("[data-scanner-controls]");
  var startButton = section.querySelector("[data-scan-start]");
  var stopButton = section.querySelector("[data-scan-stop]");
  var video = section.querySelector("[data-scan-video]");
  var status = section.querySelector("[data-scan-status]");
  var form = section.querySelector("[data-scan-form]");
  var textField = section.querySelector("[data-scan-text]");
  var scanUrl = section.getAttribute("data-scan-url");
  var INTERVAL_MS = 400;
  var MAX_SIDE = 1024; // larger frames cost upload time and do not read better
  var canvas = document.createElement("canvas");
  var stream = null;
  var timer = null;

  function say(name) {
    status.textContent = section.getAttribute("data-msg-" + name) || "";
  }

  controls.hidden = false;
  if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia || !window.fetch ||
      !canvas.toBlob) {
    startButton.disabled = true;
    say("no-camera");
    return;
  }

  function stop(message) {
    window.clearTimeout(timer);
    timer = null;
    if (stream) {
      stream.getTracks().forEach(function (track) { track.stop(); });
      stream = null;
    }
    video.srcObject = null;
    video.hidden = true;
    stopButton.hidden = true;
    startButton.hidden = false;
    if (message) {
      say(message);
    }
  }

  function next() {
    if (stream) {
      timer = window.setTimeout(grab, INTERVAL_MS);
    }
  }

  function grab() {
    if (!stream || video.readyState < 2 || !video.videoWidth) {
      next();
      return;
    }
    var scale = Math.min(1, MAX_SIDE / Math.max(video.videoWidth, video.videoHeight));
    canvas.width = Math.round(video.videoWidth * scale);
    canvas.height = Math.round(video.videoHeight * scale);
    canvas.getContext("2d").drawImage(video, 0, 0, canvas.width, canvas.height);
    canvas.toBlob(send, "image/jpeg", 0.85);
  }

  function send(blob) {
    if (!blob || !stream) {
      next();
      return;
    }
    var body = new FormData();
    body.append("frame", blob, "frame.jpg");
    fetch(scanUrl, { method: "POST", body: body, credentials: "same-origin" })
      .then(function (response) {
        return response.ok ? response.json() : null; // 422: no QR code in this frame
      })
      .then(function (answer) {
        if (answer && typeof answer.text === "string" && answer.text) {
          stop("found");
          textField.value = answer.text;
          form.submit();
        } else {
          next();
        }
      })
      .catch(next); // a moment without network: try the next frame
  }

  startButton.addEventListener("click", function () {
    say("starting");
    navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" }, audio: false })
      .then(function (camera) {
        stream = camera;
        video.srcObject = camera;
        video.hidden = false;
        startButton.hidden = true;
        stopButton.hidden = false;
        return video.play();
      })
      .then(function () {
        say("looking");
        next();
      })
      .catch(function (error) {
        stop(error && error.name === "NotAllowedError" ? "denied" : "no-camera");
      });
  });

  stopButton.addEventListener("click", function () { stop("stopped"); });
  // A camera left on in a background tab is a privacy surprise: turn it off.
  document.addEventListener("visibilitychange", function () {
    if (document.hidden && stream) {
      stop("stopped");
    }
  });
})();

/* The lesson clock: while the lesson page is in view and the learner is active (or its video plays), tell the
   server "still here" every few seconds; when the end of the text or the video is reached, say so once. The server
   counts the time itself (it never receives a number) and answers the clock line, which htmx swaps in.
   Without this script the lesson still works: the time since the page was opened counts when it is marked done. */
(function () {
  "use strict";

  var IDLE_MS = 2 * 60 * 1000; // no scroll, key, pointer or playing video for this long: not reading any more

  function start() {
    var main = document.querySelector("[data-lesson-clock]");
    if (!main || !window.htmx) return;
    var url = main.getAttribute("data-lesson-clock");
    var every = Math.max(10, parseInt(main.getAttribute("data-beat-seconds"), 10) || 30) * 1000;
    var lastActive = Date.now();
    var video = main.querySelector("[data-lesson-video]");
    var endSent = false;

    function send(event) {
      var clock = document.getElementById("lesson-clock");
      if (!clock) return;
      window.htmx.ajax("POST", url, { source: clock, target: clock, swap: "outerHTML", values: { event: event } });
    }

    function active() {
      lastActive = Date.now();
    }

    function reachedEnd() {
      if (endSent) return;
      endSent = true;
      send("end");
    }

    ["scroll", "keydown", "pointerdown", "pointermove", "touchstart", "wheel"].forEach(function (name) {
      window.addEventListener(name, active, { passive: true });
    });
    document.addEventListener("visibilitychange", function () {
      if (document.visibilityState === "visible") active();
    });

    setInterval(function () {
      if (document.visibilityState !== "visible") return;
      var playing = video && !video.paused && !video.ended;
      if (!playing && Date.now() - lastActive > IDLE_MS) return;
      send("beat");
    }, every);

    if (video) video.addEventListener("ended", reachedEnd);
    var end = main.querySelector("[data-lesson-end]");
    if (end && "IntersectionObserver" in window) {
      var observer = new IntersectionObserver(function (entries) {
        if (entries.some(function (entry) { return entry.isIntersecting; })) {
          observer.disconnect();
          reachedEnd();
        }
      });
      observer.observe(end);
    }
  }

  // Deferred scripts run in document order, this one possibly before htmx: start once every one has run.
  if (document.readyState === "complete") start();
  else document.addEventListener("DOMContentLoaded", start);
})();

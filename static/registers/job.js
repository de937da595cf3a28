/* The progress of an import or export job: reads the job's counts every second and moves the
   bars without reloading; reloads once when the job is finished, to show its result.
   Served from static under CSP script-src 'self'. */
(function () {
  "use strict";

  var box = document.getElementById("job-progress");
  if (!box || !window.fetch) { return; }
  var url = box.dataset.statusUrl;

  function show(job) {
    box.querySelectorAll("[data-job-count]").forEach(function (bar) {
      bar.max = Math.max(job.total, 1);
      bar.value = job[bar.dataset.jobCount];
    });
    box.querySelectorAll("[data-job-text]").forEach(function (span) {
      span.textContent = job[span.dataset.jobText].toLocaleString(document.documentElement.lang || undefined);
    });
    if (job.status === "running") {
      box.querySelector("[data-job-status]").textContent = box.dataset.runningLabel;
    }
  }

  function poll() {
    fetch(url, {headers: {"Accept": "application/json"}, credentials: "same-origin"})
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (job) {
        if (job === null) { window.setTimeout(poll, 5000); return; }
        show(job);
        if (job.finished) { window.location.reload(); return; }
        window.setTimeout(poll, 1000);
      })
      .catch(function () { window.setTimeout(poll, 5000); });
  }

  window.setTimeout(poll, 1000);
}());

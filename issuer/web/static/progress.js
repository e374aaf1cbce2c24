// Progressive enhancement for the bulk-issue progress page: polls the job's progress as
// JSON and updates the <progress> bar and the figures; reloads the page once the job is done
// so the row results show. Without JavaScript the page refreshes itself (meta refresh).
(function () {
  "use strict";
  var box = document.querySelector("[data-progress-url]");
  if (!box || !window.fetch || box.getAttribute("data-state") !== "running") {
    return;
  }
  var url = box.getAttribute("data-progress-url");
  var bar = box.querySelector("progress");
  var figures = box.querySelector("[data-figures]");

  function poll() {
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (response.redirected) {
          window.location.reload(); // the session ended: the page shows the log-in
          return null;
        }
        if (!response.ok) {
          throw new Error("status " + response.status);
        }
        return response.json();
      })
      .then(function (job) {
        if (job === null) {
          return;
        }
        bar.max = Math.max(job.total, 1);
        bar.value = job.done;
        bar.textContent = job.done + " / " + job.total;
        figures.textContent = job.text;
        if (job.state === "running") {
          window.setTimeout(poll, 1000);
        } else {
          window.location.reload();
        }
      })
      .catch(function () {
        window.setTimeout(poll, 5000); // e.g. a moment without network: try again later
      });
  }

  window.setTimeout(poll, 1000);
})();

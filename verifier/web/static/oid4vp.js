// Progressive enhancement for the wallet request page: polls the request's status as JSON
// and goes to the result page once the wallet has answered (or the request expired).
// Without JavaScript the page's "show the result" button does the same by hand.
(function () {
  "use strict";
  var box = document.querySelector("[data-oid4vp-status]");
  if (!box || !window.fetch) {
    return;
  }
  var statusUrl = box.getAttribute("data-status-url");
  var resultUrl = box.getAttribute("data-result-url");
  var INTERVAL_MS = 2000;

  function poll() {
    fetch(statusUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (response.status === 404) {
          return { state: "gone" }; // forgotten: the result page says so
        }
        if (!response.ok) {
          throw new Error("status " + response.status);
        }
        return response.json();
      })
      .then(function (answer) {
        if (answer.state === "pending") {
          window.setTimeout(poll, INTERVAL_MS);
          return;
        }
        box.textContent = box.getAttribute("data-msg-answered");
        window.location.assign(resultUrl);
      })
      .catch(function () {
        window.setTimeout(poll, INTERVAL_MS * 3); // a moment without network: try later
      });
  }

  window.setTimeout(poll, INTERVAL_MS);
})();

// A submission being validated: ask the API for its status every few seconds and show the
// page afresh when it changes, findings included. Without this script the page still says
// what it is waiting for, and a reload shows the new status.
(function () {
  "use strict";
  var badge = document.getElementById("status");
  if (!badge || !badge.getAttribute("data-poll") || !window.fetch) return;
  var url = badge.getAttribute("data-poll");
  var shown = badge.getAttribute("data-status");
  var delay = 2000, longest = 30000;

  function check() {
    fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) throw new Error(String(response.status));
        return response.json();
      })
      .then(function (body) {
        if (body.status && body.status !== shown) {
          badge.textContent = body.status_display || body.status.replace(/_/g, " ");
          badge.className = "status status-" + body.status;
          window.location.reload();
          return;
        }
        delay = Math.min(delay * 1.5, longest);
        window.setTimeout(check, delay);
      })
      .catch(function () {
        delay = longest; // the service is busy or unreachable: ask less often
        window.setTimeout(check, delay);
      });
  }
  window.setTimeout(check, delay);
})();

// Follows an import job on its page: asks the job's JSON status every two seconds
// and writes it into the page's live region (#job-state), which screen readers
// announce. Without JavaScript the page's "Aktualisieren" link does the same.
(function () {
  "use strict";
  var region = document.getElementById("job-state");
  if (!region || region.getAttribute("data-finished") === "true") {
    return;
  }
  var url = region.getAttribute("data-status-url");
  var label = document.getElementById("job-label");
  var text = document.getElementById("job-text");
  var message = document.getElementById("job-message");
  var refresh = document.getElementById("job-refresh");
  var INTERVAL = 2000;

  function show(state) {
    if (label.textContent !== state.label) {
      label.textContent = state.label;
    }
    if (text.textContent !== state.text) {
      text.textContent = state.text;
    }
    if (message && state.message) {
      message.querySelector("p").textContent = state.message;
      message.hidden = false;
    }
    if (state.finished) {
      region.setAttribute("data-finished", "true");
      if (refresh) {
        refresh.textContent = refresh.getAttribute("data-done") || refresh.textContent;
      }
    }
  }

  function poll() {
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) {
          throw new Error(String(response.status));
        }
        return response.json();
      })
      .then(function (state) {
        show(state);
        if (!state.finished) {
          window.setTimeout(poll, INTERVAL);
        }
      })
      .catch(function () {
        window.setTimeout(poll, INTERVAL * 5); // the server restarts: try again later
      });
  }

  window.setTimeout(poll, INTERVAL);
})();

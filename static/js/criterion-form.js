// The target form of a success criterion, with JavaScript: choosing what the criterion says
// shows that choice's fields at once, and the sentence is asked of the server as one types,
// so that it is always the engine's own (the page works without this too, on submit).
// A file of its own because the pages allow no inline script.
(function () {
  "use strict";

  var form = document.getElementById("target-form");
  if (!form) {
    return;
  }
  var choice = form.querySelector("select[name=choice]");
  var fields = document.getElementById("target-fields");
  var preview = document.getElementById("target-preview");
  var chooseButton = form.querySelector("[data-choose-button]");
  var url = form.getAttribute("data-preview-url");
  var timer = null;
  var asked = 0;

  // Fields swap on choosing, so the button that asks the server for them is not needed.
  if (chooseButton) {
    chooseButton.hidden = true;
  }

  function showFields() {
    var chosen = choice.value;
    var any = false;
    form.querySelectorAll("[data-choices]").forEach(function (group) {
      var shown = chosen !== "" && group.getAttribute("data-choices").split(" ").indexOf(chosen) !== -1;
      group.hidden = !shown;
      any = any || shown;
    });
    fields.hidden = !any;
  }

  function askForSentence() {
    var data = new FormData(form);
    data.delete("csrfmiddlewaretoken");
    data.delete("reason");
    var query = new URLSearchParams(data).toString();
    var mine = ++asked;
    fetch(url + "?" + query, { credentials: "same-origin", headers: { Accept: "text/html" } })
      .then(function (response) {
        return response.ok ? response.text() : null;
      })
      .then(function (html) {
        // Only the answer to the latest question: an earlier one may arrive after it.
        if (html !== null && mine === asked) {
          preview.innerHTML = html;
        }
      })
      .catch(function () {
        // Without an answer the sentence stays as it was; "Vis sætning" still shows it.
      });
  }

  function soon() {
    window.clearTimeout(timer);
    timer = window.setTimeout(askForSentence, 250);
  }

  choice.addEventListener("change", function () {
    showFields();
    askForSentence();
  });
  form.addEventListener("input", function (event) {
    if (event.target !== choice && event.target.name !== "reason") {
      soon();
    }
  });
  form.addEventListener("change", function (event) {
    if (event.target !== choice && event.target.name !== "reason") {
      soon();
    }
  });
})();

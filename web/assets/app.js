// Recoup's own small script: everything works without it; it only asks for
// confirmation before actions marked data-confirm.
"use strict";
document.addEventListener("submit", function (event) {
  var form = event.target;
  var message = form.getAttribute("data-confirm");
  if (message && !window.confirm(message)) {
    event.preventDefault();
  }
});

// The receipt's print button (a file, not an inline onclick: the console runs under a strict
// Content-Security-Policy). The button is hidden until this runs, so without JavaScript there is
// no button that does nothing; the browser's own print command still prints the receipt.
(function () {
  "use strict";
  document.querySelectorAll("button[data-print]").forEach(function (button) {
    button.addEventListener("click", function () { window.print(); });
    button.hidden = false;
  });
})();

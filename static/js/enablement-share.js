/* Copy buttons on the completion page: <button data-copy="<id of an input or textarea>">. Without this script
   the fields are still there to select and copy by hand. */
(function () {
  "use strict";

  function copied(button) {
    var note = button.closest("article") && button.closest("article").querySelector(".en-copied");
    if (!note) return;
    note.hidden = false;
    setTimeout(function () { note.hidden = true; }, 2500);
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-copy]");
    if (!button) return;
    var field = document.getElementById(button.getAttribute("data-copy"));
    if (!field) return;
    field.focus();
    field.select();
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(field.value).then(function () { copied(button); }, function () {
        document.execCommand("copy");
        copied(button);
      });
    } else {
      document.execCommand("copy");
      copied(button);
    }
  });
})();

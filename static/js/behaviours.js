/* Small page behaviours declared with data attributes, so no page needs inline script (the Content-Security-Policy
   allows scripts from our own files only). Loaded on every page by base.html.
     <select data-autosubmit>                 submits its form when the choice changes
     <form data-confirm="Remove Ana?">         asks before submitting
     <button type="button" data-print>        prints the page
     <input data-select-on-focus>              selects its text when clicked (for copying)
     <input data-set-field="period=custom">    on change, sets the form's field "period" to "custom"
   Without JavaScript every form still works with its submit button. */
(function () {
  "use strict";

  function submit(form) {
    if (form.requestSubmit) form.requestSubmit();
    else form.submit();
  }

  document.addEventListener("change", function (event) {
    var target = event.target;
    if (!(target instanceof Element)) return;
    var setter = target.closest("[data-set-field]");
    if (setter && setter.form) {
      var pair = setter.getAttribute("data-set-field").split("=");
      var field = setter.form.elements[pair[0]];
      if (field) field.value = pair.slice(1).join("=");
    }
    var auto = target.closest("[data-autosubmit]");
    if (auto && auto.form) submit(auto.form);
  });

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement)) return;
    var question = form.getAttribute("data-confirm");
    if (question && !window.confirm(question)) event.preventDefault();
  }, true);

  document.addEventListener("click", function (event) {
    var target = event.target;
    if (!(target instanceof Element)) return;
    if (target.closest("[data-print]")) {
      event.preventDefault();
      window.print();
      return;
    }
    var field = target.closest("[data-select-on-focus]");
    if (field && field.select) field.select();
  });
})();

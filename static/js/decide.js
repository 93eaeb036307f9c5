/* Decide and next, from the keyboard. Elements name their key with data-shortcut="a" (several: "j n"):
   a link is followed; a decision button is chosen (its data-focus field gets the focus, and Ctrl+Enter or Enter in
   a one-line field sends that decision); a radio is checked. "?" shows every shortcut of the page. Keys never fire
   while typing in a field (Escape leaves the field). Without this script the forms and links work as they are. */
(function () {
  "use strict";

  var NOT_TYPING = ["radio", "checkbox", "button", "submit", "reset", "file", "range", "color", "image"];
  var chosen = null;

  function typing(el) {
    if (!el || el === document.body) return false;
    if (el.isContentEditable) return true;
    if (el.tagName === "TEXTAREA" || el.tagName === "SELECT") return true;
    return el.tagName === "INPUT" && NOT_TYPING.indexOf((el.type || "text").toLowerCase()) === -1;
  }

  function visible(el) {
    return !!(el.offsetWidth || el.offsetHeight || el.getClientRects().length);
  }

  function target(key) {
    var all = document.querySelectorAll("[data-shortcut]");
    for (var i = 0; i < all.length; i++) {
      if (all[i].getAttribute("data-shortcut").split(" ").indexOf(key) !== -1 && visible(all[i]) && !all[i].disabled) {
        return all[i];
      }
    }
    return null;
  }

  function hint(text) {
    var box = document.querySelector("[data-decide] .decide-chosen-hint");
    if (!box) {
      var panel = document.querySelector("[data-decide]");
      if (!panel) return;
      box = document.createElement("p");
      box.className = "decide-chosen-hint";
      box.setAttribute("role", "status");
      panel.appendChild(box);
    }
    box.textContent = text;
  }

  function choose(button) {
    if (chosen) chosen.classList.remove("decide-chosen");
    chosen = button;
    button.classList.add("decide-chosen");
    var label = button.getAttribute("data-shortcut-label") || button.textContent.trim();
    hint("Chosen: " + label + ". Ctrl+Enter sends it.");
    var field = button.getAttribute("data-focus") && document.querySelector(button.getAttribute("data-focus"));
    (field || button).focus();
    if (field && field.select && field.tagName === "INPUT") field.select();
  }

  function row(list, keys, label) {
    var dt = document.createElement("dt");
    keys.forEach(function (key, i) {
      if (i) dt.appendChild(document.createTextNode(" or "));
      var kbd = document.createElement("kbd");
      kbd.textContent = key;
      dt.appendChild(kbd);
    });
    var dd = document.createElement("dd");
    dd.textContent = label;
    list.appendChild(dt);
    list.appendChild(dd);
  }

  function help() {
    var dialog = document.getElementById("decide-help");
    if (!dialog) {
      dialog = document.createElement("dialog");
      dialog.id = "decide-help";
      dialog.className = "decide-help";
      dialog.setAttribute("aria-labelledby", "decide-help-title");
      var article = document.createElement("article");
      var title = document.createElement("h2");
      title.id = "decide-help-title";
      title.textContent = "Keyboard shortcuts";
      var list = document.createElement("dl");
      var seen = {};
      document.querySelectorAll("[data-shortcut]").forEach(function (el) {
        var keys = el.getAttribute("data-shortcut");
        if (seen[keys] || !visible(el)) return;
        seen[keys] = true;
        row(list, keys.split(" "), el.getAttribute("data-shortcut-label") || el.textContent.trim());
      });
      row(list, ["Ctrl+Enter"], "send the chosen decision");
      row(list, ["Esc"], "leave a field (the keys work again)");
      row(list, ["?"], "show or hide this list");
      var close = document.createElement("button");
      close.type = "button";
      close.textContent = "Close";
      close.addEventListener("click", function () { dialog.close(); });
      article.appendChild(title);
      article.appendChild(list);
      article.appendChild(close);
      dialog.appendChild(article);
      document.body.appendChild(dialog);
    }
    if (dialog.open) dialog.close(); else dialog.showModal();
  }

  document.addEventListener("keydown", function (event) {
    if (event.defaultPrevented || event.isComposing) return;
    var el = event.target;
    var form = el.form || (el.closest && el.closest("form[data-decide-form]"));
    if (event.key === "Enter" && chosen && form && form.id && chosen.form === form) {
      var oneLine = el.tagName === "INPUT" && typing(el);
      if (event.ctrlKey || event.metaKey || oneLine) {
        event.preventDefault();
        chosen.click();
        return;
      }
    }
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey) && form && form.hasAttribute("data-decide-form")) {
      event.preventDefault();
      hint("Choose a decision first: press the key shown on its button, or click it.");
      return;
    }
    if (event.key === "Escape" && typing(el)) {
      el.blur();
      var panel = document.querySelector("[data-decide]");
      if (panel) panel.focus();
      return;
    }
    if (event.ctrlKey || event.metaKey || event.altKey || typing(el)) return;
    if (event.key === "?") {
      event.preventDefault();
      help();
      return;
    }
    var found = target(event.key);
    if (!found) return;
    event.preventDefault();
    if (found.tagName === "A") {
      found.click();
    } else if (found.type === "radio") {
      found.checked = true;
      found.focus();
    } else if (found.tagName === "BUTTON") {
      choose(found);
    }
  });

  document.documentElement.classList.add("decide-js");
  document.addEventListener("DOMContentLoaded", function () {
    // The decision panel takes the focus (without scrolling past the evidence): Tab enters its first field, and
    // the keys work at once.
    var panel = document.querySelector("[data-decide]");
    if (panel && (!document.activeElement || document.activeElement === document.body)) {
      panel.focus({ preventScroll: true });
    }
  });
})();

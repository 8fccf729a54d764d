// Warn before leaving a page whose form with `data-warn-unsaved` holds unsaved text.
// A form is dirty once typed into; submitting it, or an autosave answered "saved"
// (htmx:afterRequest with a 2xx status from inside the form), makes it clean again. A form
// that comes back refused (it shows errors: the typed text is in it, not saved) is dirty.
// No inline script, no eval: loaded from base.html under the Content-Security-Policy.
(function () {
  "use strict";
  var dirty = new Set();

  function formOf(target) {
    return target && target.closest ? target.closest("form[data-warn-unsaved]") : null;
  }

  function warn(event) {
    if (dirty.size === 0) {
      return undefined;
    }
    event.preventDefault();
    event.returnValue = "";
    return "";
  }

  document.addEventListener("input", function (event) {
    var form = formOf(event.target);
    if (form) {
      dirty.add(form);
    }
  });

  document.addEventListener("submit", function (event) {
    dirty.delete(event.target);
  }, true);

  document.addEventListener("htmx:afterRequest", function (event) {
    var form = formOf(event.target);
    var xhr = event.detail && event.detail.xhr;
    if (form && xhr && xhr.status >= 200 && xhr.status < 300) {
      dirty.delete(form);
    }
  });

  function markRefused() {
    document.querySelectorAll("form[data-warn-unsaved]").forEach(function (form) {
      if (form.querySelector(".errorlist, .errors, [role=alert]")) {
        dirty.add(form);
      }
    });
  }

  // A block swapped by htmx brings a fresh form: forget the ones no longer in the page, and
  // remember the ones that came back refused.
  document.addEventListener("htmx:afterSettle", function () {
    dirty.forEach(function (form) {
      if (!document.body.contains(form)) {
        dirty.delete(form);
      }
    });
    markRefused();
  });

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", markRefused);
  } else {
    markRefused();
  }

  window.addEventListener("beforeunload", warn);
})();

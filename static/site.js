// Small progressive enhancements; every page works without this file.
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  // On a phone the filters start folded, so the results come first on screen.
  var filters = document.querySelector(".filters details");
  if (filters && window.matchMedia && window.matchMedia("(max-width: 50rem)").matches) {
    filters.removeAttribute("open");
  }

  function submit(form) {
    if (form) form.requestSubmit ? form.requestSubmit() : form.submit();
  }

  // Sort order: applied when picked with the mouse, or with Enter or the Sort button; never while the
  // arrow keys move through the choices.
  var sort = document.getElementById("sort");
  if (sort && sort.form) {
    var pointer = false;
    sort.addEventListener("pointerdown", function () { pointer = true; });
    sort.addEventListener("keydown", function (event) {
      pointer = false;
      if (event.key === "Enter") { event.preventDefault(); submit(sort.form); }
    });
    sort.addEventListener("change", function () { if (pointer) submit(sort.form); });
  }

  // Facet check boxes: a tick (click or Space) applies at once; the Apply button is for pages without script.
  document.querySelectorAll(".facet-form:not(.facet-page-form) input[type=checkbox], input[form=facet-form]").forEach(
    function (box) {
      box.addEventListener("change", function () { submit(box.form); });
    }
  );

  // "/" focuses the search box, as on many search sites.
  document.addEventListener("keydown", function (event) {
    if (event.key !== "/" || event.ctrlKey || event.metaKey || event.altKey) return;
    var target = event.target;
    if (target && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName))) return;
    var box = document.getElementById("q");
    if (box) { event.preventDefault(); box.focus(); box.select(); }
  });

  // Hit navigation on the document page: step through <mark id="hit-N"> with buttons or n / p.
  var nav = document.querySelector("[data-hitnav]");
  if (!nav) return;
  var marks = Array.prototype.slice.call(document.querySelectorAll(".doc-body mark[id^='hit-']"));
  if (!marks.length) return;
  var position = nav.querySelector(".hit-position");
  var current = -1;
  var fromHash = marks.findIndex(function (m) { return "#" + m.id === window.location.hash; });
  if (fromHash >= 0) current = fromHash;

  function show(index) {
    if (current >= 0 && marks[current]) marks[current].classList.remove("current");
    current = (index + marks.length) % marks.length;
    var mark = marks[current];
    mark.classList.add("current");
    mark.setAttribute("tabindex", "-1");
    mark.scrollIntoView({ block: "center" });
    mark.focus({ preventScroll: true });
    if (history.replaceState) history.replaceState(null, "", "#" + mark.id);
    if (position) position.textContent = "Hit " + (current + 1) + " of " + marks.length;
    nav.dataset.current = String(current + 1);
  }

  nav.querySelectorAll("[data-hit-step]").forEach(function (link) {
    link.addEventListener("click", function (event) {
      event.preventDefault();
      var step = parseInt(link.getAttribute("data-hit-step"), 10);
      show(current < 0 ? (step > 0 ? 0 : marks.length - 1) : current + step);
    });
  });
  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    var target = event.target;
    if (target && /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName)) return;
    if (event.key === "n" || event.key === "j") { event.preventDefault(); show(current + 1); }
    else if (event.key === "p" || event.key === "k") { event.preventDefault(); show(current < 0 ? marks.length - 1 : current - 1); }
  });
  if (current >= 0) show(current);
})();

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

  // Single-key shortcuts ("/", and n / p on an article) can be switched off: the choice is kept in this browser.
  var KEY = "archive-search-shortcuts";
  function shortcutsOn() {
    try { return window.localStorage.getItem(KEY) !== "off"; } catch (e) { return true; }
  }
  function showShortcuts() {
    var on = shortcutsOn();
    document.documentElement.classList.toggle("shortcuts-off", !on);
    document.querySelectorAll("[data-shortcuts-toggle]").forEach(function (button) {
      button.setAttribute("aria-pressed", on ? "true" : "false");
      button.textContent = on ? "Turn single-key shortcuts off" : "Turn single-key shortcuts on";
    });
  }
  document.querySelectorAll("[data-shortcuts-toggle]").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () {
      try { window.localStorage.setItem(KEY, shortcutsOn() ? "off" : "on"); } catch (e) { /* private mode */ }
      showShortcuts();
    });
  });
  showShortcuts();

  function typing(target) {
    return target && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName));
  }

  // "/" focuses the search box, as on many search sites.
  document.addEventListener("keydown", function (event) {
    if (event.key !== "/" || event.ctrlKey || event.metaKey || event.altKey || !shortcutsOn()) return;
    if (typing(event.target)) return;
    var box = document.getElementById("q");
    if (box) { event.preventDefault(); box.focus(); box.select(); }
  });

  // Copy buttons (the suggested citation).
  document.querySelectorAll("[data-copy]").forEach(function (button) {
    var source = document.getElementById(button.getAttribute("data-copy"));
    var status = button.parentNode.querySelector(".copy-status");
    button.addEventListener("click", function () {
      var text = source ? source.textContent : "";
      var done = function () { if (status) status.textContent = "Copied."; };
      var fallback = function () {
        var range = document.createRange();
        range.selectNodeContents(source);
        var selection = window.getSelection();
        selection.removeAllRanges();
        selection.addRange(range);
        if (status) status.textContent = "Selected: press Ctrl+C (or ⌘C) to copy.";
      };
      if (navigator.clipboard && navigator.clipboard.writeText) navigator.clipboard.writeText(text).then(done, fallback);
      else fallback();
    });
  });

  // In an iframe (the /embed page), tell the host page how tall the content is, so it can size the frame:
  // {type: "archive-search:height", height: <px>} by postMessage (see docs/configuration.md for the host's part).
  if (window.parent !== window && document.body.classList.contains("page-embed")) {
    var lastHeight = 0;
    var tell = function () {
      var height = Math.ceil(document.documentElement.getBoundingClientRect().height);
      if (height !== lastHeight) {
        lastHeight = height;
        window.parent.postMessage({ type: "archive-search:height", height: height }, "*");
      }
    };
    tell();
    window.addEventListener("load", tell);
    if (window.ResizeObserver) new ResizeObserver(tell).observe(document.body);
    else window.addEventListener("resize", tell);
  }

  // Hit navigation on the document page: step through <mark id="hit-N"> with buttons, n / p or the jump list;
  // every way of moving keeps the others in step.
  var nav = document.querySelector("[data-hitnav]");
  if (!nav) return;
  var marks = [];
  var seenIds = {};
  document.querySelectorAll(".doc-body mark[id^='hit-']").forEach(function (m) {
    if (!seenIds[m.id]) { seenIds[m.id] = true; marks.push(m); }
  });
  if (!marks.length) return;
  var position = nav.querySelector(".hit-position");
  var current = -1;

  // A hit scrolled to (by a link or a step) lands below the sticky bar, not under it.
  function keepClear() {
    document.documentElement.style.setProperty("--hitnav-height", nav.offsetHeight + "px");
  }
  keepClear();
  window.addEventListener("resize", keepClear);
  nav.querySelectorAll("details").forEach(function (d) { d.addEventListener("toggle", keepClear); });

  function mark(index, scroll) {
    if (current >= 0 && marks[current]) marks[current].classList.remove("current");
    current = (index + marks.length) % marks.length;
    var hit = marks[current];
    hit.classList.add("current");
    hit.setAttribute("tabindex", "-1");
    if (scroll) hit.scrollIntoView({ block: "center" });
    hit.focus({ preventScroll: true });
    if (history.replaceState && window.location.hash !== "#" + hit.id) history.replaceState(null, "", "#" + hit.id);
    if (position) position.textContent = "Hit " + (current + 1) + " of " + marks.length;
    nav.dataset.current = String(current + 1);
  }
  function show(index) { mark(index, true); }
  function fromHash() {
    return marks.findIndex(function (m) { return "#" + m.id === window.location.hash; });
  }

  nav.querySelectorAll("[data-hit-step]").forEach(function (link) {
    link.addEventListener("click", function (event) {
      event.preventDefault();
      var step = parseInt(link.getAttribute("data-hit-step"), 10);
      show(current < 0 ? (step > 0 ? 0 : marks.length - 1) : current + step);
    });
  });
  nav.querySelectorAll("[data-hit-index]").forEach(function (link) {
    link.addEventListener("click", function (event) {
      event.preventDefault();
      var details = link.closest("details");
      if (details) details.open = false;
      keepClear();
      show(parseInt(link.getAttribute("data-hit-index"), 10));
    });
  });
  window.addEventListener("hashchange", function () {
    var index = fromHash();
    if (index >= 0 && index !== current) mark(index, false);
  });
  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey || !shortcutsOn()) return;
    if (typing(event.target)) return;
    if (event.key === "n" || event.key === "j") { event.preventDefault(); show(current + 1); }
    else if (event.key === "p" || event.key === "k") { event.preventDefault(); show(current < 0 ? marks.length - 1 : current - 1); }
  });
  var start = fromHash();
  if (start >= 0) show(start);
})();

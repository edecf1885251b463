// Archive search widget: <div data-archive-search></div> + <script src=".../static/embed.js" defer></script>.
// Builds every node with textContent / createElement: nothing from the archive is ever parsed as HTML.
(function () {
  "use strict";
  var script = document.currentScript;
  var scriptBase = script && script.src ? script.src.replace(/static\/embed\.js(?:[?#].*)?$/, "") : "";

  var ENTITIES = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'", nbsp: "\u00a0" };

  function decode(text) {
    return text.replace(/&(#x[0-9a-fA-F]{1,6}|#[0-9]{1,7}|[a-zA-Z]{2,6});/g, function (whole, name) {
      if (name.charAt(0) === "#") {
        var code = name.charAt(1).toLowerCase() === "x" ? parseInt(name.slice(2), 16) : parseInt(name.slice(1), 10);
        try { return String.fromCodePoint(code); } catch (e) { return "\ufffd"; }
      }
      return Object.prototype.hasOwnProperty.call(ENTITIES, name) ? ENTITIES[name] : whole;
    });
  }

  // The snippet is escaped text with <mark> around matches: keep exactly that and nothing else.
  function snippetNodes(snippet, parent) {
    var depth = 0;
    var holder = parent;
    String(snippet || "").split(/(<mark(?: id="hit-\d+")?>|<\/mark>)/).forEach(function (part, i) {
      if (i % 2 === 1) {
        if (part === "</mark>") {
          if (depth > 0) { depth -= 1; holder = parent; }
        } else if (depth === 0) {
          depth = 1;
          holder = document.createElement("mark");
          parent.appendChild(holder);
        }
        return;
      }
      var text = decode(part.replace(/<[^>]*>/g, ""));
      if (text) holder.appendChild(document.createTextNode(text));
    });
  }

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  var counter = 0;

  function Widget(root) {
    counter += 1;
    this.root = root;
    this.base = (root.getAttribute("data-archive-base") || scriptBase).replace(/\/?$/, "/");
    this.perPage = Math.min(Math.max(parseInt(root.getAttribute("data-per-page") || "5", 10) || 5, 1), 50);
    this.page = 1;
    this.query = "";
    this.build(root.getAttribute("data-label") || "Search the news archive", root.getAttribute("data-query") || "");
  }

  Widget.prototype.build = function (labelText, initial) {
    var self = this;
    var id = "nas-q-" + counter;
    this.root.classList.add("nas-widget");
    var form = el("form", "nas-form");
    form.setAttribute("role", "search");
    var label = el("label", "nas-label", labelText);
    label.htmlFor = id;
    var row = el("div", "nas-row");
    var input = el("input", "nas-input");
    input.type = "search";
    input.id = id;
    input.name = "q";
    input.maxLength = 1000;
    input.autocomplete = "off";
    input.value = initial;
    var button = el("button", "nas-button", "Search");
    button.type = "submit";
    row.appendChild(input);
    row.appendChild(button);
    form.appendChild(label);
    form.appendChild(row);
    this.status = el("p", "nas-status");
    this.status.setAttribute("role", "status");
    this.status.setAttribute("aria-live", "polite");
    this.list = el("ol", "nas-results");
    this.more = el("button", "nas-more", "More results");
    this.more.type = "button";
    this.more.hidden = true;
    this.input = input;
    this.root.textContent = "";
    this.root.appendChild(form);
    this.root.appendChild(this.status);
    this.root.appendChild(this.list);
    this.root.appendChild(this.more);
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      self.search(input.value.trim(), 1);
    });
    this.more.addEventListener("click", function () { self.search(self.query, self.page + 1, self.asTyped, true); });
    if (initial) this.search(initial, 1);
  };

  Widget.prototype.search = function (q, page, asTyped, fromMore) {
    var self = this;
    this.query = q;
    this.page = page;
    this.asTyped = !!asTyped;
    if (page === 1) this.list.textContent = "";
    // "More results" hides while it loads: keep keyboard focus in the widget, then on the first new result.
    this.focusFrom = fromMore ? this.list.children.length : -1;
    if (fromMore) {
      this.status.setAttribute("tabindex", "-1");
      this.status.focus();
    }
    this.more.hidden = true;
    this.status.textContent = "Searching…";
    var url = this.base + "api/search?q=" + encodeURIComponent(q) + "&page=" + page + "&per_page=" + this.perPage;
    if (asTyped) url += "&correct=0";
    fetch(url, { headers: { Accept: "application/json" }, credentials: "omit" })
      .then(function (response) {
        return response.json().then(function (body) { return { ok: response.ok, body: body }; });
      })
      .then(function (answer) {
        if (!answer.ok) {
          self.status.textContent = (answer.body && answer.body.message) || "The search could not be done.";
          return;
        }
        self.render(answer.body);
      })
      .catch(function () { self.unreachable(); });
  };

  // A failed fetch is either a refusal (the archive answers, but not to this page's origin: CORS) or no answer
  // at all. An opaque no-cors request to /healthz tells them apart, so the message can name the setting.
  Widget.prototype.unreachable = function () {
    var self = this;
    var origin = window.location.origin;
    fetch(this.base + "healthz", { mode: "no-cors", credentials: "omit" })
      .then(function () {
        self.status.textContent = "The archive answered, but does not let this page (" + origin + ") read its " +
          "results. Its administrator can add " + origin + " to the archive's ALLOWED_ORIGINS setting.";
        self.root.classList.add("nas-refused");
      })
      .catch(function () { self.status.textContent = "The archive could not be reached."; });
  };

  Widget.prototype.documentUrl = function (id) {
    var url = this.base + "documents/" + encodeURIComponent(id);
    return this.query ? url + "?q=" + encodeURIComponent(this.query) : url;
  };

  Widget.prototype.render = function (body) {
    var self = this;
    var total = Number(body.total) || 0;
    (body.hits || []).forEach(function (hit) {
      var item = el("li", "nas-hit");
      var title = el("a", "nas-title", hit.title || "Untitled article");
      title.href = self.documentUrl(String(hit.id));
      title.target = "_blank";
      title.rel = "noopener";
      item.appendChild(title);
      var meta = [hit.date || "undated", hit.source, hit.author].filter(Boolean).join(" · ");
      var metaLine = el("div", "nas-meta", meta);
      var onPage = parseInt(hit.on_page, 10);  // a paged source (PDF, scan, ALTO): the page the snippet is on
      if (onPage > 0) {
        metaLine.appendChild(document.createTextNode(" · "));
        var pageLink = el("a", "nas-page", "page " + onPage);
        pageLink.href = self.documentUrl(String(hit.id)) + "#page-" + onPage;
        pageLink.target = "_blank";
        pageLink.rel = "noopener";
        metaLine.appendChild(pageLink);
      }
      item.appendChild(metaLine);
      var snippet = el("p", "nas-snippet");
      snippetNodes(hit.snippet, snippet);
      item.appendChild(snippet);
      if (hit.similar > 0) {
        item.appendChild(el("div", "nas-similar", hit.similar + " similar article" + (hit.similar === 1 ? "" : "s")));
      }
      self.list.appendChild(item);
    });
    var shown = this.list.children.length;
    var folded = Number((body.counts || {}).folded) || 0;  // near-duplicate versions folded into their stories
    var unit = folded ? (total === 1 ? " story" : " stories") : total === 1 ? " article" : " articles";
    var text = total ? "Showing " + shown + " of " + total + unit : "No articles match.";
    if (total && folded) {
      text += " (" + body.counts.articles + " articles: " + folded + " near-duplicate version" + (folded === 1 ? "" : "s") + " folded)";
    }
    if (body.correction) text = "Showing results for " + body.correction.corrected + ". " + text;
    this.status.textContent = text;
    if (body.suggestion) {
      var suggestion = String(body.suggestion);
      var better = el("a", "nas-suggestion", suggestion);
      better.href = this.base + "?q=" + encodeURIComponent(suggestion);
      better.addEventListener("click", function (event) {
        event.preventDefault();
        self.input.value = suggestion;
        self.search(suggestion, 1);
      });
      this.status.appendChild(document.createTextNode(" Did you mean "));
      this.status.appendChild(better);
      this.status.appendChild(document.createTextNode("?"));
    }
    if (body.correction) {
      var original = body.correction.original;
      var instead = el("a", "nas-as-typed", "Search instead for " + original);
      instead.href = "#";
      instead.addEventListener("click", function (event) {
        event.preventDefault();
        self.input.value = original;
        self.search(original, 1, true);
      });
      this.status.appendChild(document.createTextNode(" "));
      this.status.appendChild(instead);
    }
    this.more.hidden = shown >= total || !(body.hits || []).length;
    if (this.focusFrom >= 0) {
      var first = this.list.children[this.focusFrom];
      var target = first ? first.querySelector("a") : null;
      if (target) target.focus();
      this.focusFrom = -1;
    }
  };

  function start() {
    if (scriptBase && !document.querySelector("link[data-nas-style]")) {
      var link = document.createElement("link");
      link.rel = "stylesheet";
      link.href = scriptBase + "static/embed.css";
      link.setAttribute("data-nas-style", "");
      document.head.appendChild(link);
    }
    document.querySelectorAll("[data-archive-search]").forEach(function (root) {
      if (!root.classList.contains("nas-widget")) root.archiveSearch = new Widget(root);
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();

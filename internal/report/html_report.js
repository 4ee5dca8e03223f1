// kube4c -o html: filters, groups and pages the findings of the JSON data
// island (see html_data.go for its shape). Untrusted text is only ever set
// with textContent; nothing is fetched.
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("kube4c-data").textContent);
  var SEVERITIES = ["unknown", "info", "low", "medium", "high", "critical"];
  var LAYERS = ["code", "container", "cluster", "cloud"];
  var PAGE = 200;
  var RADIUS = 4;
  // Fields of a finding.
  var CHECK = 0, SEV = 1, LAYER = 2, OBJ = 3, FILE = 4, LINE = 5, COL = 6, PATH = 7, CONTAINER = 8,
    MSG = 9, REM = 10, SUPP = 11, ATTACK = 12, DETAILS = 13;

  var $ = function (id) { return document.getElementById(id); };
  var controls = {
    layer: $("f-layer"), sev: $("f-sev"), check: $("f-check"), ns: $("f-ns"),
    status: $("f-status"), text: $("f-text"), group: $("f-group")
  };
  var tbody = document.querySelector("#findings tbody");
  var shown = $("shown");
  var pager = $("pager");
  var filtered = [];
  var page = 0;
  var haystacks = null; // lower-case text of each finding, made on the first text search

  function el(tag, className, text) {
    var e = document.createElement(tag);
    if (className) e.className = className;
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  }

  function objectName(f) { return f[OBJ] >= 0 ? data.objects[f[OBJ]][0] : ""; }
  function namespaceOf(f) { return f[OBJ] >= 0 ? data.objects[f[OBJ]][1] : -1; }
  function checkOf(f) { return data.checks[f[CHECK]]; }
  function pathOf(f) { return f[PATH] >= 0 ? data.paths[f[PATH]] : ""; }
  function where(f) {
    if (f[FILE] < 0) return "";
    var s = data.files[f[FILE]];
    if (f[LINE] > 0) s += ":" + f[LINE];
    if (f[COL] > 0) s += ":" + f[COL];
    return s;
  }

  // The options of the check and namespace filters: those that occur,
  // with their counts among the findings that count.
  function fillSelects() {
    var checks = data.checks.map(function (c, i) { return { i: i, id: c.id, n: 0 }; });
    var nss = data.namespaces.map(function (name, i) { return { i: i, id: name, n: 0 }; });
    var clusterScoped = 0;
    for (var i = 0; i < data.counting; i++) {
      var f = data.findings[i];
      checks[f[CHECK]].n++;
      var ns = namespaceOf(f);
      if (ns >= 0) nss[ns].n++; else clusterScoped++;
    }
    var byID = function (a, b) { return a.id < b.id ? -1 : a.id > b.id ? 1 : 0; };
    checks.sort(byID).forEach(function (c) {
      var o = el("option", null, c.id + " (" + c.n + ")");
      o.value = String(c.i);
      controls.check.appendChild(o);
    });
    nss.sort(byID).forEach(function (n) {
      var o = el("option", null, n.id + " (" + n.n + ")");
      o.value = String(n.i);
      controls.ns.appendChild(o);
    });
    var o = el("option", null, "(none: cluster-scoped) (" + clusterScoped + ")");
    o.value = "-1";
    controls.ns.appendChild(o);
  }

  function haystack(i) {
    if (!haystacks) haystacks = new Array(data.findings.length);
    var h = haystacks[i];
    if (h === undefined) {
      var f = data.findings[i];
      h = [checkOf(f).id, objectName(f), where(f), pathOf(f), f[CONTAINER], f[MSG]].join("\n").toLowerCase();
      haystacks[i] = h;
    }
    return h;
  }

  function apply() {
    var layer = LAYERS.indexOf(controls.layer.value);
    var sev = SEVERITIES.indexOf(controls.sev.value);
    var check = controls.check.value === "" ? null : Number(controls.check.value);
    var ns = controls.ns.value === "" ? null : Number(controls.ns.value);
    var status = controls.status.value;
    var text = controls.text.value.trim().toLowerCase();
    var from = status === "suppressed" ? data.counting : 0;
    var to = status === "counting" ? data.counting : data.findings.length;
    filtered = [];
    for (var i = from; i < to; i++) {
      var f = data.findings[i];
      if (layer >= 0 && f[LAYER] !== layer) continue;
      if (sev >= 0 && f[SEV] !== sev) continue;
      if (check !== null && f[CHECK] !== check) continue;
      if (ns !== null && namespaceOf(f) !== ns) continue;
      if (text && haystack(i).indexOf(text) < 0) continue;
      filtered.push(i);
    }
    sortFiltered();
    page = 0;
    render();
  }

  // Worst first, then in report order; grouped, groups by name.
  function groupKey(i) {
    var f = data.findings[i];
    switch (controls.group.value) {
      case "object": return objectName(f) || "(no object)";
      case "check": return checkOf(f).id;
    }
    return "";
  }

  function sortFiltered() {
    var grouped = controls.group.value !== "";
    var keys = grouped ? {} : null;
    if (grouped) filtered.forEach(function (i) { keys[i] = groupKey(i); });
    filtered.sort(function (a, b) {
      if (grouped && keys[a] !== keys[b]) return keys[a] < keys[b] ? -1 : 1;
      var d = data.findings[b][SEV] - data.findings[a][SEV];
      return d !== 0 ? d : a - b;
    });
  }

  function render() {
    tbody.textContent = "";
    var start = page * PAGE;
    var end = Math.min(filtered.length, start + PAGE);
    var total = controls.status.value === "suppressed" ? data.findings.length - data.counting :
      controls.status.value === "all" ? data.findings.length : data.counting;
    var noun = filtered.length === 1 ? "finding" : "findings";
    shown.textContent = filtered.length === 0 ? "No finding matches." :
      "Showing " + (start + 1) + "–" + end + " of " + filtered.length + " " + noun +
      (filtered.length < total ? " (filtered from " + total + ")" : "") + ".";
    var lastGroup = null;
    var frag = document.createDocumentFragment();
    for (var n = start; n < end; n++) {
      var i = filtered[n];
      if (controls.group.value !== "") {
        var key = groupKey(i);
        if (key !== lastGroup) {
          lastGroup = key;
          var g = el("tr", "group");
          var td = el("td", null, key + " (" + groupSize(key, n) + ")");
          td.colSpan = 6;
          g.appendChild(td);
          frag.appendChild(g);
        }
      }
      frag.appendChild(row(i));
    }
    tbody.appendChild(frag);
    renderPager();
  }

  // groupSize counts the filtered findings of the group that starts at or
  // before position n.
  function groupSize(key, n) {
    var lo = n, hi = n;
    while (lo > 0 && groupKey(filtered[lo - 1]) === key) lo--;
    while (hi + 1 < filtered.length && groupKey(filtered[hi + 1]) === key) hi++;
    return hi - lo + 1;
  }

  function row(i) {
    var f = data.findings[i];
    var tr = el("tr", "finding");
    tr.tabIndex = 0;
    tr.dataset.index = String(i);
    var sevName = SEVERITIES[f[SEV]];
    var sevCell = el("td");
    sevCell.appendChild(el("span", "badge sev-" + sevName, sevName));
    if (f[SUPP] >= 0) sevCell.appendChild(el("div", "supp", "suppressed"));
    tr.appendChild(sevCell);
    tr.appendChild(el("td", null, f[LAYER] >= 0 ? LAYERS[f[LAYER]] : ""));
    tr.appendChild(el("td", "mono", checkOf(f).id));
    tr.appendChild(el("td", null, objectName(f)));
    var w = el("td", "mono", where(f));
    if (f[PATH] >= 0) w.appendChild(el("div", null, pathOf(f)));
    tr.appendChild(w);
    tr.appendChild(el("td", null, f[MSG]));
    tr.addEventListener("click", function () { toggle(tr); });
    tr.addEventListener("keydown", function (e) {
      if (e.key === "Enter" || e.key === " ") { e.preventDefault(); toggle(tr); }
    });
    return tr;
  }

  function toggle(tr) {
    var next = tr.nextSibling;
    if (next && next.className === "detail") {
      next.remove();
      tr.classList.remove("open");
      return;
    }
    tr.classList.add("open");
    var d = el("tr", "detail");
    var td = el("td");
    td.colSpan = 6;
    td.appendChild(detail(Number(tr.dataset.index)));
    d.appendChild(td);
    tr.after(d);
  }

  function detail(i) {
    var f = data.findings[i];
    var c = checkOf(f);
    var box = el("div", "detail");
    var dl = el("dl");
    var add = function (term, value, className) {
      if (value === undefined || value === null || value === "") return null;
      dl.appendChild(el("dt", null, term));
      var dd = el("dd", className);
      if (typeof value === "string") dd.textContent = value; else dd.appendChild(value);
      dl.appendChild(dd);
      return dd;
    };
    add("check", c.id + (c.title ? ": " + c.title : ""));
    add("object", objectName(f));
    add("container", f[CONTAINER]);
    add("field", pathOf(f), "mono");
    add("where", where(f), "mono");
    add("message", f[MSG]);
    if (f[DETAILS]) {
      var ul = el("ul");
      f[DETAILS].forEach(function (d) { ul.appendChild(el("li", null, SEVERITIES[d[1]] + " · " + d[0] + ": " + d[2])); });
      add("stands for", ul);
    }
    if (f[ATTACK] > 0) add("attack paths", f[ATTACK] + " take a step this finding makes");
    if (f[SUPP] >= 0) {
      var s = data.suppressions[f[SUPP]];
      add("suppressed", "by " + s.kind + (s.reason ? ": " + s.reason : "") + " (" + s.source + ")");
    }
    box.appendChild(dl);
    var snip = snippet(f);
    if (snip) box.appendChild(snip);
    var fix = f[REM] || c.rem;
    if (fix) {
      box.appendChild(el("strong", null, "Fix"));
      box.appendChild(el("p", null, fix));
    }
    if (c.ex) box.appendChild(el("pre", "example", c.ex));
    var refs = references(c.refs || {});
    if (refs) box.appendChild(refs);
    return box;
  }

  // The lines around the finding's line, with the field marked: those the
  // report kept for its file, within its document.
  function snippet(f) {
    var runs = f[FILE] >= 0 ? data.src[f[FILE]] : null;
    if (!runs || f[LINE] <= 0) return null;
    for (var r = 0; r < runs.length; r++) {
      var first = runs[r][0], lines = runs[r][1];
      if (f[LINE] < first || f[LINE] >= first + lines.length) continue;
      var pre = el("pre", "snippet");
      var lo = Math.max(first, f[LINE] - RADIUS), hi = Math.min(first + lines.length - 1, f[LINE] + RADIUS);
      for (var n = lo; n <= hi; n++) {
        var text = lines[n - first];
        var div = el("div", n === f[LINE] ? "at" : null);
        div.appendChild(el("span", "ln", n));
        if (n === f[LINE] && f[COL] > 0 && f[COL] <= text.length) {
          var at = f[COL] - 1;
          var end = at;
          while (end < text.length && !/[:\s,]/.test(text.charAt(end))) end++;
          if (end === at) end = Math.min(text.length, at + 1);
          div.appendChild(document.createTextNode(text.slice(0, at)));
          div.appendChild(el("mark", null, text.slice(at, end)));
          div.appendChild(document.createTextNode(text.slice(end)));
        } else {
          div.appendChild(document.createTextNode(text));
        }
        pre.appendChild(div);
      }
      return pre;
    }
    return null;
  }

  function link(text, href) {
    if (!/^https?:\/\//.test(href)) return el("span", null, text);
    var a = el("a", null, text);
    a.href = href;
    a.rel = "noreferrer noopener";
    return a;
  }

  // MITRE ATT&CK technique T1552.001 lives at /techniques/T1552/001/.
  function mitreLink(id) {
    var m = /^T(\d{4})(?:\.(\d{3}))?$/.exec(id);
    if (!m) return el("span", null, id);
    return link(id, "https://attack.mitre.org/techniques/T" + m[1] + "/" + (m[2] ? m[2] + "/" : ""));
  }

  function references(refs) {
    var groups = [["CIS Kubernetes Benchmark", refs.cis, null], ["NSA/CISA hardening guide", refs.nsa, null],
      ["MITRE ATT&CK", refs.mitre, mitreLink], ["Pod Security Standards", refs.pss, null],
      ["Read more", refs.urls, function (u) { return link(u, u); }]];
    var ul = el("ul", "refs");
    groups.forEach(function (g) {
      if (!g[1] || g[1].length === 0) return;
      var li = el("li", null, g[0] + ": ");
      g[1].forEach(function (v, k) {
        if (k > 0) li.appendChild(document.createTextNode(", "));
        li.appendChild(g[2] ? g[2](v) : el("span", null, v));
      });
      ul.appendChild(li);
    });
    if (!ul.firstChild) return null;
    var box = el("div");
    box.appendChild(el("strong", null, "References"));
    box.appendChild(ul);
    return box;
  }

  function renderPager() {
    pager.textContent = "";
    var pages = Math.ceil(filtered.length / PAGE);
    if (pages <= 1) return;
    var button = function (label, to, disabled) {
      var b = el("button", null, label);
      b.type = "button";
      b.disabled = disabled;
      b.addEventListener("click", function () { page = to; render(); $("findings").scrollIntoView(); });
      pager.appendChild(b);
    };
    button("« first", 0, page === 0);
    button("‹ previous", page - 1, page === 0);
    pager.appendChild(el("span", null, "page " + (page + 1) + " of " + pages));
    button("next ›", page + 1, page >= pages - 1);
    button("last »", pages - 1, page >= pages - 1);
  }

  // The picture and the totals set the filters.
  function showOnly(control, value) {
    control.value = value;
    apply();
    $("findings-section").scrollIntoView();
  }
  Array.prototype.forEach.call(document.querySelectorAll("#layers .layer"), function (g) {
    g.addEventListener("click", function () { showOnly(controls.layer, g.dataset.layer); });
    g.addEventListener("keydown", function (e) {
      if (e.key === "Enter" || e.key === " ") { e.preventDefault(); showOnly(controls.layer, g.dataset.layer); }
    });
  });
  Array.prototype.forEach.call(document.querySelectorAll(".sevs .sev"), function (b) {
    b.addEventListener("click", function () { showOnly(controls.sev, b.dataset.sev); });
  });

  var timer = null;
  ["layer", "sev", "check", "ns", "status", "group"].forEach(function (k) {
    controls[k].addEventListener("change", apply);
  });
  controls.text.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(apply, 150);
  });
  $("filters").addEventListener("submit", function (e) { e.preventDefault(); });
  $("filters").addEventListener("reset", function () { setTimeout(apply, 0); });

  fillSelects();
  apply();
}());

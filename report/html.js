// notarylint HTML report: severity and text filters. The script only shows,
// hides, opens and closes what the page already contains; without it the
// page is complete. The query string can preset the filters:
// report.html?sev=error,warning&q=Frameworks
(function () {
  "use strict";
  var form = document.getElementById("filters");
  var tree = document.getElementById("tree");
  if (!form || !tree) {
    return;
  }
  var boxes = form.querySelectorAll("input[name=sev]");
  var text = document.getElementById("filter-text");
  var status = document.getElementById("filter-status");
  var roots = tree.querySelectorAll(":scope > ul.tree > li > .node");
  var total = tree.querySelectorAll(".finding").length;

  function state() {
    var sev = {};
    var all = true;
    for (var i = 0; i < boxes.length; i++) {
      sev[boxes[i].value] = boxes[i].checked;
      all = all && boxes[i].checked;
    }
    var q = text.value.trim().toLowerCase();
    return { sev: sev, q: q, active: !all || q !== "" };
  }

  function contains(s, q) {
    return s.toLowerCase().indexOf(q) !== -1;
  }

  // visit filters one node's findings and subtree; it returns the number of
  // findings left visible and whether the node itself matched the text.
  function visit(node, st, inherited) {
    var pathHit = inherited || (st.q !== "" && contains(node.getAttribute("data-path") || "", st.q));
    var shown = 0;
    var body = node.querySelector(":scope > .node-body");
    if (body === null) {
      return { shown: 0, hit: pathHit };
    }
    var groups = body.querySelectorAll(":scope > .findings > .arch-group");
    for (var g = 0; g < groups.length; g++) {
      var fs = groups[g].querySelectorAll(".finding");
      var inGroup = 0;
      for (var i = 0; i < fs.length; i++) {
        var f = fs[i];
        var ok = st.sev[f.getAttribute("data-sev")] === true &&
          (st.q === "" || pathHit || contains(f.textContent, st.q));
        f.hidden = !ok;
        if (ok) {
          inGroup++;
        }
      }
      groups[g].hidden = inGroup === 0;
      shown += inGroup;
    }
    var kids = body.querySelectorAll(":scope > ul.tree > li > .node");
    for (var k = 0; k < kids.length; k++) {
      var r = visit(kids[k], st, pathHit);
      shown += r.shown;
      kids[k].parentElement.hidden = st.active && r.shown === 0 && !r.hit;
    }
    if (node.tagName === "DETAILS") {
      node.open = st.active ? shown > 0 || node.hasAttribute("data-open") : node.hasAttribute("data-open");
    }
    return { shown: shown, hit: pathHit };
  }

  function apply() {
    var st = state();
    var shown = 0;
    for (var i = 0; i < roots.length; i++) {
      var r = visit(roots[i], st, false);
      shown += r.shown;
      roots[i].parentElement.hidden = st.active && r.shown === 0 && !r.hit;
    }
    if (!st.active) {
      status.textContent = "Showing all " + total + (total === 1 ? " finding." : " findings.");
    } else {
      status.textContent = "Showing " + shown + " of " + total + (total === 1 ? " finding." : " findings.");
    }
    document.body.setAttribute("data-shown", String(shown));
  }

  var params = new URLSearchParams(window.location.search);
  if (params.has("sev")) {
    var want = params.get("sev").toLowerCase().split(",");
    for (var i = 0; i < boxes.length; i++) {
      boxes[i].checked = want.indexOf(boxes[i].value) !== -1;
    }
  }
  if (params.has("q")) {
    text.value = params.get("q");
  }

  form.addEventListener("input", apply);
  form.addEventListener("change", apply);
  form.addEventListener("submit", function (e) {
    e.preventDefault();
  });
  form.addEventListener("reset", function () {
    window.setTimeout(apply, 0);
  });
  window.addEventListener("beforeprint", function () {
    var all = document.querySelectorAll("details.node");
    for (var i = 0; i < all.length; i++) {
      all[i].open = true;
    }
  });
  form.hidden = false;
  apply();
  document.body.setAttribute("data-js", "ready");
})();

(function () {
  "use strict";
  var status = document.getElementById("status");
  var query = document.getElementById("q");
  var shown = document.getElementById("shown");
  var results = document.querySelectorAll("tbody.result");

  function apply(remember) {
    var s = status.value, q = query.value.trim().toLowerCase(), n = 0;
    for (var i = 0; i < results.length; i++) {
      var r = results[i];
      var ok = (s === "" || r.getAttribute("data-status") === s) &&
        (q === "" || r.textContent.toLowerCase().indexOf(q) >= 0);
      r.hidden = !ok;
      if (ok) n++;
    }
    shown.textContent = String(n);
    document.body.setAttribute("data-filter", "status=" + s + "&q=" + q);
    if (remember && window.history && history.replaceState) {
      var f = new URLSearchParams();
      if (s) f.set("status", s);
      if (q) f.set("q", query.value);
      history.replaceState(null, "", "#" + f.toString());
    }
  }

  // The filter from the address: #status=drifted&q=web, or ?status=...&q=...
  var from = [new URLSearchParams(location.search), new URLSearchParams(location.hash.replace(/^#/, ""))];
  for (var i = 0; i < from.length; i++) {
    if (from[i].has("status")) status.value = from[i].get("status");
    if (from[i].has("q")) query.value = from[i].get("q");
  }
  status.addEventListener("change", function () { apply(true); });
  query.addEventListener("input", function () { apply(true); });
  apply(false);
})();

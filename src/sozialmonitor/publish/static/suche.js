/* Search of a static build of the Sozialmonitor portal (own code, plain ES2017, no
   library, nothing from other hosts, no eval). The page lists every page of the
   build as links (that is the search without JavaScript); this script reads the
   prebuilt index (data-index), keeps the pages whose title holds every word of
   ?q=… (case, umlauts ä/ae and ß/ss do not matter) and says how many it found. */
(function () {
  "use strict";
  var section = document.getElementById("static-search");
  if (!section) { return; }
  var list = document.getElementById("static-search-list");
  var status = document.querySelector(".search-status strong");
  var words = section.getAttribute("data-words").split("|");

  function fold(text) {
    return text.toLowerCase()
      .replace(/ä/g, "ae").replace(/ö/g, "oe").replace(/ü/g, "ue").replace(/ß/g, "ss")
      .normalize("NFKD").replace(/[\u0300-\u036f]/g, "");
  }

  var query = new URLSearchParams(window.location.search).get("q") || "";
  document.querySelectorAll('input[name="q"]').forEach(function (input) {
    input.value = query;
  });
  var terms = fold(query).split(/\s+/).filter(function (t) { return t; });
  if (!terms.length) { return; }

  function show(entries) {
    var hits = entries.filter(function (entry) {
      var text = fold(entry.title + " " + entry.kind + " " + (entry.words || ""));
      return terms.every(function (t) { return text.indexOf(t) >= 0; });
    });
    list.textContent = "";
    hits.forEach(function (entry) {
      var item = document.createElement("li");
      var link = document.createElement("a");
      link.href = entry.url;
      link.textContent = entry.title;
      item.appendChild(link);
      item.appendChild(document.createTextNode(" (" + entry.kind + ")"));
      list.appendChild(item);
    });
    if (status) {
      status.textContent = (hits.length === 1 ? words[0] : words[1])
        .replace("{n}", String(hits.length)).replace("{q}", query);
    }
  }

  fetch(section.getAttribute("data-index"))
    .then(function (response) { return response.json(); })
    .then(function (index) { show(index.pages); })
    .catch(function () {
      /* Without the index: the links already on the page. */
      show(Array.prototype.map.call(list.querySelectorAll("li"), function (li) {
        var a = li.querySelector("a");
        return { url: a.getAttribute("href"), title: a.textContent, kind: li.getAttribute("data-kind") };
      }));
    });
})();

// Live updates of the portal: new feed entries appear in place, new awards join the register,
// and the search box filters the register rows as you type. No framework, no build step.
(function () {
  "use strict";
  var body = document.body;
  var feed = document.getElementById("feed");
  var rows = document.querySelector("#register tbody");
  var search = document.getElementById("search");
  var status = document.getElementById("live-status");

  function text(tag, value, cls) {
    var node = document.createElement(tag);
    node.textContent = value;
    if (cls) { node.className = cls; }
    return node;
  }

  function matches(row) {
    var needle = search.value.trim().toLowerCase();
    return needle === "" || row.getAttribute("data-search").indexOf(needle) !== -1;
  }

  function filter() {
    Array.prototype.forEach.call(rows.rows, function (row) {
      row.hidden = !matches(row);
    });
  }

  function awardRow(entry) {
    var d = entry.data;
    var row = document.createElement("tr");
    row.setAttribute("data-award", d.award_id);
    row.setAttribute("data-search", [d.title, d.recipient.name, entry.fund_id || "", d.award_date,
      d.beneficiary_location || ""].join(" ").toLowerCase());
    var amount = Number(d.amount).toLocaleString("en-GB", {minimumFractionDigits: 2});
    row.appendChild(text("td", d.title));
    row.appendChild(text("td", d.recipient.name));
    row.appendChild(text("td", "£" + amount, "num"));
    row.appendChild(text("td", entry.fund_id || ""));
    row.appendChild(text("td", d.award_date));
    row.appendChild(text("td", "active"));
    return row;
  }

  function show(entry) {
    var item = document.createElement("li");
    item.setAttribute("data-number", entry.number);
    item.appendChild(text("span", entry.entry_type, "type"));
    item.appendChild(document.createTextNode(" #" + entry.number +
      (entry.decision_number ? " · " + entry.decision_number : "") + " · " + entry.title +
      " · " + entry.occurred_at.slice(0, 10)));
    feed.insertBefore(item, feed.firstChild);
    if (entry.entry_type === "grant" || entry.entry_type === "contract") {
      var old = rows.querySelector('tr[data-award="' + CSS.escape(entry.data.award_id) + '"]');
      var row = awardRow(entry);
      if (old) { rows.replaceChild(row, old); } else { rows.appendChild(row); }
      row.hidden = !matches(row);
    }
  }

  search.addEventListener("input", filter);
  filter();
  if (body.getAttribute("data-latest") === "-1") { status.textContent = "as of a past date"; return; }
  var scope = body.getAttribute("data-scope");
  var url = "/feed/stream?after=" + body.getAttribute("data-latest") +
    (scope ? "&partnership=" + encodeURIComponent(scope) : "");
  var source = new EventSource(url);
  source.onopen = function () { status.textContent = "live"; };
  source.onerror = function () { status.textContent = "reconnecting…"; };
  source.addEventListener("entry", function (message) { show(JSON.parse(message.data)); });
}());

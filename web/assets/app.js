// Recoup's own small script: everything works without it; it only asks for
// confirmation before actions marked data-confirm.
"use strict";
document.addEventListener("submit", function (event) {
  var form = event.target;
  var message = form.getAttribute("data-confirm");
  if (message && !window.confirm(message)) {
    event.preventDefault();
  }
});

// Live updates (Server-Sent Events from /api/v1/notifications/stream, signed
// in by the session cookie): the bell's count on every page, new
// notifications at the top of the notifications page, and on a case page the
// discussion fetched again (/cases/{id}/discussion) when the case changes.
// Without the script, or without EventSource, the pages are as served.
(function () {
  var bell = document.getElementById("bell");
  if (!bell || !bell.getAttribute("data-stream") || !window.EventSource) {
    return;
  }
  var discussion = document.getElementById("discussion");
  var url = bell.getAttribute("data-stream");
  if (discussion) {
    url += "?case=" + encodeURIComponent(discussion.getAttribute("data-case"));
  }
  var source = new EventSource(url);

  function setUnread(n) {
    var badge = bell.querySelector(".badge");
    var count = bell.querySelector("[data-unread]");
    if (!badge || !count) {
      return;
    }
    count.textContent = String(n);
    badge.hidden = n === 0;
    bell.classList.toggle("has-unread", n > 0);
  }

  function prepend(n) {
    var list = document.getElementById("notification-items");
    var tpl = document.getElementById("notification-new");
    if (!list || !list.hasAttribute("data-live") || !tpl || document.getElementById("notification-" + n.id)) {
      return;
    }
    var item = tpl.content.querySelector("li").cloneNode(true);
    item.id = "notification-" + n.id;
    var kinds = tpl.content.querySelectorAll("[data-kind]");
    for (var i = 0; i < kinds.length; i++) {
      if (kinds[i].getAttribute("data-kind") === n.kind) {
        item.querySelector("[data-slot=kind]").textContent = kinds[i].textContent;
      }
    }
    item.querySelector("[data-slot=time]").textContent = new Date(n.created_at).toLocaleString(document.documentElement.lang);
    item.querySelector("[data-slot=text]").textContent = n.text;
    if (n.case_id) {
      var link = item.querySelector("[data-slot=case]");
      link.hidden = false;
      link.querySelector("a").setAttribute("href", "/cases/" + n.case_id);
      link.querySelector("[data-slot=case-id]").textContent = String(n.case_id);
    }
    if (n.params && n.params.customer_id) {
      var account = item.querySelector("[data-slot=account]");
      account.hidden = false;
      account.querySelector("a").setAttribute("href", "/accounts/" + n.params.customer_id);
    }
    item.querySelector("form").setAttribute("action", "/notifications/" + n.id + "/read");
    list.insertBefore(item, list.firstChild);
    var empty = document.getElementById("notification-empty");
    if (empty) {
      empty.hidden = true;
    }
  }

  var fetching = false;
  var again = false;
  function refreshDiscussion() {
    if (fetching) {
      again = true;
      return;
    }
    fetching = true;
    fetch(discussion.getAttribute("data-fragment"), { credentials: "same-origin" })
      .then(function (response) {
        return response.ok ? response.text() : null;
      })
      .then(function (html) {
        if (html !== null) {
          // The server's own template, escaped: no script runs (and the CSP forbids any).
          discussion.innerHTML = html;
        }
      })
      .catch(function () {})
      .then(function () {
        fetching = false;
        if (again) {
          again = false;
          refreshDiscussion();
        }
      });
  }

  source.addEventListener("unread", function (event) {
    setUnread(JSON.parse(event.data).unread);
  });
  source.addEventListener("notification", function (event) {
    var n = JSON.parse(event.data);
    if (typeof n.unread === "number") {
      setUnread(n.unread);
    }
    prepend(n);
  });
  source.addEventListener("case", function (event) {
    var change = JSON.parse(event.data);
    if (discussion && String(change.case_id) === discussion.getAttribute("data-case")) {
      refreshDiscussion();
    }
  });
  window.addEventListener("pagehide", function () {
    source.close();
  });
})();

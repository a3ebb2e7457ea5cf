// The review queue's keys: j/k or the arrows move through the list, Enter opens;
// on a submission's page a approves, s opens "send back", n/p go to the next/previous.
// No key acts while one types in a field, or with Ctrl, Alt or Meta held.
(function () {
  "use strict";

  function typing(event) {
    var target = event.target;
    var tag = target && target.tagName ? target.tagName.toLowerCase() : "";
    return tag === "input" || tag === "textarea" || tag === "select" || (target && target.isContentEditable);
  }

  function setUpList(table) {
    var rows = Array.prototype.slice.call(table.querySelectorAll("tbody tr[data-href]"));
    if (!rows.length) return;
    var current = -1;
    function select(index) {
      if (current >= 0) rows[current].classList.remove("current");
      current = Math.max(0, Math.min(rows.length - 1, index));
      rows[current].classList.add("current");
      rows[current].scrollIntoView({ block: "nearest" });
    }
    rows.forEach(function (row, index) {
      row.addEventListener("click", function (event) {
        if (event.target.closest("a")) return;
        window.location.href = row.getAttribute("data-href");
      });
      row.addEventListener("mouseenter", function () { select(index); });
    });
    document.addEventListener("keydown", function (event) {
      if (typing(event) || event.ctrlKey || event.altKey || event.metaKey) return;
      if (event.key === "j" || event.key === "ArrowDown") {
        select(current + 1);
        event.preventDefault();
      } else if (event.key === "k" || event.key === "ArrowUp") {
        select(current < 0 ? 0 : current - 1);
        event.preventDefault();
      } else if (event.key === "Enter" && current >= 0) {
        window.location.href = rows[current].getAttribute("data-href");
        event.preventDefault();
      }
    });
  }

  function follow(id) {
    var link = document.getElementById(id);
    if (link) window.location.href = link.getAttribute("href");
  }

  function setUpDetail() {
    document.addEventListener("keydown", function (event) {
      if (typing(event) || event.ctrlKey || event.altKey || event.metaKey) return;
      if (event.key === "n") {
        follow("next-item");
      } else if (event.key === "p") {
        follow("previous-item");
      } else if (event.key === "a") {
        var approve = document.getElementById("approve-form");
        // Not on a decided item, whose forms are folded away ("change the decision").
        if (approve && !approve.closest("#change-decision")) {
          approve.requestSubmit ? approve.requestSubmit() : approve.submit();
        }
      } else if (event.key === "s") {
        var box = document.getElementById("send-back");
        if (!box || box.closest("#change-decision")) return;
        box.open = true;
        var comment = document.getElementById("id_send_back_comment");
        if (comment) comment.focus();
        event.preventDefault();
      }
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var list = document.querySelector("[data-keys=list]");
    if (list) setUpList(list);
    if (document.querySelector("[data-keys=detail]")) setUpDetail();
  });
})();

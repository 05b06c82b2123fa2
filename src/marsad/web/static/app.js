// marsad web: small progressive enhancements (no framework, no inline handlers, CSP-safe).
"use strict";

function mapTips() {
  var tip = null;
  document.querySelectorAll(".mapsvg .marker").forEach(function (m) {
    m.addEventListener("mouseenter", function (ev) {
      if (!tip) { tip = document.createElement("div"); tip.className = "map-tip"; document.body.appendChild(tip); }
      var t = m.querySelector("title");
      tip.textContent = t ? t.textContent : "";
      tip.hidden = false;
      move(ev);
    });
    m.addEventListener("mousemove", move);
    m.addEventListener("mouseleave", function () { if (tip) tip.hidden = true; });
  });
  function move(ev) {
    if (!tip) return;
    tip.style.left = Math.min(ev.clientX + 12, window.innerWidth - tip.offsetWidth - 4) + "px";
    tip.style.top = (ev.clientY + 14) + "px";
  }
}

function entityHover() {
  var text = document.getElementById("article-text");
  if (!text) return;
  text.addEventListener("mouseover", function (ev) {
    var el = ev.target.closest("[data-entity]");
    if (!el) return;
    var id = el.getAttribute("data-entity");
    text.querySelectorAll("[data-entity]").forEach(function (x) {
      x.classList.toggle("hl", x.getAttribute("data-entity") === id);
    });
  });
  text.addEventListener("mouseleave", function () {
    text.querySelectorAll(".hl").forEach(function (x) { x.classList.remove("hl"); });
  });
}

function ingest() {
  var form = document.getElementById("ingest-form");
  if (!form) return;
  var box = document.getElementById("progress");
  var bar = document.getElementById("progress-bar");
  var text = document.getElementById("progress-text");
  var STAGES = { waiting: "في انتظار انتهاء عملية كتابة أخرى", ingest: "قراءة المدخلات", clean: "تنظيف المقالات",
                 entities: "الكيانات", attributions: "المصادر والادعاءات في كل مقالة", link: "الربط والقصص",
                 claims: "الادعاءات عبر المنابر", events: "الأحداث" };
  form.addEventListener("submit", function (ev) {
    ev.preventDefault();
    var headers = {};
    var tok = document.getElementById("token");
    if (tok && tok.value) headers["Authorization"] = "Bearer " + tok.value;
    box.hidden = false;
    text.textContent = "جارٍ الإرسال…";
    fetch(form.action, { method: "POST", body: new FormData(form), headers: headers, credentials: "same-origin" })
      .then(function (r) { return r.json().then(function (j) { return { ok: r.ok, body: j }; }); })
      .then(function (res) {
        if (!res.ok) { text.textContent = "خطأ: " + (res.body.error || JSON.stringify(res.body)); return; }
        poll(res.body.progress);
      })
      .catch(function (e) { text.textContent = "خطأ: " + e; });
  });
  function poll(url) {
    fetch(url, { credentials: "same-origin" }).then(function (r) { return r.json(); }).then(function (job) {
      var stage = STAGES[job.stage] || job.stage || "";
      if (job.total) { bar.max = job.total; bar.value = job.done; } else { bar.removeAttribute("value"); }
      if (job.status === "done") {
        bar.max = 1; bar.value = 1;
        var s = job.summary || {};
        text.textContent = "اكتمل: " + (s.articles || 0) + " مقالة جديدة، " + (s.duplicates || 0) + " مكررة، " +
          ((s.rejects || []).length) + " مرفوضة.";
        var a = document.createElement("a"); a.href = "/"; a.textContent = " عرض القصص"; text.appendChild(a);
      } else if (job.status === "error") {
        text.textContent = "فشل: " + job.error;
      } else {
        text.textContent = stage + " " + (job.done || 0) + (job.total ? " / " + job.total : "");
        setTimeout(function () { poll(url); }, 700);
      }
    });
  }
}

document.addEventListener("DOMContentLoaded", function () { mapTips(); entityHover(); ingest(); });

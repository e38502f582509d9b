/* htmx-mini: the few htmx attributes the dashboard uses, written for soloml (no dependency, no CDN).
   hx-get="URL" fetches URL; hx-trigger="load" or "every Ns" says when; hx-swap="outerHTML" (default
   innerHTML) says where the answer goes. A swapped-in element with hx-get keeps polling; one without stops. */
(function () {
  "use strict";
  function period(trigger) {
    var m = /every\s+(\d+(?:\.\d+)?)(ms|s)/.exec(trigger || "");
    return m ? parseFloat(m[1]) * (m[2] === "s" ? 1000 : 1) : null;
  }
  function swap(el, html) {
    if ((el.getAttribute("hx-swap") || "innerHTML") === "outerHTML") {
      var holder = document.createElement("div");
      holder.innerHTML = html;
      var fresh = holder.firstElementChild;
      if (!fresh) { el.remove(); return; }
      el.replaceWith(fresh);
      process(fresh);
    } else {
      el.innerHTML = html;
      process(el);
    }
  }
  function fetchInto(el) {
    fetch(el.getAttribute("hx-get"), { headers: { "HX-Request": "true" }, credentials: "same-origin" })
      .then(function (r) { return r.text().then(function (t) { return { ok: r.ok, text: t }; }); })
      .then(function (r) { if (r.ok && document.body.contains(el)) { swap(el, r.text); } })
      .catch(function () { /* the next poll tries again */ });
  }
  function arm(el) {
    if (el.__hxArmed) { return; }
    el.__hxArmed = true;
    var trigger = el.getAttribute("hx-trigger") || "load";
    var ms = period(trigger);
    if (ms) {
      var timer = setInterval(function () {
        if (!document.body.contains(el)) { clearInterval(timer); return; }
        fetchInto(el);
      }, ms);
    } else if (trigger === "load") {
      fetchInto(el);
    }
  }
  function process(root) {
    if (root.hasAttribute && root.hasAttribute("hx-get")) { arm(root); }
    (root.querySelectorAll ? root.querySelectorAll("[hx-get]") : []).forEach(arm);
  }
  document.addEventListener("DOMContentLoaded", function () { process(document.body); });
})();

// marsad web maps: Leaflet over the bundled country boundaries (static/countries.geojson).
// Reads each map's points from its data-points attribute (JSON, escaped by the server).
// Untrusted text goes into the page only through textContent; no innerHTML, no inline styles in markup.
"use strict";

(function () {
  var basemap = null;   // one fetch of the GeoJSON for every map on the page

  function node(tag, cls, text, attrs) {
    var el = document.createElement(tag);
    if (cls) el.className = cls;
    if (text) el.textContent = text;
    if (attrs) Object.keys(attrs).forEach(function (k) { el.setAttribute(k, attrs[k]); });
    return el;
  }

  function label(p, withLink) {
    var box = node("div", "map-pop");
    box.setAttribute("dir", "rtl");
    var name = node(withLink && p.href ? "a" : "span", "map-pop-name", p.label || "");
    if (withLink && p.href) name.setAttribute("href", p.href);
    box.appendChild(name);
    if (p.label_en) box.appendChild(node("span", "map-pop-en", p.label_en, { lang: "en", dir: "ltr" }));
    if (p.note) box.appendChild(node("span", "map-pop-note", p.note));
    return box;
  }

  function plain(s) {   // a configured attribution is text, not markup
    return String(s).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
  }

  function draw(div) {
    var pts, bounds;
    try {
      pts = JSON.parse(div.getAttribute("data-points") || "[]");
      bounds = JSON.parse(div.getAttribute("data-bounds") || "null");
    } catch (e) { return; }
    div.classList.add("on");              // shown only when scripts run (else the <noscript> SVG map)
    var map = L.map(div, { zoomSnap: 0.25, scrollWheelZoom: false, worldCopyJump: false, minZoom: 1, maxZoom: 12 });
    map.attributionControl.setPrefix(false);
    map.createPane("basemap").style.zIndex = 250;   // under the markers (overlay pane: 400)
    var tiles = div.getAttribute("data-tiles");
    if (tiles) {
      L.tileLayer(tiles, { maxZoom: 18, attribution: plain(div.getAttribute("data-tiles-attribution") || "") }).addTo(map);
    }
    map.attributionControl.addAttribution("Natural Earth");

    var group = L.featureGroup();
    pts.forEach(function (p) {
      if (typeof p.lat !== "number" || typeof p.lon !== "number") return;
      var isEvent = p.kind === "event";
      var m = L.circleMarker([p.lat, p.lon], {
        radius: p.r || 6, className: "marker k-" + String(p.kind || "place").replace(/[^a-z]/g, ""),
        color: "#fff", weight: 1.5, opacity: 1,
        fillColor: isEvent ? "#b4410f" : "#0b5d6b", fillOpacity: 0.78
      });
      m.bindTooltip(label(p, false), { direction: "top", offset: [0, -4] });
      m.bindPopup(label(p, true), { maxWidth: 260 });
      group.addLayer(m);
    });
    group.addTo(map);

    if (bounds) map.fitBounds(bounds, { padding: [6, 6] });
    else if (group.getLayers().length) map.fitBounds(group.getBounds().pad(0.3), { maxZoom: 7 });
    else map.setView([30, 35], 3);

    if (!basemap) {
      basemap = fetch(div.getAttribute("data-basemap"), { credentials: "same-origin" })
        .then(function (r) { if (!r.ok) throw new Error("basemap " + r.status); return r.json(); });
    }
    basemap.then(function (gj) {
      L.geoJSON(gj, {
        pane: "basemap", interactive: false, renderer: L.svg({ pane: "basemap" }),
        style: { color: "#a9b3a3", weight: 0.8, fillColor: "#eceee6", fillOpacity: 1 }
      }).addTo(map);
    }).catch(function () { div.classList.add("no-basemap"); });
    div.classList.add("ready");
  }

  document.addEventListener("DOMContentLoaded", function () {
    if (typeof L === "undefined") return;
    document.querySelectorAll(".lmap[data-points]").forEach(draw);
  });
})();

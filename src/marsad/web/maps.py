"""Maps: the view and markers for a set of points, drawn by Leaflet (web), or as plain SVG
(the no-script fallback, and the self-contained report).

In: points ``{"lat", "lon", "label", "label_en", "note", "href", "weight", "kind"}``. Out: a dict the
``svgmap`` macro renders: a viewBox in degrees (x = longitude, y = -latitude) fitted to the points,
a lat/lon grid, marker radii and which markers get a text label, plus ``leaflet``: the same points
(labels made inert) with pixel radii and the view's bounds, which ``static/map.js`` reads from a
``data-points`` attribute and draws over the bundled ``static/countries.geojson``. The SVG form uses
``static/world.svg``, or (:func:`outline_paths`) inline outlines cut from the GeoJSON to the view.
"""

from __future__ import annotations

import functools
import json
import math
import statistics
from pathlib import Path

from .data import inert

ASPECT = 1.6          # width / height of every map
MIN_SPAN = 9.0        # degrees of longitude shown at least
MAX_LABELS = 10


def _step(span: float) -> float:
    for s in (1, 2, 5, 10, 20, 30):
        if span / s <= 8:
            return s
    return 45


def _focus(pts: list[dict], share: float = 0.8) -> list[dict]:
    """The points to fit the view to: the heaviest ones holding ``share`` of the weight, and any
    point close to them; far-off stragglers (one mention of Washington) stay off the view."""
    if len(pts) < 4:
        return pts
    mx = statistics.median(p["lon"] for p in pts)
    my = statistics.median(p["lat"] for p in pts)
    dist = [math.hypot(p["lon"] - mx, p["lat"] - my) for p in pts]
    limit = max(8.0, 3 * statistics.median(dist))
    near = [p for p, d in zip(pts, dist) if d <= limit]
    if len(near) >= 2:
        pts = near
    ranked = sorted(pts, key=lambda p: -(p.get("weight", 1) or 1))
    total = sum(p.get("weight", 1) or 1 for p in ranked)
    core, acc = [], 0.0
    for p in ranked:
        core.append(p)
        acc += p.get("weight", 1) or 1
        if acc >= share * total and len(core) >= 2:
            break
    lo_x, hi_x = min(p["lon"] for p in core), max(p["lon"] for p in core)
    lo_y, hi_y = min(p["lat"] for p in core), max(p["lat"] for p in core)
    pad_x, pad_y = max(3.0, (hi_x - lo_x) * 0.25), max(3.0, (hi_y - lo_y) * 0.25)
    return [p for p in pts if lo_x - pad_x <= p["lon"] <= hi_x + pad_x and lo_y - pad_y <= p["lat"] <= hi_y + pad_y]


def build_map(points: list[dict]) -> dict:
    pts = [p for p in points if isinstance(p.get("lat"), (int, float)) and isinstance(p.get("lon"), (int, float))
           and -90 <= p["lat"] <= 90 and -180 <= p["lon"] <= 180]
    if not pts:
        return {"points": [], "empty": True}
    focus = _focus(pts)
    lons = [p["lon"] for p in focus]
    lats = [p["lat"] for p in focus]
    cx, cy = (min(lons) + max(lons)) / 2, (min(lats) + max(lats)) / 2
    w = max(MIN_SPAN, (max(lons) - min(lons)) * 1.25 + 1.5)
    h = max((max(lats) - min(lats)) * 1.25 + 1.5, w / ASPECT)
    w = max(w, h * ASPECT)
    w, h = min(w, 360.0), min(h, 180.0)
    x0 = min(max(cx - w / 2, -180.0), 180.0 - w)
    y0 = min(max(-cy - h / 2, -90.0), 90.0 - h)
    step = _step(w)
    grid_x = [g for g in range(int(math.floor(x0 / step) * step), int(x0 + w) + 1, int(step)) if x0 < g < x0 + w] \
        if step >= 1 else []
    grid_y = [g for g in range(int(math.floor(y0 / step) * step), int(y0 + h) + 1, int(step)) if y0 < g < y0 + h]
    top = max(p.get("weight", 1) or 1 for p in pts)
    unit = w / 100.0
    markers = []
    order = sorted(range(len(pts)), key=lambda i: -(pts[i].get("weight", 1) or 1))
    labelled: set[int] = set()
    fs = unit * 2.3
    for i in order:
        if len(labelled) >= MAX_LABELS:
            break
        p = pts[i]
        if all(abs(p["lon"] - pts[j]["lon"]) > fs * 5 or abs(p["lat"] - pts[j]["lat"]) > fs * 1.3 for j in labelled):
            labelled.add(i)
    for i, p in enumerate(pts):
        wgt = p.get("weight", 1) or 1
        r = unit * (0.9 + 1.4 * math.sqrt(wgt / top))
        markers.append({**p, "x": round(p["lon"], 4), "y": round(-p["lat"], 4), "r": round(r, 4),
                        "show_label": i in labelled, "font": round(unit * 2.3, 3),
                        "lx": round(p["lon"] - r - unit * 0.6, 4), "ly": round(-p["lat"] + unit * 0.8, 4)})
    # draw big markers first so small ones stay clickable on top
    markers.sort(key=lambda m: -m["r"])
    inside = [m for m in markers if x0 <= m["x"] <= x0 + w and y0 <= m["y"] <= y0 + h]
    leaflet = {"bounds": [[round(-(y0 + h), 3), round(x0, 3)], [round(-y0, 3), round(x0 + w, 3)]],
               "points": [{"lat": round(m["lat"], 5), "lon": round(m["lon"], 5), "kind": str(m.get("kind") or "place"),
                           "r": round(4 + 8 * math.sqrt((m.get("weight", 1) or 1) / top), 1),
                           "label": inert(m.get("label")), "label_en": inert(m.get("label_en") or ""),
                           "note": inert(m.get("note") or ""), "href": _local_href(m.get("href"))}
                          for m in markers]}
    return {"empty": False, "points": inside, "outside": len(markers) - len(inside), "leaflet": leaflet,
            "view": f"{x0:.3f} {y0:.3f} {w:.3f} {h:.3f}", "x0": x0, "y0": y0, "w": w, "h": h,
            "grid_x": [{"v": g, "label": f"{abs(g)}°{'E' if g >= 0 else 'W'}"} for g in grid_x],
            "grid_y": [{"v": g, "label": f"{abs(g)}°{'N' if g <= 0 else 'S'}"} for g in grid_y],
            "font": round(unit * 2.2, 3), "stroke": round(unit * 0.12, 4)}


def _local_href(href) -> str:
    """Only links inside the app ("/..." or "#...") make it into a popup."""
    href = str(href or "")
    return href if (href.startswith("/") and not href.startswith("//")) or href.startswith("#") else ""


GEOJSON = Path(__file__).with_name("static") / "countries.geojson"


@functools.lru_cache(maxsize=1)
def _countries() -> list[tuple[tuple[float, float, float, float], list[list[list[float]]]]]:
    """Each polygon of the basemap built by ``scripts/build_web_assets.sh`` as (bbox, rings); none without it."""
    out = []
    if not GEOJSON.is_file():
        return out
    for f in json.loads(GEOJSON.read_text(encoding="utf-8"))["features"]:
        for poly in f["geometry"]["coordinates"]:
            xs = [p[0] for p in poly[0]]
            ys = [p[1] for p in poly[0]]
            out.append(((min(xs), min(ys), max(xs), max(ys)), poly))
    return out


@functools.lru_cache(maxsize=1)
def _rings() -> list[tuple[tuple[float, float, float, float], tuple[list[list[float]], ...]]]:
    """Each polygon of :func:`_countries` as (bbox, its rings each with its own bbox)."""
    out = []
    for bbox, poly in _countries():
        rings = []
        for ring in poly:
            xs = [p[0] for p in ring]
            ys = [p[1] for p in ring]
            rings.append(((min(xs), min(ys), max(xs), max(ys)), ring))
        out.append((bbox, tuple(rings)))
    return out


def _clip(ring: list[list[float]], box: tuple[float, float, float, float],
          ring_box: tuple[float, float, float, float] | None = None) -> list[list[float]]:
    """Sutherland–Hodgman: the part of a polygon ring inside an axis-aligned box. With the ring's own
    bbox, an edge every point is well inside of is skipped (it would return its input unchanged)."""
    lon0, lat0, lon1, lat1 = box
    edges = [(0, lon0, True), (0, lon1, False), (1, lat0, True), (1, lat1, False)]
    out = ring
    for axis, v, keep_above in edges:
        if not out:
            break
        if ring_box is not None and (ring_box[axis] > v + _MARGIN if keep_above else ring_box[2 + axis] < v - _MARGIN):
            continue
        out = _clip_edge(out, axis, v, keep_above)
    return out


_MARGIN = 1e-6   # degrees: far more than the rounding of a crossing point computed by an earlier edge


def _clip_edge(src: list[list[float]], axis: int, v: float, keep_above: bool) -> list[list[float]]:
    """One Sutherland–Hodgman step: the part of ``src`` on the kept side of ``p[axis] = v``."""
    out: list[list[float]] = []
    prev = src[-1]
    prev_in = prev[axis] >= v if keep_above else prev[axis] <= v
    for cur in src:
        cur_in = cur[axis] >= v if keep_above else cur[axis] <= v
        if cur_in:
            if not prev_in:
                out.append(_cross(prev, cur, axis, v))
            out.append(cur)
        elif prev_in:
            out.append(_cross(prev, cur, axis, v))
        prev, prev_in = cur, cur_in
    return out


def _cross(a, b, axis: int, v: float) -> list[float]:
    t = (v - a[axis]) / (b[axis] - a[axis])
    return [a[0] + t * (b[0] - a[0]), a[1] + t * (b[1] - a[1])]


def outline_paths(m: dict, digits: int | None = None) -> list[str]:
    """SVG path data (x = lon, y = -lat, rounded to ``digits``: 0.1° for a regional view, 1° for a
    continental one) of the country polygons in the map's view, clipped to it (plus a small
    margin): a small inline basemap for a self-contained page."""
    if m.get("empty"):
        return []
    if digits is None:
        digits = 1 if m["w"] <= 40 else 0
    return list(_outline((m["x0"], m["y0"], m["w"], m["h"]), digits))


@functools.lru_cache(maxsize=256)
def _outline(view: tuple[float, float, float, float], digits: int) -> tuple[str, ...]:
    """:func:`outline_paths` of one view, kept: stories about the same places share their view (a report
    draws hundreds of maps, and clipping the basemap was a quarter of its time)."""
    x0, y0, w, h = view
    pad = 0.5
    box = (x0 - pad, -(y0 + h) - pad, x0 + w + pad, -y0 + pad)
    paths = []
    for i, ((bx0, by0, bx1, by1), rings) in enumerate(_rings()):
        if bx1 < box[0] or bx0 > box[2] or by1 < box[1] or by0 > box[3]:
            continue
        d = []
        for j, (ring_box, ring) in enumerate(rings):
            if ring_box[2] < box[0] or ring_box[0] > box[2] or ring_box[3] < box[1] or ring_box[1] > box[3]:
                continue                                   # wholly outside: the clip would return nothing
            if ring_box[0] >= box[0] and ring_box[1] >= box[1] and ring_box[2] <= box[2] and ring_box[3] <= box[3]:
                path = _ring_path(i, j, digits)        # wholly inside: the clip would return it unchanged
            else:
                path = _path(_clip(_labelled_ring(i, j, digits), box, ring_box), digits)
            if path:
                d.append(path)
        if d:
            paths.append("".join(d))
    return tuple(paths)


def _path(points: list[list], digits: int) -> str:
    """SVG path data of a ring (y = -lat), rounded to ``digits``, repeated points dropped; "" under 4 points.
    A point may carry its text already (``[x, y, text]``, see :func:`_labelled_ring`)."""
    pts: list[str] = []
    for p in points:
        pt = p[2] if len(p) > 2 else f"{round(p[0], digits):g},{round(-p[1], digits) + 0:g}"
        if not pts or pts[-1] != pt:
            pts.append(pt)
    return "M" + "L".join(pts) + "Z" if len(pts) >= 4 else ""


@functools.lru_cache(maxsize=4096)
def _labelled_ring(polygon: int, ring: int, digits: int) -> list[list]:
    """A ring of the basemap with each point's path text rounded to ``digits`` (``[x, y, text]``): a ring
    cut by many views (the countries around the stories' places) is rounded once; crossings are new points."""
    return [[x, y, f"{round(x, digits):g},{round(-y, digits) + 0:g}"] for x, y in _rings()[polygon][1][ring][1]]


@functools.lru_cache(maxsize=4096)
def _ring_path(polygon: int, ring: int, digits: int) -> str:
    """:func:`_path` of a whole ring of the basemap (drawn by every view that holds it)."""
    return _path(_rings()[polygon][1][ring][1], digits)

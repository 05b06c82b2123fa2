"""Build the bundled basemaps from Natural Earth country boundaries.

In: ``countries-50m.json`` and ``countries-110m.json`` from the npm package ``world-atlas`` 2.0.2
(TopoJSON made from Natural Earth, which is public domain; world-atlas itself is ISC-licensed,
© Michael Bostock). Out:

- ``static/countries.geojson``: the Leaflet base layer (and the source of the report's inline
  outlines): 1:110m countries for the world, 1:50m for countries in the Middle East / North Africa
  window (:data:`DETAIL_BOX`), coordinates rounded to 0.01°; properties ``name`` only.
- ``static/world.svg`` (the no-script fallback): user units are degrees (x = longitude,
  y = -latitude), placed with ``<image x="-180" y="-90" width="360" height="180">``.

Run once at build time (offline afterwards)::

    npm pack world-atlas@2.0.2 && tar xzf world-atlas-2.0.2.tgz
    python -m marsad.web.basemap package/countries-50m.json package/countries-110m.json
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

OUT = Path(__file__).with_name("static") / "world.svg"
GEOJSON = Path(__file__).with_name("static") / "countries.geojson"
DETAIL_BOX = (20.0, 10.0, 65.0, 43.0)   # lon0, lat0, lon1, lat1: where 1:50m replaces 1:110m


def _arcs(topo: dict) -> list[list[tuple[float, float]]]:
    sx, sy = topo["transform"]["scale"]
    tx, ty = topo["transform"]["translate"]
    out = []
    for arc in topo["arcs"]:
        x = y = 0
        pts = []
        for dx, dy in arc:
            x += dx
            y += dy
            pts.append((x * sx + tx, y * sy + ty))
        out.append(pts)
    return out


def _ring(arcs, idx: list[int]) -> list[tuple[float, float]]:
    pts: list[tuple[float, float]] = []
    for i in idx:
        a = arcs[i] if i >= 0 else arcs[~i][::-1]
        pts.extend(a if not pts else a[1:])
    return pts


def _simplify(pts, tol: float) -> list[tuple[float, float]]:
    out = [pts[0]]
    for p in pts[1:-1]:
        if abs(p[0] - out[-1][0]) + abs(p[1] - out[-1][1]) >= tol:
            out.append(p)
    out.append(pts[-1])
    return out


def build(src: str, tol: float = 0.08) -> str:
    topo = json.loads(Path(src).read_text(encoding="utf-8"))
    arcs = _arcs(topo)
    paths = []
    for g in topo["objects"]["countries"]["geometries"]:
        polys = [g["arcs"]] if g.get("type") == "Polygon" else g.get("arcs", []) if g.get("type") == "MultiPolygon" else []
        d = []
        for poly in polys:
            for ring in poly:
                pts = _simplify(_ring(arcs, ring), tol)
                if len(pts) < 4:
                    continue
                d.append("M" + "L".join(f"{x:.2f},{-y:.2f}" for x, y in pts) + "Z")
        if d:
            paths.append(f'<path d="{"".join(d)}"/>')
    return ('<svg xmlns="http://www.w3.org/2000/svg" viewBox="-180 -90 360 180" preserveAspectRatio="none">'
            '<!-- Natural Earth (public domain) via world-atlas 2.0.2 (ISC, (c) Michael Bostock) -->'
            '<g fill="#e9ece6" stroke="#b9c0b4" stroke-width="0.022" stroke-linejoin="round">'
            + "".join(paths) + "</g></svg>\n")


def _features(src: str, tol: float, digits: int = 2) -> list[dict]:
    topo = json.loads(Path(src).read_text(encoding="utf-8"))
    arcs = _arcs(topo)
    out = []
    for g in topo["objects"]["countries"]["geometries"]:
        polys = [g["arcs"]] if g.get("type") == "Polygon" else g.get("arcs", []) if g.get("type") == "MultiPolygon" else []
        coords = []
        for poly in polys:
            rings = []
            for ring in poly:
                pts = _simplify(_ring(arcs, ring), tol)
                pts = [[round(x, digits), round(y, digits)] for x, y in pts]
                pts = [p for i, p in enumerate(pts) if i == 0 or p != pts[i - 1]]
                if len(pts) >= 4:
                    rings.append(pts)
            if rings:
                coords.append(rings)
        if coords:
            out.append({"type": "Feature", "properties": {"name": (g.get("properties") or {}).get("name", "")},
                        "geometry": {"type": "MultiPolygon", "coordinates": coords}})
    return out


def _centre(f: dict) -> tuple[float, float]:
    ring = max((r[0] for r in f["geometry"]["coordinates"]), key=len)
    return sum(p[0] for p in ring) / len(ring), sum(p[1] for p in ring) / len(ring)


def build_geojson(src50: str, src110: str) -> str:
    """World at 1:110m, with the countries centred in :data:`DETAIL_BOX` taken from 1:50m."""
    lon0, lat0, lon1, lat1 = DETAIL_BOX

    def inside(f: dict) -> bool:
        x, y = _centre(f)
        return lon0 <= x <= lon1 and lat0 <= y <= lat1

    detail = {f["properties"]["name"]: f for f in _features(src50, 0.03) if inside(f)}
    feats = [detail.pop(f["properties"]["name"], f) if inside(f) or f["properties"]["name"] in detail else f
             for f in _features(src110, 0.0)]
    feats += list(detail.values())          # small states 1:110m leaves out (Bahrain, ...)
    return json.dumps({"type": "FeatureCollection",
                       "attribution": "Natural Earth (public domain) via world-atlas 2.0.2 (ISC, (c) Michael Bostock)",
                       "features": feats}, ensure_ascii=False, separators=(",", ":")) + "\n"


if __name__ == "__main__":
    OUT.write_text(build(sys.argv[1]), encoding="utf-8")
    print(OUT, OUT.stat().st_size)
    if len(sys.argv) > 2:
        GEOJSON.write_text(build_geojson(sys.argv[1], sys.argv[2]), encoding="utf-8")
        print(GEOJSON, GEOJSON.stat().st_size)

"""Build the bundled basemap: country outlines as one SVG in plate carrée (equirectangular) degrees.

In: ``countries-50m.json`` from the npm package ``world-atlas`` 2.0.2 (TopoJSON made from Natural
Earth, which is public domain; world-atlas itself is ISC-licensed, © Michael Bostock). Out:
``static/world.svg`` whose user units are degrees (x = longitude, y = -latitude), so a map places
it with ``<image x="-180" y="-90" width="360" height="180">`` and plots points at (lon, -lat).

Run once at build time (offline afterwards)::

    npm pack world-atlas@2.0.2 && tar xzf world-atlas-2.0.2.tgz
    python -m marsad.web.basemap package/countries-50m.json
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

OUT = Path(__file__).with_name("static") / "world.svg"


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


if __name__ == "__main__":
    OUT.write_text(build(sys.argv[1]), encoding="utf-8")
    print(OUT, OUT.stat().st_size)

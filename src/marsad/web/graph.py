"""Provenance as a layered graph: outlets → relays and cited sources → origins, laid out for SVG.

In: provenance rows ``{"chain": [outlet, ..., origin], "n": count}``. Out: nodes (column, row,
name, kind, weight) and edges (from, to, weight, path) in SVG user units, right to left: outlets in
the rightmost column, origins in the leftmost, intermediate sources between them.
"""

from __future__ import annotations

from collections import Counter, defaultdict

COL_W = 240
ROW_H = 34
NODE_W = 210
NODE_H = 24
MAX_NODES_PER_COLUMN = 18


def provenance_graph(rows: list[dict]) -> dict | None:
    if not rows:
        return None
    depth = min(4, max(len(r["chain"]) for r in rows))
    if depth < 2:
        return None
    weight: Counter = Counter()
    edges: Counter = Counter()
    for r in rows:
        chain = r["chain"]
        cols = _columns(len(chain), depth)
        keys = [(c, name) for c, name in zip(cols, chain)]
        for k in keys:
            weight[k] += r["n"]
        for a, b in zip(keys, keys[1:]):
            if a != b:
                edges[(a, b)] += r["n"]
    by_col: dict[int, list] = defaultdict(list)
    for (c, name), w in weight.most_common():
        if len(by_col[c]) < MAX_NODES_PER_COLUMN:
            by_col[c].append((name, w))
    rows_n = max(len(v) for v in by_col.values())
    width = depth * COL_W
    height = rows_n * ROW_H + 10
    pos: dict[tuple, tuple[float, float]] = {}
    nodes = []
    for c in range(depth):
        items = by_col.get(c, [])
        offset = (rows_n - len(items)) * ROW_H / 2
        x = width - (c + 1) * COL_W + (COL_W - NODE_W) / 2          # column 0 at the right
        for i, (name, w) in enumerate(items):
            y = 5 + offset + i * ROW_H
            pos[(c, name)] = (x, y)
            kind = "outlet" if c == 0 else "origin" if c == depth - 1 else "cited"
            nodes.append({"x": round(x, 1), "y": round(y, 1), "w": NODE_W, "h": NODE_H, "name": name,
                          "label": name if len(name) <= 26 else name[:25] + "…", "kind": kind, "n": w,
                          "tx": round(x + NODE_W - 8, 1), "ty": round(y + NODE_H / 2 + 5, 1)})
    top = max(edges.values()) if edges else 1
    out_edges = []
    for (a, b), n in edges.items():
        if a not in pos or b not in pos:
            continue
        (ax, ay), (bx, by) = pos[a], pos[b]
        x1, y1 = ax, ay + NODE_H / 2                    # left edge of the right-hand node
        x2, y2 = bx + NODE_W, by + NODE_H / 2           # right edge of the left-hand node
        mid = (x1 + x2) / 2
        out_edges.append({"d": f"M{x1:.1f},{y1:.1f} C{mid:.1f},{y1:.1f} {mid:.1f},{y2:.1f} {x2:.1f},{y2:.1f}",
                          "w": round(1 + 4 * n / top, 2), "n": n, "title": f"{a[1]} ← {b[1]}"})
    return {"width": width, "height": height, "nodes": nodes, "edges": out_edges, "depth": depth}


def _columns(n: int, depth: int) -> list[int]:
    """Column of each position in a chain of ``n`` names: first → 0, last → depth-1, middle spread."""
    if n == 1:
        return [0]
    if n == 2:
        return [0, depth - 1]
    cols = [0]
    middle = n - 2
    for i in range(middle):
        cols.append(min(depth - 2, 1 + i * max(1, (depth - 2)) // max(1, middle)) if depth > 2 else 0)
    cols.append(depth - 1)
    return cols

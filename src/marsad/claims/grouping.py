"""Claim groups and contradictions across articles.

In: the stored claims (content embeddings, entities, places, numbers, time expressions, content
words, polarity, modality). Out: ``claims.group_id`` and the ``claim_groups`` table. Claims of
articles in the same story (or, for articles in no story, all of them together) are grouped when
they assert the same thing: close embeddings plus a shared entity or predicate word, and no
mismatch — different numbers, opposite polarity (a denial counts as negation), different places or
different relative times are never the same claim. Merging is average-free agglomeration: two groups
merge only when no pair across them mismatches. A group's id is ``g`` + the id of its earliest claim,
so it is stable while that claim stays. Groups about the same thing that disagree (opposite polarity,
a denial, incompatible numbers / places / times, or the stance classifier's ``disagree``) record each
other in ``contradicts``.
"""

from __future__ import annotations

import json

import numpy as np

from .origins import group_origins

SAME_COS = 0.62            # embedding similarity for "the same claim" (with shared entities / words)
SAME_COS_STRONG = 0.80     # ... with only one kind of overlap
RELATED_COS = 0.50         # for contradiction candidates (about the same thing)
CONTRA_COS = 0.60          # ... for polarity / number / place conflicts (with two shared content words)
STANCE_MIN_PROBA = 0.70


def _claim_rows(store) -> list[dict]:
    out = []
    for r in store.db.execute(
            "SELECT c.*, a.story_id, a.outlet, a.cited_source, a.published FROM claims c JOIN articles a ON a.id = c.article_id "
            "ORDER BY c.article_id, c.idx"):
        d = dict(r)
        for k in ("entities", "places", "numbers", "times", "terms", "chain", "flags"):
            d[k] = json.loads(d[k] or "[]")
        d["origin"] = json.loads(d["origin"]) if d["origin"] else None
        d["provenance"] = json.loads(d["provenance"]) if d["provenance"] else []
        d["eff_polarity"] = d["polarity"] * (-1 if d["modality"] == "denied" else 1)
        d["vec"] = np.frombuffer(d["vector"], dtype=np.float32) if d["vector"] else None
        out.append(d)
    return out


def mismatch(a: dict, b: dict) -> list[str]:
    """Why two claims about the same thing cannot be the same claim (empty when compatible)."""
    why = []
    if a["eff_polarity"] != b["eff_polarity"]:
        why.append("denial" if "denied" in (a["modality"], b["modality"]) else "polarity")
    if a["numbers"] and b["numbers"] and not set(a["numbers"]) & set(b["numbers"]):
        why.append("numbers")
    if a["places"] and b["places"] and not set(a["places"]) & set(b["places"]) and not _places_nest(a, b):
        why.append("places")
    if a["times"] and b["times"] and not set(a["times"]) & set(b["times"]):
        why.append("times")
    return why


_PLACE_COUNTRY: dict[str, tuple[str | None, int | None]] = {}


def _places_nest(a: dict, b: dict) -> bool:
    """A country and a place inside it are compatible (روسيا / موسكو)."""
    for p in a["places"]:
        for q in b["places"]:
            cp, pp = _PLACE_COUNTRY.get(p, (None, None))
            cq, pq = _PLACE_COUNTRY.get(q, (None, None))
            if cp and cp == cq and (pp == 3 or pq == 3):
                return True
    return False


def contradiction(a: dict, b: dict, cos: float) -> tuple[list[str], bool]:
    """(reasons two claims about the same thing contradict, whether to ask the stance classifier)."""
    ents = set(a["entities"]) & set(b["entities"])
    terms = set(a["terms"]) & set(b["terms"])
    if not ents or not terms:
        return [], False
    why = []
    if a["times"] and b["times"] and not set(a["times"]) & set(b["times"]) and (
            any(t.startswith("~") for t in terms)):
        why.append("times")     # e.g. "left last week" / "fled hours before": the same act, another time
    if cos < RELATED_COS:
        return why, False
    denied = "denied" in (a["modality"], b["modality"]) and a["eff_polarity"] != b["eff_polarity"]
    if denied and terms:
        why.append("denial")
    negated = set(a["flags"].get("neg_terms", [])) | set(b["flags"].get("neg_terms", []))
    close = len(terms) >= 2 and cos >= CONTRA_COS
    if a["eff_polarity"] != b["eff_polarity"] and not denied and close and terms & negated:
        why.append("polarity")
    if close and a["numbers"] and b["numbers"] and not set(a["numbers"]) & set(b["numbers"]):
        why.append("numbers")
    if close and a["places"] and b["places"] and not set(a["places"]) & set(b["places"]) and not _places_nest(a, b):
        why.append("places")
    return why, close


def _related(a: dict, b: dict, cos: float) -> tuple[bool, bool]:
    """(same-topic enough to be one claim if compatible, related enough to contradict)."""
    ents = set(a["entities"]) & set(b["entities"])
    terms = set(a["terms"]) & set(b["terms"])
    same = (cos >= SAME_COS and bool(ents) and bool(terms)) or (cos >= SAME_COS_STRONG and (ents or terms))
    related = cos >= RELATED_COS and bool(ents) and (bool(terms) or cos >= SAME_COS)
    return same, related


def _scopes(rows: list[dict]) -> dict:
    scopes: dict = {}
    for r in rows:
        scopes.setdefault(r["story_id"], []).append(r)
    return scopes


def group_claims(store, stance=None) -> int:
    """(Re)group all stored claims and recompute groups, origins per group and contradictions."""
    rows = _claim_rows(store)
    for r in store.db.execute("SELECT id, country, geo_precision FROM entities WHERE type IN ('GPE','LOC','FAC')"):
        _PLACE_COUNTRY[r["id"]] = (r["country"], r["geo_precision"])
    groups_out = []
    for story_id, members in _scopes(rows).items():
        groups_out.extend(_group_scope(story_id, members))
    _contradictions(groups_out, stance)
    with store.transaction():
        store.db.execute("DELETE FROM claim_groups")
        updates = []
        for g in groups_out:
            for c in g["claims"]:
                updates.append((g["id"], c["id"]))
            store.db.execute(
                """INSERT INTO claim_groups(id, story_id, text, claim_ids, article_ids, outlets, n_articles, n_outlets,
                   origins, n_origins, modality, polarity, contradicts) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)""",
                (g["id"], g["story_id"], g["text"], json.dumps([c["id"] for c in g["claims"]]),
                 json.dumps(g["article_ids"]), json.dumps(g["outlets"], ensure_ascii=False), len(g["article_ids"]),
                 len(g["outlets"]), json.dumps(g["origins"], ensure_ascii=False), len(g["origins"]),
                 g["modality"], g["polarity"], json.dumps(g["contradicts"], ensure_ascii=False)))
        store.db.executemany("UPDATE claims SET group_id=? WHERE id=?", updates)
    return len(groups_out)


def _group_scope(story_id, members: list[dict]) -> list[dict]:
    n = len(members)
    dim = next((len(m["vec"]) for m in members if m["vec"] is not None), 0)
    V = np.zeros((n, max(dim, 1)), dtype=np.float32)
    for i, m in enumerate(members):
        if m["vec"] is not None and len(m["vec"]) == dim:
            V[i] = m["vec"]
    S = V @ V.T if n else np.zeros((0, 0))
    parent = list(range(n))
    group_members = {i: [i] for i in range(n)}
    pairs = []
    iu = np.argwhere(np.triu(S, 1) >= min(SAME_COS, SAME_COS_STRONG))
    for i, j in iu:
        a, b = members[i], members[j]
        if a["article_id"] == b["article_id"] and abs(a["idx"] - b["idx"]) > 3:
            pass
        same, _ = _related(a, b, float(S[i, j]))
        if same and not mismatch(a, b):
            pairs.append((float(S[i, j]), int(i), int(j)))
    pairs.sort(reverse=True)

    def find(x):
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for _, i, j in pairs:
        ri, rj = find(i), find(j)
        if ri == rj:
            continue
        if any(mismatch(members[x], members[y]) for x in group_members[ri] for y in group_members[rj]):
            continue
        parent[rj] = ri
        group_members[ri].extend(group_members.pop(rj))
    out = []
    for root, idxs in group_members.items():
        cs = [members[i] for i in sorted(idxs, key=lambda i: (members[i]["article_id"], members[i]["idx"]))]
        rep = max(cs, key=lambda c: (len(c["chain"]), -len(c["text"]) if len(c["text"]) > 400 else len(c["text"])))
        first = cs[0]
        vec = V[idxs].mean(axis=0)
        norm = np.linalg.norm(vec)
        outlets = sorted({(c["chain"][0].get("name") if c["chain"] else None) or "?" for c in cs})
        origins = group_origins([{"claim_id": c["id"], "article_id": c["article_id"], "outlet": c["chain"][0].get("name"),
                                  "origin": c["origin"] or {"key": "?", "name": "?"}, "provenance": c["provenance"],
                                  "copied_from": c["copied_from"]} for c in cs])
        out.append({"id": "g" + first["id"][1:], "story_id": story_id, "claims": cs, "text": rep["text"],
                    "article_ids": sorted({c["article_id"] for c in cs}), "outlets": outlets, "origins": origins,
                    "modality": first["modality"], "polarity": first["eff_polarity"],
                    "vec": vec / norm if norm else vec, "contradicts": []})
    return out


def _contradictions(groups: list[dict], stance=None) -> None:
    by_scope: dict = {}
    for g in groups:
        by_scope.setdefault(g["story_id"], []).append(g)
    for gs in by_scope.values():
        if len(gs) < 2:
            continue
        members = [(gi, c) for gi, g in enumerate(gs) for c in g["claims"] if c["vec"] is not None]
        if not members:
            continue
        M = np.stack([c["vec"] for _, c in members])
        S = M @ M.T
        timed = [k for k, (_, c) in enumerate(members) if c["times"]]
        pairs = {(int(i), int(j)) for i, j in np.argwhere(np.triu(S, 1) >= RELATED_COS)}
        pairs |= {(i, j) for x, i in enumerate(timed) for j in timed[x + 1:]}
        best_of: dict[tuple[int, int], tuple] = {}
        for i, j in pairs:
            (gi, a), (gj, b) = members[i], members[j]
            if gi == gj or a["article_id"] == b["article_id"]:
                continue
            cos = float(S[i, j])
            why, ask = contradiction(a, b, cos)
            if not (why or ask):
                continue
            key = (min(gi, gj), max(gi, gj))
            if gi > gj:
                a, b = b, a
            cur = best_of.get(key)
            if cur is None or (len(why), cos) > (len(cur[0]), cur[3]):
                best_of[key] = (why, a, b, cos)
        cands = [(i, j, *v) for (i, j), v in sorted(best_of.items())]
        stance_says = {}
        if stance is not None and cands:
            try:
                probs = stance.predict_proba([(c[3]["content"], c[4]["content"]) for c in cands])
                stance_says = {k: p for k, p in enumerate(probs)}
            except Exception:  # noqa: BLE001  (the classifier is an optional extra signal)
                stance_says = {}
        for k, (i, j, why, a, b, cos) in enumerate(cands):
            reasons = list(why)
            p = stance_says.get(k)
            if p and p.get("disagree", 0) >= STANCE_MIN_PROBA:
                reasons.append("stance")
            if not reasons:
                continue
            gs[i]["contradicts"].append({"group_id": gs[j]["id"], "reasons": reasons, "claim_id": a["id"],
                                         "other_claim_id": b["id"], "similarity": round(cos, 3)})
            gs[j]["contradicts"].append({"group_id": gs[i]["id"], "reasons": reasons, "claim_id": b["id"],
                                         "other_claim_id": a["id"], "similarity": round(cos, 3)})

"""Independent origins: collapse attribution chains and copied passages to where a claim comes from.

In: a claim's chain (outlet first) and, when its sentence lies inside a passage copied from an
earlier article, that article's claim. Out: the claim's origin — the deepest source of its chain (an
unnamed source keeps its description, what it is close to, and the channel that relayed it) — with a
provenance list (outlet → copied from → cited → origin), and, per claim group, the distinct origins:
unnamed sources of the same description / closeness count once unless different channels relayed
them, so three outlets citing one Bloomberg report of "a source close to the Kremlin" are one origin.
"""

from __future__ import annotations

import json

from ..text import normalize

dumps_ar = json.JSONEncoder(ensure_ascii=False).encode    # json.dumps(..., ensure_ascii=False), built once


def origin_of(chain: list[dict]) -> dict:
    """The deepest source of a chain, with the nearest relaying channel above it. A named person who
    speaks for the organisation just above them ("المتحدث باسم الجيش نبيل عبد الله", "مسؤول
    العلاقات الإعلامية في حزب الله محمد عفيف") is that organisation's voice: the same origin."""
    deepest = chain[-1]
    if len(chain) > 2 and deepest.get("type") == "PER" and chain[-2].get("kind") == "speaker" \
            and chain[-2].get("entity_id") and (chain[-2].get("type") == "ORG" or chain[-2].get("office")):
        o = origin_of(chain[:-1])
        o["person"] = deepest.get("name")
        return o
    via, channel = None, None
    for x in reversed(chain[1:-1]):
        if x.get("kind") == "channel":
            via, channel = x.get("name"), x
            break
    if via is None and len(chain) > 2:
        via = chain[-2].get("name")
    o = {"kind": deepest.get("kind"), "name": deepest.get("name"), "entity_id": deepest.get("entity_id"),
         "key": origin_key(deepest), "via": via}
    for k in ("name_ar", "type", "speaks_for"):
        if deepest.get(k):
            o[k] = deepest[k]
    if deepest.get("kind") == "anonymous" and channel is not None and deepest.get("head") \
            and deepest.get("relation") not in _SIDES:
        # one medium's unnamed officials / sources of one kind are one origin for that medium
        # ("مسؤول حكومي" and "مسؤول رفيع بالحكومة" of the same channel): nothing tells them apart
        o["key"] = f"a:via:{origin_key(channel)}:{normalize(deepest['head'])}"
    if deepest.get("kind") == "anonymous":
        o["description"] = deepest.get("description")
        o["close_to"] = deepest.get("close_to")
        o["close_to_name"] = deepest.get("close_to_name")
    return o


_SIDES = frozenset(("affiliated with", "loyal to", "close to"))


def origin_key(src: dict) -> str:
    """Claims with one key come from one origin. Media affiliated with / loyal to / close to X
    ("وسائل إعلام تابعة للحوثيين") voice X's side: X's key."""
    if src.get("kind") == "anonymous":
        if src.get("close_to") and src.get("channel_noun") and src.get("relation") in _SIDES:
            return "e:" + src["close_to"]
        if src.get("close_to"):
            return "a:close:" + src["close_to"]
        return "a:" + normalize(src.get("description") or src.get("name") or "")
    if src.get("voices"):             # "قناة المسيرة التابعة للحوثيين" voices the Houthis
        return "e:" + src["voices"]
    if src.get("speaks_for_id"):      # "ديوان نتنياهو" speaks for Netanyahu
        return "e:" + src["speaks_for_id"]
    if src.get("speaks_for"):
        return "n:" + normalize(src["speaks_for"])
    if src.get("entity_id"):
        return "e:" + src["entity_id"]
    if src.get("local_key"):          # an unknown outlet: an origin of its own, never merged with others
        return "o:" + src["local_key"]
    return ("o:" if src.get("kind") == "outlet" else "n:") + normalize(src.get("name_ar") or src.get("name") or "")


def display_name(o: dict) -> str:
    if o.get("kind") == "anonymous" and o.get("via"):
        return f"{o['name']} (via {o['via']})"
    return o.get("name") or "?"


def copy_source(tables, article_id: int, start: int, end: int, passages=None) -> tuple[int, int, int] | None:
    """(source article, start, end) of the copied passage that covers most of [start, end), if any.
    ``passages``: the article's copied passages when already read (:meth:`passages_by_article`)."""
    best = None
    found = tables.copy_passages(article_id, start, end) if passages is None else \
        [p for p in passages if p["start"] < end and p["end"] > start]
    for p in found:
        overlap = min(end, p["end"]) - max(start, p["start"])
        if overlap >= 0.6 * (end - start) and (best is None or overlap > best[0]):
            shift = p["source_start"] - p["start"]
            best = (overlap, p["source_article_id"], max(p["source_start"], start + shift), min(p["source_end"], end + shift))
    return best[1:] if best else None


def resolve_origins(store, article_ids: list[int] | None = None) -> dict[str, int]:
    """Set the origin, provenance and copied_from of the claims of ``article_ids`` (all processed
    articles when None), following copied passages to earlier articles, whose stored origins are reused.
    Returns {claim id: article id} of the claims whose origin, provenance or copied_from changed."""
    tables = store.claim_tables
    ids = article_ids if article_ids is not None else tables.processed_articles()
    if not ids:
        return {}
    todo = set(ids)
    rows = tables.origin_rows(sorted(todo | tables.copy_sources(ids)))
    by_article: dict[int, list] = {}
    for r in rows:
        by_article.setdefault(r["article_id"], []).append(r)
    memo: dict[str, tuple[dict, list[str], str | None]] = {}
    passages = tables.passages_by_article(by_article)
    normalized: dict[str, str] = {}
    own_origin = _chain_origins()

    def normal(c) -> str:       # a claim text normalised once, however many duplicates look it up
        v = normalized.get(c["id"])
        if v is None:
            v = normalized[c["id"]] = normalize(c["text"])
        return v

    def resolve(r, depth=0):
        if r["id"] in memo:
            return memo[r["id"]]
        if r["article_id"] not in todo and r["origin"]:
            memo[r["id"]] = (json.loads(r["origin"]), json.loads(r["provenance"] or "[]"), None)
            return memo[r["id"]]
        own, prov = own_origin(r["chain"])
        result = (own, prov, None)
        if depth < 8:
            src = copy_source(tables, r["article_id"], r["start"], r["end"], passages.get(r["article_id"], ()))
            best = None
            if src is not None:
                sa, ss, se = src
                cand = [c for c in by_article.get(sa, []) if c["start"] < se and c["end"] > ss]
                if cand:
                    best = max(cand, key=lambda c: min(se, c["end"]) - max(ss, c["start"]))
            elif r["duplicate_of"] is not None:
                key = normalize(r["text"])
                best = next((c for c in by_article.get(r["duplicate_of"], []) if normal(c) == key), None)
            if best is not None and best["id"] != r["id"] and _compatible(r, best):
                o2, p2, _ = resolve(best, depth + 1)
                result = (o2, [prov[0], "(copied from) " + (p2[0] or "?")] + p2[1:], best["id"])
        memo[r["id"]] = result
        return result

    updates, changed = [], {}
    dumped: dict[int, tuple[str, str]] = {}     # by id of a result kept in memo: claims share results
    for r in rows:
        if r["article_id"] in todo:
            res = resolve(r)
            if id(res) not in dumped:
                dumped[id(res)] = (dumps_ar(res[0]), dumps_ar(res[1]))
            new = (*dumped[id(res)], res[2])
            if new != (r["origin"], r["provenance"], r["copied_from"]):
                updates.append((*new, r["id"]))
                changed[r["id"]] = r["article_id"]
    tables.save_origins(updates)
    return changed


def _chain_origins():
    """chain JSON -> (:func:`origin_of` the chain, the names along it), each distinct chain read once
    (the values are shared between claims and only read)."""
    seen: dict[str, tuple[dict, list]] = {}

    def get(text: str) -> tuple[dict, list]:
        v = seen.get(text)
        if v is None:
            chain = json.loads(text)
            v = seen[text] = (origin_of(chain), [x.get("name") for x in chain])
        return v
    return get


def _compatible(a, b) -> bool:
    """A copied sentence keeps the earlier article's origin only if it still says the same thing."""
    na, nb = set(json.loads(a["numbers"])), set(json.loads(b["numbers"]))
    pa = a["polarity"] * (-1 if a["modality"] == "denied" else 1)
    pb = b["polarity"] * (-1 if b["modality"] == "denied" else 1)
    return pa == pb and (na == nb or not (na and nb))


def group_origins(members: list[dict]) -> list[dict]:
    """Distinct origins of a group's claims. ``members``: dicts with claim_id, article_id, outlet, origin, provenance."""
    if len(members) == 1:       # most groups: one claim, one origin (what the loop below gives it)
        m = members[0]
        o = m["origin"]
        key = o["key"]
        via = (o.get("via") or None) if key.startswith("a:") else o.get("via")
        kind = o.get("kind")
        name = f"{o['name']} (via {via})" if kind == "anonymous" and via else (o.get("name") or "?")
        return [{"name": name, "name_ar": o.get("name_ar"), "key": key, "kind": kind, "via": via,
                 "entity_id": o.get("entity_id"), "close_to": o.get("close_to"), "description": o.get("description"),
                 "claims": [{"claim_id": m["claim_id"], "article_id": m["article_id"], "outlet": m["outlet"],
                             "provenance": m["provenance"], "copied_from": m.get("copied_from")}]}]
    buckets: dict[str, list[dict]] = {}
    for m in members:
        buckets.setdefault(m["origin"]["key"], []).append(m)
    if len(buckets) > 1:        # one bucket has nothing to merge with
        _merge_offices(buckets)
    out = []
    for key, ms in buckets.items():
        if key.startswith("a:"):
            # one unnamed source per relaying channel; unrelayed mentions join the (single) relayed one
            vias = sorted({m["origin"].get("via") for m in ms if m["origin"].get("via")})
            parts = {v: [m for m in ms if m["origin"].get("via") == v] for v in vias} if len(vias) > 1 else {vias[0] if vias else None: ms}
            if len(vias) > 1:
                rest = [m for m in ms if not m["origin"].get("via")]
                parts[vias[0]] = parts[vias[0]] + rest
        else:
            parts = {None: ms}
        for via, pm in parts.items():
            o = dict(pm[0]["origin"])
            if via:
                o["via"] = via
            elif key.startswith("a:"):
                o["via"] = next((m["origin"].get("via") for m in pm if m["origin"].get("via")), None)
            out.append({"name": display_name(o), "name_ar": o.get("name_ar"), "key": key, "kind": o.get("kind"),
                        "via": o.get("via"), "entity_id": o.get("entity_id"), "close_to": o.get("close_to"),
                        "description": o.get("description"),
                        "claims": [{"claim_id": m["claim_id"], "article_id": m["article_id"], "outlet": m["outlet"],
                                    "provenance": m["provenance"], "copied_from": m.get("copied_from")} for m in pm]})
    out.sort(key=lambda o: (-len(o["claims"]), o["name"]))
    return out


def _side(o: dict) -> str | None:
    """The person an origin speaks for, by family name: an office or aide named as one person
    ("ديوان نتنياهو" -> نتنياهو) or a person (بنيامين نتنياهو -> نتنياهو)."""
    if o.get("speaks_for"):
        return normalize(o["speaks_for"]).split()[-1]
    if o.get("type") == "PER" and o.get("name_ar"):
        words = normalize(o["name_ar"]).split()
        return words[-1] if words else None
    return None


def _merge_offices(buckets: dict[str, list[dict]]) -> None:
    """An office, bureau or aide of a person (ديوان نتنياهو، مكتب نتنياهو) is not an origin
    independent of that person: its bucket joins the person's (or the other office's) bucket. So does
    a person named by the family name alone (غيبريسوس) when one person of the group has that family
    name in full (تيدروس أدهانوم غيبريسوس); two full names sharing a family name stay two people."""
    sides: dict[str, list[str]] = {}
    for key, ms in buckets.items():
        side = _side(ms[0]["origin"])
        if side:
            sides.setdefault(side, []).append(key)
    for keys in sides.values():
        offices = [k for k in keys if buckets[k][0]["origin"].get("speaks_for")]
        lone = [k for k in keys if k not in offices and len(normalize(buckets[k][0]["origin"].get("name_ar") or "").split()) == 1]
        full = [k for k in keys if k not in offices and k not in lone]
        if len(keys) < 2 or not (offices or (lone and len(full) <= 1)):
            continue
        target = (full or lone or keys)[0]          # a person named in full, else by family name, before an office
        for k in keys:
            if k != target:
                buckets[target] += buckets.pop(k)

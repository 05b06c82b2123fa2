"""Reading the claims stage's outputs from the store (never recomputing them).

In: a :class:`~marsad.store.Store`. Out: plain dicts — :func:`claims` in the ``marsad/1`` export
shape (``id``, ``story_id``, ``text``, ``group_id``, ``article_id``, ``attribution`` (source names,
outermost first, canonical English where known), ``origin``, ``independent_origins`` (of the whole
group), ``contradicts`` (group ids), plus ``modality``, ``polarity``, ``outlet``, ``provenance``,
``start``/``end``, ``entities``, ``numbers``), :func:`claim_groups` for the report (text, outlets,
independent origins with provenance, contradictions with the sentences on both sides) and
:func:`article_signals`.
"""

from __future__ import annotations

import json
import re


_LATIN = re.compile(r"[A-Za-z]")
_QUOTES = ' «»“”"\''



def source_label(x: dict) -> str:
    """A source as the export names it: canonical English where known, with the Arabic name the article
    wrote in parentheses ("Israel Defense Forces (الجيش الإسرائيلي)"); unnamed sources as described."""
    name = x.get("name") or "?"
    ar = x.get("as_written") or x.get("name_ar")
    if ar and _LATIN.search(name) and not _LATIN.search(ar) and x.get("kind") != "anonymous" and ar not in name:
        return f"{name} ({ar.strip(_QUOTES)})"
    return name


def source_label_ar(x: dict) -> str:
    """A source as an Arabic page names it: the Arabic name (as written for unnamed sources)."""
    if x.get("kind") == "anonymous":
        return x.get("description") or x.get("name_ar") or x.get("name") or "?"
    return (x.get("name_ar") or x.get("as_written") or x.get("name") or "?").strip(_QUOTES)


REASONS_AR = {"denial": "نفي", "polarity": "إثبات مقابل نفي", "numbers": "أرقام مختلفة للعدد نفسه",
              "times": "توقيت مختلف للحدث نفسه", "opposed": "روايتان متعارضتان", "stance": "موقف متعارض",
              "places": "أماكن مختلفة"}
MODALITY_AR = {"asserted": "مؤكَّد من المنفذ", "reported": "منقول", "confirmed": "مؤكَّد من المصدر", "denied": "منفيّ",
               "expected": "متوقَّع"}


def chain_ar(chain: list[dict], copied_from: str | None = None) -> str:
    """A claim's chain in Arabic, outlet first: "الجزيرة ← رويترز ← مصدر مقرب من الكرملين"."""
    line = " ← ".join(source_label_ar(x) for x in chain)
    return line + (f" (منقول من الادعاء {copied_from})" if copied_from else "")


def _origin_ar(row) -> str | None:
    if row is None or not row["origin"]:
        return None
    chain = json.loads(row["chain"])
    o = json.loads(row["origin"])
    src = next((x for x in reversed(chain) if x.get("name") == o.get("name")), chain[-1] if chain else None)
    return source_label_ar(src) if src else o.get("name")


def _groups(tables) -> dict[str, dict]:
    return {r["id"]: r for r in tables.groups()}


def claims(store, story_id: int | None = None) -> list[dict]:
    tables = store.claim_tables
    groups = _groups(tables)
    out = []
    for r in tables.claims_with_story(story_id):
        chain = json.loads(r["chain"])
        origin = json.loads(r["origin"]) if r["origin"] else None
        g = groups.get(r["group_id"])
        origin_name = None
        if origin:
            origin_name = origin["name"] + (f" (via {origin['via']})" if origin.get("kind") == "anonymous" and origin.get("via") else "")
        out.append({
            "id": r["id"], "story_id": r["story_id"], "text": r["text"], "group_id": r["group_id"],
            "article_id": r["article_id"], "attribution": [source_label(x) for x in chain],
            "attribution_ar": [source_label_ar(x) for x in chain],
            "origin": origin_name, "origin_key": origin.get("key") if origin else None,
            "independent_origins": g["n_origins"] if g else 1,
            "contradicts": sorted({c["group_id"] for c in json.loads(g["contradicts"])}) if g else [],
            "modality": r["modality"], "polarity": r["polarity"],
            "outlet": chain[0].get("name") if chain else None,
            "provenance": json.loads(r["provenance"]) if r["provenance"] else [x.get("name") for x in chain],
            "copied_from": r["copied_from"],
            "start": r["start"], "end": r["end"], "content": r["content"],
            "entities": json.loads(r["entities"]), "numbers": json.loads(r["numbers"]),
            "attribution_chain": chain,
        })
    return out


def claim_groups(store, story_id: int | None = None, min_articles: int = 1,
                 story_ids: set | None = None, or_contradicted: bool = False) -> list[dict]:
    """Claim groups (of one story, of the stories ``story_ids``, or all) reported by ``min_articles`` or
    more (or, with ``or_contradicted``, contradicting another group), most widely reported first, with
    origins and contradictions. Only those groups are read, with the claims they and their
    contradictions name."""
    tables = store.claim_tables
    rows = tables.groups(story_ids) if story_ids is not None else tables.groups()
    story_of = tables.article_stories() if story_id is not None else {}
    rows = [g for g in rows if (g["n_articles"] >= min_articles or (or_contradicted and g["contradicts"] != "[]"))
            and (story_id is None or g["story_id"] == story_id
                 or any(story_of.get(a) == story_id for a in json.loads(g["article_ids"])))]
    contradicts = {g["id"]: json.loads(g["contradicts"]) for g in rows}
    named = [x for cs in contradicts.values() for c in cs for x in (c["claim_id"], c["other_claim_id"])]
    text_of = store.web.claim_texts(named)
    others = store.web.groups_by_id(c["group_id"] for cs in contradicts.values() for c in cs)
    chains = tables.claim_chains([i for g in rows for i in json.loads(g["claim_ids"])] + named)
    out = [_group_record(g, contradicts[g["id"]], chains, text_of, others) for g in rows]
    out.sort(key=lambda g: (-g["n_articles"], -len(g["contradicts"]), g["id"]))
    return out


def _group_record(g, contradicts: list[dict], chains: dict, text_of: dict, others: dict) -> dict:
    claim_ids = json.loads(g["claim_ids"])
    contra = []
    for c in contradicts:
        other = others.get(c["group_id"])
        contra.append({"group_id": c["group_id"], "reasons": c["reasons"], "confidence": c.get("confidence"),
                       "reasons_ar": [REASONS_AR.get(r, r) for r in c["reasons"]],
                       "origin_ar": _origin_ar(chains.get(c["claim_id"])),
                       "other_origin_ar": _origin_ar(chains.get(c["other_claim_id"])),
                       "sentence": text_of.get(c["claim_id"], ("", None))[0],
                       "article_id": text_of.get(c["claim_id"], ("", None))[1],
                       "other_sentence": text_of.get(c["other_claim_id"], ("", None))[0],
                       "other_article_id": text_of.get(c["other_claim_id"], ("", None))[1],
                       "other_text": other["text"] if other else None})
    origins = json.loads(g["origins"])
    provenance_ar = list(dict.fromkeys(chain_ar(json.loads(chains[i]["chain"]), chains[i]["copied_from"])
                                       for i in claim_ids if i in chains))
    origins_ar = list(dict.fromkeys(x for x in (_origin_ar(chains.get(m["claim_id"])) for o in origins
                                                for m in o["claims"][:1]) if x))
    return {"id": g["id"], "story_id": g["story_id"], "text": g["text"],
            "claim_ids": claim_ids, "article_ids": json.loads(g["article_ids"]),
            "outlets": json.loads(g["outlets"]), "n_outlets": g["n_outlets"], "n_articles": g["n_articles"],
            "independent_origins": g["n_origins"], "origins": origins,
            "modality": g["modality"], "polarity": g["polarity"], "contradicts": contra,
            "modality_ar": MODALITY_AR.get(g["modality"], g["modality"]), "provenance_ar": provenance_ar,
            "origins_ar": origins_ar}


def article_signals(store) -> list[dict]:
    return [dict(r) for r in store.claim_tables.signals()]

"""Score geocoding and event extraction on the project's own gold sets over news-dev.

In: ``benchmarks/gold/places_news_dev.jsonl`` and ``benchmarks/gold/events_news_dev.jsonl`` (article ids
and character offsets into ``../shared/data/news-dev/articles.jsonl`` texts, coordinates and labels
written by the marsad authors; no text is copied) and the news-dev corpus itself.
Out: printed figures —

- places: precision (a geocoded place mention is right when it lies within 25 km of the gold point, or,
  for a country / region, names the right country), recall (gold mentions found and placed right),
  and the phantom places (geocoded mentions where the gold has no place);
- events: precision (an event mention is right when its sentence holds a gold event of the same ACLED
  event type, at the right place by the same rule, on the same day), recall, and the share of
  event mentions whose actor1 is the gold actor1 (among those matched on type and place).

Each article is run through the pure per-article functions (``marsad.entities.extract_entities``,
``marsad.events.extract_event_mentions`` with the gold publication date), as the pipeline stages do.

usage: score_geo_events.py [--corpus ../shared/data/news-dev] [--details]
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections import defaultdict
from pathlib import Path

HERE = Path(__file__).resolve().parent
MAX_KM = 25.0
PLACE_TYPES = {"GPE", "LOC", "FAC"}


def _read(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def _right_place(gold: dict, lat, lon, country) -> bool:
    from marsad.entities.geocode import haversine_km
    if gold.get("lat") is None:          # a country or region: the country decides
        return gold.get("country") is None or country == gold["country"]
    return lat is not None and haversine_km(lat, lon, gold["lat"], gold["lon"]) <= MAX_KM


def _overlaps(a0: int, a1: int, b0: int, b1: int) -> bool:
    return a0 < b1 and b0 < a1


def score_places(texts: dict[str, str], gold: list[dict], details: bool) -> dict:
    from marsad.entities import extract_entities
    by_article = defaultdict(list)
    for g in gold:
        by_article[g["article_id"]].append(g)
    tp = fp = n_gold = found = 0
    problems = []
    for aid, golds in sorted(by_article.items()):
        text = texts[aid]
        mentions, entities = extract_entities(text)
        places = [g for g in golds if "lat" in g]
        golds = [g for g in golds if "start" in g]
        n_gold += len(places)
        hit = set()
        for m in mentions:
            if m.type not in PLACE_TYPES:
                continue
            e = entities.get(m.location_id or "") or entities.get(m.entity_id or "")
            if e is None or (e.lat is None and not e.country):
                continue               # not geocoded: an abstention
            over = [g for g in golds if _overlaps(m.start, m.end, g["start"], g["end"])]
            if any(g.get("skip") for g in over):
                continue
            right = [g for g in over if not g.get("not_place") and _right_place(g, e.lat, e.lon, e.country)]
            if right:
                tp += 1
                hit.update(id(g) for g in right)
            else:
                fp += 1
                problems.append(f"  wrong  {aid} {m.start}-{m.end} {text[m.start:m.end]!r} -> {e.name_en or e.name_ar} "
                                f"({e.country}, {e.lat}, {e.lon})" + (f"; gold {over[0].get('name_en')}" if over and not over[0].get('not_place') else ""))
        for g in places:
            if id(g) in hit:
                found += 1
            else:
                problems.append(f"  missed {aid} {g['start']}-{g['end']} {text[g['start']:g['end']]!r} ({g['name_en']})")
    p = tp / (tp + fp) if tp + fp else 0.0
    r = found / n_gold if n_gold else 0.0
    if details:
        print("\n".join(problems))
    return {"articles": len(by_article), "gold": n_gold, "geocoded": tp + fp, "right": tp, "precision": p, "recall": r}


def score_events(texts: dict[str, str], gold: list[dict], details: bool) -> dict:
    from marsad.entities import extract_entities
    from marsad.events import extract_event_mentions
    from marsad.events.lexicon import lexicon
    from marsad.text.sentences import split_sentences
    tax = lexicon().taxonomy
    by_article = defaultdict(list)
    for g in gold:
        by_article[g["article_id"]].append(g)
    gold = [g for g in gold if not g.get("no_events")]
    n_sys = right = typed_place = actor_ok = with_actor = 0
    matched_gold = set()
    problems = []
    for aid, golds in sorted(by_article.items()):
        text = texts[aid]
        mentions, entities = extract_entities(text)
        ems = extract_event_mentions(text, split_sentences(text), mentions, entities, golds[0]["published"])
        golds = [g for g in golds if not g.get("no_events")]
        for em in ems:
            n_sys += 1
            with_actor += bool(em.actor1)
            cands = [g for g in golds if em.sentence_start <= g["anchor_start"] < em.sentence_end]
            same = [g for g in cands if tax[g["sub_event_type"]]["event_type"] == em.event_type
                    and _right_place(g, em.lat, em.lon, em.country)]
            free = [g for g in same if id(g) not in matched_gold] or same
            ok = [g for g in free if g["date"] == em.date]
            verdict = "right"
            if same:
                typed_place += 1
                g = free[0]
                actor_ok += _same_actor(em.actor1, g["actor1"])
            if ok:
                right += 1
                matched_gold.add(id(ok[0]))
            else:
                verdict = ("date " + str(em.date) + " for " + same[0]["date"]) if same else (
                    "type/place" if cands else "no gold event")
            if details and verdict != "right":
                problems.append(f"  {verdict:<24} {aid} {em.sub_event_type} @ {em.location_name} {em.date} "
                                f"a1={em.actor1} | {text[em.sentence_start:em.sentence_end][:90]!r}")
            elif details and not _same_actor(em.actor1, (same or [{}])[0].get("actor1")):
                problems.append(f"  {'actor':<24} {aid} {em.actor1} for {(same or [{}])[0].get('actor1')} "
                                f"| {text[em.sentence_start:em.sentence_end][:90]!r}")
    if details:
        print("\n".join(problems))
    return {"articles": len(by_article), "gold": len(gold), "system": n_sys, "right": right,
            "precision": right / n_sys if n_sys else 0.0, "recall": len(matched_gold) / len(gold) if gold else 0.0,
            "actors_right": actor_ok / typed_place if typed_place else 0.0,
            "with_actor1": with_actor / n_sys if n_sys else 0.0}


def _actor_key(a: str | None) -> str:
    return re.sub(r"\s*\(\d{4}-?\d{0,4}\)", "", (a or "").lower()).strip()


def _same_actor(a: str | None, b: str | None) -> bool:
    a, b = _actor_key(a), _actor_key(b)
    return bool(a) and bool(b) and (a == b or a.startswith(b) or b.startswith(a))


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--corpus", default=str(HERE.parent.parent / "shared" / "data" / "news-dev"))
    ap.add_argument("--details", action="store_true", help="list wrong, missed and phantom places and events")
    ap.add_argument("--only", help="comma-separated article ids: score this slice of the gold sets")
    args = ap.parse_args(argv)
    texts = {r["id"]: r["text"] for r in _read(Path(args.corpus) / "articles.jsonl")}
    only = set(args.only.split(",")) if args.only else None
    pick = (lambda rows: [r for r in rows if r["article_id"] in only]) if only else (lambda rows: rows)
    places = score_places(texts, pick(_read(HERE / "gold" / "places_news_dev.jsonl")), args.details)
    print(f"places: {places['gold']} gold mentions in {places['articles']} articles; {places['geocoded']} geocoded, "
          f"precision {places['precision']:.3f}, recall {places['recall']:.3f}")
    events = score_events(texts, pick(_read(HERE / "gold" / "events_news_dev.jsonl")), args.details)
    print(f"events: {events['gold']} gold event mentions in {events['articles']} articles; {events['system']} found, "
          f"precision {events['precision']:.3f}, recall {events['recall']:.3f}, actor1 right {events['actors_right']:.3f}, "
          f"with actor1 {events['with_actor1']:.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Incremental merging (marsad.events.merge.merge_changes, which walks the event index only around the
touched places) gives exactly what re-clustering every affected segment gives (the algorithm before it,
kept here as the reference), batch after batch: the same events dropped, the same event records written
and the same mentions re-pointed, with dense and sparse dates, re-dated mentions, mentions without a date,
articles whose provenance moved and mentions left unmerged."""

from __future__ import annotations

import random
from collections import Counter

from marsad.events.merge import (EventChanges, Provenance, cluster_mentions, event_record, mention_order,
                                 merge_changes, merge_update, segments, RowIndex)


def _reference(rows, touched, moved_articles, prov, old_keys=()):
    """merge_update as it was: every mention in memory, whole affected segments clustered again."""
    size = Counter(m["event_id"] for m in rows.values() if m["event_id"] is not None)
    keys: dict[str, list[tuple]] = {}
    for i in touched:
        keys.setdefault(rows[i]["sub_event_type"], []).append(mention_order(rows[i]))
    for k in old_keys:
        keys.setdefault(k[0], []).append(k)
    by_type: dict[str, list[dict]] = {}
    for m in rows.values():
        if m["sub_event_type"] in keys:
            by_type.setdefault(m["sub_event_type"], []).append(m)
    clusters = []
    for t in sorted(by_type):
        prev = None
        for seg in segments(sorted(by_type[t], key=mention_order)):
            last = mention_order(seg[-1])
            inside = [k for k in keys[t] if (prev is None or k > prev) and k <= last]
            prev = last
            if inside:
                first = min(inside)
                clusters += cluster_mentions(seg, replay=sum(mention_order(m) < first for m in seg))
    placed = {m["id"] for c in clusters for m in c}
    redo = {m["event_id"] for c in clusters for m in c}
    redo |= {m["event_id"] for m in rows.values() if m["article_id"] in moved_articles}
    rest: dict[int, list[dict]] = {}
    for m in rows.values():
        if m["event_id"] is not None and m["event_id"] in redo and m["id"] not in placed:
            rest.setdefault(m["event_id"], []).append(m)
    clusters += [sorted(c, key=mention_order) for _, c in sorted(rest.items())]
    out = EventChanges()
    for c in clusters:
        ids = {m["event_id"] for m in c}
        if (len(ids) == 1 and None not in ids and size[next(iter(ids))] == len(c)
                and not any(m["id"] in touched or m["article_id"] in moved_articles for m in c)):
            continue
        out.drop += sorted(i for i in ids if i is not None)
        ev = event_record(c, prov)
        out.events.append(ev)
        out.members.append([m["id"] for m in c])
        out.assign += [(m["id"], ev["id"]) for m in c if m["event_id"] != ev["id"]]
    out.drop = sorted(set(out.drop))
    return out


def _canon(ch: EventChanges):
    return (ch.drop, sorted(map(repr, ch.events)), sorted(sorted(m) for m in ch.members), sorted(ch.assign))


TYPES = ["Air/drone strike", "Armed clash", "Shelling/artillery/missile attack"]


def _history(seed: int, check) -> int:
    """Batches of new mentions (some re-dated, some articles' provenance moved, some left unmerged) merged
    into an index; ``check(rows, touched, moved, prov, old_keys)`` runs on each. Returns the batches run."""
    rnd = random.Random(seed)
    days = rnd.choice([6, 20, 60, 200])            # dense to sparse
    undated = seed % 5 == 0
    odd = seed % 11 == 0                           # a date that is not YYYY-MM-DD: that type is clustered whole
    n_articles = 80
    prov = Provenance(articles={a: {"id": a, "outlet": f"o{a % 7}", "url": None, "source": f"a{a}.txt",
                                    "cited_source": None} for a in range(1, n_articles + 1)},
                      duplicate_of={a: a - 1 for a in range(2, n_articles + 1) if a % 9 == 0})
    rows: dict[int, dict] = {}

    def day():
        if undated and rnd.random() < 0.05:
            return None
        if odd and rnd.random() < 0.03:
            return "2024/1/5"
        d = rnd.randrange(days)
        return f"2024-{1 + d // 28:02d}-{1 + d % 28:02d}"

    def mention(i):
        d = day()
        return {"id": i, "article_id": rnd.randint(1, n_articles), "sentence_start": rnd.choice([0, 10]),
                "sentence_end": 20, "event_type": "Battles", "sub_event_type": rnd.choice(TYPES), "gloss": "g",
                "date": d, "time_precision": rnd.choice([1, 2, 3]) if d else None,
                "actor1": rnd.choice([None, "A", "B", "B (2019-)"]), "inter1": None,
                "actor2": rnd.choice([None, None, "C"]), "inter2": None,
                "location_id": rnd.choice(["p1", "p2", "p3", None]), "location_name": None, "lat": None, "lon": None,
                "geo_precision": rnd.choice([1, 2, 3]), "admin1": rnd.choice(["X", "Y"]),
                "country": rnd.choice(["SY", "SY", "IQ"]), "fatalities": None, "event_id": None}

    next_id, batches = 1, rnd.randint(3, 9)
    for _ in range(batches):
        old_keys, touched, before = [], set(), {}
        for m in rnd.sample(sorted(rows.values(), key=lambda m: m["id"]), min(len(rows), rnd.randint(0, 4))):
            if m["event_id"] is None:
                continue
            old_keys.append(mention_order(m))
            before[m["id"]] = m["date"]
            m["date"] = day()
            touched.add(m["id"])
        for _ in range(rnd.randint(1, 25)):
            rows[next_id] = mention(next_id)
            touched.add(next_id)
            next_id += 1
        touched |= {i for i, m in rows.items() if m["event_id"] is None}
        moved = set(rnd.sample(range(1, n_articles + 1), rnd.randint(0, 2)))
        ch = check(rows, touched, moved, prov, old_keys)
        if rnd.random() < 0.1:                    # a batch whose merge was lost: its new mentions stay unmerged
            for i, d in before.items():
                rows[i]["date"] = d
            continue
        for i, e in ch.assign:
            rows[i]["event_id"] = e
    return batches


def test_walking_around_touched_places_equals_reclustering_whole_segments():
    def check(rows, touched, moved, prov, old_keys):
        want = _reference({i: dict(m) for i, m in rows.items()}, touched, moved, prov, old_keys)
        got = merge_update({i: dict(m) for i, m in rows.items()}, touched, moved, prov, old_keys)
        assert _canon(got) == _canon(want)
        return want

    assert sum(_history(seed, check) for seed in range(300)) > 900


def test_index_is_read_only_around_the_new_mentions():
    """A new mention after a gap in a long, dense history: merging reads a few days of it, not all of it."""
    rnd = random.Random(3)
    rows, reads = {}, []
    for i in range(1, 3001):
        d = i // 10
        rows[i] = {"id": i, "article_id": i, "sentence_start": 0, "sentence_end": 5, "event_type": "Battles",
                   "sub_event_type": "Armed clash", "gloss": "g", "date": f"{2020 + d // 336}-{1 + d % 336 // 28:02d}-{1 + d % 28:02d}",
                   "time_precision": 1, "actor1": rnd.choice(["A", "B"]), "inter1": None, "actor2": None,
                   "inter2": None, "location_id": rnd.choice(["p1", "p2"]), "location_name": None, "lat": None,
                   "lon": None, "geo_precision": 1, "admin1": "X", "country": "SY", "fatalities": None, "event_id": None}
    prov = Provenance(articles={i: {"id": i, "outlet": "o", "url": None, "source": "s", "cited_source": None} for i in range(1, 3002)})
    for i, e in merge_update(rows, set(rows), set(), prov).assign:
        rows[i]["event_id"] = e

    class Counting(RowIndex):
        def between(self, t, ranges):
            out = super().between(t, ranges)
            reads.append(len(out))
            return out

        def members(self, ids):
            out = super().members(ids)
            reads.append(len(out))
            return out

    new = dict(rows[1500], id=3001, article_id=3001, event_id=None)
    ch = merge_changes(Counting(rows), {3001: new}, {}, [], set(), prov)
    whole = merge_update({**{i: dict(m) for i, m in rows.items()}, 3001: dict(new)}, {3001}, set(), prov)
    assert _canon(ch) == _canon(whole) and ch.events
    assert 0 < sum(reads) < 300          # of 3,000 (ten a day)

"""Developments and storylines hold together in time: a development sheds reports of another day, and
a lone report dated far from a storyline does not reach it through undated reports (text written here)."""

from __future__ import annotations

import json
import random
from collections import Counter

from marsad.link import stories, story_log, storylines
from marsad.link.clustering import date_outliers, day_outliers
from marsad.link.signals import day_gap
from marsad.link.storyline_groups import DevProfile, _gap_to_rest, _needed, dated_apart
from marsad.settings import SETTINGS
from marsad.store import Store

from .test_link import BANK_1, QUAKE_1, QUAKE_2, QUAKE_3, add, link_articles

# four reports of one strike (three name its day, one names none) and one of another day's strike on the same port
PORT = [
    ("غارات على ميناء الحديدة", "شنت طائرات حربية فجر الخميس غارات على ميناء الحديدة ومحطة كهرباء قريبة منه، "
     "وقالت مصادر محلية إن الغارات أوقعت قتيلين وأضرارا كبيرة في أرصفة الميناء."),
    ("قصف ميناء الحديدة", "أعلن الجيش أنه قصف يوم الخميس أهدافا في ميناء الحديدة قال إنها تستخدم لتهريب السلاح، "
     "فيما أفاد سكان بسماع انفجارات متتالية في محيط الميناء."),
    ("انفجارات في الحديدة", "هزت انفجارات عنيفة مدينة الحديدة صباح الخميس بعد غارات استهدفت الميناء وخزانات الوقود، "
     "وتصاعدت أعمدة الدخان فوق المنطقة الساحلية."),
    ("أضرار في ميناء الحديدة", "توقفت الملاحة في ميناء الحديدة بعد الغارات التي دمرت رافعتين وأرصفة للسفن، "
     "وقالت إدارة الميناء إن فرق الصيانة بدأت تقييم الأضرار."),
]
OTHER_DAY = ("غارة جديدة على الحديدة", "استهدفت غارة جوية ميناء الحديدة يوم الثلاثاء في هجوم جديد على المرافق البحرية، "
             "وقالت مصادر إن الغارة أصابت مستودعا للوقود قرب الرصيف.")


def test_day_outliers_need_a_clear_consensus():
    votes, share = SETTINGS.link.day_consensus_votes, SETTINGS.link.day_consensus_share
    assert (votes, share) == (3, 0.6)
    assert day_outliers({1: [3], 2: [3], 3: [3, 4], 4: [], 5: [1]}) == (3, [5])
    assert day_outliers({1: [3], 2: [3], 4: [], 5: [1]}) == (None, [])                 # two votes are not enough
    assert day_outliers({1: [3], 2: [3], 3: [3], 4: [1], 5: [1], 6: [1]}) == (None, [])  # a tie
    assert day_outliers({1: [3], 2: [3], 3: [3], 4: [1], 5: [2], 6: [0]}) == (None, [])  # 3 of 6 < 0.6


def _linked_port_store(tmp_path, monkeypatch, name, reports):
    monkeypatch.setattr(SETTINGS.link, "join_score", -5.0)        # every compared pair is an edge ...
    monkeypatch.setattr(SETTINGS.link, "candidate_cosine", -1.0)  # ... and every pair is compared
    store = Store(tmp_path / name)
    ids = [add(store, text, title, None, f"outlet {i}") for i, (title, text) in enumerate(reports)]
    link_articles(store)
    return store, ids


def test_a_development_sheds_a_report_naming_another_day(tmp_path, monkeypatch):
    store, ids = _linked_port_store(tmp_path, monkeypatch, "t.db", PORT + [OTHER_DAY])
    story_of = {a: store.article(a).story_id for a in ids}
    assert len({story_of[a] for a in ids[:4]}) == 1                 # the undated report stays with its day
    assert story_of[ids[4]] != story_of[ids[0]]
    splits = [e for e in story_log(store) if e["kind"] == "split" and e["level"] == "development"]
    assert splits and splits[0]["reason"]["day_conflicts"][0] == {"consensus_weekday": 3, "article_ids": [ids[4]]}


def test_without_a_consensus_day_nothing_is_shed(tmp_path, monkeypatch):
    reports = [PORT[0], PORT[1], PORT[3], OTHER_DAY]                # Thursday twice only
    store, ids = _linked_port_store(tmp_path, monkeypatch, "t.db", reports)
    assert len({store.article(a).story_id for a in ids}) == 1


def _dev(i: int, n: int, days: list[int], entities: dict | None = None, countries=frozenset()) -> DevProfile:
    row = {"id": i, "n_articles": n, "centroid": None, "topic": None, "entities": json.dumps(entities or {}),
           "days": json.dumps(days), "storyline_id": None}
    return DevProfile(row, 4, countries)


def test_developments_of_the_same_days_sharing_an_actor_need_a_lower_storyline_score():
    cfg = SETTINGS.link
    army = {"army": 3, "IL": 5}
    strike, drone = _dev(1, 6, [1000], {**army, "tehran": 4}), _dev(2, 9, [1006], {**army, "caesarea": 4})
    assert _needed(strike, drone) == cfg.storyline_near_score < cfg.storyline_score
    later = _dev(3, 9, [1000 + cfg.storyline_near_days + 1], {**army, "caesarea": 4})
    assert _needed(strike, later) == cfg.storyline_score                     # not the same days' news
    undated = _dev(4, 9, [], {**army, "caesarea": 4})
    assert _needed(strike, undated) == cfg.storyline_score
    # sharing only the country (weighted storyline_w_country = 0) is no shared actor
    a, b = _dev(5, 6, [1000], {"IL": 5, "tehran": 4}, {"IL"}), _dev(6, 6, [1002], {"IL": 5, "caesarea": 4}, {"IL"})
    assert _needed(a, b) == cfg.storyline_score
    assert _needed(_dev(7, 1, [1001], army), strike) == cfg.storyline_single  # a lone report never gets the lower bar


def test_dated_apart_finds_lone_reports_far_from_the_rest_of_their_storyline():
    gap = SETTINGS.link.storyline_gap_days
    pool = {1: _dev(1, 5, [1000, 1002]), 2: _dev(2, 1, []), 3: _dev(3, 1, [1002 + gap + 1]),
            4: _dev(4, 1, [1002 + gap]), 5: _dev(5, 3, [1200])}
    assert dated_apart([1, 2, 3], pool) == [3]
    assert dated_apart([1, 2, 4], pool) == []                          # within the gap
    assert dated_apart([2, 3], pool) == []                             # nothing dated to compare with
    assert dated_apart([1, 5], pool) == []                             # developments of several articles stay
    # two lone reports sharing a day: each has the other's day, not only its own
    pool.update({6: _dev(6, 1, [1300]), 7: _dev(7, 1, [1300, 1300])})
    assert dated_apart([1, 6, 7], pool) == []
    assert dated_apart([1, 7], pool) == [7]


def test_gap_to_the_rest_of_a_storyline_is_day_gap_to_the_other_members():
    """The nearest day another member carries, found on the sorted days of the whole storyline, is
    :func:`day_gap` with the other members' days (random storylines, repeated and shared days)."""
    rng = random.Random(3)
    for _ in range(3000):
        comp = [[rng.randint(0, 60) for _ in range(rng.randint(0, 4))] for _ in range(rng.randint(1, 6))]
        counts = Counter(d for ds in comp for d in ds)
        for k, own in enumerate(comp):
            rest = [d for j, ds in enumerate(comp) if j != k for d in ds]
            if own:
                assert _gap_to_rest(own, sorted(counts), counts) == day_gap(own, rest)


def test_a_lone_report_months_away_does_not_join_through_an_undated_one(tmp_path, monkeypatch):
    monkeypatch.setattr(SETTINGS.link, "join_score", 5.0)              # every article its own development
    monkeypatch.setattr(SETTINGS.link, "storyline_score", 0.0)         # every development pair not ruled
    monkeypatch.setattr(SETTINGS.link, "storyline_single", 0.0)        # out by dates is a storyline edge
    store = Store(tmp_path / "t.db")
    q1 = add(store, QUAKE_1, "زلزال ملاطية", "2024-03-05", "وكالة أ")
    q2 = add(store, QUAKE_2, "حصيلة زلزال ملاطية", "2024-03-06", "صحيفة ب")
    q3 = add(store, QUAKE_3, "حداد على ضحايا زلزال ملاطية", None, "قناة ج")   # undated
    far = add(store, BANK_1, "المركزي يرفع الفائدة", "2024-09-01", "وكالة د")
    link_articles(store)
    line_of = {s["id"]: s["storyline_id"] for s in stories(store)}
    line = {a: line_of[store.article(a).story_id] for a in (q1, q2, q3, far)}
    assert line[q1] == line[q2] == line[q3] and line[far] != line[q1]
    assert len(storylines(store)) == 2


def test_shedding_a_day_does_not_depend_on_order_or_runs(tmp_path, monkeypatch):
    import random

    monkeypatch.setattr(SETTINGS.link, "join_score", -5.0)
    monkeypatch.setattr(SETTINGS.link, "candidate_cosine", -1.0)
    results = []
    for seed in range(3):
        reports = PORT + [OTHER_DAY]
        random.Random(seed).shuffle(reports)
        store = Store(tmp_path / f"s{seed}.db")
        ids = [add(store, text, title, None, f"outlet {title}") for title, text in reports]
        link_articles(store, ids[:2 + seed])                     # two runs: the later ones meet stored state only
        link_articles(store, ids[2 + seed:])
        title = {a.id: a.title for a in store.articles()}
        results.append({frozenset(title[i] for i in s["article_ids"]) for s in stories(store)})
    assert results[0] == results[1] == results[2]
    assert frozenset([OTHER_DAY[0]]) in results[0] and len(results[0]) == 2


# a report of another month's strike on the same port, naming no weekday
OTHER_MONTH = ("قصف ميناء الحديدة مجددا", "استهدفت غارات جوية ميناء الحديدة ومحطة الكهرباء القريبة منه، وقالت مصادر "
               "محلية إن الغارات ألحقت أضرارا كبيرة بأرصفة الميناء وخزانات الوقود.")


def test_date_outliers_need_a_consensus_of_dated_members():
    gap = SETTINGS.link.date_gap_days
    assert date_outliers({1: [1000], 2: [1001], 3: [], 4: [1000 + gap + 60]}) == (1000, [4])
    assert date_outliers({1: [1000], 2: [], 4: [1000 + gap + 60]}) == (None, [])          # one against one
    assert date_outliers({1: [1000], 2: [1000 + gap], 4: [1000 + 2 * gap]})[1] == []       # a chain within the gap
    assert date_outliers({1: [1000], 2: [1000 + gap], 4: [1000 + 3 * gap]}) == (1000, [4])
    assert date_outliers({1: [1000, 1200], 2: [1001], 4: [1200]}) == (1000, [4])
    assert date_outliers({1: [1000], 2: [1001], 3: [1300], 4: [1301]}) == (None, [])       # two against two


def test_a_development_sheds_a_report_dated_another_month(tmp_path, monkeypatch):
    monkeypatch.setattr(SETTINGS.link, "join_score", -5.0)
    monkeypatch.setattr(SETTINGS.link, "candidate_cosine", -1.0)
    results = []
    for seed in range(2):
        reports = [(PORT[0], "2024-12-26"), (PORT[1], "2024-12-27"), (PORT[2], None), (PORT[3], None),
                   (OTHER_MONTH, "2025-05-06")]
        random.Random(seed).shuffle(reports)
        store = Store(tmp_path / f"d{seed}.db")
        ids = [add(store, text, title, published, f"outlet {title}") for (title, text), published in reports]
        link_articles(store, ids[:2 + seed])
        link_articles(store, ids[2 + seed:])
        title = {a.id: a.title for a in store.articles()}
        results.append({frozenset(title[i] for i in s["article_ids"]) for s in stories(store)})
        splits = [e for e in story_log(store) if e["kind"] == "split" and e["level"] == "development"]
        conflicts = [c for e in splits for c in e["reason"]["date_conflicts"]]
        assert conflicts and conflicts[-1]["consensus_date"] == "2024-12-26"
    assert results[0] == results[1]
    assert results[0] == {frozenset(t for t, _ in PORT), frozenset([OTHER_MONTH[0]])}

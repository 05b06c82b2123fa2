"""Events in ACLED's taxonomy: seeds end to end, and rules on sentences written here."""

from __future__ import annotations

import csv
import io
import json

import pytest

from marsad import data
from marsad.events import (ACLED_COLUMNS, event_date, events, extract_event_mentions,
                           relative_date, write_acled_csv, write_geojson)
from marsad.model import Article, Document
from marsad.runner import RunReport, run_cross_stage
from marsad.stages import EVENTS
from marsad.store import Store
from marsad.text import split_sentences


def extract_events(store) -> int:
    """The events stage through the runner (state loaded and updates saved by the store); articles read."""
    return run_cross_stage(store, EVENTS, RunReport())


# -- seeds ------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def seed_store(tmp_path_factory, seeds_dir):
    from marsad.pipeline import analyze

    s = Store(tmp_path_factory.mktemp("events") / "seeds.db")
    analyze(s, [str(seeds_dir)], workers=1)  # every stage, events included
    yield s
    s.close()


def _find(evs, sub_event_type, location_contains=None):
    return [e for e in evs if e["sub_event_type"] == sub_event_type
            and (location_contains is None or location_contains in (e["location_name"] or ""))]


def test_seed_nasib_crossing_taken_by_opposition(seed_store):
    evs = events(seed_store)
    nasib = [e for e in evs if e["event_type"] in ("Battles", "Strategic developments")
             and "territory" in e["sub_event_type"] and "Nasib" in (e["location_name"] or "")]
    assert nasib, [(e["sub_event_type"], e["location_name"]) for e in evs]
    assert {e["location_kind"] for e in nasib} == {"border_crossing"}
    e = nasib[0]
    assert e["admin1"] == "Daraa" and e["country"] == "Syria"
    assert abs(e["lat"] - 32.55) < 0.05 and abs(e["lon"] - 36.20) < 0.05
    assert e["actor1"] == "Syrian opposition forces" and e["inter1"] == 2
    assert e["location"] and e["geo_precision"] == 1
    assert "نصيب" in e["evidence"]


def test_seed_israeli_strike_on_chemical_depots(seed_store):
    strikes = _find(events(seed_store), "Air/drone strike")
    assert strikes
    e = strikes[0]
    assert e["event_type"] == "Explosions/Remote violence"
    assert e["actor1"] == "Military Forces of Israel" and e["inter1"] == 8   # outside Israel
    assert e["country"] == "Syria"
    assert "كيميائية" in e["evidence"]


def test_seed_jordan_closes_jaber_crossing(seed_store):
    closures = [e for e in _find(events(seed_store), "Other") if e["actor1"] == "Government of Jordan"]
    assert closures
    e = closures[0]
    assert e["event_type"] == "Strategic developments"
    assert "Jaber" in e["location_name"] and e["lat"] is not None
    assert "جابر" in e["evidence"]


def test_seed_iran_evacuation_merged_across_outlets(seed_store):
    evac = [e for e in _find(events(seed_store), "Other") if e["actor1"] == "Government of Iran"]
    assert len(evac) == 1
    assert len(evac[0]["article_ids"]) == 2 and evac[0]["independent_origins"] == 2


def test_seed_future_or_hypothetical_not_events(seed_store):
    evs = events(seed_store)
    # "تقترب بشكل مقلق من السيطرة على حمص" (approaching) and "ضمان عدم سقوط العاصمة دمشق" are not events
    homs = [e for e in evs if e["location_name"] == "Homs" and "تقترب" in " ".join(x["text"] for x in e["evidence_sentences"])]
    assert not homs
    assert not [e for e in evs if "Damascus" == e["location_name"] and "territory" in e["sub_event_type"]]


def test_seed_exports(seed_store):
    buf = io.StringIO()
    n = write_acled_csv(seed_store, buf)
    rows = list(csv.DictReader(io.StringIO(buf.getvalue())))
    assert n == len(rows) > 0 and list(rows[0]) == ACLED_COLUMNS
    r = next(r for r in rows if "Nasib" in r["location"])
    assert r["iso"] == "760" and r["event_id_cnty"].startswith("SYR") and r["notes"].startswith("On ")
    g = io.StringIO()
    write_geojson(seed_store, g)
    fc = json.loads(g.getvalue())
    kinds = {f["properties"]["kind"] for f in fc["features"]}
    assert fc["type"] == "FeatureCollection" and kinds == {"event", "place"}
    place = next(f for f in fc["features"] if f["properties"]["kind"] == "place")
    assert place["properties"]["mentions"] >= 1


def test_seed_incremental_rerun_is_noop(seed_store):
    before = events(seed_store)
    assert extract_events(seed_store) == 0
    assert [e["id"] for e in events(seed_store)] == [e["id"] for e in before]


# -- rules on sentences written here -------------------------------------------------------------

def _mentions(text, published="2024-12-04"):
    from marsad.entities import extract_entities

    mentions, entities = extract_entities(text)
    return extract_event_mentions(text, split_sentences(text), mentions, entities, published, article_id=1)


def test_relative_dates():
    assert relative_date("قصفت الطائرات أمس مواقع", "2024-12-04") == ("2024-12-03", 1)
    assert relative_date("جرى ذلك اليوم", "2024-12-04") == ("2024-12-04", 1)
    assert relative_date("غادرت في الأسبوع الماضي", "2024-12-04") == ("2024-11-27", 2)
    # 2024-12-04 is a Wednesday; "الاثنين" is two days before
    assert relative_date("يوم الاثنين", "2024-12-04") == ("2024-12-02", 1)
    assert relative_date("يوم الأربعاء", "2024-12-04") == ("2024-12-04", 1)
    assert relative_date("الشهر الماضي", "2024-12-04") == ("2024-11-01", 3)
    assert event_date("لا تاريخ هنا", "2024-12-04") == ("2024-12-04", 2)
    assert event_date("في 3 ديسمبر 2024 وقع", "2024-12-10") == ("2024-12-03", 1)
    assert event_date("لا تاريخ", None, "2024-12-01") == ("2024-12-01", 3)


def test_territory_air_strike_and_date_from_sentence():
    text = ("سيطرت هيئة تحرير الشام أمس على مدينة حماة بعد معارك مع قوات النظام. "
            "وشنت الطائرات الإسرائيلية غارات على مطار المزة في دمشق يوم الاثنين.")
    ems = _mentions(text)
    took = [e for e in ems if e.sub_event_type == "Non-state actor overtakes territory"]
    assert took and took[0].actor1 == "HTS: Hayat Tahrir al-Sham" and took[0].inter1 == 2
    assert took[0].admin1 == "Hama" and took[0].date == "2024-12-03" and took[0].time_precision == 1
    air = [e for e in ems if e.sub_event_type == "Air/drone strike"]
    assert air and air[0].actor1 == "Military Forces of Israel" and air[0].inter1 == 8
    assert air[0].date == "2024-12-02"


def test_surrender_makes_non_violent_transfer():
    ems = _mentions("سيطرت الفصائل المعارضة على مدينة درعا بعد انسحاب قوات النظام منها.")
    assert [e.sub_event_type for e in ems] == ["Non-violent transfer of territory"]
    assert ems[0].event_type == "Strategic developments"
    assert ems[0].actor1 == "Syrian opposition forces" and ems[0].actor2 == "Military Forces of Syria (2000-2024)"


def test_negated_future_and_expected_events_not_extracted():
    for text in ("لن تسيطر الفصائل على مدينة حمص.",
                 "من المتوقع أن تسيطر الفصائل على مدينة حمص.",
                 "نفت الفصائل السيطرة على مدينة حمص.",
                 "قد تتعرض مدينة حمص لقصف مدفعي من قوات النظام.",
                 "لم تسيطر الفصائل على مدينة حمص.",
                 "ستسيطر الفصائل على مدينة حمص."):
        assert _mentions(text) == [], text
    assert _mentions("سيطرت الفصائل على مدينة حمص.")


def test_border_closure_and_evacuation_are_strategic_other():
    ems = _mentions("أعلنت السلطات الأردنية إغلاق معبر جابر الحدودي مع سوريا.")
    assert [(e.event_type, e.sub_event_type, e.actor1) for e in ems] == [
        ("Strategic developments", "Other", "Government of Jordan")]
    assert _mentions("أغلقت البلدية المدارس في عمان.") == []   # closing schools is no border closure


def test_fatalities_stated():
    ems = _mentions("قصف مدفعي لقوات النظام على بلدة سراقب أسفر عن مقتل 5 مدنيين.")
    assert ems and ems[0].sub_event_type == "Shelling/artillery/missile attack" and ems[0].fatalities == 5


def _add_article(s: Store, name: str, text: str, outlet: str, published: str, cited_source=None) -> int:
    import hashlib

    sha = hashlib.sha256((name + text).encode()).hexdigest()
    s.add_document(Document(source=name, sha256=sha, kind="txt", content=text))
    (aid,) = s.save_articles(sha, [Article(source=name, text=text, title=text.split(".")[0], outlet=outlet,
                                           published=published, cited_source=cited_source)])
    return aid


def test_merging_reports_and_independent_origins(tmp_path):
    from marsad.entities.stage import tag_entities

    s = Store(tmp_path / "m.db")
    a = _add_article(s, "a.txt", "سيطرت هيئة تحرير الشام على مدينة حماة بعد معارك عنيفة. وقال مصدر إن المعارك استمرت.",
                     "Outlet A", "2024-12-05")
    b = _add_article(s, "b.txt", "أعلنت هيئة تحرير الشام أمس السيطرة الكاملة على مدينة حماة وسط سوريا.",
                     "Outlet B", "2024-12-06")
    c = _add_article(s, "c.txt", "قالت هيئة تحرير الشام إنها سيطرت على مدينة حماة بالكامل.",
                     "Outlet C", "2024-12-06", cited_source="Outlet B")
    d = _add_article(s, "d.txt", "سيطرت هيئة تحرير الشام على مدينة حمص بعد معارك عنيفة.", "Outlet D", "2024-12-05")
    e = _add_article(s, "e.txt", "سيطرت هيئة تحرير الشام على مدينة حماة في 20 ديسمبر 2024.", "Outlet E", "2024-12-21")
    tag_entities(s, workers=1)
    assert extract_events(s) == 5
    took = _find(events(s), "Non-state actor overtakes territory")
    hama = [x for x in took if x["admin1"] == "Hama"]
    early = [x for x in hama if x["date"] <= "2024-12-06"]
    assert len(early) == 1, hama
    assert early[0]["article_ids"] == [a, b, c]
    assert early[0]["independent_origins"] == 2          # c's text is Outlet B's ("المصدر:")
    assert sorted(early[0]["sources"]) == ["Outlet A", "Outlet B", "Outlet C"]
    assert [x["article_ids"] for x in hama if x["date"] > "2024-12-06"] == [[e]]   # two weeks later: another event
    homs = [x for x in took if x["admin1"] == "Homs"]
    assert [x["article_ids"] for x in homs] == [[d]]      # a different place is not merged
    # resumable: a new article joins the existing event
    f = _add_article(s, "f.txt", "سيطرت هيئة تحرير الشام على مدينة حماة.", "Outlet F", "2024-12-06")
    tag_entities(s, workers=1)
    assert extract_events(s) == 1
    hama = [x for x in _find(events(s), "Non-state actor overtakes territory") if x["admin1"] == "Hama" and x["date"] <= "2024-12-06"]
    assert hama[0]["id"] == early[0]["id"] and f in hama[0]["article_ids"] and hama[0]["independent_origins"] == 3
    s.close()


def test_data_files_name_sources_and_taxonomy_is_complete():
    tax = data.rows("acled_taxonomy.tsv")
    assert len(tax) == 25 and len({r["event_type"] for r in tax}) == 6
    for name in ("acled_taxonomy.tsv", "event_triggers.tsv", "actors.tsv"):
        head = data.path(name).read_text(encoding="utf-8").split("\n", 3)[:3]
        assert any("ACLED Codebook" in line for line in head) or "Source" in " ".join(head), name


def test_countryside_area_from_stored_mentions(tmp_path):
    from marsad.entities.stage import tag_entities

    s = Store(tmp_path / "r.db")
    _add_article(s, "r.txt", "شنت الطائرات الروسية غارات على بلدات في ريف إدلب الجنوبي أمس.", "Outlet R", "2024-12-05")
    tag_entities(s, workers=1)
    extract_events(s)
    (e,) = events(s)
    assert e["sub_event_type"] == "Air/drone strike" and e["actor1"] == "Military Forces of Russia"
    assert e["admin1"] == "Idlib" and e["geo_precision"] == 2 and e["location"].startswith("marsad:area:")
    assert e["date"] == "2024-12-04" and e["time_precision"] == 1
    # the store keeps the area the place mention locates, and the place's kind, and exports both
    assert [m.location_id for m in s.mentions() if m.location_id] == [e["location"]]
    assert e["location_kind"] == "area" and s.entity(e["location"]).kind == "area"
    from marsad.export import collect
    doc = collect(s)
    idlib = [m for x in doc["entities"] for m in x["mentions"] if m["location_id"]]
    assert [m["location_id"] for m in idlib] == [e["location"]] and doc["events"][0]["location_kind"] == "area"
    s.close()


# -- background, actors, places and dates (texts written for these tests) ----------------------

def test_background_sentences_are_no_new_events():
    assert not _mentions("وكانت قوات الدعم السريع قد سيطرت على مدينة ود مدني في ديسمبر 2023.", "2025-01-11")
    assert not _mentions("وفي عام 2018 سيطرت قوات النظام على مدينة درعا.", "2024-12-04")
    assert not _mentions("وسيطرت قوات الدعم السريع على مدينة ود مدني منذ أكثر من عام.", "2025-01-11")
    # the army's entry is news; the RSF's control "since more than a year" is its background
    ems = _mentions("دخل الجيش مدينة ود مدني الخاضعة لسيطرة الدعم السريع منذ أكثر من عام.", "2025-01-11")
    assert [e.sub_event_type for e in ems] == ["Government regains territory"]
    (e,) = _mentions("سيطر الجيش السوداني على مدينة ود مدني اليوم السبت.", "2025-01-11")
    assert e.date == "2025-01-11"


def test_territory_type_follows_the_actor():
    (e,) = _mentions("سيطر الجيش السوداني على مدينة ود مدني.", "2025-01-11")
    assert e.sub_event_type == "Government regains territory" and e.actor1.startswith("Military Forces of Sudan")
    (e,) = _mentions("دخلت قوات الدعم السريع مدينة الفاشر.", "2025-01-11")
    assert e.sub_event_type == "Non-state actor overtakes territory" and e.actor1 == "Rapid Support Forces"


def test_one_event_per_listed_place():
    ems = _mentions("شنت الطائرات الروسية غارات على حمص وحماة.")
    assert sorted(e.location_name[:3] for e in ems) == ["Ham", "Hom"]
    assert all(e.actor1 == "Military Forces of Russia" for e in ems)


def test_civilians_are_never_the_attacker():
    ems = _mentions("أطلقت القوات الإسرائيلية النار على مواطنين لبنانيين في بلدة حولا.", "2025-01-26")
    assert ems and all(e.actor1 == "Military Forces of Israel" for e in ems)
    assert ems[0].event_type == "Violence against civilians" and ems[0].country == "LB"


def test_event_dated_from_the_texts_own_words():
    (e,) = _mentions("قصفت الطائرات الحربية الإسرائيلية أمس مطار صنعاء الدولي.", "2024-12-27")
    assert e.date == "2024-12-26" and e.location_name == "Sanaa International Airport"


def test_residents_entering_their_villages_take_no_territory():
    assert not [e for e in _mentions("حاول الأهالي دخول بلدة حولا رغم التحذيرات.", "2025-01-26")
                if e.event_type == "Battles"]


def test_recognised_armed_groups_and_armies_are_actors():
    (e,) = _mentions("سيطرت هيئة تحرير الشام على مدينة سراقب.")
    assert e.actor1.startswith("HTS")
    ems = _mentions("قال الجيش الليبي إنه سيطر على مدينة سرت.", "2024-12-04")
    assert ems and ems[0].actor1 == "Military Forces of Libya" and ems[0].sub_event_type == "Government regains territory"


def test_a_clause_after_an_earlier_year_is_background():
    text = "ولم يعد فتح المعبر إلا في تشرين الأول 2018، بعد أن استعادت القوات الحكومية السيطرة على محافظة درعا."
    assert not _mentions(text, "2024-12-07")
    assert not _mentions("وقالت الوزارة إنه لا توجد أي خطط لإجلاء موظفي السفارة من دمشق.", "2024-12-07")


def test_generic_army_and_named_army_merge_as_one_actor():
    from marsad.events.merge import cluster_mentions
    base = {"sub_event_type": "Government regains territory", "date": "2025-01-11", "actor2": None,
            "location_id": "gn:1", "admin1": None, "country": "SD", "geo_precision": 1}
    rows = [dict(base, id=1, actor1="Military Forces of Sudan (2019-)"), dict(base, id=2, actor1="Military Forces of Sudan"),
            dict(base, id=3, actor1="Rapid Support Forces")]
    assert sorted(len(c) for c in cluster_mentions(rows)) == [1, 2]


def test_unplaced_event_takes_the_country_not_a_river_whatever_the_entity_order():
    """A strike whose sentence names no place is placed in the article's country: the country entity,
    never a country-wide river, and the same whichever order the article's entities come in (the
    events stage builds them from a set, whose order changes from one process to the next)."""
    from marsad.entities import extract_entities

    text = ("قتل 12 شخصا في غارة جوية استهدفت سوقا شعبيا يوم الاثنين. "
            "وتراجع منسوب المياه في نهر الفرات في سوريا خلال الصيف.")
    spans = split_sentences(text)
    mentions, entities = extract_entities(text)
    assert {"Q858", "marsad:euphrates"} <= set(entities)
    places = set()
    for order in (sorted(entities), sorted(entities, reverse=True)):
        ems = extract_event_mentions(text, spans, mentions, {k: entities[k] for k in order}, "2024-12-03", 1)
        strikes = [e for e in ems if e.sub_event_type == "Air/drone strike"]
        assert strikes
        places.add(strikes[0].location_id)
    assert places == {"Q858"}


# -- an undated article's events follow its story's first date across runs ---------------------------

_HAMA = ("سيطرت هيئة تحرير الشام على مدينة حماة بعد معارك عنيفة مع قوات النظام استمرت عدة أيام في محيط المدينة "
         "وأطرافها الشمالية والشرقية، وانسحبت قوات النظام نحو مدينة حمص.")


def _jsonl(path, records):
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in records) + "\n", encoding="utf-8")
    return str(path)


def _undated_event_dates(store, url):
    aid = next(a.id for a in store.articles() if a.url == url)
    return sorted({(e["date"], e["time_precision"]) for e in events(store) if e["article_ids"] == [aid]})


def test_undated_article_events_follow_their_storys_first_date_across_runs(tmp_path):
    from marsad.pipeline import analyze

    s = Store(tmp_path / "two.db")
    first = [{"url": "https://a.example/1", "outlet": "Outlet A",   # its air strike is told by no other article
              "text": _HAMA + " وشنت الطائرات الروسية غارات على مدينة إدلب."},
             {"url": "https://b.example/1", "outlet": "Outlet B", "published": "2024-12-10",
              "text": _HAMA + " وأكد ناشطون أن المدينة باتت خالية من قوات النظام."}]
    analyze(s, [_jsonl(tmp_path / "run1.jsonl", first)], workers=1)
    story = {a.url: a.story_id for a in s.articles()}
    assert story["https://a.example/1"] == story["https://b.example/1"]
    assert _undated_event_dates(s, "https://a.example/1") == [("2024-12-10", 3)]
    second = [{"url": "https://c.example/1", "outlet": "Outlet C", "published": "2024-12-07",
               "text": _HAMA + " وأفادت مصادر ميدانية بأن الاشتباكات توقفت مساء اليوم."}]
    analyze(s, [_jsonl(tmp_path / "run2.jsonl", second)], workers=1)
    assert {a.story_id for a in s.articles()} == {story["https://a.example/1"]}
    # the story now starts on 7 December: the undated article's event is dated from there, and merged as
    # a fresh run over all three articles would merge it
    assert _undated_event_dates(s, "https://a.example/1") == [("2024-12-07", 3)]
    fresh = Store(tmp_path / "one.db")
    analyze(fresh, [_jsonl(tmp_path / "all.jsonl", first + second)], workers=1)
    strip = lambda evs: sorted((e["sub_event_type"], e["date"], e["time_precision"], e["location"], e["independent_origins"],  # noqa: E731
                                len(e["article_ids"])) for e in evs)
    assert strip(events(s)) == strip(events(fresh))
    s.close(), fresh.close()


def test_incremental_merging_equals_merging_everything_at_once():
    """Mentions arriving in batches (in any date order, some re-dated later) end in the events that
    clustering all of them at once gives, with the same ids; events untouched by a batch are not rewritten."""
    import random
    from marsad.events.merge import Provenance, cluster_mentions, mention_order, merge_update

    types = ["Air/drone strike", "Armed clash", "Shelling/artillery/missile attack"]
    for seed in range(40):
        rnd = random.Random(seed)
        undated = seed % 4 == 0            # some runs hold mentions without a date (one segment per type)
        prov = Provenance(articles={a: {"id": a, "outlet": None, "url": None, "source": f"a{a}.txt", "cited_source": None}
                                    for a in range(1, 61)})
        rows: dict[int, dict] = {}
        events_of: dict[int, list[int]] = {}

        def mention(i):
            day = None if undated and rnd.random() < 0.1 else f"2024-12-{rnd.randint(1, 28):02d}"
            return {"id": i, "article_id": rnd.randint(1, 60), "sentence_start": 0, "sentence_end": 5,
                    "event_type": "Battles", "sub_event_type": rnd.choice(types), "gloss": "g", "date": day,
                    "time_precision": 1 if day else None, "actor1": rnd.choice([None, "A", "B"]), "inter1": None,
                    "actor2": rnd.choice([None, None, "C"]), "inter2": None, "location_id": rnd.choice(["p1", "p2", None]),
                    "location_name": None, "lat": None, "lon": None, "geo_precision": rnd.choice([1, 2, 3]),
                    "admin1": rnd.choice(["X", "Y"]), "country": "SY", "fatalities": None, "event_id": None}

        next_id = 1
        for _batch in range(8):
            old_keys, touched = [], set()
            for m in rnd.sample(sorted(rows.values(), key=lambda m: m["id"]), min(len(rows), rnd.randint(0, 3))):
                old_keys.append(mention_order(m))          # re-dated, as an undated article's story start moves
                m["date"] = f"2024-12-{rnd.randint(1, 28):02d}"
                touched.add(m["id"])
            for _ in range(rnd.randint(1, 12)):
                rows[next_id] = mention(next_id)
                touched.add(next_id)
                next_id += 1
            ch = merge_update(rows, touched, set(), prov, old_keys)
            for i in ch.drop:
                events_of.pop(i)
            for ev, ids in zip(ch.events, ch.members):
                assert ev["id"] == min(ids) and ev["id"] not in events_of
                events_of[ev["id"]] = sorted(ids)
            for i, e in ch.assign:            # what the store writes: only the mentions whose event changed
                rows[i]["event_id"] = e
        whole = {min(m["id"] for m in c): sorted(m["id"] for m in c)
                 for c in cluster_mentions(sorted(rows.values(), key=mention_order))}
        assert events_of == whole, seed
        assert sorted(i for ids in events_of.values() for i in ids) == sorted(rows)
        assert all(rows[i]["event_id"] == e for e, ids in events_of.items() for i in ids)
        assert merge_update(rows, set(), set(), prov).events == []
        rows[next_id] = mention(next_id) | {"date": "2025-06-01", "time_precision": 1, "location_id": "p9", "admin1": "Z",
                                            "actor1": None}   # after every other one, like none of them
        ch = merge_update(rows, {next_id}, set(), prov)
        assert ch.drop == [] and ch.members == [[next_id]]     # one new event; the others are not rewritten


def test_event_tokens_keep_display_offsets_bare_forms_and_punctuation():
    from marsad.events.extract import _tokens

    text = "قصفَ  الطيرانُ، «مدينةً» وبالقرب"
    toks = _tokens(text)
    assert [(t.key, t.bare, t.punct) for t in toks] == [
        ("قصف", "قصف", False), ("الطيران", "طيران", False), (",", ",", True), ('"', '"', True),
        ("مدينه", "مدينه", False), ('"', '"', True), ("وبالقرب", "قرب", False)]
    assert [text[t.start:t.end] for t in toks] == ["قصف", "الطيران", "،", "«", "مدينة", "»", "وبالقرب"]
    assert [t.i for t in toks] == list(range(7))

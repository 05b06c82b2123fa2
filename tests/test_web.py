"""Web app and JSON API (FastAPI TestClient): every endpoint, bad parameters, a hostile article, CSP."""

from __future__ import annotations

import html as html_lib
import json
import re
from pathlib import Path
import shutil
import time

import pytest

pytest.importorskip("fastapi")
pytest.importorskip("python_multipart")

from fastapi.testclient import TestClient  # noqa: E402

from marsad.pipeline import analyze  # noqa: E402
from marsad.store import Store  # noqa: E402
from marsad.web import create_app  # noqa: E402
from marsad.web import data as web_data  # noqa: E402

from .conftest import EXAMPLES  # noqa: E402

BODY = ("قالت مصادر محلية في مدينة إدلب إن الأسواق شهدت حركة نشطة اليوم مع تحسن الأحوال الجوية، "
        "وأضافت أن أسعار الخضار انخفضت بشكل ملحوظ مقارنة بالأسبوع الماضي في ريف حماة.")
HOSTILE_TITLE = "<script>alert(1)</script> عنوان \u202eمعكوس\u202c للخبر"
TOKEN = "s3cret-token"


@pytest.fixture(scope="module")
def db_path(tmp_path_factory):
    base = tmp_path_factory.mktemp("web")
    inputs = base / "inputs"
    shutil.copytree(EXAMPLES, inputs / "examples")
    (inputs / "hostile.txt").write_text(
        HOSTILE_TITLE + "\n" + BODY + " <img src=x onerror=alert(2)> \u2066عزل\u2069\n"
        "<a href=\"javascript:alert(3)\">اضغط</a> " + BODY + "\nنسخ الرابط\n", encoding="utf-8")
    db = base / "web.db"
    store = Store(db)
    analyze(store, [str(inputs)], workers=1)  # every stage: entities, link, claims, events
    store.close()
    return db


@pytest.fixture(scope="module")
def client(db_path):
    with TestClient(create_app(db_path, token=TOKEN)) as c:
        yield c


@pytest.fixture(scope="module")
def ids(db_path):
    s = Store(db_path)
    try:
        hostile = s.db.execute("SELECT id, story_id FROM articles WHERE title LIKE '%script%'").fetchone()
        story = s.db.execute("SELECT story_id, count(*) n FROM articles WHERE story_id IS NOT NULL "
                             "GROUP BY story_id ORDER BY n DESC LIMIT 1").fetchone()
        place = s.db.execute("SELECT e.id FROM entities e JOIN mentions m ON m.entity_id = e.id "
                             "WHERE e.lat IS NOT NULL GROUP BY e.id ORDER BY count(*) DESC LIMIT 1").fetchone()
        faraya = s.db.execute("SELECT id FROM articles WHERE text LIKE '%الفراية%' LIMIT 1").fetchone()
        outlet = s.db.execute("SELECT outlet FROM articles WHERE outlet IS NOT NULL LIMIT 1").fetchone()
        return {"hostile": hostile[0], "hostile_story": hostile[1], "story": story[0], "place": place[0],
                "faraya": faraya[0], "outlet": outlet[0]}
    finally:
        s.close()


WEB_ASSETS = (Path(__file__).resolve().parents[1] / "src/marsad/web/static/vendor/leaflet/leaflet.js").is_file()


def _inert(html: str) -> None:
    """No script but the static one, no event handlers, no javascript: URLs, no bidi controls."""
    scripts = re.findall(r"<script\b[^>]*>", html)
    assert scripts[-1] == '<script src="/static/app.js" defer>'
    assert set(scripts) <= {'<script src="/static/app.js" defer>', '<script src="/static/map.js" defer>',
                            '<script src="/static/vendor/leaflet/leaflet.js" defer>'}
    assert not re.search(r"<[^>]+\son\w+\s*=", html)
    assert not re.search(r"""(href|src|action)\s*=\s*["']?\s*javascript:""", html, re.I)
    assert not re.search("[\u202a-\u202e\u2066-\u2069]", html)


# -- pages -------------------------------------------------------------------------------------
def test_overview_page(client, ids):
    r = client.get("/")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    assert r.headers["content-security-policy"].startswith("default-src 'none'; script-src 'self'")
    assert r.headers["x-content-type-options"] == "nosniff"
    html = r.text
    assert '<html lang="ar" dir="rtl">' in html
    assert f'href="/stories/{ids["story"]}"' in html
    assert 'class="marker' in html               # places map (events map once events exist)
    assert 'class="bar' in html                  # timeline
    _inert(html)
    assert not re.search(r"<b>[12]</b> مقال", html)   # counts agree in Arabic: مقالة واحدة / مقالتان
    assert not re.search(r"<b>([3-9]|10)</b> مقالة", html)
    assert client.get("/?sort=recent").status_code == 200
    assert client.get("/?sort=bogus").status_code == 422


def test_story_page(client, ids):
    r = client.get(f"/stories/{ids['story']}")
    assert r.status_code == 200
    assert 'id="summary"' in r.text and 'id="articles"' in r.text and 'class="marker' in r.text
    assert r.text.count('href="/articles/') >= 3
    if WEB_ASSETS:
        # the Leaflet map: points as escaped JSON in a data attribute, the SVG map as the no-script fallback
        m = re.search(r"""<div class="lmap"[^>]*data-points='([^']*)'""", r.text)
        assert m and '<script src="/static/vendor/leaflet/leaflet.js" defer>' in r.text
        pts = json.loads(html_lib.unescape(m.group(1)))
        assert pts and all(isinstance(p["lat"], float) and p["href"].startswith(("/", "#")) for p in pts)
        assert "<noscript><svg" in r.text and 'data-basemap="/static/countries.geojson"' in r.text
    else:  # built without npm: the plain SVG map, and no reference to the missing Leaflet files
        assert '<svg viewBox=' in r.text and "leaflet" not in r.text
    _inert(r.text)
    assert client.get("/stories/999999").status_code == 404
    bad = client.get("/stories/abc")
    assert bad.status_code == 422 and "text/html" in bad.headers["content-type"]


def test_article_page_highlights_and_furniture(client, ids):
    r = client.get(f"/articles/{ids['faraya']}")
    assert r.status_code == 200
    assert re.search(r'<a class="m t-PER" href="/entities/[^"]+" data-entity="[^"]+">[^<]*الفراية', r.text)
    assert "<details class=\"removed\">" in r.text and "الحشو المُزال" in r.text
    assert client.get("/articles/999999").status_code == 404


def test_duplicate_links(client, db_path):
    s = Store(db_path)
    dup = s.db.execute("SELECT id, duplicate_of FROM articles WHERE duplicate_of IS NOT NULL LIMIT 1").fetchone()
    s.close()
    if dup is None:
        pytest.skip("no duplicate in the corpus")
    assert f'href="/articles/{dup[1]}"' in client.get(f"/articles/{dup[0]}").text
    assert f'href="/articles/{dup[0]}"' in client.get(f"/articles/{dup[1]}").text


def test_hostile_article_renders_inert(client, ids):
    for url in (f"/articles/{ids['hostile']}", f"/stories/{ids['hostile_story']}", "/search?q=الأسواق",
                "/", "/entities"):
        r = client.get(url)
        assert r.status_code == 200, url
        html = r.text
        assert "<script>alert" not in html and "<img src=x" not in html, url
        _inert(html)
    art = client.get(f"/articles/{ids['hostile']}").text
    assert "&lt;script&gt;alert(1)&lt;/script&gt; عنوان معكوس للخبر" in art
    # the API returns the text as stored (JSON is not HTML), bidi controls included
    j = client.get(f"/api/articles/{ids['hostile']}").json()
    for raw, shown in (("<img src=x onerror=alert(2)>", "=x onerror=alert(2)&gt;"),
                       ('<a href="javascript:alert(3)">', "&lt;a href=&#34;javascript:alert(3)&#34;&gt;")):
        assert (shown in art) == (raw in j["text"])      # tags left in the text by cleaning are shown as text
    assert "\u202e" in j["title"] and "<script>" in j["title"]


def test_entity_pages(client, ids):
    r = client.get(f"/entities/{ids['place']}")
    assert r.status_code == 200 and 'class="marker' in r.text and "كيانات تظهر معه" in r.text
    assert 'lang="en"' in r.text                  # English name beside the Arabic one
    assert client.get("/entities/no:such").status_code == 404
    assert client.get("/entities?type=PER").status_code == 200
    assert client.get("/entities?type=XYZ").status_code == 422


def test_search_page_spelling_variant(client, ids):
    r = client.get("/search", params={"q": "الفرايه"})
    assert r.status_code == 200 and f'href="/articles/{ids["faraya"]}"' in r.text and "<mark>" in r.text
    r = client.get("/search", params={"q": "الفرايه", "outlet": "no such outlet"})
    assert f'href="/articles/{ids["faraya"]}"' not in r.text
    r = client.get("/search", params={"q": "", "outlet": ids["outlet"]})
    assert r.status_code == 200 and "مقالة" in r.text
    assert client.get("/search", params={"q": "x", "since": "yesterday"}).status_code == 422
    assert client.get("/search", params={"q": "؟؟"}).status_code == 200     # no words: a message, not a crash


def test_ingest_page_and_static(client):
    r = client.get("/ingest")
    assert r.status_code == 200 and 'id="token"' in r.text and 'enctype="multipart/form-data"' in r.text
    js = client.get("/static/app.js")
    assert js.status_code == 200 and "javascript" in js.headers["content-type"]
    assert client.get("/static/style.css").status_code == 200
    if WEB_ASSETS:  # built by scripts/build_web_assets.sh from the npm registry
        world = client.get("/static/world.svg")
        assert world.status_code == 200 and world.text.startswith("<svg")
        geo = client.get("/static/countries.geojson").json()
        assert geo["type"] == "FeatureCollection" and len(geo["features"]) > 150
        assert {"Syria", "Lebanon", "Bahrain"} <= {f["properties"]["name"] for f in geo["features"]}
        for f in ("leaflet.js", "leaflet.css", "LICENSE"):
            assert client.get(f"/static/vendor/leaflet/{f}").status_code == 200
    assert "textContent" in client.get("/static/map.js").text
    assert client.get("/no/such/page").status_code == 404


# -- API ---------------------------------------------------------------------------------------
def test_api_stories(client, ids):
    r = client.get("/api/stories", params={"limit": 2})
    j = r.json()
    assert r.status_code == 200 and j["limit"] == 2 and len(j["items"]) <= 2 and j["total"] >= len(j["items"])
    s = j["items"][0]
    for key in ("id", "title", "article_ids", "start", "end", "summary", "outlets", "n_outlets"):
        assert key in s
    page2 = client.get("/api/stories", params={"limit": 1, "offset": 1}).json()["items"]
    assert not page2 or page2[0]["id"] == j["items"][1]["id"]
    one = client.get(f"/api/stories/{ids['story']}").json()
    assert one["id"] == ids["story"] and one["articles"] and "claims" in one and "events" in one
    assert client.get("/api/stories/999999").status_code == 404
    assert client.get("/api/stories/999999").json()["error"].startswith("no story")
    for bad in ({"limit": 0}, {"limit": 501}, {"limit": "ten"}, {"offset": -1}, {"sort": "x"}, {"since": "2024-02-30"}):
        r = client.get("/api/stories", params=bad)
        assert r.status_code == 422, bad
        assert r.json()["problems"][0]["parameter"] in bad


def test_api_articles(client, ids):
    j = client.get("/api/articles", params={"limit": 3}).json()
    assert j["total"] >= 15 and len(j["items"]) == 3
    a = j["items"][0]
    for key in ("id", "source", "outlet", "title", "published", "language", "text", "duplicate_of", "story_id"):
        assert key in a
    by_outlet = client.get("/api/articles", params={"outlet": ids["outlet"], "limit": 500}).json()
    assert by_outlet["items"] and all(x["outlet"] == ids["outlet"] for x in by_outlet["items"])
    by_story = client.get("/api/articles", params={"story_id": ids["story"], "limit": 500}).json()
    assert by_story["total"] >= 2 and all(x["story_id"] == ids["story"] for x in by_story["items"])
    dated = client.get("/api/articles", params={"since": "2024-12-07", "until": "2024-12-08", "limit": 500}).json()
    assert dated["items"] and all("2024-12-07" <= x["published"] <= "2024-12-08" for x in dated["items"])
    assert client.get("/api/articles", params={"since": "2025-01-01", "until": "2024-01-01"}).status_code == 400
    assert client.get("/api/articles", params={"since": "12/07/2024"}).status_code == 422
    assert client.get("/api/articles", params={"story_id": "x"}).status_code == 422
    one = client.get(f"/api/articles/{ids['faraya']}").json()
    assert one["id"] == ids["faraya"] and one["mentions"] and "copies" in one
    assert client.get("/api/articles/999999").status_code == 404
    assert client.get("/api/articles/abc").status_code == 422


def test_api_entities(client, ids):
    j = client.get("/api/entities", params={"type": "GPE", "limit": 5}).json()
    assert j["items"] and all(e["type"] == "GPE" for e in j["items"])
    e = j["items"][0]
    for key in ("id", "type", "name_ar", "name_en", "lat", "lon", "country", "mention_count"):
        assert key in e
    assert "mentions" not in e                      # compact list: mentions are on the entity's own answer
    counts = [x["mention_count"] for x in j["items"]]
    assert counts == sorted(counts, reverse=True) and counts[0] > 0
    detail = client.get(f"/api/entities/{e['id']}", params={"limit": 2}).json()
    assert detail["mentions_total"] == e["mention_count"] and len(detail["mentions"]) == min(2, e["mention_count"])
    assert {"article_id", "start", "end", "text"} <= set(detail["mentions"][0])
    page2 = client.get("/api/entities", params={"type": "GPE", "limit": 2, "offset": 2}).json()["items"]
    assert [x["id"] for x in page2] == [x["id"] for x in j["items"][2:4]]
    r = client.get("/api/entities", params={"type": "gpe"})
    assert r.status_code == 422 and "PER" in r.json()["problems"][0]["message"]
    one = client.get(f"/api/entities/{ids['place']}").json()
    assert one["id"] == ids["place"] and one["lat"] is not None and "cooccurring" in one
    assert client.get("/api/entities/nope").status_code == 404


def test_api_claims_events_search(client, ids):
    for url in ("/api/claims", "/api/claim_groups", "/api/events"):
        j = client.get(url).json()
        assert isinstance(j["items"], list) and j["total"] == len(j["items"]) or j["total"] > 50
    assert client.get("/api/events", params={"since": "nope"}).status_code == 422
    assert client.get("/api/claims", params={"limit": -1}).status_code == 422
    j = client.get("/api/search", params={"q": "الفرايه"}).json()
    assert ids["faraya"] in [x["id"] for x in j["items"]] and "[" in j["items"][0]["snippet"]
    assert client.get("/api/search").status_code == 422
    r = client.get("/api/search", params={"q": "؟!"})
    assert r.status_code == 400 and "no words" in r.json()["error"]
    assert client.get("/api/search", params={"q": "الأسد", "limit": 1000}).status_code == 422
    j = client.get("/api/search", params={"q": "الأسد", "since": "2030-01-01"}).json()
    assert j["total"] == 0
    # a name written one way finds the articles that write it the other way (examples use both)
    ja = {x["id"] for x in client.get("/api/search", params={"q": "بلومبيرج"}).json()["items"]}
    jb = {x["id"] for x in client.get("/api/search", params={"q": "بلومبيرغ"}).json()["items"]}
    assert ja == jb and len(ja) >= 3


def test_api_exports_and_openapi(client):
    r = client.get("/api/export.json")
    j = r.json()
    assert r.status_code == 200 and j["schema"] == "marsad/1"
    for key in ("articles", "stories", "entities", "claims", "copies", "events"):
        assert isinstance(j[key], list)
    assert "attachment" in r.headers["content-disposition"]
    g = client.get("/api/export.geojson")
    assert g.status_code == 200 and g.json()["type"] == "FeatureCollection" and g.json()["features"]
    csv_r = client.get("/api/export/events.csv")
    assert csv_r.status_code in (200, 404)
    if csv_r.status_code == 404:
        assert "not installed" in csv_r.json()["error"]
    spec = client.get("/openapi.json").json()
    for path in ("/api/stories", "/api/stories/{story_id}", "/api/articles", "/api/articles/{article_id}",
                 "/api/entities", "/api/entities/{entity_id}", "/api/claims", "/api/events", "/api/search",
                 "/api/export.json", "/api/ingest"):
        assert path in spec["paths"], path
    assert client.get("/api/nothing").json() == {"error": "Not Found", "status": 404}


def test_story_page_with_real_claims_and_events(client):
    groups = client.get("/api/claim_groups", params={"limit": 500}).json()["items"]
    wide = [g for g in groups if (g.get("n_outlets") or 0) > 1 and g.get("story_id") is not None]
    if not wide:
        pytest.skip("the claims stage is not installed or found no claim reported by two outlets")
    sid = wide[0]["story_id"]
    html = client.get(f"/stories/{sid}").text
    assert re.search(r"(<b>\d+</b> (وسائل|وسيلة)|<b>(وسيلة واحدة|وسيلتان)</b>)، <b>", html)
    assert 'class="provgraph"' in html
    if any(g.get("contradicts") for g in groups if g.get("story_id") == sid):
        assert 'id="contradictions"' in html and html.count('class="side"') >= 2
    _inert(html)
    evts = client.get("/api/events", params={"limit": 500}).json()["items"]
    located = [e for e in evts if e.get("lat") is not None and e.get("story_id") is not None]
    if located:
        page = client.get(f"/stories/{located[0]['story_id']}").text
        assert 'class="marker k-event"' in page and f'id="event-{located[0]["id"]}"' in page


# -- claims, events and contradictions on the story page (stage outputs stubbed) -----------------
def test_story_page_with_claims_and_events(client, ids, monkeypatch, db_path):
    s = Store(db_path)
    arts = [r[0] for r in s.db.execute("SELECT id FROM articles WHERE story_id=? ORDER BY id", (ids["story"],))]
    s.close()
    sid = ids["story"]
    claims = [
        {"id": 1, "story_id": sid, "text": "الكرملين لا يملك خطة لإنقاذ الأسد", "group_id": 10, "article_id": arts[0],
         "attribution": ["Bloomberg", "a source close to the Kremlin"], "origin": "a source close to the Kremlin",
         "independent_origins": 1, "contradicts": [11]},
        {"id": 2, "story_id": sid, "text": "لا خطة لدى موسكو لإنقاذ الأسد", "group_id": 10, "article_id": arts[1],
         "attribution": ["Bloomberg", "a source close to the Kremlin"], "origin": "a source close to the Kremlin",
         "independent_origins": 1, "contradicts": [11]},
        {"id": 3, "story_id": sid, "text": "مصدر دبلوماسي روسي ينفي التقرير <b>", "group_id": 11,
         "article_id": arts[-1], "attribution": ["Russian diplomatic source"], "origin": "Russian diplomatic source",
         "independent_origins": 1, "contradicts": [10]},
    ]
    groups = [{"id": 10, "story_id": sid, "text": "الكرملين لا يملك خطة لإنقاذ الأسد", "n_outlets": 3,
               "independent_origins": ["a source close to the Kremlin"], "contradicts": [11]},
              {"id": 11, "story_id": sid, "text": "مصدر دبلوماسي ينفي", "n_outlets": 1,
               "independent_origins": ["Russian diplomatic source"], "contradicts": [10]}]
    events = [{"id": "e1", "story_id": sid, "event_type": "Battles", "sub_event_type": "Armed clash",
               "date": "2024-12-07", "actor1": "HTS", "actor2": "Syrian Arab Army", "location": ids["place"],
               "lat": 33.51, "lon": 36.29, "geo_precision": 1, "article_ids": arts[:2],
               "evidence": "اشتباكات عنيفة", "independent_origins": 2}]
    monkeypatch.setattr(web_data, "claims", lambda store, story_id=None: [c for c in claims if story_id in (None, c["story_id"])])
    monkeypatch.setattr(web_data, "claim_groups", lambda store, story_id=None: groups)
    monkeypatch.setattr(web_data, "events", lambda store, story_id=None: events)
    with TestClient(create_app(db_path)) as fresh:      # the shared client keeps the story page it rendered
        html = fresh.get(f"/stories/{sid}").text
    assert "<b>3</b> وسائل، <b>مصدر مستقل واحد</b>" in html
    assert 'id="contradictions"' in html and html.count('class="side"') == 2
    assert "a source close to the Kremlin" in html and "&lt;b&gt;" in html
    assert 'id="event-e1"' in html and 'class="marker k-event"' in html
    _inert(html)
    over = client.get("/").text
    assert "مصدر مستقل" in over and 'class="marker k-event"' in over


def test_api_claims_paginated_from_the_store(client, db_path):
    s = Store(db_path)
    try:
        sid, n = s.db.execute("SELECT a.story_id, count(*) AS n FROM claims c JOIN articles a ON a.id = c.article_id "
                              "GROUP BY a.story_id ORDER BY n DESC LIMIT 1").fetchone()
        want = [r[0] for r in s.db.execute("SELECT c.id FROM claims c JOIN articles a ON a.id = c.article_id "
                                           "WHERE a.story_id = ? ORDER BY c.article_id, c.idx", (sid,))]
    finally:
        s.close()
    first = client.get("/api/claims", params={"story_id": sid, "limit": 2}).json()
    rest = client.get("/api/claims", params={"story_id": sid, "limit": 500, "offset": 2}).json()
    assert first["total"] == n == len(want) and len(first["items"]) == min(2, n)
    assert [c["id"] for c in first["items"] + rest["items"]] == want
    assert all(c["story_id"] == sid and c["attribution"] is not None for c in first["items"])
    group = first["items"][0]["group_id"]
    by_group = client.get("/api/claims", params={"group_id": group, "limit": 500}).json()["items"]
    assert by_group and all(c["group_id"] == group for c in by_group)
    assert client.get("/api/events", params={"since": "2100-01-01"}).json()["total"] == 0


# -- ingest (write endpoint with a token) --------------------------------------------------------
def test_ingest_requires_token_and_runs(tmp_path):
    db = tmp_path / "ingest.db"
    with TestClient(create_app(db, token=TOKEN)) as c:
        files = {"files": ("خبر.txt", ("عنوان خبر جديد عن حلب\n" + BODY + "\n").encode("utf-8"), "text/plain")}
        assert c.post("/api/ingest", files=files).status_code == 401
        assert c.post("/api/ingest", files=files, headers={"Authorization": "Bearer wrong"}).status_code == 401
        auth = {"Authorization": f"Bearer {TOKEN}"}
        assert c.post("/api/ingest", data={"urls": "ftp://x.example/a"}, headers=auth).status_code == 400
        assert c.post("/api/ingest", data={"urls": ""}, headers=auth).status_code == 400
        r = c.post("/api/ingest", files=files, headers={**auth, "Origin": "http://evil.example"})
        assert r.status_code == 403
        r = c.post("/api/ingest", files=files, headers=auth)
        assert r.status_code == 202, r.text
        job_url = r.json()["progress"]
        for _ in range(1800):
            job = c.get(job_url).json()
            if job["status"] in ("done", "error"):
                break
            time.sleep(0.1)
        assert job["status"] == "done", job
        assert job["summary"]["articles"] == 1 and "clean" in job["stages"]
        arts = c.get("/api/articles").json()
        assert arts["total"] == 1 and "حلب" in arts["items"][0]["title"]
        assert c.get("/api/ingest/nope").status_code == 404


@pytest.mark.skipif(not WEB_ASSETS, reason="Leaflet not built (scripts/build_web_assets.sh needs npm)")
def test_tile_url_setting(tmp_path, monkeypatch, db_path, ids):
    with TestClient(create_app(db_path, tile_url="https://{s}.tiles.example.org/{z}/{x}/{y}.png")) as c:
        r = c.get(f"/stories/{ids['story']}")
        assert "img-src 'self' data: https://*.tiles.example.org;" in r.headers["content-security-policy"]
        assert 'data-tiles="https://{s}.tiles.example.org/{z}/{x}/{y}.png"' in r.text
    monkeypatch.setenv("MARSAD_TILE_URL", "http://localhost:8080/{z}/{x}/{y}.png")
    with TestClient(create_app(db_path)) as c:
        assert "img-src 'self' data: http://localhost:8080;" in c.get("/").headers["content-security-policy"]
    monkeypatch.delenv("MARSAD_TILE_URL")
    with TestClient(create_app(db_path)) as c:
        r = c.get(f"/stories/{ids['story']}")
        assert "img-src 'self' data:;" in r.headers["content-security-policy"] and "data-tiles" not in r.text
    with pytest.raises(ValueError):
        create_app(db_path, tile_url="javascript:alert(1)")


def test_ingest_without_token_is_open_locally(tmp_path):
    with TestClient(create_app(tmp_path / "open.db")) as c:
        r = c.post("/api/ingest", files={"files": ("a.txt", ("عنوان\n" + BODY).encode(), "text/plain")})
        assert r.status_code == 202
        for _ in range(1800):
            if c.get(r.json()["progress"]).json()["status"] in ("done", "error"):
                break
            time.sleep(0.1)
        assert 'id="token"' not in c.get("/ingest").text


@pytest.mark.skipif(not WEB_ASSETS, reason="country outlines not built (scripts/build_web_assets.sh needs npm)")
def test_map_points_and_inline_outline():
    from marsad.web.maps import build_map, outline_paths
    m = build_map([{"lat": 34.73, "lon": 36.71, "label": "حمص\u202e<b>", "href": "javascript:alert(1)", "kind": "event"},
                   {"lat": 33.51, "lon": 36.29, "label": "دمشق", "href": "/entities/gn:170654", "weight": 3}])
    pts = m["leaflet"]["points"]
    assert [p["href"] for p in pts] == ["/entities/gn:170654", ""]      # heaviest first; no foreign links
    assert pts[1]["label"] == "حمص<b>"                                   # bidi controls dropped, escaping is the browser's
    (south, west), (north, east) = m["leaflet"]["bounds"]
    assert south < 33.51 < 34.73 < north and west < 36.29 < 36.71 < east
    paths = outline_paths(m)
    assert 3 <= len(paths) <= 40 and sum(map(len, paths)) < 20000
    nums = [float(v) for d in paths for v in re.findall(r"-?\d+(?:\.\d+)?", d)]
    assert all(round(v, 1) == v for v in nums)                           # 0.1° is enough for a small map
    assert outline_paths(build_map([])) == []


# -- hostile requests: writes checked before the body is read, ids range-checked, queries bounded ----
def _asgi(app, method: str, path: str, headers: dict, chunks: list[bytes]) -> tuple[int, int]:
    """Call the ASGI app directly; the response status and how many body chunks the app asked for."""
    import asyncio

    asked = []

    async def receive():
        asked.append(1)
        if len(asked) <= len(chunks):
            return {"type": "http.request", "body": chunks[len(asked) - 1], "more_body": len(asked) < len(chunks)}
        return {"type": "http.disconnect"}

    status = []

    async def send(message):
        if message["type"] == "http.response.start":
            status.append(message["status"])

    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": method, "scheme": "http",
             "path": path, "raw_path": path.encode(), "query_string": b"", "root_path": "",
             "headers": [(k.lower().encode(), v.encode()) for k, v in headers.items()],
             "client": ("127.0.0.1", 5000), "server": ("127.0.0.1", 8000)}
    asyncio.run(app(scope, receive, send))
    return status[0], len(asked)


def test_writes_refused_before_the_body_is_read(tmp_path, monkeypatch):
    from marsad.settings import SETTINGS

    monkeypatch.setattr(SETTINGS.web, "max_upload_mb", 1)
    app = create_app(tmp_path / "guard.db", token=TOKEN)
    form = {"content-type": "multipart/form-data; boundary=x", "host": "127.0.0.1:8000"}
    huge = {**form, "content-length": str(400 * 1024 * 1024)}
    assert _asgi(app, "POST", "/api/ingest", huge, [b"x" * 1024]) == (401, 0)            # no token: nothing read
    assert _asgi(app, "POST", "/api/ingest", {**huge, "authorization": "Bearer wrong"}, [b"x"]) == (401, 0)
    auth = {**form, "authorization": f"Bearer {TOKEN}"}
    assert _asgi(app, "POST", "/api/ingest", {**auth, "content-length": str(400 * 1024 * 1024)}, [b"x"]) == (413, 0)
    assert _asgi(app, "POST", "/api/ingest", auth, [b"x"]) == (411, 0)                    # neither length nor chunks
    chunked = {**auth, "transfer-encoding": "chunked"}
    part = b'--x\r\nContent-Disposition: form-data; name="files"; filename="a.txt"\r\nContent-Type: text/plain\r\n\r\n'
    status, asked = _asgi(app, "POST", "/api/ingest", chunked, [part] + [b"a" * (512 * 1024)] * 8)
    assert status == 413 and asked <= 4                                                  # cut off once over 1 MB
    with TestClient(app) as c:
        r = c.post("/api/ingest", files={"files": ("a.txt", b"x", "text/plain")})
        assert r.status_code == 401 and r.headers["www-authenticate"] == "Bearer"
        assert "frame-ancestors 'none'" in r.headers["content-security-policy"]


HUGE = str(2 ** 64)


@pytest.mark.parametrize("url", [
    f"/stories/{HUGE}", f"/articles/{HUGE}", f"/api/stories/{HUGE}", f"/api/articles/{HUGE}",
    f"/api/articles?story_id={HUGE}", f"/api/claims?story_id={HUGE}", f"/api/claim_groups?story_id={HUGE}",
    f"/api/events?story_id={HUGE}", f"/api/search?q=حلب&story_id={HUGE}", f"/api/stories?offset={HUGE}",
    f"/api/entities?offset={HUGE}", f"/search?q=حلب&story={HUGE}", f"/entities?page={HUGE}", "/stories/-1",
    f"/search?q=حلب&page={HUGE}"])
def test_huge_numbers_are_refused_not_crashes(client, url):
    r = client.get(url)
    assert r.status_code == 422, (url, r.status_code)


@pytest.mark.parametrize("url", [f"/stories/{2 ** 63 - 1}", f"/api/articles/{2 ** 63 - 1}",
                                 f"/api/claims?story_id={2 ** 63 - 1}", f"/api/articles?offset={2 ** 63 - 1}"])
def test_largest_ids_are_answered(client, url):
    assert client.get(url).status_code in (200, 404)


def test_search_queries_are_bounded(client, db_path):
    from marsad.errors import MarsadError
    from marsad.settings import SETTINGS

    many = " ".join(["حلب"] * (SETTINGS.web.search_max_words + 1))
    r = client.get("/api/search", params={"q": many})
    assert r.status_code == 400 and "too long" in r.json()["error"]
    assert client.get("/api/search", params={"q": "ح" * (SETTINGS.web.search_max_chars + 1)}).status_code == 422
    page = client.get("/search", params={"q": many})
    assert page.status_code == 200 and "too long" in page.text
    s = Store(db_path)
    try:
        with pytest.raises(MarsadError, match="too long"):
            s.search(" ".join(["كلمة"] * 10_000))                  # `marsad search` shares the limit
        assert s.search("حلب")                                      # a normal query still answers
    finally:
        s.close()


def test_search_pages_and_filters_in_sql(client, ids):
    j = client.get("/api/search", params={"q": "الأسد", "limit": 2}).json()
    if j["total"] < 3:
        pytest.skip("the example corpus has fewer than three matches")
    nxt = client.get("/api/search", params={"q": "الأسد", "limit": 2, "offset": 2}).json()
    assert nxt["total"] == j["total"] and not {x["id"] for x in j["items"]} & {x["id"] for x in nxt["items"]}
    outlet = j["items"][0]["outlet"]
    only = client.get("/api/search", params={"q": "الأسد", "outlet": outlet, "limit": 200}).json()
    assert only["items"] and all(x["outlet"] == outlet for x in only["items"])


def test_summary_tables_follow_writes(tmp_path):
    """The trigger-kept counts equal a fresh count after articles and mentions are added and removed."""
    from marsad.model import Entity, Mention

    db = tmp_path / "stats.db"
    store = Store(db)
    try:
        analyze(store, [str(EXAMPLES)], workers=1, stages=False)
        web = store.web
        want = dict(store.db.execute("SELECT outlet, count(*) FROM articles WHERE outlet IS NOT NULL GROUP BY outlet"))
        assert dict(web.outlet_counts()) == want
        aid = store.db.execute("SELECT id FROM articles ORDER BY id LIMIT 1").fetchone()[0]
        ent = Entity(id="test:1", type="GPE", name_ar="مدينة الاختبار", name_en=None, aliases=[])
        store.save_mentions(aid, [Mention(article_id=aid, start=0, end=3, text="مدي", type="GPE", entity_id="test:1")], [ent])
        total, rows = web.entities_page("GPE", limit=500)
        counts = {r["id"]: r["n"] for r in rows}
        fresh = dict(store.db.execute("SELECT entity_id, count(*) FROM mentions WHERE entity_id IS NOT NULL "
                                      "GROUP BY entity_id"))
        assert counts["test:1"] == 1 and len(counts) > 1 and all(counts[k] == fresh.get(k, 0) for k in counts)
        store.save_mentions(aid, [], [])
        assert {r["id"]: r["n"] for r in web.entities_page("GPE", limit=500)[1]}["test:1"] == 0
        day = store.db.execute("SELECT substr(published, 1, 10) FROM articles WHERE published IS NOT NULL").fetchone()
        if day:
            n = store.db.execute("SELECT count(*) FROM articles WHERE substr(published, 1, 10) = ?", day).fetchone()[0]
            assert dict(web.day_counts())[day[0]] == n
    finally:
        store.close()


def test_date_filters_treat_undated_articles_alike(tmp_path):
    """Listing and search keep the same articles under since / until: the whole last day (a time of day
    included), never an article without a date."""
    import hashlib

    from marsad.model import Article, Document

    store = Store(tmp_path / "dates.db")
    try:
        for i, published in enumerate(["2024-05-01T10:30:00", "2024-05-03", None]):
            text = f"خبر رقم {i} عن موسم قطاف الزيتون في ريف حمص هذا الأسبوع وأسعار الزيت."
            sha = hashlib.sha256(text.encode()).hexdigest()
            store.add_document(Document(source=f"test://{i}", sha256=sha, kind="txt", content=text))
            store.save_articles(sha, [Article(source=f"test://{i}", text=text, title=f"الزيتون {i}", published=published)])
        fts, _ = store.search_terms("الزيتون")
        web = store.web

        def both(**kw):
            listed = {r["published"] for r in web.articles_page(limit=50, **kw)[1]}
            found = {r["published"] for r in web.search_page(fts, **kw)[1]}
            assert listed == found, kw
            return listed
        assert len(web.search_page(fts)[1]) == 3
        assert both(until="2024-05-01") == {"2024-05-01T10:30:00"}
        assert both(since="2024-05-02") == {"2024-05-03"}
        assert both(since="2024-05-01", until="2024-05-03") == {"2024-05-01T10:30:00", "2024-05-03"}
        assert both(until="2024-04-30") == set()
    finally:
        store.close()


def test_article_page_shows_the_widest_copy_links_and_counts_the_rest(tmp_path, monkeypatch):
    """An article copied by many others lists the widest links only (each way) and says how many more."""
    import hashlib

    from marsad.model import Article, Document
    from marsad.settings import SETTINGS

    store = Store(tmp_path / "copies.db")
    try:
        ids = []
        for i in range(6):
            text = f"نص الخبر رقم {i} عن اجتماع مجلس المحافظة في حمص لبحث ملف المياه والكهرباء."
            sha = hashlib.sha256(text.encode()).hexdigest()
            store.add_document(Document(source=f"test://{i}", sha256=sha, kind="txt", content=text))
            ids += store.save_articles(sha, [Article(source=f"test://{i}", text=text, title=f"خبر {i}")])
        source, copiers = ids[0], ids[1:]
        with store.db:
            for k, a in enumerate(copiers):
                store.db.execute("INSERT INTO copies VALUES (?, ?, 0.5, ?)", (a, source, 0.1 * (k + 1)))
                store.db.execute("INSERT INTO copy_passages VALUES (?, ?, 0, 10, 0, 10, 1.0)", (a, source))
        total, rows, passages = store.web.copy_links(source, 2)
        assert total == 5 and [r["article_id"] for r in rows] == [copiers[-1], copiers[-2]]
        assert sorted(p["article_id"] for p in passages) == sorted([copiers[-1], copiers[-2]])
        assert store.web.copy_links(copiers[0], 2)[0] == 1
    finally:
        store.close()
    monkeypatch.setattr(SETTINGS.web, "copies_shown", 2)
    with TestClient(create_app(tmp_path / "copies.db")) as c:
        page = c.get(f"/articles/{source}").text
        assert page.count("نقلت عنها") == 2 and "و3 روابط نقل أخرى" in page
        rec = c.get(f"/api/articles/{source}").json()
        assert rec["copies_total"] == 5 and len(rec["copies"]) == 2 and all(len(x["passages"]) == 1 for x in rec["copies"])


def test_search_snippet_finds_a_match_early_or_late():
    filler = "وقالت المصادر إن الاجتماع تناول ملفات عدة من دون تفاصيل إضافية. " * 40
    early = "أعلنت الحكومة السورية خطة جديدة. " + filler
    late = filler + "وفي الختام أعلنت الحكومةُ خطة للكهرباء."
    for text in (early, late):
        snip = web_data.snippet(text, ["حكومه"], 800)
        assert re.search(r"\[حكومة\u064f?\]", snip), snip
    assert web_data.snippet(filler, ["حكومه"], 800) == filler[:140].replace("\n", " ")


def test_actor_and_event_names_in_arabic():
    """ACLED's English vocabulary is shown in Arabic: named actors, patterns with a country (CLDR's
    Arabic name), entities by their Arabic name, else the interaction code; no Latin letter left."""
    ar = web_data.actor_ar
    assert ar("Military Forces of Israel") == "القوات العسكرية (إسرائيل)"
    assert ar("Civilians (Syria)", 7) == "مدنيون (سوريا)"
    assert ar("Government of Syria (2000-2024)") == "حكومة سوريا (2000-2024)"
    assert ar("Military Forces of the United States") == "القوات العسكرية (الولايات المتحدة)"
    assert ar("Hezbollah", 2) == "حزب الله"
    assert ar("Some Brigade", 2, {"Some Brigade": "لواء ما"}) == "لواء ما"
    assert ar("Some Brigade", 3) == "ميليشيا سياسية"
    assert ar("Military Forces of Atlantis", 1) == "قوات حكومية"
    assert ar("جيش الإسلام", 2) == "جيش الإسلام" and ar(None) is None
    for kind in ("event_type", "sub_event_type"):
        for r in web_data.marsad_data.rows("acled_taxonomy.tsv"):
            assert not re.search(r"[A-Za-z]", web_data.event_type_ar(r[kind])), r[kind]


def test_overview_and_story_events_show_no_english(client):
    """The overview's and a story's event lists name types and actors in Arabic only."""
    events = client.get("/api/events", params={"limit": 500}).json()["items"]
    assert events
    english = {x for e in events for x in (e["event_type"], e["sub_event_type"], e["actor1"], e["actor2"])
               if isinstance(x, str) and re.search(r"[A-Za-z]", x)}
    pages = [client.get("/").text] + [client.get(f"/stories/{sid}").text
                                      for sid in {e["story_id"] for e in events if e["story_id"] is not None}]
    for html in pages:
        visible = re.sub(r"<[^>]+>", " ", html)
        assert not [x for x in english if x in visible]


def test_summaries_are_refreshed_by_one_thread_at_a_time():
    """While one thread recomputes a stale summary, the others get the previous one at once."""
    import threading

    from marsad.web.app import Summaries

    memo, started, release, calls = Summaries(ttl=0), threading.Event(), threading.Event(), []
    assert memo.get(("k",), (1,), lambda: "old") == "old"

    def slow():
        calls.append(1)
        started.set()
        release.wait(10)
        return "new"
    worker = threading.Thread(target=lambda: memo.get(("k",), (2,), slow))
    worker.start()
    assert started.wait(10)
    assert memo.get(("k",), (2,), lambda: calls.append(2) or "other") == "old"
    release.set()
    worker.join(10)
    assert calls == [1] and memo.get(("k",), (2,), lambda: "again") == "new"


def test_story_page_is_rendered_again_when_the_store_changes(db_path, ids, tmp_path, monkeypatch):
    import hashlib

    from marsad.model import Article, Document
    from marsad.settings import SETTINGS

    db = tmp_path / "copy.db"
    shutil.copy(db_path, db)
    monkeypatch.setattr(SETTINGS.web, "summary_seconds", 0)
    with TestClient(create_app(db)) as c:
        url = f"/stories/{ids['story']}"
        first = c.get(url).text
        assert c.get(url).text == first
        store = Store(db)
        try:
            text = "نص خبر لاحق عن مفاوضات تبادل الأسرى في جنيف وما انتهت إليه الجولة الثالثة."
            sha = hashlib.sha256(text.encode()).hexdigest()
            store.add_document(Document(source="test://later", sha256=sha, kind="txt", content=text))
            aid = store.save_articles(sha, [Article(source="test://later", text=text, title="عنوان الخبر اللاحق")])[0]
            with store.db:
                store.db.execute("UPDATE articles SET story_id = ? WHERE id = ?", (ids["story"], aid))
        finally:
            store.close()
        assert "عنوان الخبر اللاحق" not in first and "عنوان الخبر اللاحق" in c.get(url).text


def test_copied_claims_name_no_claim_id(client):
    """A wire copy's claim says where it was copied from in words, never by an internal claim id."""
    items = client.get("/api/claims", params={"limit": 500}).json()["items"]
    copied = [c for c in items if c["copied_from"]]
    assert copied
    for c in copied:
        assert c["provenance_ar"][-1].startswith("منقول عن ")
        assert not re.search(r"\bc\d+\.\d+", " ".join(c["provenance_ar"]))


def test_storylines_api_is_paginated(client):
    full = client.get("/api/storylines", params={"limit": 500})
    total = int(full.headers["X-Total-Count"])
    assert len(full.json()) == total
    one = client.get("/api/storylines", params={"limit": 1}).json()
    assert len(one) == min(1, total) and (not one or one[0] == full.json()[0])
    assert client.get("/api/storylines", params={"offset": total}).json() == []
    assert [l["n_articles"] for l in full.json()] == sorted((l["n_articles"] for l in full.json()), reverse=True)
    assert client.get("/api/storylines", params={"limit": 0}).status_code == 422


# -- property-based: no parameter the OpenAPI spec (or a page) accepts ever gives a 500 --------------
hyp = pytest.importorskip("hypothesis")
from urllib.parse import quote  # noqa: E402

from hypothesis import HealthCheck, given, settings, strategies as st  # noqa: E402

ANY_TEXT = st.text(st.characters(blacklist_categories=("Cs",)), max_size=40)
VALUE = st.one_of(st.integers(-2 ** 70, 2 ** 70).map(str), ANY_TEXT, st.dates().map(str),
                  st.sampled_from(["", "0", "-1", "1e309", "NaN", "9" * 40, "PER", "size", "recent", "حلب"]))
PAGES = {"/": ["sort"], "/stories/{id}": [], "/articles/{id}": [], "/entities": ["type", "page"],
         "/entities/{id}": [], "/search": ["q", "outlet", "story", "since", "until", "page"]}


def _routes(client) -> dict[str, list[str]]:
    routes = dict(PAGES)
    for path, ops in client.app.openapi()["paths"].items():
        if "get" in ops and "export" not in path:
            routes[re.sub(r"\{[^}]+\}", "{id}", path)] = [p["name"] for p in ops["get"].get("parameters", [])
                                                        if p["in"] == "query"]
    return routes


@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=st.data())
def test_no_parameter_gives_a_server_error(client, data):
    routes = _routes(client)
    path = data.draw(st.sampled_from(sorted(routes)))
    url = path.replace("{id}", quote(data.draw(VALUE), safe="") or "0")
    names = routes[path]
    params = data.draw(st.dictionaries(st.sampled_from(names), VALUE, max_size=len(names))) if names else {}
    r = client.get(url, params=params)
    assert r.status_code < 500, (url, params, r.status_code, r.text[:300])


def test_web_ingest_waits_for_a_cli_writer(tmp_path):
    """An ingest job started while another run writes the store waits for it, then stores its article."""
    from marsad.pipeline import writer_lock

    db = tmp_path / "shared.db"
    Store(db).close()
    holder = Store(db)
    auth = {"Authorization": f"Bearer {TOKEN}"}
    files = {"files": ("خبر.txt", ("عنوان خبر جديد عن حمص\n" + BODY + "\n").encode("utf-8"), "text/plain")}
    with TestClient(create_app(db, token=TOKEN)) as c:
        with writer_lock(holder):                       # what a CLI `analyze` holds while it writes
            r = c.post("/api/ingest", files=files, headers=auth)
            assert r.status_code == 202, r.text
            job_url = r.json()["progress"]
            time.sleep(3)
            job = c.get(job_url).json()
            assert job["status"] in ("queued", "running") and job["stage"] in (None, "waiting"), job
            assert c.get("/api/articles").json()["total"] == 0
            assert c.post("/api/ingest", files=files, headers=auth).status_code == 409   # one job at a time
        for _ in range(1800):
            job = c.get(job_url).json()
            if job["status"] in ("done", "error"):
                break
            time.sleep(0.1)
        assert job["status"] == "done", job
        assert c.get("/api/articles").json()["total"] == 1
    holder.close()
    s = Store(db)
    try:
        assert s.db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    finally:
        s.close()


# -- URL ingest reaches public hosts only -------------------------------------------------------
@pytest.mark.parametrize("url", ["http://127.0.0.1:8000/admin", "http://localhost/", "http://[::1]/x",
                                 "http://169.254.169.254/latest/meta-data/", "http://10.0.0.5/", "http://192.168.1.1/",
                                 "http://[::ffff:127.0.0.1]/", "http://0.0.0.0/", "file:///etc/passwd", "gopher://x/"])
def test_url_ingest_refuses_private_targets(client, url):
    r = client.post("/api/ingest", data={"urls": url}, headers={"Authorization": f"Bearer {TOKEN}"})
    assert r.status_code == 400, (url, r.text)
    assert "private" in r.json()["error"] or "http(s)" in r.json()["error"]


def test_redirects_are_checked_again():
    import httpx

    from marsad.web.urls import final_url, url_problem

    public = {"news.example": ["93.184.216.34"], "cdn.example": ["2606:4700::1"], "inside.example": ["10.1.2.3"]}

    def resolve(host):
        return public[host]

    def handler(request: httpx.Request) -> httpx.Response:
        hops = {"/a": "http://cdn.example/b", "/b": "http://inside.example/secret", "/ok": "/final"}
        target = hops.get(request.url.path)
        return httpx.Response(302, headers={"location": target}) if target else httpx.Response(200, text="خبر")

    client = httpx.Client(transport=httpx.MockTransport(handler), follow_redirects=False)
    assert url_problem("http://news.example/a", resolve=resolve) is None
    assert final_url("http://news.example/ok", client=client, resolve=resolve) == "http://news.example/final"
    with pytest.raises(ValueError, match="private"):
        final_url("http://news.example/a", client=client, resolve=resolve)      # the second hop is inside
    assert final_url("http://news.example/a", allow_private=True, client=client, resolve=resolve).endswith("/secret")
    assert "does not resolve" in url_problem("http://nowhere.invalid/", resolve=lambda h: (_ for _ in ()).throw(OSError()))



WRITE_BATCHES = """
import os, sys
from pathlib import Path
from marsad.store import Store
path, stop = sys.argv[1], Path(sys.argv[2])
for i in range(5000):
    if stop.exists():
        break
    store = Store(path)
    with store.transaction() as db:
        db.executemany("INSERT INTO scratch(k, v) VALUES (?, ?)", [(i * 1000 + j, os.urandom(300).hex()) for j in range(300)])
        db.execute("DELETE FROM scratch WHERE k < ? OR id IN (SELECT id FROM scratch ORDER BY random() LIMIT 50)",
                   ((i - 4) * 1000,))
    store.close()
"""   # another process writing like an ingest: a batch per transaction, each on a connection it closes
      # (its process's last one, so closing it checkpoints when no other process holds the store)


def test_reads_stay_sound_while_another_process_writes_and_new_stores_open(tmp_path):
    """A server worker keeps reading through its connection while it opens more stores (a new thread's
    connection, the job table) and an ingest process writes: no read sees a malformed database. Opening a
    store used to read the file's header with ``open``/``close``, which dropped this process's SQLite
    locks: the writer's closing connection then checkpointed under the reader (malformed within ~1,000 reads)."""
    import sqlite3
    import subprocess
    import sys

    from marsad.errors import MarsadError

    path, stop = str(tmp_path / "busy.db"), tmp_path / "stop"
    reader = Store(path)
    reader.db.execute("CREATE TABLE scratch(id INTEGER PRIMARY KEY, k INTEGER, v TEXT)")
    reader.db.execute("CREATE INDEX scratch_k ON scratch(k)")
    writer = subprocess.Popen([sys.executable, "-c", WRITE_BATCHES, path, str(stop)])
    seen, problems, reads, deadline = set(), [], 0, time.monotonic() + 300
    try:
        while reads < 3000 and writer.poll() is None and time.monotonic() < deadline:
            try:
                n = reader.db.execute("SELECT max(k) FROM scratch").fetchone()[0] or 0
                reader.db.execute("SELECT count(*), sum(length(v)) FROM scratch").fetchone()
                reader.db.execute("SELECT v FROM scratch WHERE k > ? ORDER BY k LIMIT 50", (reads * 7,)).fetchall()
                if n and reads % 5 == 0:    # a new thread's store, the job table's
                    Store(path).close()
            except (sqlite3.DatabaseError, MarsadError) as exc:
                problems.append(str(exc))
                break
            seen.add(n)
            reads += n > 0                   # counted once the writer has started
    finally:
        stop.touch()
        writer.wait(60)
    reader.close()
    assert problems == [] and reads == 3000
    assert len(seen) > 2                     # the reader saw the writer's batches arrive
    assert Store(path).integrity_check() == "ok"


def test_snippet_found_in_display_text_matches_the_normalised_search():
    """The display-text pattern finds what normalising the whole article finds: letter variants,
    diacritics and tatweel inside a word, a run of white space between the words of a name."""
    from marsad.store.db import display_snippet

    filler = "وقالت المصادر إن الاجتماع تناول ملفات عدة. " * 12
    texts = [filler + "أعلنت الحكـــومةُ السّوريّة خطة.", "الأُمَم   المتّحدة\nتدعو. " + filler,
             filler + "قال مراسل ABC News إن إدلــب هادئة " + filler, filler, "في عام ٢٠٢٤ قالت الأمم المتحده"]
    for terms in (["حكومه", "سوريه"], ["الامم المتحده"], ["abc news"], ["ادلب"], ["2024"], ["بالحكومه"]):
        for text in texts:
            assert web_data.snippet(text, terms, 800) == display_snippet(text, terms), (terms, text[:60])
    assert "[حكـــومة]ُ" in web_data.snippet(texts[0], ["حكومه"], 800)
    assert web_data.snippet(texts[1], ["الامم المتحده"], 800).startswith("[الأُمَم المتّحدة] تدعو")
    assert "[ABC News]" in web_data.snippet(texts[2], ["abc news"], 800)


def test_kept_answers_wait_for_the_writer_to_finish(db_path, tmp_path, monkeypatch):
    """An answer is kept while the store is unchanged; while a writer holds the store's lock a change
    is shown at most ``summary_seconds`` late; once the writer is done the next answer shows it."""
    import fcntl
    import hashlib

    from marsad.model import Article, Document
    from marsad.settings import SETTINGS

    db = tmp_path / "kept.db"
    shutil.copy(db_path, db)
    monkeypatch.setattr(SETTINGS.web, "summary_seconds", 600)
    with TestClient(create_app(db)) as c:
        before = c.get("/api/articles?limit=1").json()["total"]
        with open(str(db.resolve()) + ".lock", "a+b") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)            # what a running ingest or analyze holds
            time.sleep(0.3)
            store = Store(db)
            try:
                text = "نص خبر لاحق عن مفاوضات تبادل الأسرى في جنيف وما انتهت إليه الجولة الثالثة."
                sha = hashlib.sha256(text.encode()).hexdigest()
                store.add_document(Document(source="test://kept", sha256=sha, kind="txt", content=text))
                store.save_articles(sha, [Article(source="test://kept", text=text, title="عنوان لاحق")])
            finally:
                store.close()
            assert c.get("/api/articles?limit=1").json()["total"] == before          # kept while writing
            assert c.get("/api/articles?limit=2").json()["total"] == before + 1      # a new question is answered now
            fcntl.flock(lock, fcntl.LOCK_UN)
        time.sleep(0.3)
        assert c.get("/api/articles?limit=1").json()["total"] == before + 1


def test_story_page_kept_while_an_ingest_changes_other_stories(db_path, ids, tmp_path, monkeypatch):
    """While a writer holds the store, a kept story page stays valid as long as its own story is
    unchanged (even past ``summary_seconds``), and is made again as soon as an article joins it."""
    import fcntl
    import hashlib

    from marsad.model import Article, Document
    from marsad.settings import SETTINGS

    db = tmp_path / "stories.db"
    shutil.copy(db_path, db)
    monkeypatch.setattr(SETTINGS.web, "summary_seconds", 0)
    made = []
    real_story = web_data.story
    monkeypatch.setattr(web_data, "story", lambda store, sid: made.append(sid) or real_story(store, sid))
    other = Store(db)
    other_story = other.db.execute("SELECT id FROM stories WHERE id != ? AND n_articles > 0 LIMIT 1",
                                   (ids["story"],)).fetchone()[0]
    other.close()

    def add_article(story_id: int, title: str) -> None:
        store = Store(db)
        try:
            text = f"{title}: نص خبر لاحق عن مفاوضات تبادل الأسرى في جنيف وما انتهت إليه الجولة الثالثة."
            sha = hashlib.sha256(text.encode()).hexdigest()
            store.add_document(Document(source=f"test://{title}", sha256=sha, kind="txt", content=text))
            aid = store.save_articles(sha, [Article(source=f"test://{title}", text=text, title=title)])[0]
            with store.db:
                store.db.execute("UPDATE articles SET story_id = ? WHERE id = ?", (story_id, aid))
        finally:
            store.close()

    url = f"/stories/{ids['story']}"
    with TestClient(create_app(db)) as c, open(str(db.resolve()) + ".lock", "a+b") as lock:
        first = c.get(url).text
        fcntl.flock(lock, fcntl.LOCK_EX)               # an ingest runs
        time.sleep(0.3)
        add_article(other_story, "خبر قصة أخرى")
        assert c.get(url).text == first and made == [ids["story"]]        # kept: its story is unchanged
        add_article(ids["story"], "عنوان الخبر المنضم")
        assert "عنوان الخبر المنضم" in c.get(url).text and len(made) == 2
        fcntl.flock(lock, fcntl.LOCK_UN)
        time.sleep(0.3)
        add_article(other_story, "خبر آخر بعد انتهاء الكاتب")
        c.get(url)
        assert len(made) == 3                          # no writer: any change makes it again, once
        c.get(url)
        assert len(made) == 3


def test_limits_in_the_routes_are_read_from_the_settings_when_the_app_is_made(db_path, monkeypatch):
    from marsad.settings import SETTINGS

    monkeypatch.setattr(SETTINGS.web, "search_max_chars", 7)
    monkeypatch.setattr(SETTINGS.web, "search_pool", 30)
    monkeypatch.setattr(SETTINGS.web, "max_upload_mb", 3)
    app = create_app(db_path)
    spec = app.openapi()
    params = {p["name"]: p["schema"] for p in spec["paths"]["/api/search"]["get"]["parameters"]}
    assert params["q"]["maxLength"] == 7 and params["offset"]["maximum"] == 30
    assert "at most 3 MB" in spec["paths"]["/api/ingest"]["post"]["description"]
    with TestClient(app) as c:
        assert c.get("/api/search", params={"q": "ح" * 8}).status_code == 422
        assert c.get("/api/search", params={"q": "ح", "offset": 31}).status_code == 422
        assert c.get("/search", params={"q": "ح" * 8}).status_code == 422
        assert c.get("/search", params={"q": "ح" * 7}).status_code == 200


def test_each_app_keeps_its_own_state(db_path, tmp_path):
    """Two apps in one process (the routers are shared code): each answers from its own store and token."""
    with TestClient(create_app(db_path, token=TOKEN)) as guarded, TestClient(create_app(tmp_path / "empty.db")) as empty:
        assert 'id="token"' in guarded.get("/ingest").text and 'id="token"' not in empty.get("/ingest").text
        assert guarded.get("/api/stories").json()["total"] > 0 and empty.get("/api/stories").json()["total"] == 0
        assert guarded.app.state.site is not empty.app.state.site

"""The web app in headless Chromium (Debian's /usr/bin/chromium driven by Playwright).

Opens the overview, clicks into a story, checks the map markers, follows a marker, searches for a
name written with a spelling variant and finds it; saves screenshots at laptop (1280) and phone
(390) widths to /tmp/marsad-web-*.png. Skipped when Chromium or Playwright is missing.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import threading
import time
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
if not Path(CHROMIUM).exists():
    pytest.skip(f"{CHROMIUM} is not installed", allow_module_level=True)
sync_api = pytest.importorskip("playwright.sync_api")
uvicorn = pytest.importorskip("uvicorn")

from marsad.pipeline import analyze  # noqa: E402

WEB_ASSETS = (Path(__file__).resolve().parents[1] / "src/marsad/web/static/vendor/leaflet/leaflet.js").is_file()
from marsad.store import Store  # noqa: E402
from marsad.web import create_app  # noqa: E402

from .conftest import EXAMPLES  # noqa: E402

ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]
SHOTS = Path(os.environ.get("MARSAD_SCREENSHOTS", "/tmp"))
HOSTILE = ("<script>document.title='pwned'</script> خبر \u202eمقلوب\u202c عن حلب\n"
           "قالت مصادر محلية في مدينة حلب إن الأسواق شهدت حركة نشطة اليوم <img src=x onerror=\"document.title='pwned'\">، "
           "وأضافت أن أسعار الخضار انخفضت بشكل ملحوظ مقارنة بالأسبوع الماضي.\n")


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    base = tmp_path_factory.mktemp("webui")
    shutil.copytree(EXAMPLES, base / "in" / "examples")
    (base / "in" / "hostile.txt").write_text(HOSTILE, encoding="utf-8")
    store = Store(base / "ui.db")
    analyze(store, [str(base / "in")], workers=1)
    store.close()
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    srv = uvicorn.Server(uvicorn.Config(create_app(base / "ui.db"), host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    for _ in range(200):
        if srv.started:
            break
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    srv.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="module")
def browser():
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


def no_sideways_scroll(page, width: int) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= width + 1, page.url


@pytest.mark.parametrize("width,tag", [(1280, "laptop"), (390, "phone")])
def test_overview_story_map_search(server, browser, width, tag):
    page = browser.new_page(viewport={"width": width, "height": 900})
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))

    page.goto(server + "/")
    assert page.locator("html").get_attribute("dir") == "rtl"
    assert page.locator(".story-item").count() >= 3
    page.screenshot(path=str(SHOTS / f"marsad-web-{tag}-overview.png"), full_page=True)
    no_sideways_scroll(page, width)

    # click into the largest story (first in the default ranking; storylines are listed above the stories)
    first = page.locator(".story-item a.story-title[href^='/stories/']").first
    title = first.inner_text()
    first.click()
    page.wait_for_url("**/stories/*")
    assert title.strip() in page.locator("h1").inner_text()
    if WEB_ASSETS:
        # Leaflet: circle markers over the country boundaries (no tiles by default)
        page.wait_for_selector("#map .leaflet-basemap-pane path", state="attached")
        assert page.locator("#map .leaflet-basemap-pane path").count() > 150
        assert page.locator("#map .leaflet-tile").count() == 0
        markers = page.locator("#map path.marker.leaflet-interactive")
        points = json.loads(page.locator("#map .lmap").get_attribute("data-points"))
        assert len(points) >= 1 and markers.count() == len(points)   # one marker per event or place of the story
        box = page.locator("#map .lmap").bounding_box()
        assert box and box["width"] > 200 and box["width"] <= width
    else:  # built without npm: plain SVG markers, at least one (the story's events and places)
        assert page.locator("#map svg circle.marker").count() >= 1
    assert page.locator("#articles tbody tr").count() >= 3
    if page.locator("#claims").count():          # the claims stage is installed
        counts = page.locator("table.claims td.claim-count")
        assert counts.count() >= 1
        assert re.search(r"(\d+ (وسائل|وسيلة)|وسيلة واحدة|وسيلتان)، (\d+ (مصادر مستقلة|مصدراً مستقلاً|مصدر مستقل)"
                         r"|مصدر مستقل واحد|مصدران مستقلان)", counts.first.inner_text())
        if page.locator("#contradictions").count():
            pair = page.locator("#contradictions .versus").first
            assert pair.locator(".side").count() == 2
            assert pair.locator(".side li").count() >= 2     # the sentences that state each side
            assert pair.is_visible()
    page.screenshot(path=str(SHOTS / f"marsad-web-{tag}-story.png"), full_page=True)
    no_sideways_scroll(page, width)

    # a marker leads to its event (on this page) or its place
    if WEB_ASSETS:
        markers.first.click(force=True)
        link = page.locator("#map .leaflet-popup-content a.map-pop-name")
        link.wait_for()
        href = link.first.get_attribute("href")
        assert href and (href.startswith("/entities/") or "#event-" in href)
        if "#event-" in href:
            assert page.locator("#" + href.split("#", 1)[1]).count() == 1
        else:
            page.goto(server + href)
            page.wait_for_selector("#map path.marker")
            assert page.locator("#map path.marker").count() == 1

    # an article: mentions highlighted, furniture on demand
    page.goto(server + "/search?q=" + "الفرايه")       # the text says الفراية (ta marbuta)
    results = page.locator("ol.results li.result")
    assert results.count() >= 1
    assert "الفراية" in results.first.locator("mark").inner_text()
    page.screenshot(path=str(SHOTS / f"marsad-web-{tag}-search.png"), full_page=True)
    results.first.locator("a.result-title").click()
    page.wait_for_url("**/articles/*")
    assert page.locator("#article-text a.m.t-PER").count() >= 1
    details = page.locator("details.removed")
    assert not details.locator("li").first.is_visible()
    details.locator("summary").click()
    assert details.locator("li").first.is_visible()
    page.screenshot(path=str(SHOTS / f"marsad-web-{tag}-article.png"), full_page=True)
    no_sideways_scroll(page, width)

    # an entity chip leads to the entity: Arabic and English names, its place on the map
    page.locator("a.chip.t-GPE").first.click()
    page.wait_for_url("**/entities/*")
    assert page.locator("h1 bdi.en").count() == 1
    if page.locator("#map .lmap").count():
        page.wait_for_selector("#map path.marker")
        assert page.locator("#map path.marker").count() == 1
    page.screenshot(path=str(SHOTS / f"marsad-web-{tag}-entity.png"), full_page=True)
    no_sideways_scroll(page, width)

    # the same search typed into the header box, with another variant (alef with hamza vs bare alef)
    page.goto(server + "/")
    box_input = page.locator("form.quick input[name=q]")
    if box_input.is_visible():
        box_input.fill("الاردن")
        box_input.press("Enter")
        page.wait_for_url("**/search?*")
        assert page.locator("ol.results li.result").count() >= 1

    # the hostile article stays inert: no script ran, text shown escaped
    page.goto(server + "/search?q=" + "مقلوب")
    page.locator("ol.results a.result-title").first.click()
    page.wait_for_url("**/articles/*")
    assert page.title() != "pwned"
    assert "<script>" in page.locator("h1").inner_text()
    no_sideways_scroll(page, width)
    page.goto(server + "/ingest")
    page.screenshot(path=str(SHOTS / f"marsad-web-{tag}-ingest.png"), full_page=True)
    no_sideways_scroll(page, width)
    assert not [e for e in errors if "Content Security Policy" in e or "Uncaught" in e], errors
    page.close()

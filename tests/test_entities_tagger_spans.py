"""How the linker (marsad.entities.linker) treats the tagger's spans, whichever tagger made them.

The tagger here is a stand-in that returns the spans each test names, so that the linker's rules are
tested on the spans a statistical tagger can produce (both the CRF and the neural one make these
errors on some texts). All sentences are written for these tests.
"""

from __future__ import annotations

import pytest

from marsad.entities import get_linker
from marsad.entities.linker import Linker


class _Spans:
    """A tagger that tags the given (surface, type) pairs wherever they occur."""

    def __init__(self, *names: tuple[str, str]):
        self.names = names

    def tag_spans(self, text: str) -> list[tuple[int, int, str]]:
        out = []
        for surface, typ in self.names:
            start = text.find(surface)
            while start >= 0:
                out.append((start, start + len(surface), typ))
                start = text.find(surface, start + 1)
        return sorted(out)


@pytest.fixture(scope="module")
def gaz():
    return get_linker().gaz


def _extract(gaz, text: str, *names: tuple[str, str]):
    ms, es = Linker(gaz, tagger=_Spans(*names)).extract(text)
    for m in ms:
        assert text[m.start:m.end] == m.text
    return {(m.text, m.type) for m in ms}, {m.text: m.entity_id for m in ms}, es


def test_towns_listed_without_commas_stay_places(gaz):
    text = "وخرج المحتجون في مدن كسلا سنار سنجة وطالبوا بوقف القتال."
    found, ids, _ = _extract(gaz, text, ("سنار سنجة", "PER"))
    assert ("سنار", "GPE") in found and ("سنجة", "GPE") in found
    assert not any(t == "PER" for _, t in found)
    # without the tagger's span the same places are found: the span changes nothing
    plain, _, _ = _extract(gaz, text)
    assert {x for x in plain if x[1] == "GPE"} == {x for x in found if x[1] == "GPE"}


def test_a_name_with_a_word_that_is_no_place_still_replaces_the_place_inside_it(gaz):
    # أنان is a GeoNames place on its own; كوفي is a given name: the tagger's person wins
    found, _, _ = _extract(gaz, "وقال كوفي أنان إن المفاوضات ستستأنف.", ("كوفي أنان", "PER"))
    assert ("كوفي أنان", "PER") in found and ("أنان", "GPE") not in found
    found, _, _ = _extract(gaz, "وفاز نادي ريال مدريد بالمباراة.", ("ريال مدريد", "ORG"))
    assert ("ريال مدريد", "ORG") in found and ("مدريد", "GPE") not in found


def test_family_name_alone_links_to_the_person_whatever_its_tag(gaz):
    text = ('وقال وزير الإعلام سامي الورداني إن المفاوضات تتقدم. '
            'وأوضح بيان صادر عن مكتب "الورداني" أن الجولة المقبلة تعقد الأسبوع القادم.')
    found, ids, es = _extract(gaz, text, ("سامي الورداني", "PER"), ("الورداني", "ORG"))
    person = ids["سامي الورداني"]
    assert ("الورداني", "PER") in found and ids["الورداني"] == person
    assert not any(t == "ORG" for _, t in found)
    assert es[person].name_ar == "سامي الورداني"     # the entity keeps the name as written in full


def test_family_name_before_any_full_name_is_left_to_the_tagger(gaz):
    # no full name in the text: the one-word span keeps its own entity and type
    found, ids, _ = _extract(gaz, 'وأوضح بيان صادر عن مكتب "الورداني" أن الجولة تعقد غدا.', ("الورداني", "ORG"))
    assert ("الورداني", "ORG") in found and ids["الورداني"].startswith("marsad:org:")


def test_family_name_the_tagger_calls_a_person_keeps_its_own_id(gaz):
    # the id other articles naming the person by surname alone share (marsad:per:<surname>)
    text = "وقال وزير الإعلام سامي الورداني إن المفاوضات تتقدم. وأضاف الورداني أن الجولة تعقد غدا."
    found, ids, _ = _extract(gaz, text, ("سامي الورداني", "PER"), ("الورداني", "PER"))
    assert ids["الورداني"] == "marsad:per:الورداني" and ids["سامي الورداني"] != ids["الورداني"]

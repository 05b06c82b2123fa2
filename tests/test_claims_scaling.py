"""The claims stage's store reads that scale with what changed, not with the store: their answers
on hand-made stories and claims, compared with a plain reading of the same tables."""

from __future__ import annotations


def _stories(store, lines: dict[int, int | None]) -> None:
    """Stories ``id -> storyline id`` (None: in no storyline)."""
    with store.transaction():
        store.db.executemany("INSERT INTO stories(id, storyline_id, n_articles) VALUES (?, ?, 1)",
                             sorted(lines.items()))


def _mates_plainly(lines: dict, story_ids: set, skip: set) -> set:
    out = set(story_ids)
    for sid in story_ids:
        line = lines.get(sid)
        if line is not None and line not in skip:
            out |= {s for s, l in lines.items() if l == line}
    return out


def test_storyline_mates_read_each_storyline_once_and_skip_the_large_ones(store):
    # storyline 1: stories 1-3; storyline 2: 4-5; storyline 3: 1,000 stories (more than a chunk of ids);
    # story 6 in no storyline
    lines = {1: 1, 2: 1, 3: 1, 4: 2, 5: 2, 6: None}
    lines.update({k: 3 for k in range(100, 1100)})
    _stories(store, lines)
    t = store.claim_tables
    assert t.with_storyline_mates({1, 6, None}) == {1, 2, 3, 6, None}
    assert t.with_storyline_mates({1, 4}, skip={2}) == {1, 2, 3, 4}        # 4 stays, its mate 5 does not join
    assert t.with_storyline_mates({6}) == {6}
    assert t.with_storyline_mates(set()) == set()
    many = set(range(100, 1100, 3)) | {5}
    assert t.with_storyline_mates(many) == set(range(100, 1100)) | {4, 5}
    assert t.with_storyline_mates(many, skip={3}) == many | {4}
    for ids, skip in (({1, 5, 700}, set()), ({2, 6, 900}, {1}), ({3, 4}, {1, 2, 3})):
        assert t.with_storyline_mates(ids, skip=skip) == _mates_plainly(lines, ids, skip)

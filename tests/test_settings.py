"""The one settings object: every value documented where it is set, read by the code, overridable."""

import configparser
import re
from pathlib import Path

from marsad.settings import DEFAULT_PATH, load_settings

SRC = Path(__file__).resolve().parents[1] / "src" / "marsad"


def _entries() -> list[tuple[str, str, int]]:
    """(section, key, line number) of every setting in settings.cfg."""
    out, section = [], None
    for n, line in enumerate(DEFAULT_PATH.read_text(encoding="utf-8").splitlines()):
        if m := re.match(r"\[(\w+)\]", line):
            section = m.group(1)
        elif m := re.match(r"(\w+)\s*=", line):
            out.append((section, m.group(1), n))
    return out


def test_every_setting_is_documented_where_it_is_set():
    lines = DEFAULT_PATH.read_text(encoding="utf-8").splitlines()
    undocumented = []
    for section, key, n in _entries():
        own = "#" in lines[n]
        named_above = any(key in line.split("#", 1)[-1] for line in lines[max(0, n - 3):n] if "#" in line)
        if not (own or named_above):
            undocumented.append(f"[{section}] {key}")
    assert not undocumented, undocumented


def test_every_setting_is_read_by_the_code():
    code = "\n".join(p.read_text(encoding="utf-8") for p in SRC.rglob("*.py"))
    unread = [f"[{s}] {k}" for s, k, _ in _entries()
              if not re.search(rf"\.{k}\b|[\"']{k}[\"']", code)]
    assert not unread, unread


def test_every_section_parses_and_a_file_overrides_single_values(tmp_path):
    parser = configparser.ConfigParser(inline_comment_prefixes=("#", ";"))
    parser.read(DEFAULT_PATH, encoding="utf-8")
    defaults = load_settings()
    assert set(vars(defaults)) == set(parser.sections())
    override = tmp_path / "mine.cfg"
    override.write_text("[link]\njoin_score = 0.5\n", encoding="utf-8")
    mine = load_settings(override)
    assert mine.link.join_score == 0.5 and defaults.link.join_score != 0.5
    assert mine.link.lead_chars == defaults.link.lead_chars          # the rest keeps its defaults
    assert isinstance(mine.runner.workers, int) and isinstance(mine.claims.same_cos, float)

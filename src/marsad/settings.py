"""All tunable thresholds of marsad in one place (the trafilatura settings.py + settings.cfg pattern).

In: ``settings.cfg`` next to this module (one ``[section]`` per stage, ``name = value`` lines with a
comment saying what each value means), optionally overridden by a file named in ``$MARSAD_SETTINGS``.
Out: :data:`SETTINGS`, read as ``SETTINGS.link.join_score`` (values parsed as int, float, bool or str).
Stages read their thresholds from here; no threshold lives as a literal in stage code.
"""

from __future__ import annotations

import configparser
import os
from pathlib import Path
from types import SimpleNamespace

DEFAULT_PATH = Path(__file__).with_name("settings.cfg")


def _value(raw: str):
    low = raw.strip().lower()
    if low in ("true", "yes", "on"):
        return True
    if low in ("false", "no", "off"):
        return False
    for cast in (int, float):
        try:
            return cast(raw)
        except ValueError:
            pass
    return raw.strip()


def load_settings(*paths: str | os.PathLike) -> SimpleNamespace:
    """Read the default settings, then each of ``paths`` (later files override earlier ones)."""
    parser = configparser.ConfigParser(inline_comment_prefixes=("#", ";"))
    parser.read([DEFAULT_PATH, *paths], encoding="utf-8")
    return SimpleNamespace(**{
        name: SimpleNamespace(**{k: _value(v) for k, v in parser[name].items()})
        for name in parser.sections()
    })


SETTINGS = load_settings(*([os.environ["MARSAD_SETTINGS"]] if os.environ.get("MARSAD_SETTINGS") else []))

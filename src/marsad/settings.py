"""All tunable thresholds of marsad in one place (the trafilatura settings.py + settings.cfg pattern).

In: ``settings.cfg`` next to this module (one ``[section]`` per stage, ``name = value`` lines with a
comment saying what each value means), optionally overridden by a file named in ``$MARSAD_SETTINGS`` or
given to the CLI as ``marsad --config FILE`` (:func:`apply_settings`).
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


def _same_kind(default, value) -> bool:
    """A value may replace a default of the same type (an int where a float is expected too)."""
    return type(value) is type(default) or (isinstance(default, float) and type(value) is int)


def apply_settings(path: str | os.PathLike) -> None:
    """Override :data:`SETTINGS` in place from the file at ``path`` (raises ``ValueError`` naming entries the
    defaults do not have, or values of another kind than theirs). Modules read most values when they first
    run; call this before any stage runs, as the CLI does. Processes started later read the same file
    through ``$MARSAD_SETTINGS``."""
    parser = configparser.ConfigParser(inline_comment_prefixes=("#", ";"))
    parser.read(path, encoding="utf-8")
    given = {(sec, key): _value(raw) for sec in parser.sections() for key, raw in parser[sec].items()}
    unknown = [f"[{sec}] {key}" for sec, key in given if not hasattr(getattr(SETTINGS, sec, None), key)]
    if unknown:
        raise ValueError("unknown settings: " + ", ".join(unknown))
    wrong = [f"[{sec}] {key} = {value!r} (expects {type(old).__name__})" for (sec, key), value in given.items()
             if not _same_kind(old := getattr(getattr(SETTINGS, sec), key), value)]
    if wrong:
        raise ValueError("values of the wrong kind: " + ", ".join(wrong))
    for name, section in vars(load_settings(path)).items():   # the defaults and this file, as child processes
        vars(getattr(SETTINGS, name)).update(vars(section))   # read them through $MARSAD_SETTINGS
    os.environ["MARSAD_SETTINGS"] = str(Path(path).resolve())


SETTINGS = load_settings(*([os.environ["MARSAD_SETTINGS"]] if os.environ.get("MARSAD_SETTINGS") else []))

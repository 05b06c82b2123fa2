"""The pages' Jinja environment.

In: nothing (the templates under ``web/templates``, the static files present). Out: :func:`environment`,
an autoescaping environment with the pages' filters (Arabic counts, event types, inert text, highlighted
segments) and globals (version, Arabic names of entity types and job states, the map's assets).
"""

from __future__ import annotations

from pathlib import Path

from jinja2 import Environment, PackageLoader
from markupsafe import Markup

from .. import __version__
from ..text.phrases import count_ar
from . import data

HERE = Path(__file__).parent
TYPE_NAMES = {"PER": "شخص", "ORG": "منظمة", "GPE": "كيان جغرافي سياسي", "LOC": "موقع", "FAC": "منشأة", "NORP": "جماعة"}
JOB_STATUS = {"queued": "في الانتظار", "running": "قيد التحليل", "done": "اكتملت", "error": "فشلت"}


def count_b(n, singular: str) -> Markup:
    """:func:`count_ar` with the number in bold: '<b>5</b> مقالات'; one and two have no digit, so the
    whole phrase is bold: '<b>مقالتان</b>'."""
    phrase = count_ar(n, singular)
    if n in (1, 2):
        return Markup("<b>%s</b>") % phrase
    return Markup("<b>%s</b> %s") % tuple(phrase.split(" ", 1))


def environment() -> Environment:
    env = Environment(loader=PackageLoader("marsad.web", "templates"), autoescape=True,
                      trim_blocks=True, lstrip_blocks=True)
    env.filters["inert"] = data.inert
    env.filters["event_ar"] = data.event_type_ar
    env.filters["segments"] = data.segments_html
    env.filters["count_ar"] = count_ar
    env.filters["count_b"] = count_b
    static = HERE / "static"
    env.globals.update(leaflet_ready=(static / "vendor" / "leaflet" / "leaflet.js").is_file(),
                       basemap_ready=(static / "world.svg").is_file())
    env.globals.update(version=__version__, type_names=TYPE_NAMES, origins_count=data.origins_count,
                       outlets_count=data.outlets_count, origin_names=data.origin_names, group_id=data.group_id,
                       job_status=JOB_STATUS)
    return env

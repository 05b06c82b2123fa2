"""Web app and JSON API (``marsad serve``): server-rendered Arabic pages over the embedded store.

In: a database path, and optionally a token that write endpoints (ingest) require as
``Authorization: Bearer TOKEN``. Out: :func:`create_app`, a FastAPI app (pages, ``/api``,
``/openapi.json``), and :func:`serve`, which runs it with uvicorn in several worker processes. Fully offline: no CDN, no JS
framework; a small static script, a stylesheet, and Leaflet (vendored) over a bundled country-boundary
GeoJSON for the maps (a tile server is optional: ``MARSAD_TILE_URL``).
"""

from __future__ import annotations

from pathlib import Path

__all__ = ["create_app", "serve"]


def create_app(db_path: str | Path, token: str | None = None, tile_url: str | None = None,
               tile_attribution: str | None = None, allow_private_urls: bool | None = None):
    from .app import create_app as _create

    return _create(db_path, token=token, tile_url=tile_url, tile_attribution=tile_attribution,
                   allow_private_urls=allow_private_urls)


def serve(db: str | Path, host: str = "127.0.0.1", port: int = 8000, token: str | None = None,
          workers: int | None = None, allow_private_urls: bool = False) -> None:
    """Run the app until interrupted (what ``marsad serve --db --host --port --token --workers`` calls):
    ``workers`` server processes (``SETTINGS.web.workers`` by default), each with its own connections."""
    import os

    import uvicorn

    from ..settings import SETTINGS

    workers = max(1, int(workers or SETTINGS.web.workers))
    create_app(db, token=token)           # migrate the store and fail early, once, before forking
    os.environ["MARSAD_WEB_DB"] = str(Path(db).resolve())
    if token:
        os.environ["MARSAD_TOKEN"] = token
    if allow_private_urls:
        os.environ["MARSAD_ALLOW_PRIVATE_URLS"] = "1"
    uvicorn.run("marsad.web.app:app_from_env", factory=True, host=host, port=port, workers=workers,
                log_level="warning", access_log=False, proxy_headers=False, server_header=False)

"""Web app and JSON API (``marsad serve``): server-rendered Arabic pages over the embedded store.

In: a database path, and optionally a token that write endpoints (ingest) require as
``Authorization: Bearer TOKEN``. Out: :func:`create_app`, a FastAPI app (pages, ``/api``,
``/openapi.json``), and :func:`serve`, which runs it with uvicorn. Fully offline: no CDN, no JS
framework; a small static script, a stylesheet, and Leaflet (vendored) over a bundled country-boundary
GeoJSON for the maps (a tile server is optional: ``MARSAD_TILE_URL``).
"""

from __future__ import annotations

from pathlib import Path

__all__ = ["create_app", "serve"]


def create_app(db_path: str | Path, token: str | None = None, tile_url: str | None = None,
               tile_attribution: str | None = None):
    from .app import create_app as _create

    return _create(db_path, token=token, tile_url=tile_url, tile_attribution=tile_attribution)


def serve(db: str | Path, host: str = "127.0.0.1", port: int = 8000, token: str | None = None) -> None:
    """Run the app until interrupted (what ``marsad serve --db --host --port --token`` calls)."""
    import uvicorn

    app = create_app(db, token=token)
    uvicorn.run(app, host=host, port=port, log_level="info", proxy_headers=False, server_header=False)

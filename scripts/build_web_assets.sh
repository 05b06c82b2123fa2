#!/usr/bin/env bash
# Build-time web assets, fetched from the npm registry and never committed:
#   - Leaflet 1.9.4 (BSD-2-Clause) → src/marsad/web/static/vendor/leaflet/
#   - country outlines from world-atlas 2.0.2 (ISC; Natural Earth data, public domain)
#     → src/marsad/web/static/countries.geojson and world.svg (made by marsad.web.basemap)
# Without npm the web app and report still work: maps are plain SVG points on a lat/lon grid.
# Usage: scripts/build_web_assets.sh [PYTHON]
set -euo pipefail
py=${1:-python3}
root=$(cd "$(dirname "$0")/.." && pwd)
static="$root/src/marsad/web/static"
command -v npm >/dev/null 2>&1 || { echo "build_web_assets: npm not found; web maps will be plain SVG" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && npm pack --silent leaflet@1.9.4 world-atlas@2.0.2 >/dev/null)
mkdir -p "$tmp/leaflet" "$tmp/atlas" "$static/vendor/leaflet"
tar xzf "$tmp"/leaflet-1.9.4.tgz -C "$tmp/leaflet"
tar xzf "$tmp"/world-atlas-2.0.2.tgz -C "$tmp/atlas"
cp "$tmp/leaflet/package/dist/leaflet.js" "$tmp/leaflet/package/dist/leaflet.css" "$tmp/leaflet/package/LICENSE" "$static/vendor/leaflet/"
cp -r "$tmp/leaflet/package/dist/images" "$static/vendor/leaflet/"
echo "Leaflet 1.9.4 from the npm registry (BSD-2-Clause, see LICENSE); copied by scripts/build_web_assets.sh." > "$static/vendor/leaflet/README.md"
"$py" -m marsad.web.basemap "$tmp/atlas/package/countries-50m.json" "$tmp/atlas/package/countries-110m.json" >/dev/null
echo "build_web_assets: Leaflet and country outlines in $static"

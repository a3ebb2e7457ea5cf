#!/usr/bin/env python3
"""Make ``indonesia_land.geojson`` from Natural Earth's countries in the npm package world-atlas.

    npm pack world-atlas@2 && tar xzf world-atlas-2.0.2.tgz
    python3 review/checks/data/make_indonesia_land.py package/countries-10m.json

Reads the TopoJSON, takes Indonesia (ISO 3166 numeric 360), decodes its arcs,
rounds coordinates to 0.001° (about 110 m) and drops the points that rounding
made equal, and writes one MultiPolygon as GeoJSON beside this script.
"""

import json
import sys
from pathlib import Path

OUT = Path(__file__).with_name("indonesia_land.geojson")


def _arcs(topology: dict) -> list[list[tuple[float, float]]]:
    scale_x, scale_y = topology["transform"]["scale"]
    move_x, move_y = topology["transform"]["translate"]
    decoded = []
    for arc in topology["arcs"]:
        x = y = 0
        points = []
        for dx, dy in arc:
            x += dx
            y += dy
            points.append((x * scale_x + move_x, y * scale_y + move_y))
        decoded.append(points)
    return decoded


def _ring(indexes: list[int], arcs: list[list[tuple[float, float]]]) -> list[list[float]]:
    ring: list[tuple[float, float]] = []
    for index in indexes:
        points = arcs[index] if index >= 0 else list(reversed(arcs[~index]))
        ring.extend(points if not ring else points[1:])
    rounded: list[list[float]] = []
    for lon, lat in ring:
        point = [round(lon, 3), round(lat, 3)]
        if not rounded or rounded[-1] != point:
            rounded.append(point)
    return rounded


def main(source: str) -> None:
    topology = json.loads(Path(source).read_text())
    arcs = _arcs(topology)
    (country,) = [g for g in topology["objects"]["countries"]["geometries"] if g.get("id") == "360"]
    polygons = country["arcs"] if country["type"] == "MultiPolygon" else [country["arcs"]]
    shapes = []
    for polygon in polygons:
        rings = [_ring(ring, arcs) for ring in polygon]
        if len(rings[0]) >= 4:
            shapes.append([r for r in rings if len(r) >= 4])
    feature = {
        "type": "Feature",
        "properties": {
            "name": "Indonesia",
            "source": "Natural Earth 1:10m countries via world-atlas 2.0.2 (public domain)",
        },
        "geometry": {"type": "MultiPolygon", "coordinates": shapes},
    }
    OUT.write_text(json.dumps(feature, separators=(",", ":")))
    print(f"{OUT}: {len(shapes)} polygons, {OUT.stat().st_size / 1000:.0f} kB")


if __name__ == "__main__":
    main(sys.argv[1])

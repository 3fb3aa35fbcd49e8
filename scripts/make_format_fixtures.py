#!/usr/bin/env python3
"""Writes the format fixtures of published layouts (tests/fixtures/published/) from the real
samples in data/: the same figures, laid out as INSEE and IGN publish their files.
See tests/fixtures/README.md for what is real in each and what is not.

Needs python3 and the GDAL command-line tools (gdaltransform, ogr2ogr). Run from the repository
root: python3 scripts/make_format_fixtures.py
"""
import csv
import json
import os
import subprocess
import tempfile

OUT = "tests/fixtures/published"
GRID = "data/filosofi/filosofi2015-carreaux-1km-lot-46.csv"
LOT = "data/insee/communes-46-lot.geojson"
RIVIERA = "data/insee/communes-06-alpes-maritimes.geojson"
TABLE = "data/insee/communes-2026.csv"
# Lines of GRID: the first five cells (one with 11.5 inhabitants) and the three most populated.
GRID_LINES = [2, 3, 4, 5, 6, 1024, 1966, 1081]
RIVIERA_CODES = ["06012", "06032", "06150"]


def grid_rows():
    with open(GRID, newline="") as f:
        rows = list(csv.reader(f))
    picked = []
    for line in GRID_LINES:
        x, y, ind = rows[line - 1]
        picked.append((line, int(x), int(y), ind))
    return picked


def to_wgs84(points):
    text = "".join(f"{x} {y}\n" for x, y in points)
    out = subprocess.run(["gdaltransform", "-s_srs", "EPSG:3035", "-t_srs", "EPSG:4326", "-output_xy"],
                         input=text, capture_output=True, text=True, check=True).stdout.split("\n")
    return [tuple(map(float, l.split())) for l in out if l.strip()]


def inside(lon, lat, ring):
    hit = False
    for (x1, y1), (x2, y2) in zip(ring, ring[1:]):
        if (y1 > lat) != (y2 > lat) and lon < x1 + (lat - y1) * (x2 - x1) / (y2 - y1):
            hit = not hit
    return hit


def commune_at(lon, lat, communes):
    for feature in communes["features"]:
        g = feature["geometry"]
        polygons = [g["coordinates"]] if g["type"] == "Polygon" else g["coordinates"]
        for rings in polygons:
            if inside(lon, lat, rings[0]) and not any(inside(lon, lat, hole) for hole in rings[1:]):
                return feature["properties"]["code"]
    return ""


def id_of(size, x_south_west, y_south_west):
    return f"CRS3035RES{size}mN{y_south_west}E{x_south_west}"


def write(name, header, rows, sep=";"):
    with open(os.path.join(OUT, name), "w", newline="") as f:
        w = csv.writer(f, delimiter=sep, lineterminator="\n")
        w.writerow(header)
        w.writerows(rows)


def filosofi():
    cells = grid_rows()
    with open(LOT) as f:
        lot = json.load(f)
    centres = to_wgs84([(x, y) for _, x, y, _ in cells])
    cog = [commune_at(lon, lat, lot) for lon, lat in centres]
    # 1 km cells as published: the id of the south-west corner.
    km = [(id_of(1000, x - 500, y - 500), ind, c) for (_, x, y, ind), c in zip(cells, cog)]
    write("filosofi-2015-carreaux-1km.csv", ["IdINSPIRE", "Ind"], [(i, ind) for i, ind, _ in km])
    write("filosofi-2019-carreaux-1km.csv", ["idcar_1km", "lcog_geo", "ind"], [(i, c, ind) for i, ind, c in km])
    # 200 m layouts: each real 1 km cell's population on its south-west 200 m cell.
    m200 = [(id_of(200, x - 500, y - 500), id_of(1000, x - 500, y - 500), c, ind)
            for (_, x, y, ind), c in zip(cells, cog)]
    write("filosofi-2017-carreaux-200m.csv", ["Idcar_200m", "Idcar_1km", "lcog_geo", "Ind"], m200)
    write("filosofi-2019-carreaux-200m.csv", ["idcar_200m", "idcar_1km", "lcog_geo", "ind"], m200)
    gpkg = os.path.join(OUT, "filosofi-2019-carreaux-1km.gpkg")
    if os.path.exists(gpkg):
        os.remove(gpkg)
    # The published GeoPackages hold squares in Lambert-93; their ids stay LAEA (SOURCES.md §5).
    with tempfile.TemporaryDirectory() as tmp:
        src = os.path.join(tmp, "cells.csv")
        with open(src, "w", newline="") as f:
            w = csv.writer(f, lineterminator="\n")
            w.writerow(["idcar_1km", "lcog_geo", "ind", "wkt"])
            for (_, x, y, ind), c in zip(cells, cog):
                x0, y0 = x - 500, y - 500
                square = f"POLYGON(({x0} {y0},{x0 + 1000} {y0},{x0 + 1000} {y0 + 1000},{x0} {y0 + 1000},{x0} {y0}))"
                w.writerow([id_of(1000, x0, y0), c, ind, square])
        with open(os.path.join(tmp, "cells.csvt"), "w") as f:
            f.write('"String","String","Real","WKT"\n')  # lcog_geo is text: 2A004, leading zeros
        subprocess.run(["ogr2ogr", "-f", "GPKG", gpkg, src, "-nln", "carreaux_1km_met", "-s_srs", "EPSG:3035",
                        "-t_srs", "EPSG:2154", "-oo", "GEOM_POSSIBLE_NAMES=wkt", "-oo", "KEEP_GEOM_COLUMNS=NO",
                        "-nlt", "POLYGON"], check=True)
    for (line, x, y, ind), c in zip(cells, cog):
        print(f"grid line {line}: centre {x} {y}, Ind {ind}, commune {c or '(none)'}")


def admin_express():
    with open(TABLE, newline="") as f:
        table = {r["code_insee"]: r for r in csv.DictReader(f)}
    with open(RIVIERA) as f:
        riviera = json.load(f)
    features = []
    for feature in riviera["features"]:
        code = feature["properties"]["code"]
        if code not in RIVIERA_CODES:
            continue
        t = table[code]
        # Published fields in the published order; those the samples cannot fill stay empty.
        props = {"ID": "", "NOM": t["nom"], "NOM_M": t["nom"].upper(), "INSEE_COM": code, "STATUT": "",
                 "POPULATION": int(t["population"]), "INSEE_CAN": "", "INSEE_ARR": t["arrondissement"][-1],
                 "INSEE_DEP": t["departement"], "INSEE_REG": t["region"], "SIREN_EPCI": t["epci_siren"]}
        features.append({"type": "Feature", "properties": props, "geometry": feature["geometry"]})
    with tempfile.TemporaryDirectory() as tmp:
        src = os.path.join(tmp, "COMMUNE.geojson")
        with open(src, "w") as f:
            json.dump({"type": "FeatureCollection", "features": features}, f, ensure_ascii=False)
        # The shapefile edition is a folder of one shapefile per layer, COMMUNE.shp among them.
        os.makedirs(os.path.join(OUT, "admin-express-shp"), exist_ok=True)
        shp = os.path.join(OUT, "admin-express-shp", "COMMUNE.shp")
        for ext in ("shp", "shx", "dbf", "prj", "cpg"):
            p = os.path.join(OUT, "admin-express-shp", f"COMMUNE.{ext}")
            if os.path.exists(p):
                os.remove(p)
        subprocess.run(["ogr2ogr", "-f", "ESRI Shapefile", shp, src, "-nln", "COMMUNE",
                        "-t_srs", "EPSG:2154", "-lco", "ENCODING=UTF-8"], check=True)
        gpkg = os.path.join(OUT, "admin-express-cog-carto.gpkg")
        if os.path.exists(gpkg):
            os.remove(gpkg)
        # Another ADMIN EXPRESS layer first, empty, so that the COMMUNE layer is not the first one.
        subprocess.run(["ogr2ogr", "-f", "GPKG", gpkg, src, "-nln", "ARRONDISSEMENT", "-t_srs", "EPSG:2154",
                        "-where", "0=1", "-nlt", "MULTIPOLYGON"], check=True)
        subprocess.run(["ogr2ogr", "-f", "GPKG", "-update", gpkg, src, "-nln", "COMMUNE", "-t_srs", "EPSG:2154",
                        "-nlt", "MULTIPOLYGON"], check=True)


if __name__ == "__main__":
    os.makedirs(OUT, exist_ok=True)
    filosofi()
    admin_express()

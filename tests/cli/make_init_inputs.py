#!/usr/bin/env python3
"""Lays out the bundled data of data/ as the files people download for `proxima init`
(tests/cli/test_init_cli.sh). FORMAT FIXTURES, not INSEE or IGN data:

- ADMIN-EXPRESS/COMMUNE.shp: the 163 Alpes-Maritimes communes of
  data/insee/communes-06-alpes-maritimes.geojson (real polygons, COG 2018) reprojected to
  Lambert-93 as IGN publishes them, with the ADMIN EXPRESS fields INSEE_COM, NOM, POPULATION,
  INSEE_DEP, SIREN_EPCI filled from data/insee/communes-2026.csv (real INSEE values); the fields the
  samples cannot fill (ID, STATUT, INSEE_CAN) stay empty.
- bpe23-format-fixture.csv: NOT BPE rows. data/ holds no geolocated BPE row, so this file is
  derived from OpenStreetMap: the points of data/osm/monaco-riviera-2016.osm.pbf tagged
  amenity=pharmacy, post_office, townhall, school or police that lie in a French commune, in
  Lambert-93, labelled with the BPE code of that kind of facility, in the BPE 2023+ layout
  (';', EPSG column). Points in Monaco are left out, as the BPE covers France only.

Usage: make_init_inputs.py DATA_DIR OUT_DIR   (needs /usr/bin/python3 and ogr2ogr, gdaltransform)
"""
import csv
import json
import os
import subprocess
import sys

# The point-in-commune test of the format fixtures' own script (one copy of it).
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "scripts"))
from make_format_fixtures import commune_at  # noqa: E402

TYPEQU = {"pharmacy": "D307", "post_office": "A206", "townhall": "A129", "school": "C108", "police": "A101"}


def admin_express(data, out, communes, table):
    features = []
    for feature in communes["features"]:
        code = feature["properties"]["code"]
        t = table[code]
        props = {"ID": "", "NOM": t["nom"], "NOM_M": t["nom"].upper(), "INSEE_COM": code, "STATUT": "",
                 "POPULATION": int(t["population"]), "INSEE_CAN": "", "INSEE_ARR": t["arrondissement"][-1],
                 "INSEE_DEP": t["departement"], "INSEE_REG": t["region"], "SIREN_EPCI": t["epci_siren"]}
        features.append({"type": "Feature", "properties": props, "geometry": feature["geometry"]})
    src = os.path.join(out, "commune-wgs84.geojson")
    with open(src, "w") as f:
        json.dump({"type": "FeatureCollection", "features": features}, f, ensure_ascii=False)
    os.makedirs(os.path.join(out, "ADMIN-EXPRESS"), exist_ok=True)
    subprocess.run(["ogr2ogr", "-f", "ESRI Shapefile", os.path.join(out, "ADMIN-EXPRESS", "COMMUNE.shp"), src,
                    "-nln", "COMMUNE", "-t_srs", "EPSG:2154", "-lco", "ENCODING=UTF-8"], check=True)
    os.remove(src)


def bpe(data, out, communes, table):
    sql = ("select osm_id, name, geometry, hstore_get_value(other_tags, 'amenity') as amenity from points "
           "where hstore_get_value(other_tags, 'amenity') in ('pharmacy', 'post_office', 'townhall', 'school', "
           "'police') order by cast(osm_id as integer)")
    text = subprocess.run(["ogr2ogr", "-f", "GeoJSON", "/vsistdout/", os.path.join(data, "osm",
                           "monaco-riviera-2016.osm.pbf"), "-dialect", "sqlite", "-sql", sql],
                          capture_output=True, text=True, check=True).stdout
    points = json.loads(text)["features"]
    lonlat = [p["geometry"]["coordinates"] for p in points]
    xy = subprocess.run(["gdaltransform", "-s_srs", "EPSG:4326", "-t_srs", "EPSG:2154", "-output_xy"],
                        input="".join(f"{lon} {lat}\n" for lon, lat in lonlat), capture_output=True, text=True,
                        check=True).stdout.split("\n")
    rows = []
    for p, (lon, lat), line in zip(points, lonlat, xy):
        code = commune_at(lon, lat, communes)
        if not code:
            continue  # Monaco, or the sea: not in the BPE
        x, y = map(float, line.split())
        rows.append([p["properties"]["name"] or "", code, code[:2], table[code]["nom"],
                     TYPEQU[p["properties"]["amenity"]], f"{x:.2f}", f"{y:.2f}", "2154", f"{lon:.6f}",
                     f"{lat:.6f}", "Bonne"])
    with open(os.path.join(out, "bpe23-format-fixture.csv"), "w", newline="") as f:
        w = csv.writer(f, delimiter=";")
        w.writerow(["NOMRS", "DEPCOM", "DEP", "LIBCOM", "TYPEQU", "LAMBERT_X", "LAMBERT_Y", "EPSG", "LONGITUDE",
                    "LATITUDE", "QUALITE_GEOLOC"])
        w.writerows(rows)


if __name__ == "__main__":
    data, out = sys.argv[1], sys.argv[2]
    os.makedirs(out, exist_ok=True)
    with open(os.path.join(data, "insee", "communes-06-alpes-maritimes.geojson")) as f:
        communes = json.load(f)
    with open(os.path.join(data, "insee", "communes-2026.csv"), newline="") as f:
        table = {r["code_insee"]: r for r in csv.DictReader(f)}
    admin_express(data, out, communes, table)
    bpe(data, out, communes, table)

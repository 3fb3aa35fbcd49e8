#!/usr/bin/env python3
"""Writes the chef-lieu format fixtures (tests/fixtures/chef-lieu/): IGN ADMIN EXPRESS's
CHFLIEU_COMMUNE layout (shapefile and GeoPackage editions) holding points that are NOT IGN data:
the OpenStreetMap place nodes (place=town/village, with ref:INSEE) of Beausoleil, Cap-d'Ail and
La Turbie in data/osm/monaco-riviera-2016.osm.pbf. See tests/fixtures/README.md.

Needs python3 and the GDAL and osmium command-line tools. Run from the repository root:
python3 scripts/make_chef_lieu_fixture.py
"""
import csv
import os
import subprocess
import tempfile

OUT = "tests/fixtures/chef-lieu"
OSM = "data/osm/monaco-riviera-2016.osm.pbf"
COMMUNES = "tests/fixtures/published/admin-express-cog-carto.gpkg"


def place_nodes():
    """(INSEE code, name, lon, lat) of the place nodes of the three communes, by code."""
    with tempfile.TemporaryDirectory() as tmp:
        opl = os.path.join(tmp, "places.opl")
        subprocess.run(["osmium", "tags-filter", "-o", opl, "-f", "opl", OSM, "n/place=town,village"], check=True,
                       capture_output=True)
        out = {}
        for line in open(opl, encoding="utf-8"):
            fields = line.split()
            tag_field = next((f for f in fields if f.startswith("T")), "T")
            tags = dict(t.split("=", 1) for t in tag_field[1:].split(",") if "=" in t)
            code = tags.get("ref:INSEE", "")
            if code in ("06012", "06032", "06150"):
                lon = float(fields[-2][1:])
                lat = float(fields[-1][1:])
                name = tags["name"].replace("%20%", " ")
                out[code] = (code, name, lon, lat, fields[0])
        return [out[c] for c in sorted(out)]


def main():
    os.makedirs(OUT, exist_ok=True)
    places = place_nodes()
    with tempfile.TemporaryDirectory() as tmp:
        src = os.path.join(tmp, "points.csv")
        with open(src, "w", newline="", encoding="utf-8") as f:
            w = csv.writer(f)
            w.writerow(["ID", "NOM", "INSEE_COM", "ID_COM", "lon", "lat"])
            for code, name, lon, lat, node in places:
                w.writerow([f"CHFLIEU_FIXTURE_{code}", name, code, f"COMMUNE_FIXTURE_{code}", lon, lat])
        open_options = ["-oo", "X_POSSIBLE_NAMES=lon", "-oo", "Y_POSSIBLE_NAMES=lat", "-s_srs", "EPSG:4326",
                        "-t_srs", "EPSG:2154"]
        # Shapefile edition (older ADMIN EXPRESS: INSEE_COM names the commune); La Turbie left out
        # so that a study has a commune without a chef-lieu.
        for ext in ("shp", "shx", "dbf", "prj", "cpg"):
            p = os.path.join(OUT, f"CHFLIEU_COMMUNE.{ext}")
            if os.path.exists(p):
                os.remove(p)
        subprocess.run(["ogr2ogr", "-f", "ESRI Shapefile", os.path.join(OUT, "CHFLIEU_COMMUNE.shp"), src,
                        "-nln", "CHFLIEU_COMMUNE", "-lco", "ENCODING=UTF-8",
                        "-sql", "SELECT ID, NOM, INSEE_COM FROM points WHERE INSEE_COM <> '06150'"]
                       + open_options, check=True)
        # GeoPackage edition (current ADMIN EXPRESS: ID_COM names the commune's ID): the COMMUNE
        # layer of the published-layout fixture with IDs filled in, then CHFLIEU_COMMUNE.
        gpkg = os.path.join(OUT, "admin-express-with-chefs-lieux.gpkg")
        if os.path.exists(gpkg):
            os.remove(gpkg)
        subprocess.run(["ogr2ogr", "-f", "GPKG", gpkg, COMMUNES, "-nln", "COMMUNE", "-dialect", "SQLite", "-sql",
                        "SELECT 'COMMUNE_FIXTURE_' || INSEE_COM AS ID, NOM, NOM_M, INSEE_COM, STATUT, POPULATION, "
                        "INSEE_CAN, INSEE_ARR, INSEE_DEP, INSEE_REG, SIREN_EPCI, geom FROM COMMUNE"], check=True)
        subprocess.run(["ogr2ogr", "-f", "GPKG", "-update", gpkg, src, "-nln", "CHFLIEU_COMMUNE",
                        "-sql", "SELECT ID, NOM, ID_COM FROM points"] + open_options, check=True)
    for p in places:
        print(p)


if __name__ == "__main__":
    main()

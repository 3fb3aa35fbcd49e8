#include <algorithm>
#include <cmath>
#include <cstring>
#include <fstream>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <catch2/catch.hpp>
#define GEOS_USE_ONLY_R_API
#include <geodesic.h>
#include <geos_c.h>

#include "proxima/core/error.hpp"
#include "proxima/osm/osm_features.hpp"
#include "proxima_test/fixtures.hpp"

using namespace proxima;
using Catch::Matchers::Contains;

namespace {

using Tags = std::vector<std::pair<std::string, std::string>>;

std::vector<std::string> ids_of(const std::vector<OsmFeature>& features) {
    std::vector<std::string> ids;
    for (const auto& f : features) {
        ids.push_back(f.osm_id);
    }
    return ids;
}

const OsmFeature& feature(const std::vector<OsmFeature>& features, const std::string& id) {
    const auto it = std::find_if(features.begin(), features.end(), [&](const auto& f) { return f.osm_id == id; });
    if (it == features.end()) {
        FAIL("no feature " << id);
    }
    return *it;
}

std::map<std::string, OsmFeatureIssue::Kind> issues_of(const OsmFeatureReport& report) {
    std::map<std::string, OsmFeatureIssue::Kind> out;
    for (const auto& i : report.issues) {
        out[i.osm_id] = i.kind;
    }
    return out;
}

/// Reads boundary WKB back with GEOS (independently of the code under test) and measures it on
/// the WGS84 ellipsoid with PROJ's geodesics.
class WkbCheck {
public:
    WkbCheck() : m_ctx(GEOS_init_r()) { geod_init(&m_wgs84, 6378137.0, 1 / 298.257223563); }
    ~WkbCheck() {
        for (auto* g : m_geoms) {
            GEOSGeom_destroy_r(m_ctx, g);
        }
        finishGEOS_r(m_ctx);
    }
    WkbCheck(const WkbCheck&) = delete;
    WkbCheck& operator=(const WkbCheck&) = delete;

    const GEOSGeometry* read(const std::vector<unsigned char>& wkb) {
        GEOSWKBReader* reader = GEOSWKBReader_create_r(m_ctx);
        GEOSGeometry* g = GEOSWKBReader_read_r(m_ctx, reader, wkb.data(), wkb.size());
        GEOSWKBReader_destroy_r(m_ctx, reader);
        REQUIRE(g != nullptr);
        m_geoms.push_back(g);
        return g;
    }
    bool valid(const GEOSGeometry* g) const { return GEOSisValid_r(m_ctx, g) == 1; }
    int type(const GEOSGeometry* g) const { return GEOSGeomTypeId_r(m_ctx, g); }
    int parts(const GEOSGeometry* g) const { return GEOSGetNumGeometries_r(m_ctx, g); }
    double planar_area(const GEOSGeometry* g) const {
        double a = 0;
        GEOSArea_r(m_ctx, g, &a);
        return a;
    }
    /// Area on the ellipsoid, km².
    double geodesic_km2(const GEOSGeometry* multipolygon) const {
        double m2 = 0;
        for (int p = 0; p < parts(multipolygon); ++p) {
            const GEOSGeometry* polygon = GEOSGetGeometryN_r(m_ctx, multipolygon, p);
            m2 += ring_m2(GEOSGetExteriorRing_r(m_ctx, polygon));
            for (int h = 0; h < GEOSGetNumInteriorRings_r(m_ctx, polygon); ++h) {
                m2 -= ring_m2(GEOSGetInteriorRingN_r(m_ctx, polygon, h));
            }
        }
        return m2 / 1e6;
    }

private:
    double ring_m2(const GEOSGeometry* ring) const {
        const GEOSCoordSequence* seq = GEOSGeom_getCoordSeq_r(m_ctx, ring);
        unsigned n = 0;
        GEOSCoordSeq_getSize_r(m_ctx, seq, &n);
        std::vector<double> lats(n), lons(n);
        for (unsigned i = 0; i < n; ++i) {
            GEOSCoordSeq_getXY_r(m_ctx, seq, i, &lons[i], &lats[i]);
        }
        double area = 0;
        double perimeter = 0;
        geod_polygonarea(&m_wgs84, lats.data(), lons.data(), static_cast<int>(n), &area, &perimeter);
        return std::abs(area);
    }

    GEOSContextHandle_t m_ctx;
    geod_geodesic m_wgs84{};
    std::vector<GEOSGeometry*> m_geoms;
};

} // namespace

// ---------------------------------------------------------------------------------------------
// Selectors
// ---------------------------------------------------------------------------------------------

TEST_CASE("tag selectors combine terms with & and |, lists with semicolons, * and ! negations", "[osm]") {
    const Tags hospital{{"amenity", "hospital"}, {"emergency", "yes"}, {"name", "Saint Jean"}};
    const Tags clinic{{"amenity", "clinic"}, {"healthcare", "doctor"}};
    const Tags pharmacy_no{{"amenity", "pharmacy"}, {"dispensing", "no"}};
    const Tags pharmacy{{"amenity", "pharmacy"}};
    const Tags school{{"amenity", "school"}, {"school:FR", "elementaire"}};
    const Tags cite_scolaire{{"amenity", "school"}, {"school:FR", "primaire; collège"}};
    const Tags none{};
    struct Case {
        const char* expression;
        const Tags* tags;
        bool expected;
    };
    const std::vector<Case> cases{
        {"amenity=hospital", &hospital, true},
        {"amenity=hospital", &clinic, false},
        {"amenity=hospital", &none, false},
        {"amenity=hospital & emergency=yes", &hospital, true},
        {"amenity=hospital&emergency=no", &hospital, false},
        {"amenity=doctors | healthcare=doctor", &clinic, true},
        {"amenity=doctors | healthcare=doctor", &hospital, false},
        {"amenity=hospital & emergency=no | amenity=clinic", &hospital, false},  // | binds looser
        {"amenity=hospital & emergency=no | amenity=clinic", &clinic, true},
        {"amenity=clinic | amenity=hospital & emergency=yes", &hospital, true},
        {"amenity=pharmacy & !dispensing=no", &pharmacy, true},    // key absent
        {"amenity=pharmacy & !dispensing=no", &pharmacy_no, false},
        {"amenity=pharmacy & !dispensing=yes", &pharmacy_no, true},  // other value
        {"amenity=pharmacy & !dispensing", &pharmacy, true},
        {"amenity=pharmacy & !dispensing", &pharmacy_no, false},
        {"dispensing", &pharmacy_no, true},                        // key alone: any value
        {"dispensing", &pharmacy, false},
        {"dispensing=*", &pharmacy_no, true},
        {"!dispensing=*", &pharmacy_no, false},
        {"!amenity", &none, true},
        {"amenity=school & school:FR=primaire;elementaire", &school, true},
        {"amenity=school & school:FR=primaire;maternelle", &school, false},
        {"amenity = school ; college ", &school, true},            // spaces around tokens
        {"  ! emergency = no  ", &hospital, true},
        {"name=Saint Jean", &hospital, true},                      // inner spaces kept
        {"name=saint jean", &hospital, false},                     // exact comparison
        {"amenity=Hospital", &hospital, false},
        // A tag holding several values (OSM's ';' convention) matches any of its parts.
        {"school:FR=collège", &cite_scolaire, true},
        {"school:FR=primaire;lycée", &cite_scolaire, true},
        {"school:FR=lycée", &cite_scolaire, false},
        {"!school:FR=collège", &cite_scolaire, false},
        {"school:FR=collège;lycée", &cite_scolaire, true},       // spaces around a part are ignored
        {"school:FR=maire", &cite_scolaire, false},              // parts are whole values, not substrings
    };
    for (const auto& c : cases) {
        INFO(c.expression);
        const TagSelector s = TagSelector::parse(c.expression);
        CHECK(s.expression() == c.expression);
        CHECK(s.matches(*c.tags) == c.expected);
    }
}

TEST_CASE("a parsed selector is an OR of ANDs of terms", "[osm]") {
    const TagSelector s = TagSelector::parse("amenity=school & school:FR=primaire;elementaire | !shop | a=*");
    REQUIRE(s.alternatives().size() == 3);
    REQUIRE(s.alternatives()[0].size() == 2);
    CHECK(s.alternatives()[0][1].key == "school:FR");
    CHECK(s.alternatives()[0][1].values == std::vector<std::string>{"primaire", "elementaire"});
    CHECK(s.alternatives()[1][0].negated);
    CHECK(s.alternatives()[1][0].values.empty());
    CHECK(s.alternatives()[2][0].key == "a");
    CHECK(s.alternatives()[2][0].values.empty());
}

TEST_CASE("bad selectors are refused with the expression and the character of the error", "[osm]") {
    struct Case {
        const char* expression;
        const char* where;
        const char* what;
    };
    const std::vector<Case> cases{
        {"", "character 1", "empty"},
        {"   ", "character 4", "empty"},
        {"=hospital", "character 1", "expected a key"},
        {"amenity=hospital &", "character 18", "no term after"},
        {"amenity=hospital |   ", "character 18", "no term after"},
        {"& amenity=hospital", "character 1", "no term before"},
        {"amenity=hospital | | shop=*", "character 20", "no term between"},
        {"amenity=hospital && emergency=yes", "character 19", "no term between"},
        {"amenity=", "character 8", "no value"},
        {"amenity=  & shop=*", "character 8", "no value"},
        {"amenity=school;;college", "character 16", "empty value"},
        {"amenity=school;", "character 16", "empty value"},
        {"amenity hospital", "character 9", "unexpected 'h'"},
        {"!", "character 2", "key is missing"},
        {"amenity=*;school", "character 9", "'*'"},
    };
    for (const auto& c : cases) {
        INFO(c.expression);
        REQUIRE_THROWS_AS(TagSelector::parse(c.expression), ConfigError);
        REQUIRE_THROWS_WITH(TagSelector::parse(c.expression),
                            Contains(std::string("\"") + c.expression + "\"") && Contains(c.where) && Contains(c.what));
    }
}

// ---------------------------------------------------------------------------------------------
// Features on a hand-written fixture
// ---------------------------------------------------------------------------------------------

TEST_CASE("features of every OSM shape are placed, named and sorted by id", "[osm]") {
    const std::vector<TagSelector> selectors{
        TagSelector::parse("amenity=hospital & emergency=yes"),
        TagSelector::parse("amenity=pharmacy"),
        TagSelector::parse("amenity=school"),
        TagSelector::parse("barrier=wall"),
        TagSelector::parse("amenity=hospital | amenity=school"),
        TagSelector::parse("shop=bakery"),
    };
    OsmFeatureReport report;
    const auto found = extract_osm_features(test::fixture("pois-node-way-relation.osm"), selectors, &report);
    REQUIRE(found.size() == selectors.size());

    // A node: its own location.
    REQUIRE(ids_of(found[0]) == std::vector<std::string>{"node/1"});
    CHECK(found[0][0].name == "Hôpital Nord");
    CHECK(found[0][0].position == LonLat{0.005, 0.010});

    // Closed ways: centroid of the polygon, or a point on its surface when the centroid is outside.
    REQUIRE(ids_of(found[1]) == std::vector<std::string>{"way/10", "way/40", "way/60"});
    const auto& rectangle = feature(found[1], "way/10");
    CHECK(rectangle.name == "Pharmacie du Centre");
    CHECK(rectangle.position.lon == Approx(0.002).margin(1e-9));
    CHECK(rectangle.position.lat == Approx(0.001).margin(1e-9));
    const auto& u_shape = feature(found[1], "way/40").position;
    const bool in_bar = u_shape.lat > 0 && u_shape.lat < 0.002 && u_shape.lon > 0.020 && u_shape.lon < 0.026;
    const bool in_arm = u_shape.lat > 0 && u_shape.lat < 0.006 &&
                        ((u_shape.lon > 0.020 && u_shape.lon < 0.022) || (u_shape.lon > 0.024 && u_shape.lon < 0.026));
    CHECK((in_bar || in_arm));
    const auto& bow_tie = feature(found[1], "way/60").position;  // invalid polygon: mean of its nodes
    CHECK(bow_tie.lon == Approx(0.051).margin(1e-9));
    CHECK(bow_tie.lat == Approx(0.001).margin(1e-9));

    // A multipolygon relation with a hole: area-weighted centroid.
    REQUIRE(ids_of(found[2]) == std::vector<std::string>{"relation/30"});
    CHECK(found[2][0].name == "École Jules Ferry");
    CHECK(found[2][0].position.lon == Approx(0.013125).margin(1e-9));
    CHECK(found[2][0].position.lat == Approx(0.003125).margin(1e-9));

    // Open ways: halfway along their length.
    REQUIRE(ids_of(found[3]) == std::vector<std::string>{"way/50", "way/56"});
    CHECK(found[3][0].name.empty());
    CHECK(found[3][0].position.lon == Approx(0.0305).margin(1e-7));
    CHECK(found[3][0].position.lat == Approx(0.003).margin(1e-9));
    CHECK(found[3][1].position.lon == Approx(0.041).margin(1e-9));  // node 9999 missing
    CHECK(found[3][1].position.lat == Approx(0.010).margin(1e-9));

    // An object matching several selectors is in each list; nodes sort before relations.
    CHECK(ids_of(found[4]) == std::vector<std::string>{"node/1", "relation/30"});
    CHECK(found[5].empty());
}

TEST_CASE("objects that cannot be placed exactly are reported, those without a position skipped", "[osm]") {
    const std::vector<TagSelector> selectors{TagSelector::parse("amenity"), TagSelector::parse("barrier=wall")};
    OsmFeatureReport report;
    report.nodes_matched = 99;  // overwritten
    const auto found = extract_osm_features(test::fixture("pois-node-way-relation.osm"), selectors, &report);
    CHECK(report.nodes_matched == 2);      // hospital, café
    CHECK(report.ways_matched == 5);       // pharmacies 10, 40, 60; walls 50, 56
    CHECK(report.relations_matched == 3);  // school 30, hospital site 70, cut school 71
    REQUIRE(report.issues.size() == 4);
    CHECK(report.issues[0].osm_id == "way/56");  // sorted like the features
    const auto issues = issues_of(report);
    CHECK(issues.at("way/56") == OsmFeatureIssue::Kind::partial_location);
    CHECK(issues.at("way/60") == OsmFeatureIssue::Kind::area_not_assembled);
    CHECK(issues.at("relation/70") == OsmFeatureIssue::Kind::relation_not_area);
    CHECK(issues.at("relation/71") == OsmFeatureIssue::Kind::relation_incomplete);
    CHECK(report.skipped() == 2);
    CHECK(ids_of(found[0]) == std::vector<std::string>{"node/1", "node/2", "way/10", "way/40", "way/60", "relation/30"});
    CHECK(std::string(to_string(OsmFeatureIssue::Kind::relation_incomplete)).find("missing") != std::string::npos);

    SECTION("the report is optional") {
        CHECK(extract_osm_features(test::fixture("pois-node-way-relation.osm"), selectors).size() == 2);
    }
}

// ---------------------------------------------------------------------------------------------
// Boundaries on a hand-written fixture
// ---------------------------------------------------------------------------------------------

TEST_CASE("administrative boundaries are assembled from ways, cut ones are listed as broken", "[osm]") {
    WkbCheck check;
    const OsmBoundaries level8 = extract_admin_boundaries(test::fixture("admin-boundaries.osm"), 8);
    std::vector<std::string> ids;
    for (const auto& b : level8.boundaries) {
        ids.push_back(b.osm_id);
    }
    // way 141 is a member of relation 140: not a boundary of its own.
    REQUIRE(ids == std::vector<std::string>{"way/130", "relation/100", "relation/140", "relation/150"});
    CHECK(level8.broken == std::vector<std::string>{"relation/110"});
    CHECK(level8.repaired.empty());

    const OsmBoundary& a = level8.boundaries[1];
    CHECK(a.name == "Commune A");
    CHECK(a.ref == "99001");  // ref:INSEE wins over ref
    CHECK(level8.boundaries[0].name == "Commune C");
    CHECK(level8.boundaries[0].ref == "99003");
    CHECK(level8.boundaries[2].name == "Commune D");

    // Little-endian ISO WKB MultiPolygon (type 6), valid, of the expected planar areas.
    for (const auto& b : level8.boundaries) {
        INFO(b.osm_id);
        REQUIRE(b.wkb.size() > 9);
        CHECK(b.wkb[0] == 1);
        CHECK(b.wkb[1] == 6);
        const GEOSGeometry* g = check.read(b.wkb);
        CHECK(check.type(g) == GEOS_MULTIPOLYGON);
        CHECK(check.valid(g));
    }
    CHECK(check.planar_area(check.read(a.wkb)) == Approx(1e-4).epsilon(1e-9));
    const GEOSGeometry* e = check.read(level8.boundaries[3].wkb);
    CHECK(check.parts(e) == 2);  // cut in two by the hole touching two corners
    CHECK(check.planar_area(e) == Approx(0.4e-4).epsilon(1e-9));
    // 0.01 deg x 0.01 deg at the equator: 1.1132 km x 1.1057 km.
    CHECK(check.geodesic_km2(check.read(a.wkb)) == Approx(1.2308).epsilon(1e-3));

    const OsmBoundaries level6 = extract_admin_boundaries(test::fixture("admin-boundaries.osm"), 6);
    REQUIRE(level6.boundaries.size() == 1);
    CHECK(level6.boundaries[0].osm_id == "relation/120");
    CHECK(level6.boundaries[0].name == "Département");
    CHECK(level6.boundaries[0].ref == "99");  // no ref:INSEE: ref
    CHECK(level6.broken.empty());

    CHECK(extract_admin_boundaries(test::fixture("admin-boundaries.osm"), 4).boundaries.empty());
    CHECK_THROWS_AS(extract_admin_boundaries(test::fixture("admin-boundaries.osm"), 0), ConfigError);
}

// ---------------------------------------------------------------------------------------------
// Real extracts. Expected figures checked independently with osmium-tool 1.15:
//   osmium tags-filter -R <file> nwr/<tag> -f opl -o -   (counted by object type)
//   osmium export (polygons) | ogr2ogr -t_srs EPSG:3035 | ogrinfo -dialect SQLite ST_Area
// ---------------------------------------------------------------------------------------------

TEST_CASE("Andorra: hospitals with emergency=yes and pharmacies", "[osm]") {
    const std::vector<TagSelector> selectors{TagSelector::parse("amenity=hospital & emergency=yes"),
                                             TagSelector::parse("amenity=pharmacy")};
    OsmFeatureReport report;
    const auto found = extract_osm_features(test::data_file("osm/andorra-2021.osm.pbf"), selectors, &report);
    // The only object tagged emergency=yes in this extract (2021-10-28) is the Meritxell hospital,
    // a building outline. The other amenity=hospital objects (7 nodes) carry no emergency tag.
    REQUIRE(found[0].size() == 1);
    CHECK(found[0][0].osm_id == "way/194554955");
    CHECK(found[0][0].name == "Hospital de Nostra Senyora de Meritxell");
    // Its outline spans lon 1.53345-1.53446, lat 42.51108-42.51195 (Escaldes-Engordany).
    CHECK(found[0][0].position.lon == Approx(1.5339).margin(0.0006));
    CHECK(found[0][0].position.lat == Approx(42.5115).margin(0.0005));
    // osmium-tool: 30 nodes, no way, no relation.
    CHECK(found[1].size() == 30);
    CHECK(std::all_of(found[1].begin(), found[1].end(), [](const auto& f) { return f.osm_id.rfind("node/", 0) == 0; }));
    CHECK(std::is_sorted(found[1].begin(), found[1].end(), [](const auto& x, const auto& y) {
        return std::stoll(x.osm_id.substr(5)) < std::stoll(y.osm_id.substr(5));
    }));
    CHECK(report.issues.empty());
}

TEST_CASE("Andorra: the seven parishes are valid polygons covering about 468 km2", "[osm]") {
    const OsmBoundaries parishes = extract_admin_boundaries(test::data_file("osm/andorra-2021.osm.pbf"), 7);
    WkbCheck check;
    std::vector<std::string> names;
    double total_km2 = 0;
    for (const auto& b : parishes.boundaries) {
        INFO(b.name);
        names.push_back(b.name);
        const GEOSGeometry* g = check.read(b.wkb);
        CHECK(check.type(g) == GEOS_MULTIPOLYGON);
        CHECK(check.valid(g));
        const double km2 = check.geodesic_km2(g);
        CHECK(km2 > 20);
        CHECK(km2 < 120);
        total_km2 += km2;
    }
    std::sort(names.begin(), names.end());
    CHECK(names == std::vector<std::string>{"Andorra la Vella", "Canillo", "Encamp", "Escaldes-Engordany",
                                            "La Massana", "Ordino", "Sant Julià de Lòria"});
    // osmium export + LAEA (EPSG:3035) gives 465.51 km² for the seven, as for the country
    // relation 9407; the official figure is 468 km².
    CHECK(total_km2 == Approx(465.51).epsilon(0.002));
    CHECK(total_km2 == Approx(468).epsilon(0.03));
    CHECK(parishes.repaired.empty());
    // Neighbours cut by the extract: French arrondissements Foix and Prades, Catalan comarques
    // Cerdanya, Alt Urgell and Pallars Sobirà (most member ways are missing).
    CHECK(parishes.broken == std::vector<std::string>{"relation/2172304", "relation/2767884", "relation/2805972",
                                                      "relation/2810001", "relation/2810705"});
}

TEST_CASE("Monaco and the Riviera: pharmacies and the communes inside the extract", "[osm]") {
    const auto found = extract_osm_features(test::data_file("osm/monaco-riviera-2016.osm.pbf"),
                                            {TagSelector::parse("amenity=pharmacy")});
    // osmium-tool: 23 nodes, no way, no relation.
    REQUIRE(found.size() == 1);
    CHECK(found[0].size() == 23);
    CHECK(feature(found[0], "node/3258188565").name == "Pharmacie de la Turbie");

    const OsmBoundaries communes = extract_admin_boundaries(test::data_file("osm/monaco-riviera-2016.osm.pbf"), 8);
    std::map<std::string, std::string> ref_by_name;
    WkbCheck check;
    std::map<std::string, double> km2;
    for (const auto& b : communes.boundaries) {
        ref_by_name[b.name] = b.ref;
        const GEOSGeometry* g = check.read(b.wkb);
        CHECK(check.valid(g));
        km2[b.name] = check.geodesic_km2(g);
    }
    CHECK(ref_by_name == std::map<std::string, std::string>{
                             {"Beausoleil", "06012"}, {"Cap-d'Ail", "06032"}, {"La Turbie", "06150"}, {"Monaco", ""}});
    // osmium export + LAEA: 2.784, 2.123, 7.382 and 2.339 km².
    CHECK(km2["Beausoleil"] == Approx(2.784).epsilon(0.003));
    CHECK(km2["Cap-d'Ail"] == Approx(2.123).epsilon(0.003));
    CHECK(km2["La Turbie"] == Approx(7.382).epsilon(0.003));
    CHECK(km2["Monaco"] == Approx(2.339).epsilon(0.003));
    // Menton, Roquebrune-Cap-Martin, Èze, La Trinité, Peille, Peillon, Drap: their ways are in
    // the file but cut at the edge of the box (node locations missing).
    CHECK(communes.broken.size() == 7);
}

// ---------------------------------------------------------------------------------------------
// Bad input
// ---------------------------------------------------------------------------------------------

TEST_CASE("unreadable extracts are refused with a message naming the file", "[osm]") {
    const std::vector<TagSelector> selectors{TagSelector::parse("amenity=pharmacy")};
    test::TempDir dir("osm-features");
    SECTION("missing file") {
        REQUIRE_THROWS_AS(extract_osm_features(dir.path() / "nope.osm.pbf", selectors), InputError);
        REQUIRE_THROWS_WITH(extract_admin_boundaries(dir.path() / "nope.osm.pbf", 8),
                            Contains("nope.osm.pbf") && Contains("does not exist"));
    }
    SECTION("a folder") {
        REQUIRE_THROWS_AS(extract_osm_features(dir.path(), selectors), InputError);
    }
    SECTION("not a PBF") {
        const auto path = dir.path() / "text.osm.pbf";
        std::ofstream(path) << "this is not an OpenStreetMap file\n";
        REQUIRE_THROWS_AS(extract_osm_features(path, selectors), InputError);
        REQUIRE_THROWS_WITH(extract_admin_boundaries(path, 8), Contains("text.osm.pbf"));
    }
    SECTION("ways out of order") {
        const auto path = dir.path() / "unsorted.osm";
        std::ofstream(path) << R"(<?xml version="1.0" encoding="UTF-8"?>
<osm version="0.6" generator="hand">
  <node id="1" lat="0" lon="0" version="1"/>
  <node id="2" lat="0" lon="0.001" version="1"/>
  <node id="3" lat="0.001" lon="0.001" version="1"/>
  <way id="20" version="1"><nd ref="1"/><nd ref="2"/></way>
  <way id="10" version="1"><nd ref="2"/><nd ref="3"/></way>
  <relation id="5" version="1"><member type="way" ref="10" role="outer"/><member type="way" ref="20" role="outer"/>
    <tag k="type" v="multipolygon"/><tag k="amenity" v="school"/></relation>
</osm>
)";
        REQUIRE_THROWS_AS(extract_osm_features(path, {TagSelector::parse("amenity=school")}), InputError);
        REQUIRE_THROWS_WITH(extract_osm_features(path, {TagSelector::parse("amenity=school")}),
                            Contains("unsorted.osm") && Contains("osmium sort"));
    }
}

TEST_CASE("features and boundaries read together equal the two separate reads", "[osm]") {
    const auto extract = proxima::test::data_file("osm/andorra-2021.osm.pbf");
    const std::vector<proxima::TagSelector> selectors = {proxima::TagSelector::parse("amenity=pharmacy"),
                                                         proxima::TagSelector::parse("amenity=hospital & emergency=yes")};
    const auto both = proxima::extract_osm_features_and_boundaries(extract, selectors, 7);
    const auto features = proxima::extract_osm_features(extract, selectors);
    const auto boundaries = proxima::extract_admin_boundaries(extract, 7);
    REQUIRE(both.features.size() == features.size());
    for (std::size_t i = 0; i < features.size(); ++i) {
        REQUIRE(both.features[i].size() == features[i].size());
        for (std::size_t k = 0; k < features[i].size(); ++k) {
            CHECK(both.features[i][k].osm_id == features[i][k].osm_id);
            CHECK(both.features[i][k].position == features[i][k].position);
        }
    }
    REQUIRE(both.boundaries.boundaries.size() == boundaries.boundaries.size());
    for (std::size_t i = 0; i < boundaries.boundaries.size(); ++i) {
        CHECK(both.boundaries.boundaries[i].osm_id == boundaries.boundaries[i].osm_id);
        CHECK(both.boundaries.boundaries[i].wkb == boundaries.boundaries[i].wkb);
    }
    CHECK(both.boundaries.broken == boundaries.broken);
}

#include <algorithm>
#include <cmath>
#include <fstream>
#include <numbers>
#include <sstream>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "proxima/core/error.hpp"
#include "proxima/territory/facilities.hpp"
#include "proxima_test/fixtures.hpp"

using namespace proxima;
using Catch::Matchers::Contains;

namespace {

/// Reference positions of the fixtures' rows: hand-picked WGS84 lon/lat that were converted to
/// the file's CRS with GDAL 3.6.2 / PROJ 9.1 (`echo "lon lat" | gdaltransform -s_srs EPSG:4326
/// -t_srs EPSG:<crs> -output_xy`) and written to the fixture, rounded to the centimetre; see
/// tests/fixtures/README.md. Reading must give these lon/lat back.
struct Expected {
    int line;
    const char* type;
    const char* commune;
    double lon;
    double lat;
};

/// Ground distance in metres between two nearby WGS84 positions (equirectangular; good to far
/// better than 1 % over a few metres).
double metres_between(LonLat a, LonLat b) {
    constexpr double metres_per_degree = 111'195.0;  // mean Earth radius 6371 km
    const double dx = (a.lon - b.lon) * std::cos((a.lat + b.lat) / 2 * std::numbers::pi / 180) * metres_per_degree;
    const double dy = (a.lat - b.lat) * metres_per_degree;
    return std::hypot(dx, dy);
}

/// Independent UTF-8 check for the tests: decode each sequence and reject malformed, overlong,
/// surrogate and out-of-range ones.
bool is_utf8(const std::string& s) {
    std::size_t i = 0;
    while (i < s.size()) {
        const auto c = static_cast<unsigned char>(s[i]);
        std::size_t length = 0;
        char32_t cp = 0;
        if (c < 0x80) {
            ++i;
            continue;
        }
        if ((c & 0xE0) == 0xC0) {
            length = 2, cp = c & 0x1F;
        } else if ((c & 0xF0) == 0xE0) {
            length = 3, cp = c & 0x0F;
        } else if ((c & 0xF8) == 0xF0) {
            length = 4, cp = c & 0x07;
        } else {
            return false;
        }
        if (i + length > s.size()) {
            return false;
        }
        for (std::size_t k = 1; k < length; ++k) {
            const auto d = static_cast<unsigned char>(s[i + k]);
            if ((d & 0xC0) != 0x80) {
                return false;
            }
            cp = (cp << 6) | (d & 0x3F);
        }
        const char32_t smallest[] = {0, 0, 0x80, 0x800, 0x10000};
        if (cp < smallest[length] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
            return false;
        }
        i += length;
    }
    return true;
}

/// UTF-8 text whose characters are all below U+0100 → the same text in Latin-1 bytes.
std::string to_latin1(const std::string& utf8) {
    std::string out;
    for (std::size_t i = 0; i < utf8.size(); ++i) {
        const auto c = static_cast<unsigned char>(utf8[i]);
        if (c < 0x80) {
            out += utf8[i];
        } else {
            REQUIRE((c == 0xC2 || c == 0xC3));
            REQUIRE(i + 1 < utf8.size());
            out += static_cast<char>(((c & 0x03) << 6) | (static_cast<unsigned char>(utf8[++i]) & 0x3F));
        }
    }
    return out;
}

std::string slurp(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

void write_bytes(const std::filesystem::path& path, const std::string& bytes) {
    std::ofstream(path, std::ios::binary) << bytes;
}

const Facility& facility(const FacilityReadResult& result, const std::string& id) {
    for (const auto& f : result.facilities) {
        if (f.id == id) {
            return f;
        }
    }
    FAIL("no facility " << id);
    return result.facilities.front();
}

std::vector<std::string> ids_of(const FacilityReadResult& result) {
    std::vector<std::string> ids;
    for (const auto& f : result.facilities) {
        ids.push_back(f.id);
    }
    return ids;
}

void check_same_facilities(const FacilityReadResult& a, const FacilityReadResult& b) {
    CHECK(a.rows_read == b.rows_read);
    REQUIRE(a.facilities.size() == b.facilities.size());
    for (std::size_t i = 0; i < a.facilities.size(); ++i) {
        CHECK(a.facilities[i].id == b.facilities[i].id);
        CHECK(a.facilities[i].name == b.facilities[i].name);
        CHECK(a.facilities[i].type == b.facilities[i].type);
        CHECK(a.facilities[i].commune_code == b.facilities[i].commune_code);
        CHECK(a.facilities[i].position == b.facilities[i].position);
    }
    REQUIRE(a.unplaced.size() == b.unplaced.size());
    for (std::size_t i = 0; i < a.unplaced.size(); ++i) {
        CHECK(a.unplaced[i].reason == b.unplaced[i].reason);
        CHECK(a.unplaced[i].type == b.unplaced[i].type);
        CHECK(a.unplaced[i].commune_code == b.unplaced[i].commune_code);
    }
}

const std::filesystem::path bpe2021 = test::fixture("bpe-format-fixture-2021.csv");
const std::filesystem::path bpe2023 = test::fixture("bpe-format-fixture-2023-epsg.csv");

} // namespace

TEST_CASE("every geolocated row of the 2021-layout BPE fixture comes back at its lon/lat within 1 m",
          "[facilities][territory]") {
    const FacilityReadResult result = read_bpe_csv(bpe2021, {});
    const std::vector<Expected> expected = {
        {2, "D101", "48095", 3.4873, 44.5225},   {3, "B203", "46042", 1.4412, 44.4473},
        {4, "D301", "46042", 1.4405, 44.4495},   {6, "D301", "2A004", 8.7380, 41.9193},
        {7, "D301", "97411", 55.4500, -20.8790}, {8, "B203", "97209", -61.0700, 14.6045},
        {9, "C104", "97302", -52.3250, 4.9365},
    };
    CHECK(result.rows_read == 8);
    REQUIRE(result.facilities.size() == expected.size());
    for (const auto& e : expected) {
        const std::string id = "bpe:" + std::to_string(e.line);
        INFO(id);
        const Facility& f = facility(result, id);
        CHECK(f.type == e.type);
        CHECK(f.commune_code == e.commune);
        CHECK(f.name == std::string(e.type) + " " + e.commune);
        CHECK(f.source == bpe2021.string() + ":" + std::to_string(e.line));
        CHECK(metres_between(f.position, {e.lon, e.lat}) < 1.0);
    }
    REQUIRE(result.unplaced.size() == 1);
    CHECK(result.unplaced[0].where == bpe2021.string() + ":5");
    CHECK(result.unplaced[0].reason == "no coordinates");
    CHECK(result.unplaced[0].type == "A203");
    CHECK(result.unplaced[0].commune_code == "46042");
}

TEST_CASE("the BPE23+ layout takes each row's CRS from its EPSG column and the name from NOMRS",
          "[facilities][territory]") {
    const FacilityReadResult result = read_bpe_csv(bpe2023, {});
    const std::vector<Expected> expected = {
        {2, "D307", "48095", 3.5000, 44.5180},   {3, "D265", "97411", 55.4520, -20.8820},
        {4, "B207", "97611", 45.2280, -12.7810}, {5, "D307", "97105", -61.7270, 16.0000},
        {7, "F103", "97302", -52.3100, 4.9300},
    };
    CHECK(result.rows_read == 6);
    REQUIRE(result.facilities.size() == expected.size());
    for (const auto& e : expected) {
        const std::string id = "bpe:" + std::to_string(e.line);
        INFO(id);
        const Facility& f = facility(result, id);
        CHECK(f.type == e.type);
        CHECK(f.commune_code == e.commune);
        CHECK(metres_between(f.position, {e.lon, e.lat}) < 1.0);
    }
    CHECK(facility(result, "bpe:2").name == "Pharmacie de la Cathédrale");
    CHECK(facility(result, "bpe:3").name == "Cabinet médical du Barachois");
    // Empty NOMRS: type and commune code, then the commune's label.
    CHECK(facility(result, "bpe:7").name == "F103 97302 Cayenne");
    REQUIRE(result.unplaced.size() == 1);
    CHECK(result.unplaced[0].where == bpe2023.string() + ":6");
    CHECK(result.unplaced[0].type == "F307");
}

TEST_CASE("filtering by type keeps those rows, and reports unplaced rows of those types only",
          "[facilities][territory]") {
    SECTION("pharmacies") {
        const auto result = read_bpe_csv(bpe2021, {"D301"});
        CHECK(ids_of(result) == std::vector<std::string>{"bpe:4", "bpe:6", "bpe:7"});
        CHECK(result.unplaced.empty());
        CHECK(result.rows_read == 8);
    }
    SECTION("two types") {
        const auto result = read_bpe_csv(bpe2021, {"B203", "C104"});
        CHECK(ids_of(result) == std::vector<std::string>{"bpe:3", "bpe:8", "bpe:9"});
    }
    SECTION("a type whose only row has no coordinates") {
        const auto result = read_bpe_csv(bpe2021, {"A203"});
        CHECK(result.facilities.empty());
        REQUIRE(result.unplaced.size() == 1);
        CHECK(result.unplaced[0].type == "A203");
    }
    SECTION("a type absent from the file") {
        const auto result = read_bpe_csv(bpe2021, {"F101"});
        CHECK(result.facilities.empty());
        CHECK(result.unplaced.empty());
    }
    SECTION("a nomenclature holding every code of the file is accepted") {
        const auto result = read_bpe_csv(bpe2021, {}, {"A203", "B203", "C104", "D101", "D301", "F101"});
        CHECK(result.facilities.size() == 7);
    }
}

TEST_CASE("a TYPEQU outside the nomenclature is refused with file, line, code and a hint about the year",
          "[facilities][territory]") {
    // B203 (line 3) is missing; the check applies to every row, even rows not asked for.
    REQUIRE_THROWS_WITH(read_bpe_csv(bpe2021, {"D301"}, {"A203", "C104", "D101", "D301"}),
                        Contains(bpe2021.string() + ":3") && Contains("'B203'") && Contains("nomenclature") &&
                            Contains("year"));
}

TEST_CASE("a CP1252/Latin-1 BPE file is read, and the labels kept are UTF-8", "[facilities][territory]") {
    test::TempDir dir("bpe-latin1");
    SECTION("accented labels, and œ which only CP1252 has") {
        const auto path = dir.path() / "bpe-latin1.csv";
        // "Pharmacie de la Cathédrale", "École du Cœur de Lozère" and "Lozère" in CP1252 bytes.
        write_bytes(path,
                    "TYPEQU;DEPCOM;DEP;LAMBERT_X;LAMBERT_Y;NOMRS;LIBCOM\n"
                    "D307;48095;48;739738.43;6380007.31;Pharmacie de la Cath\xE9"
                    "drale;Mende\n"
                    "C104;48095;48;738726.00;6380500.87;\xC9"
                    "cole du C\x9C"
                    "ur de Loz\xE8"
                    "re;Mende\n"
                    "C104;48095;48;738726.00;6380500.87;;Loz\xE8"
                    "re\n");
        const auto result = read_bpe_csv(path, {});
        REQUIRE(result.facilities.size() == 3);
        CHECK(result.facilities[0].name == "Pharmacie de la Cathédrale");
        CHECK(result.facilities[1].name == "École du Cœur de Lozère");
        CHECK(result.facilities[2].name == "C104 48095 Lozère");
        for (const auto& f : result.facilities) {
            CHECK(is_utf8(f.name));
        }
        CHECK(metres_between(result.facilities[0].position, {3.5000, 44.5180}) < 1.0);
    }
    SECTION("the 2021 fixture in Latin-1 reads as the UTF-8 one") {
        const std::string utf8 = slurp(bpe2021);
        const std::string latin1 = to_latin1(utf8);
        REQUIRE(latin1 != utf8);  // the fixture holds accents ("Non géolocalisé")
        REQUIRE_FALSE(is_utf8(latin1));
        const auto path = dir.path() / "bpe21_latin1.csv";
        write_bytes(path, latin1);
        check_same_facilities(read_bpe_csv(path, {}), read_bpe_csv(bpe2021, {}));
    }
    SECTION("a bad Latin-1 value is quoted in UTF-8 in the message") {
        const auto path = dir.path() / "bpe-bad.csv";
        write_bytes(path, "TYPEQU;DEPCOM;LAMBERT_X;LAMBERT_Y\nD307;48095;\xE9t\xE9;6380007.31\n");
        REQUIRE_THROWS_WITH(read_bpe_csv(path, {}), Contains("LAMBERT_X 'été' is not a number"));
    }
}

TEST_CASE("a comma-separated BPE file is read the same as the semicolon one", "[facilities][territory]") {
    test::TempDir dir("bpe-comma");
    for (const auto& fixture : {bpe2021, bpe2023}) {
        INFO(fixture.string());
        std::string text = slurp(fixture);
        REQUIRE(text.find(',') == std::string::npos);
        std::replace(text.begin(), text.end(), ';', ',');
        const auto path = dir.path() / fixture.filename();
        write_bytes(path, text);
        check_same_facilities(read_bpe_csv(path, {}), read_bpe_csv(fixture, {}));
    }
}

TEST_CASE("without DEP or EPSG the CRS comes from DEPCOM, and a decimal comma is read as a point",
          "[facilities][territory]") {
    test::TempDir dir("bpe-depcom");
    const auto path = dir.path() / "bpe.csv";
    write_bytes(path,
                "typequ;depcom;lambert_x;lambert_y\n"  // lower-cased names, as some exports write them
                "D301;97411;338766.10;7690466.27\n"
                "D301;48095;\"738726,00\";6380500,87\n"
                "D301;2A004;1176617.00;6108280.76\n"
                "B207;97611;524746.19;8587071.57\n"
                "D307;97105;636209.84;1769352.51\n"
                "F103;97302;354752.94;545069.33\n");
    const auto result = read_bpe_csv(path, {});
    REQUIRE(result.facilities.size() == 6);
    CHECK(metres_between(result.facilities[0].position, {55.4500, -20.8790}) < 1.0);  // 974: UTM 40S
    CHECK(metres_between(result.facilities[1].position, {3.4873, 44.5225}) < 1.0);    // Lambert-93
    CHECK(metres_between(result.facilities[2].position, {8.7380, 41.9193}) < 1.0);    // 2A: Lambert-93
    CHECK(metres_between(result.facilities[3].position, {45.2280, -12.7810}) < 1.0);  // 976: UTM 38S
    CHECK(metres_between(result.facilities[4].position, {-61.7270, 16.0000}) < 1.0);  // 971: UTM 20N
    CHECK(metres_between(result.facilities[5].position, {-52.3100, 4.9300}) < 1.0);   // 973: UTM 22N
}

TEST_CASE("bad BPE rows are refused with the file, the line, the value and the CRS", "[facilities][territory]") {
    test::TempDir dir("bpe-errors");
    const auto path = dir.path() / "bpe.csv";
    const std::string at2 = path.string() + ":2";
    const std::string header = "TYPEQU;DEPCOM;DEP;LAMBERT_X;LAMBERT_Y\n";
    const std::string good = "D301;48095;48;739738.43;6380007.31\n";
    SECTION("non-numeric LAMBERT_X") {
        write_bytes(path, header + "D301;48095;48;abc;6380007.31\n");
        REQUIRE_THROWS_AS(read_bpe_csv(path, {}), InputError);
        REQUIRE_THROWS_WITH(read_bpe_csv(path, {}),
                            Contains(at2 + ": LAMBERT_X 'abc' is not a number") && Contains("EPSG:2154"));
    }
    SECTION("non-numeric LAMBERT_Y, on line 3") {
        write_bytes(path, header + good + "D301;48095;48;739738.43;6 380 007\n");
        REQUIRE_THROWS_WITH(read_bpe_csv(path, {}),
                            Contains(path.string() + ":3: LAMBERT_Y '6 380 007' is not a number"));
    }
    SECTION("metropolitan coordinates on a 974 row") {
        write_bytes(path, header + good + "D301;97411;974;739738.43;6380007.31\n");
        REQUIRE_THROWS_WITH(read_bpe_csv(path, {}), Contains(path.string() + ":3") && Contains("739738.43") &&
                                                        Contains("EPSG:2975") && Contains("DEP 974") &&
                                                        Contains("area of use"));
    }
    SECTION("swapped columns") {
        write_bytes(path, header + "D301;48095;48;6380007.31;739738.43\n");
        REQUIRE_THROWS_WITH(read_bpe_csv(path, {}),
                            Contains(at2) && Contains("6380007.31") && Contains("EPSG:2154") && Contains("swapped"));
    }
    SECTION("lon/lat degrees in the Lambert columns") {
        write_bytes(path, header + "D301;48095;48;3.5;44.518\n");
        REQUIRE_THROWS_WITH(read_bpe_csv(path, {}), Contains(at2) && Contains("EPSG:2154") && Contains("area of use"));
    }
    SECTION("an EPSG column contradicting the coordinates") {
        write_bytes(path, "TYPEQU;DEPCOM;LAMBERT_X;LAMBERT_Y;EPSG\nD301;48095;739738.43;6380007.31;2975\n");
        REQUIRE_THROWS_WITH(read_bpe_csv(path, {}), Contains(at2) && Contains("EPSG:2975") &&
                                                        Contains("given by the EPSG column"));
    }
    SECTION("an EPSG code PROJ does not know") {
        write_bytes(path, "TYPEQU;DEPCOM;LAMBERT_X;LAMBERT_Y;EPSG\nD301;48095;739738.43;6380007.31;99999\n");
        REQUIRE_THROWS_WITH(read_bpe_csv(path, {}), Contains(at2) && Contains("EPSG 99999"));
    }
    SECTION("an EPSG value that is not a code") {
        write_bytes(path, "TYPEQU;DEPCOM;LAMBERT_X;LAMBERT_Y;EPSG\nD301;48095;739738.43;6380007.31;Lambert93\n");
        REQUIRE_THROWS_WITH(read_bpe_csv(path, {}), Contains(at2) && Contains("'Lambert93' is not an EPSG code"));
    }
    SECTION("an overseas département without a documented CRS") {
        write_bytes(path, header + "D301;97502;975;560000;5200000\n");
        REQUIRE_THROWS_WITH(read_bpe_csv(path, {}), Contains(at2) && Contains("DEP 975") && Contains("EPSG column"));
    }
    SECTION("a missing coordinate column") {
        write_bytes(path, "TYPEQU;DEPCOM;LAMBERT_X\nD301;48095;739738.43\n");
        REQUIRE_THROWS_WITH(read_bpe_csv(path, {}), Contains(path.string()) && Contains("no column LAMBERT_Y") &&
                                                        Contains("TYPEQU, DEPCOM, LAMBERT_X"));
    }
    SECTION("an empty TYPEQU") {
        write_bytes(path, header + ";48095;48;739738.43;6380007.31\n");
        REQUIRE_THROWS_WITH(read_bpe_csv(path, {}), Contains(at2) && Contains("empty TYPEQU"));
    }
    SECTION("a header and no row") {
        write_bytes(path, header);
        REQUIRE_THROWS_WITH(read_bpe_csv(path, {}), Contains("no row"));
    }
    SECTION("a missing file") {
        REQUIRE_THROWS_WITH(read_bpe_csv(dir.path() / "none.csv", {}), Contains("does not exist"));
    }
}

TEST_CASE("points from a lon/lat CSV keep their ids, names and exact positions", "[facilities][territory]") {
    test::TempDir dir("points-4326");
    const auto path = dir.path() / "sites.csv";
    write_bytes(path,
                "id,name,lon,lat\n"
                "mairie,Mairie de Mende,3.4994,44.5181\n"
                "gare,Gare de Cahors,1.4336,44.4486\n"
                "nowhere,Sans position,,\n");
    PointFileOptions options;
    options.crs = "EPSG:4326";
    const auto result = read_point_file(path, options);
    CHECK(result.rows_read == 3);
    REQUIRE(result.facilities.size() == 2);
    const Facility& mairie = result.facilities[0];
    CHECK(mairie.id == "mairie");
    CHECK(mairie.name == "Mairie de Mende");
    CHECK(mairie.type.empty());
    CHECK(mairie.commune_code.empty());
    CHECK(mairie.source == path.string() + ":2");
    CHECK(mairie.position.lon == Approx(3.4994).margin(1e-9));
    CHECK(mairie.position.lat == Approx(44.5181).margin(1e-9));
    CHECK(result.facilities[1].id == "gare");
    REQUIRE(result.unplaced.size() == 1);
    CHECK(result.unplaced[0].where == path.string() + ":4");
    CHECK(result.unplaced[0].reason == "no coordinates");
}

TEST_CASE("points from a Lambert-93 CSV are converted to lon/lat, with ids from the file name and line",
          "[facilities][territory]") {
    test::TempDir dir("points-2154");
    const auto path = dir.path() / "pharmacies.csv";
    // Same positions as lines 2 and 4 of the BPE fixtures (see tests/fixtures/README.md).
    write_bytes(path,
                "x;y;nom;kind\n"
                "739738.43;6380007.31;Pharmacie de Mende;D307\n"
                "575912.80;6373497.55;Pharmacie de Cahors;D301\n");
    PointFileOptions options;
    options.crs = "EPSG:2154";
    options.type_field = "kind";
    const auto result = read_point_file(path, options);
    REQUIRE(result.facilities.size() == 2);
    CHECK(result.facilities[0].id == "pharmacies:2");
    CHECK(result.facilities[0].name == "Pharmacie de Mende");
    CHECK(result.facilities[0].type == "D307");
    CHECK(metres_between(result.facilities[0].position, {3.5000, 44.5180}) < 1.0);
    CHECK(result.facilities[1].id == "pharmacies:3");
    CHECK(metres_between(result.facilities[1].position, {1.4405, 44.4495}) < 1.0);

    SECTION("Latin-1 names") {
        write_bytes(path, "x;y;nom;kind\n739738.43;6380007.31;Pharmacie de la Cath\xE9" "drale;D307\n");
        const auto latin1 = read_point_file(path, options);
        REQUIRE(latin1.facilities.size() == 1);
        CHECK(latin1.facilities[0].name == "Pharmacie de la Cathédrale");
    }
    SECTION("named columns") {
        write_bytes(path, "code;E;N\nP1;739738.43;6380007.31\n");
        options = {};
        options.crs = "EPSG:2154";
        options.x_field = "E";
        options.y_field = "N";
        options.id_field = "code";
        const auto named = read_point_file(path, options);
        REQUIRE(named.facilities.size() == 1);
        CHECK(named.facilities[0].id == "P1");
        CHECK(metres_between(named.facilities[0].position, {3.5000, 44.5180}) < 1.0);
    }
}

TEST_CASE("bad point CSVs are refused with the file, the line and the fix", "[facilities][territory]") {
    test::TempDir dir("points-errors");
    const auto path = dir.path() / "points.csv";
    PointFileOptions options;
    options.crs = "EPSG:2154";
    SECTION("no CRS given for a CSV") {
        write_bytes(path, "x,y\n739738.43,6380007.31\n");
        options.crs.clear();
        REQUIRE_THROWS_AS(read_point_file(path, options), ConfigError);
        REQUIRE_THROWS_WITH(read_point_file(path, options),
                            Contains(path.string()) && Contains("give the CRS of x/y, e.g. EPSG:2154"));
    }
    SECTION("a CRS that is not one") {
        write_bytes(path, "x,y\n739738.43,6380007.31\n");
        options.crs = "EPSG:999999";
        REQUIRE_THROWS_AS(read_point_file(path, options), ConfigError);
        REQUIRE_THROWS_WITH(read_point_file(path, options), Contains("EPSG:999999"));
    }
    SECTION("degrees declared as Lambert-93") {
        write_bytes(path, "id,lon,lat\na,3.4994,44.5181\n");
        REQUIRE_THROWS_AS(read_point_file(path, options), InputError);
        REQUIRE_THROWS_WITH(read_point_file(path, options), Contains(path.string() + ":2") && Contains("3.4994") &&
                                                                Contains("EPSG:2154") && Contains("area of use"));
    }
    SECTION("a non-numeric coordinate") {
        options.crs = "EPSG:4326";
        write_bytes(path, "id,lon,lat\na,3.4994,44.5181\nb,3.5,north\n");
        REQUIRE_THROWS_WITH(read_point_file(path, options),
                            Contains(path.string() + ":3: lat 'north' is not a number"));
    }
    SECTION("an id given twice") {
        options.crs = "EPSG:4326";
        write_bytes(path, "id,lon,lat\na,3.4994,44.5181\na,3.5,44.5\n");
        REQUIRE_THROWS_WITH(read_point_file(path, options), Contains(path.string() + ":3") && Contains("twice"));
    }
    SECTION("no coordinate column") {
        write_bytes(path, "id,easting,northing\na,739738.43,6380007.31\n");
        REQUIRE_THROWS_WITH(read_point_file(path, options),
                            Contains("no x column") && Contains("easting, northing"));
    }
    SECTION("a named column that is not there") {
        write_bytes(path, "id,x,y\na,739738.43,6380007.31\n");
        options.type_field = "kind";
        REQUIRE_THROWS_WITH(read_point_file(path, options), Contains("no column kind"));
    }
}

TEST_CASE("points from GeoJSON use the file's CRS, lines and undefined CRSs are refused", "[facilities][territory]") {
    test::TempDir dir("points-vector");
    const PointFileOptions options;  // no CRS: vector files carry theirs
    auto geojson = [&](const std::string& name, const std::string& features, const std::string& crs = "") {
        const auto path = dir.path() / name;
        write_bytes(path, "{\"type\":\"FeatureCollection\"," + crs + "\"features\":[" + features + "]}");
        return path;
    };
    SECTION("WGS84, with ids, names and a feature without geometry") {
        const auto path = geojson("sites.geojson",
                                  R"({"type":"Feature","properties":{"id":"mairie","nom":"Mairie de Mende"},)"
                                  R"("geometry":{"type":"Point","coordinates":[3.4994,44.5181]}},)"
                                  R"({"type":"Feature","properties":{"id":"vide","nom":"?"},"geometry":null},)"
                                  R"({"type":"Feature","properties":{"id":"gare","nom":"Gare"},)"
                                  R"("geometry":{"type":"MultiPoint","coordinates":[[1.4336,44.4486]]}})");
        const auto result = read_point_file(path, options);
        CHECK(result.rows_read == 3);
        REQUIRE(result.facilities.size() == 2);
        CHECK(result.facilities[0].id == "mairie");
        CHECK(result.facilities[0].name == "Mairie de Mende");
        CHECK(result.facilities[0].source == path.string() + ":feature 0");
        CHECK(result.facilities[0].position.lon == Approx(3.4994).margin(1e-9));
        CHECK(result.facilities[0].position.lat == Approx(44.5181).margin(1e-9));
        CHECK(result.facilities[1].id == "gare");  // a multipoint of one point
        CHECK(result.facilities[1].position.lon == Approx(1.4336).margin(1e-9));
        REQUIRE(result.unplaced.size() == 1);
        CHECK(result.unplaced[0].where == path.string() + ":feature 1");
        CHECK(result.unplaced[0].reason == "no geometry");
    }
    SECTION("Lambert-93, ids from the file name and feature id") {
        const auto path = geojson("l93.geojson",
                                  R"({"type":"Feature","properties":{},)"
                                  R"("geometry":{"type":"Point","coordinates":[739738.43,6380007.31]}})",
                                  R"("crs":{"type":"name","properties":{"name":"urn:ogc:def:crs:EPSG::2154"}},)");
        const auto result = read_point_file(path, options);
        REQUIRE(result.facilities.size() == 1);
        CHECK(result.facilities[0].id == "l93:0");
        CHECK(metres_between(result.facilities[0].position, {3.5000, 44.5180}) < 1.0);
    }
    SECTION("Lambert-93 coordinates in a WGS84 file") {
        const auto path = geojson("wrong.geojson",
                                  R"({"type":"Feature","properties":{},)"
                                  R"("geometry":{"type":"Point","coordinates":[739738.43,6380007.31]}})");
        REQUIRE_THROWS_WITH(read_point_file(path, options),
                            Contains(path.string() + ":feature 0") && Contains("EPSG:4326") && Contains("area of use"));
    }
    SECTION("a line among the points") {
        const auto path = geojson("mixed.geojson",
                                  R"({"type":"Feature","properties":{},)"
                                  R"("geometry":{"type":"Point","coordinates":[3.4994,44.5181]}},)"
                                  R"({"type":"Feature","properties":{},)"
                                  R"("geometry":{"type":"LineString","coordinates":[[3.49,44.51],[3.5,44.52]]}})");
        REQUIRE_THROWS_AS(read_point_file(path, options), InputError);
        REQUIRE_THROWS_WITH(read_point_file(path, options),
                            Contains(path.string() + ":feature 1") && Contains("LINESTRING") &&
                                Contains("not a point"));
    }
    SECTION("a layer without CRS") {
        // An OGR VRT over a CSV declares no CRS unless told to.
        write_bytes(dir.path() / "raw.csv", "x,y\n739738.43,6380007.31\n");
        const auto path = dir.path() / "raw.vrt";
        write_bytes(path, R"(<OGRVRTDataSource><OGRVRTLayer name="raw">)"
                          R"(<SrcDataSource relativeToVRT="1">raw.csv</SrcDataSource>)"
                          R"(<GeometryType>wkbPoint</GeometryType>)"
                          R"(<GeometryField encoding="PointFromColumns" x="x" y="y"/>)"
                          R"(</OGRVRTLayer></OGRVRTDataSource>)");
        REQUIRE_THROWS_AS(read_point_file(path, options), InputError);
        REQUIRE_THROWS_WITH(read_point_file(path, options), Contains(path.string()) && Contains("undefined CRS"));
    }
    SECTION("a missing file") {
        REQUIRE_THROWS_WITH(read_point_file(dir.path() / "none.gpkg", options), Contains("does not exist"));
    }
}

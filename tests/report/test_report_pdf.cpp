// report.pdf from a report built by hand: pagination of long tables, same bytes twice, errors.

#include <atomic>
#include <cstdio>
#include <cstring>
#include <fstream>

#include <catch2/catch.hpp>
#include <fmt/format.h>

#include "proxima/core/error.hpp"
#include "proxima/report/report_pdf.hpp"
#include "proxima_test/fixtures.hpp"

using namespace proxima;

namespace {

/// A square polygon as little-endian WKB, in Lambert-93 metres.
std::vector<unsigned char> square_wkb(double x, double y, double side) {
    std::vector<unsigned char> wkb;
    const auto put_u32 = [&](std::uint32_t v) {
        for (int i = 0; i < 4; ++i) {
            wkb.push_back(static_cast<unsigned char>(v >> (8 * i)));
        }
    };
    const auto put_f64 = [&](double v) {
        unsigned char b[8];
        std::memcpy(b, &v, 8);
        wkb.insert(wkb.end(), b, b + 8);
    };
    wkb.push_back(1);
    put_u32(3);  // Polygon
    put_u32(1);
    put_u32(5);
    for (const auto& [px, py] : {std::pair{x, y}, {x + side, y}, {x + side, y + side}, {x, y + side}, {x, y}}) {
        put_f64(px);
        put_f64(py);
    }
    return wkb;
}

PdfReport report_with_zones(std::size_t zones_over) {
    PdfReport r;
    r.manifest.proxima_version = "0.0.0-test";
    r.manifest.study.name = "Étude d'essai";
    r.manifest.study.file = "essai.toml";
    r.manifest.inputs = {{"essai.osm.pbf", std::string(64, 'a')}};
    r.manifest.warnings = {"un avertissement tel qu'écrit"};
    PdfServicePage page;
    page.service.id = "urgences";
    page.service.label = "Service d'urgences";
    page.service.threshold_min = 30;
    page.service.facilities = 1;
    page.service.population = 10000;
    page.service.population_over = 3063;
    page.service.share_over = 0.3063;
    page.bands.population = {5000, 1000, 937, 2000, 1063, 0, 0};
    page.map.crs = "EPSG:2154";
    page.map.title = "Temps d'accès en voiture : Service d'urgences";
    page.map.zones.push_back({square_wkb(650000, 6860000, 10000), 12.0, false});
    page.map.zones.push_back({square_wkb(660000, 6860000, 10000), 41.0, false});
    page.map.threshold_min = 30;
    for (std::size_t i = 0; i < zones_over; ++i) {
        page.zones_over.push_back({std::to_string(10000 + i), "Commune " + std::to_string(i), 1000, 30, 0.03});
    }
    r.manifest.services.push_back(page.service);
    r.services.push_back(std::move(page));
    return r;
}

std::size_t pages_of(const std::string& pdf) {
    std::size_t n = 0;
    for (std::size_t at = pdf.find("/Type /Page"); at != std::string::npos; at = pdf.find("/Type /Page", at + 1)) {
        n += pdf.compare(at, 12, "/Type /Pages") != 0;
    }
    return n;
}

} // namespace

TEST_CASE("report.pdf: a short table stays on the service's page", "[report][pdf]") {
    test::TempDir dir("report-pdf-short");
    write_report_pdf(report_with_zones(3), dir.path() / "report.pdf");
    CHECK(pages_of(test::read_text(dir.path() / "report.pdf")) == 4);  // cover, summary, service, provenance
}

TEST_CASE("report.pdf: a long table continues over pages, and the same report gives the same bytes",
          "[report][pdf]") {
    test::TempDir dir("report-pdf-long");
    write_report_pdf(report_with_zones(200), dir.path() / "a.pdf");
    write_report_pdf(report_with_zones(200), dir.path() / "b.pdf");
    const std::string a = test::read_text(dir.path() / "a.pdf");
    CHECK(a == test::read_text(dir.path() / "b.pdf"));
    // 200 rows of about 17 pt: the map's page and then about 40 rows a page.
    CHECK(pages_of(a) >= 8);
    CHECK(a.find("/Subtype /Image") == std::string::npos);
    CHECK(a.find("/CreationDate") == std::string::npos);
}

TEST_CASE("report.pdf: a map of a région's many places goes in as an image, a small one stays vectors",
          "[report][pdf]") {
    test::TempDir dir("report-pdf-heavy");
    const auto with_places = [](std::size_t n) {
        PdfReport r = report_with_zones(3);
        for (std::size_t i = 0; i < n; ++i) {  // a lattice over the two squares
            r.services[0].map.places.push_back({650000.0 + 20000.0 * static_cast<double>(i % 100) / 100.0,
                                                6860000.0 + 10000.0 * static_cast<double>(i / 100) / 61.0,
                                                static_cast<double>(i % 50), 10.0});
        }
        return r;
    };
    write_report_pdf(with_places(5000), dir.path() / "vectors.pdf");
    write_report_pdf(with_places(6000), dir.path() / "image.pdf");
    write_report_pdf(with_places(6000), dir.path() / "image2.pdf");
    const std::string vectors = test::read_text(dir.path() / "vectors.pdf");
    const std::string image = test::read_text(dir.path() / "image.pdf");
    CHECK(vectors.find("/Subtype /Image") == std::string::npos);
    CHECK(image.find("/Subtype /Image") != std::string::npos);
    CHECK(image == test::read_text(dir.path() / "image2.pdf"));  // an image page is as reproducible
    CHECK(pages_of(image) == 4);

    // The run's own PNG of that map is taken rather than drawn again; a missing one is named.
    PdfReport from_png = with_places(6000);
    from_png.services[0].map_png = dir.path() / "no-such-map.png";
    try {
        write_report_pdf(from_png, dir.path() / "png.pdf");
        FAIL("a missing map PNG was not reported");
    } catch (const OutputError& e) {
        CHECK_THAT(e.what(), Catch::Contains("no-such-map.png"));
    }
    CHECK_FALSE(std::filesystem::exists(dir.path() / "png.pdf"));
    {
        std::ofstream(dir.path() / "not-a-map.png") << "not a PNG file";
        from_png.services[0].map_png = dir.path() / "not-a-map.png";
        CHECK_THROWS_WITH(write_report_pdf(from_png, dir.path() / "png.pdf"),
                          Catch::Contains("not-a-map.png") && Catch::Contains("not a PNG file"));
        CHECK_FALSE(std::filesystem::exists(dir.path() / "png.pdf"));
    }
    render_map_png(from_png.services[0].map, dir.path() / "map.png", MapOptions{});
    from_png.services[0].map_png = dir.path() / "map.png";
    write_report_pdf(from_png, dir.path() / "png.pdf");
    const std::string png_pdf = test::read_text(dir.path() / "png.pdf");
    CHECK(png_pdf.find("/Subtype /Image") != std::string::npos);
    // Embedded at the report's 200 dpi, not at the PNG's 2 000 px.
    const auto width_at = png_pdf.find("/Width ");
    REQUIRE(width_at != std::string::npos);
    const int width = std::stoi(png_pdf.substr(width_at + 7, 8));
    CHECK(width < 2000);
    CHECK(width > 1000);
}

TEST_CASE("report.pdf: scenes made page by page on demand give the same bytes as scenes held", "[report][pdf]") {
    test::TempDir dir("report-pdf-on-demand");
    // Two pages: a light map (vectors) and a heavy one (an image, made ahead on another thread).
    PdfReport held = report_with_zones(3);
    PdfServicePage heavy = held.services[0];
    heavy.service.id = "pharmacie";
    for (std::size_t i = 0; i < 6000; ++i) {
        heavy.map.places.push_back({650000.0 + 20000.0 * static_cast<double>(i % 100) / 100.0,
                                    6860000.0 + 10000.0 * static_cast<double>(i / 100) / 61.0,
                                    static_cast<double>(i % 50), 10.0});
    }
    held.manifest.services.push_back(heavy.service);
    held.services.push_back(heavy);

    PdfReport on_demand = held;
    std::atomic<int> made{0};
    for (auto& page : on_demand.services) {
        page.make_map = [scene = page.map, &made] {
            ++made;
            return scene;
        };
        page.map = MapScene{};  // nothing held: every use must go through make_map
    }
    for (const int threads : {1, 2}) {
        made = 0;
        write_report_pdf(held, dir.path() / "held.pdf", threads);
        write_report_pdf(on_demand, dir.path() / "on_demand.pdf", threads);
        const std::string a = test::read_text(dir.path() / "held.pdf");
        CHECK(a.find("/Subtype /Image") != std::string::npos);  // the heavy page's path was taken
        CHECK(a == test::read_text(dir.path() / "on_demand.pdf"));
        // Each page's scene once per pass: the drawing pass knows from the counting pass which
        // map is an image and where it goes (at a national size, a scene is millions of places).
        CHECK(made == 4);
    }
    // A heavy map with its PNG needs its scene once only: the counting pass learns it is heavy;
    // the drawing pass takes the PNG.
    render_map_png(held.services[1].map, dir.path() / "heavy.png", MapOptions{});
    held.services[1].map_png = dir.path() / "heavy.png";
    on_demand.services[1].map_png = dir.path() / "heavy.png";
    for (const int threads : {1, 2}) {
        made = 0;
        write_report_pdf(held, dir.path() / "held.pdf", threads);
        write_report_pdf(on_demand, dir.path() / "on_demand.pdf", threads);
        CHECK(test::read_text(dir.path() / "held.pdf") == test::read_text(dir.path() / "on_demand.pdf"));
        CHECK(made == 3);
    }
}

TEST_CASE("report.pdf: content with a map missing is a caller's bug", "[report][pdf]") {
    RunManifest m;
    m.services.resize(2);
    CHECK_THROWS_AS(pdf_report_content(m, StudyResults{}, std::vector<MapScene>(1)), Error);
}

TEST_CASE("report.pdf: an unwritable folder is an OutputError naming the file", "[report][pdf]") {
    CHECK_THROWS_AS(write_report_pdf(report_with_zones(1), "/nonexistent-folder/report.pdf"), OutputError);
}

TEST_CASE("report.pdf: maps taken from their PNG or drawn, made pages ahead, make the same bytes as on one thread",
          "[report][pdf]") {
    test::TempDir dir("report-pdf-ahead");
    // Four services whose maps are too heavy for vectors, each with its own PNG (different
    // times, so that a page given another's image would show).
    PdfReport r = report_with_zones(3);
    for (std::size_t i = 0; i < 6000; ++i) {
        r.services[0].map.places.push_back({650000.0 + 20000.0 * static_cast<double>(i % 100) / 100.0,
                                            6860000.0 + 10000.0 * static_cast<double>(i / 100) / 61.0,
                                            static_cast<double>(i % 50), 10.0});
    }
    const PdfServicePage first = r.services[0];
    r.services.clear();
    r.manifest.services.clear();
    for (int k = 0; k < 4; ++k) {
        PdfServicePage page = first;
        page.service.id = "s" + std::to_string(k);
        page.map.zones[0].minutes = 5.0 + 15.0 * k;
        page.map_png = dir.path() / (page.service.id + ".png");
        render_map_png(page.map, page.map_png, MapOptions{});
        r.manifest.services.push_back(page.service);
        r.services.push_back(std::move(page));
    }
    write_report_pdf(r, dir.path() / "one.pdf", 1);
    write_report_pdf(r, dir.path() / "ahead.pdf", 2);
    const std::string one = test::read_text(dir.path() / "one.pdf");
    CHECK(one == test::read_text(dir.path() / "ahead.pdf"));
    std::size_t images = 0;
    for (std::size_t at = one.find("/Subtype /Image"); at != std::string::npos; at = one.find("/Subtype /Image", at + 1)) {
        ++images;
    }
    CHECK(images == 4);  // four different images, none shared between pages

    // Without their PNGs (run --no-maps), the heavy maps are drawn ahead on other threads, and
    // a light map between them stays vectors on its page: the same bytes on 1, 2 and 4 threads.
    PdfReport drawn = r;
    for (auto& page : drawn.services) {
        page.map_png.clear();
    }
    drawn.services[1].map.places.resize(10);
    write_report_pdf(drawn, dir.path() / "drawn-one.pdf", 1);
    write_report_pdf(drawn, dir.path() / "drawn-two.pdf", 2);
    write_report_pdf(drawn, dir.path() / "drawn-four.pdf", 4);
    const std::string drawn_one = test::read_text(dir.path() / "drawn-one.pdf");
    CHECK(drawn_one == test::read_text(dir.path() / "drawn-two.pdf"));
    CHECK(drawn_one == test::read_text(dir.path() / "drawn-four.pdf"));
    std::size_t drawn_images = 0;
    for (std::size_t at = drawn_one.find("/Subtype /Image"); at != std::string::npos;
         at = drawn_one.find("/Subtype /Image", at + 1)) {
        ++drawn_images;
    }
    CHECK(drawn_images == 3);
    CHECK(pages_of(drawn_one) == pages_of(one));

    // A PNG whose header is right and whose pixels are cut short fails only when it is read,
    // ahead, on the other thread: it is named, and nothing is written.
    const std::string whole = test::read_text(r.services[3].map_png);
    std::ofstream(r.services[3].map_png, std::ios::binary | std::ios::trunc) << whole.substr(0, 200);
    CHECK_THROWS_WITH(write_report_pdf(r, dir.path() / "broken.pdf", 2),
                      Catch::Contains("s3.png") && Catch::Contains("cannot read the map"));
    CHECK_FALSE(std::filesystem::exists(dir.path() / "broken.pdf"));
}

namespace {

/// Runs a command; its standard output.
std::string output_of(const std::string& command) {
    std::string out;
    FILE* pipe = popen(command.c_str(), "r");
    REQUIRE(pipe != nullptr);
    char buffer[4096];
    for (std::size_t n = 0; (n = std::fread(buffer, 1, sizeof buffer, pipe)) > 0;) {
        out.append(buffer, n);
    }
    INFO("'" << command << "' failed: pdftotext comes with poppler-utils (scripts/install-deps.sh)");
    REQUIRE(pclose(pipe) == 0);
    return out;
}

} // namespace

TEST_CASE("report.pdf: the cover names a dozen input files and counts the rest, on one page", "[report][pdf]") {
    test::TempDir dir("report-pdf-cover");
    PdfReport r = report_with_zones(3);
    for (int i = 1; i <= 100; ++i) {
        r.manifest.inputs.push_back({fmt::format("sites/s{:03}.csv", i), std::string(64, 'b')});
    }
    const auto pdf = dir.path() / "report.pdf";
    write_report_pdf(r, pdf);
    const std::string cover = output_of("pdftotext -f 1 -l 1 '" + pdf.string() + "' -");
    CHECK(cover.find("s001.csv") != std::string::npos);
    CHECK(cover.find("s011.csv") != std::string::npos);
    CHECK(cover.find("s012.csv") == std::string::npos);
    CHECK(cover.find("et 89 autres fichiers") != std::string::npos);
    CHECK(cover.find("page « Provenance »") != std::string::npos);  // the cover's last sentence
    CHECK(output_of("pdftotext -f 2 -l 2 '" + pdf.string() + "' -").find("Synthèse par service") != std::string::npos);
    CHECK(output_of("pdftotext '" + pdf.string() + "' -").find("s100.csv") != std::string::npos);  // provenance
}

TEST_CASE("report.pdf: text that continues on a new page keeps its size", "[report][pdf]") {
    // 150 warnings fill the provenance pages; the first line of each new page used to be drawn
    // in the footer's 7.5 pt.
    test::TempDir dir("report-pdf-sizes");
    PdfReport r = report_with_zones(3);
    r.manifest.warnings.clear();
    for (int i = 0; i < 150; ++i) {
        r.manifest.warnings.push_back(fmt::format("avertissement numéro {}", i));
    }
    const auto pdf = dir.path() / "report.pdf";
    write_report_pdf(r, pdf);
    const std::string words = output_of("pdftotext -bbox '" + pdf.string() + "' -");
    std::vector<double> heights;
    for (std::size_t at = words.find("<word "); at != std::string::npos; at = words.find("<word ", at + 1)) {
        const std::size_t end = words.find("</word>", at);
        const std::string word = words.substr(at, end - at);
        if (!word.ends_with(">avertissement")) {  // not the cover's "avertissements"
            continue;
        }
        const auto attribute = [&](const char* name) {
            const std::size_t p = word.find(std::string(name) + "=\"");
            return std::stod(word.substr(p + std::strlen(name) + 2));
        };
        heights.push_back(attribute("yMax") - attribute("yMin"));
    }
    REQUIRE(heights.size() == 150);
    for (const double h : heights) {
        CHECK(h == Approx(heights.front()).margin(0.01));
    }
}

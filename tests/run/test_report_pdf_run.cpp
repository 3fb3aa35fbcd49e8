// report.pdf as `proxima run` writes it for the bundled Andorra study. Its text, fonts and images
// are read back with poppler's tools in tests/cli/test_report_pdf_cli.sh; here, what the bytes
// alone tell.

#include <fstream>
#include <sstream>

#include <catch2/catch.hpp>

#include "proxima/run/run_study.hpp"
#include "proxima_test/fixtures.hpp"
#include "proxima_test/outputs.hpp"

using namespace proxima;

namespace {

std::string bytes_of(const std::filesystem::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

/// Occurrences of `needle` in `text`, whole words: "/Type /Page" does not count "/Type /Pages".
std::size_t count_objects(const std::string& text, const std::string& needle) {
    std::size_t n = 0;
    for (std::size_t at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) {
        const std::size_t end = at + needle.size();
        if (end < text.size() && std::isalnum(static_cast<unsigned char>(text[end])) == 0) {
            ++n;
        }
    }
    return n;
}

} // namespace

TEST_CASE("run writes report.pdf: cover, summary, a page per service, provenance, same bytes twice", "[run][pdf]") {
    test::TempDir dir("run-report-pdf");
    const StudyFile study = test::andorra_study(dir.path());
    RunOptions options;
    options.output_dir = dir.path() / "first";
    const RunSummary first = run_study(study, options);
    options.output_dir = dir.path() / "second";  // the graph is read from its cache this time
    run_study(study, options);

    const std::string pdf = bytes_of(dir.path() / "first" / "report.pdf");
    REQUIRE(pdf.size() > 1000);
    CHECK(pdf.rfind("%PDF-", 0) == 0);
    CHECK(pdf.find("%%EOF") != std::string::npos);
    const auto manifest = test::read_json(dir.path() / "first" / "run.json");
    const std::size_t services = manifest.at("services").size();
    CHECK(services == 7);
    CHECK(count_objects(pdf, "/Type /Page") == services + 3);
    // Maps as vectors: not one raster image in the document.
    CHECK(pdf.find("/Subtype /Image") == std::string::npos);
    // The fonts are embedded (a TrueType program per font), and no clock is recorded.
    CHECK(count_objects(pdf, "/FontFile2") >= 2);
    CHECK(pdf.find("/CreationDate") == std::string::npos);
    CHECK(pdf == bytes_of(dir.path() / "second" / "report.pdf"));
    CHECK(std::find(first.files.begin(), first.files.end(), "report.pdf") != first.files.end());
    const auto outputs = manifest.at("outputs");
    CHECK(std::find(outputs.begin(), outputs.end(), "report.pdf") != outputs.end());
}

TEST_CASE("run without pdf writes no report.pdf and does not list it", "[run][pdf]") {
    test::TempDir dir("run-no-pdf");
    RunOptions options;
    options.output_dir = dir.path() / "out";
    options.pdf = false;
    options.maps = false;
    const RunSummary summary = run_study(test::andorra_study(dir.path()), options);
    CHECK_FALSE(std::filesystem::exists(dir.path() / "out" / "report.pdf"));
    CHECK(std::find(summary.files.begin(), summary.files.end(), "report.pdf") == summary.files.end());
    CHECK(std::filesystem::exists(dir.path() / "out" / "report.html"));
}

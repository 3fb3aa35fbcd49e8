#include "proxima/report/layer_writer.hpp"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <iterator>
#include <limits>
#include <memory>
#include <set>
#include <system_error>
#include <unistd.h>

#include <cpl_error.h>
#include <fmt/format.h>
#include <gdal.h>
#include <ogr_api.h>
#include <ogr_spatialref.h>
#include <ogr_srs_api.h>
#include <sqlite3.h>

#include "core/gdal_handles.hpp"
#include "core/geopackage_sql.hpp"
#include "proxima/core/atomic_file.hpp"
#include "proxima/core/error.hpp"

namespace proxima {

namespace {

using detail::QuietGdalErrors;
using detail::gdal_detail;
using detail::gdal_failed;
using detail::sql_quoted;

using detail::DatasetPtr;
using detail::FeaturePtr;
using detail::SrsPtr;
using detail::TransformPtr;

using detail::FieldDefnPtr;
using detail::GeometryPtr;

/// GeoPackage (SQLite) table and column names compare without case: "Code" and "code" clash.
std::string folded(const std::string& name) {
    std::string out = name;
    for (char& c : out) {
        if (c >= 'A' && c <= 'Z') {
            c = static_cast<char>(c - 'A' + 'a');
        }
    }
    return out;
}

const char* type_name(OutputField::Type type) {
    switch (type) {
    case OutputField::Type::integer: return "integer";
    case OutputField::Type::real: return "real";
    case OutputField::Type::text: return "text";
    }
    return "?";
}

/// Index of the FieldValue alternative a field of this type holds (0 = NULL fits every field).
std::size_t value_index(OutputField::Type type) {
    switch (type) {
    case OutputField::Type::integer: return 1;
    case OutputField::Type::real: return 2;
    case OutputField::Type::text: return 3;
    }
    return 0;
}

const char* value_kind(const FieldValue& v) {
    switch (v.index()) {
    case 0: return "NULL";
    case 1: return "an integer";
    case 2: return "a real";
    default: return "a text";
    }
}

std::string layer_label(const OutputLayer& layer) {
    return layer.name.empty() ? std::string("unnamed layer") : fmt::format("layer '{}'", layer.name);
}

std::string row_label(const OutputLayer& layer, std::size_t row) {
    return fmt::format("{}, row {} of {}", layer_label(layer), row + 1, layer.row_count());
}

/// One value of the right type per field, finite reals.
void check_row(const OutputLayer& layer, std::size_t i, const std::vector<FieldValue>& row) {
    if (row.size() != layer.fields.size()) {
        throw Error(fmt::format("{}: {} values for {} fields", row_label(layer, i), row.size(), layer.fields.size()));
    }
    for (std::size_t j = 0; j < row.size(); ++j) {
        const auto& field = layer.fields[j];
        if (row[j].index() != 0 && row[j].index() != value_index(field.type)) {
            throw Error(fmt::format("{}: field '{}' is {} but holds {}", row_label(layer, i), field.name,
                                    type_name(field.type), value_kind(row[j])));
        }
        if (const double* d = std::get_if<double>(&row[j]); d != nullptr && !std::isfinite(*d)) {
            throw Error(fmt::format("{}: field '{}' holds {}; write NULL (std::monostate) for a missing value",
                                    row_label(layer, i), field.name, *d));
        }
    }
}

/// The rows of a layer in order, held or made on demand (the references returned by values()
/// and wkb() stay valid until the next load()). Made rows are checked as they come.
class RowSource {
public:
    /// `geometry` false: rows without their geometry (wkb() stays empty for made rows).
    RowSource(const OutputLayer& layer, bool geometry) : m_layer(layer), m_geometry(geometry) {}
    [[nodiscard]] std::size_t size() const { return m_layer.row_count(); }
    void load(std::size_t i) {
        m_row = i;
        if (m_layer.make_row) {
            m_values.clear();
            m_wkb.clear();
            m_layer.make_row(i, m_values, m_geometry ? &m_wkb : nullptr);
            check_row(m_layer, i, m_values);
        }
    }
    [[nodiscard]] const std::vector<FieldValue>& values() const {
        return m_layer.make_row ? m_values : m_layer.rows[m_row];
    }
    [[nodiscard]] const std::vector<unsigned char>& wkb() const { return m_layer.make_row ? m_wkb : m_layer.wkb[m_row]; }

private:
    const OutputLayer& m_layer;
    bool m_geometry;
    std::size_t m_row = 0;
    std::vector<FieldValue> m_values;
    std::vector<unsigned char> m_wkb;
};

/// Checks what the caller built (a program error if wrong, hence plain Error): names, one value
/// of the right type per field, finite reals, one geometry per row when the layer has geometry.
/// Rows made on demand are checked as they are made (RowSource).
void check_layer(const OutputLayer& layer, bool with_geometry) {
    const std::string what = layer_label(layer);
    std::set<std::string> names;
    for (const auto& field : layer.fields) {
        if (field.name.empty()) {
            throw Error(fmt::format("{}: a field has an empty name", what));
        }
        if (!names.insert(folded(field.name)).second) {
            throw Error(fmt::format("{}: field name '{}' appears twice (names are compared ignoring case)", what,
                                    field.name));
        }
    }
    if (layer.make_row) {
        if (!layer.rows.empty() || !layer.wkb.empty()) {
            throw Error(fmt::format("{} makes its rows on demand but also holds {} rows and {} geometries", what,
                                    layer.rows.size(), layer.wkb.size()));
        }
        return;
    }
    for (std::size_t i = 0; i < layer.rows.size(); ++i) {
        check_row(layer, i, layer.rows[i]);
    }
    if (!with_geometry) {
        return;
    }
    if (layer.geometry == OutputLayer::Geometry::none && !layer.wkb.empty()) {
        throw Error(fmt::format("{} has no geometry column but {} geometries were given", what, layer.wkb.size()));
    }
    if (layer.geometry != OutputLayer::Geometry::none && layer.wkb.size() != layer.rows.size()) {
        throw Error(fmt::format("{}: {} geometries for {} rows; give one WKB per row (empty for no geometry)", what,
                                layer.wkb.size(), layer.rows.size()));
    }
}

/// The same checks as AtomicFile: a folder, a device or a missing folder is refused up front.
void check_output_path(const std::filesystem::path& target) {
    std::error_code ec;
    if (std::filesystem::is_directory(target, ec)) {
        throw OutputError(fmt::format("cannot write '{}': it is a folder; give a file name", target.string()));
    }
    if (std::filesystem::exists(target, ec) && !std::filesystem::is_regular_file(target, ec)) {
        throw OutputError(fmt::format("cannot write '{}': it exists and is not a regular file; choose another name",
                                      target.string()));
    }
    const auto parent = target.parent_path();
    if (!parent.empty() && !std::filesystem::is_directory(parent, ec)) {
        throw OutputError(fmt::format("cannot write '{}': folder '{}' does not exist; create it first",
                                      target.string(), parent.string()));
    }
}

SrsPtr output_srs(const std::string& crs) {
    if (crs.empty()) {
        throw ConfigError("no output coordinate reference system given; use e.g. EPSG:2154 (Lambert-93)");
    }
    SrsPtr srs(OSRNewSpatialReference(nullptr));
    auto* h = static_cast<OGRSpatialReferenceH>(srs.get());
    // OSRSetFromUserInput, limited: a CRS string is a name or a definition, never a file to read
    // or a URL to fetch (GDAL 3.6 has no C function taking options).
    const char* const options[] = {"ALLOW_NETWORK_ACCESS=NO", "ALLOW_FILE_ACCESS=NO", nullptr};
    CPLErrorReset();
    if (OGRSpatialReference::FromHandle(h)->SetFromUserInput(crs.c_str(), options) != OGRERR_NONE) {
        const char* why = CPLGetLastErrorMsg();
        throw ConfigError(fmt::format("output CRS '{}' is not a coordinate reference system GDAL/PROJ knows{}; "
                                      "give it as EPSG:<code>, e.g. EPSG:2154 for Lambert-93",
                                      crs, why != nullptr && *why != '\0' ? fmt::format(" ({})", why) : ""));
    }
    OSRSetAxisMappingStrategy(h, OAMS_TRADITIONAL_GIS_ORDER);  // x = easting/longitude, whatever EPSG says
    return srs;
}

TransformPtr from_wgs84(OGRSpatialReferenceH target, const std::string& crs) {
    SrsPtr wgs84(OSRNewSpatialReference(nullptr));
    auto* w = static_cast<OGRSpatialReferenceH>(wgs84.get());
    if (OSRImportFromEPSG(w, 4326) != OGRERR_NONE) {
        throw ConfigError(fmt::format("cannot set up WGS84 (EPSG:4326): is PROJ's database installed? ({})",
                                      gdal_detail()));
    }
    OSRSetAxisMappingStrategy(w, OAMS_TRADITIONAL_GIS_ORDER);  // our WKB is lon/lat
    CPLErrorReset();
    TransformPtr t(OCTNewCoordinateTransformation(w, target));  // clones both SRS
    if (!t) {
        throw ConfigError(fmt::format("cannot convert WGS84 coordinates to output CRS '{}': {}", crs, gdal_detail()));
    }
    return t;
}

/// A GeoPackage being written under "<target>.tmp-<pid>". commit() closes it, checking GDAL's
/// verdict, and renames it onto the target; otherwise the destructor closes it and removes it
/// with SQLite's side files (-journal, -wal, -shm). The target is never touched before commit().
class TemporaryGeoPackage {
public:
    TemporaryGeoPackage(GDALDriverH driver, std::filesystem::path target) : m_target(std::move(target)) {
        m_tmp = m_target;
        m_tmp += fmt::format(".tmp-{}", ::getpid());
        remove_files();  // a leftover of a killed run with the same pid would be reopened by SQLite
        CPLErrorReset();
        // GDAL warns that the extension is not .gpkg: harmless, the final name has it.
        m_ds.reset(GDALCreate(driver, m_tmp.c_str(), 0, 0, 0, GDT_Unknown, nullptr));
        if (!m_ds) {
            const std::string why = gdal_detail();
            remove_files();
            throw OutputError(fmt::format("cannot create GeoPackage '{}': {}; is the folder writable?",
                                          m_tmp.string(), why));
        }
    }
    ~TemporaryGeoPackage() {
        m_ds.reset();  // GDALClose; errors are moot, the file goes
        if (!m_committed) {
            remove_files();
        }
    }
    TemporaryGeoPackage(const TemporaryGeoPackage&) = delete;
    TemporaryGeoPackage& operator=(const TemporaryGeoPackage&) = delete;

    [[nodiscard]] GDALDatasetH dataset() const { return m_ds.get(); }
    [[nodiscard]] const std::filesystem::path& path() const { return m_tmp; }

    /// Closes GDAL's handle (checking its verdict), so that SQLite alone writes the rows.
    void close_dataset() {
        CPLErrorReset();
        GDALClose(m_ds.release());
        if (gdal_failed()) {
            throw OutputError(fmt::format("writing '{}' failed while making its layers (disk full?): {}",
                                          m_target.string(), gdal_detail()));
        }
    }

    /// Opens the file with GDAL again, for updating (the spatial indexes).
    void reopen_dataset(GDALDriverH driver) {
        const char* const drivers[] = {GDALGetDriverShortName(driver), nullptr};
        CPLErrorReset();
        m_ds.reset(GDALOpenEx(m_tmp.c_str(), GDAL_OF_VECTOR | GDAL_OF_UPDATE, drivers, nullptr, nullptr));
        if (!m_ds) {
            throw OutputError(fmt::format("cannot open the GeoPackage being written, '{}', again: {}",
                                          m_tmp.string(), gdal_detail()));
        }
    }

    void commit() {
        CPLErrorReset();
        GDALClose(m_ds.release());  // GDAL 3.6: returns nothing, failures are only in the error state
        if (gdal_failed()) {
            throw OutputError(fmt::format("writing '{}' failed while finishing the file (disk full?): {}",
                                          m_target.string(), gdal_detail()));
        }
        std::error_code ec;
        std::filesystem::rename(m_tmp, m_target, ec);
        if (ec) {
            throw OutputError(fmt::format("cannot move the finished GeoPackage onto '{}': {}", m_target.string(),
                                          ec.message()));
        }
        m_committed = true;
    }

private:
    void remove_files() noexcept {
        std::error_code ec;
        std::filesystem::remove(m_tmp, ec);
        for (const char* side : detail::sqlite_side_files) {
            auto p = m_tmp;
            p += side;
            std::filesystem::remove(p, ec);
        }
    }

    std::filesystem::path m_target;
    std::filesystem::path m_tmp;
    DatasetPtr m_ds;
    bool m_committed = false;
};

/// Reads one row's WGS84 WKB and returns it in the layer's CRS and type (polygons become
/// multipolygons), or nullptr for an empty WKB (NULL geometry).
GeometryPtr layer_geometry(const OutputLayer& layer, std::size_t row, const std::vector<unsigned char>& wkb,
                           OGRCoordinateTransformationH to_target, const std::string& crs) {
    if (wkb.empty()) {
        return nullptr;
    }
    if (wkb.size() > static_cast<std::size_t>(std::numeric_limits<int>::max())) {
        throw Error(fmt::format("{}: geometry of {} bytes is too large", row_label(layer, row), wkb.size()));
    }
    OGRGeometryH raw = nullptr;
    const OGRErr read = OGR_G_CreateFromWkb(wkb.data(), nullptr, &raw, static_cast<int>(wkb.size()));
    GeometryPtr g(raw);
    if (read != OGRERR_NONE || !g) {
        throw Error(fmt::format("{}: the geometry is not valid WKB", row_label(layer, row)));
    }
    const auto type = wkbFlatten(OGR_G_GetGeometryType(raw));
    if (layer.geometry == OutputLayer::Geometry::point) {
        if (type != wkbPoint) {
            throw Error(fmt::format("{}: a {} in a point layer", row_label(layer, row), OGR_G_GetGeometryName(raw)));
        }
    } else if (type == wkbPolygon) {
        g.reset(OGR_G_ForceToMultiPolygon(static_cast<OGRGeometryH>(g.release())));  // one type per layer
    } else if (type != wkbMultiPolygon) {
        throw Error(fmt::format("{}: a {} in a polygon layer", row_label(layer, row), OGR_G_GetGeometryName(raw)));
    }
    auto* h = static_cast<OGRGeometryH>(g.get());
    OGR_G_FlattenTo2D(h);  // the layer is 2D
    if (!layer.wkb_crs.empty()) {
        return g;  // already in the layer's CRS (checked with the layer)
    }
    if (!OGR_G_IsEmpty(h)) {
        OGREnvelope env;
        OGR_G_GetEnvelope(h, &env);
        if (!(env.MinX >= -180 && env.MaxX <= 180 && env.MinY >= -90 && env.MaxY <= 90)) {
            throw Error(fmt::format("{}: coordinates ({}, {})-({}, {}) are not WGS84 longitude/latitude",
                                    row_label(layer, row), env.MinX, env.MinY, env.MaxX, env.MaxY));
        }
    }
    CPLErrorReset();
    if (OGR_G_Transform(h, to_target) != OGRERR_NONE) {
        throw ConfigError(fmt::format("{}: the geometry cannot be converted to output CRS '{}' ({}); does this CRS "
                                      "cover the study area?",
                                      row_label(layer, row), crs, gdal_detail()));
    }
    return g;
}

/// A layer's table as GDAL made it: the names SQLite knows its columns by.
struct LayerTable {
    std::string what;              ///< "layer 'x' of 'path'", for messages
    std::string table;
    std::string geometry_column;   ///< empty: an attribute table
    std::vector<std::string> columns;  ///< one per field, in field order
};

/// Makes the layer's table (fields, geometry column, SRS) with GDAL, without rows.
LayerTable create_layer_table(GDALDatasetH ds, const OutputLayer& layer, OGRSpatialReferenceH srs,
                              const std::filesystem::path& path) {
    LayerTable t;
    t.what = fmt::format("{} of '{}'", layer_label(layer), path.string());
    OGRwkbGeometryType type = wkbNone;
    if (layer.geometry == OutputLayer::Geometry::point) {
        type = wkbPoint;
    } else if (layer.geometry == OutputLayer::Geometry::polygon) {
        type = wkbMultiPolygon;
    }
    CPLErrorReset();
    // The spatial index is made once the rows are in (index_layer), not by GDAL's triggers row
    // by row nor when the file is closed (then it reads every layer back through the whole file).
    const char* const layer_options[] = {"SPATIAL_INDEX=NO", nullptr};
    OGRLayerH l = GDALDatasetCreateLayer(ds, layer.name.c_str(), type == wkbNone ? nullptr : srs, type,
                                         const_cast<char**>(layer_options));
    if (l == nullptr) {
        throw OutputError(fmt::format("cannot create {}: {}", t.what, gdal_detail()));
    }
    for (const auto& field : layer.fields) {
        OGRFieldType ogr_type = OFTReal;
        if (field.type == OutputField::Type::integer) {
            ogr_type = OFTInteger64;
        } else if (field.type == OutputField::Type::text) {
            ogr_type = OFTString;
        }
        FieldDefnPtr defn(OGR_Fld_Create(field.name.c_str(), ogr_type));
        CPLErrorReset();
        if (OGR_L_CreateField(l, static_cast<OGRFieldDefnH>(defn.get()), FALSE) != OGRERR_NONE) {
            throw OutputError(fmt::format("cannot create field '{}' in {}: {}", field.name, t.what, gdal_detail()));
        }
    }
    OGRFeatureDefnH defn = OGR_L_GetLayerDefn(l);
    if (OGR_FD_GetFieldCount(defn) != static_cast<int>(layer.fields.size())) {
        throw OutputError(fmt::format("{}: GDAL created {} fields instead of {}", t.what, OGR_FD_GetFieldCount(defn),
                                      layer.fields.size()));
    }
    t.table = OGR_L_GetName(l);
    if (type != wkbNone) {
        t.geometry_column = OGR_L_GetGeometryColumn(l);
    }
    for (int i = 0; i < OGR_FD_GetFieldCount(defn); ++i) {
        t.columns.emplace_back(OGR_Fld_GetNameRef(OGR_FD_GetFieldDefn(defn, i)));
    }
    return t;
}

struct SqliteCloser {
    void operator()(sqlite3* db) const { sqlite3_close(db); }
};
struct StatementFinalizer {
    void operator()(sqlite3_stmt* s) const { sqlite3_finalize(s); }
};
using StatementPtr = std::unique_ptr<sqlite3_stmt, StatementFinalizer>;

/// The GeoPackage opened by SQLite alone, to insert the rows of the tables GDAL made. GDAL's
/// feature API costs as much per field as SQLite's insert itself (each value set, then checked,
/// read back and bound): a national origins layer (2.3 M rows of 605 fields) was written at
/// ~90 us a row, GDAL a third of it.
class GeoPackageRows {
public:
    explicit GeoPackageRows(const std::filesystem::path& file) : m_file(file) {
        sqlite3* db = nullptr;
        // One thread uses this connection: no mutex around each of its millions of binds.
        const int rc = sqlite3_open_v2(file.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, nullptr);
        m_db.reset(db);
        if (rc != SQLITE_OK) {
            throw OutputError(fmt::format("cannot open the GeoPackage being written, '{}', with SQLite: {}",
                                          file.string(), db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc)));
        }
    }

    /// Runs `sql` (no result rows).
    void execute(const std::string& sql, const std::string& what) {
        if (sqlite3_exec(m_db.get(), sql.c_str(), nullptr, nullptr, nullptr) != SQLITE_OK) {
            throw OutputError(fmt::format("cannot write {} (disk full?): {}", what, sqlite3_errmsg(m_db.get())));
        }
    }

    StatementPtr prepare(const std::string& sql, const std::string& what) {
        sqlite3_stmt* st = nullptr;
        if (sqlite3_prepare_v2(m_db.get(), sql.c_str(), -1, &st, nullptr) != SQLITE_OK) {
            throw OutputError(fmt::format("cannot prepare the writing of {}: {}", what, sqlite3_errmsg(m_db.get())));
        }
        return StatementPtr(st);
    }

    /// Steps `st` to its end and resets it; throws naming what `what()` returns if SQLite fails
    /// (a full disk, most often). `what` is called only then: made for every row, the label
    /// would cost more than the row.
    template <class What>
    void finish(sqlite3_stmt* st, What&& what) {
        int rc = sqlite3_step(st);
        while (rc == SQLITE_ROW) {
            rc = sqlite3_step(st);
        }
        if (rc != SQLITE_DONE) {
            const std::string why = sqlite3_errmsg(m_db.get());
            sqlite3_reset(st);
            throw OutputError(fmt::format("cannot write {} (disk full?): {}", what(), why));
        }
        sqlite3_reset(st);
    }

    [[nodiscard]] bool has_table(const char* name) {
        StatementPtr q = prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", name);
        sqlite3_bind_text(q.get(), 1, name, -1, SQLITE_STATIC);
        return sqlite3_step(q.get()) == SQLITE_ROW;
    }

    /// Closes the file, checking SQLite's verdict.
    void close() {
        if (sqlite3_close(m_db.get()) != SQLITE_OK) {
            throw OutputError(fmt::format("cannot close '{}' after writing its rows: {}", m_file.string(),
                                          sqlite3_errmsg(m_db.get())));
        }
        (void)m_db.release();
    }

private:
    std::filesystem::path m_file;
    std::unique_ptr<sqlite3, SqliteCloser> m_db;
};

/// The GeoPackage binary geometry of `g` (spec 2.1.3, as GDAL writes it): "GP", version 0,
/// little-endian, the envelope `e` (min x, max x, min y, max y) except for points and empty
/// geometries (`e` null), then ISO WKB.
void geopackage_blob(OGRGeometryH g, const OGREnvelope* e, std::int32_t srs_id, std::vector<unsigned char>& out) {
    const bool empty = e == nullptr;
    const bool envelope = !empty && wkbFlatten(OGR_G_GetGeometryType(g)) != wkbPoint;
    const auto wkb_size = static_cast<std::size_t>(OGR_G_WkbSize(g));
    out.resize(8 + (envelope ? 32 : 0) + wkb_size);
    out[0] = 'G';
    out[1] = 'P';
    out[2] = 0;
    out[3] = static_cast<unsigned char>(0x01 | (envelope ? 0x02 : 0) | (empty ? 0x10 : 0));
    for (int k = 0; k < 4; ++k) {
        out[4 + static_cast<std::size_t>(k)] = static_cast<unsigned char>(static_cast<std::uint32_t>(srs_id) >> (8 * k));
    }
    std::size_t at = 8;
    if (envelope) {
        for (const double v : {e->MinX, e->MaxX, e->MinY, e->MaxY}) {
            std::uint64_t bits = 0;
            std::memcpy(&bits, &v, sizeof v);
            for (int k = 0; k < 8; ++k) {
                out[at++] = static_cast<unsigned char>(bits >> (8 * k));
            }
        }
    }
    if (OGR_G_ExportToIsoWkb(g, wkbNDR, out.data() + at) != OGRERR_NONE) {
        throw Error("a geometry could not be written as WKB");
    }
}

void bind_value(sqlite3_stmt* st, int index, const FieldValue& value) {
    switch (value.index()) {
    case 0: sqlite3_bind_null(st, index); break;
    case 1: sqlite3_bind_int64(st, index, static_cast<sqlite3_int64>(std::get<std::int64_t>(value))); break;
    case 2: sqlite3_bind_double(st, index, std::get<double>(value)); break;
    default: {
        const auto& text = std::get<std::string>(value);
        // Bound in place: the row outlives the statement's step.
        sqlite3_bind_text64(st, index, text.data(), text.size(), SQLITE_STATIC, SQLITE_UTF8);
        break;
    }
    }
}

/// Inserts the layer's rows into its table, in order (fid 1, 2, ...), in transactions of
/// rows_per_transaction rows, and records its extent and feature count as GDAL would.
void insert_rows(GeoPackageRows& file, const LayerTable& t, const OutputLayer& layer,
                 OGRCoordinateTransformationH to_target, const std::string& crs, const std::filesystem::path& path) {
    const bool spatial = !t.geometry_column.empty();
    std::int32_t srs_id = 0;
    const std::string table_literal = sql_quoted(t.table, '\'');
    if (spatial) {
        StatementPtr q = file.prepare(
            "SELECT srs_id FROM gpkg_geometry_columns WHERE lower(table_name) = lower(" + table_literal + ")", t.what);
        if (sqlite3_step(q.get()) != SQLITE_ROW) {
            throw OutputError(fmt::format("{}: GDAL recorded no geometry column for it", t.what));
        }
        srs_id = static_cast<std::int32_t>(sqlite3_column_int(q.get(), 0));
    }
    // GDAL keeps the feature count by triggers, one UPDATE of gpkg_ogr_contents per row (a scan
    // of its rows: one per layer); they are set aside while the rows go in, the count written
    // once, and the triggers put back as GDAL made them.
    std::vector<std::string> triggers;
    {
        StatementPtr q = file.prepare("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND lower(tbl_name) = "
                                      "lower(" + table_literal + ") AND (name LIKE 'trigger_insert_feature_count_%' OR "
                                      "name LIKE 'trigger_delete_feature_count_%') ORDER BY name",
                                      t.what);
        std::vector<std::string> names;
        while (sqlite3_step(q.get()) == SQLITE_ROW) {
            names.emplace_back(reinterpret_cast<const char*>(sqlite3_column_text(q.get(), 0)));
            triggers.emplace_back(reinterpret_cast<const char*>(sqlite3_column_text(q.get(), 1)));
        }
        for (const auto& name : names) {
            file.execute("DROP TRIGGER " + sql_quoted(name, '"'), t.what);
        }
    }
    std::string sql = "INSERT INTO " + sql_quoted(t.table, '"') + " (";
    std::string values;
    int parameters = 0;
    if (spatial) {
        sql += sql_quoted(t.geometry_column, '"');
        values += "?";
        ++parameters;
    }
    for (const auto& column : t.columns) {
        sql += (parameters > 0 ? ", " : "") + sql_quoted(column, '"');
        values += parameters > 0 ? ", ?" : "?";
        ++parameters;
    }
    sql += ") VALUES (" + values + ")";
    if (parameters == 0) {  // a table without fields: its rows are only their fid
        sql = "INSERT INTO " + sql_quoted(t.table, '"') + " DEFAULT VALUES";
    }
    StatementPtr insert = file.prepare(sql, t.what);

    constexpr std::size_t rows_per_transaction = 65536;
    RowSource rows(layer, spatial);
    std::vector<unsigned char> blob;
    OGREnvelope extent;
    bool has_extent = false;
    for (std::size_t i = 0; i < rows.size(); ++i) {
        if (i % rows_per_transaction == 0) {
            if (i > 0) {
                file.execute("COMMIT", t.what);
            }
            file.execute("BEGIN", t.what);
        }
        rows.load(i);
        const auto& row = rows.values();
        int p = 1;
        if (spatial) {
            const GeometryPtr g = layer_geometry(layer, i, rows.wkb(), to_target, crs);
            auto* h = static_cast<OGRGeometryH>(g.get());
            if (h == nullptr) {
                sqlite3_bind_null(insert.get(), p);
            } else {
                const bool empty = OGR_G_IsEmpty(h) != 0;
                OGREnvelope e;
                if (!empty) {
                    OGR_G_GetEnvelope(h, &e);
                    if (has_extent) {
                        extent.Merge(e);
                    } else {
                        extent = e;
                        has_extent = true;
                    }
                }
                geopackage_blob(h, empty ? nullptr : &e, srs_id, blob);
                sqlite3_bind_blob64(insert.get(), p, blob.data(), blob.size(), SQLITE_STATIC);
            }
            ++p;
        }
        for (const auto& value : row) {
            bind_value(insert.get(), p++, value);
        }
        file.finish(insert.get(), [&] { return fmt::format("{} of '{}'", row_label(layer, i), path.string()); });
    }
    if (rows.size() > 0) {
        file.execute("COMMIT", t.what);
    }
    insert.reset();
    file.execute("BEGIN", t.what);
    if (file.has_table("gpkg_ogr_contents")) {  // GDAL's own table (OGR_GPKG_ADD_GPKG_OGR_CONTENTS=NO: none)
        file.execute(fmt::format("UPDATE gpkg_ogr_contents SET feature_count = {} WHERE lower(table_name) = lower({})",
                                 rows.size(), table_literal),
                     t.what);
    }
    if (has_extent) {
        StatementPtr update = file.prepare("UPDATE gpkg_contents SET min_x = ?, min_y = ?, max_x = ?, max_y = ? WHERE "
                                           "lower(table_name) = lower(" + table_literal + ")",
                                           t.what);
        int p = 1;
        for (const double v : {extent.MinX, extent.MinY, extent.MaxX, extent.MaxY}) {
            sqlite3_bind_double(update.get(), p++, v);
        }
        file.finish(update.get(), [&] { return t.what; });
    }
    for (const auto& trigger : triggers) {
        file.execute(trigger, t.what);
    }
    file.execute("COMMIT", t.what);
}

/// The layer's spatial index (GDAL's R*Tree extension), made once its rows are in.
void index_layer(GDALDatasetH ds, const LayerTable& t) {
    if (t.geometry_column.empty()) {
        return;
    }
    const std::string sql =
        fmt::format("SELECT CreateSpatialIndex({}, {})", sql_quoted(t.table, '\''), sql_quoted(t.geometry_column, '\''));
    CPLErrorReset();
    OGRLayerH result = GDALDatasetExecuteSQL(ds, sql.c_str(), nullptr, nullptr);
    if (result != nullptr) {
        GDALDatasetReleaseResultSet(ds, result);
    }
    if (gdal_failed()) {
        throw OutputError(fmt::format("cannot index {} (disk full?): {}", t.what, gdal_detail()));
    }
}

/// Appends a CSV text field: quoted when it holds a separator, a quote or a line break (quotes
/// doubled), and when empty, so that an empty text ("") differs from NULL (nothing), as in
/// PostgreSQL.
void append_csv_text(fmt::memory_buffer& out, const std::string& v, char separator) {
    bool plain = !v.empty();
    for (const char c : v) {  // one pass (find_first_of calls memchr once per character)
        if (c == separator || c == '"' || c == '\r' || c == '\n') {
            plain = false;
            break;
        }
    }
    if (plain) {
        out.append(v.data(), v.data() + v.size());
        return;
    }
    out.push_back('"');
    for (const char c : v) {
        if (c == '"') {
            out.push_back('"');
        }
        out.push_back(c);
    }
    out.push_back('"');
}

} // namespace

void write_geopackage(const std::filesystem::path& path, const std::vector<OutputLayer>& layers, const std::string& crs) {
    // Same inputs, same file: GeoPackage records a last_change date; pin it (as SOURCE_DATE_EPOCH
    // does for builds) so that reruns are byte-identical. Restored on every exit path.
    struct PinnedDate {
        PinnedDate() { CPLSetThreadLocalConfigOption("OGR_CURRENT_DATE", "2000-01-01T00:00:00.000Z"); }
        ~PinnedDate() { CPLSetThreadLocalConfigOption("OGR_CURRENT_DATE", nullptr); }
        PinnedDate(const PinnedDate&) = delete;
        PinnedDate& operator=(const PinnedDate&) = delete;
    } pinned_date;

    std::set<std::string> names;
    for (const auto& layer : layers) {
        if (layer.name.empty()) {
            throw Error(fmt::format("GeoPackage '{}': a layer has an empty name", path.string()));
        }
        if (!names.insert(folded(layer.name)).second) {
            throw Error(fmt::format("GeoPackage '{}': layer name '{}' appears twice (names are compared ignoring case)",
                                    path.string(), layer.name));
        }
        check_layer(layer, true);
        if (!layer.wkb_crs.empty() && layer.wkb_crs != crs) {
            throw Error(fmt::format("{}: its geometries are in {} but the GeoPackage is written in {}",
                                    layer_label(layer), layer.wkb_crs, crs));
        }
        for (const auto& field : layer.fields) {
            // GDAL's own columns: the feature id, and the geometry of spatial layers.
            const std::string f = folded(field.name);
            if (f == "fid" || (f == "geom" && layer.geometry != OutputLayer::Geometry::none)) {
                throw Error(fmt::format("{}: field name '{}' is reserved in a GeoPackage; rename the field",
                                        layer_label(layer), field.name));
            }
        }
    }

    QuietGdalErrors quiet;  // declared first: stays active while the temporary is closed on failure
    GDALAllRegister();
    SrsPtr srs = output_srs(crs);
    auto* target_srs = static_cast<OGRSpatialReferenceH>(srs.get());
    TransformPtr to_target = from_wgs84(target_srs, crs);
    check_output_path(path);
    GDALDriverH driver = GDALGetDriverByName("GPKG");
    if (driver == nullptr) {
        throw OutputError("this GDAL has no GeoPackage (GPKG) driver; install a complete GDAL");
    }

    // GDAL makes the tables (fields, SRS, GeoPackage metadata), SQLite inserts the rows, GDAL
    // indexes the spatial layers.
    TemporaryGeoPackage out(driver, path);
    std::vector<LayerTable> tables;
    for (const auto& layer : layers) {
        tables.push_back(create_layer_table(out.dataset(), layer, target_srs, path));
    }
    out.close_dataset();
    {
        GeoPackageRows rows(out.path());
        for (std::size_t k = 0; k < layers.size(); ++k) {
            insert_rows(rows, tables[k], layers[k], static_cast<OGRCoordinateTransformationH>(to_target.get()), crs,
                        path);
        }
        rows.close();
    }
    out.reopen_dataset(driver);
    for (const auto& t : tables) {
        index_layer(out.dataset(), t);
    }
    out.commit();
}

struct WrittenGeometry::Conversion {
    std::string crs;
    SrsPtr srs;
    TransformPtr to_target;
};

WrittenGeometry::WrittenGeometry(const std::string& crs) : m_conversion(std::make_unique<Conversion>()) {
    QuietGdalErrors quiet;
    GDALAllRegister();
    m_conversion->crs = crs;
    m_conversion->srs = output_srs(crs);  // as write_geopackage: the same transformation, the same bits
    m_conversion->to_target = from_wgs84(static_cast<OGRSpatialReferenceH>(m_conversion->srs.get()), crs);
}

WrittenGeometry::~WrittenGeometry() = default;

std::pair<double, double> WrittenGeometry::envelope_centre(const OutputLayer& layer, std::size_t row,
                                                           const std::vector<unsigned char>& wkb) const {
    QuietGdalErrors quiet;
    const GeometryPtr g = layer_geometry(
        layer, row, wkb, static_cast<OGRCoordinateTransformationH>(m_conversion->to_target.get()), m_conversion->crs);
    return detail::envelope_centre(static_cast<OGRGeometryH>(g.get()));
}

CsvDialect parse_csv_dialect(const std::string& text, const std::string& option) {
    if (text == "gis") {
        return CsvDialect::gis;
    }
    if (text == "fr") {
        return CsvDialect::fr;
    }
    throw ConfigError(fmt::format("{} '{}': use gis (',' separated, for GIS tools; the default) or fr (';' separated, "
                                  "decimal comma, for a French spreadsheet)",
                                  option, text));
}

const char* to_string(CsvDialect dialect) { return dialect == CsvDialect::fr ? "fr" : "gis"; }

void write_layer_csv(const std::filesystem::path& path, const OutputLayer& layer, CsvDialect dialect) {
    check_layer(layer, false);
    const bool fr = dialect == CsvDialect::fr;
    const char separator = fr ? ';' : ',';
    OutputStream out(path);
    auto& s = out.stream();
    if (fr) {
        s << "\xEF\xBB\xBF";  // the BOM: without it a spreadsheet reads UTF-8 as its local code page
    }
    // Each line is made in one buffer and written at once: a national origins table is 2.3 M
    // lines of 605 fields, and a string and a stream insertion per value made the CSV slower to
    // write than the GeoPackage beside it.
    fmt::memory_buffer line;
    for (std::size_t j = 0; j < layer.fields.size(); ++j) {
        if (j > 0) {
            line.push_back(separator);
        }
        append_csv_text(line, layer.fields[j].name, separator);
    }
    line.push_back('\n');
    s.write(line.data(), static_cast<std::streamsize>(line.size()));
    RowSource rows(layer, false);  // a CSV has no geometry column
    for (std::size_t i = 0; i < rows.size(); ++i) {
        rows.load(i);
        const auto& row = rows.values();
        line.clear();
        for (std::size_t j = 0; j < row.size(); ++j) {
            if (j > 0) {
                line.push_back(separator);
            }
            switch (row[j].index()) {
            case 0: break;  // NULL: empty field
            case 1: fmt::format_to(std::back_inserter(line), "{}", std::get<std::int64_t>(row[j])); break;
            case 2: {
                const std::size_t at = line.size();
                fmt::format_to(std::back_inserter(line), "{}", std::get<double>(row[j]));  // shortest round-trip
                if (fr) {
                    std::replace(line.data() + at, line.data() + line.size(), '.', ',');
                }
                break;
            }
            default: append_csv_text(line, std::get<std::string>(row[j]), separator); break;
            }
        }
        line.push_back('\n');
        s.write(line.data(), static_cast<std::streamsize>(line.size()));
    }
    out.commit();
}

} // namespace proxima

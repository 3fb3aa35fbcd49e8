#pragma once
// QGIS styles stored inside a run's GeoPackage, so that opening access.gpkg in QGIS shows the
// same time classes and colours as the PNG maps and the HTML report (time_classes.hpp).
//
// QGIS keeps styles in a table `layer_styles` (the same schema QGIS creates itself through OGR:
// id, f_table_catalog, f_table_schema, f_table_name, f_geometry_column, styleName, styleQML,
// styleSLD, useAsDefault, description, owner, ui, update_time), registered in gpkg_contents as an
// attribute table; QGIS needs no gpkg_extensions or gpkg_data_columns entry for it. When a layer
// is loaded, QGIS applies its row with useAsDefault = 1; the other rows are offered in Layer
// Properties > Style > Load Style > From database.
//
// Classes are drawn with QGIS's rule-based renderer, one rule per time class with the exact
// bounds of time_classes (lower bound excluded, upper included) plus the "inaccessible" class for
// NULL times: a graduated renderer cannot draw NULL, nor a class without upper bound.

#include <filesystem>
#include <string>
#include <vector>

namespace proxima {

struct StyledService {
    std::string id;                ///< e.g. "urgences": fields <id>_min..., layer deficit_<id>
    std::string label;             ///< legend text, e.g. "Service d'urgences"
    double threshold_min = 0.0;    ///< minutes
    std::string family;            ///< catalogue family: the symbol of its sites, as on the PNG maps
};

/// Writes QGIS styles into the GeoPackage `gpkg` (access.gpkg of `proxima run`):
///  - communes: default style = time classes of the first service's <id>_min (communes without
///    inhabitant blank, the communes beyond the threshold outlined), labelled with "nom"; plus
///    one named style per service (styleName = service id, useAsDefault 0);
///  - origins (points) or cells (polygons): the same, per origin or cell;
///  - services: categorized by "service", one symbol per service with its label;
///  - deficit_<id>: hatched fill and outline;
///  - isochrones_<id>, when present: one rule per time class on "limit_min", outlines coloured by
///    class, the threshold isochrone thicker.
/// Rows written earlier by this function (same table and style name) are replaced, so running
/// it twice leaves the same styles (under new ids); a style saved by a user under another name
/// is kept (but loses useAsDefault on the tables styled here). update_time is pinned
/// (2000-01-01T00:00:00Z, as the GeoPackage's own dates): the same GeoPackage styled once gives
/// the same bytes.
/// With StyleWrite::atomic_copy the change is atomic: the file is copied to "<gpkg>.tmp-<pid>",
/// styled, and renamed onto `gpkg`; on failure `gpkg` is untouched. StyleWrite::in_place styles
/// `gpkg` itself, for a GeoPackage just written in a temporary folder that a failure discards
/// whole (`proxima run`): a copy of a national run's GeoPackage is gigabytes. Both give the same bytes.
/// Throws InputError when `gpkg` is missing or not a GeoPackage, or a layer or field named above
/// is missing (naming it); OutputError when the copy cannot be written or renamed.
enum class StyleWrite { atomic_copy, in_place };
void add_qgis_styles(const std::filesystem::path& gpkg, const std::vector<StyledService>& services,
                     StyleWrite how = StyleWrite::atomic_copy);

/// The same, with the services (id, label, threshold) read from run.json beside `gpkg`.
/// Throws InputError when run.json is missing or has no "services" list.
void add_qgis_styles(const std::filesystem::path& gpkg);

/// The QML document (QGIS style) of one layer, as stored in layer_styles.styleQML; exposed for
/// tests and for writing .qml files beside other outputs. `layer` is one of the layers above
/// (origins are points, cells polygons); `service` (index into services) selects the service for
/// communes, origins and cells, and is ignored for the others (deficit_<id> and isochrones_<id>
/// take it from their name). Throws Error for a layer it has no style for, or a service index or
/// id not in `services`.
[[nodiscard]] std::string qgis_style_qml(const std::string& layer, const std::vector<StyledService>& services,
                                         std::size_t service = 0);

} // namespace proxima

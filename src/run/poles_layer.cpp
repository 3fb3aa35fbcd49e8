#include "proxima/run/poles_layer.hpp"

namespace proxima {

OutputLayer poles_layer(const PoleClassification& p) {
    using Type = OutputField::Type;
    OutputLayer layer;
    layer.name = "poles";
    layer.geometry = OutputLayer::Geometry::polygon;
    layer.fields = {{"code", Type::text}, {"nom", Type::text}, {"in_study", Type::integer}, {"level", Type::text}};
    for (Gamme g : all_gammes) {
        const std::string key = gamme_key(g);
        layer.fields.push_back({"pole_" + key, Type::integer});
        layer.fields.push_back({"items_" + key, Type::integer});
        layer.fields.push_back({"of_" + key, Type::integer});
    }
    layer.fields.push_back({"equipment", Type::integer});
    layer.fields.push_back({"destination_kind", Type::text});
    layer.fields.push_back({"method", Type::text});
    layer.fields.push_back({"approximation", Type::integer});
    layer.fields.push_back({"access_reading", Type::text});  // nested or strict: which poles the access counts
    const bool counted = p.source != "list";
    for (const auto& c : p.communes) {
        std::vector<FieldValue> row = {c.code, c.name, std::int64_t{c.in_study ? 1 : 0},
                                       c.level ? FieldValue(std::string(gamme_key(*c.level))) : FieldValue(std::monostate{})};
        for (Gamme g : all_gammes) {
            const auto k = static_cast<std::size_t>(g);
            if (!p.classified[k]) {
                row.resize(row.size() + 3);  // NULL: the gamme is not classified
                continue;
            }
            row.push_back(std::int64_t{c.is_pole(g) ? 1 : 0});
            row.push_back(counted ? FieldValue(static_cast<std::int64_t>(c.counts.items_present[k]))
                                  : FieldValue(std::monostate{}));
            row.push_back(counted ? FieldValue(static_cast<std::int64_t>(p.gammes[g].items.size()))
                                  : FieldValue(std::monostate{}));
        }
        row.push_back(counted ? FieldValue(static_cast<std::int64_t>(c.equipment)) : FieldValue(std::monostate{}));
        row.push_back(c.destination_kind);
        row.push_back(p.method);
        row.push_back(std::int64_t{p.approximation ? 1 : 0});
        row.push_back(std::string(p.nested ? "nested" : "strict"));
        layer.rows.push_back(std::move(row));
        layer.wkb.push_back(c.wkb);
    }
    return layer;
}

} // namespace proxima

#include "proxima/territory/commune_table.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>

#include <fmt/format.h>

#include "proxima/core/csv_reader.hpp"
#include "proxima/core/error.hpp"
#include "proxima/territory/population_value.hpp"

namespace proxima {

bool is_valid_insee_code(std::string_view code) {
    if (code.size() != 5) {
        return false;
    }
    auto digit = [](char c) { return std::isdigit(static_cast<unsigned char>(c)) != 0; };
    const bool corsica = code[0] == '2' && (code[1] == 'A' || code[1] == 'B');
    return digit(code[0]) && (digit(code[1]) || corsica) && digit(code[2]) && digit(code[3]) && digit(code[4]);
}

CommuneTable::CommuneTable(std::vector<Commune> communes, std::string source)
    : m_communes(std::move(communes)), m_source(std::move(source)) {
    std::stable_sort(m_communes.begin(), m_communes.end(), [](const auto& a, const auto& b) { return a.code < b.code; });
    for (std::size_t i = 1; i < m_communes.size(); ++i) {
        if (m_communes[i].code == m_communes[i - 1].code) {
            throw InputError(fmt::format("{}: INSEE code {} appears twice (lines {} and {}); a commune table must list "
                                         "each commune once",
                                         m_source, m_communes[i].code, m_communes[i - 1].line, m_communes[i].line));
        }
    }
}

const Commune* CommuneTable::find(std::string_view code) const {
    auto it = std::lower_bound(m_communes.begin(), m_communes.end(), code,
                               [](const Commune& c, std::string_view k) { return c.code < k; });
    return it != m_communes.end() && it->code == code ? &*it : nullptr;
}

const Commune& CommuneTable::at(std::string_view code) const {
    if (const Commune* c = find(code)) {
        return *c;
    }
    throw InputError(fmt::format("unknown INSEE code '{}' in commune table {} (merged commune, or another COG "
                                 "year?)",
                                 code, m_source));
}

std::int64_t CommuneTable::total_population() const {
    std::int64_t total = 0;
    for (const auto& c : m_communes) {
        total += c.population.value_or(0);
    }
    return total;
}

CommuneTable read_commune_table(const std::filesystem::path& path, const Log& log) {
    CsvReader csv(path, "commune table", log);
    const int code = csv.require_column({"code_insee", "INSEE_COM", "CODGEO", "COM", "code"});
    auto optional_column = [&](std::initializer_list<std::string_view> names) {
        for (auto n : names) {
            if (const int c = csv.column(n); c >= 0) {
                return c;
            }
        }
        return -1;
    };
    const int name = optional_column({"nom", "NOM", "LIBGEO", "LIBELLE"});
    const int dep = optional_column({"departement", "DEP", "INSEE_DEP"});
    const int population = optional_column({"population", "PMUN", "POPULATION"});
    const int epci = optional_column({"epci_siren", "SIREN_EPCI", "EPCI"});
    const int epci_name = optional_column({"epci_nom", "NOM_EPCI", "LIBEPCI"});
    std::vector<Commune> communes;
    while (csv.next()) {
        Commune c;
        c.line = csv.line();
        c.code = csv.field(code);
        if (!is_valid_insee_code(c.code)) {
            throw InputError(fmt::format("{}: '{}' is not an INSEE commune code (5 characters, digits or 2A/2B; keep "
                                         "leading zeros: 01001, not 1001)",
                                         csv.where(), c.code));
        }
        c.name = name >= 0 ? csv.field(name) : std::string();
        c.departement = dep >= 0 ? csv.field(dep) : std::string();
        if (population >= 0) {
            // An empty figure is "not given" (INSEE leaves uninhabited territories such as the
            // TAAF blank): kept as unknown here and refused where a study needs it.
            const std::string text = csv.field(population);
            if (text.find_first_not_of(' ') != std::string::npos) {
                c.population = static_cast<std::int64_t>(
                    read_population(text, csv.where(), "commune " + c.code, PopulationFigure::whole));
            }
        }
        c.epci_siren = epci >= 0 ? csv.field(epci) : std::string();
        c.epci_name = epci_name >= 0 ? csv.field(epci_name) : std::string();
        communes.push_back(std::move(c));
    }
    if (communes.empty()) {
        throw InputError(fmt::format("commune table '{}' has a header but no commune", path.string()));
    }
    return CommuneTable(std::move(communes), path.string());
}

} // namespace proxima

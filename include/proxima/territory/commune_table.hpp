#pragma once
// The INSEE commune table of a COG year: code, name, département, population municipale, EPCI.
// Read from CSV (e.g. data/insee/communes-2026.csv) with the usual INSEE and IGN column names
// recognised. Commune codes are strings: Corsica's contain letters (2A004 Ajaccio).

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "proxima/core/log.hpp"

namespace proxima {

struct Commune {
    std::string code;          ///< INSEE code, 5 characters
    std::string name;
    std::string departement;   ///< code, e.g. "06", "2A", "971"
    std::optional<std::int64_t> population;  ///< population municipale; nullopt if the table has none
    std::string epci_siren;    ///< 9-digit SIREN of the EPCI, empty if none
    std::string epci_name;
    std::uint64_t line = 0;    ///< line in the source file
};

/// True for a well-formed INSEE commune code: 5 characters, digits, or 2A/2B for Corsica.
[[nodiscard]] bool is_valid_insee_code(std::string_view code);

class CommuneTable {
public:
    CommuneTable() = default;
    /// Takes communes with distinct codes (checked: throws InputError naming both lines).
    explicit CommuneTable(std::vector<Commune> communes, std::string source = {});

    [[nodiscard]] const Commune* find(std::string_view code) const;
    /// Throws InputError "unknown INSEE code" naming the table.
    [[nodiscard]] const Commune& at(std::string_view code) const;
    [[nodiscard]] std::span<const Commune> communes() const { return m_communes; }
    [[nodiscard]] std::size_t size() const { return m_communes.size(); }
    /// Sum of the known populations.
    [[nodiscard]] std::int64_t total_population() const;
    [[nodiscard]] const std::string& source() const { return m_source; }

private:
    std::vector<Commune> m_communes;  ///< sorted by code
    std::string m_source;
};

/// Reads a commune table. Recognised columns (first present wins):
///   code: code_insee, INSEE_COM, CODGEO, COM, code;  name: nom, NOM, LIBGEO, LIBELLE;
///   département: departement, DEP, INSEE_DEP;  population: population, PMUN, POPULATION;
///   EPCI: epci_siren, SIREN_EPCI, EPCI;  EPCI name: epci_nom, NOM_EPCI, LIBEPCI.
/// Code is required; the others are optional. Throws InputError naming file, line and value for
/// a malformed code, a non-numeric or negative population, or a code given twice.
[[nodiscard]] CommuneTable read_commune_table(const std::filesystem::path& path, const Log& log = Log{});

} // namespace proxima

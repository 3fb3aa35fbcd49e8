#include "proxima/graph/graph_file.hpp"

#include <array>
#include <bit>
#include <cstring>
#include <fstream>
#include <optional>
#include <type_traits>

#include <fmt/format.h>

#include "proxima/core/atomic_file.hpp"
#include "proxima/core/error.hpp"
#include "proxima/core/huge_pages.hpp"
#include "proxima/core/input_path.hpp"
#include "proxima/core/sha256.hpp"

namespace proxima {

static_assert(std::endian::native == std::endian::little, "the graph cache assumes a little-endian machine");

namespace {

constexpr std::array<char, 8> magic = {'P', 'X', 'G', 'R', 'A', 'P', 'H', '\0'};
constexpr std::uint32_t byte_order_mark = 0x01020304;
constexpr std::size_t header_size = 8 + 4 + 4 + 8 + 64;

/// Feeds the payload to a SHA-256 and, when given a stream, writes it there: save_graph runs it
/// twice (once for the header's size and digest, once to write), so that the payload, as large as
/// the graph, is never held in memory beside it.
class PayloadWriter {
public:
    explicit PayloadWriter(std::ostream* out) : m_out(out) {}

    template <typename T>
    void value(const T& v) {
        static_assert(std::is_trivially_copyable_v<T>);
        bytes(&v, sizeof(T));
    }
    void string(const std::string& s) {
        value(static_cast<std::uint32_t>(s.size()));
        bytes(s.data(), s.size());
    }
    template <typename T>
    void array(const std::vector<T>& v) {
        static_assert(std::is_trivially_copyable_v<T>);
        value(static_cast<std::uint64_t>(v.size()));
        bytes(v.data(), v.size() * sizeof(T));
    }
    [[nodiscard]] std::uint64_t size() const { return m_size; }
    [[nodiscard]] std::string digest() { return m_sha.hex_digest(); }

private:
    void bytes(const void* data, std::size_t n) {
        if (n == 0) {
            return;
        }
        m_sha.update(data, n);
        m_size += n;
        if (m_out != nullptr) {
            m_out->write(static_cast<const char*>(data), static_cast<std::streamsize>(n));
        }
    }
    std::ostream* m_out;
    Sha256 m_sha;
    std::uint64_t m_size = 0;
};

/// Reads the payload from the file straight into the graph's arrays (no copy of the whole file in
/// memory), hashing as it goes; finish() checks the length and the digest of the header.
class PayloadReader {
public:
    PayloadReader(std::istream& in, std::uint64_t size, const std::filesystem::path& path)
        : m_in(in), m_size(size), m_path(path) {}

    template <typename T>
    T value() {
        T v;
        need(sizeof(T));
        bytes(&v, sizeof(T));
        return v;
    }
    std::string string() {
        const auto n = value<std::uint32_t>();
        need(n);
        std::string s(n, '\0');
        bytes(s.data(), n);
        return s;
    }
    template <typename T>
    void array(std::vector<T>& v) {
        const auto n = value<std::uint64_t>();
        if (n > (m_size - m_pos) / sizeof(T)) {  // checked before allocating: a corrupt count asks for no memory
            truncated();
        }
        // Large arrays on huge pages (core/huge_pages.hpp): the searches read the ranks and the
        // arcs at random.
        assign_on_huge_pages(v, n);
        bytes(v.data(), n * sizeof(T));
    }
    /// Checks that the payload was read to its end and that its digest is `stored_digest`.
    void finish(const std::string& stored_digest, const std::string& rebuild) {
        if (m_pos != m_size) {
            throw CacheError(fmt::format("graph file '{}' has {} unexpected trailing bytes; rebuild it with "
                                         "'proxima build-graph'",
                                         m_path.string(), m_size - m_pos));
        }
        if (m_sha.hex_digest() != stored_digest) {
            throw CacheError(fmt::format("graph file '{}' is corrupt (checksum mismatch); {}", m_path.string(), rebuild));
        }
    }

private:
    void bytes(void* data, std::size_t n) {
        if (n == 0) {
            return;
        }
        m_in.read(static_cast<char*>(data), static_cast<std::streamsize>(n));
        if (!m_in) {
            throw InputError(fmt::format("read error in graph file '{}'", m_path.string()));
        }
        m_sha.update(data, n);
        m_pos += n;
    }
    void need(std::size_t n) const {
        if (n > m_size - m_pos) {
            truncated();
        }
    }
    [[noreturn]] void truncated() const {
        throw CacheError(fmt::format("graph file '{}' ends early: it is truncated or corrupt; rebuild it with "
                                     "'proxima build-graph'",
                                     m_path.string()));
    }
    std::istream& m_in;
    std::uint64_t m_size;
    std::uint64_t m_pos = 0;
    const std::filesystem::path& m_path;
    Sha256 m_sha;
};

template <typename Arrays, typename F>
void for_each_array(Arrays& g, F&& f) {
    f(g.first_out);
    f(g.head);
    f(g.travel_ds);
    f(g.length_m);
    f(g.arc_edge);
    f(g.first_in);
    f(g.tail_in);
    f(g.in_arc);
    f(g.in_travel_ds);
    f(g.node_coord);
    f(g.edge_first_point);
    f(g.points);
    f(g.point_m);
    f(g.point_fwd_ds);
    f(g.point_bwd_ds);
    f(g.edge_arc);
    f(g.edge_way_id);
    f(g.edge_flags);
    f(g.edge_first_run);
    f(g.run_first_segment);
    f(g.run_way_id);
    f(g.state_arc);
    f(g.arc_first_copy);
    f(g.copy_state);
    f(g.first_transition);
    f(g.transition_head);
    f(g.transition_ds);
    f(g.first_in_transition);
    f(g.in_transition_tail);
    f(g.in_transition_ds);
}

/// The optional sections after the arrays: a u32 count, then per section a u32 kind and its data.
enum class Section : std::uint32_t { hierarchy = 1 };

template <typename Hierarchy, typename F>
void for_each_hierarchy_array(Hierarchy& h, F&& f) {
    f(h.rank);
    f(h.up_first);
    f(h.up_head);
    f(h.up_ds);
    f(h.down_first);
    f(h.down_tail);
    f(h.down_ds);
}

} // namespace

bool has_graph_signature(const std::filesystem::path& path) {
    std::error_code ec;
    if (!std::filesystem::is_regular_file(path, ec)) {
        return false;
    }
    std::ifstream in(path, std::ios::binary);
    std::array<char, magic.size()> head{};
    in.read(head.data(), head.size());
    return in && head == magic;
}

void check_graph_destination(const std::filesystem::path& path, const std::string& setting) {
    if (is_stdout_name(path)) {
        return;
    }
    std::error_code ec;
    const auto status = std::filesystem::status(path, ec);
    if (!std::filesystem::exists(status)) {
        return;
    }
    if (std::filesystem::is_directory(status)) {
        throw OutputError(fmt::format("graph file '{}' is a folder; set {} to a file name such as '{}'",
                                      path.string(), setting, (path / "graph.pxg").string()));
    }
    if (!has_graph_signature(path)) {
        throw OutputError(fmt::format("'{}' exists and is not a Proxima graph file: it is not replaced (is it the "
                                      "extract, the study or a table given by mistake?); set {} to a new file name "
                                      "such as '{}'",
                                      path.string(), setting,
                                      (path.parent_path() / (path.stem().string() + "-graph.pxg")).string()));
    }
}

void save_graph(const RoadGraph& graph, const std::filesystem::path& path) {
    check_graph_destination(path, "the graph file name");
    const auto& p = graph.provenance();
    auto payload_of = [&](PayloadWriter& payload) {
        payload.string(p.source_file);
        payload.string(p.source_sha256);
        payload.string(p.profile_name);
        payload.string(p.profile_sha256);
        payload.string(p.proxima_version);
        for_each_array(graph.arrays(), [&](const auto& v) { payload.array(v); });
        const StateHierarchy* hierarchy = graph.hierarchy();
        payload.value(std::uint32_t{hierarchy != nullptr ? 1U : 0U});
        if (hierarchy != nullptr) {
            payload.value(Section::hierarchy);
            for_each_hierarchy_array(*hierarchy, [&](const auto& v) { payload.array(v); });
        }
    };
    PayloadWriter measure(nullptr);  // first pass: size and digest for the header
    payload_of(measure);
    const std::string digest = measure.digest();

    OutputStream out(path);
    auto& s = out.stream();
    s.write(magic.data(), magic.size());
    const std::uint32_t version = graph_file_format_version;
    s.write(reinterpret_cast<const char*>(&version), sizeof version);
    s.write(reinterpret_cast<const char*>(&byte_order_mark), sizeof byte_order_mark);
    const std::uint64_t size = measure.size();
    s.write(reinterpret_cast<const char*>(&size), sizeof size);
    s.write(digest.data(), 64);
    PayloadWriter write(&s);
    payload_of(write);
    out.commit();
}

RoadGraph load_graph(const std::filesystem::path& path) {
    std::error_code ec;
    if (!std::filesystem::exists(path, ec)) {
        throw InputError(fmt::format("graph file '{}' does not exist; build it with 'proxima build-graph "
                                     "EXTRACT.osm.pbf -o {}'",
                                     path.string(), path.string()));
    }
    require_input_file(path, "graph file");
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        throw InputError(fmt::format("cannot open graph file '{}': {}", path.string(), std::strerror(errno)));
    }
    const auto file_size = std::filesystem::file_size(path, ec);
    const std::string rebuild = fmt::format("rebuild it with 'proxima build-graph EXTRACT.osm.pbf -o {}'", path.string());
    if (ec || file_size < header_size) {
        throw CacheError(fmt::format("'{}' is not a Proxima graph file (too short); {}", path.string(), rebuild));
    }
    std::array<char, header_size> header{};
    in.read(header.data(), header.size());
    if (std::memcmp(header.data(), magic.data(), magic.size()) != 0) {
        throw CacheError(fmt::format("'{}' is not a Proxima graph file (wrong signature); {}", path.string(), rebuild));
    }
    std::uint32_t version = 0;
    std::uint32_t bom = 0;
    std::uint64_t payload_size = 0;
    std::memcpy(&version, header.data() + 8, 4);
    std::memcpy(&bom, header.data() + 12, 4);
    std::memcpy(&payload_size, header.data() + 16, 8);
    const std::string stored_digest(header.data() + 24, 64);
    if (version != graph_file_format_version) {
        throw CacheError(fmt::format("graph file '{}' has format version {}, this Proxima reads version {}; {}",
                                     path.string(), version, graph_file_format_version, rebuild));
    }
    if (bom != byte_order_mark) {
        throw CacheError(fmt::format("graph file '{}' was written on a machine of another byte order; {}",
                                     path.string(), rebuild));
    }
    if (payload_size != file_size - header_size) {
        throw CacheError(fmt::format("graph file '{}' should hold {} bytes of data but holds {}: it is truncated "
                                     "or corrupt; {}",
                                     path.string(), payload_size, file_size - header_size, rebuild));
    }
    PayloadReader r(in, payload_size, path);
    GraphProvenance p;
    p.source_file = r.string();
    p.source_sha256 = r.string();
    p.profile_name = r.string();
    p.profile_sha256 = r.string();
    p.proxima_version = r.string();
    RoadGraph::Arrays arrays;
    for_each_array(arrays, [&](auto& v) { r.array(v); });
    std::optional<StateHierarchy> hierarchy;
    const auto sections = r.value<std::uint32_t>();
    for (std::uint32_t k = 0; k < sections; ++k) {
        const auto kind = r.value<Section>();
        if (kind != Section::hierarchy || hierarchy) {
            throw CacheError(fmt::format("graph file '{}' has an unknown or repeated section ({}); {}", path.string(),
                                         static_cast<std::uint32_t>(kind), rebuild));
        }
        hierarchy.emplace();
        for_each_hierarchy_array(*hierarchy, [&](auto& v) { r.array(v); });
    }
    r.finish(stored_digest, rebuild);
    try {
        RoadGraph graph(std::move(arrays), std::move(p));
        graph.set_hierarchy(std::move(hierarchy));
        return graph;
    } catch (const CacheError& e) {
        throw CacheError(fmt::format("graph file '{}': {}", path.string(), e.what()));
    }
}

void require_graph_source(const RoadGraph& graph, const std::filesystem::path& graph_path,
                          const std::string& extract_sha256, const std::string& profile_sha256) {
    const auto& p = graph.provenance();
    if (!extract_sha256.empty() && p.source_sha256 != extract_sha256) {
        throw CacheError(fmt::format("graph file '{}' was built from another OSM extract ('{}', sha256 {}…) than "
                                     "the one requested (sha256 {}…): it is stale; rebuild it with 'proxima "
                                     "build-graph'",
                                     graph_path.string(), p.source_file, p.source_sha256.substr(0, 12),
                                     extract_sha256.substr(0, 12)));
    }
    if (!profile_sha256.empty() && p.profile_sha256 != profile_sha256) {
        throw CacheError(fmt::format("graph file '{}' was built with another version of profile '{}' than the one "
                                     "requested: it is stale; rebuild it with 'proxima build-graph --profile ...'",
                                     graph_path.string(), p.profile_name));
    }
}

} // namespace proxima

#pragma once
// SHA-256 digests (OpenSSL) of files and memory, as lowercase hex, for provenance and caches.

#include <cstddef>
#include <filesystem>
#include <span>
#include <string>

namespace proxima {

/// Incremental SHA-256. Not copyable; one object per digest.
class Sha256 {
public:
    Sha256();
    ~Sha256();
    Sha256(const Sha256&) = delete;
    Sha256& operator=(const Sha256&) = delete;

    void update(const void* data, std::size_t size);
    /// Finishes the digest and returns it as 64 lowercase hex characters.
    [[nodiscard]] std::string hex_digest();

private:
    void* m_ctx;
};

/// Hex SHA-256 of a memory block.
[[nodiscard]] std::string sha256_hex(std::span<const std::byte> data);
/// Hex SHA-256 of a string's bytes.
[[nodiscard]] std::string sha256_hex(const std::string& data);
/// Hex SHA-256 of a file's content. Throws InputError naming the file if it cannot be read.
[[nodiscard]] std::string sha256_file(const std::filesystem::path& path);

} // namespace proxima

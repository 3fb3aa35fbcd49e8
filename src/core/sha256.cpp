#include "proxima/core/sha256.hpp"

#include <array>
#include <cstring>
#include <fstream>
#include <stdexcept>

#include <fmt/format.h>
#include <openssl/evp.h>

#include "proxima/core/error.hpp"
#include "proxima/core/input_path.hpp"

namespace proxima {

Sha256::Sha256() : m_ctx(EVP_MD_CTX_new()) {
    if (m_ctx == nullptr || EVP_DigestInit_ex(static_cast<EVP_MD_CTX*>(m_ctx), EVP_sha256(), nullptr) != 1) {
        throw std::runtime_error("OpenSSL could not initialise SHA-256");
    }
}

Sha256::~Sha256() { EVP_MD_CTX_free(static_cast<EVP_MD_CTX*>(m_ctx)); }

void Sha256::update(const void* data, std::size_t size) {
    EVP_DigestUpdate(static_cast<EVP_MD_CTX*>(m_ctx), data, size);
}

std::string Sha256::hex_digest() {
    std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
    unsigned int length = 0;
    EVP_DigestFinal_ex(static_cast<EVP_MD_CTX*>(m_ctx), digest.data(), &length);
    std::string out;
    out.reserve(2 * length);
    for (unsigned int i = 0; i < length; ++i) {
        out += fmt::format("{:02x}", digest[i]);
    }
    return out;
}

std::string sha256_hex(std::span<const std::byte> data) {
    Sha256 h;
    h.update(data.data(), data.size());
    return h.hex_digest();
}

std::string sha256_hex(const std::string& data) {
    Sha256 h;
    h.update(data.data(), data.size());
    return h.hex_digest();
}

std::string sha256_file(const std::filesystem::path& path) {
    require_input_file(path, "file");  // never hash a FIFO or /dev/zero: it would never end
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        throw InputError(fmt::format("cannot open '{}' to compute its checksum: {}", path.string(),
                                     std::strerror(errno)));
    }
    Sha256 h;
    std::array<char, 1 << 16> buffer{};
    while (in) {
        in.read(buffer.data(), buffer.size());
        h.update(buffer.data(), static_cast<std::size_t>(in.gcount()));
    }
    if (in.bad()) {
        throw InputError(fmt::format("read error in '{}'", path.string()));
    }
    return h.hex_digest();
}

} // namespace proxima

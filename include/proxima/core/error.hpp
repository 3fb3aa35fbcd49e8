#pragma once
// Exceptions thrown at the boundaries of Proxima (files, configuration, user input).
// Messages are written for the person running the tool: what is wrong, where (file, line or
// feature), and what to do about it. The source location where the error was raised is kept
// for --verbose output.

#include <source_location>
#include <stdexcept>
#include <string>
#include <string_view>

namespace proxima {

class Error : public std::runtime_error {
public:
    explicit Error(const std::string& message,
                   std::source_location where = std::source_location::current());
    /// "file.cpp:123" of the code that raised the error, for logs.
    [[nodiscard]] std::string where() const;

private:
    std::source_location m_where;
};

/// A user-supplied input file is missing, unreadable, malformed, or holds bad values.
class InputError : public Error {
public:
    using Error::Error;
};

/// A graph cache cannot be used: not a Proxima graph, another format version, corrupt, or built
/// from other inputs than those requested.
class CacheError : public Error {
public:
    using Error::Error;
};

/// A configuration (profile, study file, command-line value) is invalid.
class ConfigError : public Error {
public:
    using Error::Error;
};

/// Writing an output failed (disk full, permissions, folder missing).
class OutputError : public Error {
public:
    using Error::Error;
};

/// A message from a library (GDAL, libosmium, PROJ) ready to be embedded in one of ours: trimmed
/// of its closing full stop and spaces, so that "…: <message>; <our advice>" reads as one sentence.
[[nodiscard]] std::string library_message(std::string_view message);

} // namespace proxima

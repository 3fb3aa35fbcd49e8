// Replays saved inputs through a fuzz target without libFuzzer: the ordinary build links one
// fuzz_<target>.cpp with this main into fuzz_replay_<target>, and ctest (label `fuzz`) runs it on
// fuzz/corpus/<target>/ and fuzz/regressions/<target>/, in the Release and the sanitizer passes.
// A failing invariant aborts (see fuzz_common.hpp), so the last "replay:" line names the input.
//
// Usage: fuzz_replay_<target> FILE_OR_FOLDER...   (folders: every regular file not starting with
// '.', in name order; a missing folder counts as empty). Fails if no input at all was found.

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

namespace {

std::vector<std::filesystem::path> inputs_of(const std::filesystem::path& arg) {
    std::vector<std::filesystem::path> out;
    std::error_code ec;
    if (std::filesystem::is_directory(arg, ec)) {
        for (const auto& entry : std::filesystem::directory_iterator(arg)) {
            if (entry.is_regular_file() && entry.path().filename().string().front() != '.') {
                out.push_back(entry.path());
            }
        }
        std::sort(out.begin(), out.end());
    } else if (std::filesystem::is_regular_file(arg, ec)) {
        out.push_back(arg);
    } else {
        std::fprintf(stderr, "replay: %s does not exist, nothing to replay there\n", arg.c_str());
    }
    return out;
}

} // namespace

int main(int argc, char** argv) {
    std::size_t replayed = 0;
    for (int i = 1; i < argc; ++i) {
        for (const auto& path : inputs_of(argv[i])) {
            std::ifstream in(path, std::ios::binary);
            const std::vector<char> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
            if (!in.eof() && in.fail()) {
                std::fprintf(stderr, "replay: cannot read %s\n", path.c_str());
                return 2;
            }
            std::fprintf(stderr, "replay: %s (%zu bytes)\n", path.c_str(), bytes.size());
            std::fflush(stderr);
            (void)LLVMFuzzerTestOneInput(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size());
            ++replayed;
        }
    }
    if (replayed == 0) {
        std::fprintf(stderr, "replay: no input found in the folders given\n");
        return 2;
    }
    std::fprintf(stderr, "replay: %zu inputs, no invariant broken\n", replayed);
    return 0;
}

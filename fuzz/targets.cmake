# The fuzz targets (fuzz/fuzz_<name>.cpp), shared by fuzz/CMakeLists.txt (libFuzzer build, clang)
# and tests/CMakeLists.txt (replay tests in the ordinary build). scripts/fuzz.sh lists them too.
set(PROXIMA_FUZZ_TARGETS tag_rules profile_toml study_toml csv graph_file)

# Benchmarks of the read models (projections/): check throughput and latency, rebuild speed,
# resident memory. A plain program printing JSON lines; run it by hand:
#   ./build/tests/readmodels_bench
add_executable(readmodels_bench ${CMAKE_CURRENT_LIST_DIR}/readmodels_bench.cc
                                ${CMAKE_CURRENT_LIST_DIR}/readmodels_corpus.cc)
target_link_libraries(readmodels_bench PRIVATE portico::projections portico::domain PkgConfig::SODIUM
                                               portico::allocator portico::warnings)

# lag_bench (issue 4): append-to-visible lag in the access read model at a steady 5,000
# events/s through store -> relay -> embedded Kafka -> runner, and the rebuild speed of the read
# models from a 1,000,000-event log (and the write model's start on it). A plain program
# printing JSON lines; run it by hand:
#   ./build/tests/lag_bench                      # both, full size (~10 s of lag, 1M rebuild)
#   ./build/tests/lag_bench --seconds 2 --events 50000   # a quick smoke run
if(TARGET portico::projections AND TARGET portico::app)
  add_executable(lag_bench ${CMAKE_CURRENT_LIST_DIR}/lag_bench.cc
                           ${CMAKE_CURRENT_LIST_DIR}/readmodels_corpus.cc)
  target_link_libraries(lag_bench PRIVATE portico::app portico::projections portico::eventstore portico::domain
                                          PkgConfig::SODIUM Threads::Threads portico::allocator portico::warnings)
  target_include_directories(lag_bench PRIVATE ${CMAKE_CURRENT_SOURCE_DIR})
endif()

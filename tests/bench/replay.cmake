# replay_bench: verify and as-of over a log of 1,000,000 events (tests/bench/replay_bench.cc).
if(TARGET portico::replay)
  add_executable(replay_bench ${CMAKE_CURRENT_LIST_DIR}/replay_bench.cc)
  target_link_libraries(replay_bench PRIVATE portico::replay portico::eventstore portico::domain
    RocksDB::rocksdb PkgConfig::SODIUM Threads::Threads portico::allocator portico::warnings)
endif()

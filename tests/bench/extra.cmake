# Benchmarks (included by tests/CMakeLists.txt).

# append_bench: durable appends through the event store against raw RocksDB synced writes.
add_executable(append_bench ${CMAKE_CURRENT_LIST_DIR}/append_bench.cc)
target_link_libraries(append_bench PRIVATE portico::eventstore RocksDB::rocksdb Boost::headers Threads::Threads
  portico::allocator portico::warnings)
target_include_directories(append_bench PRIVATE ${CMAKE_CURRENT_LIST_DIR}/..)

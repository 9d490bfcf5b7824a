# Programs beside the streaming tests (included by tests/CMakeLists.txt).

# pipeline_bench: events/s through store -> relay -> embedded Kafka -> runner -> projection,
# and the rebuild speed of a new projection from the log.
if(TARGET portico::projections)
  add_executable(pipeline_bench ${CMAKE_CURRENT_LIST_DIR}/pipeline_bench.cc)
  target_link_libraries(pipeline_bench PRIVATE portico::projections portico::eventstore
    Threads::Threads portico::allocator portico::warnings)
endif()

# import_bench (issue 6): POST /v1/imports of 100,000 rows over HTTP into a whole System
# (log, embedded Kafka, projections), without passwords and with a sample of passwords.
# A plain program printing JSON lines; run it by hand:
#   ./build/tests/import_bench                 # 100,000 rows; 1% of the second file with passwords
#   ./build/tests/import_bench --rows 10000    # a quick run
if(TARGET portico::app)
  add_executable(import_bench ${CMAKE_CURRENT_LIST_DIR}/import_bench.cc)
  target_link_libraries(import_bench PRIVATE portico::app portico_app_testing Threads::Threads portico::allocator portico::warnings)
  target_include_directories(import_bench PRIVATE ${CMAKE_CURRENT_SOURCE_DIR})
endif()

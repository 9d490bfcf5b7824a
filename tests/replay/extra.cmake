# A stand-in for a running server in the replay tests: a separate process that keeps appending
# random access history to DATA_DIR/log through the EventStore (tests/replay/live_test.cc).
if(TARGET portico::replay)
  add_executable(replay_log_writer ${CMAKE_CURRENT_LIST_DIR}/log_writer_main.cc)
  target_link_libraries(replay_log_writer PRIVATE portico::replay portico::eventstore GTest::gtest
    PkgConfig::SODIUM portico::allocator portico::warnings)
  target_include_directories(replay_log_writer PRIVATE ${CMAKE_CURRENT_LIST_DIR}/..)
  if(TARGET replay_tests)
    add_dependencies(replay_tests replay_log_writer)
  endif()
endif()

# The executable itself, for the tests of what only main() does (tests/replay/cli_test.cc).
if(TARGET replay_tests AND TARGET portico-replay)
  add_dependencies(replay_tests portico-replay)
  target_compile_definitions(replay_tests PRIVATE PORTICO_REPLAY_BINARY="$<TARGET_FILE:portico-replay>")
endif()

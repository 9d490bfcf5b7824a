# Helper programs of the event store tests (included by tests/CMakeLists.txt).

# The child process of crash_test.cc: appends until SIGKILLed, reporting acknowledgements.
add_executable(eventstore_crash_child ${CMAKE_CURRENT_LIST_DIR}/crash_child.cc)
target_link_libraries(eventstore_crash_child
  PRIVATE portico::eventstore Threads::Threads portico::allocator portico::warnings)
target_include_directories(eventstore_crash_child PRIVATE ${CMAKE_CURRENT_LIST_DIR}/..)
if(TARGET eventstore_tests)
  add_dependencies(eventstore_tests eventstore_crash_child)
endif()

# The OpenAPI document, embedded at build time: base.json plus every *.paths.json fragment of
# this directory (each a JSON object of OpenAPI "paths"), merged when the server starts
# (gateway/app/openapi_document.h). The glob re-runs at every build (CONFIGURE_DEPENDS), so a
# new fragment file is picked up without touching any CMake file.
file(GLOB PORTICO_OPENAPI_FILES CONFIGURE_DEPENDS
  ${CMAKE_CURRENT_LIST_DIR}/base.json ${CMAKE_CURRENT_LIST_DIR}/*.paths.json)
list(SORT PORTICO_OPENAPI_FILES)
set(PORTICO_OPENAPI_SOURCE ${CMAKE_CURRENT_BINARY_DIR}/openapi_embedded.cc)
# A list argument would be split into several; pass it joined with '|'.
string(REPLACE ";" "|" PORTICO_OPENAPI_INPUTS "${PORTICO_OPENAPI_FILES}")
add_custom_command(
  OUTPUT ${PORTICO_OPENAPI_SOURCE}
  COMMAND ${CMAKE_COMMAND} -DOUTPUT=${PORTICO_OPENAPI_SOURCE} -DINPUTS=${PORTICO_OPENAPI_INPUTS}
          -P ${CMAKE_CURRENT_LIST_DIR}/embed.cmake
  DEPENDS ${PORTICO_OPENAPI_FILES} ${CMAKE_CURRENT_LIST_DIR}/embed.cmake
  COMMENT "Embedding the OpenAPI document"
  VERBATIM)
target_sources(portico_app PRIVATE ${PORTICO_OPENAPI_SOURCE})

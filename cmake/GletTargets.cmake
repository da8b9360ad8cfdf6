# glet_library(NAME folder DEPS ...): one static library per src/ folder, from the .cpp files it
# holds (globbed, so adding a file needs no CMake edit). Folders without sources make no target.
function(glet_library name folder)
  cmake_parse_arguments(ARG "" "" "DEPS;PRIVATE_DEPS" ${ARGN})
  file(GLOB srcs CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/src/${folder}/*.cpp)
  list(FILTER srcs EXCLUDE REGEX ".*/main\\.cpp$")
  if(NOT srcs)
    return()
  endif()
  add_library(${name} STATIC ${srcs})
  target_include_directories(${name} PUBLIC ${CMAKE_SOURCE_DIR}/src)
  target_compile_options(${name} PRIVATE ${GLET_WARNINGS})
  foreach(dep ${ARG_DEPS})
    if(TARGET ${dep})
      target_link_libraries(${name} PUBLIC ${dep})
    endif()
  endforeach()
  foreach(dep ${ARG_PRIVATE_DEPS})
    if(TARGET ${dep} OR dep MATCHES "^-|/|^[a-z_0-9]+$")
      target_link_libraries(${name} PRIVATE ${dep})
    endif()
  endforeach()
endfunction()

# glet_test(folder LIBS ...): one GoogleTest binary per tests/ folder, <folder>_tests.
function(glet_test folder)
  cmake_parse_arguments(ARG "" "SERIAL" "LIBS" ${ARGN})
  file(GLOB srcs CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/tests/${folder}/*.cpp)
  if(NOT srcs)
    return()
  endif()
  set(name ${folder}_tests)
  add_executable(${name} ${srcs})
  target_compile_options(${name} PRIVATE ${GLET_WARNINGS})
  target_include_directories(${name} PRIVATE ${CMAKE_SOURCE_DIR}/src ${CMAKE_SOURCE_DIR}/tests)
  foreach(lib ${ARG_LIBS})
    if(TARGET ${lib})
      target_link_libraries(${name} PRIVATE ${lib})
    endif()
  endforeach()
  target_link_libraries(${name} PRIVATE glet_testing GTest::gmock GTest::gtest_main)
  target_compile_definitions(${name} PRIVATE
    GLET_SOURCE_DIR="${CMAKE_SOURCE_DIR}"
    GLET_BINARY="$<TARGET_FILE:glet>")
  if(folder STREQUAL "integration" OR folder STREQUAL "cli")
    add_dependencies(${name} glet)
  endif()
  if(ARG_SERIAL)
    # Tests that compare timings (the gtest filter SERIAL) run alone: a test beside them on the
    # two cores would skew what they measure.
    gtest_discover_tests(${name} DISCOVERY_TIMEOUT 60 TEST_FILTER "-${ARG_SERIAL}"
      PROPERTIES ENVIRONMENT "GLET_SOURCE_DIR=${CMAKE_SOURCE_DIR}" LABELS ${folder})
    gtest_discover_tests(${name} DISCOVERY_TIMEOUT 60 TEST_FILTER "${ARG_SERIAL}"
      PROPERTIES ENVIRONMENT "GLET_SOURCE_DIR=${CMAKE_SOURCE_DIR}" LABELS ${folder}
      RUN_SERIAL TRUE)
  else()
    gtest_discover_tests(${name} DISCOVERY_TIMEOUT 60
      PROPERTIES ENVIRONMENT "GLET_SOURCE_DIR=${CMAKE_SOURCE_DIR}" LABELS ${folder})
  endif()
endfunction()

# csm_layer(<target> DIR <folder> SOURCES ... [USES <targets>...] [PRIVATE <targets>...])
#
# One folder of the tree = one static library. Includes are rooted at the folder's parent
# ("http/HttpServer.h"), but a library's include path holds only its own folder and, through
# PUBLIC links, the folders of the libraries it USES: a wrong-way include is a compile error.
# The trick: each library includes build/layers/<folder>/, which holds a single symlink
# <folder> -> the source folder.
function(csm_layer target)
    cmake_parse_arguments(ARG "" "DIR" "SOURCES;USES;PRIVATE" ${ARGN})
    get_filename_component(name ${ARG_DIR} NAME)
    list(TRANSFORM ARG_SOURCES PREPEND ${CMAKE_CURRENT_SOURCE_DIR}/${name}/)
    add_library(${target} STATIC ${ARG_SOURCES})
    set(root ${CMAKE_BINARY_DIR}/layers/${ARG_DIR})
    file(MAKE_DIRECTORY ${root})
    file(CREATE_LINK ${CMAKE_CURRENT_SOURCE_DIR}/${name} ${root}/${name} SYMBOLIC)
    target_include_directories(${target} PUBLIC ${root})
    target_link_libraries(${target} PUBLIC csm_options ${ARG_USES} PRIVATE ${ARG_PRIVATE})
endfunction()

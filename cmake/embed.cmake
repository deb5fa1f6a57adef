# maxis_embed(OUT_VAR NAMESPACE BASE_DIR GLOBS...): compiles files into a generated .cpp exposing
#   const std::vector<std::pair<std::string_view, std::string_view>>& Files();
# in NAMESPACE, keyed by path relative to BASE_DIR, so the binary carries its migrations and
# message catalogs and never depends on the working directory.
function(maxis_embed out_var namespace base_dir)
    set(files)
    foreach(glob ${ARGN})
        file(GLOB matched CONFIGURE_DEPENDS ${base_dir}/${glob})
        list(APPEND files ${matched})
    endforeach()
    list(SORT files)
    string(REPLACE "::" "_" stem ${namespace})
    set(out ${CMAKE_BINARY_DIR}/generated/${stem}.cpp)
    set(list_file ${CMAKE_BINARY_DIR}/generated/${stem}.files)
    file(WRITE ${list_file}.tmp "${files}")
    file(COPY_FILE ${list_file}.tmp ${list_file} ONLY_IF_DIFFERENT)
    add_custom_command(OUTPUT ${out}
        COMMAND ${CMAKE_COMMAND} -DOUT=${out} -DNAMESPACE=${namespace} -DBASE=${base_dir}
                -DLIST_FILE=${list_file} -P ${CMAKE_SOURCE_DIR}/cmake/embed_run.cmake
        DEPENDS ${files} ${list_file} ${CMAKE_SOURCE_DIR}/cmake/embed_run.cmake VERBATIM)
    set(${out_var} ${out} PARENT_SCOPE)
endfunction()

# Where the Wireshark we build for looks for plugins and extcap programs. The folders moved
# between versions (personal extcap: ~/.config/wireshark/extcap in 4.0, ~/.local/lib/wireshark/
# extcap from 4.2 on; global extcap: <libdir>/wireshark/extcap up to 4.4, /usr/libexec/
# wireshark/extcap in Debian's 4.6), so the installed tshark is asked (`tshark -G folders`, as the
# user who configures), provided it is the same major.minor as the headers. Without one, the
# folders each version is known to use. Sets WIRESHARK_{PERSONAL,GLOBAL}_{PLUGIN,EXTCAP,CONFIG}_DIR.
find_program(TSHARK_EXECUTABLE tshark)
set(folders "")
if(TSHARK_EXECUTABLE)
  execute_process(COMMAND ${TSHARK_EXECUTABLE} -G folders
    OUTPUT_VARIABLE folders ERROR_QUIET RESULT_VARIABLE folders_result)
  if(NOT folders_result EQUAL 0 OR NOT folders MATCHES
     "\nGlobal Plugins:[ \t]*[^\n]*/${WIRESHARK_MAJOR_MINOR}\n")
    message(STATUS "${TSHARK_EXECUTABLE} is not Wireshark ${WIRESHARK_MAJOR_MINOR}: not asked for its folders")
    set(folders "")
  endif()
endif()

# wireshark_folder(VAR "Label" FALLBACK): the folder tshark lists as "Label:", else FALLBACK.
function(wireshark_folder var label fallback)
  if(folders MATCHES "(^|\n)${label}:[ \t]*([^\n]+)")
    set(${var} "${CMAKE_MATCH_2}" PARENT_SCOPE)
  else()
    set(${var} "${fallback}" PARENT_SCOPE)
  endif()
endfunction()

# Configuration (profiles live in its "profiles" folder): ~/.config/wireshark; the global one is
# where Wireshark's data is (Debian: /usr/share/wireshark).
wireshark_folder(WIRESHARK_PERSONAL_CONFIG_DIR "Personal configuration" "$ENV{HOME}/.config/wireshark")
pkg_get_variable(ws_prefix wireshark prefix)
wireshark_folder(WIRESHARK_GLOBAL_CONFIG_DIR "Global configuration" "${ws_prefix}/share/wireshark")

get_filename_component(ws_libdir_wireshark "${WIRESHARK_SYSTEM_PLUGIN_DIR}/../.." ABSOLUTE)
if(WIRESHARK_MAJOR_MINOR VERSION_LESS 4.2)
  # 4.0 lists no "Personal Extcap path": it is the personal configuration folder's extcap.
  set(personal_extcap "${WIRESHARK_PERSONAL_CONFIG_DIR}/extcap")
else()
  set(personal_extcap "$ENV{HOME}/.local/lib/wireshark/extcap")
endif()
if(WIRESHARK_MAJOR_MINOR VERSION_LESS 4.6)
  set(global_extcap "${ws_libdir_wireshark}/extcap")
else()
  set(global_extcap "/usr/libexec/wireshark/extcap")
endif()

wireshark_folder(WIRESHARK_GLOBAL_PLUGIN_DIR "Global Plugins" "${WIRESHARK_SYSTEM_PLUGIN_DIR}")
wireshark_folder(WIRESHARK_PERSONAL_PLUGIN_DIR "Personal Plugins"
  "$ENV{HOME}/.local/lib/wireshark/plugins/${WIRESHARK_MAJOR_MINOR}")
wireshark_folder(WIRESHARK_PERSONAL_EXTCAP_DIR "Personal Extcap path" "${personal_extcap}")
# 4.0 says "Extcap path", later versions "Global Extcap path".
wireshark_folder(global_extcap_4_0 "Extcap path" "${global_extcap}")
wireshark_folder(WIRESHARK_GLOBAL_EXTCAP_DIR "Global Extcap path" "${global_extcap_4_0}")
message(STATUS "Wireshark ${WIRESHARK_MAJOR_MINOR} folders: plugins ${WIRESHARK_PERSONAL_PLUGIN_DIR} | "
  "${WIRESHARK_GLOBAL_PLUGIN_DIR}; extcap ${WIRESHARK_PERSONAL_EXTCAP_DIR} | ${WIRESHARK_GLOBAL_EXTCAP_DIR}")

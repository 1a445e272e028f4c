# A Debian package (cpack -G DEB in a build configured with -DAPPMSG_INSTALL_SYSTEM=ON): the
# plugin in the system plugin folder of the Wireshark it was built against, appmsg-gen in
# /usr/bin and in Wireshark's extcap folder.
#
# A plugin loads only into the Wireshark major.minor it was built for, and each minor version
# ships its own library package (libwireshark16 is 4.0): the package depends on that exact
# package, at the version built against or later within the same minor.
set(CPACK_PACKAGE_NAME "wireshark-appmsg")
set(CPACK_PACKAGE_VERSION "${PROJECT_VERSION}")
set(CPACK_PACKAGE_CONTACT "appmsg developers <appmsg@example.invalid>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY
  "AppMsg dissector for Wireshark ${WIRESHARK_MAJOR_MINOR}, and its traffic generator")
set(CPACK_DEBIAN_PACKAGE_DESCRIPTION
  "Dissects the magic-number application protocol of socket-programming tutorials\n (12-byte header, JSON payload) in Wireshark and tshark, and generates captures\n and live traffic of it (appmsg-gen, also a Wireshark capture interface: AppMsg generator).")
set(CPACK_DEBIAN_PACKAGE_SECTION "net")
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON) # libc, glib, libpcap, zlib, wiretap, wsutil as linked

# The package that owns the libwireshark we link: libwireshark16 for 4.0.
find_program(DPKG_QUERY dpkg-query)
if(DPKG_QUERY)
  find_library(APPMSG_LIBWIRESHARK NAMES wireshark HINTS ${WIRESHARK_LIBRARY_DIRS})
  get_filename_component(libwireshark_real "${APPMSG_LIBWIRESHARK}" REALPATH)
  execute_process(COMMAND ${DPKG_QUERY} -S "${libwireshark_real}"
    OUTPUT_VARIABLE owner OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
  string(REGEX REPLACE ":.*" "" APPMSG_LIBWIRESHARK_PACKAGE "${owner}")
  if(APPMSG_LIBWIRESHARK_PACKAGE)
    execute_process(COMMAND ${DPKG_QUERY} -W -f=\${Version} ${APPMSG_LIBWIRESHARK_PACKAGE}
      OUTPUT_VARIABLE libwireshark_version OUTPUT_STRIP_TRAILING_WHITESPACE)
    string(REPLACE "." ";" major_minor "${WIRESHARK_MAJOR_MINOR}")
    list(GET major_minor 0 ws_major)
    list(GET major_minor 1 ws_minor)
    math(EXPR ws_next_minor "${ws_minor} + 1")
    set(CPACK_DEBIAN_PACKAGE_DEPENDS
      "${APPMSG_LIBWIRESHARK_PACKAGE} (>= ${libwireshark_version}), ${APPMSG_LIBWIRESHARK_PACKAGE} (<< ${ws_major}.${ws_next_minor}~)")
  endif()
endif()
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "wireshark | tshark")
include(CPack)

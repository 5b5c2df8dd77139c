# Install rules for packaging/ (the systemd unit and its sysusers.d entry, the
# /etc/default file, examples, the daemon's and the viewer's man pages), and three Debian
# packages built from the install components with `cpack -G DEB` (packaging/build-debs):
#
#   component  package                 contents
#   daemon     claude-sandbox-manager  the daemon, the demo backend, the unit, its user
#   viewer     claude-remote-viewer    the desktop viewer, its .desktop file and icons
#   cli        claude-remote           the CLI, its bash completion and man page
#
# The Debian part (CPack, and the files only a package carries: copyright,
# changelog.Debian.gz, lintian overrides, gzipped man pages, dh_strip-like stripping) is
# there when CSM_DEB_PACKAGING is on, by default with the /usr prefix. Its install rules are
# EXCLUDE_FROM_ALL: CPack installs them per component, a plain `cmake --install` does not.

set(csm_packaging_dir ${PROJECT_SOURCE_DIR}/packaging)
set(CSM_EXAMPLES_DIR "${CMAKE_INSTALL_FULL_DATADIR}/doc/claude-sandbox-manager/examples")
set(CSM_ENVIRONMENT_FILE "${CMAKE_INSTALL_FULL_SYSCONFDIR}/default/claude-sandbox-manager")

# Where systemd looks for units and sysusers.d entries. For the /usr prefix, systemd.pc's
# answer (/lib/systemd/system on Debian 12, which keeps units out of /usr until the /usr
# merge is finished); else below the prefix, which systemd searches too
# (/usr/local/lib/systemd/system).
set(csm_unit_dir "")
set(csm_sysusers_dir "")
if(CMAKE_INSTALL_PREFIX STREQUAL "/usr")
    find_package(PkgConfig QUIET)
    if(PKG_CONFIG_FOUND)
        pkg_get_variable(csm_unit_dir systemd systemdsystemunitdir)
        pkg_get_variable(csm_sysusers_dir systemd sysusersdir)
    endif()
endif()
if(NOT csm_unit_dir)
    set(csm_unit_dir "${CMAKE_INSTALL_PREFIX}/lib/systemd/system")
endif()
if(NOT csm_sysusers_dir)
    set(csm_sysusers_dir "${CMAKE_INSTALL_PREFIX}/lib/sysusers.d")
endif()
set(CSM_SYSTEMD_UNIT_DIR "${csm_unit_dir}" CACHE PATH "Where to install claude-sandbox-manager.service")
set(CSM_SYSUSERS_DIR "${csm_sysusers_dir}" CACHE PATH "Where to install the sysusers.d entry")

set(csm_components cli)
if(CSM_BUILD_DAEMON)
    list(APPEND csm_components daemon)
    configure_file(${csm_packaging_dir}/claude-sandbox-manager.service.in
        ${PROJECT_BINARY_DIR}/packaging/claude-sandbox-manager.service @ONLY)
    configure_file(${csm_packaging_dir}/claude-sandbox-manager.default.in
        ${PROJECT_BINARY_DIR}/packaging/claude-sandbox-manager.default @ONLY)
    configure_file(${csm_packaging_dir}/man/claude-sandbox-manager.8.in
        ${PROJECT_BINARY_DIR}/packaging/claude-sandbox-manager.8 @ONLY)
    install(FILES ${PROJECT_BINARY_DIR}/packaging/claude-sandbox-manager.service
        DESTINATION ${CSM_SYSTEMD_UNIT_DIR} COMPONENT daemon)
    install(FILES ${csm_packaging_dir}/claude-sandbox-manager.sysusers
        DESTINATION ${CSM_SYSUSERS_DIR} RENAME claude-sandbox-manager.conf COMPONENT daemon)
    install(FILES ${PROJECT_BINARY_DIR}/packaging/claude-sandbox-manager.default
        DESTINATION ${CMAKE_INSTALL_FULL_SYSCONFDIR}/default RENAME claude-sandbox-manager
        COMPONENT daemon)
    install(FILES ${csm_packaging_dir}/backends.json.example
        DESTINATION ${CSM_EXAMPLES_DIR} RENAME backends.json COMPONENT daemon)
    install(FILES ${csm_packaging_dir}/token.conf ${csm_packaging_dir}/container-backend.conf
        DESTINATION ${CSM_EXAMPLES_DIR} COMPONENT daemon)
    install(FILES ${PROJECT_SOURCE_DIR}/docs/CONFIGURATION.md ${PROJECT_SOURCE_DIR}/docs/SECURITY.md
        ${PROJECT_SOURCE_DIR}/docs/INSTALL-debian.md
        DESTINATION ${CMAKE_INSTALL_FULL_DATADIR}/doc/claude-sandbox-manager COMPONENT daemon)
    install(FILES ${PROJECT_BINARY_DIR}/packaging/claude-sandbox-manager.8
        DESTINATION ${CMAKE_INSTALL_FULL_MANDIR}/man8 COMPONENT daemon)
endif()
if(CSM_BUILD_VIEWER)
    list(APPEND csm_components viewer)
    configure_file(${csm_packaging_dir}/man/claude-remote-viewer.1.in
        ${PROJECT_BINARY_DIR}/packaging/claude-remote-viewer.1 @ONLY)
    install(FILES ${PROJECT_BINARY_DIR}/packaging/claude-remote-viewer.1
        DESTINATION ${CMAKE_INSTALL_FULL_MANDIR}/man1 COMPONENT viewer)
endif()

# ------------------------------------------------------------------ Debian packages
set(csm_deb_default OFF)
if(CMAKE_INSTALL_PREFIX STREQUAL "/usr")
    set(csm_deb_default ON)
endif()
option(CSM_DEB_PACKAGING "Debian packages with cpack -G DEB (needs the /usr prefix)" ${csm_deb_default})
if(NOT CSM_DEB_PACKAGING)
    return()
endif()

set(CSM_DEB_MAINTAINER "claude-sandbox-manager maintainers <claude-sandbox-manager@users.noreply.github.com>"
    CACHE STRING "Maintainer field of the Debian packages")
set(CSM_DEB_RELEASE "1" CACHE STRING "Debian revision of the packages (the part after the -)")
set(CSM_DEB_VERSION "${PROJECT_VERSION}-${CSM_DEB_RELEASE}")
set(csm_deb_dir ${csm_packaging_dir}/debian)

# gzip files of a Debian package (policy 12.1 for man pages, 12.7 for the changelog).
# Runs after the component's other rules.
function(csm_deb_gzip component)
    foreach(path IN LISTS ARGN)
        install(CODE "execute_process(COMMAND gzip -9nf \"\$ENV{DESTDIR}${path}\" COMMAND_ERROR_IS_FATAL ANY)"
            COMPONENT ${component} EXCLUDE_FROM_ALL)
    endforeach()
endfunction()

# Strip a binary as dh_strip does: CPACK_STRIP_FILES runs a plain `strip`, which keeps the
# .comment and .note sections.
function(csm_deb_strip component path)
    install(CODE "execute_process(COMMAND \"${CMAKE_STRIP}\" --remove-section=.comment --remove-section=.note \"\$ENV{DESTDIR}${path}\" COMMAND_ERROR_IS_FATAL ANY)"
        COMPONENT ${component} EXCLUDE_FROM_ALL)
endfunction()

# /usr/share/doc/<package>/{copyright,changelog.Debian.gz} and lintian overrides.
function(csm_deb_docs component package copyright)
    set(doc_dir "${CMAKE_INSTALL_FULL_DATADIR}/doc/${package}")
    install(FILES ${copyright} DESTINATION ${doc_dir} RENAME copyright
        COMPONENT ${component} EXCLUDE_FROM_ALL)
    install(FILES ${PROJECT_BINARY_DIR}/packaging/changelog.Debian DESTINATION ${doc_dir}
        COMPONENT ${component} EXCLUDE_FROM_ALL)
    csm_deb_gzip(${component} ${doc_dir}/changelog.Debian)
    install(FILES ${csm_deb_dir}/${package}/lintian-overrides
        DESTINATION ${CMAKE_INSTALL_FULL_DATADIR}/lintian/overrides RENAME ${package}
        COMPONENT ${component} EXCLUDE_FROM_ALL)
endfunction()

configure_file(${csm_deb_dir}/changelog.in ${PROJECT_BINARY_DIR}/packaging/changelog.Debian @ONLY)
# The daemon's copyright adds the web assets compiled into it.
file(READ ${csm_deb_dir}/copyright csm_copyright)
file(READ ${csm_deb_dir}/claude-sandbox-manager/copyright.vendored csm_copyright_vendored)
file(WRITE ${PROJECT_BINARY_DIR}/packaging/copyright.daemon.new
    "${csm_copyright}${csm_copyright_vendored}")
configure_file(${PROJECT_BINARY_DIR}/packaging/copyright.daemon.new
    ${PROJECT_BINARY_DIR}/packaging/copyright.daemon COPYONLY)
set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS
    ${csm_deb_dir}/copyright ${csm_deb_dir}/claude-sandbox-manager/copyright.vendored)

csm_deb_docs(cli claude-remote ${csm_deb_dir}/copyright)
csm_deb_gzip(cli ${CMAKE_INSTALL_FULL_MANDIR}/man1/claude-remote.1)
if(CSM_BUILD_DAEMON)
    csm_deb_docs(daemon claude-sandbox-manager ${PROJECT_BINARY_DIR}/packaging/copyright.daemon)
    csm_deb_gzip(daemon ${CMAKE_INSTALL_FULL_MANDIR}/man8/claude-sandbox-manager.8)
    csm_deb_strip(daemon ${CMAKE_INSTALL_FULL_BINDIR}/claude-sandbox-manager)
endif()
if(CSM_BUILD_VIEWER)
    csm_deb_docs(viewer claude-remote-viewer ${csm_deb_dir}/copyright)
    csm_deb_gzip(viewer ${CMAKE_INSTALL_FULL_MANDIR}/man1/claude-remote-viewer.1)
    csm_deb_strip(viewer ${CMAKE_INSTALL_FULL_BINDIR}/claude-remote-viewer)
endif()

# CPack: the DEB generator, one package per component.
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME claude-sandbox-manager)
set(CPACK_PACKAGE_VENDOR "The claude-sandbox-manager authors")
set(CPACK_PACKAGE_CONTACT "${CSM_DEB_MAINTAINER}")
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_HOMEPAGE_URL ${PROJECT_HOMEPAGE_URL})
# Each component's description starts with its own synopsis. CPackDeb would put the
# project's summary in front of it unless that summary is CPack's default.
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "${CMAKE_PROJECT_NAME} built using CMake")
set(CPACK_COMPONENTS_ALL ${csm_components})
set(CPACK_DEB_COMPONENT_INSTALL ON)
# Absolute destinations (/etc/default, /lib/systemd/system) land in the staging dir.
set(CPACK_SET_DESTDIR ON)
set(CPACK_STRIP_FILES ON)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_RELEASE ${CSM_DEB_RELEASE})
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_COMPRESSION_TYPE xz)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)

if(CMAKE_SYSTEM_PROCESSOR MATCHES "^(x86_64|AMD64|amd64|i.86)$")
    set(csm_qemu_package qemu-system-x86)
elseif(CMAKE_SYSTEM_PROCESSOR MATCHES "^(aarch64|arm64|arm.*)$")
    set(csm_qemu_package qemu-system-arm)
else()
    set(csm_qemu_package qemu-system)
endif()

set(CPACK_DEBIAN_DAEMON_PACKAGE_NAME claude-sandbox-manager)
set(CPACK_DEBIAN_DAEMON_PACKAGE_SECTION admin)
# adduser or systemd-sysusers: postinst creates the claude-manager user with either.
set(CPACK_DEBIAN_DAEMON_PACKAGE_DEPENDS "tmux, xvfb, xauth, adduser | systemd-sysusers")
set(CPACK_DEBIAN_DAEMON_PACKAGE_RECOMMENDS
    "bubblewrap, ${csm_qemu_package}, imagemagick, x11-apps, curl")
# The demo backend draws with x11-apps and, when installed, runs top in an xterm.
set(CPACK_DEBIAN_DAEMON_PACKAGE_SUGGESTS "xterm")
set(CPACK_DEBIAN_DAEMON_PACKAGE_CONTROL_EXTRA
    "${csm_deb_dir}/claude-sandbox-manager/postinst;${csm_deb_dir}/claude-sandbox-manager/prerm;${csm_deb_dir}/claude-sandbox-manager/postrm;${csm_deb_dir}/claude-sandbox-manager/conffiles")
set(CPACK_COMPONENT_DAEMON_DESCRIPTION "run sandboxed AI coding agents and watch them in a web dashboard
claude-sandbox-manager runs many sandboxed AI coding agents (Claude Code and
friends) on a Linux server. Each sandbox gets an Xvfb display and a tmux
session running its backend: bubblewrap, systemd-nspawn, a QEMU virtual
machine, or Debian's bwrap. The daemon captures the displays, streams the
terminals, counts the agents' tokens and tool uses, and serves a JSON API, a
WebSocket log stream and a web dashboard on 127.0.0.1:3000.

This package holds the daemon and a systemd unit that runs it as the system
user claude-manager. The unit is not enabled on installation.")

set(CPACK_DEBIAN_VIEWER_PACKAGE_NAME claude-remote-viewer)
set(CPACK_DEBIAN_VIEWER_PACKAGE_SECTION x11)
set(CPACK_DEBIAN_VIEWER_PACKAGE_RECOMMENDS "openssh-client")
set(CPACK_DEBIAN_VIEWER_PACKAGE_SUGGESTS "claude-remote")
set(CPACK_COMPONENT_VIEWER_DESCRIPTION "watch the sandboxes of claude-sandbox-manager servers
claude-remote-viewer is a desktop application showing every sandbox of one or
more claude-sandbox-manager servers in one live thumbnail grid, with status,
terminal output and token counts. It reaches each server through an SSH
tunnel that it opens itself.")

set(CPACK_DEBIAN_CLI_PACKAGE_NAME claude-remote)
set(CPACK_DEBIAN_CLI_PACKAGE_SECTION utils)
set(CPACK_DEBIAN_CLI_PACKAGE_ARCHITECTURE all)
set(CPACK_DEBIAN_CLI_PACKAGE_SHLIBDEPS OFF)
set(CPACK_DEBIAN_CLI_PACKAGE_DEPENDS "openssh-client, curl, jq")
set(CPACK_DEBIAN_CLI_PACKAGE_RECOMMENDS "rsync")
set(CPACK_DEBIAN_CLI_PACKAGE_SUGGESTS "fswatch | inotify-tools")
set(CPACK_COMPONENT_CLI_DESCRIPTION "command-line client of claude-sandbox-manager over ssh
claude-remote creates, lists, attaches to, stops and deletes the sandboxes of
claude-sandbox-manager servers from a laptop. Every request runs curl on the
server through ssh, so the daemon stays bound to localhost, and it can sync a
project directory to the server and watch it for changes.")

include(CPack)

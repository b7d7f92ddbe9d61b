# Cross build for arm64 hosts with Debian's gcc-aarch64-linux-gnu:
#   cmake -S . -B build-arm64 -DCMAKE_TOOLCHAIN_FILE=cmake/aarch64-linux-gnu.cmake
# The arm64 headers and static libraries minivmm builds against (libfdt,
# and the headers of the libraries it dlopens) come from Debian's arm64
# -dev packages unpacked into a sysroot: MINIVMM_ARM64_SYSROOT, default
# build-arm64/sysroot (.ci/arm64.sh fills it with apt-get download + dpkg -x).
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR aarch64)
set(CMAKE_C_COMPILER aarch64-linux-gnu-gcc)
set(CMAKE_ASM_COMPILER aarch64-linux-gnu-gcc)
set(CMAKE_LIBRARY_ARCHITECTURE aarch64-linux-gnu)

if(DEFINED ENV{MINIVMM_ARM64_SYSROOT})
  set(MINIVMM_ARM64_SYSROOT $ENV{MINIVMM_ARM64_SYSROOT})
else()
  get_filename_component(MINIVMM_ARM64_SYSROOT "${CMAKE_CURRENT_LIST_DIR}/../build-arm64/sysroot" ABSOLUTE)
endif()
set(CMAKE_FIND_ROOT_PATH ${MINIVMM_ARM64_SYSROOT} /usr/aarch64-linux-gnu)
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)
# pkg-config answers for arm64: the sysroot's .pc files, paths inside it.
set(ENV{PKG_CONFIG_LIBDIR} "${MINIVMM_ARM64_SYSROOT}/usr/lib/aarch64-linux-gnu/pkgconfig:${MINIVMM_ARM64_SYSROOT}/usr/share/pkgconfig")
set(ENV{PKG_CONFIG_SYSROOT_DIR} "${MINIVMM_ARM64_SYSROOT}")

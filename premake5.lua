-- ratio build. Written in the subset that Debian 12's premake4 (4.3) reads as well as premake5:
--   premake4 --file=premake5.lua gmake && make -C build config=release     (or debug / asan)
-- scripts/setup does exactly this. Libraries are found with pkg-config at make time.

local pkgs = "lua5.4 libuv libcurl libcjson libh2o sqlite3 libcrypto libxxhash"

solution "ratio"
  configurations { "release", "debug", "asan" }
  location "build"
  language "C"
  includedirs { "core" }
  flags { "Symbols" } -- keep the symbol table (premake4 strips otherwise), so nm and gdb work
  buildoptions { "-std=c11", "-Wall", "-Wextra", "-Werror", "-DH2O_USE_LIBUV=1",
                 "`pkg-config --cflags " .. pkgs .. "`" }
  -- mimalloc (the Lua state's allocator, core/util/lua_alloc.c) ships no pkg-config file.
  linkoptions { "`pkg-config --libs " .. pkgs .. "`", "-lmimalloc", "-lm" }

  configuration "release"
    buildoptions { "-O2", "-g" }
    defines { "NDEBUG" }
  configuration "debug"
    buildoptions { "-O0", "-g3" }
  configuration "asan"
    buildoptions { "-O1", "-g", "-fsanitize=address,undefined", "-fno-omit-frame-pointer",
                   "-fno-sanitize-recover=undefined" }
    linkoptions { "-fsanitize=address,undefined" }

  -- The program: every C file under core/.
  project "ratio"
    kind "ConsoleApp"
    targetname "ratio"
    files { "core/**.c", "core/**.h" }
    configuration "release"
      targetdir "bin"
      objdir "build/obj/release"
    configuration "debug"
      targetdir "bin/debug"
      objdir "build/obj/debug"
    configuration "asan"
      targetdir "bin/asan"
      objdir "build/obj/asan"

  -- C unit tests: the kernels and C modules without the Lua host (core/lua/ and main.c), so every
  -- kernel is shown to work from C alone.
  project "ratio-ctest"
    kind "ConsoleApp"
    targetname "ratio-ctest"
    includedirs { "tests/c" }
    files { "tests/c/*.c", "core/**.c" }
    excludes { "core/main.c", "core/lua/*.c" }
    configuration "release"
      targetdir "bin"
      objdir "build/obj/ctest-release"
    configuration "debug"
      targetdir "bin/debug"
      objdir "build/obj/ctest-debug"
    configuration "asan"
      targetdir "bin/asan"
      objdir "build/obj/ctest-asan"

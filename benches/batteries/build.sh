#!/usr/bin/env bash
# benches/batteries/build.sh - build TestU01, PractRand and initfill's battery driver
# (benches/batteries/initfill_battery.c) for the statistical batteries recorded in
# docs/batteries.md.  Never run by CI: the batteries take minutes to hours.
#
#   benches/batteries/build.sh [--testu01 SRC] [--practrand SRC] [--build DIR]
#
# SRC is an unpacked source tree or a bare git directory (its HEAD is exported).
# Without --testu01/--practrand (or $TESTU01_SRC/$PRACTRAND_SRC) the official
# archives are downloaded (needs internet and curl or wget).  Everything is built
# under DIR (default: build/batteries of this repository, git-ignored); nothing of
# TestU01 or PractRand ever lands in the repository.  Products:
#   DIR/bin/initfill_battery   the driver (TestU01 linked in; also writes raw words)
#   DIR/bin/RNG_test           PractRand's tester (reads `stdin32`)
# Build only one of them with --no-practrand or --no-testu01.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
build="$root/build/batteries"
testu01_src="${TESTU01_SRC:-}"
practrand_src="${PRACTRAND_SRC:-}"
want_testu01=1
want_practrand=1
testu01_url="http://simul.iro.umontreal.ca/testu01/TestU01.zip"
practrand_url="https://downloads.sourceforge.net/project/pracrand/PractRand-pre0.95.zip"

while [ $# -gt 0 ]; do
    case "$1" in
    --testu01) testu01_src="$2"; shift 2;;
    --practrand) practrand_src="$2"; shift 2;;
    --build) build="$2"; shift 2;;
    --no-testu01) want_testu01=0; shift;;
    --no-practrand) want_practrand=0; shift;;
    -h|--help) sed -n '2,16p' "$0"; exit 0;;
    *) echo "build.sh: unknown argument $1 (see --help)" >&2; exit 2;;
    esac
done
mkdir -p "$build/bin" "$build/src"
build="$(cd "$build" && pwd)"
jobs="${JOBS:-2}"

download() {  # download URL FILE
    if command -v curl >/dev/null; then curl -fL --retry 2 -o "$2" "$1"
    elif command -v wget >/dev/null; then wget -O "$2" "$1"
    else echo "build.sh: neither curl nor wget to download $1" >&2; exit 1
    fi
}

# unpack NAME SRC URL [PATH...]: a fresh copy of the sources in $build/src/NAME
# (from a git directory only PATHs, when given: mirrors may lack unused binaries).
unpack() {
    local name="$1" src="$2" url="$3" dest="$build/src/$1"
    shift 3
    rm -rf "$dest" && mkdir -p "$dest"
    if [ -z "$src" ]; then
        echo "build.sh: downloading $url"
        download "$url" "$build/src/$name.zip"
        (cd "$build/src" && rm -rf "$name.unzip" && mkdir "$name.unzip" &&
            cd "$name.unzip" && unzip -q "../$name.zip")
        # The archives hold one top directory (or, for PractRand, the tree itself).
        local top
        top="$(find "$build/src/$name.unzip" -mindepth 1 -maxdepth 1)"
        if [ "$(echo "$top" | wc -l)" = 1 ] && [ -d "$top" ]; then
            cp -a "$top/." "$dest"
        else
            cp -a "$build/src/$name.unzip/." "$dest"
        fi
    elif [ -f "$src/HEAD" ] && [ -d "$src/objects" ]; then
        git --git-dir="$src" archive HEAD "$@" | tar -x -C "$dest"
    elif [ -d "$src" ]; then
        cp -a "$src/." "$dest"
    else
        echo "build.sh: $src is neither a source tree nor a git directory" >&2; exit 1
    fi
}

# initfill's C library, exactly as csrc/Makefile builds it.
make -C "$root/csrc" -s -j"$jobs" BUILD="$build/initfill" lib

if [ "$want_testu01" = 1 ]; then
    unpack testu01 "$testu01_src" "$testu01_url"
    (cd "$build/src/testu01" && chmod +x configure &&
        ./configure -q --prefix="$build/testu01" --disable-shared CFLAGS="-O2 -w" &&
        make -s -j"$jobs" && make -s install) >"$build/testu01-build.log" 2>&1 ||
        { tail -30 "$build/testu01-build.log"; exit 1; }
    cc -std=c11 -O2 -Wall -Wextra -I"$root/csrc/include" -I"$build/testu01/include" \
        "$here/initfill_battery.c" -o "$build/bin/initfill_battery.new" \
        "$build/initfill/libinitfill.a" -L"$build/testu01/lib" \
        -ltestu01 -lprobdist -lmylib -lm -pthread
    # Renamed into place, so runs of the previous build keep going.
    mv -f "$build/bin/initfill_battery.new" "$build/bin/initfill_battery"
    echo "build.sh: $build/bin/initfill_battery"
fi

if [ "$want_practrand" = 1 ]; then
    unpack practrand "$practrand_src" "$practrand_url" src include tools
    p="$build/src/practrand"
    mkdir -p "$p/obj"
    (cd "$p/obj" && for f in ../src/*.cpp ../src/RNGs/*.cpp ../src/RNGs/other/*.cpp; do
            echo "$f"; done | xargs -P "$jobs" -I{} g++ -std=gnu++11 -O3 -w -pthread \
            -I../include -c {} &&
        ar rcs libPractRand.a ./*.o &&
        g++ -std=gnu++11 -O3 -w -pthread -I../include -I../tools ../tools/RNG_test.cpp \
            libPractRand.a -o "$build/bin/RNG_test") >"$build/practrand-build.log" 2>&1 ||
        { tail -30 "$build/practrand-build.log"; exit 1; }
    echo "build.sh: $build/bin/RNG_test"
fi

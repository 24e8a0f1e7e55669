#!/usr/bin/env bash
# benches/batteries/run.sh - run one battery on named layouts of initfill's bits_
# words, niced, each into build/batteries/results/<battery>-<layout>.txt with its
# command, start/end time and wall time (docs/batteries.md records the results).
#
#   benches/batteries/run.sh BATTERY LAYOUT...
#
# BATTERY: smallcrush | crush | bigcrush (TestU01) or practrand-SIZE (PractRand's
# RNG_test stdin32 up to SIZE, e.g. practrand-64GB).  smallcrush-each, crush-each and
# bigcrush-each run the battery's tests one per process instead (TESTS="1 5 9" picks
# some, into a log of their own), each reading the layout from its first word: a
# test stopped or lost costs only itself, and two such runs can share out the tests.
# LAYOUT: one of the names below (`benches/batteries/run.sh list` prints them with
# the driver arguments).
# Build first with benches/batteries/build.sh.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
bin="${BATTERY_BIN:-$root/build/batteries/bin}"
out="${BATTERY_RESULTS:-$root/build/batteries/results}"

layout_args() {
    case "$1" in
    stream0) echo "stream --seed 0 --stream 0";;            # the bits_ stream
    stream0-reversed) echo "stream --seed 0 --stream 0 --reverse";;  # its low bits first
    stream-bigseed) echo "stream --seed 0xffffffffffffffff --stream 0xfffffffffffffffe";;
    heads0) echo "heads --seed 0 --stream 0";;              # word 0 of streams 0, 1, ...
    heads-bigseed) echo "heads --seed 0xffffffffffffffff --stream 0";;
    named0) echo "named --seed 0 --names layers.{}.weight";;  # word 0 of named streams
    interleave1024) echo "interleave --seed 0 --stream 0 --streams 1024";;
    *) echo "run.sh: unknown layout $1" >&2; return 1;;
    esac
}
LAYOUTS="stream0 stream0-reversed stream-bigseed heads0 heads-bigseed named0 interleave1024"

if [ "${1:-}" = list ]; then
    for l in $LAYOUTS; do printf '%-18s %s\n' "$l" "$(layout_args "$l")"; done
    exit 0
fi
[ $# -ge 2 ] || { sed -n '2,14p' "$0"; exit 2; }
battery="$1"; shift
mkdir -p "$out"
for layout in "$@"; do
    args="$(layout_args "$layout")"
    case "$battery" in
    smallcrush|crush|bigcrush)
        cmd="$bin/initfill_battery $battery $args";;
    smallcrush-each|crush-each|bigcrush-each)
        base="${battery%-each}"
        case "$base" in smallcrush) n=10;; crush) n=96;; bigcrush) n=106;; esac
        cmd="for t in ${TESTS:-$(seq -s ' ' 1 "$n")}; do echo == test \$t start \$(date -u +%T); $bin/initfill_battery repeat $base \$t 1 $args; echo == test \$t end \$(date -u +%T); done";;
    practrand-*)
        cmd="$bin/initfill_battery stdout $args | $bin/RNG_test stdin32 -tlmax ${battery#practrand-} -tlmin 1GB";;
    *) echo "run.sh: unknown battery $battery" >&2; exit 2;;
    esac
    log="$out/$battery-$layout.txt"
    # Runs of some of the tests each get a log of their own (summarize.py joins them).
    [ -n "${TESTS:-}" ] && [ "${battery%-each}" != "$battery" ] &&
        log="$out/$battery-$layout.tests-$(echo $TESTS | tr ' ' '_').txt"
    start=$(date +%s)
    {
        echo "# command: nice -n 19 bash -c \"$cmd\""
        echo "# start: $(date -u +%Y-%m-%dT%H:%M:%SZ) on $(uname -n) ($(nproc) cores)"
    } >"$log"
    # Niced, the generator of a PractRand pipe too.
    nice -n 19 bash -c "$cmd" >>"$log" 2>&1 || echo "# exit status $?" >>"$log"
    echo "# end: $(date -u +%Y-%m-%dT%H:%M:%SZ), wall $(( $(date +%s) - start )) s" >>"$log"
    echo "run.sh: $battery $layout -> $log"
done

#!/usr/bin/env bash
# Upload benchmark (issue 4): the facade's streamed build upload against `curl -T`, both to the
# same loopback PUT endpoint (examples/put_sink.rs), for a ZIP of 64 MiB and one of 1 GiB.
#
# Goals: throughput >= 0.90 x curl; peak RSS of the uploading process <= 40 MiB, and the same
# (within 1.2 x) for both sizes.
#
#   benches/upload.sh            # ZIPs go to target/upload-bench (never committed)
#   RUNS=15 benches/upload.sh    # runs per tool and size (default 9; medians reported)
#   PIN=0 benches/upload.sh      # do not pin: by default, with taskset and 2+ CPUs, the sink runs
#                                # on CPU 0 and the uploaders on CPU 1, because unpinned loopback
#                                # figures on a small shared machine vary by 2x from run to run
set -euo pipefail

cd "$(dirname "$0")/.."
OUT="${BENCH_DIR:-target/upload-bench}"
RUNS="${RUNS:-9}"
PIN="${PIN:-1}"
mkdir -p "$OUT"

need() { # command, Debian package
    command -v "$1" >/dev/null 2>&1 && return
    echo "installing $2 ..." >&2
    apt-get update -qq && apt-get install -y -qq "$2" >/dev/null
}
need curl curl
need python3 python3
[ -x /usr/bin/time ] || { apt-get update -qq && apt-get install -y -qq time >/dev/null; }

cargo build --release --quiet --example put_sink --example upload_bench
SINK_BIN=target/release/examples/put_sink
BENCH_BIN=target/release/examples/upload_bench
SINK_CPU=() CLIENT_CPU=()
if [ "$PIN" = 1 ] && command -v taskset >/dev/null && [ "$(nproc)" -ge 2 ]; then
    SINK_CPU=(taskset -c 0) CLIENT_CPU=(taskset -c 1)
    echo "pinned: sink on CPU 0, uploaders on CPU 1"
fi

# A ZIP with one stored (uncompressed) random entry of the given size and Server.x86_64,
# written in 1 MiB pieces so that making it needs no memory either.
make_zip() { # path, MiB
    [ -s "$1" ] && return
    python3 - "$1" "$2" <<'PY'
import os, sys, zipfile
path, mib = sys.argv[1], int(sys.argv[2])
with zipfile.ZipFile(path + ".part", "w", compression=zipfile.ZIP_STORED, allowZip64=True) as zf:
    zf.writestr("Server.x86_64", b"#!/bin/sh\necho server\n")
    with zf.open("assets.bin", "w", force_zip64=True) as entry:
        for _ in range(mib):
            entry.write(os.urandom(1 << 20))
os.replace(path + ".part", path)
PY
}

"${SINK_CPU[@]}" "$SINK_BIN" >"$OUT/sink.log" 2>&1 &
SINK_PID=$!
trap 'kill "$SINK_PID" 2>/dev/null || true' EXIT
for _ in $(seq 50); do grep -q listening "$OUT/sink.log" 2>/dev/null && break; sleep 0.1; done
API="$(sed -n 's/^listening on //p' "$OUT/sink.log")"
[ -n "$API" ] || { echo "the sink did not start" >&2; cat "$OUT/sink.log" >&2; exit 1; }
PUT_URL="$API/upload/curl.zip?X-Amz-Signature=bench"

median() { sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
peak_kib() { sed -n 's/.*Maximum resident set size (kbytes): //p' "$1"; }

# playflow MB/s: the PUT alone, as curl's figure; e2e MB/s adds the archive check and the
# upload-URL request before it.
printf '%-7s %13s %9s %7s %9s %8s %12s\n' size "playflow MB/s" "curl MB/s" ratio "e2e MB/s" "rss KiB" "curl rss KiB"
for MIB in 64 1024; do
    ZIP="$OUT/build-${MIB}MiB.zip"
    make_zip "$ZIP" "$MIB"
    cat "$ZIP" >/dev/null # both tools read from the page cache
    ours=() e2e=() theirs=() rss=() curl_rss=()
    for run in $(seq "$RUNS"); do
        "${CLIENT_CPU[@]}" /usr/bin/time -v -o "$OUT/time-ours.txt" "$BENCH_BIN" "$API" "$ZIP" >"$OUT/ours.txt"
        ours+=("$(sed -n 's/.*bytes_per_second=\([0-9.]*\).*/\1/p' "$OUT/ours.txt")")
        e2e+=("$(awk '{ split($1, b, "="); split($4, t, "="); print b[2] / t[2] }' "$OUT/ours.txt")")
        rss+=("$(peak_kib "$OUT/time-ours.txt")")

        "${CLIENT_CPU[@]}" /usr/bin/time -v -o "$OUT/time-curl.txt" \
            curl -sS -o /dev/null -T "$ZIP" -H 'Content-Type: application/zip' \
            -w '%{speed_upload}\n' "$PUT_URL" >"$OUT/curl.txt"
        theirs+=("$(cat "$OUT/curl.txt")")
        curl_rss+=("$(peak_kib "$OUT/time-curl.txt")")
    done
    o=$(printf '%s\n' "${ours[@]}" | median)
    e=$(printf '%s\n' "${e2e[@]}" | median)
    t=$(printf '%s\n' "${theirs[@]}" | median)
    r=$(printf '%s\n' "${rss[@]}" | sort -g | tail -1)
    c=$(printf '%s\n' "${curl_rss[@]}" | sort -g | tail -1)
    awk -v s="${MIB}MiB" -v o="$o" -v t="$t" -v e="$e" -v r="$r" -v c="$c" 'BEGIN {
        printf "%-7s %13.1f %9.1f %7.3f %9.1f %8d %12d\n", s, o / 1e6, t / 1e6, o / t, e / 1e6, r, c }'
    echo "$MIB $o $t $r" >>"$OUT/results.$$"
done

awk '
    { size[NR] = $1; ratio[NR] = $2 / $3; rss[NR] = $4 }
    END {
        printf "\nthroughput ratio (median of runs): 64MiB %.3f, 1GiB %.3f (goal >= 0.90)\n", ratio[1], ratio[2]
        printf "peak RSS (max of runs): 64MiB %.1f MiB, 1GiB %.1f MiB (goal <= 40 MiB), 1GiB/64MiB = %.2f (goal <= 1.2)\n",
            rss[1] / 1024, rss[2] / 1024, rss[2] / rss[1]
    }' "$OUT/results.$$"
rm -f "$OUT/results.$$"

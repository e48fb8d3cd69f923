#!/usr/bin/env bash
# Clean-build cost (issue 15): the CPU time (user + sys, all of cargo's children) of building a
# user's crate that depends on playflow (default features, by path) from an empty target
# folder, against a crate that depends only on reqwest with the features playflow turns on.
#
# Goal: playflow / reqwest-only <= 1.6 (debug).
#
#   benches/clean_build.sh                    # debug, 2 interleaved runs per side, medians
#   RUNS=3 PROFILES="dev release" benches/clean_build.sh
#   PLAYFLOW_DIR=/path/to/checkout benches/clean_build.sh   # measure another checkout
#
# Both scratch crates get this workspace's Cargo.lock, so both sides build the same versions
# (cargo drops the entries they do not use). Sources must be in cargo's cache (`--offline`:
# the figures measure compiling, never downloading). CPU time, not wall time: it is far less
# sensitive to other load on the machine, and the two sides run interleaved anyway.
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT="$PWD"
PLAYFLOW_DIR="$(cd "${PLAYFLOW_DIR:-$ROOT}" && pwd)"
OUT="${BENCH_DIR:-$ROOT/target/clean-build-bench}"
RUNS="${RUNS:-2}"
PROFILES="${PROFILES:-dev}"
mkdir -p "$OUT"
[ -x /usr/bin/time ] || { apt-get update -qq && apt-get install -y -qq time >/dev/null; }

# The reqwest features of playflow's default build, from its manifest (reqwest line + `rustls`).
REQWEST_VERSION="$(sed -n 's/^reqwest = { version = "\([^"]*\)".*/\1/p' "$PLAYFLOW_DIR/Cargo.toml")"
REQWEST_FEATURES="$(sed -n 's/^reqwest = { workspace = true, features = \[\(.*\)\] }/\1/p' "$PLAYFLOW_DIR/Cargo.toml")"
[ -n "$REQWEST_VERSION" ] && [ -n "$REQWEST_FEATURES" ] || {
    echo "cannot read reqwest's version and features from $PLAYFLOW_DIR/Cargo.toml" >&2
    exit 1
}

scratch() { # dir, dependency line
    mkdir -p "$1/src"
    cat >"$1/Cargo.toml" <<EOF
[package]
name = "scratch-user"
version = "0.1.0"
edition = "2024"
publish = false

[workspace]

[dependencies]
$2
EOF
    echo 'fn main() {}' >"$1/src/main.rs"
    cp "$PLAYFLOW_DIR/Cargo.lock" "$1/Cargo.lock"
}
scratch "$OUT/with-playflow" "playflow = { path = \"$PLAYFLOW_DIR\" }"
scratch "$OUT/reqwest-only" \
    "reqwest = { version = \"$REQWEST_VERSION\", default-features = false, features = [$REQWEST_FEATURES, \"rustls\"] }"

cpu_seconds() { # crate dir, profile -> CPU seconds of a build from an empty target folder
    local target="$OUT/target-$(basename "$1")"
    rm -rf "$target"
    (cd "$1" && CARGO_TARGET_DIR="$target" /usr/bin/time -f '%U %S' -o "$OUT/time.txt" \
        cargo build --offline --quiet --profile "$2") >&2
    rm -rf "$target"
    awk '{ printf "%.1f\n", $1 + $2 }' "$OUT/time.txt"
}
median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

echo "playflow: $PLAYFLOW_DIR; reqwest $REQWEST_VERSION features [$REQWEST_FEATURES, \"rustls\"]"
printf '%-8s %-4s %14s %14s %7s\n' profile run "playflow CPU s" "reqwest CPU s" ratio
for profile in $PROFILES; do
    ours=() theirs=()
    for run in $(seq "$RUNS"); do
        # Interleaved, alternating which side goes first.
        if [ $((run % 2)) = 1 ]; then
            o=$(cpu_seconds "$OUT/with-playflow" "$profile")
            t=$(cpu_seconds "$OUT/reqwest-only" "$profile")
        else
            t=$(cpu_seconds "$OUT/reqwest-only" "$profile")
            o=$(cpu_seconds "$OUT/with-playflow" "$profile")
        fi
        ours+=("$o") theirs+=("$t")
        awk -v p="$profile" -v r="$run" -v o="$o" -v t="$t" \
            'BEGIN { printf "%-8s %-4s %14.1f %14.1f %7.2f\n", p, r, o, t, o / t }'
    done
    o=$(printf '%s\n' "${ours[@]}" | median)
    t=$(printf '%s\n' "${theirs[@]}" | median)
    awk -v p="$profile" -v o="$o" -v t="$t" \
        'BEGIN { printf "%-8s %-4s %14.1f %14.1f %7.2f   (medians; goal <= 1.60)\n", p, "med", o, t, o / t }'
done

#!/usr/bin/env bash
# A fuzzing campaign over every libFuzzer harness in wallet-core/fuzz/.
#
#   wallet-core/fuzz/run-campaign.sh [options] SECONDS [harness...]
#
# Builds the harnesses with clang -Dfuzzing=true in their own build directory
# (the library is instrumented too), then runs each harness for SECONDS of
# wall time on its seed corpus and dictionary (<harness>.dict). New inputs go
# to a scratch directory, never into the tree, unless --minimise is given:
# then the coverage-increasing ones are merged (-merge=1) into
# corpus/<harness>/. Every crash, leak, timeout or OOM is copied into the
# tree as corpus/<harness>/crash-<sha1> so that the `fuzz` test suite replays
# it from then on (it fails until the bug is fixed, as it should).
#
# Options:
#   --minimise      merge coverage-increasing new inputs into the corpus
#   --jobs N        harnesses run at the same time (default: nproc)
#   --build DIR     build directory (default: build-fuzz-campaign)
#   --work DIR      scratch directory (default: a new mktemp -d, kept)
#   --no-build      use the harnesses already built in --build
#   --coverage      afterwards, replay corpus + new inputs through a clang
#                   source-coverage build (<build>-cov, -fprofile-instr-generate
#                   -fcoverage-mapping) and print llvm-cov's line and region
#                   coverage of the library code each harness links
#
# Prints one line per harness: the CPU seconds it used (less than SECONDS
# when the machine is shared), executions, libFuzzer's edge coverage (cov)
# and features (ft) at the end of the run, corpus size and crashes; exits 1
# when any harness crashed.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
corpus_root="$here/corpus"

minimise=0
jobs=$(nproc)
build="$root/build-fuzz-campaign"
work=""
do_build=1
coverage=0

usage() {
	sed -n '2,28p' "$0" | sed 's/^# \{0,1\}//' >&2
	exit 2
}

while [ $# -gt 0 ]; do
	case "$1" in
	--minimise | --minimize) minimise=1 ;;
	--jobs) jobs=$2; shift ;;
	--build) build=$(realpath -m "$2"); shift ;;
	--work) work=$(realpath -m "$2"); shift ;;
	--no-build) do_build=0 ;;
	--coverage) coverage=1 ;;
	-h | --help) usage ;;
	--*) usage ;;
	*) break ;;
	esac
	shift
done
[ $# -ge 1 ] || usage
seconds=$1
shift
[[ "$seconds" =~ ^[0-9]+$ ]] && [ "$seconds" -gt 0 ] || usage

# The harness list is meson.build's dictionary; keep one source of truth.
if [ $# -gt 0 ]; then
	harnesses=("$@")
else
	mapfile -t harnesses < <(sed -n "s/^  '\(fuzz-[a-z0-9-]*\)':.*/\1/p" "$here/meson.build")
fi
[ ${#harnesses[@]} -gt 0 ] || { echo "run-campaign: no harnesses" >&2; exit 2; }

if [ $do_build -eq 1 ]; then
	if [ ! -f "$build/build.ninja" ]; then
		CC=clang meson setup "$build" "$root" -Dfuzzing=true -Dtests=false -Dgui=false \
			-Dbuildtype=debugoptimized >/dev/null
	fi
	ninja -C "$build" >/dev/null
fi

[ -n "$work" ] || work=$(mktemp -d /tmp/tessera-fuzz.XXXXXX)
mkdir -p "$work"
echo "run-campaign: ${#harnesses[@]} harnesses, ${seconds}s each, $jobs at a time, scratch $work" >&2

# One harness: runs until SECONDS have passed, restarting after each crash
# (libFuzzer stops at the first one), then saves crashes and merges.
run_one() {
	local h=$1 bin="$build/wallet-core/fuzz/$1" dir="$work/$1"
	local corpus="$corpus_root/$1" dict=() start now left rc round=0
	local TIMEFORMAT='%U %S' # bash's `time`: user and system CPU seconds
	mkdir -p "$dir/new" "$dir/artifacts" "$corpus"
	[ -f "$here/$h.dict" ] && dict=(-dict="$here/$h.dict")
	: >"$dir/log"
	start=$(date +%s)
	while :; do
		now=$(date +%s)
		left=$((seconds - (now - start)))
		[ $left -gt 0 ] || break
		round=$((round + 1))
		rc=0
		# The harness's own user+system CPU seconds: on a shared machine
		# they are less than the wall time, and they are what is reported.
		{ time "$bin" -max_total_time=$left -timeout=10 -rss_limit_mb=2048 \
			-print_final_stats=1 -artifact_prefix="$dir/artifacts/" "${dict[@]}" \
			"$dir/new" "$corpus" >>"$dir/log" 2>&1 || rc=$?; } 2>>"$dir/cpu"
		[ $rc -ne 0 ] || break
		# Anything but a finding (a broken harness, say) is not retried.
		[ -n "$(ls -A "$dir/artifacts")" ] || { echo "exit $rc, no artifact" >>"$dir/log"; break; }
		[ $round -lt 20 ] || break
	done
	local f sum crashes=0
	for f in "$dir"/artifacts/*; do
		[ -e "$f" ] || continue
		sum=$(sha1sum "$f" | cut -c1-16)
		cp "$f" "$corpus/crash-$sum"
		crashes=$((crashes + 1))
	done
	local merged=0
	if [ $minimise -eq 1 ]; then
		local before after
		before=$(ls "$corpus" | wc -l)
		"$bin" -merge=1 -timeout=10 -rss_limit_mb=2048 -artifact_prefix="$dir/artifacts/" \
			"$corpus" "$dir/new" \
			>>"$dir/merge.log" 2>&1 || true
		after=$(ls "$corpus" | wc -l)
		merged=$((after - before))
	fi
	local execs cov ft cpu
	cpu=$(awk '{ s += $1 + $2 } END { printf "%d", s }' "$dir/cpu")
	execs=$(awk '/^stat::number_of_executed_units/ { s += $2 } END { print s + 0 }' "$dir/log")
	cov=$(awk '{ for (i = 1; i < NF; i++) if ($i == "cov:") c = $(i + 1) } END { print c + 0 }' \
		"$dir/log")
	ft=$(awk '{ for (i = 1; i < NF; i++) if ($i == "ft:") c = $(i + 1) } END { print c + 0 }' \
		"$dir/log")
	printf '%s %s %s %s %s %s %s %s %s\n' "$h" "$cpu" "$execs" "${cov:-0}" "${ft:-0}" \
		"$(ls "$dir/new" | wc -l)" "$merged" "$crashes" "$(ls "$corpus" | wc -l)" \
		>"$dir/summary"
}

active=0
for h in "${harnesses[@]}"; do
	[ -x "$build/wallet-core/fuzz/$h" ] || { echo "run-campaign: $h not built" >&2; exit 2; }
	run_one "$h" &
	active=$((active + 1))
	if [ $active -ge "$jobs" ]; then
		wait -n || true
		active=$((active - 1))
	fi
done
wait

total_cpu=0
total_execs=0
total_crashes=0
printf '%-24s %7s %12s %7s %7s %6s %7s %8s %7s\n' harness cpu-s execs cov ft new merged \
	crashes corpus
for h in "${harnesses[@]}"; do
	read -r name cpu execs cov ft new merged crashes size <"$work/$h/summary"
	printf '%-24s %7s %12s %7s %7s %6s %7s %8s %7s\n' "$name" "$cpu" "$execs" "$cov" "$ft" \
		"$new" "$merged" "$crashes" "$size"
	total_cpu=$((total_cpu + cpu))
	total_execs=$((total_execs + execs))
	total_crashes=$((total_crashes + crashes))
done
echo "total: ${#harnesses[@]} harnesses, $((seconds * ${#harnesses[@]})) wall seconds," \
	"$total_cpu CPU seconds, $total_execs executions, $total_crashes crashes (logs in $work)"

# Source coverage (llvm-cov) of wallet-core reached by each corpus.
if [ $coverage -eq 1 ]; then
	cov_build="$build-cov"
	if [ ! -f "$cov_build/build.ninja" ]; then
		# meson's compiler checks run instrumented programs: their
		# profiles go to the scratch directory, not the current one.
		LLVM_PROFILE_FILE="$work/meson-%p.profraw" \
			CC=clang meson setup "$cov_build" "$root" -Dtests=false -Dgui=false \
			-Dbuildtype=debug -Dc_args="-fprofile-instr-generate -fcoverage-mapping" \
			-Dc_link_args="-fprofile-instr-generate -fcoverage-mapping" >/dev/null
	fi
	ninja -C "$cov_build" "${harnesses[@]/#/wallet-core/fuzz/}" >/dev/null
	ignore='(wallet-core/fuzz|tests)/|^/usr/'
	# llvm-cov's TOTAL row: regions, missed, %, functions, missed, %, lines, missed, %, ...
	total_line='$1 == "TOTAL" { printf "%-24s %6d/%-5d %-7s %6d/%-5d %-7s %5d/%-4d %s\n", h,
	    $8 - $9, $8, $10, $2 - $3, $2, $4, $5 - $6, $5, $7 }'
	objects=()
	printf '\n%-24s %-20s %-20s %s\n' "llvm-cov (library)" "lines" "regions" "functions"
	for h in "${harnesses[@]}"; do
		bin="$cov_build/wallet-core/fuzz/$h"
		rm -f "$work/$h"/cov-*.profraw
		LLVM_PROFILE_FILE="$work/$h/cov-%p.profraw" "$bin" "$corpus_root/$h" "$work/$h/new" \
			>/dev/null 2>&1 || echo "run-campaign: $h replay failed" >&2
		llvm-profdata merge -sparse "$work/$h"/cov-*.profraw -o "$work/$h/cov.profdata"
		# TOTAL: regions missed cover functions missed cover lines missed cover ...
		llvm-cov report "$bin" -instr-profile="$work/$h/cov.profdata" \
			-ignore-filename-regex="$ignore" | awk -v h="$h" "$total_line"
		objects+=(-object "$bin")
	done
	llvm-profdata merge -sparse "$work"/*/cov.profdata -o "$work/all.profdata"
	llvm-cov report "${objects[@]:1}" -instr-profile="$work/all.profdata" \
		-ignore-filename-regex="$ignore" >"$work/coverage.txt"
	awk -v h="all harnesses" "$total_line" "$work/coverage.txt"
	echo "(per-file report: $work/coverage.txt)"
fi
[ $total_crashes -eq 0 ]

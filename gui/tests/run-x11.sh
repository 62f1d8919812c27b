#!/usr/bin/env bash
# Runs a test under its own Xvfb display and D-Bus session bus, so the GUI
# tests work on a fresh machine with nothing started (`./run test`, CI).
# Xvfb picks a free display itself (-displayfd): parallel tests never race.
# Without Xvfb or dbus-run-session the test is skipped (TAP "1..0 # SKIP").
set -u

if ! command -v Xvfb >/dev/null || ! command -v dbus-run-session >/dev/null; then
	echo "1..0 # SKIP Xvfb or dbus-run-session is not installed"
	exit 0
fi

tmp=$(mktemp -d)
xpid=
cleanup() {
	[ -n "$xpid" ] && kill "$xpid" 2>/dev/null && wait "$xpid" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

mkfifo "$tmp/displayfd"
Xvfb -displayfd 3 -screen 0 1600x1000x24 -nolisten tcp -noreset \
	3>"$tmp/displayfd" 2>"$tmp/xvfb.log" &
xpid=$!
display=
if ! read -r -t 30 display <"$tmp/displayfd" || [ -z "$display" ]; then
	echo "Bail out! Xvfb did not start:"
	sed 's/^/# /' "$tmp/xvfb.log"
	exit 1
fi

DISPLAY=":$display" dbus-run-session -- "$@" 2> >(grep -v -e 'Failed to set fd limit' \
	-e 'Activating service name' -e 'Successfully activated service' >&2)

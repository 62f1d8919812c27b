#!/usr/bin/env bash
# `meson install --destdir` into a temporary directory, then checks that
# both apps land where a desktop expects them: binaries (linked against the
# installed libtessera), .desktop files, AppStream metainfo, icons,
# GSettings schemas and the Japanese catalogues; and that
# desktop-file-validate, appstreamcli validate --no-net and
# glib-compile-schemas --strict accept the installed files.
#
#   check-install.sh BUILD_DIR PREFIX LIBDIR DATADIR LOCALEDIR BINDIR
#
# Prints TAP. A missing validator is a failure: ./run installs them.
set -u

build=$1 prefix=$2 libdir=$3 datadir=$4 localedir=$5 bindir=$6

# Options may be given relative to the prefix.
abs() { case $1 in /*) printf '%s' "$1" ;; *) printf '%s/%s' "$prefix" "$1" ;; esac; }
libdir=$(abs "$libdir") datadir=$(abs "$datadir") localedir=$(abs "$localedir") bindir=$(abs "$bindir")

dest=$(mktemp -d)
trap 'rm -rf "$dest"' EXIT

n=0 failed=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() {
	n=$((n + 1)) failed=$((failed + 1))
	echo "not ok $n - $1"
	[ -n "${2:-}" ] && sed 's/^/# /' <<<"$2"
}
check() { # description, command...
	local what=$1 out
	shift
	if out=$("$@" 2>&1); then ok "$what"; else not_ok "$what" "$out"; fi
}
exists() { check "installed: ${1#"$dest"}" test -s "$1"; }

if out=$(meson install -C "$build" --destdir "$dest" --no-rebuild --quiet 2>&1); then
	ok "meson install --destdir"
else
	not_ok "meson install --destdir" "$out"
	echo "1..$n"
	exit 1
fi

root=$dest
for app in Wallet Verifier; do
	id=org.tessera.$app
	case $app in
	Wallet) exe=tessera-wallet pkg=tessera-wallet ;;
	Verifier) exe=tessera-verifier pkg=tessera-verifier ;;
	esac
	bin=$root$bindir/$exe
	desktop=$root$datadir/applications/$id.desktop
	metainfo=$root$datadir/metainfo/$id.metainfo.xml

	check "installed: $bindir/$exe is executable" test -x "$bin"
	# The installed binary finds the installed libtessera, nothing from the build tree.
	check "$exe resolves libtessera from the install" \
		bash -c "LD_LIBRARY_PATH='$root$libdir' ldd '$bin' | grep -q 'libtessera.so.* => $root$libdir/' &&
			! LD_LIBRARY_PATH='$root$libdir' ldd '$bin' | grep -q 'not found'"
	exists "$desktop"
	exists "$metainfo"
	exists "$root$datadir/icons/hicolor/scalable/apps/$id.svg"
	exists "$root$datadir/icons/hicolor/symbolic/apps/$id-symbolic.svg"
	exists "$root$datadir/glib-2.0/schemas/$id.gschema.xml"
	exists "$root$localedir/ja/LC_MESSAGES/$pkg.mo"
	check "$id.desktop: Exec and Icon name what was installed" \
		bash -c "grep -qx 'Exec=$exe.*' '$desktop' && grep -qx 'Icon=$id' '$desktop'"
	check "$id.desktop: translated into Japanese" grep -q '^Name\[ja\]=' "$desktop"
	check "$id.metainfo.xml: launches $id.desktop" grep -q "<launchable type=\"desktop-id\">$id.desktop</launchable>" "$metainfo"
	check "desktop-file-validate $id.desktop" desktop-file-validate "$desktop"
	check "appstreamcli validate --no-net $id.metainfo.xml" appstreamcli validate --no-net "$metainfo"
done
check "glib-compile-schemas --strict on the installed schemas" \
	glib-compile-schemas --strict --dry-run "$root$datadir/glib-2.0/schemas"

echo "1..$n"
[ "$failed" -eq 0 ]

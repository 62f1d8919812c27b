#!/bin/sh
# run-apps-vm-test.sh WORKDIR WALLET_TEST VERIFIER_TEST: the apps'
# BLE cases of guest-apps.sh on a real BlueZ stack in a QEMU guest
# (vm-boot.sh), reported as TAP. The apps' test environment (meson's
# `env:`) is passed on into the guest. When the guest cannot be made
# here, the whole test is skipped with the reason.
set -u
here=$(dirname "$(realpath "$0")")
work=$(realpath -m "$1")
out=$work/apps-out
mkdir -p "$out"
rm -f "$out/"*
{
	for v in G_DEBUG GSETTINGS_BACKEND WALLET_SCHEMA_DIR VERIFIER_SCHEMA_DIR TSR_TEST_DATA \
	    TESSERA_PBKDF2_ITERATIONS GSK_RENDERER LIBGL_ALWAYS_SOFTWARE GTK_A11Y NO_AT_BRIDGE \
	    LC_ALL LANGUAGE WALLET_TEST_MAKE_CREDENTIAL WALLET_TEST_TESSERA TESSERA_CLI; do
		eval "val=\${$v-}"
		# shellcheck disable=SC2154
		[ -n "$val" ] && printf "export %s='%s'\n" "$v" "$val"
	done
	printf "export TSR_VM_WORK='%s' TSR_VM_OUT='%s'\n" "$work" "$out"
	printf "export WALLET_BLE_VM_TEST='%s' VERIFIER_BLE_VM_TEST='%s'\n" \
		"$(realpath "$2")" "$(realpath "$3")"
} > "$work/guest-env.sh"
start=$(date +%s)
# 7 cases of at most 300 s each (guest-apps.sh), Xvfb's start (at most
# 120 s) and the boot.
sh "$here/vm-boot.sh" "$work" "$here/guest-apps.sh" "${TSR_VM_TIMEOUT:-2300}" \
	> "$out/console.log" 2>&1
rc=$?
if [ $rc -eq 77 ]; then
	echo "1..0 # SKIP $(tail -n 1 "$out/console.log")"
	exit 0
fi
if [ ! -s "$out/tap" ]; then
	echo "1..1"
	echo "not ok 1 guest_ran_the_cases (vm-boot exit $rc)"
	tail -n 30 "$out/console.log" | sed 's/^/# /'
	exit 1
fi
# The plan line comes last in the guest's TAP: legal, and it says all ran.
cat "$out/tap"
echo "# guest run: $(( $(date +%s) - start )) s; logs in $out"
[ $rc -eq 0 ]

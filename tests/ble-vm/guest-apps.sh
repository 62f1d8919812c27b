# Runs inside the QEMU guest of vm-boot.sh (as root, with hci0 and hci1 on
# one simulated radio): bluetoothd and one X server (Xvfb, started once:
# under TCG that takes a while), then the apps' BLE cases, each a GTest
# case in its own process and D-Bus session:
# - the holder app (hci1) presenting to `tessera reader request` (hci0),
#   in peripheral server mode (shared over GATT and over L2CAP, and
#   declined) and central client mode (gui/tests/test-wallet-ble-vm.c);
# - the verifier app (hci0) reading from `tessera present` (hci1), in both
#   modes, and over L2CAP in peripheral server mode
#   (verifier-app/tests/test-verifier-ble-vm.c).
# Writes TAP to $TSR_VM_OUT/tap, with each case's wall time; logs beside it.
# Set by run-apps-vm-test.sh in guest-env.sh.
set -u
out=$TSR_VM_OUT
n=0
: > "$out/tap"

# Xvfb and dbus-run-session need a writable /tmp (their sockets,
# locks and FIFOs: 9p has no FIFOs, so not TMPDIR=$TSR_VM_WORK);
# the guest's is the host's, read-only. What the cases use under the
# host's /tmp (a checkout there, as CI's; the work directory, a 9p mount
# of its own) is mounted again over the new one, submounts and all.
mkdir -p /run/blevm-hosttmp
mount --rbind /tmp /run/blevm-hosttmp
mount -t tmpfs tmpfs /tmp
for used in "$TSR_VM_WORK" "$WALLET_BLE_VM_TEST" "$VERIFIER_BLE_VM_TEST" "$TSR_TEST_DATA" \
    "$WALLET_SCHEMA_DIR" "$VERIFIER_SCHEMA_DIR" "$WALLET_TEST_TESSERA" \
    "$WALLET_TEST_MAKE_CREDENTIAL"; do
	case $used in
	/tmp/?*)
		top=${used#/tmp/}
		top=${top%%/*}
		if [ ! -e "/tmp/$top" ]; then
			mkdir -p "/tmp/$top"
			mount --rbind "/run/blevm-hosttmp/$top" "/tmp/$top"
		fi ;;
	esac
done
export TMPDIR=/tmp
# What devtmpfs does not make: /dev/fd (bash's process substitution) and
# a POSIX shared memory mount (X's MIT-SHM).
[ -e /dev/fd ] || ln -s /proc/self/fd /dev/fd
mkdir -p /dev/shm && mount -t tmpfs tmpfs /dev/shm

# bluetoothd's main.conf (one ATT bearer, as for guest-session.sh) and
# start_bluetoothd.
# shellcheck source-path=SCRIPTDIR source=guest-bluetoothd.sh
. "$(dirname "$0")/guest-bluetoothd.sh"

if start_bluetoothd; then
	n=1
	echo "ok 1 bluetoothd_has_two_controllers" >> "$out/tap"
else
	n=1
	echo "not ok 1 bluetoothd_has_two_controllers" >> "$out/tap"
	sed 's/^/# /' "$out/controllers.txt" >> "$out/tap"
fi

# start_xvfb: DISPLAY set, or why not in $out/xvfb.log. 120 s: its
# keymap compilation alone takes tens of seconds under TCG.
start_xvfb() {
	Xvfb -displayfd 3 -screen 0 1600x1000x24 -nolisten tcp -noreset \
		3>/tmp/display > "$out/xvfb.log" 2>&1 &
	for _ in $(seq 1 240); do
		[ -s /tmp/display ] && break
		sleep 0.5
	done
	display=$(cat /tmp/display)
	[ -n "$display" ] && export DISPLAY=":$display"
}

n=$((n + 1))
if start_xvfb; then
	echo "ok $n xvfb_started" >> "$out/tap"
else
	echo "not ok $n xvfb_started" >> "$out/tap"
	sed 's/^/# /' "$out/xvfb.log" >> "$out/tap"
fi

# app_case NAME SCHEMA_DIR PROGRAM TESTPATH: one GTest case of PROGRAM
# in its own D-Bus session, bounded by 300 s (the cases' own timeouts add
# up to less); reported as one TAP line with its wall time. A case the
# program skips is a TAP skip with its reason; anything but a pass or a
# skip fails, with the log.
app_case() {
	name=$1
	log=$out/$name
	start=$(date +%s)
	GSETTINGS_SCHEMA_DIR=$2 timeout -k 10 300 dbus-run-session -- "$3" --tap -p "$4" \
		> "$log.tap" 2> "$log.err"
	rc=$?
	took=$(( $(date +%s) - start ))
	n=$((n + 1))
	if grep -q '^ok 1 .*# SKIP' "$log.tap"; then
		echo "ok $n $name # SKIP $(sed -n 's/^ok 1 .*# SKIP *//p' "$log.tap")" >> "$out/tap"
	elif [ $rc -eq 0 ] && grep -q '^ok 1 ' "$log.tap" && ! grep -q '^not ok' "$log.tap"; then
		echo "ok $n $name" >> "$out/tap"
		grep '^# [0-9.]* s: ' "$log.tap" >> "$out/tap"
	else
		echo "not ok $n $name (exit $rc)" >> "$out/tap"
		cat "$log.tap" "$log.err" | tail -n 60 | sed 's/^/# /' >> "$out/tap"
	fi
	echo "# $name: ${took} s" >> "$out/tap"
	# bluetoothd died under the case (as guest-session.sh has seen it do
	# once): the next case gets a new one, and the TAP says so.
	if ! kill -0 "$bluetoothd" 2>/dev/null; then
		echo "# bluetoothd exited during $name: restarted" >> "$out/tap"
		start_bluetoothd
	fi
}

app_case holder_app_peripheral_share "$WALLET_SCHEMA_DIR" "$WALLET_BLE_VM_TEST" \
	/wallet/ble-vm/peripheral-share
app_case holder_app_peripheral_share_l2cap "$WALLET_SCHEMA_DIR" "$WALLET_BLE_VM_TEST" \
	/wallet/ble-vm/peripheral-share-l2cap
app_case holder_app_peripheral_decline "$WALLET_SCHEMA_DIR" "$WALLET_BLE_VM_TEST" \
	/wallet/ble-vm/peripheral-decline
app_case holder_app_central_share "$WALLET_SCHEMA_DIR" "$WALLET_BLE_VM_TEST" \
	/wallet/ble-vm/central-share
app_case verifier_app_peripheral_verified "$VERIFIER_SCHEMA_DIR" "$VERIFIER_BLE_VM_TEST" \
	/verifier/ble-vm/peripheral-verified
app_case verifier_app_peripheral_verified_l2cap "$VERIFIER_SCHEMA_DIR" "$VERIFIER_BLE_VM_TEST" \
	/verifier/ble-vm/peripheral-verified-l2cap
app_case verifier_app_central_verified "$VERIFIER_SCHEMA_DIR" "$VERIFIER_BLE_VM_TEST" \
	/verifier/ble-vm/central-verified

echo "1..$n" >> "$out/tap"
grep -q '^not ok' "$out/tap" && exit 1
exit 0

#!/bin/sh
# run-vm-test.sh WORKDIR TESSERA DATA UNSERVED_PSM_HOLDER: the BLE sessions
# of guest-session.sh on a real BlueZ stack in a QEMU guest (vm-boot.sh),
# reported as TAP. UNSERVED_PSM_HOLDER is holder-unserved-psm (the reader's
# L2CAP fallback cases). When the guest cannot be made here, the whole test
# is skipped with the reason.
set -u
here=$(dirname "$(realpath "$0")")
work=$(realpath -m "$1")
mkdir -p "$work/out"
rm -f "$work/out/"*
cat > "$work/guest-env.sh" <<ENV
export TESSERA='$(realpath "$2")' TSR_TEST_DATA='$(realpath "$3")' TSR_VM_OUT='$work/out'
export TSR_UNSERVED_PSM_HOLDER='$(realpath "$4")'
export TSR_VM_ONLY='${TSR_VM_ONLY:-}'
ENV
start=$(date +%s)
# 17 sessions of at most 60 s each, a bluetoothd restart, and boot: a
# quiet machine needs about 90 s in all, one whose cores are busy several
# minutes.
sh "$here/vm-boot.sh" "$work" "$here/guest-session.sh" "${TSR_VM_TIMEOUT:-1200}" \
	> "$work/out/console.log" 2>&1
rc=$?
if [ $rc -eq 77 ]; then
	echo "1..0 # SKIP $(tail -n 1 "$work/out/console.log")"
	exit 0
fi
if [ ! -s "$work/out/tap" ]; then
	echo "1..1"
	echo "not ok 1 guest_ran_the_sessions (vm-boot exit $rc)"
	tail -n 30 "$work/out/console.log" | sed 's/^/# /'
	exit 1
fi
# The plan line comes last in the guest's TAP: legal, and it says all ran.
cat "$work/out/tap"
echo "# guest run: $(( $(date +%s) - start )) s; logs in $work/out"
[ $rc -eq 0 ]

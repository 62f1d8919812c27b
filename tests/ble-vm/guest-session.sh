# Runs inside the QEMU guest of vm-boot.sh (as root, with hci0 and hci1 on one
# simulated radio): bluetoothd, then `tessera present --transport ble:hci1`
# and `tessera reader request --transport ble:hci0` as two processes, in both
# 18013-5 BLE modes. Writes TAP to $TSR_VM_OUT/tap; logs beside it.
# Set by run-vm-test.sh in guest-env.sh: TESSERA, TSR_TEST_DATA, TSR_VM_OUT.
set -u
out=$TSR_VM_OUT
annex=$TSR_TEST_DATA/annex-d
now=2021-01-01T00:00:00Z
n=0
: > "$out/tap"

result() { # result OK|FAIL NAME [DETAIL FILE]
	n=$((n + 1))
	if [ "$1" = OK ]; then
		echo "ok $n $2" >> "$out/tap"
	else
		echo "not ok $n $2" >> "$out/tap"
		[ -n "${3:-}" ] && sed 's/^/# /' "$3" >> "$out/tap"
	fi
}

# One ATT bearer: with EATT (BlueZ's default of 3 channels) bluetoothd
# spreads notifications over several L2CAP channels and the peer may get
# them out of order, which 18013-5's unnumbered chunks cannot survive
# (docs/ble.md).
printf '[GATT]\nChannels = 1\n' > "$out/main.conf"
/usr/libexec/bluetooth/bluetoothd -n -f "$out/main.conf" > "$out/bluetoothd.log" 2>&1 &
for i in $(seq 1 40); do
	[ "$(bluetoothctl list 2>/dev/null | grep -c Controller)" -ge 2 ] && break
	sleep 0.25
done
bluetoothctl list > "$out/controllers.txt" 2>&1
if [ "$(grep -c Controller "$out/controllers.txt")" -ge 2 ]; then
	result OK bluetoothd_has_two_controllers
else
	result FAIL bluetoothd_has_two_controllers "$out/controllers.txt"
fi

# session NAME HOLDER_MODE READER_ARGS EXPECT [KILL_HOLDER_AFTER_S]
# EXPECT: valid, or the reader's error message (a grep pattern).
session() {
	name=$1 hmode=$2 rargs=$3 expect=$4 kill_after=${5:-}
	log=$out/$name
	rm -f "$log.uri"
	"$TESSERA" -v present --issuer-signed "$annex/issuer_signed.cbor" \
		--device-key "$annex/static_device_key.pem" --transport ble:hci1 \
		--ble-mode "$hmode" --consent all --now "$now" --timeout 60 \
		--qr-uri-file "$log.uri" > "$log.holder.out" 2> "$log.holder.err" &
	holder=$!
	for i in $(seq 1 200); do [ -s "$log.uri" ] && break; sleep 0.1; done
	[ -n "$kill_after" ] && (sleep "$kill_after"; kill -9 "$holder") 2>/dev/null &
	start=$(date +%s%3N)
	# shellcheck disable=SC2086
	"$TESSERA" -v reader request --engagement-file "$log.uri" --template driving-licence \
		--trust "$annex/iaca_cert.pem" --transport ble:hci0 --now "$now" \
		--timeout 60 $rargs > "$log.reader.out" 2> "$log.reader.err"
	rc=$?
	echo "reader exit $rc after $(( $(date +%s%3N) - start )) ms" >> "$log.reader.err"
	# A reader that gave up leaves the holder waiting: end it.
	[ "$expect" != valid ] && kill "$holder" 2>/dev/null
	wait "$holder"
	hrc=$?
	cat "$log.holder.err" >> "$log.reader.err"
	case $expect in
	valid)
		if [ $rc -eq 0 ] && grep -q '^VALID' "$log.reader.out" &&
		    grep -q 'Doe' "$log.reader.out" && [ $hrc -eq 0 ]; then
			result OK "$name"
			grep '^reader exit' "$log.reader.err" | sed 's/^/# /' >> "$out/tap"
		else
			cat "$log.reader.out" >> "$log.reader.err"
			result FAIL "$name" "$log.reader.err"
		fi ;;
	*)
		if [ $rc -ne 0 ] && grep -q "$expect" "$log.reader.err"; then
			result OK "$name"
		else
			result FAIL "$name" "$log.reader.err"
		fi ;;
	esac
}

session peripheral_server_session peripheral "" valid
session central_client_session central "" valid
# A second session with the same reader (bluetoothd caches the first).
session reader_names_the_offered_mode peripheral "--ble-mode peripheral" valid
# A request of several Client2Server chunks (a BlueZ server drops 512-byte writes).
session multi_chunk_request peripheral "--template mdl-full --template pid-basic" valid
session reader_refuses_a_mode_not_offered peripheral "--ble-mode central" \
	"does not offer BLE central client mode"
# The holder dies once its QR code is out: the reader reports it, no hang.
session holder_gone_reader_gives_up peripheral "--timeout 15" "timed out\|timeout" 0

echo "1..$n" >> "$out/tap"
grep -q '^not ok' "$out/tap" && exit 1
exit 0

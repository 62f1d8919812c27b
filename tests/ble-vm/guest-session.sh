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

# bluetoothd's main.conf (one ATT bearer) and start_bluetoothd.
# shellcheck source-path=SCRIPTDIR source=guest-bluetoothd.sh
. "$(dirname "$0")/guest-bluetoothd.sh"

# Every HCI packet of both controllers, for a blind scan (docs/ble.md):
# did the advertiser advertise, did the scanner's controller report it?
# Read it with `btmon -r hci.btsnoop`.
btmon -w "$out/hci.btsnoop" > /dev/null 2>&1 &
btmon_pid=$!

if start_bluetoothd; then
	result OK bluetoothd_has_two_controllers
else
	result FAIL bluetoothd_has_two_controllers "$out/controllers.txt"
fi

# over_l2cap NAME MIN_HOLDER_SDUS: the session's messages went over an
# L2CAP channel, not GATT: both sides say so, the holder's GATT server saw
# no write or subscription (State start, Client2Server, Server2Client),
# a holder listening on a PSM (peripheral server mode) named it in its
# engagement and the reader took it from there, and the holder received
# at least MIN_HOLDER_SDUS SDUs. Prints why not.
over_l2cap() {
	log=$out/$1
	for side in holder reader; do
		grep -q 'ble: open over L2CAP' "$log.$side.err" ||
			{ echo "the $side did not open over L2CAP"; return 1; }
	done
	if grep -q 'bluez: L2CAP listening on PSM' "$log.holder.err" &&
	    ! grep -q 'ble: L2CAP PSM 0x[0-9a-f]* from the engagement' "$log.reader.err"; then
		echo "the reader did not take the PSM from the holder's engagement"
		return 1
	fi
	if grep -q 'GattCharacteristic1\.\(WriteValue\|StartNotify\)' "$log.holder.err"; then
		echo "the holder's GATT server carried data:"
		grep 'GattCharacteristic1\.\(WriteValue\|StartNotify\)' "$log.holder.err"
		return 1
	fi
	sdus=$(sed -n 's/.*L2CAP channel closed: .* received in \([0-9]*\).*/\1/p' \
		"$log.holder.err" | tail -n 1)
	[ "${sdus:-0}" -ge "$2" ] ||
		{ echo "the holder received ${sdus:-no} L2CAP SDUs, expected $2 or more"; return 1; }
}

# What bluetoothd and the kernel still hold after a failed session (the
# tools wait for bluetoothd forever when it is gone: 5 s each).
radio_state() {
	echo "devices known to bluetoothd:"
	timeout 5 bluetoothctl devices 2>&1
	for i in 0 1; do
		echo "hci$i connections:"
		timeout 5 btmgmt --index $i con 2>&1
	done
}

# data_path NAME EXPECT: the messages took the path EXPECT says (valid:
# any; gatt; l2capN: see over_l2cap), and the holder read the reader's
# closing SessionData (status 20) before the connection ended. Prints why
# not.
data_path() {
	grep -q 'The reader ended it (status 20)' "$out/$1.holder.err" ||
		{ echo "the holder did not receive the reader's status 20"; return 1; }
	case $2 in
	valid) ;;
	gatt)
		grep -q 'ble: open over GATT' "$out/$1.reader.err" ||
			{ echo "the reader did not open over GATT"; return 1; }
		# A holder that listened on a PSM stops once the reader chose GATT.
		if grep -q 'bluez: L2CAP listening on PSM' "$out/$1.holder.err" &&
		    ! grep -q 'no longer listening on PSM' "$out/$1.holder.err"; then
			echo "the holder kept listening on its PSM"
			return 1
		fi ;;
	l2cap*) over_l2cap "$1" "${2#l2cap}" ;;
	esac
}

# attempt NAME HOLDER_ARGS READER_ARGS EXPECT [KILL_HOLDER_AFTER_S]: runs
# one case; sets verdict (OK or FAIL) and, on FAIL, the log to show.
# EXPECT: valid, gatt or l2capN (a valid session; see data_path), or the
# reader's error message (a grep pattern).
attempt() {
	name=$1 hargs=$2 rargs=$3 expect=$4 kill_after=${5:-}
	log=$out/$name
	rm -f "$log.uri"
	# shellcheck disable=SC2086
	"$TESSERA" -v present --issuer-signed "$annex/issuer_signed.cbor" \
		--device-key "$annex/static_device_key.pem" --transport ble:hci1 \
		$hargs --consent all --now "$now" --timeout 60 \
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
	case $expect in valid|gatt|l2cap*) ;; *) kill "$holder" 2>/dev/null ;; esac
	wait "$holder"
	hrc=$?
	verdict=FAIL
	case $expect in
	valid|gatt|l2cap*)
		if [ $rc -eq 0 ] && grep -q '^VALID' "$log.reader.out" &&
		    grep -q 'Doe' "$log.reader.out" && [ $hrc -eq 0 ] &&
		    data_path "$name" "$expect" > "$log.why"; then
			verdict=OK
		else
			cat "$log.why" "$log.reader.out" "$log.holder.err" >> "$log.reader.err" \
				2>/dev/null
			radio_state >> "$log.reader.err"
		fi ;;
	*)
		cat "$log.holder.err" >> "$log.reader.err"
		[ $rc -ne 0 ] && grep -q "$expect" "$log.reader.err" && verdict=OK ;;
	esac
}

# session NAME ...: attempt, reported as TAP. One failure of the test
# bed, not of the session, gets the case run once more, said in the TAP
# output (the first attempt's log is kept as NAME.first-attempt.*):
# bluetoothd 5.66 has died under this test (once, on a loaded machine,
# right after logging "Device ... is already connected": both controllers
# are on one daemon here, unlike two real machines); it is started again.
# Nothing else is retried (a scan that stayed blind was, until vm-boot.sh
# made btvirt advertise again every interval: docs/ble.md). With
# $fallback_case set (fallback_session) the case is a fallback_attempt.
session() {
	# TSR_VM_ONLY (a grep pattern) runs only the cases it matches, e.g.
	# to repeat the L2CAP ones.
	if [ -n "${TSR_VM_ONLY:-}" ] && ! echo "$1" | grep -q -- "$TSR_VM_ONLY"; then
		return
	fi
	run_attempt "$@"
	why=
	if ! kill -0 "$bluetoothd" 2>/dev/null; then
		wait "$bluetoothd"
		why="bluetoothd exited (status $?) during $1: restarted"
		start_bluetoothd
	fi
	if [ -n "$why" ]; then
		echo "# $why: case run again" >> "$out/tap"
		for side in reader holder; do
			mv "$out/$1.$side.err" "$out/$1.first-attempt.$side.err"
		done
		run_attempt "$@"
	fi
	result "$verdict" "$1" "$out/$1.reader.err"
	if [ "$verdict" = OK ]; then
		grep '^reader exit' "$out/$1.reader.err" | sed 's/^/# /' >> "$out/tap"
		grep -h 'L2CAP channel closed' "$out/$1.holder.err" "$out/$1.reader.err" |
			sed 's/^/# /' >> "$out/tap"
	fi
}

# fallback_ms LOG: milliseconds from the reader's L2CAP connect (`bluez:
# L2CAP connecting to PSM`) to its giving up on it (`...; using GATT`),
# from the guest-clock times fallback_attempt puts before each line.
fallback_ms() {
	awk '/bluez: L2CAP connecting to PSM/ && !c { c = $1 }
	    /; using GATT/ && c && !g { g = $1 }
	    END { if (c && g) printf "%d\n", (g - c) * 1000 }' "$1"
}

# fell_back NAME HOW MS: the reader took the PSM from the holder's
# engagement and connected to it; the connect failed the HOW way and the
# reader went on over GATT after MS ms: refused, at once (within 1.5 s,
# well before L2CAP_CONNECT_MS); unanswered, after L2CAP_CONNECT_MS (2 s;
# at most 3.5 s under TCG), and the holder's kernel had the request and
# held it. Prints why not.
fell_back() {
	log=$out/$1
	psm=$(sed -n 's/.*: PSM \(0x[0-9a-f]*\): .*/\1/p' "$log.holder.err" | head -n 1)
	grep -q "ble: L2CAP PSM $psm from the engagement" "$log.reader.err" ||
		{ echo "the reader did not take PSM ${psm:-?} from the engagement"; return 1; }
	grep -q "bluez: L2CAP connecting to PSM $psm" "$log.reader.err" ||
		{ echo "the reader did not connect to PSM $psm"; return 1; }
	case $2 in
	refused)
		grep -q 'ble: L2CAP channel refused' "$log.reader.err" ||
			{ echo "the reader saw no refusal"; return 1; }
		if ! { [ -n "$3" ] && [ "$3" -lt 1500 ]; }; then
			echo "the refusal took ${3:-?} ms, not under 1500"
			return 1
		fi ;;
	unanswered)
		grep -q 'held, unanswered' "$log.holder.err" ||
			{ echo "the request never reached the holder's kernel"; return 1; }
		grep -q 'ble: no answer to the L2CAP connect; using GATT' "$log.reader.err" ||
			{ echo "the reader did not give up on an unanswered connect"; return 1; }
		if ! { [ -n "$3" ] && [ "$3" -ge 1900 ] && [ "$3" -le 3500 ]; }; then
			echo "the reader gave up after ${3:-?} ms, not 1900 to 3500"
			return 1
		fi ;;
	esac
}

# fallback_attempt NAME HOW: attempt's counterpart for the L2CAP fallback:
# the holder is holder-unserved-psm, whose engagement names a PSM that
# gives no channel (HOW: refused or unanswered; see that program), and
# `tessera reader request --ble-l2cap` must try it, fall back to GATT and
# end with VALID (data_path gatt, fell_back). The reader's log lines get
# the guest's time in front, to time the fallback.
fallback_attempt() {
	name=$1 how=$2
	log=$out/$name
	rm -f "$log.uri"
	"$TSR_UNSERVED_PSM_HOLDER" hci1 "$how" "$log.uri" "$TSR_TEST_DATA" 60 \
		> "$log.holder.out" 2> "$log.holder.err" &
	holder=$!
	for i in $(seq 1 200); do [ -s "$log.uri" ] && break; sleep 0.1; done
	# perl puts the time in front of each line of the reader's log, read
	# from a FIFO (in /run: 9p has none). It says when it is ready, so the
	# reader starts after it: under TCG perl takes a while to start, and
	# lines waiting in the pipe meanwhile would get the time it read them.
	stamp=/run/blevm-$name.stamp
	rm -f "$stamp" "$stamp.ready"
	mkfifo "$stamp"
	perl -MTime::HiRes=time -ne 'BEGIN { $| = 1; open(R, ">", "$ARGV[0].ready") && close(R) }
	    printf "%.3f %s", time, $_' "$stamp" > "$log.reader.err" &
	stamper=$!
	for i in $(seq 1 100); do [ -e "$stamp.ready" ] && break; sleep 0.1; done
	start=$(date +%s%3N)
	"$TESSERA" -v reader request --engagement-file "$log.uri" \
		--template driving-licence --trust "$annex/iaca_cert.pem" \
		--transport ble:hci0 --now "$now" --timeout 60 --ble-l2cap \
		> "$log.reader.out" 2> "$stamp"
	rc=$?
	took=$(( $(date +%s%3N) - start ))
	wait "$stamper"
	rm -f "$stamp" "$stamp.ready"
	gatt_after_ms=$(fallback_ms "$log.reader.err")
	echo "reader exit $rc after $took ms; GATT ${gatt_after_ms:-?} ms after the L2CAP connect ($how)" \
		>> "$log.reader.err"
	# A reader that failed leaves the holder waiting: end it.
	[ "$rc" -eq 0 ] || kill "$holder" 2>/dev/null
	wait "$holder"
	hrc=$?
	verdict=FAIL
	if [ "$rc" -eq 0 ] && grep -q '^VALID' "$log.reader.out" && grep -q 'Doe' "$log.reader.out" &&
	    [ $hrc -eq 0 ] && data_path "$name" gatt > "$log.why" &&
	    fell_back "$name" "$how" "$gatt_after_ms" >> "$log.why"; then
		verdict=OK
	else
		cat "$log.why" "$log.reader.out" "$log.holder.err" >> "$log.reader.err" 2>/dev/null
		radio_state >> "$log.reader.err"
	fi
}

# run_attempt ARGS...: one try of session's case.
run_attempt() {
	if [ -n "${fallback_case:-}" ]; then
		fallback_attempt "$@"
	else
		attempt "$@"
	fi
}

# fallback_session NAME HOW: session with fallback_attempt.
fallback_session() {
	fallback_case=1
	session "$@"
	fallback_case=
}

session peripheral_server_session "--ble-mode peripheral" "" valid
session central_client_session "--ble-mode central" "" valid
# A second session with the same reader (bluetoothd caches the first).
session reader_names_the_offered_mode "--ble-mode peripheral" "--ble-mode peripheral" valid
# A request of several Client2Server chunks (a BlueZ server drops 512-byte writes).
session multi_chunk_request "--ble-mode peripheral" \
	"--template mdl-full --template pid-basic" valid
# L2CAP: the holder listens, the reader reads the PSM and connects; the
# holder receives the request (1 SDU) and the reader's closing SessionData
# (status 20, 1 SDU: the reader lets the holder close the channel first).
session peripheral_server_l2cap_session "--ble-mode peripheral --ble-l2cap" "--ble-l2cap" \
	l2cap2
# The reader listens (GATT server) and the holder connects.
session central_client_l2cap_session "--ble-mode central --ble-l2cap" "--ble-l2cap" l2cap2
# A request larger than one SDU (512 bytes): 2 SDUs, and status 20.
session multi_chunk_request_l2cap "--ble-mode peripheral --ble-l2cap" \
	"--ble-l2cap --template mdl-full --template pid-basic" l2cap3
# Only one side asks for L2CAP: the session keeps to GATT (the holder
# listening on a PSM the reader never reads does not disturb it).
session l2cap_only_reader_stays_on_gatt "--ble-mode peripheral" "--ble-l2cap" gatt
# (The holder names its PSM in its engagement too; the reader ignores it,
# and the holder stops listening once the session is on GATT.)
session l2cap_only_holder_stays_on_gatt "--ble-mode peripheral --ble-l2cap" "" gatt
session reader_refuses_a_mode_not_offered "--ble-mode peripheral" "--ble-mode central" \
	"does not offer BLE central client mode"
# The holder dies once its QR code is out: the reader reports it, no hang.
# Either it finds nothing, or (the advertisement still in bluetoothd's
# cache) a device without the service: "the peer went away".
session holder_gone_reader_gives_up "--ble-mode peripheral" "--timeout 15" \
	"timed out\|timeout\|went away" 0
# The PSM in the engagement gives no channel: the reader falls back to
# GATT, at once when the holder's kernel refuses the connect (nobody
# listens on the PSM), after L2CAP_CONNECT_MS (2 s) when it never answers
# (a listener with deferred setup that is never accepted), and the session
# is VALID (holder-unserved-psm.c).
fallback_session l2cap_refused_reader_falls_back_to_gatt refused
fallback_session l2cap_unanswered_reader_falls_back_to_gatt unanswered

# With one ATT bearer no session warns of EATT: both sides read the file
# bluetoothd was started with (-f) and found Channels = 1 there, and the
# GATT sessions above (the refused fallback among them) said nothing.
# warned_of_eatt LOG...: the logs with the CLI's EATT warning.
warned_of_eatt() {
	grep -l 'tessera: warning: this session runs over GATT' "$@" 2>/dev/null
}
if [ -z "${TSR_VM_ONLY:-}" ]; then
	warned=$(warned_of_eatt "$out"/*.reader.err "$out"/*.holder.err)
	if [ -z "$warned" ] &&
	    grep -q "bluez: $out/main.conf: no EATT (Channels 1)" \
		"$out/peripheral_server_session.reader.err" \
		"$out/peripheral_server_session.holder.err"; then
		result OK no_eatt_warning_with_one_channel
	else
		echo "warned: ${warned:-none}" > "$out/no_eatt_warning.why"
		grep -h 'bluez: .*EATT' "$out/peripheral_server_session.reader.err" \
			>> "$out/no_eatt_warning.why"
		result FAIL no_eatt_warning_with_one_channel "$out/no_eatt_warning.why"
	fi
fi

# L2CAP with BlueZ's default of three ATT channels (EATT), which breaks
# GATT sessions between two BlueZ machines (docs/ble.md): the messages do
# not go through bluetoothd's GATT server, so the order EATT mixes up is
# not theirs. bluetoothd runs with -d here, so its log shows the EATT
# bearers it opened.
kill "$bluetoothd" 2>/dev/null
wait "$bluetoothd" 2>/dev/null
# bluetoothd opens EATT bearers only if its copy of the peer's GATT
# database has the peer's Server Supported Features, which the copies
# made with Channels = 1 lack (docs/ble.md, "EATT"): forget them.
rm -rf /var/lib/bluetooth/*/cache
printf '[GATT]\nChannels = 3\n' > "$out/main.conf"
echo "--- Channels = 3 from here ---" >> "$out/bluetoothd.log"
if start_bluetoothd -d; then
	result OK bluetoothd_restarted_with_three_att_channels
else
	result FAIL bluetoothd_restarted_with_three_att_channels "$out/controllers.txt"
fi
# The first two without --ble-l2cap: with EATT possible both sides take
# L2CAP unasked (l2cap_taken_unasked_with_eatt checks they say why).
session peripheral_server_l2cap_session_eatt "--ble-mode peripheral" "" l2cap2
session central_client_l2cap_session_eatt "--ble-mode central" "" l2cap2
session multi_chunk_request_l2cap_eatt "--ble-mode peripheral --ble-l2cap" \
	"--ble-l2cap --template mdl-full --template pid-basic" l2cap3
if [ -z "${TSR_VM_ONLY:-}" ]; then
	unasked=0
	for c in peripheral_server_l2cap_session_eatt central_client_l2cap_session_eatt; do
		for side in reader holder; do
			grep -q "bluez: $out/main.conf: EATT possible (Channels 3)" \
			    "$out/$c.$side.err" &&
			    grep -q 'ble: the stack may use EATT; L2CAP preferred' \
			    "$out/$c.$side.err" && unasked=$((unasked + 1))
		done
	done
	if [ "$unasked" -eq 4 ]; then
		result OK l2cap_taken_unasked_with_eatt
	else
		result FAIL l2cap_taken_unasked_with_eatt
	fi
fi

# A session that still ends up on GATT with EATT possible is warned of:
# holder-unserved-psm names a PSM whose listener never answers, the
# reader (without --ble-l2cap) takes it from the engagement, gives up on
# it after 2 s and goes on over GATT, beside EATT bearers. (Not a refused
# PSM: with EATT possible the holder's transport listens on a PSM of its
# own, and the kernel hands it the one just closed, so the engagement's
# PSM would be served.) Whether that session is VALID is chance
# (docs/ble.md, "EATT": GATT over EATT has no order); its outcome is in
# the TAP output, the warning is what the case checks.
gatt_over_eatt_is_warned() {
	name=gatt_over_eatt_is_warned
	if [ -n "${TSR_VM_ONLY:-}" ] && ! echo "$name" | grep -q -- "$TSR_VM_ONLY"; then
		return
	fi
	log=$out/$name
	rm -f "$log.uri"
	"$TSR_UNSERVED_PSM_HOLDER" hci1 unanswered "$log.uri" "$TSR_TEST_DATA" 40 \
		> "$log.holder.out" 2> "$log.holder.err" &
	holder=$!
	for i in $(seq 1 200); do [ -s "$log.uri" ] && break; sleep 0.1; done
	"$TESSERA" -v reader request --engagement-file "$log.uri" \
		--template driving-licence --trust "$annex/iaca_cert.pem" \
		--transport ble:hci0 --now "$now" --timeout 30 \
		> "$log.reader.out" 2> "$log.reader.err"
	rc=$?
	[ "$rc" -eq 0 ] || kill "$holder" 2>/dev/null
	wait "$holder"
	echo "# $name: reader exit $rc, $(grep -c '^VALID' "$log.reader.out") VALID;" \
		"$(grep -v 'debug\|warning' "$log.reader.err" | head -n 1)" \
		>> "$out/tap"
	if grep -q 'ble: no answer to the L2CAP connect; using GATT' "$log.reader.err" &&
	    warned_of_eatt "$log.reader.err" > /dev/null &&
	    grep -q 'tessera: warning: .*Channels = 3)' "$log.reader.err"; then
		grep -h 'tessera: warning' "$log.reader.err" | sed 's/^/# /' >> "$out/tap"
		result OK "$name"
	else
		result FAIL "$name" "$log.reader.err"
	fi
}
gatt_over_eatt_is_warned

# The L2CAP sessions above ran with EATT bearers open.
eatt=$(sed -n '/^--- Channels = 3 from here ---$/,$p' "$out/bluetoothd.log" |
	grep -c 'EATT channel connected')
echo "# EATT channels connected with Channels = 3: $eatt" >> "$out/tap"
if [ "$eatt" -gt 0 ]; then
	result OK eatt_bearers_were_open
else
	result FAIL eatt_bearers_were_open
fi

kill "$btmon_pid" 2>/dev/null
echo "1..$n" >> "$out/tap"
grep -q '^not ok' "$out/tap" && exit 1
exit 0

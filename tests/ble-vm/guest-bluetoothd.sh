# Sourced inside the QEMU guest by guest-session.sh and guest-apps.sh (with
# $out, their log directory, set): bluetoothd's configuration, and
# start_bluetoothd.

# One ATT bearer: with EATT (BlueZ's default of 3 channels) bluetoothd
# spreads notifications over several L2CAP channels and the peer may get
# them out of order, which 18013-5's unnumbered chunks cannot survive
# (docs/ble.md).
printf '[GATT]\nChannels = 1\n' > "$out/main.conf"

# start_bluetoothd [OPTION...]: starts bluetoothd with $out/main.conf and
# the given options ($bluetoothd is its pid, its log $out/bluetoothd.log)
# and waits for both controllers; fails, with bluetoothctl's list in
# $out/controllers.txt, when they do not appear.
start_bluetoothd() {
	/usr/libexec/bluetooth/bluetoothd -n -f "$out/main.conf" "$@" >> "$out/bluetoothd.log" 2>&1 &
	bluetoothd=$!
	for _ in $(seq 1 40); do
		[ "$(timeout 5 bluetoothctl list 2>/dev/null | grep -c Controller)" -ge 2 ] && break
		sleep 0.25
	done
	timeout 5 bluetoothctl list > "$out/controllers.txt" 2>&1
	[ "$(grep -c Controller "$out/controllers.txt")" -ge 2 ]
}

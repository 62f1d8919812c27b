#!/bin/sh
# vm-boot.sh WORKDIR GUEST_SCRIPT [TIMEOUT_S]
#
# Runs GUEST_SCRIPT (an absolute path) as root inside a QEMU guest with a real
# Bluetooth stack: Debian's own kernel (the host's has no Bluetooth), the
# hci_vhci module, a system dbus-daemon and `btvirt -l2`, whose two virtual
# controllers hci0 and hci1 share one simulated radio. The host's root is
# mounted read-only over virtio-9p and WORKDIR read-write at the same path,
# so the host's binaries (bluetoothd, the build tree) run unchanged.
#
# WORKDIR/guest-env.sh, when present, is sourced before GUEST_SCRIPT runs.
# The kernel package is fetched once with `apt-get download` and kept with
# the initramfs in WORKDIR/.blevm (platform-notes.md §3 has the details).
#
# Exit status: GUEST_SCRIPT's; 77 when the guest cannot be made here (no
# qemu, busybox-static or kernel package: the reason is on stderr); 125 when
# the guest reported no status (it did not boot, or timed out).
set -eu
work=$(realpath "$1")
guest_script=$2
timeout_s=${3:-300}
cache=$work/.blevm

skip() {
	echo "vm-boot: $*" >&2
	exit 77
}

for tool in qemu-system-x86_64 busybox btvirt hcitool bluetoothd modprobe depmod; do
	command -v "$tool" >/dev/null 2>&1 || [ -x "/usr/libexec/bluetooth/$tool" ] ||
		skip "$tool is not installed (qemu-system-x86, busybox-static, bluez, bluez-test-tools, kmod)"
done
busybox --list 2>/dev/null | grep -qx cpio || skip "busybox has no cpio applet"
mkdir -p "$cache"
cd "$cache"

# Debian's kernel has CONFIG_BT=m and CONFIG_BT_HCIVHCI=m.
if [ ! -d kernel ]; then
	pkg=$(apt-cache depends linux-image-amd64 2>/dev/null |
		awk '/Depends: linux-image-[0-9]/ { print $2; exit }')
	[ -n "$pkg" ] || skip "apt-cache knows no linux-image-amd64 kernel"
	rm -f linux-image-*.deb
	apt-get download "$pkg" >/dev/null 2>&1 || skip "cannot download $pkg (no package registry?)"
	rm -rf kernel.tmp && mkdir kernel.tmp
	dpkg-deb -x linux-image-*.deb kernel.tmp && rm -f linux-image-*.deb
	mv kernel.tmp kernel
fi
kver=$(ls kernel/lib/modules | head -n 1)
# The initramfs depends on this script: a changed script makes a new one.
initrd=initrd-$(sha256sum "$0" | cut -c 1-12).gz

if [ ! -f "$initrd" ]; then
	depmod -b kernel "$kver"
	rm -rf initrd && mkdir -p initrd/bin initrd/mods initrd/proc initrd/sys initrd/dev \
		initrd/newroot
	cp "$(command -v busybox)" initrd/bin/busybox
	# 9p for the shared trees; btvirt needs AF_ALG (hash, skcipher, cmac, ecb).
	n=0
	for m in virtio_pci 9pnet_virtio 9p hci_vhci algif_hash algif_skcipher cmac ecb; do
		modprobe -d kernel -S "$kver" --show-depends "$m"
	done | awk '$1 == "insmod" && !seen[$2]++ { print $2 }' | while read -r f; do
		n=$((n + 1))
		cp "$f" "initrd/mods/$(printf %02d $n)-$(basename "$f")"
	done
	cat > initrd/init <<'INIT'
#!/bin/busybox sh
/bin/busybox --install -s /bin
mount -t proc proc /proc; mount -t sysfs sys /sys; mount -t devtmpfs dev /dev
for m in /mods/*.ko; do insmod "$m" || echo "vm-boot: insmod $m failed"; done
for a in $(cat /proc/cmdline); do
	case $a in
	blevm.work=*) W=${a#*=} ;;
	blevm.script=*) G=${a#*=} ;;
	esac
done
o="trans=virtio,version=9p2000.L,msize=262144"
mount -t 9p -o "$o,ro" hostroot /newroot || { echo "vm-boot: cannot mount the host root"; poweroff -f; }
# Not /tmp: the work directory (a build tree) may be under it.
for d in run var/lib/bluetooth; do mount -t tmpfs tmpfs "/newroot/$d"; done
mount -t 9p -o "$o" work "/newroot$W" || { echo "vm-boot: cannot mount $W"; poweroff -f; }
mount -t proc proc /newroot/proc; mount -t sysfs sys /newroot/sys; mount -t devtmpfs dev /newroot/dev
chroot /newroot /bin/sh -c '
	export PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=$2 TMPDIR=$2
	mkdir -p /run/dbus && dbus-daemon --system --fork
	btvirt -l2 > "$2/.blevm/btvirt.log" 2>&1 &
	for i in 1 2 3 4 5 6 7 8 9 10; do [ -e /sys/class/bluetooth/hci1 ] && break; sleep 0.5; done
	# btvirt (BlueZ 5.66) reports an advertising set to the other
	# controller only when the set or the scan is switched on, never again,
	# and the kernel drops reports that come before it marks discovery as
	# running: a scan started while the peer already advertised could stay
	# blind for good (docs/ble.md, "The blind scan"). A real advertiser
	# sends again every interval (1.28 s, as the kernel sets it up here):
	# so does this loop, by switching set 1 (the one advertisement
	# bluetoothd has per adapter) of each controller off and on again
	# (btvirt refuses to enable an enabled set). btvirt deletes a
	# connectable set when it is connected to, as a real advertiser stops;
	# a set that does not exist is an error nobody waits for.
	while sleep 1.28; do
		for i in 0 1; do
			hcitool -i hci$i cmd 0x08 0x0039 00 01 01 00 00 00 >/dev/null 2>&1 &&
				hcitool -i hci$i cmd 0x08 0x0039 01 01 01 00 00 00 >/dev/null 2>&1
		done
	done &
	[ -f "$2/guest-env.sh" ] && . "$2/guest-env.sh"
	sh "$1"; echo $? > "$2/.blevm/rc"' vm-boot "$G" "$W"
poweroff -f
INIT
	chmod +x initrd/init
	rm -f initrd-*.gz
	(cd initrd && find . | busybox cpio -o -H newc 2>/dev/null | gzip -1 > ../initrd.tmp)
	mv initrd.tmp "$initrd"
fi

rm -f rc
# Software emulation: a nested KVM guest hung in its kernel here, TCG boots
# in about 10 s.
timeout "$timeout_s" qemu-system-x86_64 -accel tcg,thread=multi -m 1024 -smp 2 \
	-nographic -no-reboot -net none \
	-kernel "kernel/boot/vmlinuz-$kver" -initrd "$initrd" \
	-append "console=ttyS0 panic=-1 loglevel=3 blevm.work=$work blevm.script=$guest_script" \
	-fsdev local,id=hostroot,path=/,security_model=none,readonly=on,multidevs=remap \
	-device virtio-9p-pci,fsdev=hostroot,mount_tag=hostroot \
	-fsdev "local,id=work,path=$work,security_model=none,multidevs=remap" \
	-device virtio-9p-pci,fsdev=work,mount_tag=work </dev/null |
	tr -d '\r' | sed 's/\x1b\[[0-9;?]*[a-zA-Z]//g' >&2 || true
[ -f rc ] && exit "$(cat rc)"
echo "vm-boot: the guest reported no exit status (no boot, or timed out)" >&2
exit 125

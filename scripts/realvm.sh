#!/usr/bin/env bash
# Real VMs for psm's integration tests (docs/realvm.md): libvirtd with QEMU (TCG) and a tiny guest.
#
#   scripts/realvm.sh up      install the packages if missing, start virtlogd + libvirtd (idempotent)
#   scripts/realvm.sh guest   build out/realvm/vmlinuz + out/realvm/initrd.img (cached by content)
#   scripts/realvm.sh down    remove every psm-realvm-* domain, stop the daemons `up` started, clean up
#   scripts/realvm.sh status  what is running
#
# Needs root (it installs packages and runs libvirtd). No systemd: the daemons run under
# `setsid tini -s --` because this machine's PID 1 reaps orphans slowly (destroy/managedsave
# then cost 1-2 s more); docs/realvm.md has the measured facts behind it.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
out="$root/out/realvm"
state=/run/psm-realvm           # pids of the daemons this script started
uri=qemu:///system
prefix=psm-realvm-
bridge=psmbr0                   # the guests' network (10.77.0.0/16), made by `up`
packages=(qemu-system-x86 libvirt-daemon libvirt-daemon-driver-qemu libvirt-daemon-system
          libvirt-clients busybox-static tini)

log() { echo "realvm: $*" >&2; }

need_root() { [ "$(id -u)" = 0 ] || { log "must run as root"; exit 1; }; }

alive() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }

install_packages() {
    local missing=()
    for p in "${packages[@]}"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
    done
    [ ${#missing[@]} = 0 ] && return
    log "installing ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq || true
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

cmd_up() {
    need_root
    install_packages
    # Without this libvirt re-probes QEMU on every call (define+start then takes a minute).
    if [ -e /dev/kvm ]; then chgrp kvm /dev/kvm 2>/dev/null || true; chmod 0660 /dev/kvm; fi
    mkdir -p "$state"
    if ! pgrep -x virtlogd >/dev/null; then
        setsid tini -s -- virtlogd >/dev/null 2>&1 < /dev/null &
        echo $! > "$state/virtlogd.pid"
    fi
    if ! pgrep -x libvirtd >/dev/null; then
        setsid tini -s -- libvirtd >"$state/libvirtd.log" 2>&1 < /dev/null &
        echo $! > "$state/libvirtd.pid"
    fi
    # The test bridge: guests with a NIC on it take 10.77.x.y (see the guest's /init); the host is 10.77.0.1.
    if ! ip link show "$bridge" >/dev/null 2>&1; then
        ip link add "$bridge" type bridge
        ip addr add 10.77.0.1/16 dev "$bridge"
        touch "$state/bridge"
    fi
    ip link set "$bridge" up
    # The first call answers after the capability probe (≈ 8 s).
    local i
    for i in $(seq 1 120); do
        if virsh -c "$uri" version >/dev/null 2>&1; then log "libvirtd answers on $uri"; return; fi
        sleep 0.5
    done
    log "libvirtd did not answer within 60 s"; tail -20 "$state/libvirtd.log" >&2 || true; exit 1
}

# The guest's /init: load virtio (virtio_ring first: virtio needs its symbols), print PSM-READY,
# then a heartbeat every 10 ms reporting the online CPUs and MemTotal (the balloon lowers it),
# while a background loop onlines hot-plugged CPUs and memory blocks.
write_init() {
    cat > "$1" <<'EOF'
#!/bin/busybox sh
/bin/busybox --install -s /bin
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null
for m in virtio_ring virtio virtio_pci_legacy_dev virtio_pci_modern_dev virtio_pci virtio_balloon failover net_failover virtio_net; do
    [ -f /lib/modules/$m.ko ] && insmod /lib/modules/$m.ko
done
# With a NIC (a domain on the test bridge, 10.77.0.1/16 on the host): an address derived from the
# MAC's last two bytes (10.77.1-250.2-251, so each shadow gets its own without any DHCP), an HTTP
# server (busybox httpd: / answers "ok ADDR"; /cgi-bin/work?n=N runs N shell loop steps first
# (default 400), the load the closed-loop check drives), and an ARP request to the host, which teaches the host the address
# (libvirt's ARP source of interface addresses reads the host's neighbour table).
addr=
if [ -e /sys/class/net/eth0 ]; then
    read -r mac < /sys/class/net/eth0/address
    IFS=:; set -- $mac; unset IFS
    addr=10.77.$(( 0x$5 % 250 + 1 )).$(( 0x$6 % 250 + 2 ))
    ip link set lo up
    ip addr add $addr/16 dev eth0
    ip link set eth0 up
    mkdir -p /www/cgi-bin
    echo "ok $addr" > /www/index.html
    cat > /www/cgi-bin/work <<CGI
#!/bin/sh
n=\${QUERY_STRING#n=}
case "\$n" in ''|*[!0-9]*) n=400 ;; esac
i=0
while [ \$i -lt \$n ]; do i=\$((i + 1)); done
printf 'Content-Type: text/plain\\r\\n\\r\\nok $addr\\n'
CGI
    chmod +x /www/cgi-bin/work
    httpd -p 80 -h /www
    ping -c 1 -W 1 10.77.0.1 >/dev/null 2>&1 &
    echo "PSM-NET addr=$addr"
fi
echo PSM-READY
# Every 50 ms unless the kernel command line says psm.onliner_us=N (the closed-loop check's guests
# look less often: a guest that idles close to 0 % CPU makes its load easy to see).
onliner=50000
for arg in $(cat /proc/cmdline); do case "$arg" in psm.onliner_us=*) onliner=${arg#*=} ;; esac; done
# The onliner: a background loop that onlines hot-plugged CPUs (in index order, one attempt
# each) and memory blocks. Separate from the heartbeat because on this QEMU the guest's ACPI scan
# after the first hot-plug reports *every* possible CPU as added, and onlining one that has no
# vCPU behind it blocks for 10 s ("do_boot_cpu failed to wakeup") — the heartbeat must not stall.
(
    tried=" "
    while :; do
        for f in /sys/devices/system/cpu/cpu*/online; do
            read -r s < "$f"
            case "$tried" in *" $f "*) continue ;; esac
            [ "$s" = 0 ] && { tried="$tried$f "; echo 1 > "$f"; }
        done 2>/dev/null
        for f in /sys/devices/system/memory/memory*/state; do
            read -r s < "$f"; [ "$s" = offline ] && echo online > "$f"
        done 2>/dev/null
        usleep $onliner
    done
) &
# The heartbeat: shell builtins apart from usleep, so a loop costs little under TCG. Every 10 ms
# unless the kernel command line says psm.heartbeat_us=N (the closed-loop check's guests beat
# slowly, so that their CPU utilisation is the load's, not the heartbeat's).
beat=10000
for arg in $(cat /proc/cmdline); do case "$arg" in psm.heartbeat_us=*) beat=${arg#*=} ;; esac; done
n=0
while :; do
    # The online mask ("0-1", "0,2-3"), not cpuN/online: reading that takes the CPU's device
    # lock, which a CPU being onlined holds.
    read -r mask < /sys/devices/system/cpu/online
    cpus=0
    IFS=,
    for r in $mask; do
        case "$r" in *-*) cpus=$((cpus + ${r#*-} - ${r%-*} + 1)) ;; *) cpus=$((cpus + 1)) ;; esac
    done
    unset IFS
    read -r _ mem _ < /proc/meminfo
    n=$((n + 1))
    echo "PSM-HEARTBEAT n=$n cpus=$cpus mem_kb=$mem"
    # Keep the host's neighbour entry fresh (about every 10 s).
    [ -n "$addr" ] && [ $((n * beat % 10000000)) -lt $beat ] && { ping -c 1 -W 1 10.77.0.1 >/dev/null 2>&1 & }
    usleep $beat
done
EOF
    chmod +x "$1"
}

cmd_guest() {
    need_root
    command -v busybox >/dev/null || [ -x /bin/busybox ] || install_packages
    mkdir -p "$out"
    local kpkg
    kpkg=$(apt-cache depends linux-image-amd64 | awk '/Depends: linux-image-[0-9]/{print $2; exit}')
    [ -n "$kpkg" ] || { log "cannot resolve linux-image-amd64's kernel package"; exit 1; }
    local work="$out/build"
    mkdir -p "$work"
    if ! ls "$work"/"$kpkg"_*.deb >/dev/null 2>&1; then
        log "downloading $kpkg"
        (cd "$work" && apt-get download -qq "$kpkg" 2>/dev/null)
    fi
    local deb; deb=$(ls "$work"/"$kpkg"_*.deb | head -1)
    local tmpinit; tmpinit=$(mktemp -d)
    trap 'rm -rf "$tmpinit"' RETURN
    write_init "$tmpinit/init"
    # Cache key: the kernel package, busybox and the init script.
    local key
    key=$(cat "$deb" /bin/busybox "$tmpinit/init" "$0" | sha256sum | cut -c1-16)
    if [ -f "$out/key" ] && [ "$(cat "$out/key")" = "$key" ] && [ -f "$out/vmlinuz" ] && [ -f "$out/initrd.img" ]; then
        log "guest up to date ($out)"; return
    fi
    rm -rf "$work/x"; mkdir -p "$work/x"
    dpkg-deb -x "$deb" "$work/x"
    cp "$work"/x/boot/vmlinuz-* "$out/vmlinuz"
    local rootfs="$tmpinit/root"
    mkdir -p "$rootfs"/{bin,proc,sys,dev,lib/modules}
    cp /bin/busybox "$rootfs/bin/busybox"
    cp "$tmpinit/init" "$rootfs/init"
    local m f
    for m in virtio_ring virtio virtio_pci_legacy_dev virtio_pci_modern_dev virtio_pci virtio_balloon failover net_failover virtio_net; do
        f=$(find "$work/x/lib/modules" -name "$m.ko*" | head -1)
        [ -n "$f" ] || continue           # built into the kernel
        case "$f" in
            *.xz) xz -dc "$f" > "$rootfs/lib/modules/$m.ko" ;;
            *.zst) zstd -qdc "$f" > "$rootfs/lib/modules/$m.ko" ;;
            *) cp "$f" "$rootfs/lib/modules/$m.ko" ;;
        esac
    done
    (cd "$rootfs" && find . | busybox cpio -o -H newc -R 0:0 2>/dev/null | gzip -1) > "$out/initrd.img"
    rm -rf "$work/x"
    echo "$key" > "$out/key"
    # qemu runs as libvirt-qemu: it must be able to read the images through the path.
    chmod 0644 "$out/vmlinuz" "$out/initrd.img"
    log "guest built: $out/vmlinuz $out/initrd.img"
}

cmd_down() {
    if command -v virsh >/dev/null && virsh -c "$uri" version >/dev/null 2>&1; then
        local d
        for d in $(virsh -c "$uri" list --all --name | grep "^$prefix" || true); do
            virsh -c "$uri" destroy "$d" >/dev/null 2>&1 || true
            virsh -c "$uri" undefine "$d" --managed-save --nvram >/dev/null 2>&1 \
                || virsh -c "$uri" undefine "$d" --managed-save >/dev/null 2>&1 || true
            log "removed $d"
        done
    fi
    local name
    for name in libvirtd virtlogd; do
        if alive "$state/$name.pid"; then
            # tini forwards the signal to the daemon and exits with it.
            kill -TERM "$(cat "$state/$name.pid")" 2>/dev/null || true
            for _ in $(seq 1 50); do alive "$state/$name.pid" || break; sleep 0.1; done
            alive "$state/$name.pid" && kill -KILL "$(cat "$state/$name.pid")" 2>/dev/null || true
            log "stopped $name"
        fi
        rm -f "$state/$name.pid"
    done
    [ -f "$state/bridge" ] && ip link del "$bridge" 2>/dev/null && log "removed bridge $bridge"
    rm -rf "$state" /tmp/psm-realvm-*
    rm -f /var/lib/libvirt/qemu/save/"$prefix"*.save /var/log/libvirt/qemu/"$prefix"*.log 2>/dev/null || true
}

cmd_status() {
    for name in virtlogd libvirtd; do
        if alive "$state/$name.pid"; then echo "$name: started by realvm.sh (tini pid $(cat "$state/$name.pid"))"
        elif pgrep -x "$name" >/dev/null; then echo "$name: running (not started by realvm.sh)"
        else echo "$name: stopped"; fi
    done
    if command -v virsh >/dev/null && virsh -c "$uri" version >/dev/null 2>&1; then
        virsh -c "$uri" list --all --name | grep "^$prefix" | sed 's/^/domain: /' || echo "no $prefix domains"
    fi
    [ -f "$out/vmlinuz" ] && echo "guest: $out/vmlinuz $out/initrd.img" || echo "guest: not built"
}

case "${1:-}" in
    up) cmd_up ;;
    guest) cmd_guest ;;
    down) cmd_down ;;
    status) cmd_status ;;
    *) echo "usage: $0 up|guest|down|status" >&2; exit 2 ;;
esac

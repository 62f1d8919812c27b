#!/usr/bin/env python3
# Runs a command under its own Xvfb server and D-Bus session bus, so that
# GTK tests can run in parallel on a machine without a display. Xvfb picks
# a free display number itself (-displayfd): no races between tests.
import os
import shutil
import subprocess
import sys


def main():
    cmd = sys.argv[1:]
    if not cmd:
        print('usage: with-display.py COMMAND...', file=sys.stderr)
        return 2
    xvfb = shutil.which('Xvfb')
    if xvfb is None:
        print('1..0 # SKIP Xvfb is not installed')
        return 0
    read_fd, write_fd = os.pipe()
    server = subprocess.Popen(
        [xvfb, '-displayfd', str(write_fd), '-screen', '0', '1920x1200x24', '-nolisten', 'tcp',
         '-noreset'],
        pass_fds=(write_fd,), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    os.close(write_fd)
    with os.fdopen(read_fd) as f:
        display = f.readline().strip()
    if not display:
        server.kill()
        print('Xvfb did not start', file=sys.stderr)
        return 1
    env = dict(os.environ, DISPLAY=':' + display, GDK_BACKEND='x11')
    env.pop('WAYLAND_DISPLAY', None)
    bus = shutil.which('dbus-run-session')
    if bus is not None:
        cmd = [bus, '--'] + cmd
    try:
        return subprocess.call(cmd, env=env)
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()


if __name__ == '__main__':
    sys.exit(main())

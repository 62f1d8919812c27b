# Copyright (c) 2026 The Tessera authors.
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Helpers shared by the python CLI tests in this directory (they import it as
# `clitest`: the script's own directory is first on sys.path): running a
# program, a TAP runner, a throw-away swtpm and SoftHSM2 token set up as
# tests/support/swtpm.c and softhsm.c do, and two-process sessions (holder
# in the background, reader in the foreground).

import ctypes
import os
import signal
import socket
import subprocess
import sys
import time

# Stretches the waits when the programs run slowly on purpose (the valgrind
# suite runs them under memcheck).
TIME_FACTOR = float(os.environ.get("TSR_TEST_TIME_FACTOR", "1"))

SOFTHSM_MODULES = ["/usr/lib/softhsm/libsofthsm2.so",
                   "/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so",
                   "/usr/lib/aarch64-linux-gnu/softhsm/libsofthsm2.so",
                   "/usr/local/lib/softhsm/libsofthsm2.so"]


def run(*args, env=None, timeout=120):
    """Runs a program without a terminal; returns (exit code, stdout, stderr)."""
    proc = subprocess.run(list(args), capture_output=True, timeout=timeout, env=env,
                          stdin=subprocess.DEVNULL)
    return (proc.returncode, proc.stdout.decode("utf-8", "replace"),
            proc.stderr.decode("utf-8", "replace"))


def tap(tests, skip=None):
    """Runs the test functions, prints TAP, exits 1 when one failed. With
    skip (a reason), prints a skipped plan instead."""
    if skip is not None:
        print("1..0 # SKIP " + skip)
        return
    print(f"1..{len(tests)}")
    failed = 0
    for i, fn in enumerate(tests, 1):
        start = time.monotonic()
        try:
            fn()
            print(f"ok {i} - {fn.__name__} # {time.monotonic() - start:.1f} s")
        except Exception as e:  # noqa: BLE001 - report every failure as TAP
            failed += 1
            print(f"not ok {i} - {fn.__name__}")
            for line in str(e).splitlines()[:40] or [repr(e)]:
                print(f"# {line[:400]}")
        sys.stdout.flush()
    if failed:
        sys.exit(1)


def wait_for_file(path, seconds=10):
    """True once path exists (the holder writes its QR code when it listens)."""
    deadline = time.monotonic() + seconds * TIME_FACTOR
    while not os.path.exists(path):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


def two_process(holder_argv, reader_argv, ready_file, env=None, timeout=60):
    """Starts the holder, waits for ready_file (its QR URI or PNG), runs the
    reader to its end, then waits for the holder. Returns (reader
    CompletedProcess with text output, holder exit code, holder stdout,
    holder stderr)."""
    holder = subprocess.Popen(holder_argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True, env=env,
                              start_new_session=True)
    try:
        wait_for_file(ready_file)
        reader = subprocess.run(reader_argv, stdin=subprocess.DEVNULL, capture_output=True,
                                text=True, timeout=timeout * TIME_FACTOR, env=env)
        out, err = holder.communicate(timeout=timeout * TIME_FACTOR)
    finally:
        if holder.poll() is None:
            holder.kill()
            holder.wait()
    return reader, holder.returncode, out, err


# --- SoftHSM2 ---

def softhsm_module():
    """The SoftHSM2 module ($TESSERA_SOFTHSM_MODULE first), or None."""
    return os.environ.get("TESSERA_SOFTHSM_MODULE") or next(
        (m for m in SOFTHSM_MODULES if os.path.exists(m)), None)


def softhsm_token(work, label, pin, env, so_pin="1234"):
    """Makes a throw-away token in work/tokens and points env's
    SOFTHSM2_CONF at it. Returns the module's path."""
    module = softhsm_module()
    assert module is not None, "libsofthsm2.so not found (install softhsm2: ./run deps)"
    tokens = os.path.join(work, "tokens")
    os.makedirs(tokens, exist_ok=True)
    conf = os.path.join(work, "softhsm2.conf")
    with open(conf, "w") as f:
        f.write(f"directories.tokendir = {tokens}\nobjectstore.backend = file\n"
                "log.level = ERROR\nslots.removable = false\n")
    env["SOFTHSM2_CONF"] = conf
    code, out, err = run("softhsm2-util", "--init-token", "--free", "--label", label,
                         "--so-pin", so_pin, "--pin", pin, env=env)
    assert code == 0, err
    return module


# --- swtpm ---

def _free_port_pair():
    for _ in range(100):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        if port >= 65535:
            continue
        try:
            with socket.socket() as a, socket.socket() as b:
                a.bind(("127.0.0.1", port))
                b.bind(("127.0.0.1", port + 1))
            return port
        except OSError:
            continue
    raise RuntimeError("no two adjacent free TCP ports")


def _die_with_parent():
    # PR_SET_PDEATHSIG: swtpm never outlives a crashed test.
    ctypes.CDLL(None, use_errno=True).prctl(1, int(signal.SIGTERM))


class Swtpm:
    """A throw-away swtpm manufactured by swtpm_setup with EK certificates
    from a private local CA in work/ca (the TPM CA for attestation)."""

    def __init__(self, work):
        self.work = work
        self.ca = os.path.join(work, "ca")
        self.proc = None
        self.tcti = None

    def start(self):
        """Returns the TCTI; raises when swtpm cannot start."""
        work = self.work
        state = os.path.join(work, "tpm-state")
        os.makedirs(state)
        os.makedirs(self.ca)
        with open(os.path.join(work, "swtpm-localca.conf"), "w") as f:
            f.write(f"statedir = {self.ca}\nsigningkey = {self.ca}/signkey.pem\n"
                    f"issuercert = {self.ca}/issuercert.pem\n"
                    f"certserial = {self.ca}/certserial\n")
        with open(os.path.join(work, "swtpm-localca.options"), "w") as f:
            f.write("--platform-manufacturer Tessera\n--platform-version 2.1\n"
                    "--platform-model swtpm\n")
        with open(os.path.join(work, "swtpm_setup.conf"), "w") as f:
            f.write(f"create_certs_tool = swtpm_localca\n"
                    f"create_certs_tool_config = {work}/swtpm-localca.conf\n"
                    f"create_certs_tool_options = {work}/swtpm-localca.options\n"
                    f"active_pcr_banks = sha256\n")
        code, out, err = run("swtpm_setup", "--tpm2", "--tpmstate", state, "--create-ek-cert",
                             "--create-platform-cert", "--ecc", "--overwrite", "--config",
                             os.path.join(work, "swtpm_setup.conf"), "--logfile",
                             os.path.join(work, "swtpm_setup.log"))
        assert code == 0, f"swtpm_setup: {err}"
        port = _free_port_pair()
        self.proc = subprocess.Popen(
            ["swtpm", "socket", "--tpm2", "--tpmstate", f"dir={state}",
             "--server", f"type=tcp,port={port},bindaddr=127.0.0.1",
             "--ctrl", f"type=tcp,port={port + 1},bindaddr=127.0.0.1",
             "--flags", "not-need-init,startup-clear", "--log", f"file={work}/swtpm.log"],
            stdout=subprocess.DEVNULL, preexec_fn=_die_with_parent)
        deadline = time.monotonic() + 10
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), 0.2).close()
                break
            except OSError:
                assert self.proc.poll() is None, "swtpm exited early"
                assert time.monotonic() < deadline, "swtpm did not open its port"
                time.sleep(0.02)
        self.tcti = f"swtpm:host=127.0.0.1,port={port}"
        return self.tcti

    def stop(self):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(10)

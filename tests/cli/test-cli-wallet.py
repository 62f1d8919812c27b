#!/usr/bin/env python3
# Copyright (c) 2026 The Tessera authors.
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Runs `tessera wallet` as a user would on a software wallet: init, keygen,
# import of credentials issued to the new key (by make-credential), list,
# show, delete, log, and the errors people hit: wrong passphrase, locked
# wallet, foreign or tampered credential, no TPM at a TCTI, a store from a
# newer version; and crashes: a holder killed mid-session, imports killed
# at random points. TAP on stdout.
#
# Usage: test-cli-wallet.py TESSERA_BINARY TEST_DATA_DIR MAKE_CREDENTIAL_BINARY

import json
import os
import pty
import random
import select
import sqlite3
import stat
import subprocess
import sys
import tempfile
import time

TESSERA = sys.argv[1]
DATA = sys.argv[2]
MAKE_CREDENTIAL = sys.argv[3]
PASSPHRASE = "correct horse battery staple"
MDL = "org.iso.18013.5.1.mDL"

TMP = tempfile.TemporaryDirectory(prefix="tsr-cli-wallet-")
STORE = os.path.join(TMP.name, "data", "tessera", "wallet.db")
PIN_FILE = os.path.join(TMP.name, "pin")
with open(PIN_FILE, "w") as f:
    f.write(PASSPHRASE + "\n")

# Software wallets made here derive their key with few iterations.
BASE_ENV = {k: v for k, v in os.environ.items() if k not in ("TESSERA_PIN", "TESSERA_TCTI")}
BASE_ENV["TESSERA_PBKDF2_ITERATIONS"] = "1000"
BASE_ENV["XDG_DATA_HOME"] = os.path.join(TMP.name, "data")


def tessera(*args, env=None, pin=True):
    """Runs tessera with no terminal (stdin is /dev/null, no controlling tty)."""
    argv = [TESSERA, *args]
    if pin:
        argv += ["--pin-file", PIN_FILE]
    e = dict(BASE_ENV)
    e.update(env or {})
    proc = subprocess.run(argv, stdin=subprocess.DEVNULL, capture_output=True, timeout=60,
                          env=e, start_new_session=True)
    return proc.returncode, proc.stdout.decode("utf-8", "replace"), proc.stderr.decode("utf-8", "replace")


def ok(*args, **kw):
    code, out, err = tessera(*args, **kw)
    assert code == 0, f"{args}: exit {code}: {err}"
    return out


def make_credential(cose_hex, name, days=None):
    out = os.path.join(TMP.name, name)
    argv = [MAKE_CREDENTIAL, DATA, cose_hex, out] + ([str(days)] if days is not None else [])
    subprocess.run(argv, check=True, timeout=60)
    return out


def keygen():
    doc = json.loads(ok("wallet", "keygen", "--json"))
    assert doc["secureArea"] == "software", doc
    return doc


state = {}
tests = []


def test(fn):
    tests.append(fn)
    return fn


@test
def init_default_path():
    # No --store: $XDG_DATA_HOME/tessera/wallet.db, 0600 in a 0700 directory.
    out = ok("wallet", "init", "--secure-area", "software")
    assert "Created wallet " + STORE in out, out
    assert "software (not hardware-backed)" in out, out
    assert stat.S_IMODE(os.stat(STORE).st_mode) == 0o600, oct(os.stat(STORE).st_mode)
    assert stat.S_IMODE(os.stat(os.path.dirname(STORE)).st_mode) == 0o700
    # Built in a hidden draft and linked into place: no draft is left.
    left = [n for n in os.listdir(os.path.dirname(STORE)) if ".creating-" in n]
    assert not left, left


@test
def init_twice_refused():
    code, out, err = tessera("wallet", "init", "--secure-area", "software")
    assert code == 1, f"exit {code}"
    assert "already exists (a wallet or another file)" in err, err


@test
def empty_file_is_not_a_wallet():
    # What an interrupted creation used to leave: neither "no wallet" (which
    # sends the user to init) nor silently replaced by init.
    empty = os.path.join(TMP.name, "empty.db")
    open(empty, "wb").close()
    code, _, err = tessera("wallet", "list", "--store", empty)
    assert code == 1 and "not a Tessera wallet" in err, (code, err)
    code, _, err = tessera("wallet", "init", "--secure-area", "software", "--store", empty)
    assert code == 1 and "already exists" in err, (code, err)
    assert os.path.getsize(empty) == 0


@test
def list_empty():
    out = ok("wallet", "list", pin=False)
    assert out.startswith("No credentials"), out
    assert json.loads(ok("wallet", "list", "--json", pin=False)) == []


@test
def keygen_and_import():
    key = keygen()
    state["key"] = key
    cred = make_credential(key["coseKey"], "cred.cbor")
    out = ok("wallet", "import", cred)
    assert out.startswith("Imported credential 1: " + MDL), out
    assert "C=US, CN=Tessera Test Store DS" in out, out
    assert f"device key {key['id']}" in out, out
    # The same again is refused.
    code, out, err = tessera("wallet", "import", cred)
    assert code == 1 and "already in the wallet" in err, (code, err)


@test
def list_and_show():
    out = ok("wallet", "list", pin=False)
    assert out.startswith("1  " + MDL), out
    assert "(valid)" in out and "software (not hardware-backed)" in out, out
    items = json.loads(ok("wallet", "list", "--json", pin=False))
    assert len(items) == 1, items
    assert items[0]["id"] == 1 and items[0]["docType"] == MDL, items
    assert items[0]["issuer"] == "C=US, CN=Tessera Test Store DS", items
    assert items[0]["keyStorage"] == "software" and items[0]["usesRemaining"] is None, items
    out = ok("wallet", "show", "1")
    assert "family_name: Doe" in out, out
    assert "document_number: 123456789" in out, out
    doc = json.loads(ok("wallet", "show", "1", "--json"))
    ns = doc["nameSpaces"]["org.iso.18013.5.1"]
    assert ns["family_name"] == "Doe", ns
    assert doc["credential"]["keyId"] == state["key"]["id"], doc


@test
def no_claims_in_file():
    for name in (STORE, STORE + "-wal"):
        if os.path.exists(name):
            with open(name, "rb") as f:
                data = f.read()
            assert b"Doe" not in data and b"123456789" not in data, name


@test
def env_pin_and_wrong_pin():
    code, out, err = tessera("wallet", "show", "1", pin=False, env={"TESSERA_PIN": PASSPHRASE})
    assert code == 0 and "Doe" in out, (code, err)
    code, out, err = tessera("wallet", "show", "1", pin=False, env={"TESSERA_PIN": "wrong"})
    assert code == 1 and "wrong PIN or passphrase" in err, (code, err)
    assert "Doe" not in out


@test
def locked_without_pin():
    # No --pin-file, no TESSERA_PIN, no terminal.
    code, out, err = tessera("wallet", "show", "1", pin=False)
    assert code == 1 and "the wallet is locked" in err, (code, err)
    code, out, err = tessera("wallet", "log", pin=False)
    assert code == 1 and "the wallet is locked" in err, (code, err)


@test
def import_foreign_refused():
    other = os.path.join(TMP.name, "other.db")
    ok("wallet", "init", "--secure-area", "software", "--store", other)
    foreign = json.loads(ok("wallet", "keygen", "--json", "--store", other))
    cred = make_credential(foreign["coseKey"], "foreign.cbor")
    code, out, err = tessera("wallet", "import", cred)
    assert code == 1, f"exit {code}"
    assert "not in this wallet" in err, err
    assert len(json.loads(ok("wallet", "list", "--json", pin=False))) == 1


@test
def import_tampered_refused():
    with open(make_credential(state["key"]["coseKey"], "t.cbor"), "rb") as f:
        data = bytearray(f.read())
    i = data.index(b"Doe")
    data[i + 2] = ord("f")
    path = os.path.join(TMP.name, "tampered.cbor")
    with open(path, "wb") as f:
        f.write(data)
    code, out, err = tessera("wallet", "import", path)
    assert code == 1, f"exit {code}"
    assert "refused" in err and "digest_mismatch" in err, err
    code, out, err = tessera("wallet", "import", path, "--json")
    assert code == 1 and json.loads(out) == {"imported": False, "reasons": ["digest_mismatch"]}, out
    expired = make_credential(state["key"]["coseKey"], "expired.cbor", days=-1)
    code, out, err = tessera("wallet", "import", expired)
    assert code == 1 and "mso_expired" in err, err
    with open(path, "wb") as f:
        f.write(b"\xa1\x61a\x01")
    code, out, err = tessera("wallet", "import", path)
    assert code == 1 and "not an IssuerSigned or Document" in err, err
    assert len(json.loads(ok("wallet", "list", "--json", pin=False))) == 1


@test
def import_single_use():
    cred = make_credential(state["key"]["coseKey"], "batch.cbor", days=30)
    doc = json.loads(ok("wallet", "import", cred, "--uses", "1", "--json"))
    assert doc["imported"] is True and doc["id"] == 2, doc
    items = json.loads(ok("wallet", "list", "--json", pin=False))
    assert items[1]["usesRemaining"] == 1, items
    assert "uses left:   1" in ok("wallet", "list", pin=False)


@test
def log_empty():
    assert ok("wallet", "log").startswith("No presentations"), "log"
    assert json.loads(ok("wallet", "log", "--json")) == []


@test
def present_and_log():
    """wallet present + reader request over the local transport; the reader
    takes the engagement from the QR code PNG; the log records it."""
    sock = os.path.join(TMP.name, "present.sock")
    png = os.path.join(TMP.name, "qr.png")
    holder = subprocess.Popen(
        [TESSERA, "wallet", "present", "--credential", "1", "--transport", "local:" + sock,
         "--qr-png", png, "--consent", "all", "--timeout", "30", "--pin-file", PIN_FILE],
        stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        env=BASE_ENV, start_new_session=True)
    for _ in range(400):
        if os.path.exists(png):
            break
        time.sleep(0.05)
    reader = subprocess.run(
        [TESSERA, "reader", "request", "--qr-image", png, "--template", "driving-licence",
         "--trust", os.path.join(DATA, "store", "iaca.pem"), "--transport", "local:" + sock,
         "--timeout", "30", "--json"],
        stdin=subprocess.DEVNULL, capture_output=True, timeout=60, env=BASE_ENV)
    out, err = holder.communicate(timeout=60)
    result = json.loads(reader.stdout)
    assert reader.returncode == 0 and result["valid"], reader.stdout + reader.stderr
    shared = result["documents"][0]["issuerSigned"]["org.iso.18013.5.1"]
    assert shared["family_name"] == "Doe" and "given_name" not in shared, shared
    assert holder.returncode == 0, err
    log = json.loads(ok("wallet", "log", "--json"))
    assert len(log) == 1, log
    entry = json.dumps(log[0])
    assert "family_name" in entry and "driving_privileges" in entry, entry


@test
def holder_killed_mid_session():
    """The holder dies (kill -9) while the consent prompt is up, after the
    reader's request arrived: the reader reports a failed session within its
    timeout, and the wallet's log records nothing as shared."""
    sock = os.path.join(TMP.name, "killed.sock")
    png = os.path.join(TMP.name, "killed.png")
    master, slave = pty.openpty()  # a terminal, so the holder prompts
    holder = subprocess.Popen(
        [TESSERA, "wallet", "present", "--credential", "1", "--transport", "local:" + sock,
         "--qr-png", png, "--timeout", "30", "--pin-file", PIN_FILE],
        stdin=slave, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=BASE_ENV,
        start_new_session=True)
    os.close(slave)
    for _ in range(400):
        if os.path.exists(png):
            break
        time.sleep(0.05)
    reader = subprocess.Popen(
        [TESSERA, "reader", "request", "--qr-image", png, "--template", "driving-licence",
         "--trust", os.path.join(DATA, "store", "iaca.pem"), "--transport", "local:" + sock,
         "--timeout", "10"],
        stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=BASE_ENV)
    prompt = b""
    deadline = time.time() + 30
    while b"Share " not in prompt and time.time() < deadline:
        ready, _, _ = select.select([holder.stderr], [], [], 0.5)
        if ready:
            chunk = os.read(holder.stderr.fileno(), 4096)
            if not chunk:
                break
            prompt += chunk
    os.close(master)
    assert b"Share " in prompt, prompt.decode("utf-8", "replace")
    holder.kill()
    holder.wait()
    start = time.time()
    out, err = reader.communicate(timeout=60)
    elapsed = time.time() - start
    assert reader.returncode == 1, f"exit {reader.returncode}: {out}{err}"
    assert b"VALID" not in out and b"the holder went away" in err, out + err
    assert elapsed < 15, f"reader took {elapsed:.1f} s to notice"
    log = json.loads(ok("wallet", "log", "--json"))
    assert len(log) == 1, log  # still only present_and_log's entry


@test
def trust_anchors():
    root = os.path.join(DATA, "reader", "reader_root.pem")
    out = ok("wallet", "trust", "add", root, pin=False)
    assert out.startswith("Trusted 1 new reader-root certificate"), out
    out = ok("wallet", "trust", "add", root, pin=False)
    assert out.startswith("Trusted 0 new"), out
    roots = json.loads(ok("wallet", "trust", "list", "--json", pin=False))
    assert len(roots) == 1 and roots[0]["purpose"] == "reader-root", roots
    assert "Tessera Test Reader Root" in roots[0]["subject"], roots
    code, out, err = tessera("wallet", "trust", "add", os.path.join(DATA, "reader",
                                                                    "reader_key.pem"), pin=False)
    assert code == 1 and "no certificate" in err, (code, err)
    code, out, err = tessera("wallet", "trust", "frobnicate", pin=False)
    assert code == 2, (code, err)
    out = ok("wallet", "trust", "remove", str(roots[0]["id"]), pin=False)
    assert out.startswith("Removed trusted certificate"), out
    assert ok("wallet", "trust", "list", pin=False).startswith("No trusted certificates")


@test
def delete():
    out = ok("wallet", "delete", "1")
    assert out == "Deleted credential 1\n", out  # credential 2 still uses the key
    code, out, err = tessera("wallet", "show", "1")
    assert code == 1 and "no such credential" in err, (code, err)
    out = ok("wallet", "delete", "2")
    assert out == "Deleted credential 2 and its device key\n", out
    code, out, err = tessera("wallet", "delete", "x")
    assert code == 2, f"exit {code}"


@test
def no_tpm_at_tcti():
    tcti = "swtpm:host=127.0.0.1,port=9"
    path = os.path.join(TMP.name, "tpm.db")
    code, out, err = tessera("wallet", "init", "--secure-area", "tpm2", "--tcti", tcti,
                             "--store", path)
    assert code == 1, f"exit {code}: {err}"
    assert f"no TPM reachable at TCTI '{tcti}'" in err, err
    assert not os.path.exists(path)


@test
def pkcs11_module_missing():
    path = os.path.join(TMP.name, "p11.db")
    code, out, err = tessera("wallet", "init", "--secure-area", "pkcs11", "--pkcs11-module",
                             "/nonexistent/libnothing.so", "--token", "x", "--store", path)
    assert code == 1, f"exit {code}: {err}"
    assert "/nonexistent/libnothing.so" in err, err
    assert not os.path.exists(path)


@test
def newer_version_refused():
    path = os.path.join(TMP.name, "newer.db")
    ok("wallet", "init", "--secure-area", "software", "--store", path)
    db = sqlite3.connect(path)
    version = db.execute("PRAGMA user_version").fetchone()[0]
    db.execute(f"PRAGMA user_version = {version + 1}")
    db.commit()
    db.close()
    code, out, err = tessera("wallet", "list", "--store", path)
    assert code == 1, f"exit {code}"
    assert "written by a newer version of Tessera" in err, err


@test
def import_killed_at_random_points():
    """kill -9 at a random moment of `wallet import`, many times: the store
    stays intact and every import is all or nothing. A killed import either
    finished (importing it again says it is already there) or left nothing
    (importing it again works); no credential is half there."""
    key = keygen()
    # Each lasts a different number of days, so each is a different credential.
    creds = [make_credential(key["coseKey"], f"killed-{i}.cbor", days=100 + i)
             for i in range(16)]
    before = len(json.loads(ok("wallet", "list", "--json", pin=False)))
    argv = [TESSERA, "wallet", "import", "--pin-file", PIN_FILE]
    start = time.monotonic()
    ok("wallet", "import", creds[0])
    duration = time.monotonic() - start
    rng = random.Random(1125)
    for cred in creds[1:]:
        proc = subprocess.Popen(argv + [cred], stdin=subprocess.DEVNULL,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                env=BASE_ENV, start_new_session=True)
        time.sleep(rng.uniform(0, duration * 1.2))
        proc.kill()
        proc.wait()
    db = sqlite3.connect(STORE)
    check = db.execute("PRAGMA integrity_check").fetchall()
    db.close()
    assert check == [("ok",)], check
    for cred in creds[1:]:
        code, out, err = tessera("wallet", "import", cred)
        assert (code == 0 and out.startswith("Imported credential")) or \
            (code == 1 and "already in the wallet" in err), (code, out, err)
    items = json.loads(ok("wallet", "list", "--json", pin=False))
    assert len(items) == before + len(creds), items
    for item in items[before:]:
        assert MDL in ok("wallet", "show", str(item["id"])), item


@test
def import_batch():
    # A batch (a CBOR array, as `tessera-issuer issue --batch` writes) goes in
    # whole, single-use by default; with one bad credential nothing goes in.
    before = len(json.loads(ok("wallet", "list", "--json", pin=False)))
    creds = []
    for i in range(3):
        with open(make_credential(keygen()["coseKey"], f"batch-{i}.cbor"), "rb") as f:
            creds.append(f.read())
    bad = os.path.join(TMP.name, "batch-bad.cbor")
    with open(bad, "wb") as f:
        f.write(bytes([0x83]) + creds[0] + creds[1].replace(b"Doe", b"Dof") + creds[2])
    code, out, err = tessera("wallet", "import", bad)
    assert code == 1 and "credential 2 of the batch does not verify" in err, (code, err)
    assert "digest_mismatch" in err, err
    assert len(json.loads(ok("wallet", "list", "--json", pin=False))) == before
    good = os.path.join(TMP.name, "batch-good.cbor")
    with open(good, "wb") as f:
        f.write(bytes([0x83]) + b"".join(creds))
    doc = json.loads(ok("wallet", "import", good, "--json"))
    assert doc["imported"] is True and len(doc["credentials"]) == 3, doc
    items = json.loads(ok("wallet", "list", "--json", pin=False))
    assert [i["id"] for i in items[before:]] == [c["id"] for c in doc["credentials"]], items
    assert all(i["usesRemaining"] == 1 for i in items[before:]), items


@test
def no_wallet():
    code, out, err = tessera("wallet", "list", "--store", os.path.join(TMP.name, "none.db"))
    assert code == 1 and "no wallet here" in err, (code, err)


@test
def usage_errors():
    code, out, err = tessera("wallet", pin=False)
    assert code == 2, f"exit {code}"
    code, out, err = tessera("wallet", "frobnicate", pin=False)
    assert code == 2 and "unknown wallet command" in err, err
    code, out, err = tessera("wallet", "--store", STORE, "list", pin=False)
    assert code == 2 and "options go after the command" in err, err
    code, out, err = tessera("wallet", "import", pin=False)
    assert code == 2 and "missing argument" in err, err
    code, out, err = tessera("wallet", "init", "--secure-area", "floppy", pin=False)
    assert code == 2, f"exit {code}"
    code, out, err = tessera("wallet", "list", "--token", "x", pin=False)
    assert code == 2, f"exit {code}"
    out = ok("wallet", "--help", pin=False)
    assert "keygen" in out and "import" in out, out
    out = ok("help", "wallet", pin=False)
    assert "init" in out, out
    out = ok("wallet", "show", "--help", pin=False)
    assert out.startswith("Usage: tessera wallet show"), out


print(f"1..{len(tests)}")
failed = 0
for n, fn in enumerate(tests, 1):
    try:
        fn()
        print(f"ok {n} - {fn.__name__}")
    except Exception as e:  # noqa: BLE001 - report every failure as TAP
        failed += 1
        print(f"not ok {n} - {fn.__name__}")
        for line in str(e).splitlines() or [type(e).__name__]:
            print(f"# {line}")
    sys.stdout.flush()
TMP.cleanup()
sys.exit(1 if failed else 0)

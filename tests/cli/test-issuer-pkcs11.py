#!/usr/bin/env python3
# Copyright (c) 2026 The Tessera authors.
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# `tessera-issuer` with its Document Signer key on a PKCS#11 token: a
# throw-away SoftHSM2 token (SOFTHSM2_CONF in a temporary directory, as
# tests/support/softhsm.c makes it), `init --pkcs11-module`, `issue` and
# `status-list` signing on the token, the credential verified by `tessera
# reader verify`, and the key's attributes read straight from the module by
# p11-key-attrs (sensitive, never extractable). TAP on stdout.
#
# Usage: test-issuer-pkcs11.py TESSERA_ISSUER TESSERA MAKE_RESPONSE P11_KEY_ATTRS
#                              EXAMPLES_DIR TEST_DATA_DIR

import json
import os
import shutil
import stat
import subprocess
import sys
import tempfile

import clitest

ISSUER, TESSERA, HELPER, ATTRS, EXAMPLES, DATA = sys.argv[1:7]
TRANSCRIPT = os.path.join(DATA, "annex-d", "session_transcript_bytes.cbor")
TOKEN = "Issuer HSM"
PIN = "4321"
AV = ("eu.europa.ec.av.1", os.path.join(EXAMPLES, "av.json"))

WORK = tempfile.mkdtemp(prefix="tessera-issuer-p11-test-")
PKI = os.path.join(WORK, "pki")
ENV = dict(os.environ)
ENV.pop("TESSERA_PIN", None)
MODULE = None


def path(name):
    return os.path.join(WORK, name)


def run(*args, env=None):
    proc = subprocess.run(list(args), capture_output=True, timeout=120, env=env or ENV)
    return proc.returncode, proc.stdout.decode("utf-8", "replace"), proc.stderr.decode("utf-8", "replace")


def issuer(*args, env=None):
    return run(ISSUER, *args, env=env)


def setup_softhsm():
    global MODULE
    MODULE = clitest.softhsm_token(WORK, TOKEN, PIN, ENV)
    with open(path("pin"), "w") as f:
        f.write(PIN + "\n")
    os.chmod(path("pin"), 0o600)


def keygen(name):
    code, out, err = run(HELPER, "keygen", path(name + ".key"), path(name + ".pub"))
    assert code == 0, err
    return path(name + ".key"), path(name + ".pub")


def verify(issued, device_key, *extra):
    resp = issued + ".response"
    code, out, err = run(HELPER, "response", issued, device_key, TRANSCRIPT, resp)
    assert code == 0, err
    code, out, err = run(TESSERA, "reader", "verify", "--response", resp, "--transcript",
                         TRANSCRIPT, "--trust", os.path.join(PKI, "iaca.pem"), "--json",
                         *extra)
    return code, json.loads(out)


def reference():
    ref = {}
    with open(os.path.join(PKI, "ds_key.p11")) as f:
        for line in f:
            line = line.strip()
            if line and not line.startswith("#"):
                k, v = line.split("=", 1)
                ref[k.strip()] = v.strip()
    return ref


tests = []


def test(fn):
    tests.append(fn)
    return fn


@test
def init_generates_the_ds_key_on_the_token():
    code, out, err = issuer("init", "--out", PKI, "--pkcs11-module", MODULE, "--token", TOKEN,
                            "--pin-file", path("pin"))
    assert code == 0, err
    assert "ds_key.p11" in out and TOKEN in out, out
    names = sorted(os.listdir(PKI))
    assert names == ["ds.pem", "ds_key.p11", "iaca.pem", "iaca_key.pem"], names
    assert stat.S_IMODE(os.stat(os.path.join(PKI, "iaca_key.pem")).st_mode) == 0o600
    ref = reference()
    assert ref["module"] == MODULE and ref["token"] == TOKEN, ref
    assert len(bytes.fromhex(ref["id"])) == 16, ref
    with open(os.path.join(PKI, "ds_key.p11")) as f:
        assert "PRIVATE KEY" not in f.read()


@test
def the_private_key_is_sensitive_and_not_extractable():
    code, out, err = run(ATTRS, MODULE, TOKEN, PIN, reference()["id"])
    assert code == 0, err
    attrs = dict(line.split("=", 1) for line in out.split())
    assert attrs == {"count": "1", "token": "1", "private": "1", "sensitive": "1",
                     "extractable": "0", "always_sensitive": "1", "never_extractable": "1",
                     "sign": "1", "label": "tessera-document-signer",
                     "value": "refused"}, attrs


@test
def issue_signs_on_the_token_and_verifies():
    key, pub = keygen("device")
    out_file = path("av.cbor")
    code, out, err = issuer("issue", "--pki", PKI, "--doctype", AV[0], "--claims", AV[1],
                            "--device-key", pub, "--out", out_file, "--pin-file", path("pin"))
    assert code == 0, err
    assert f"signed on token '{TOKEN}'" in out, out
    code, doc = verify(out_file, key)
    assert code == 0 and doc["valid"] is True, doc
    assert doc["documents"][0]["docType"] == AV[0]
    # The PIN from the environment does as well; a batch too.
    env = dict(ENV, TESSERA_PIN=PIN)
    keys = [keygen(f"b{i}") for i in range(3)]
    args = []
    for _, p in keys:
        args += ["--device-key", p]
    code, out, err = issuer("issue", "--pki", PKI, "--doctype", AV[0], "--claims", AV[1],
                            "--batch", "3", *args, "--out", path("batch.cbor"), env=env)
    assert code == 0, err
    code, out, err = issuer("inspect", path("batch.cbor"), "--json")
    info = json.loads(out)
    assert info["count"] == 3 and all(c["issuerSignatureValid"] and c["digestsValid"] for c in info["credentials"]), info


@test
def pin_problems_are_named():
    key, pub = keygen("device2")
    out_file = path("nopin.cbor")
    base = ["issue", "--pki", PKI, "--doctype", AV[0], "--claims", AV[1], "--device-key", pub,
            "--out", out_file]
    code, out, err = issuer(*base)
    assert code == 2 and "PIN is needed" in err, (code, err)
    with open(path("badpin"), "w") as f:
        f.write("0000\n")
    code, out, err = issuer(*base, "--pin-file", path("badpin"))
    assert code == 2 and "not the token's user PIN" in err, (code, err)
    assert not os.path.exists(out_file)
    # Token options belong to init.
    code, out, err = issuer(*base, "--token", TOKEN)
    assert code == 2 and "ds_key.p11" in err, (code, err)


@test
def status_list_signed_on_the_token():
    code, out, err = issuer("status-list", "--pki", PKI, "--size", "16", "--revoke", "3",
                            "--out", path("list.cwt"), "--pin-file", path("pin"))
    assert code == 0, err
    code, out, err = issuer("inspect", path("list.cwt"), "--json")
    info = json.loads(out)
    assert info["signatureValid"] is True and info["notValid"] == [3], info


@test
def missing_token_and_module():
    code, out, err = issuer("init", "--out", path("pki-x"), "--pkcs11-module", MODULE,
                            "--token", "No Such Token", "--pin-file", path("pin"))
    assert code == 2 and "no initialised token" in err, (code, err)
    assert not os.path.exists(os.path.join(path("pki-x"), "iaca.pem"))
    code, out, err = issuer("init", "--out", path("pki-y"), "--pkcs11-module",
                            path("nonexistent.so"), "--token", TOKEN, "--pin-file", path("pin"))
    assert code == 2 and "cannot load" in err, (code, err)
    code, out, err = issuer("init", "--out", path("pki-z"), "--token", TOKEN)
    assert code == 2 and "--pkcs11-module" in err, (code, err)


@test
def reinit_with_a_software_key_replaces_the_reference():
    other = path("pki2")
    assert issuer("init", "--out", other, "--pkcs11-module", MODULE, "--token", TOKEN,
                  "--pin-file", path("pin"))[0] == 0
    code, out, err = issuer("init", "--out", other)
    assert code == 2 and "exists" in err, (code, err)
    code, out, err = issuer("init", "--out", other, "--force")
    assert code == 0, err
    assert sorted(os.listdir(other)) == ["ds.pem", "ds_key.pem", "iaca.pem", "iaca_key.pem"]
    # Both kinds of DS key in one directory are refused, not guessed.
    shutil.copy(os.path.join(PKI, "ds_key.p11"), other)
    key, pub = keygen("device3")
    code, out, err = issuer("issue", "--pki", other, "--doctype", AV[0], "--claims", AV[1],
                            "--device-key", pub, "--out", path("both.cbor"))
    assert code == 2 and "both ds_key.pem and ds_key.p11" in err, (code, err)


def main():
    print(f"1..{len(tests)}")
    failed = 0
    try:
        setup_softhsm()
    except Exception as e:  # noqa: BLE001
        for i, fn in enumerate(tests, 1):
            print(f"not ok {i} {fn.__name__}\n# SoftHSM setup: {e}")
        shutil.rmtree(WORK, ignore_errors=True)
        sys.exit(1)
    for i, fn in enumerate(tests, 1):
        try:
            fn()
            print(f"ok {i} {fn.__name__}")
        except Exception as e:  # noqa: BLE001 - report every failure as TAP
            failed += 1
            print(f"not ok {i} {fn.__name__}")
            for line in str(e).splitlines() or [repr(e)]:
                print(f"# {line}")
    shutil.rmtree(WORK, ignore_errors=True)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()

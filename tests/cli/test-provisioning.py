#!/usr/bin/env python3
# Copyright (c) 2026 The Tessera authors.
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Attested provisioning end to end, with the two CLIs as a wallet and an
# issuer would run them (docs/provisioning.md):
#
#   tessera wallet provision-request  ->  tessera-issuer challenge
#   tessera wallet provision-respond  ->  tessera-issuer issue --pending
#   tessera wallet import / list
#
# on a throw-away swtpm manufactured by swtpm_setup with EK certificates
# from a private local CA (the configuration of tests/support/swtpm.c), and
# the refusals: an untrusted TPM CA, a replayed response, a tampered
# response, a response to another challenge, --require-attestation with a
# plain key. TAP on stdout; skipped when swtpm is not installed.
#
# Usage: test-provisioning.py TESSERA_ISSUER TESSERA EXAMPLES_DIR

import json
import os
import shutil
import stat
import subprocess
import sys
import tempfile
import time

import clitest

ISSUER, TESSERA, EXAMPLES = sys.argv[1:4]
AV = ("eu.europa.ec.av.1", os.path.join(EXAMPLES, "av.json"))
WORK = tempfile.mkdtemp(prefix="tessera-provisioning-test-")
PKI = os.path.join(WORK, "pki")
SWTPM = clitest.Swtpm(WORK)
CA = SWTPM.ca
WALLET = ["--store", os.path.join(WORK, "wallet.db")]


def path(name):
    return os.path.join(WORK, name)


def run(*args, env=None):
    proc = subprocess.run(list(args), capture_output=True, timeout=120, env=env)
    return proc.returncode, proc.stdout.decode("utf-8", "replace"), proc.stderr.decode("utf-8", "replace")


def issuer(*args):
    return run(ISSUER, *args)


def wallet(*args):
    return run(TESSERA, "wallet", *args, *WALLET)


# --- The exchange ---

def provision(name, keys=1, *challenge_extra):
    """Runs provision-request and challenge; returns (request, challenge, pending)."""
    req, chal, pend = path(name + ".req"), path(name + ".chal"), path(name + ".pending")
    code, out, err = wallet("provision-request", "--out", req, "--keys", str(keys))
    assert code == 0, err
    code, out, err = issuer("challenge", "--request", req, "--tpm-ca", CA, "--out", chal,
                            "--pending", pend, *challenge_extra)
    assert code == 0, err
    return req, chal, pend


def respond(name, chal):
    resp = path(name + ".resp")
    code, out, err = wallet("provision-respond", "--challenge", chal, "--out", resp)
    assert code == 0, err
    return resp


def issue(resp, pending, out, *extra):
    return issuer("issue", "--pki", PKI, "--doctype", AV[0], "--claims", AV[1],
                  "--device-key", resp, "--pending", pending, "--out", out, *extra)


tests = []
TIMES = {}


def test(fn):
    tests.append(fn)
    return fn


@test
def round_trip_one_key():
    code, out, err = issuer("init", "--out", PKI)
    assert code == 0, err
    req, chal, pend = provision("one")
    mode = stat.S_IMODE(os.stat(pend).st_mode)
    assert mode == 0o600, oct(mode)
    resp = respond("one", chal)
    out_file = path("one.cbor")
    t = time.monotonic()
    code, out, err = issue(resp, pend, out_file, "--require-attestation")
    TIMES["issue with attestation (process)"] = time.monotonic() - t
    assert code == 0, err
    assert "TPM attestation verified: 1 device key" in out, out
    code, out, err = wallet("import", out_file, "--json")
    assert code == 0, err
    imported = json.loads(out)
    assert imported["imported"] and imported["docType"] == AV[0], imported
    code, out, err = wallet("list", "--json")
    assert code == 0, err
    listed = json.loads(out)
    creds = listed if isinstance(listed, list) else listed.get("credentials", listed)
    assert any(c["docType"] == AV[0] and c["keyAttested"] for c in creds), listed
    code, out, err = wallet("list")
    assert code == 0 and AV[0] in out and "TPM 2.0 (attested)" in out, out


@test
def replayed_response_is_refused():
    # The pending state of round_trip_one_key is used up.
    out_file = path("replay.cbor")
    code, out, err = issue(path("one.resp"), path("one.pending"), out_file)
    assert code == 1, (code, err)
    assert "already used" in err, err
    assert not os.path.exists(out_file)


@test
def late_response_is_refused():
    # The challenge may be answered for 1 s; the answer is checked after 2 s.
    req, chal, pend = provision("late", 1, "--valid-for", "1")
    resp = respond("late", chal)
    time.sleep(2)
    out_file = path("late.cbor")
    code, out, err = issue(resp, pend, out_file)
    assert code == 1, (code, err)
    assert "challenge expired (challenge_expired): the wallet answered after" in err, err
    assert not os.path.exists(out_file)
    code, out, err = issuer("challenge", "--request", req, "--tpm-ca", CA, "--out",
                            path("late2.chal"), "--pending", path("late2.pending"),
                            "--valid-for", "0")
    assert code == 2 and "--valid-for" in err, (code, err)


@test
def batch_of_two_keys():
    req, chal, pend = provision("two", keys=2)
    resp = respond("two", chal)
    out_file = path("two.cbor")
    code, out, err = issue(resp, pend, out_file)
    assert code == 0, err
    assert "Issued 2 " in out, out
    # The wallet takes the batch whole: both credentials, single-use.
    code, out, err = wallet("import", out_file, "--json")
    assert code == 0, err
    assert len(json.loads(out)["credentials"]) == 2, out
    code, out, err = wallet("list", "--json")
    assert code == 0 and out.count(AV[0]) == 3, out


@test
def untrusted_tpm_ca_is_refused():
    req = path("wrongca.req")
    code, out, err = wallet("provision-request", "--out", req)
    assert code == 0, err
    chal, pend = path("wrongca.chal"), path("wrongca.pending")
    # The issuer's own IACA is a CA, but not the TPM's manufacturer.
    code, out, err = issuer("challenge", "--request", req, "--tpm-ca",
                            os.path.join(PKI, "iaca.pem"), "--out", chal, "--pending", pend)
    assert code == 1, (code, err)
    assert "EK certificate untrusted (ek_untrusted)" in err, err
    assert "nothing written" in err
    assert not os.path.exists(chal) and not os.path.exists(pend)
    # Judged before the TPM was made, the EK certificate is not yet valid.
    code, out, err = issuer("challenge", "--request", req, "--tpm-ca", CA, "--out", chal,
                            "--pending", pend, "--now", "2000-01-01T00:00:00Z")
    assert code == 1 and "(ek_expired)" in err, (code, err)
    assert not os.path.exists(chal) and not os.path.exists(pend)


@test
def tampered_response_is_refused():
    req, chal, pend = provision("tamper")
    resp = respond("tamper", chal)
    with open(resp, "rb") as f:
        good = f.read()
    out_file = path("tamper.cbor")
    # Flip one bit in the middle (inside a TPMS_ATTEST) and at the end (the
    # activated secret).
    for pos in (len(good) // 2, len(good) - 1):
        bad = bytearray(good)
        bad[pos] ^= 0x01
        bad_path = path(f"tamper-{pos}.resp")
        with open(bad_path, "wb") as f:
            f.write(bad)
        code, out, err = issue(bad_path, pend, out_file)
        assert code in (1, 2), (code, err)
        if code == 1:
            assert "the TPM attestation does not verify" in err, err
            assert "  - " in err, err
        assert not os.path.exists(out_file)
    code, out, err = issue(path(f"tamper-{len(good) - 1}.resp"), pend, out_file)
    assert code == 1 and "(activation)" in err, err
    # A refusal does not use up the challenge: the genuine answer still works.
    code, out, err = issue(resp, pend, out_file)
    assert code == 0, err


@test
def response_to_another_challenge_is_refused():
    req, chal, pend = provision("first")
    resp = respond("first", chal)
    # A second challenge for the same request: the response to the first
    # does not answer it.
    chal2, pend2 = path("second.chal"), path("second.pending")
    code, out, err = issuer("challenge", "--request", req, "--tpm-ca", CA, "--out", chal2,
                            "--pending", pend2)
    assert code == 0, err
    out_file = path("other.cbor")
    code, out, err = issue(resp, pend2, out_file)
    assert code == 1, (code, err)
    assert "(activation)" in err and "(nonce)" in err, err
    assert not os.path.exists(out_file)


@test
def plain_key_with_require_attestation_is_refused():
    out_file = path("plain.cbor")
    code, out, err = issuer("issue", "--pki", PKI, "--doctype", AV[0], "--claims", AV[1],
                            "--device-key", os.path.join(EXAMPLES, "device_key.pem"),
                            "--out", out_file, "--require-attestation")
    assert code == 1, (code, err)
    assert "plain public key" in err and "nothing written" in err, err
    assert not os.path.exists(out_file)
    # A response without its pending state is not taken for a key.
    code, out, err = issuer("issue", "--pki", PKI, "--doctype", AV[0], "--claims", AV[1],
                            "--device-key", path("one.resp"), "--out", out_file)
    assert code == 2 and "--pending" in err, (code, err)
    # The TPM CAs belong to `challenge`.
    code, out, err = issuer("issue", "--pki", PKI, "--doctype", AV[0], "--claims", AV[1],
                            "--device-key", path("one.resp"), "--pending", path("one.pending"),
                            "--tpm-ca", CA, "--out", out_file)
    assert code == 2 and "challenge" in err, (code, err)


def main():
    if shutil.which("swtpm") is None or shutil.which("swtpm_setup") is None:
        print("1..0 # SKIP swtpm is not installed")
        return
    failed = 0
    try:
        tcti = SWTPM.start()
        code, out, err = run(TESSERA, "wallet", "init", "--secure-area", "tpm2", "--tcti",
                             tcti, *WALLET)
        assert code == 0, err
    except Exception as e:  # noqa: BLE001
        print("1..0 # SKIP cannot start swtpm: " + str(e).splitlines()[0])
        SWTPM.stop()
        shutil.rmtree(WORK, ignore_errors=True)
        return
    print(f"1..{len(tests)}")
    try:
        for i, fn in enumerate(tests, 1):
            try:
                fn()
                print(f"ok {i} {fn.__name__}")
            except Exception as e:  # noqa: BLE001 - report every failure as TAP
                failed += 1
                print(f"not ok {i} {fn.__name__}")
                for line in str(e).splitlines() or [repr(e)]:
                    print(f"# {line}")
        for what, secs in TIMES.items():
            print(f"# {what}: {secs * 1000:.0f} ms")
    finally:
        SWTPM.stop()
        shutil.rmtree(WORK, ignore_errors=True)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()

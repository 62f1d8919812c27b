#!/usr/bin/env python3
# Copyright (c) 2026 The Tessera authors.
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Runs `tessera-issuer` as an issuer would: init a PKI, issue the example
# credentials, and check that `tessera reader verify` accepts them with the
# new IACA as its only trust anchor. The wallet's part (device keys, the
# DeviceResponse with deviceSignature) is played by the test helper
# issuer-make-response. TAP on stdout.
#
# Usage: test-issuer-cli.py TESSERA_ISSUER TESSERA MAKE_RESPONSE EXAMPLES_DIR TEST_DATA_DIR

import json
import os
import shutil
import stat
import subprocess
import sys
import tempfile

ISSUER, TESSERA, HELPER, EXAMPLES, DATA = sys.argv[1:6]
TRANSCRIPT = os.path.join(DATA, "annex-d", "session_transcript_bytes.cbor")
DOCTYPES = {
    "mdl": ("org.iso.18013.5.1.mDL", "org.iso.18013.5.1"),
    "pid": ("eu.europa.ec.eudi.pid.1", "eu.europa.ec.eudi.pid.1"),
    "av": ("eu.europa.ec.av.1", "eu.europa.ec.av.1"),
}

WORK = tempfile.mkdtemp(prefix="tessera-issuer-test-")
PKI = os.path.join(WORK, "pki")


def run(*args):
    proc = subprocess.run(list(args), capture_output=True, timeout=120)
    return proc.returncode, proc.stdout.decode("utf-8", "replace"), proc.stderr.decode("utf-8", "replace")


def issuer(*args):
    return run(ISSUER, *args)


def path(name):
    return os.path.join(WORK, name)


def keygen(name):
    code, out, err = run(HELPER, "keygen", path(name + ".key"), path(name + ".pub"))
    assert code == 0, err
    return path(name + ".key"), path(name + ".pub")


def issue(kind, out, *extra, key=None):
    doctype = DOCTYPES[kind][0]
    args = ["issue", "--pki", PKI, "--doctype", doctype,
            "--claims", os.path.join(EXAMPLES, kind + ".json"), "--out", out]
    if key is not None:
        args += ["--device-key", key]
    return issuer(*args, *extra)


def verify(issued, device_key, index=None, extra=()):
    resp = issued + ".response"
    args = [HELPER, "response", issued, device_key, TRANSCRIPT, resp]
    if index is not None:
        args.append(str(index))
    code, out, err = run(*args)
    assert code == 0, err
    code, out, err = run(TESSERA, "reader", "verify", "--response", resp, "--transcript",
                         TRANSCRIPT, "--trust", os.path.join(PKI, "iaca.pem"), "--json",
                         *extra)
    doc = json.loads(out)
    return code, doc


tests = []


def test(fn):
    tests.append(fn)
    return fn


@test
def init_writes_the_pki():
    code, out, err = issuer("init", "--out", PKI, "--reader", "--name", "CLI Test Issuer")
    assert code == 0, err
    for name, secret in (("iaca.pem", False), ("iaca_key.pem", True), ("ds.pem", False),
                         ("ds_key.pem", True), ("reader_root.pem", False),
                         ("reader.pem", False), ("reader_key.pem", True)):
        st = os.stat(os.path.join(PKI, name))
        mode = stat.S_IMODE(st.st_mode)
        assert mode == (0o600 if secret else 0o644), f"{name}: {oct(mode)}"
    with open(os.path.join(PKI, "iaca_key.pem")) as f:
        assert f.read().startswith("-----BEGIN PRIVATE KEY-----")


@test
def init_refuses_to_overwrite():
    with open(os.path.join(PKI, "ds.pem"), "rb") as f:
        before = f.read()
    code, out, err = issuer("init", "--out", PKI)
    assert code == 2, (code, err)
    assert "exists (use --force" in err, err
    with open(os.path.join(PKI, "ds.pem"), "rb") as f:
        assert f.read() == before
    other = path("pki2")
    assert issuer("init", "--out", other)[0] == 0
    code, out, err = issuer("init", "--out", other, "--force", "--country", "JP")
    assert code == 0, err
    code, out, err = issuer("init", "--out", path("pki3"), "--country", "jp")
    assert code == 2 and "country" in err, err
    assert not os.path.exists(os.path.join(path("pki3"), "iaca.pem"))


@test
def issued_credentials_verify_each_doctype_and_digest():
    key, pub = keygen("device")
    for kind, (doctype, ns) in DOCTYPES.items():
        for digest in ("SHA-256", "SHA-384", "SHA-512"):
            out = path(f"{kind}-{digest}.cbor")
            code, o, err = issue(kind, out, "--digest", digest, key=pub)
            assert code == 0, f"{kind} {digest}: {err}"
            code, doc = verify(out, key)
            assert code == 0 and doc["valid"] is True, (kind, digest, doc)
            d = doc["documents"][0]
            assert d["docType"] == doctype, d["docType"]
            assert d["deviceAuth"] == "signature", d["deviceAuth"]
            assert ns in d["issuerSigned"], d["issuerSigned"].keys()
    assert doc["documents"][0]["issuerSigned"]["eu.europa.ec.av.1"]["age_over_18"] is True


@test
def device_key_formats():
    key, pub = keygen("device")
    # A JWK: the example key has no private half here, so only check issuance.
    code, out, err = issue("av", path("jwk.cbor"), key=os.path.join(EXAMPLES, "device_key.jwk"))
    assert code == 0, err
    code, out, err = issue("av", path("cert.cbor"), key=os.path.join(PKI, "reader.pem"))
    assert code == 0, err
    code, out, err = issue("av", path("priv.cbor"), key=key)
    assert code == 2 and "not a usable device key" in err, err
    assert not os.path.exists(path("priv.cbor"))


@test
def document_format_verifies():
    key, pub = keygen("device")
    out = path("doc.cbor")
    code, o, err = issue("mdl", out, "--format", "document", key=pub)
    assert code == 0, err
    code, o, err = issuer("inspect", out, "--json")
    assert json.loads(o)["format"] == "Document"
    code, doc = verify(out, key)
    assert code == 0 and doc["valid"], doc


@test
def reissue_gives_fresh_salts():
    key, pub = keygen("device")
    a, b = path("a.cbor"), path("b.cbor")
    assert issue("av", a, key=pub)[0] == 0
    assert issue("av", b, key=pub)[0] == 0
    with open(a, "rb") as fa, open(b, "rb") as fb:
        assert fa.read() != fb.read()


@test
def validation_refuses_and_names_every_violation():
    with open(os.path.join(EXAMPLES, "mdl.json")) as f:
        claims = json.load(f)
    ns = claims["org.iso.18013.5.1"]
    del ns["family_name"]
    ns["age_over_18"] = False
    ns["sex"] = 5
    ns["issuing_country"] = "FR"
    ns["favourite_colour"] = "blue"
    bad = path("bad-mdl.json")
    with open(bad, "w") as f:
        json.dump(claims, f)
    key, pub = keygen("device")
    out = path("refused.cbor")
    code, o, err = issuer("issue", "--pki", PKI, "--doctype", "org.iso.18013.5.1.mDL",
                          "--claims", bad, "--device-key", pub, "--out", out)
    assert code == 1, (code, err)
    for msg in ("org.iso.18013.5.1/family_name: mandatory element missing",
                "org.iso.18013.5.1/age_over_18: is false but birth_date makes the holder at least 18",
                "org.iso.18013.5.1/sex: must be 0, 1, 2 or 9",
                "org.iso.18013.5.1/issuing_country: differs from the DS certificate's country",
                "org.iso.18013.5.1/favourite_colour: unknown data element"):
        assert msg in err, f"{msg!r} not in {err}"
    assert "nothing written" in err
    assert not os.path.exists(out)
    assert not [n for n in os.listdir(WORK) if n.startswith(".tessera-issuer")]


@test
def validity_outside_the_ds_is_refused():
    key, pub = keygen("device")
    code, o, err = issue("av", path("late.cbor"), "--valid-until", "2099-01-01T00:00:00Z", key=pub)
    assert code == 1 and "is after the DS certificate expires" in err, err
    code, o, err = issue("av", path("late.cbor"), "--signed", "junk", key=pub)
    assert code == 2 and "RFC 3339" in err, err


@test
def malformed_claims_give_a_position():
    bad = path("bad.json")
    with open(bad, "w") as f:
        f.write('{"eu.europa.ec.av.1": {\n  "age_over_18": true,\n  "age_over_18": false}}')
    key, pub = keygen("device")
    code, o, err = issuer("issue", "--pki", PKI, "--doctype", "eu.europa.ec.av.1",
                          "--claims", bad, "--device-key", pub, "--out", path("x.cbor"))
    assert code == 2, (code, err)
    assert "line 3, column 3: duplicate key \"age_over_18\"" in err, err


@test
def existing_output_is_kept_without_force():
    key, pub = keygen("device")
    out = path("keep.cbor")
    with open(out, "w") as f:
        f.write("precious")
    code, o, err = issue("av", out, key=pub)
    assert code == 2 and "exists" in err, err
    with open(out) as f:
        assert f.read() == "precious"
    assert issue("av", out, "--force", key=pub)[0] == 0


@test
def batch_of_n():
    keys = [keygen(f"batch{i}") for i in range(3)]
    out = path("batch.cbor")
    args = []
    for _, pub in keys:
        args += ["--device-key", pub]
    code, o, err = issue("pid", out, "--batch", "3", "--status-list",
                         "https://issuer.example.org/status/1", "--status-index", "40", *args)
    assert code == 0, err
    code, o, err = issuer("inspect", out, "--json")
    info = json.loads(o)
    assert info["format"] == "batch" and info["count"] == 3, info
    assert [c["status"]["idx"] for c in info["credentials"]] == [40, 41, 42]
    for i, (key, _) in enumerate(keys):
        code, doc = verify(out, key, index=i)
        assert code == 0 and doc["valid"], doc
    # The wrong key for an entry fails device authentication.
    code, doc = verify(out, keys[0][0], index=1)
    assert code == 1 and not doc["valid"], doc
    code, o, err = issue("pid", out, "--batch", "2", "--force", *args)
    assert code == 2 and "need 2 device keys, got 3" in err, err
    code, o, err = issue("pid", path("one.cbor"), *args)
    assert code == 2 and "use --batch 3" in err, err


@test
def status_list_round_trip():
    out = path("list.cwt")
    code, o, err = issuer("status-list", "--pki", PKI, "--size", "100", "--revoke", "1,3",
                          "--revoke", "99", "--uri", "https://issuer.example.org/status/9",
                          "--ttl", "600", "--out", out)
    assert code == 0, err
    code, o, err = issuer("inspect", out, "--json")
    info = json.loads(o)
    assert info["format"] == "StatusList", info
    assert info["uri"] == "https://issuer.example.org/status/9"
    assert info["notValid"] == [1, 3, 99], info["notValid"]
    assert info["size"] >= 100 and info["bits"] == 1 and info["ttl"] == 600
    assert info["signatureValid"] is True
    code, o, err = issuer("status-list", "--pki", PKI, "--size", "10", "--revoke", "10",
                          "--out", path("bad.cwt"))
    assert code == 2 and "beyond the list size" in err, err


@test
def inspect_text():
    key, pub = keygen("device")
    out = path("inspect.cbor")
    assert issue("mdl", out, "--status-list", "https://issuer.example.org/status/1",
                 "--status-index", "7", key=pub)[0] == 0
    code, o, err = issuer("inspect", out)
    assert code == 0, err
    for s in ("Mobile driving licence", "Issuer signature: valid", "Digests: valid",
              "Portrait (portrait): <1848 bytes, JPEG>", "Date of birth (birth_date)",
              "status list https://issuer.example.org/status/1, index 7"):
        assert s in o, f"{s!r} not in {o}"
    code, o, err = issuer("inspect", os.path.join(PKI, "ds.pem"))
    assert code == 2, (code, o)


@test
def reader_verify_reports_revocation_status():
    uri = "https://issuer.example.org/status/5"
    key, pub = keygen("device")
    cred = path("status.cbor")
    code, o, err = issue("av", cred, "--status-list", uri, "--status-index", "7", key=pub)
    assert code == 0, err
    revoked, fine, expired = path("revoked.cwt"), path("fine.cwt"), path("expired.cwt")
    assert issuer("status-list", "--pki", PKI, "--size", "64", "--revoke", "7", "--uri", uri,
                  "--out", revoked)[0] == 0
    assert issuer("status-list", "--pki", PKI, "--size", "64", "--revoke", "8", "--uri", uri,
                  "--out", fine)[0] == 0
    assert issuer("status-list", "--pki", PKI, "--size", "64", "--revoke", "7", "--uri", uri,
                  "--issued-at", "2020-01-01T00:00:00Z", "--valid-for", "3600",
                  "--out", expired)[0] == 0

    # Revoked: not valid, exit 1, the reason named.
    code, doc = verify(cred, key, extra=["--status-list", revoked])
    d = doc["documents"][0]
    assert code == 1 and doc["valid"] is False, doc
    assert d["status"] == "revoked" and "revoked" in d["errors"], d
    assert d["statusReason"], d
    # The human output says so too.
    code, out, err = run(TESSERA, "reader", "verify", "--response", cred + ".response",
                         "--transcript", TRANSCRIPT, "--trust", os.path.join(PKI, "iaca.pem"),
                         "--status-list", revoked)
    assert code == 1 and "revoked" in out, out
    assert any(line.split()[:2] == ["Status:", "revoked"] for line in out.splitlines()), out

    # Another index revoked: valid. Several lists: the usable one answers.
    code, doc = verify(cred, key, extra=["--status-list", fine])
    assert code == 0 and doc["documents"][0]["status"] == "valid", doc
    code, doc = verify(cred, key, extra=["--status-list", expired, "--status-list", fine])
    assert code == 0 and doc["documents"][0]["status"] == "valid", doc

    # No list, or only an expired one: unknown, never revoked.
    for extra in ([], ["--status-list", expired]):
        code, doc = verify(cred, key, extra=extra)
        d = doc["documents"][0]
        assert code == 0 and doc["valid"] is True, (extra, doc)
        assert d["status"] == "unknown" and "revoked" not in d["errors"], (extra, d)
        assert d["statusReason"], d

    # No status reference in the MSO: none.
    plain = path("nostatus.cbor")
    assert issue("av", plain, key=pub)[0] == 0
    code, doc = verify(plain, key, extra=["--status-list", revoked])
    d = doc["documents"][0]
    assert code == 0 and d["status"] == "none" and d["statusReason"] is None, d

    # A file that is not a status list is an input error.
    code, out, err = run(TESSERA, "reader", "verify", "--response", cred + ".response",
                         "--transcript", TRANSCRIPT, "--trust", os.path.join(PKI, "iaca.pem"),
                         "--status-list", os.path.join(PKI, "ds.pem"))
    assert code == 2 and "not a usable Token Status List" in err, (code, err)


@test
def attestation_and_token_options():
    # The features exist now; their misuse is named (the round trip with a
    # TPM is tests/cli/test-provisioning.py, the token test-issuer-pkcs11.py).
    key, pub = keygen("device")
    code, o, err = issue("av", path("att.cbor"), "--require-attestation", key=pub)
    assert code == 1 and "plain public key" in err, err
    assert not os.path.exists(path("att.cbor"))
    code, o, err = issuer("challenge", "--request", "x", "--out", "y")
    assert code == 2 and "required" in err, err
    code, o, err = issuer("challenge", "--request", pub, "--tpm-ca", os.path.join(PKI, "iaca.pem"),
                          "--out", path("c.cbor"), "--pending", path("p.cbor"))
    assert code == 2 and "not a usable provisioning request" in err, err
    assert not os.path.exists(path("c.cbor")) and not os.path.exists(path("p.cbor"))
    code, o, err = issuer("init", "--out", path("p11"), "--pkcs11-module", "/x.so")
    assert code == 2 and "--token" in err, err


@test
def usage_errors():
    assert issuer()[0] == 2
    assert issuer("frobnicate")[0] == 2
    assert issuer("--help")[0] == 0
    assert issuer("help", "issue")[0] == 0
    code, o, err = issuer("issue", "--pki", PKI)
    assert code == 2 and "required" in err, err


def main():
    print(f"1..{len(tests)}")
    failed = 0
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

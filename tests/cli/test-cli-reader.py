#!/usr/bin/env python3
# Copyright (c) 2026 The Tessera authors.
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Runs the `tessera` CLI on the ISO/IEC 18013-5 Annex D vectors and checks
# its verdicts, exit statuses and output. TAP on stdout.
#
# Usage: test-cli-reader.py TESSERA_BINARY TEST_DATA_DIR

import json
import os
import subprocess
import sys
import tempfile

TESSERA = sys.argv[1]
DATA = os.path.join(sys.argv[2], "annex-d")
NS = "org.iso.18013.5.1"


def path(name):
    return os.path.join(DATA, name)


def tessera(*args, stdin=None):
    proc = subprocess.run([TESSERA, *args], input=stdin, capture_output=True, timeout=60)
    return proc.returncode, proc.stdout.decode("utf-8", "replace"), proc.stderr.decode("utf-8", "replace")


def verify(*extra, response=None, trust=None, reader_key=True, now="2021-01-01T00:00:00Z"):
    args = ["reader", "verify",
            "--response", response or path("device_response.cbor"),
            "--transcript", path("session_transcript_bytes.cbor")]
    for t in trust or [path("iaca_cert.pem")]:
        args += ["--trust", t]
    if reader_key:
        args += ["--reader-key", path("ephemeral_reader_key.pem")]
    if now is not None:
        args += ["--now", now]
    return tessera(*args, *extra)


def verify_json(**kw):
    code, out, err = verify("--json", **kw)
    try:
        doc = json.loads(out)
    except ValueError as e:
        raise AssertionError(f"--json output is not JSON ({e}): {out!r} {err!r}")
    return code, doc


def all_errors(doc):
    errs = list(doc["errors"])
    for d in doc["documents"]:
        errs += d["errors"]
    return errs


tests = []


def test(fn):
    tests.append(fn)
    return fn


@test
def valid_annex_d_json():
    code, doc = verify_json()
    assert code == 0, f"exit {code}"
    assert doc["valid"] is True
    assert doc["now"] == "2021-01-01T00:00:00Z", doc["now"]
    assert doc["errors"] == [], doc["errors"]
    assert len(doc["documents"]) == 1
    d = doc["documents"][0]
    assert d["docType"] == "org.iso.18013.5.1.mDL", d["docType"]
    assert d["deviceAuth"] == "mac", d["deviceAuth"]
    assert d["errors"] == [], d["errors"]
    assert list(d["issuerSigned"].keys()) == [NS], d["issuerSigned"].keys()
    with open(path("portrait.jpg"), "rb") as f:
        portrait = f.read().hex()
    expected = {
        "family_name": "Doe",
        "issue_date": {"$full-date": "2019-10-20"},
        "expiry_date": {"$full-date": "2024-10-20"},
        "document_number": "123456789",
        "portrait": {"$bytes": portrait},
        "driving_privileges": [
            {"vehicle_category_code": "A",
             "issue_date": {"$full-date": "2018-08-09"},
             "expiry_date": {"$full-date": "2024-10-20"}},
            {"vehicle_category_code": "B",
             "issue_date": {"$full-date": "2017-02-23"},
             "expiry_date": {"$full-date": "2024-10-20"}},
        ],
    }
    got = d["issuerSigned"][NS]
    assert sorted(got) == sorted(expected), sorted(got)
    for k, v in expected.items():
        assert got[k] == v, f"{k}: {got[k]!r:.200}"
    assert d["deviceSigned"] == {}, d["deviceSigned"]
    assert "utopia ds" in d["issuer"]["ds"], d["issuer"]
    assert "utopia iaca" in d["issuer"]["iaca"], d["issuer"]
    for k in ("signed", "validFrom", "validUntil"):
        assert d["validity"][k].endswith("Z"), d["validity"]


@test
def valid_annex_d_transcript_without_tag24():
    args = ["reader", "verify", "--response", path("device_response.cbor"),
            "--transcript", path("session_transcript.cbor"), "--trust", path("iaca_cert.der"),
            "--reader-key", path("ephemeral_reader_key.pem"), "--now", "2021-01-01T00:00:00Z"]
    code, out, err = tessera(*args)
    assert code == 0, f"exit {code}: {out} {err}"


@test
def valid_annex_d_trust_directory():
    with tempfile.TemporaryDirectory() as d:
        for name in ("iaca_cert.pem", "reader_root_cert.der"):
            with open(path(name), "rb") as src, open(os.path.join(d, name), "wb") as dst:
                dst.write(src.read())
        with open(os.path.join(d, "README.txt"), "w") as f:
            f.write("not a certificate, must be skipped\n")
        code, doc = verify_json(trust=[d])
    assert code == 0 and doc["valid"] is True, (code, all_errors(doc))


@test
def valid_annex_d_human():
    code, out, err = verify()
    assert code == 0, f"exit {code}: {err}"
    first = out.splitlines()[0] if out else ""
    assert first == "VALID", first
    for needle in ("Doe", "123456789", "org.iso.18013.5.1.mDL", "2019-10-20",
                   "<1042 bytes, JPEG image>", "MAC (deviceMac)", "utopia iaca"):
        assert needle in out, f"{needle!r} not in output:\n{out}"
    assert '{"$' not in out, out


@test
def expired_today():
    code, doc = verify_json(now="2026-11-25T00:00:00Z")
    assert code == 1, f"exit {code}"
    assert doc["valid"] is False
    errs = all_errors(doc)
    assert "ds_cert_expired" in errs, errs
    assert "mso_expired" in errs, errs


@test
def expired_today_human():
    code, out, err = verify(now="2026-11-25T00:00:00Z")
    assert code == 1, f"exit {code}"
    assert out.splitlines()[0] == "NOT VALID", out
    assert "(ds_cert_expired)" in out and "(mso_expired)" in out, out


@test
def untrusted_issuer():
    code, doc = verify_json(trust=[path("reader_root_cert.pem")])
    assert code == 1, f"exit {code}"
    assert doc["valid"] is False
    assert "untrusted_issuer" in all_errors(doc), all_errors(doc)


@test
def no_reader_key():
    code, doc = verify_json(reader_key=False)
    assert code == 1, f"exit {code}"
    assert "device_auth_missing" in all_errors(doc), all_errors(doc)


@test
def flipped_byte():
    with open(path("device_response.cbor"), "rb") as f:
        data = bytearray(f.read())
    # Inside the family_name element's random salt: still decodes, digest breaks.
    i = data.find(b"family_name") - 40
    data[i] ^= 0x01
    with tempfile.NamedTemporaryFile(suffix=".cbor") as t:
        t.write(data)
        t.flush()
        code, doc = verify_json(response=t.name)
    assert code == 1, f"exit {code}"
    assert doc["valid"] is False
    assert all_errors(doc), doc


@test
def truncated_response():
    with open(path("device_response.cbor"), "rb") as f:
        data = f.read()[:1000]
    with tempfile.NamedTemporaryFile(suffix=".cbor") as t:
        t.write(data)
        t.flush()
        code, doc = verify_json(response=t.name)
    assert code == 1, f"exit {code}"
    assert "malformed" in all_errors(doc), all_errors(doc)


@test
def missing_file():
    code, out, err = verify(response=path("no-such-file.cbor"))
    assert code == 2, f"exit {code}"
    assert err.startswith("tessera: ") and "no-such-file.cbor" in err, err
    assert out == "", out


@test
def empty_file():
    # Named as empty, not as a CBOR or argument error; the same for a key
    # file given to `tessera present`.
    with tempfile.NamedTemporaryFile(suffix=".cbor") as t:
        code, out, err = verify(response=t.name)
        assert code == 2, f"exit {code}"
        assert err == f"tessera: {t.name}: is empty\n", err
        code, out, err = tessera("present", "-i", path("issuer_signed.cbor"), "-k", t.name,
                                 "-T", "local:" + t.name + ".sock")
        assert code != 0 and err == f"tessera: {t.name}: is empty\n", (code, err)


@test
def bad_now():
    for now in ("yesterday", "2021-01-01", "2021-13-01T00:00:00Z"):
        code, out, err = verify(now=now)
        assert code == 2, f"{now}: exit {code}"
        assert "--now" in err, err


@test
def missing_required_option():
    code, out, err = tessera("reader", "verify", "--response", path("device_response.cbor"))
    assert code == 2, f"exit {code}"
    assert "Usage:" in err, err


@test
def unknown_option_and_command():
    for args in (["--frobnicate"], ["frobnicate"], ["reader", "frobnicate"],
                 ["reader", "verify", "--frobnicate"], ["cbor", "dump"], []):
        code, out, err = tessera(*args)
        assert code == 2, f"{args}: exit {code}"
        assert "Usage:" in err, f"{args}: {err}"


@test
def help_and_version():
    for args in (["--help"], ["help"], ["reader", "verify", "--help"], ["cbor", "dump", "--help"],
                 ["help", "reader", "verify"]):
        code, out, err = tessera(*args)
        assert code == 0 and out.startswith("Usage: tessera"), f"{args}: {code} {out!r}"
    code, out, err = tessera("--version")
    assert code == 0 and out.startswith("tessera "), out


@test
def cbor_dump_items_request():
    code, out, err = tessera("cbor", "dump", path("items_request.cbor"))
    assert code == 0, f"exit {code}: {err}"
    assert '"org.iso.18013.5.1"' in out, out
    assert out.endswith("\n")


@test
def cbor_dump_tag24():
    code, out, err = tessera("cbor", "dump", path("device_request.cbor"))
    assert code == 0, f"exit {code}: {err}"
    assert "24(<<" in out, out
    assert '"org.iso.18013.5.1.mDL"' in out, out


@test
def cbor_dump_stdin():
    with open(path("items_request.cbor"), "rb") as f:
        code, out, err = tessera("cbor", "dump", "-", stdin=f.read())
    assert code == 0 and '"org.iso.18013.5.1"' in out, (code, err)


@test
def cbor_dump_junk():
    with tempfile.NamedTemporaryFile(suffix=".cbor") as t:
        t.write(b"\xa2\x61a\x01\x61a\x02")  # {"a": 1, "a": 2}
        t.flush()
        code, out, err = tessera("cbor", "dump", t.name)
        assert code == 2, f"exit {code}"
        assert err.startswith("tessera: " + t.name + ": "), err
    code, out, err = tessera("cbor", "dump", "-", stdin=b"\xff\x00junk")
    assert code == 2, f"exit {code}"
    code, out, err = tessera("cbor", "dump", path("no-such-file.cbor"))
    assert code == 2, f"exit {code}"


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
sys.exit(1 if failed else 0)

#!/usr/bin/env python3
# Copyright (c) 2026 The Tessera authors.
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Full two-process sessions, as a user would run them, for every request
# template and every secure area: `tessera wallet present` holding an mDL, a
# PID and an AV credential issued by `tessera-issuer` to keys the wallet made
# with `tessera wallet keygen`, and `tessera reader request` over the local
# transport. Each session must verify, disclose exactly the template's
# elements (never birth_date for the age templates), and be logged once per
# request by the wallet. Secure areas: software, a throw-away SoftHSM2 token
# and a throw-away swtpm (skipped, each, when not installed); MAC device
# authentication everywhere, signature once per area; several requests in one
# session. bench/bench-present times the same sessions. TAP on stdout.
#
# Usage: test-present-matrix.py TESSERA TESSERA_ISSUER EXAMPLES_DIR

import json
import os
import shutil
import sys
import tempfile

import clitest

TESSERA, ISSUER, EXAMPLES = sys.argv[1:4]
WORK = tempfile.mkdtemp(prefix="tessera-present-matrix-")
PKI = os.path.join(WORK, "pki")
PASSPHRASE = "correct horse battery staple"
TOKEN_PIN = "2468"

MDL, MDL_NS = "org.iso.18013.5.1.mDL", "org.iso.18013.5.1"
PID = "eu.europa.ec.eudi.pid.1"
AV = "eu.europa.ec.av.1"
CREDENTIALS = {MDL: "mdl.json", PID: "pid.json", AV: "av.json"}
BIRTH_DATE = "1990-04-12"  # mdl.json and pid.json

# What each template of the request builder must disclose, and nothing more.
TEMPLATES = {
    "age-over-18": {MDL: {MDL_NS: {"age_over_18", "portrait"}}},
    "age-over-21": {MDL: {MDL_NS: {"age_over_21", "portrait"}}},
    "driving-licence": {MDL: {MDL_NS: {"family_name", "given_name", "portrait",
                                       "document_number", "expiry_date",
                                       "driving_privileges"}}},
    "mdl-full": {MDL: {MDL_NS: {"family_name", "given_name", "birth_date", "issue_date",
                                "expiry_date", "issuing_country", "issuing_authority",
                                "document_number", "portrait", "driving_privileges",
                                "un_distinguishing_sign"}}},
    "pid-basic": {PID: {PID: {"family_name", "given_name", "birth_date", "nationality",
                              "issuing_country"}}},
    "av": {AV: {AV: {"age_over_18"}}},
}
AGE_TEMPLATES = ("age-over-18", "age-over-21", "av")

ENV = {k: v for k, v in os.environ.items()
       if k not in ("TESSERA_PIN", "TESSERA_TCTI", "SOFTHSM2_CONF")}
ENV["TESSERA_PBKDF2_ITERATIONS"] = "1000"
ENV["XDG_DATA_HOME"] = os.path.join(WORK, "data")
SWTPM = clitest.Swtpm(os.path.join(WORK, "swtpm"))


def path(name):
    return os.path.join(WORK, name)


def run(*args):
    return clitest.run(*args, env=ENV)


class Wallet:
    """A wallet on one secure area, holding the three credentials."""

    def __init__(self, area, init_args, pin):
        self.area = area
        self.store = path(area + ".db")
        self.pin_args = []
        if pin is not None:
            self.pin_args = ["--pin-file", path(area + ".pin")]
            with open(path(area + ".pin"), "w") as f:
                f.write(pin + "\n")
            os.chmod(path(area + ".pin"), 0o600)
        self.tessera("init", "--secure-area", area, *init_args)
        for doc_type, claims in CREDENTIALS.items():
            key = json.loads(self.tessera("keygen", "--json"))
            cose_key = path(f"{area}-{doc_type}.cose")
            with open(cose_key, "wb") as f:
                f.write(bytes.fromhex(key["coseKey"]))
            cred = path(f"{area}-{doc_type}.cbor")
            code, out, err = run(ISSUER, "issue", "--pki", PKI, "--doctype", doc_type,
                                 "--claims", os.path.join(EXAMPLES, claims),
                                 "--device-key", cose_key, "--out", cred)
            assert code == 0, err
            self.tessera("import", cred)
        listed = json.loads(self.tessera("list", "--json"))
        assert sorted(c["docType"] for c in listed) == sorted(CREDENTIALS), listed
        # The device keys live in the secure area under test.
        assert all(c["keyStorage"] == area for c in listed), listed

    def tessera(self, *args):
        code, out, err = run(TESSERA, "wallet", *args, "--store", self.store,
                             *self.pin_args)
        assert code == 0, f"wallet {args[0]} ({self.area}): exit {code}: {err}"
        return out

    def log(self):
        return json.loads(self.tessera("log", "--json"))

    def session(self, requests, *holder_extra, reader_extra=(), consent="all"):
        """Presents everything the wallet holds to a reader sending requests
        (a list of lists of template names), one session."""
        sock, uri = path(self.area + ".sock"), path(self.area + ".uri")
        for name in (sock, uri):
            if os.path.exists(name):
                os.unlink(name)
        holder = [TESSERA, "wallet", "present", "--transport", "local:" + sock,
                  "--qr-uri-file", uri, "--consent", consent, "--timeout", "30",
                  "--store", self.store, *self.pin_args, *holder_extra]
        reader = [TESSERA, "reader", "request", "--engagement-file", uri,
                  "--trust", os.path.join(PKI, "iaca.pem"), "--transport", "local:" + sock,
                  "--timeout", "30", "--json", *reader_extra]
        for i, group in enumerate(requests):
            reader += (["--next"] if i > 0 else []) + [
                arg for name in group for arg in ("--template", name)]
        r, hcode, hout, herr = clitest.two_process(holder, reader, uri, env=ENV)
        results = json.loads(r.stdout) if r.stdout.strip() else None
        if len(requests) == 1 and results is not None:
            results = [results]
        return r, results, hcode, herr


def disclosed(result):
    """{docType: {namespace: {element, ...}}} of a verified response."""
    return {d["docType"]: {ns: set(els) for ns, els in d["issuerSigned"].items()}
            for d in result["documents"]}


def check_template(wallet, template, device_auth="mac"):
    before = len(wallet.log())
    extra = ("--device-auth", device_auth)
    r, results, hcode, herr = wallet.session([[template]], *extra)
    detail = f"{wallet.area}/{template}/{device_auth}: {r.stdout}{r.stderr}{herr}"
    assert r.returncode == 0 and hcode == 0, detail
    result = results[0]
    assert result["valid"] and result["errors"] == [], detail
    assert disclosed(result) == TEMPLATES[template], (disclosed(result), detail)
    for doc in result["documents"]:
        assert doc["deviceAuth"] == device_auth and doc["errors"] == [], detail
    if template in AGE_TEMPLATES:
        assert "birth_date" not in r.stdout and BIRTH_DATE not in r.stdout, detail
    log = wallet.log()
    assert len(log) == before + 1, log
    entry = log[-1]
    assert entry["outcome"] == "shared", entry
    assert entry["docType"] == next(iter(TEMPLATES[template])), entry


tests = []
WALLETS = {}


def test(fn):
    tests.append(fn)
    return fn


def area_tests(area, make):
    """Every template with MAC, then a signature session, on one area."""
    def create():
        WALLETS[area] = make()
    create.__name__ = f"{area}_wallet_with_issued_credentials"
    tests.append(create)
    for template in TEMPLATES:
        def one(template=template):
            check_template(WALLETS[area], template)
        one.__name__ = f"{area}_{template.replace('-', '_')}_mac"
        tests.append(one)

    def signature():
        check_template(WALLETS[area], "driving-licence", "signature")
        check_template(WALLETS[area], "pid-basic", "signature")
    signature.__name__ = f"{area}_device_signature"
    tests.append(signature)


def make_software():
    return Wallet("software", [], PASSPHRASE)


def make_pkcs11():
    module = clitest.softhsm_token(path("softhsm"), "Wallet Token", TOKEN_PIN, ENV)
    return Wallet("pkcs11", ["--pkcs11-module", module, "--token", "Wallet Token"],
                  TOKEN_PIN)


def make_tpm2():
    return Wallet("tpm2", ["--tcti", SWTPM.start()], None)


area_tests("software", make_software)


@test
def two_requests_one_session_two_log_entries():
    w = WALLETS["software"]
    before = len(w.log())
    r, results, hcode, herr = w.session([["age-over-18"], ["pid-basic"]])
    assert r.returncode == 0 and hcode == 0, r.stdout + r.stderr + herr
    assert [disclosed(x) for x in results] == [TEMPLATES["age-over-18"],
                                               TEMPLATES["pid-basic"]], results
    assert all(x["valid"] for x in results), results
    assert "Requests answered: 2." in herr, herr
    log = w.log()[before:]
    assert [(e["docType"], e["outcome"]) for e in log] == [(MDL, "shared"), (PID, "shared")], log


@test
def second_request_declined_is_logged_as_declined():
    w = WALLETS["software"]
    before = len(w.log())
    consent = path("consent-mdl-only.txt")
    with open(consent, "w") as f:
        f.write(f"{MDL_NS}/age_over_18\n{MDL_NS}/portrait\n")
    r, results, hcode, herr = w.session([["age-over-18"], ["pid-basic"]], consent=consent)
    assert r.returncode == 1 and hcode == 0, r.stdout + r.stderr + herr
    assert results[0]["valid"] and disclosed(results[0]) == TEMPLATES["age-over-18"], results
    assert not results[1]["valid"] and results[1]["documents"] == [], results
    assert "no_documents" in results[1]["errors"], results
    log = w.log()[before:]
    assert [(e["docType"], e["outcome"]) for e in log] == [(MDL, "shared"),
                                                           (PID, "declined")], log


@test
def two_templates_in_one_request():
    # One DeviceRequest with two docRequests (mDL and AV): one log entry each.
    w = WALLETS["software"]
    before = len(w.log())
    r, results, hcode, herr = w.session([["age-over-21", "av"]])
    assert r.returncode == 0 and hcode == 0, r.stdout + r.stderr + herr
    assert disclosed(results[0]) == {**TEMPLATES["age-over-21"], **TEMPLATES["av"]}, results
    assert len(w.log()) == before + 2


HAVE_SOFTHSM = clitest.softhsm_module() is not None and shutil.which("softhsm2-util")
HAVE_SWTPM = shutil.which("swtpm") is not None and shutil.which("swtpm_setup") is not None
if HAVE_SOFTHSM:
    area_tests("pkcs11", make_pkcs11)
if HAVE_SWTPM:
    area_tests("tpm2", make_tpm2)


def main():
    code, out, err = run(ISSUER, "init", "--out", PKI)
    if code != 0:
        print("Bail out! tessera-issuer init: " + err.strip())
        sys.exit(1)
    try:
        clitest.tap(tests)
        if not HAVE_SOFTHSM:
            print("# SoftHSM2 not installed: PKCS#11 sessions not run")
        if not HAVE_SWTPM:
            print("# swtpm not installed: TPM sessions not run")
    finally:
        SWTPM.stop()
        shutil.rmtree(WORK, ignore_errors=True)


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
# Copyright (c) 2026 The Tessera authors.
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# test-interop-auth0.py WORKDIR TESSERA TESSERA_ISSUER DATA_DIR EXAMPLES_DIR
#
# Interoperability with an independent ISO 18013-5 implementation, Auth0's
# @auth0/mdl (TypeScript, installed from the npm registry into WORKDIR once):
# its Verifier checks DeviceResponses made by `tessera present` (issuer
# signature and chain, digests, deviceSignature and deviceMac), and
# `tessera reader verify` checks the credentials and DeviceResponses it makes.
# Both ways with the Annex D SessionTranscript and EReaderKey; tampered
# responses are refused on both sides. Skipped, with the reason, when node or
# the npm registry is not there.

import json
import os
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "cli"))
import clitest  # noqa: E402

AUTH0_MDL = "@auth0/mdl@3.0.1"
WORK, TESSERA, ISSUER, DATA, EXAMPLES = sys.argv[1:6]
SCRIPT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "auth0-mdl.js")
ANNEX_D = os.path.join(DATA, "annex-d")
TRANSCRIPT = os.path.join(ANNEX_D, "session_transcript_bytes.cbor")
READER_KEY = os.path.join(ANNEX_D, "ephemeral_reader_key.pem")
NPM_DIR = os.path.join(WORK, "npm")
CASES = os.path.join(WORK, "cases")
PKI = os.path.join(CASES, "pki")
MDL_NS = "org.iso.18013.5.1"


def path(name):
    return os.path.join(CASES, name)


def install_auth0():
    """Installs @auth0/mdl into WORKDIR/npm unless it is there; returns the
    reason to skip, or None."""
    if shutil.which("node") is None or shutil.which("npm") is None:
        return "node and npm are not installed"
    if os.path.isdir(os.path.join(NPM_DIR, "node_modules", "@auth0", "mdl")):
        return None
    os.makedirs(NPM_DIR, exist_ok=True)
    code, out, err = clitest.run("npm", "install", "--prefix", NPM_DIR, "--no-audit",
                                 "--no-fund", "--no-save", AUTH0_MDL, timeout=300)
    if code != 0:
        return f"npm install {AUTH0_MDL} failed (no npm registry?): " + \
            (err.strip().splitlines() or ["?"])[-1]
    return None


def auth0(*args):
    env = dict(os.environ, NODE_PATH=os.path.join(NPM_DIR, "node_modules"))
    code, out, err = clitest.run("node", SCRIPT, *args, env=env)
    assert code == 0, f"auth0-mdl.js {args[0]}: exit {code}\n{err}"
    return json.loads(out)


def tessera_verify(response):
    code, out, err = clitest.run(TESSERA, "reader", "verify", "--response", response,
                                 "--transcript", TRANSCRIPT, "--trust",
                                 os.path.join(PKI, "iaca.pem"), "--reader-key", READER_KEY,
                                 "--json")
    assert code in (0, 1), f"tessera reader verify: exit {code}\n{err}"
    return code, json.loads(out)


def setup():
    shutil.rmtree(CASES, ignore_errors=True)
    os.makedirs(CASES)
    code, _, err = clitest.run(ISSUER, "init", "--out", PKI)
    assert code == 0, err
    # The holder's device key: P-256 in PKCS#8 (what `tessera present` takes).
    code, _, err = clitest.run("node", "-e", """
        const c = require('node:crypto'), fs = require('node:fs');
        const k = c.generateKeyPairSync('ec', { namedCurve: 'P-256' });
        fs.writeFileSync(process.argv[1], k.privateKey.export({ type: 'pkcs8', format: 'pem' }));
        fs.writeFileSync(process.argv[2], k.publicKey.export({ type: 'spki', format: 'pem' }));
        """, path("device.pem"), path("device.pub"))
    assert code == 0, err
    code, _, err = clitest.run(ISSUER, "issue", "--pki", PKI, "--doctype",
                               "org.iso.18013.5.1.mDL", "--claims",
                               os.path.join(EXAMPLES, "mdl.json"), "--device-key",
                               path("device.pub"), "--out", path("mdl.cbor"))
    assert code == 0, err
    with open(os.path.join(EXAMPLES, "mdl.json")) as f:
        return as_read(json.load(f)[MDL_NS])


def as_read(claim):
    """A claim of the issuer's JSON as a verifier reports it: a full-date
    (tag 1004) is its text."""
    if isinstance(claim, dict):
        if set(claim) == {"$full-date"}:
            return claim["$full-date"]
        return {k: as_read(v) for k, v in claim.items()}
    if isinstance(claim, list):
        return [as_read(v) for v in claim]
    return claim


CLAIMS = None
tests = []


def test(fn):
    tests.append(fn)
    return fn


def tessera_present(name, template, device_auth, consent="all"):
    out = path(name)
    code, _, err = clitest.run(TESSERA, "reader", "make-request", "--template", template,
                               "--out", out + ".request")
    assert code == 0, err
    code, _, err = clitest.run(TESSERA, "present", "--issuer-signed", path("mdl.cbor"),
                               "--device-key", path("device.pem"), "--request",
                               out + ".request", "--transcript", TRANSCRIPT, "--out", out,
                               "--consent", consent, "--device-auth", device_auth)
    assert code == 0, err
    return out


def check_tessera_response_in_auth0(device_auth):
    response = tessera_present(f"tessera-{device_auth}.cbor", "mdl-full", device_auth)
    result = auth0("verify", response, TRANSCRIPT, os.path.join(PKI, "iaca.pem"),
                   *([READER_KEY] if device_auth == "mac" else []))
    assert result["valid"], result.get("error")
    [doc] = result["documents"]
    assert doc["docType"] == "org.iso.18013.5.1.mDL" and doc["deviceAuth"] == device_auth, doc
    shared = doc["nameSpaces"][MDL_NS]
    for element in ("family_name", "given_name", "document_number", "driving_privileges"):
        assert shared[element] == CLAIMS[element], (element, shared[element])
    assert shared["portrait"]["$bytes"], "portrait missing"


@test
def tessera_signature_response_verifies_in_auth0():
    check_tessera_response_in_auth0("signature")


@test
def tessera_mac_response_verifies_in_auth0():
    check_tessera_response_in_auth0("mac")


@test
def auth0_sees_only_what_the_holder_consented_to():
    consent = path("consent.txt")
    with open(consent, "w") as f:
        f.write("family_name\n")
    response = tessera_present("tessera-partial.cbor", "mdl-full", "signature", consent)
    result = auth0("verify", response, TRANSCRIPT, os.path.join(PKI, "iaca.pem"))
    assert result["valid"], result.get("error")
    assert result["documents"][0]["nameSpaces"] == {
        MDL_NS: {"family_name": CLAIMS["family_name"]}}, result


@test
def auth0_refuses_a_tampered_tessera_response():
    with open(tessera_present("tessera-tamper.cbor", "mdl-full", "signature"), "rb") as f:
        response = f.read()
    name = CLAIMS["family_name"].encode()
    assert response.count(name) == 1
    tampered = path("tessera-tampered.cbor")
    with open(tampered, "wb") as f:
        f.write(response.replace(name, name[:-1] + b"X"))
    result = auth0("verify", tampered, TRANSCRIPT, os.path.join(PKI, "iaca.pem"))
    assert not result["valid"], "auth0 accepted a changed family_name"


def check_auth0_response_in_tessera(device_auth):
    response = path(f"auth0-{device_auth}.cbor")
    made = auth0("present", os.path.join(PKI, "ds.pem"), os.path.join(PKI, "ds_key.pem"),
                 TRANSCRIPT, response, device_auth)
    code, result = tessera_verify(response)
    assert code == 0 and result["valid"], json.dumps(result)[:2000]
    [doc] = result["documents"]
    assert doc["deviceAuth"] == device_auth, doc["deviceAuth"]
    assert doc["issuerSigned"] == {MDL_NS: made["claims"]}, doc["issuerSigned"]


@test
def auth0_signature_response_verifies_in_tessera():
    check_auth0_response_in_tessera("signature")


@test
def auth0_mac_response_verifies_in_tessera():
    check_auth0_response_in_tessera("mac")


@test
def auth0_credential_presented_by_tessera_verifies_in_both():
    """A credential @auth0/mdl issued, presented by Tessera's holder."""
    issued = path("auth0-issued.cbor")
    made = auth0("issue", os.path.join(PKI, "ds.pem"), os.path.join(PKI, "ds_key.pem"),
                 path("device.pub"), issued)
    response = path("auth0-issued-response.cbor")
    code, _, err = clitest.run(TESSERA, "reader", "make-request", "--template", "mdl-full",
                               "--out", response + ".request")
    assert code == 0, err
    code, _, err = clitest.run(TESSERA, "present", "--issuer-signed", issued, "--device-key",
                               path("device.pem"), "--request", response + ".request",
                               "--transcript", TRANSCRIPT, "--out", response, "--consent", "all")
    assert code == 0, err
    # mdl-full asks for more than this credential holds: the rest is "not held".
    wanted = {k: v for k, v in made["claims"].items() if not k.startswith("age_over_")}
    code, result = tessera_verify(response)
    assert code == 0 and result["valid"], json.dumps(result)[:2000]
    # auth0 writes the mDL's dates as full-date (tag 1004), as 18013-5 wants.
    assert as_read(result["documents"][0]["issuerSigned"]) == {MDL_NS: wanted}, \
        result["documents"]
    result = auth0("verify", response, TRANSCRIPT, os.path.join(PKI, "iaca.pem"), READER_KEY)
    assert result["valid"], result.get("error")
    assert result["documents"][0]["nameSpaces"] == {MDL_NS: wanted}, result["documents"]


@test
def tessera_refuses_a_tampered_auth0_response():
    response = path("auth0-tamper.cbor")
    auth0("present", os.path.join(PKI, "ds.pem"), os.path.join(PKI, "ds_key.pem"),
          TRANSCRIPT, response, "signature")
    with open(response, "rb") as f:
        data = f.read()
    assert data.count(b"Jones") == 1
    with open(response, "wb") as f:
        f.write(data.replace(b"Jones", b"Jonas"))
    code, result = tessera_verify(response)
    assert code == 1 and not result["valid"], json.dumps(result)[:2000]
    assert "digest_mismatch" in json.dumps(result), json.dumps(result)[:2000]


def main():
    global CLAIMS
    reason = install_auth0()
    if reason is not None:
        clitest.tap([], skip=reason)
        return
    CLAIMS = setup()
    clitest.tap(tests)


if __name__ == "__main__":
    main()

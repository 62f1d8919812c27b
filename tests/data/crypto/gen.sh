#!/bin/sh
# Regenerates the test PKI and keys in this directory (see README.md).
# Needs openssl 3.0 and python3; the tests never run it. The outputs are not
# reproducible byte for byte (fresh keys, random serials, ECDSA nonces), so
# rerunning it means updating the tests that pin key values, if any.
set -eu
cd "$(dirname "$0")"
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT

mkdir "$T/new"
: > "$T/index.txt"
cat > "$T/ca.cnf" <<CNF
[ ca ]
default_ca = CA_default
[ CA_default ]
dir = $T
database = $T/index.txt
new_certs_dir = $T/new
default_md = sha256
policy = policy_any
preserve = yes
unique_subject = no
copy_extensions = none
email_in_dn = no
rand_serial = yes
[ policy_any ]
countryName = optional
commonName = supplied
[ root ]
basicConstraints = critical, CA:TRUE, pathlen:1
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
[ inter ]
basicConstraints = critical, CA:TRUE, pathlen:0
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[ ds ]
keyUsage = critical, digitalSignature
extendedKeyUsage = critical, 1.0.18013.5.1.2
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[ leaf_ca ]
basicConstraints = critical, CA:TRUE
keyUsage = critical, digitalSignature, keyCertSign
extendedKeyUsage = critical, 1.0.18013.5.1.2
[ no_ku ]
extendedKeyUsage = critical, 1.0.18013.5.1.2
[ wrong_ku ]
keyUsage = critical, keyAgreement
extendedKeyUsage = critical, 1.0.18013.5.1.2
[ no_eku ]
keyUsage = critical, digitalSignature
[ any_eku ]
keyUsage = critical, digitalSignature
extendedKeyUsage = anyExtendedKeyUsage
[ critical_ian ]
keyUsage = critical, digitalSignature
extendedKeyUsage = critical, 1.0.18013.5.1.2
issuerAltName = critical, email:example@example.com
CNF

ec() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:"$2" -out "$T/$1.key" 2>/dev/null; }
# issue NAME KEY SUBJECT ISSUER(or -selfsign) EXT START END MD
issue() {
	openssl req -new -key "$T/$2.key" -subj "$3" -out "$T/$1.csr"
	if [ "$4" = -selfsign ]; then
		set -- "$@" -selfsign -keyfile "$T/$2.key"
	else
		set -- "$@" -cert "$T/$4.pem" -keyfile "$T/$4.key"
	fi
	openssl ca -config "$T/ca.cnf" -batch -notext -in "$T/$1.csr" -out "$1.pem" \
	    -extensions "$5" -startdate "$6" -enddate "$7" -md "$8" ${9+"$9"} ${10+"${10}"} ${11+"${11}"} ${12+"${12}"} 2>/dev/null
	cp "$1.pem" "$T/$1.pem"
	openssl x509 -in "$1.pem" -outform DER -out "$1.der"
}

ec root P-384
ec inter P-256
ec inter_old P-256
for k in ds expired future leaf_ca no_ku wrong_ku no_eku any_eku old_ds critical_ian pem_text; do
	ec $k P-256
done
ec ds_p521 P-521
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$T/rsa.key" 2>/dev/null

issue root root "/C=UT/CN=Tessera Test Root" -selfsign root 20240101000000Z 20440101000000Z sha384
issue inter inter "/C=UT/CN=Tessera Test Intermediate" root inter 20240101000000Z 20340101000000Z sha384
issue inter_old inter_old "/C=UT/CN=Tessera Test Old Intermediate" root inter 20220101000000Z 20230101000000Z sha384
issue leaf_ds ds "/C=UT/CN=Tessera Test DS" inter ds 20250101000000Z 20260401000000Z sha256
issue leaf_ds_p521 ds_p521 "/C=UT/CN=Tessera Test DS P-521" inter ds 20250101000000Z 20260401000000Z sha512
issue leaf_expired expired "/C=UT/CN=Tessera Test Expired DS" inter ds 20240101000000Z 20250101000000Z sha256
issue leaf_future future "/C=UT/CN=Tessera Test Future DS" inter ds 20400101000000Z 20410101000000Z sha256
issue leaf_ca leaf_ca "/C=UT/CN=Tessera Test CA Leaf" inter leaf_ca 20250101000000Z 20260401000000Z sha256
issue leaf_no_ku no_ku "/C=UT/CN=Tessera Test No KU" inter no_ku 20250101000000Z 20260401000000Z sha256
issue leaf_wrong_ku wrong_ku "/C=UT/CN=Tessera Test Wrong KU" inter wrong_ku 20250101000000Z 20260401000000Z sha256
issue leaf_no_eku no_eku "/CN=Tessera Test No EKU" inter no_eku 20250101000000Z 20260401000000Z sha256
issue leaf_any_eku any_eku "/C=UT/CN=Tessera Test Any EKU" inter any_eku 20250101000000Z 20260401000000Z sha256
issue leaf_rsa rsa "/C=UT/CN=Tessera Test RSA" inter ds 20250101000000Z 20260401000000Z sha256
issue leaf_critical_ian critical_ian "/C=UT/CN=Tessera Test Critical IAN" inter critical_ian 20250101000000Z 20260401000000Z sha256
issue leaf_pem_text pem_text "/C=UT/CN=-----BEGIN CERTIFICATE-----" inter ds 20250101000000Z 20260401000000Z sha256
issue leaf_old_ds old_ds "/C=UT/CN=Tessera Test DS Under Old" inter_old ds 20220601000000Z 20300101000000Z sha256

# Keys in the formats tsr_ec_key_parse() accepts and refuses.
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-384 -pkeyopt ec_param_enc:named_curve \
    | openssl ec -out p384_sec1.pem 2>/dev/null                              # "EC PRIVATE KEY"
openssl pkey -in p384_sec1.pem -out p384_pkcs8.pem                           # same key, "PRIVATE KEY"
openssl pkey -in p384_sec1.pem -pubout -out p384_spki.pem                    # "PUBLIC KEY"
openssl pkey -in p384_sec1.pem -pubout -outform DER -out p384_spki.der
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-521 -outform DER -out p521_pkcs8.der
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 | openssl ec -outform DER -out p256_sec1.der 2>/dev/null
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:brainpoolP256r1 -out brainpool.pem
openssl pkey -in brainpool.pem -pubout -out brainpool_spki.pem
cp "$T/rsa.key" rsa.pem
openssl pkey -in rsa.pem -pubout -out rsa_spki.pem
openssl pkcs8 -topk8 -in p384_pkcs8.pem -passout pass:tessera -v2 aes-256-cbc -out p384_encrypted.pem
# SEC1 DER whose publicKey is not d * G: the [1] BIT STRING of p256_sec1.der
# replaced by inter's public point (same curve, same length).
T="$T" python3 - <<'PY'
import os, subprocess
sec1 = bytearray(open("p256_sec1.der", "rb").read())
other = subprocess.run(["openssl", "pkey", "-in", os.environ["T"] + "/inter.key", "-pubout", "-outform", "DER"],
                       capture_output=True, check=True).stdout
assert sec1[-68:-65] == b"\x03\x42\x00" and other[-68:-65] == b"\x03\x42\x00"
sec1[-65:] = other[-65:]
open("p256_sec1_mismatch.der", "wb").write(bytes(sec1))
PY
chmod 644 ./*.pem ./*.der

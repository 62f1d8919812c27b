#!/bin/sh
# Regenerates the store tests' PKI (see README.md). Needs openssl 3.0; the
# tests never run it. Outputs are not reproducible byte for byte (fresh keys,
# random serials); no test pins their values.
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
[ iaca ]
basicConstraints = critical, CA:TRUE, pathlen:0
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
[ ds ]
keyUsage = critical, digitalSignature
extendedKeyUsage = critical, 1.0.18013.5.1.2
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
CNF

ec() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$T/$1.key" 2>/dev/null; }
# issue NAME KEY SUBJECT ISSUER(or -selfsign) EXT
issue() {
	openssl req -new -key "$T/$2.key" -subj "$3" -out "$T/$1.csr"
	if [ "$4" = -selfsign ]; then
		set -- "$@" -selfsign -keyfile "$T/$2.key"
	else
		set -- "$@" -cert "$T/$4.pem" -keyfile "$T/$4.key"
	fi
	openssl ca -config "$T/ca.cnf" -batch -notext -in "$T/$1.csr" -out "$1.pem" \
	    -extensions "$5" -startdate 20250101000000Z -enddate 20500101000000Z -md sha256 \
	    ${6+"$6"} ${7+"$7"} ${8+"$8"} ${9+"$9"} 2>/dev/null
	cp "$1.pem" "$T/$1.pem"
	openssl x509 -in "$1.pem" -outform DER -out "$1.der"
}

ec iaca
ec ds
ec other_iaca
issue iaca iaca "/C=US/CN=Tessera Test Store IACA" -selfsign iaca
issue ds ds "/C=US/CN=Tessera Test Store DS" iaca ds
issue other_iaca other_iaca "/C=US/CN=Tessera Test Other IACA" -selfsign iaca
# The DS private key is kept: the tests issue credentials with it.
openssl pkey -in "$T/ds.key" -out ds_key.pem

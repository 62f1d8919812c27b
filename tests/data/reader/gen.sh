#!/bin/sh
# Makes a throw-away reader PKI for the reader-authentication tests:
# a reader root (CA, pathlen 0) and a reader certificate with the 18013-5
# reader-auth EKU 1.0.18013.5.1.6. Run in this directory; needs openssl.
set -eu
cat > ext.cnf <<'CNF'
[root]
basicConstraints = critical, CA:TRUE, pathlen:0
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
[reader]
keyUsage = critical, digitalSignature
extendedKeyUsage = critical, 1.0.18013.5.1.6
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
CNF
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out reader_root_key.pem
openssl req -x509 -new -key reader_root_key.pem -subj "/C=UT/CN=Tessera Test Reader Root" \
	-days 7300 -set_serial 0x5a17e001 -extensions root -config ext.cnf -sha256 \
	-out reader_root.pem
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out reader_key.pem
openssl req -new -key reader_key.pem -subj "/C=UT/CN=Tessera Test Reader" -out reader.csr
openssl x509 -req -in reader.csr -CA reader_root.pem -CAkey reader_root_key.pem \
	-set_serial 0x5a17e002 -days 1000 -extfile ext.cnf -extensions reader -sha256 \
	-out reader.pem
rm -f ext.cnf reader.csr reader_root_key.pem

#!/usr/bin/env bash
# The end-to-end demo behind `./run demo`: a test PKI; a throw-away TPM
# (swtpm, manufactured with an EK certificate from a local CA standing in
# for the TPM maker); a wallet whose device key is created in that TPM and
# proven to the issuer by TPM attestation (EK certificate, credential
# activation, TPM2_Certify); an mDL issued to that key; and a holder and a
# reader as two processes over the local transport. The reader takes the
# engagement by decoding the QR code the holder wrote as a PNG. Without
# swtpm the wallet falls back, with a warning, to the software secure area
# and a plain (unattested) key.
#
# Usage: scripts/demo.sh BUILDDIR
# Leaves everything in a new directory under $TESSERA_DEMO_PARENT (default
# /tmp) and names it; stops every process it started.
set -euo pipefail

BUILD=${1:?usage: scripts/demo.sh BUILDDIR}
SRC=$(cd "$(dirname "$0")/.." && pwd)
TESSERA="$BUILD/wallet-core/tools/tessera"
ISSUER="$BUILD/issuer-tool/tessera-issuer"
mkdir -p "${TESSERA_DEMO_PARENT:-/tmp}"
DIR=$(mktemp -d "${TESSERA_DEMO_PARENT:-/tmp}/tessera-demo.XXXXXX")
DIR=$(cd "$DIR" && pwd)
PIDS=()

cleanup() {
	for pid in "${PIDS[@]}"; do
		kill "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
	done
}
trap cleanup EXIT

now_ms() { echo $(($(date +%s%N) / 1000000)); }
T0=$(now_ms)
STEP_START=$T0
STEP_NAME=
# Prints the time the previous step took, then the next step's title.
step() {
	local end
	end=$(now_ms)
	[ -z "$STEP_NAME" ] || echo "   ($STEP_NAME: $((end - STEP_START)) ms)"
	STEP_NAME=$1
	STEP_START=$end
	[ -z "$1" ] || printf '\n== %s\n' "$1"
}

# A TCP port pair nobody listens on.
free_port() {
	python3 -c 'import socket
for p in range(23000, 24000, 2):
    try:
        a = socket.socket(); a.bind(("127.0.0.1", p)); b = socket.socket(); b.bind(("127.0.0.1", p + 1))
        a.close(); b.close(); print(p); break
    except OSError:
        pass'
}

step "Test PKI: IACA, Document Signer and reader certificates"
"$ISSUER" init --out "$DIR/pki" --country UT --name "Utopia DMV (Tessera demo)" --reader

step "Secure area: a throw-away TPM 2.0 with an EK certificate"
TPM=
if command -v swtpm >/dev/null 2>&1 && command -v swtpm_setup >/dev/null 2>&1; then
	mkdir -p "$DIR/tpm/state" "$DIR/tpm/ca"
	# swtpm_setup -> swtpm_localca, pointed at our own CA ("the TPM maker").
	cat > "$DIR/tpm/swtpm-localca.conf" <<CONF
statedir = $DIR/tpm/ca
signingkey = $DIR/tpm/ca/signkey.pem
issuercert = $DIR/tpm/ca/issuercert.pem
certserial = $DIR/tpm/ca/certserial
CONF
	printf '%s\n' "--platform-manufacturer Tessera" "--platform-version 2.1" \
		"--platform-model swtpm" > "$DIR/tpm/swtpm-localca.options"
	cat > "$DIR/tpm/swtpm_setup.conf" <<CONF
create_certs_tool = swtpm_localca
create_certs_tool_config = $DIR/tpm/swtpm-localca.conf
create_certs_tool_options = $DIR/tpm/swtpm-localca.options
active_pcr_banks = sha256
CONF
	if swtpm_setup --tpm2 --tpmstate "$DIR/tpm/state" --create-ek-cert \
		--create-platform-cert --ecc --overwrite --config "$DIR/tpm/swtpm_setup.conf" \
		--logfile "$DIR/tpm/swtpm_setup.log" >/dev/null 2>&1; then
		PORT=$(free_port)
		swtpm socket --tpm2 --tpmstate dir="$DIR/tpm/state" \
			--server type=tcp,port="$PORT",bindaddr=127.0.0.1 \
			--ctrl type=tcp,port=$((PORT + 1)),bindaddr=127.0.0.1 \
			--flags not-need-init,startup-clear --log file="$DIR/tpm/swtpm.log" &
		PIDS+=($!)
		for _ in $(seq 50); do
			python3 -c "import socket; socket.create_connection(('127.0.0.1', $PORT), 0.2)" \
				2>/dev/null && break
			sleep 0.1
		done
		TPM="swtpm:host=127.0.0.1,port=$PORT"
		echo "swtpm on 127.0.0.1:$PORT; EK certificate issued by the local CA in $DIR/tpm/ca"
	fi
fi
# The software secure area, if used, needs a passphrase; a TPM does not.
printf 'tessera demo passphrase\n' > "$DIR/passphrase"
chmod 600 "$DIR/passphrase"
export TESSERA_PBKDF2_ITERATIONS=${TESSERA_PBKDF2_ITERATIONS:-100000}
WALLET=(--store "$DIR/wallet.db" --pin-file "$DIR/passphrase")

step "Wallet"
if [ -n "$TPM" ]; then
	"$TESSERA" wallet init --secure-area tpm2 --tcti "$TPM" "${WALLET[@]}"
else
	echo "WARNING: no TPM could start (swtpm missing?): the wallet uses the SOFTWARE"
	echo "         secure area, which is NOT hardware-backed, and its key is not attested."
	"$TESSERA" wallet init --secure-area software "${WALLET[@]}"
fi

if [ -n "$TPM" ]; then
	step "Attested provisioning: the wallet proves its new key lives in the TPM"
	"$TESSERA" wallet provision-request "${WALLET[@]}" --out "$DIR/provisioning-request.cbor"
	"$ISSUER" challenge --request "$DIR/provisioning-request.cbor" \
		--tpm-ca "$DIR/tpm/ca/swtpm-localca-rootca-cert.pem" --tpm-ca "$DIR/tpm/ca/issuercert.pem" \
		--out "$DIR/challenge.cbor" --pending "$DIR/pki/pending.cbor"
	"$TESSERA" wallet provision-respond "${WALLET[@]}" --challenge "$DIR/challenge.cbor" \
		--out "$DIR/provisioning-response.cbor"

	step "Issue an mDL to the attested key"
	"$ISSUER" issue --pki "$DIR/pki" --doctype org.iso.18013.5.1.mDL \
		--claims "$SRC/issuer-tool/examples/mdl.json" \
		--device-key "$DIR/provisioning-response.cbor" --pending "$DIR/pki/pending.cbor" \
		--require-attestation --out "$DIR/mdl.cbor"
else
	step "Device key"
	"$TESSERA" wallet keygen "${WALLET[@]}" --json > "$DIR/key.json"
	python3 - "$DIR/key.json" "$DIR/device_key.cbor" <<'PY'
import json, sys
key = json.load(open(sys.argv[1]))
open(sys.argv[2], "wb").write(bytes.fromhex(key["coseKey"]))
print(f"key {key['id']} in the {key['secureArea']} secure area")
PY

	step "Issue an mDL to that key"
	"$ISSUER" issue --pki "$DIR/pki" --doctype org.iso.18013.5.1.mDL \
		--claims "$SRC/issuer-tool/examples/mdl.json" --device-key "$DIR/device_key.cbor" \
		--out "$DIR/mdl.cbor"
fi

step "Import it into the wallet; trust the demo reader root"
"$TESSERA" wallet import "$DIR/mdl.cbor" "${WALLET[@]}"
"$TESSERA" wallet trust add "$DIR/pki/reader_root.pem" "${WALLET[@]}"

step "Present (holder) and request (reader), two processes, local transport"
# The holder shares what it chose; the rest of the request is withheld.
printf '%s\n' family_name given_name portrait driving_privileges > "$DIR/consent.txt"
"$TESSERA" wallet present "${WALLET[@]}" --transport "local:$DIR/session.sock" \
	--qr-png "$DIR/engagement.png" --consent "$DIR/consent.txt" --timeout 60 \
	> "$DIR/holder.out" 2> "$DIR/holder.log" &
HOLDER=$!
PIDS+=($HOLDER)
for _ in $(seq 200); do [ -s "$DIR/engagement.png" ] && break; sleep 0.05; done
echo "Holder shows its QR code: $DIR/engagement.png"
"$TESSERA" reader request --qr-image "$DIR/engagement.png" --template driving-licence \
	--reader-cert "$DIR/pki/reader.pem" --reader-key "$DIR/pki/reader_key.pem" \
	--trust "$DIR/pki/iaca.pem" --transport "local:$DIR/session.sock" --timeout 60 \
	| tee "$DIR/reader.out"
wait "$HOLDER"

step "What the holder saw and decided"
grep -v '^Engagement\|^Waiting' "$DIR/holder.log" || true

step "Presentation log"
"$TESSERA" wallet log "${WALLET[@]}"
step ""
echo
echo "Done in $(($(now_ms) - T0)) ms. Everything is in $DIR"

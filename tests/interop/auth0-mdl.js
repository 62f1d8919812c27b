// Copyright (c) 2026 The Tessera authors.
// SPDX-License-Identifier: LGPL-2.1-or-later
//
// The other side of test-interop-auth0.py: Auth0's @auth0/mdl (an independent
// TypeScript implementation of ISO 18013-5 mdoc issuing and verification)
// as a verifier of Tessera's DeviceResponses and as an issuer and holder
// whose DeviceResponses Tessera verifies. Prints one JSON object on stdout.
//
//   node auth0-mdl.js verify RESPONSE TRANSCRIPT IACA_PEM [READER_KEY_PEM]
//     {"valid": bool, "error": str, "documents": [{"docType", "nameSpaces":
//      {ns: {element: value}}, "deviceAuth": "signature"|"mac"}]}
//     READER_KEY_PEM: the EReaderKey private key, for deviceMac.
//   node auth0-mdl.js present DS_PEM DS_KEY_PEM TRANSCRIPT OUT signature|mac
//     Issues an mDL (its own device key) signed by the DS, then answers with a
//     DeviceResponse disclosing family_name, given_name and age_over_18 for
//     the SessionTranscriptBytes TRANSCRIPT; mac uses the EReaderKey in it.
//     Writes the DeviceResponse to OUT; prints {"claims": {...}}.
//   node auth0-mdl.js issue DS_PEM DS_KEY_PEM DEVICE_PUB_PEM OUT
//     Writes the IssuerSigned of an mDL for that device key to OUT; prints
//     {"claims": {...}}.

'use strict';

const crypto = require('node:crypto');
const fs = require('node:fs');
const mdl = require('@auth0/mdl');
const { COSEKeyFromJWK } = require('cose-kit');
const { Encoder } = require('cbor-x');

const { Verifier, Document, DeviceResponse, MDoc } = mdl;
// CBOR as @auth0/mdl itself reads and writes it (definite-length maps in
// shortest form, maps as Maps); it registers tag 24 with cbor-x, so
// embedded CBOR decodes as its DataItem (.data decoded, .buffer as sent).
const cbor = new Encoder(mdl.getCborEncodeDecodeOptions());

const MDL = 'org.iso.18013.5.1.mDL';
const NS = 'org.iso.18013.5.1';

function coseKeyFromPem(pem) {
  return COSEKeyFromJWK(crypto.createPrivateKey(pem).export({ format: 'jwk' }));
}

// Values as JSON: byte strings as {"$bytes": hex}, dates as ISO strings.
function plain(v) {
  if (v instanceof Uint8Array) return { $bytes: Buffer.from(v).toString('hex') };
  if (v instanceof Date) return v.toISOString();
  if (v instanceof Map) return Object.fromEntries([...v].map(([k, x]) => [k, plain(x)]));
  if (Array.isArray(v)) return v.map(plain);
  if (v && typeof v === 'object' && v.constructor === Object)
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, plain(x)]));
  return v;
}

async function verify(responsePath, transcriptPath, iacaPath, readerKeyPath) {
  const verifier = new Verifier([fs.readFileSync(iacaPath, 'utf8')]);
  const options = { encodedSessionTranscript: fs.readFileSync(transcriptPath) };
  if (readerKeyPath) options.ephemeralReaderKey = coseKeyFromPem(fs.readFileSync(readerKeyPath));
  try {
    const mdoc = await verifier.verify(fs.readFileSync(responsePath), options);
    return {
      valid: true,
      documents: mdoc.documents.map((doc) => ({
        docType: doc.docType,
        nameSpaces: Object.fromEntries(doc.issuerSignedNameSpaces.map((ns) =>
          [ns, plain(doc.getIssuerNameSpace(ns))])),
        deviceAuth: doc.deviceSigned.deviceAuth.deviceMac ? 'mac' : 'signature',
      })),
    };
  } catch (e) {
    return { valid: false, error: String(e.message || e) };
  }
}

const CLAIMS = {
  family_name: 'Jones',
  given_name: 'Ava',
  birth_date: '2007-03-25',
  issue_date: '2024-01-01',
  expiry_date: '2034-01-01',
  issuing_country: 'UT',
  issuing_authority: 'Utopia DMV',
  document_number: 'A1234567',
  age_over_18: true,
  age_over_21: false,
};

// An mDL with CLAIMS for devicePublic (a JWK), signed by the DS.
function issue(dsPath, dsKeyPath, devicePublic) {
  return new Document(MDL)
    .addIssuerNameSpace(NS, CLAIMS)
    .useDigestAlgorithm('SHA-256')
    .addValidityInfo({ signed: new Date() })
    .addDeviceKeyInfo({ deviceKey: devicePublic })
    .sign({
      issuerPrivateKey: crypto.createPrivateKey(fs.readFileSync(dsKeyPath)).export({ format: 'jwk' }),
      issuerCertificate: fs.readFileSync(dsPath, 'utf8'),
      alg: 'ES256',
    });
}

// Writes the IssuerSigned of an mDL for the device key in DEVICE_PUB_PEM.
async function issueTo(dsPath, dsKeyPath, devicePubPath, outPath) {
  const devicePublic = crypto.createPublicKey(fs.readFileSync(devicePubPath)).export({ format: 'jwk' });
  const mdoc = new MDoc([await issue(dsPath, dsKeyPath, devicePublic)]).encode();
  // MDoc.encode() gives {version, documents: [{docType, issuerSigned}], status};
  // the embedded items decode as DataItems and encode back as sent.
  fs.writeFileSync(outPath, cbor.encode(cbor.decode(mdoc).get('documents')[0].get('issuerSigned')));
  return { claims: CLAIMS };
}

async function present(dsPath, dsKeyPath, transcriptPath, outPath, auth) {
  const transcriptBytes = fs.readFileSync(transcriptPath);
  const device = crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const devicePrivate = device.privateKey.export({ format: 'jwk' });
  const issued = await issue(dsPath, dsKeyPath, device.publicKey.export({ format: 'jwk' }));
  const fields = ['family_name', 'given_name', 'age_over_18'];
  let response = DeviceResponse.from(new MDoc([issued]))
    .usingPresentationDefinition({
      id: 'interop',
      input_descriptors: [{
        id: MDL,
        format: { mso_mdoc: { alg: ['ES256'] } },
        constraints: {
          limit_disclosure: 'required',
          fields: fields.map((f) => ({ path: [`$['${NS}']['${f}']`], intent_to_retain: false })),
        },
      }],
    })
    .usingSessionTranscriptBytes(transcriptBytes);
  if (auth === 'mac') {
    // SessionTranscript = [DeviceEngagementBytes, EReaderKeyBytes, Handover];
    // EReaderKeyBytes = #6.24(bstr .cbor COSE_Key): the COSE_Key as sent.
    const transcript = cbor.decode(transcriptBytes).data;
    const eReaderKey = transcript[1].buffer;
    response = response.authenticateWithMAC(COSEKeyFromJWK(devicePrivate), eReaderKey, 'HS256');
  } else {
    response = response.authenticateWithSignature(devicePrivate, 'ES256');
  }
  fs.writeFileSync(outPath, (await response.sign()).encode());
  return { claims: Object.fromEntries(fields.map((f) => [f, CLAIMS[f]])) };
}

async function main(argv) {
  const [command, ...args] = argv;
  if (command === 'verify' && (args.length === 3 || args.length === 4))
    return verify(...args);
  if (command === 'present' && args.length === 5 && ['signature', 'mac'].includes(args[4]))
    return present(...args);
  if (command === 'issue' && args.length === 4)
    return issueTo(...args);
  throw new Error('usage: auth0-mdl.js verify|present ... (see the head of this file)');
}

main(process.argv.slice(2)).then(
  (result) => process.stdout.write(JSON.stringify(result) + '\n'),
  (e) => {
    process.stderr.write(`auth0-mdl.js: ${e.stack || e}\n`);
    process.exit(2);
  },
);

#!/usr/bin/env python3
# Holder and reader as two processes over the local transport:
# `tessera present --transport local:PATH` and `tessera reader request`,
# plus the stateless interop commands. TAP output.
import json
import os
import subprocess
import sys
import tempfile
import time

import clitest

TESSERA, DATA = sys.argv[1], sys.argv[2]
ANNEX = os.path.join(DATA, 'annex-d')
NOW = '2021-01-01T00:00:00Z'
TIME_FACTOR = clitest.TIME_FACTOR
results = []


def check(name, ok, detail=''):
    results.append((name, ok, detail))


def holder_argv(tmp, *extra, consent='all'):
    args = [TESSERA, 'present', '--issuer-signed', os.path.join(ANNEX, 'issuer_signed.cbor'),
            '--device-key', os.path.join(ANNEX, 'static_device_key.pem'),
            '--transport', 'local:' + os.path.join(tmp, 'sock'),
            '--qr-uri-file', os.path.join(tmp, 'uri'), '--now', NOW, '--timeout', '20']
    if consent is not None:
        args += ['--consent', consent]
    return args + list(extra)


def holder(tmp, *extra, consent='all'):
    proc = subprocess.Popen(holder_argv(tmp, *extra, consent=consent), stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, text=True)
    clitest.wait_for_file(os.path.join(tmp, 'uri'))
    return proc


def reader_argv(tmp, *extra, template='driving-licence', timeout='20'):
    """Extra arguments come after the first --template: '--next', ... adds requests."""
    args = [TESSERA, 'reader', 'request', '--engagement-file', os.path.join(tmp, 'uri'),
            '--template', template, '--trust', os.path.join(ANNEX, 'iaca_cert.pem'),
            '--transport', 'local:' + os.path.join(tmp, 'sock'), '--now', NOW,
            '--timeout', timeout]
    return args + list(extra)


def reader(tmp, *extra, template='driving-licence', timeout='20'):
    return subprocess.run(reader_argv(tmp, *extra, template=template, timeout=timeout),
                          capture_output=True, text=True, timeout=60)


def session(consent='all', holder_extra=(), reader_extra=(), template='driving-licence'):
    with tempfile.TemporaryDirectory() as tmp:
        return clitest.two_process(holder_argv(tmp, *holder_extra, consent=consent),
                                   reader_argv(tmp, *reader_extra, template=template),
                                   os.path.join(tmp, 'uri'))


# 1. Everything consented: verified, the held elements shared.
r, hcode, hout, herr = session()
check('valid_session_reader_verifies', r.returncode == 0 and r.stdout.startswith('VALID'),
      r.stdout + r.stderr)
check('valid_session_holder_ok', hcode == 0 and 'Session ended.' in herr, herr)
check('valid_session_elements', 'Doe' in r.stdout and '123456789' in r.stdout and
      'given_name (error code 0)' in r.stdout, r.stdout)
check('valid_session_qr_shown', 'mdoc:' in hout, hout)

# 2. Consent from a file: only family_name leaves the wallet.
with tempfile.NamedTemporaryFile('w', suffix='.txt', delete=False) as f:
    f.write('# what I share\norg.iso.18013.5.1/family_name\n')
    consent_file = f.name
r, hcode, _, herr = session(consent=consent_file)
os.unlink(consent_file)
check('consent_file_verifies', r.returncode == 0, r.stdout + r.stderr)
check('consent_file_withholds', 'Doe' in r.stdout and '123456789' not in r.stdout and
      'JPEG' not in r.stdout, r.stdout)
check('consent_file_holder_report', 'Shared from org.iso.18013.5.1.mDL: family_name\n' in herr,
      herr)

# 3. Nothing consented: the reader gets no document.
r, hcode, _, _ = session(consent='none')
check('consent_none_not_valid', r.returncode == 1 and 'no_documents' in r.stdout + r.stderr,
      r.stdout + r.stderr)

# 4. Reader authentication, judged by the holder.
reader_dir = os.path.join(DATA, 'reader')
auth = ('--reader-cert', os.path.join(reader_dir, 'reader.pem'),
        '--reader-key', os.path.join(reader_dir, 'reader_key.pem'))
root = ('--reader-root', os.path.join(reader_dir, 'reader_root.pem'))
# The reader PKI was made on 2026-11-25; the holder judges it at --now,
# so run this one at a time inside its validity.
r, hcode, _, herr = session(holder_extra=root + ('--strict',), reader_extra=auth,
                            template='age-over-21')
check('reader_auth_at_annex_d_time_is_invalid', 'INVALID reader authentication' in herr and
      r.returncode == 1, herr)
r, hcode, _, herr = session(holder_extra=('--strict',), template='age-over-21')
check('strict_refuses_anonymous', hcode == 1 and 'Refused' in herr and r.returncode == 1, herr)

# 5. The holder goes away before the reader connects: a clear error, no hang.
with tempfile.TemporaryDirectory() as tmp:
    h = holder(tmp, consent='all')
    h.kill()
    h.wait()
    start = time.time()
    r = reader(tmp, timeout='2')
    check('holder_gone_fails_fast', r.returncode == 1 and
          time.time() - start < 10 * TIME_FACTOR and
          'tessera: local:' in r.stderr, r.stderr)
    with open(os.path.join(tmp, 'uri'), 'w') as f:
        f.write('https://example.com/not-an-engagement')
    r = reader(tmp, timeout='2')
    check('junk_engagement', r.returncode == 2 and 'not an mdoc: URI' in r.stderr, r.stderr)

# 6. Several requests in one session (reader request --next): the holder
# answers each until the reader ends the session.
r, hcode, _, herr = session(reader_extra=('--next', '--template', 'age-over-21'))
check('two_requests_both_verified', r.returncode == 0 and
      r.stdout.startswith('Request 1 of 2: VALID') and
      '\nRequest 2 of 2: VALID' in r.stdout, r.stdout + r.stderr)
check('two_requests_each_answered', r.stdout.count('driving_privileges:') == 1 and
      r.stdout.split('Request 2 of 2')[1].count('portrait') == 1 and
      'age_over_21 (error code 0)' in r.stdout, r.stdout)
check('two_requests_holder', hcode == 0 and 'Request 2 of this session:' in herr and
      'Requests answered: 2.' in herr, herr)
r, hcode, _, herr = session(reader_extra=('--json', '--next', '--template', 'age-over-21',
                                          '--next', '--element',
                                          'org.iso.18013.5.1.mDL/org.iso.18013.5.1/family_name'))
try:
    results_json = json.loads(r.stdout)
except ValueError:
    results_json = None
check('three_requests_json_array', r.returncode == 0 and isinstance(results_json, list) and
      len(results_json) == 3 and all(x['valid'] for x in results_json) and
      'Requests answered: 3.' in herr, r.stdout + r.stderr + herr)
# The holder declines the second request: its consent covers only the first.
with tempfile.NamedTemporaryFile('w', suffix='.txt', delete=False) as f:
    f.write(''.join('org.iso.18013.5.1/%s\n' % e for e in (
        'family_name', 'portrait', 'document_number', 'expiry_date', 'driving_privileges')))
    consent_file = f.name
r, hcode, _, herr = session(consent=consent_file, reader_extra=(
    '--next', '--element', 'org.iso.18013.5.1.mDL/org.iso.18013.5.1/birth_date'))
os.unlink(consent_file)
second = r.stdout.split('Request 2 of 2: ')[-1]
check('second_request_declined', r.returncode == 1 and
      r.stdout.startswith('Request 1 of 2: VALID') and second.startswith('NOT VALID') and
      'birth_date' not in second.split('Not returned')[0] and 'no_documents' in r.stdout,
      r.stdout + r.stderr)
check('second_request_declined_holder', hcode == 0 and 'Requests answered: 2.' in herr,
      herr)
# A --next with no request after it is a usage error.
with tempfile.TemporaryDirectory() as tmp:
    r = subprocess.run(reader_argv(tmp, '--next'), capture_output=True, text=True, timeout=60)
    check('next_without_request_is_usage_error', r.returncode == 2 and '--next' in r.stderr,
          r.stderr)
# --ble-l2cap goes with BLE only, on either side.
with tempfile.TemporaryDirectory() as tmp:
    r = subprocess.run(reader_argv(tmp, '--ble-l2cap'), capture_output=True, text=True,
                       timeout=60)
    p = subprocess.run(holder_argv(tmp, '--ble-l2cap'), capture_output=True, text=True,
                       stdin=subprocess.DEVNULL, timeout=60)
    check('ble_l2cap_without_ble_is_usage_error',
          r.returncode == 2 and '--ble-l2cap: only goes with --transport ble' in r.stderr and
          p.returncode == 2 and '--ble-l2cap: only goes with --transport ble' in p.stderr,
          r.stderr + p.stderr)

# 7. Stateless interop: the Annex D request answered with everything is the
# Annex D response, byte for byte.
with tempfile.TemporaryDirectory() as tmp:
    out = os.path.join(tmp, 'resp.cbor')
    p = subprocess.run([TESSERA, 'present', '--issuer-signed',
                        os.path.join(ANNEX, 'issuer_signed.cbor'), '--device-key',
                        os.path.join(ANNEX, 'static_device_key.pem'), '--request',
                        os.path.join(ANNEX, 'device_request.cbor'), '--transcript',
                        os.path.join(ANNEX, 'session_transcript_bytes.cbor'), '--out', out,
                        '--consent', 'all', '--now', NOW], capture_output=True, text=True)
    same = os.path.exists(out) and open(out, 'rb').read() == open(
        os.path.join(ANNEX, 'device_response.cbor'), 'rb').read()
    check('stateless_present_is_annex_d', p.returncode == 0 and same, p.stderr)
    req = os.path.join(tmp, 'req.cbor')
    p = subprocess.run([TESSERA, 'reader', 'make-request', '--template', 'age-over-18',
                        '--element', 'org.iso.18013.5.1.mDL/org.iso.18013.5.1/family_name!',
                        '--out', req], capture_output=True, text=True)
    dump = subprocess.run([TESSERA, 'cbor', 'dump', req], capture_output=True, text=True)
    check('make_request', p.returncode == 0 and '"family_name": true' in dump.stdout and
          '"age_over_18": false' in dump.stdout, p.stderr + dump.stdout)
    p = subprocess.run([TESSERA, 'reader', 'make-request', '--template', 'nope', '--out', req],
                       capture_output=True, text=True)
    check('make_request_unknown_template', p.returncode == 2 and 'unknown template' in p.stderr,
          p.stderr)
    p = subprocess.run([TESSERA, 'present', '--issuer-signed', 'x'], capture_output=True,
                       text=True)
    check('present_usage', p.returncode == 2, p.stderr)

print('1..%d' % len(results))
for i, (name, ok, detail) in enumerate(results, 1):
    print('%sok %d - %s' % ('' if ok else 'not ', i, name))
    if not ok:
        for line in detail.splitlines()[:30]:
            print('# ' + line)

#!/usr/bin/env python3
# Checks a .po file with msgfmt and requires it to be complete.
import subprocess
import sys

msgfmt, po = sys.argv[1], sys.argv[2]
r = subprocess.run([msgfmt, '--check', '--statistics', '-o', '/dev/null', po],
                   capture_output=True, text=True)
report = (r.stdout + r.stderr).strip()
print(report)
if r.returncode != 0 or 'untranslated' in report or 'fuzzy' in report:
    sys.exit(1)

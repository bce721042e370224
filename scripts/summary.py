#!/usr/bin/env python3
"""Print the closing 'N passed, N failed' line from automake's test-suite.log.

Usage: summary.py test-suite.log MAKE_STATUS. Counts come from the log's own
totals (every TAP result line of every test); ERROR and XPASS count as failed.
Exits non-zero when anything failed or make itself failed.
"""
import re
import sys

log, status = sys.argv[1], int(sys.argv[2])
counts = {}
try:
    with open(log, encoding="utf-8", errors="replace") as f:
        for line in f:
            m = re.match(r"^# (TOTAL|PASS|SKIP|XFAIL|FAIL|XPASS|ERROR):\s+(\d+)", line)
            if m and m.group(1) not in counts:
                counts[m.group(1)] = int(m.group(2))
except OSError as e:
    print(f"summary: {log}: {e}", file=sys.stderr)
passed = counts.get("PASS", 0) + counts.get("XFAIL", 0)
failed = counts.get("FAIL", 0) + counts.get("ERROR", 0) + counts.get("XPASS", 0)
skipped = counts.get("SKIP", 0)
if status != 0 and failed == 0:
    failed = 1  # make failed outside the tests (build, driver): never report green
print(f"{passed} passed, {failed} failed, {skipped} skipped")
sys.exit(1 if failed else 0)

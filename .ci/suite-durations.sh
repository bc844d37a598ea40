#!/usr/bin/env bash
# Prints every test suite's duration from the Surefire and Failsafe reports of the last build,
# longest first, and the total per tier (unit: Surefire, integration: Failsafe, examples: the
# consumer project maven-invoker-plugin builds in it/target/examples).
set -euo pipefail
cd "$(dirname "$0")/.."
python3 - <<'PY'
import glob, xml.etree.ElementTree as ET
rows = []
for tier, pattern in (("unit", "**/target/surefire-reports/TEST-*.xml"),
                      ("integration", "**/target/failsafe-reports/TEST-*.xml"),
                      ("examples", "it/target/examples/target/surefire-reports/TEST-*.xml")):
    for f in glob.glob(pattern, recursive=True):
        if tier != "examples" and "it/target/examples/" in f:
            continue
        s = ET.parse(f).getroot()
        module = f.split("/target/")[0] or "."
        rows.append((float(s.get("time", "0").replace(",", "")), tier, module, s.get("name").rsplit(".", 1)[-1],
                     int(s.get("tests", 0)), int(s.get("failures", 0)) + int(s.get("errors", 0)), int(s.get("skipped", 0))))
rows.sort(reverse=True)
print(f"{'seconds':>8}  {'tier':<11} {'module':<22} {'suite':<40} {'tests':>5} {'failed':>6} {'skipped':>7}")
for t, tier, module, name, n, failed, skipped in rows:
    print(f"{t:8.1f}  {tier:<11} {module:<22} {name:<40} {n:5d} {failed:6d} {skipped:7d}")
for tier in ("unit", "integration", "examples"):
    print(f"{sum(r[0] for r in rows if r[1] == tier):8.1f}  {tier} total ({sum(1 for r in rows if r[1] == tier)} suites)")
PY

#!/usr/bin/env bash
# Times the vulnerability join end to end: the 20,000-workload benchmark set
# scanned with and without a Trivy report of 50,000 vulnerabilities of the
# image most of its workloads run (nginx), paired by farm-bench.
#
#   hack/bench-vulns.sh [--vulns N (default 50000)] [farm-bench flags...]
set -euo pipefail
cd "$(dirname "$0")/.."

count=50000
if [ "${1:-}" = --vulns ]; then count=$2; shift 2; fi

set_dir=$(hack/bench-set.sh)
report=.cache/bench/trivy-nginx-$count.json
if [ ! -s "$report" ]; then
  python3 - "$count" >"$report.tmp" <<'PY'
import json, sys
n = int(sys.argv[1])
severities = ["CRITICAL", "HIGH", "MEDIUM", "LOW", "UNKNOWN"]
vulns = [{"VulnerabilityID": "CVE-2025-%05d" % i, "PkgName": "pkg%d" % (i % 700),
          "InstalledVersion": "1.%d.0" % (i % 50), "FixedVersion": "" if i % 3 == 0 else "1.%d.1" % (i % 50),
          "Severity": severities[i % 5], "Title": "synthetic vulnerability %d" % i,
          "PrimaryURL": "https://avd.aquasec.com/nvd/cve-2025-%05d" % i} for i in range(n)]
json.dump({"SchemaVersion": 2, "ArtifactName": "nginx", "ArtifactType": "container_image",
           "Metadata": {"RepoTags": ["nginx:latest"]},
           "Results": [{"Target": "nginx (debian 12)", "Class": "os-pkgs", "Type": "debian", "Vulnerabilities": vulns}]},
          sys.stdout)
PY
  mv "$report.tmp" "$report"
fi

mkdir -p bin
go build -o bin/kube4c ./cmd/kube4c
farm-bench --timeout 600 "$@" --vs "bin/kube4c scan -q -o json --output-file /dev/null --fail-on none $set_dir" -- \
  bin/kube4c scan -q -o json --output-file /dev/null --fail-on none --vulns "$report" "$set_dir"

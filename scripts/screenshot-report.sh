#!/usr/bin/env bash
# Renders the compliance report in headless Chromium and saves a screenshot (AUD-3).
#
#   sudo apt-get install -y chromium            # Debian's package; once
#   npm run synth                                # writes cdk.out/compliance/
#   scripts/screenshot-report.sh [report.html] [screenshot.png]
#
# Defaults: cdk.out/compliance/index.html -> docs/images/compliance-report.png. Fails when the page
# logs a console error or the screenshot is not written. Offline by design: the report is
# self-contained, and the flags switch off every background request Chromium would make.
set -euo pipefail

page="${1:-cdk.out/compliance/index.html}"
out="${2:-docs/images/compliance-report.png}"
chromium="${CHROMIUM:-chromium}"

if ! command -v "$chromium" >/dev/null 2>&1; then
  echo "screenshot-report: '$chromium' not found; install it with: sudo apt-get install -y chromium" >&2
  exit 2
fi
if [ ! -f "$page" ]; then
  echo "screenshot-report: no report at $page; run npm run synth first" >&2
  exit 2
fi

profile="$(mktemp -d)"
log="$(mktemp)"
trap 'rm -rf "$profile" "$log"' EXIT
mkdir -p "$(dirname "$out")"
rm -f "$out"

"$chromium" --headless --no-sandbox --disable-gpu --disable-background-networking \
  --disable-component-update --disable-sync --no-first-run --user-data-dir="$profile" \
  --hide-scrollbars --enable-logging=stderr --v=0 \
  --screenshot="$(realpath -m "$out")" --window-size=1400,2000 "file://$(realpath "$page")" >"$log" 2>&1 || {
  cat "$log" >&2
  echo "screenshot-report: chromium failed" >&2
  exit 1
}

# Chromium logs every page console message as a CONSOLE line. The report has no scripts, so any
# console message, like any failed load (net::ERR_...), means something is wrong with the page.
if grep -E 'CONSOLE|Uncaught|net::ERR_' "$log" >&2; then
  echo "screenshot-report: the page logged errors (above)" >&2
  exit 1
fi
if [ ! -s "$out" ]; then
  cat "$log" >&2
  echo "screenshot-report: no screenshot written to $out" >&2
  exit 1
fi
echo "screenshot-report: $out"

#!/usr/bin/env bash
# Runs every test of Alliance Pipeline on this machine, installing what a fresh machine lacks first:
# the pinned emulators (Azurite, MailDev) from tools/emulators/package-lock.json, Debian's Chromium for the browser
# tests and R for the report's reproduce.R. Ends by printing the totals on a line of their own: "N passed, N failed".
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

log() { printf '\n== %s\n' "$*"; }

if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  log "installing Node.js and npm (Debian)"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm
fi
if [ ! -x tools/emulators/node_modules/.bin/azurite ] || [ ! -x tools/emulators/node_modules/.bin/maildev ]; then
  log "installing the pinned emulators (npm ci in tools/emulators)"
  (cd tools/emulators && npm ci --no-audit --no-fund --loglevel=error)
fi
if [ ! -x /usr/bin/chromium ]; then
  log "installing Debian's Chromium for the browser tests"
  if [ "$(id -u)" -eq 0 ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium
  else
    sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium
  fi
fi

if ! command -v Rscript >/dev/null; then
  log "installing R (Debian's r-base-core: the report's reproduce.R is run with it)"
  if [ "$(id -u)" -eq 0 ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq r-base-core
  else
    sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq r-base-core
  fi
fi
if ! Rscript -e 'library(survival)' >/dev/null 2>&1; then
  log "installing R's survival package (Debian's r-cran-survival: the time-to-job test checks against it)"
  if [ "$(id -u)" -eq 0 ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq r-cran-survival
  else
    sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq r-cran-survival
  fi
fi

results="$root/TestResults"
rm -rf "$results" "$results-format.log"
log "building"
dotnet build AlliancePipeline.sln -c Release -nologo -v q
status=0
log "checking the formatting (dotnet format --verify-no-changes, by .editorconfig)"
format_failed=0
if ! dotnet format AlliancePipeline.sln --no-restore --verify-no-changes >"$results-format.log" 2>&1; then
  format_failed=1
  sed -n '1,40p' "$results-format.log"
fi
log "testing"
# One test project at a time: the projects share the emulators, and the machine has two cores.
dotnet test AlliancePipeline.sln -c Release --no-build -nologo -m:1 \
  --logger "trx" --logger "console;verbosity=normal" --results-directory "$results" || status=$?

# Keep the browser tests' screenshots with the results.
mkdir -p "$results/screenshots"
cp tests/*/bin/Release/*/artifacts/screenshots/*.png "$results/screenshots/" 2>/dev/null || true

passed=0; failed=0; skipped=0; files=0
shopt -s nullglob
for trx in "$results"/*.trx; do
  files=$((files + 1))
  counters=$(grep -o '<Counters [^>]*>' "$trx" | head -n 1)
  get() { printf '%s' "$counters" | grep -o " $1=\"[0-9]*\"" | grep -o '[0-9]*' || echo 0; }
  passed=$((passed + $(get passed)))
  failed=$((failed + $(get failed) + $(get error) + $(get timeout) + $(get aborted)))
  skipped=$((skipped + $(get notExecuted)))
done
echo
echo "test result files: $files"
if [ "$files" -eq 0 ] || [ "$passed" -eq 0 ]; then
  echo "no test ran"
  status=1
fi
failed=$((failed + format_failed))
if [ "$failed" -gt 0 ]; then
  status=1
  [ "$format_failed" -eq 1 ] && printf '  formatting\n    dotnet format --verify-no-changes found files to format (run dotnet format AlliancePipeline.sln)\n'
  # Name each failed test with the first line of its message, so the end of the log says what broke.
  echo "failed tests:"
  perl -0777 -ne 'while (/<UnitTestResult [^>]*?testName="([^"]*)"[^>]*?outcome="(?:Failed|Error|Timeout|Aborted)"[^>]*>(.*?)<\/UnitTestResult>/sg) {
      my ($name, $body) = ($1, $2); my ($message) = $body =~ /<Message>([^\n<]*)/; $message //= "";
      for ($name, $message) { s/&quot;/"/g; s/&lt;/</g; s/&gt;/>/g; s/&amp;/&/g; }
      print "  $name\n    $message\n" }' "$results"/*.trx || true
fi
echo "$passed passed, $failed failed, $skipped skipped"
exit "$status"

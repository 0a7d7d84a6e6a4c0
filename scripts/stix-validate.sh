#!/usr/bin/env bash
# Validates a STIX 2.1 export with the OASIS validator (`stix2-validator` from PyPI), in a
# virtual environment under target/ (needs network the first time).
#
#   kensa indicators export --db kensa.db --subject acct-17 --format stix --party "Example Co" --out ind.json
#   scripts/stix-validate.sh ind.json
#
# Exit 0 when valid. Custom observables (x-kensa-crypto-wallet, x-kensa-phone-number,
# x-kensa-postal-address: STIX 2.1 has no standard object for these) are reported as warnings.
set -euo pipefail
cd "$(dirname "$0")/.."
[ $# -ge 1 ] || { echo "usage: scripts/stix-validate.sh FILE.json" >&2; exit 2; }
VENV=target/stix-venv
if [ ! -x "$VENV/bin/stix2_validator" ]; then
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet stix2-validator
fi
"$VENV/bin/stix2_validator" --version 2.1 "$@"

#!/usr/bin/env bash
# Make sure the printable forms can be made and checked: a TrueType CJK font for the
# gateway's PDFs (Debian's fonts-wqy-zenhei, the default of GATEWAY_PDF_FONT) and
# poppler-utils (pdftoppm, pdftotext) for the tests that render and read them.
# Installs only what is missing, from Debian's packages. Idempotent; returns at once when
# everything is there. A font elsewhere: set GATEWAY_PDF_FONT and nothing is installed
# for it.
set -euo pipefail

FONT="${GATEWAY_PDF_FONT:-/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc}"

say() { echo "ensure-documents: $*" >&2; }

as_root() {
    if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

missing=()
if [ ! -f "$FONT" ]; then
    if [ -n "${GATEWAY_PDF_FONT:-}" ]; then
        say "GATEWAY_PDF_FONT=$FONT: no such file"
        exit 1
    fi
    missing+=(fonts-wqy-zenhei)
fi
command -v pdftoppm >/dev/null 2>&1 && command -v pdftotext >/dev/null 2>&1 \
    || missing+=(poppler-utils)

if [ "${#missing[@]}" -eq 0 ]; then
    exit 0
fi

say "installing ${missing[*]} from Debian's packages"
as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    "${missing[@]}" >/dev/null

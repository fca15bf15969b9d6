#!/usr/bin/env bash
# Makes sure the Debian packages sitegen needs are present.
#   tools/system-packages.sh build   what `make site` needs
#   tools/system-packages.sh test    that, plus what the test suite uses
#   tools/system-packages.sh bench   that of build, plus Hugo for `make bench`
# As root it installs what is missing with apt-get; otherwise it names the packages and stops.
set -euo pipefail
purpose=${1:-build}
missing=()

need() {  # need PACKAGE CHECK-COMMAND...
  local package=$1; shift
  "$@" >/dev/null 2>&1 || missing+=("$package")
}
# Not `producer | grep -q`: grep -q exits at the first match, the producer then dies of
# SIGPIPE, and with pipefail a package that is present would be reported missing.
has_font() { [ -n "$(fc-list "$1" family)" ]; }
# ldconfig lives in /sbin, which is not on every user's PATH.
has_library() { "$(command -v ldconfig || echo /sbin/ldconfig)" -p | grep "$1" >/dev/null; }

need python3-venv python3 -c 'import ensurepip, venv'
need graphviz command -v dot
need fontconfig command -v fc-list
need fonts-dejavu-core has_font "DejaVu Sans"
need fonts-noto-color-emoji has_font "Noto Color Emoji"
need libpango-1.0-0 has_library libpango-1.0.so
need libpangoft2-1.0-0 has_library libpangoft2-1.0.so
need make command -v make
if [ "$purpose" = test ]; then
  need poppler-utils command -v pdftotext
  # The browser tests drive Debian's Chromium through Playwright (never a downloaded browser).
  need chromium test -x /usr/bin/chromium
fi
if [ "$purpose" = bench ]; then
  need hugo command -v hugo
fi

[ ${#missing[@]} -eq 0 ] && exit 0
# Without fontconfig the font checks fail too; list each package once.
mapfile -t missing < <(printf '%s\n' "${missing[@]}" | sort -u)
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "Installing system packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  exit 0
fi
echo "sitegen needs these system packages, which are not installed: ${missing[*]}" >&2
echo "Install them, then run this again:  sudo apt-get install ${missing[*]}" >&2
exit 1

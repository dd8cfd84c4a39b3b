#!/usr/bin/env bash
# Install the Debian packages psa-report needs, if any are missing.
#   scripts/system-deps.sh            what `make report` needs (Pango, the fonts)
#   scripts/system-deps.sh --test     also what `make test` needs (poppler, Chromium, Node,
#                                     LibreOffice Calc, and Writer to read the Word report back)
# As root it installs with apt-get; otherwise it uses `sudo -n` if that works, or
# prints the one command to run and stops.
set -euo pipefail

# Fonts: Liberation for Latin, Greek, Cyrillic and Hebrew; Noto for every other
# script the report may hold (noto-core: Arabic and most alphabets; noto-cjk:
# Chinese, Japanese, Korean; noto-color-emoji), so no letter prints as an empty
# box.  About 145 MB installed; templates/report.css names them.  fontconfig's
# fc-list tells build which characters no installed font can print.
packages=(python3-venv libpango-1.0-0 libpangoft2-1.0-0 fontconfig fonts-liberation2
          fonts-noto-core fonts-noto-cjk fonts-noto-color-emoji)
if [[ "${1:-}" == "--test" ]]; then
  packages+=(poppler-utils chromium nodejs npm git libreoffice-calc-nogui
             libreoffice-writer-nogui)
fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# npm may come from a Node.js that was not installed by Debian: that is fine.
if [[ " ${missing[*]} " == *" npm "* ]] && command -v npm >/dev/null; then
  missing=("${missing[@]/npm}")
fi
if [[ " ${missing[*]} " == *" nodejs "* ]] && command -v node >/dev/null; then
  missing=("${missing[@]/nodejs}")
fi
read -r -a missing <<< "${missing[*]}"
[[ ${#missing[@]} -eq 0 ]] && exit 0
# python3-venv only matters where `python3 -m venv` does not work already.
if [[ " ${missing[*]} " == *" python3-venv "* ]] && python3 -c 'import venv, ensurepip' 2>/dev/null; then
  missing=("${missing[@]/python3-venv}")
  read -r -a missing <<< "${missing[*]}"
  [[ ${#missing[@]} -eq 0 ]] && exit 0
fi

echo "psa-report needs these Debian packages: ${missing[*]}" >&2
if [[ $(id -u) -eq 0 ]]; then
  sudo=()
elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
  sudo=(sudo -n)
else
  echo "Install them with:  sudo apt-get install ${missing[*]}" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -qq
"${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null

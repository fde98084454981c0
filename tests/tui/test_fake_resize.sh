#!/bin/bash
# Resizing: the layout follows (detail pane only when wide), 80x24 still shows the essentials, a
# tiny terminal says so, and the console survives going back.
. "$(dirname "$0")/lib.sh"
tui_init resize
UI=${NL_BUILD_DIR:?}/tests/tui/ui_fake

tui_start 120 40 "$UI"
tui_wait_for "esx-p01.lab.invalid"
tui_assert_present "Endpoint vc-lab"          # detail pane at 120 columns
tui_resize 80 24
tui_wait_line '^ vc-lab \| connected'        # redrawn (the screen is blank for a moment)
tui_wait_gone "Endpoint vc-lab"              # no room for the detail pane at 80
tui_assert_present "esx-n04.lab.invalid"
tui_assert_present "/ Filter"
[ "$(tui_capture | sed -n 23p | cut -c1-8)" = " vc-lab " ] || tui_fail "status bar is not on line 23"
tui_resize 30 8
tui_wait_for "vc-lab"
tui_resize 15 4
tui_wait_for "Terminal too s"   # cut to 15 columns
tui_resize 200 50
tui_wait_for "Endpoint vc-lab"
tui_send j j j
tui_wait_for "Host esx-p01.lab.invalid"
tui_quit
echo "resize: ok"

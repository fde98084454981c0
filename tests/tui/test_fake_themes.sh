#!/bin/bash
# Themes: live switching with T, NO_COLOR and --no-color (no colour escapes at all), a missing
# theme and a broken theme file (clear message, default theme, no crash).
. "$(dirname "$0")/lib.sh"
tui_init themes
UI=${NL_BUILD_DIR:?}/tests/tui/ui_fake

has_colour() { # any SGR foreground/background colour in the captured screen
    tui_capture_escapes | grep -qE $'\e\\[[0-9;]*(3[0-7]|4[0-7]|9[0-7]|38;5;|48;5;)[0-9;]*m'
}

tui_start 120 40 "$UI"
tui_wait_for "theme default"
has_colour || tui_fail "the default theme shows no colour"
tui_send T
tui_wait_for "theme dark"
tui_send T
tui_wait_for "theme light"
tui_send T T
tui_wait_for "theme mono"
tui_wait_for "Theme: mono"
sleep 0.3
has_colour && tui_fail "the mono theme still shows colours"
tui_send T
tui_wait_for "theme default"
tui_quit

for how in env flag; do
    tui_cleanup
    tui_init "themes-$how"
    if [ "$how" = env ]; then
        TUI_ENV="NO_COLOR=1" tui_start 120 40 "$UI" --theme dark
    else
        tui_start 120 40 "$UI" --theme dark --no-color
    fi
    tui_wait_for "theme dark"
    sleep 0.3
    has_colour && tui_fail "colours shown with NO_COLOR/--no-color ($how)"
    # the cursor row is still visible: reverse video
    tui_capture_escapes | grep -qE $'\e\\[[0-9;]*7[0-9;]*m' || tui_fail "no reverse video for the cursor ($how)"
    tui_quit
done

tui_cleanup
tui_init themes-bad
tui_start 100 30 "$UI" --theme no-such-theme
tui_wait_for "Theme 'no-such-theme' was not found"
tui_assert_present "Using the default theme."
tui_assert_present "theme default"
tui_quit

tui_cleanup
tui_init themes-broken
mkdir -p "$TUI_TMP/config/nestlab/themes"
printf '{"roles": {"selected": {"fg": "chartreuse"}}}' >"$TUI_TMP/config/nestlab/themes/mine.json"
tui_start 160 30 "$UI" --theme mine
tui_wait_for "mine.json': role 'selected' has an unknown fg colour"
tui_assert_present "theme default"
tui_send j
tui_wait_gone "unknown fg colour"   # the message clears on the next key; the console runs on
tui_quit
echo "themes: ok"

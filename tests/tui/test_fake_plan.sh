#!/bin/bash
# Changes through the plan view: nested HV on a powered-off VM, promiscuous on the physical
# cluster (badges change), the command line, journal and undo, quitting while a change runs,
# and read-only mode.
. "$(dirname "$0")/lib.sh"
tui_init plan
UI=${NL_BUILD_DIR:?}/tests/tui/ui_fake

tui_start 120 40 "$UI" --step-ms 300
tui_wait_for "esx-p01.lab.invalid"

# Nested HV on kvm04 (powered off): preview, confirm, progress, done, badge.
tui_send /
tui_type kvm04
tui_send Enter Escape
tui_wait_for "VM kvm04"
tui_send n
tui_wait_for "Preview: 1 change, 0 skipped"
tui_assert_present "kvm04: nested HV off -> on"
tui_assert_present "[pending] kvm04"
tui_send y
tui_wait_for "Done: 1 changed, 0 skipped, 0 failed"
tui_assert_present "[ok     ] kvm04"
tui_send Escape
tui_wait_line 'kvm04 +off HV vmx-13'   # powered off, nested HV now on

# Promiscuous accept on the Physical cluster: both hosts change, nested hosts do not.
tui_send Home j j
tui_wait_for "Cluster Physical"
tui_send p
tui_wait_for "Promiscuous mode accept on 2 hosts"
tui_wait_for "Preview: 2 changes"
tui_send y
tui_wait_for "Done: 2 changed"
tui_send Escape
tui_wait_line 'esx-p01\.lab\.invalid.* promisc no-trunk'
tui_wait_line 'esx-p02\.lab\.invalid.* promisc no-trunk'
tui_wait_line 'esx-n01\.lab\.invalid <- n-esx01.* no-promisc'

# The command line takes the CLI's verbs; an unknown verb is an error on the message line.
tui_type ":security --vswitch vSwitch0 --promiscuous reject --cluster Physical"
tui_send Enter
tui_wait_for "Preview: 2 changes"
tui_send Escape
tui_wait_for "Plan dropped; nothing was changed."
tui_type ":frobnicate"
tui_send Enter
tui_wait_for "Unknown command 'frobnicate'"

# Journal and undo of the newest change.
tui_send J
tui_wait_for "Journal (newest first"
tui_wait_for "promiscuous on on 2 objects"
tui_send u
tui_wait_for "Preview: 2 changes"
tui_send y
tui_wait_for "Done: 2 changed"
tui_send Escape Escape
tui_wait_for "| Lab tree"
tui_wait_line 'esx-p01\.lab\.invalid.* no-promisc no-trunk'

# Quitting while a change is applied asks first; "n" keeps it running.
tui_send Home j j t
tui_wait_for "Preview: 2 changes"
tui_send y
tui_send q
tui_wait_for "A change is being applied. Quit anyway? (y/n)"
tui_send n
tui_wait_for "Done: 2 changed" 15
tui_send Escape
tui_wait_line 'esx-p01\.lab\.invalid.* no-promisc trunk'
tui_quit

# Read-only: change keys explain themselves and open no plan.
tui_cleanup
tui_init plan-ro
tui_start 100 30 "$UI" --read-only
tui_wait_for "READ-ONLY"
tui_send j j n
tui_wait_for "Read-only mode: changes are disabled"
tui_assert_present "| Lab tree"
tui_quit
echo "plan: ok"

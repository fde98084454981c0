# Cloned nested hosts (issue 13): the vhv.enable rule through labsim's shell, and two nested ESXi
# VMs sharing a BIOS UUID and a vmk0 MAC, over vCenter and over SSH.
nl_add_script_test(esx_clones LABEL integration TIMEOUT 300
                   COMMAND ${PROJECT_SOURCE_DIR}/tests/integration/esx_clones.sh)

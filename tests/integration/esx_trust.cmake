# backend/esxi esx_trust: recording a host key the user accepted, against labsim's SSH hosts.
add_executable(esx_trust_probe ${CMAKE_CURRENT_SOURCE_DIR}/esx_trust_probe.c)
target_link_libraries(esx_trust_probe PRIVATE nl_esxi)
nl_add_script_test(esx_trust LABEL integration TIMEOUT 180
                   COMMAND ${PROJECT_SOURCE_DIR}/tests/integration/esx_trust.sh)
# Host keys against a real OpenSSH sshd restarted with another key type (esx_probe and
# esx_trust_probe).
nl_add_script_test(esx_hostkeys_sshd LABEL integration TIMEOUT 180
                   COMMAND ${PROJECT_SOURCE_DIR}/tests/integration/esx_hostkeys_sshd.sh)
# The same against labsim, with nestlab --direct, after a host got a key of another type.
nl_add_script_test(esx_hostkeys_labsim LABEL integration TIMEOUT 300
                   COMMAND ${PROJECT_SOURCE_DIR}/tests/integration/esx_hostkeys_labsim.sh)

# backend/esxi: the esx_probe driver and the SSH integration test against labsim.
add_executable(esx_probe ${CMAKE_CURRENT_SOURCE_DIR}/esx_probe.c)
target_link_libraries(esx_probe PRIVATE nl_esxi)
nl_add_script_test(esxi_ssh LABEL integration TIMEOUT 300
                   COMMAND ${PROJECT_SOURCE_DIR}/tests/integration/esxi_ssh.sh)

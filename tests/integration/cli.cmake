# The headless CLI end to end against labsim (issues 4, 5, 7, 9).
foreach(t cli_inventory cli_inventory_scale cli_change cli_direct cli_check cli_monitor cli_hostile
          cli_secrets cli_coredump cli_interrupt cli_connect)
  nl_add_script_test(${t} LABEL integration TIMEOUT 600 COMMAND ${CMAKE_CURRENT_LIST_DIR}/${t}.sh)
endforeach()

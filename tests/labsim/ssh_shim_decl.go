package main

// startSSH is how main starts the simulated ESXi hosts' SSH servers. It is declared on the SSH
// side (main.go relies on this file) and set to StartSSHHosts by ssh_server.go's init(); a build
// without ssh_server.go leaves it nil and main reports "ssh": "unavailable".
var startSSH func(HostDirectory, string, string, bool) (map[string]int, map[string]string, func(), error)

// rekeySSH (host name, key type) gives a running host a new host key and returns its known_hosts
// line; set by ssh_server.go's init() like startSSH.
var rekeySSH func(string, string) (string, error)

package main

// Temporary: the main program (owned by the vCenter side) will declare this; delete this file
// as soon as it does.
var startSSH func(HostDirectory, string, string, bool) (map[string]int, map[string]string, func(), error)

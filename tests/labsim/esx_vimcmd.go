package main

// vim-cmd vmsvc/*: getallvms, power.getstate, power.on, power.off, reload (reference/esxi.md §5).
// Faults are printed the way hostd's vim-cmd prints them on stdout, with exit status 1: a lookup
// fault as "(vim.fault.X) {...}", a failed power task after a prefix, as captured from ESXi 9:
//   Powering on VM:
//   Power on failed: (vim.fault.GenericVmConfigFault) {
//      faultCause = (vmodl.MethodFault) null, ...
//      msg = "..."
//   }

import (
	"strconv"
	"strings"
	"unicode/utf8"
)

func vimFault(env *esxEnv, kind, msg string) int {
	return vimTaskFault(env, "", kind, "", msg)
}

// vimTaskFault prints a fault, after "<task> failed: " when task is set; extra holds the
// fault's own fields ("   requestedState = ...\n").
func vimTaskFault(env *esxEnv, task, kind, extra, msg string) int {
	prefix := ""
	if task != "" {
		prefix = task + " failed: "
	}
	sep := ""
	if extra != "" {
		sep = ", "
	}
	env.out("%s(vim.fault.%s) {\n   faultCause = (vmodl.MethodFault) null, \n   faultMessage = <unset>%s\n%s   msg = \"%s\"\n}\n",
		prefix, kind, sep, extra, msg)
	return 1
}

func vimCmdUsage(env *esxEnv) int {
	env.errf("Commands available under vmsvc/:\ngetallvms power.getstate power.off power.on reload\n")
	return 1
}

func cmdVimCmd(env *esxEnv, argv []string) int {
	if len(argv) < 2 {
		env.errf("Commands available under /:\nhbrsvc/       internalsvc/  solo/         vmsvc/\nhostsvc/      proxysvc/     vimsvc/       help\n")
		return 1
	}
	cmd := strings.TrimPrefix(argv[1], "/")
	args := argv[2:]
	switch cmd {
	case "vmsvc/getallvms":
		return vimGetAllVMs(env)
	case "vmsvc/power.getstate", "vmsvc/power.on", "vmsvc/power.off", "vmsvc/reload":
	case "vmsvc", "vmsvc/":
		return vimCmdUsage(env)
	default:
		env.errf("Unknown command: '%s'\n", argv[1])
		return 1
	}
	if len(args) < 1 {
		env.errf("Insufficient arguments.\nUsage: %s vmid\n", strings.TrimPrefix(cmd, "vmsvc/"))
		return 1
	}
	vmid, err := strconv.Atoi(args[0])
	var vm VM
	found := false
	if err == nil {
		for _, v := range env.api.VMs() {
			if v.ID == vmid {
				vm, found = v, true
				break
			}
		}
	}
	if !found {
		return vimFault(env, "NotFound", "Unable to find a VM corresponding to \""+args[0]+"\"")
	}
	switch cmd {
	case "vmsvc/power.getstate":
		env.out("Retrieved runtime info\n")
		if vm.PoweredOn {
			env.out("Powered on\n")
		} else {
			env.out("Powered off\n")
		}
		return 0
	case "vmsvc/power.on", "vmsvc/power.off":
		on := cmd == "vmsvc/power.on"
		if on {
			env.out("Powering on VM:\n")
		} else {
			env.out("Powering off VM:\n")
		}
		task := map[bool]string{true: "Power on", false: "Power off"}[on]
		if vm.PoweredOn == on {
			state := map[bool]string{true: "poweredOn", false: "poweredOff"}[on]
			return vimTaskFault(env, task, "InvalidPowerState",
				"   requestedState = \""+state+"\", \n   existingState = \""+state+"\"\n",
				"The attempted operation cannot be performed in the current state ("+
					map[bool]string{true: "Powered on", false: "Powered off"}[vm.PoweredOn]+").")
		}
		if err := env.api.SetPower(vmid, on); err != nil {
			kind, msg := apiFaultKind(err)
			return vimTaskFault(env, task, kind, "", msg)
		}
		return 0
	case "vmsvc/reload":
		if err := env.api.ReloadVM(vmid); err != nil {
			return vimAPIFault(env, err)
		}
		return 0
	}
	return 1
}

func apiFaultKind(err error) (string, string) {
	kind := "SystemError"
	if ae, ok := err.(*APIError); ok && ae.Kind != "" {
		kind = ae.Kind
	}
	return kind, err.Error()
}

func vimAPIFault(env *esxEnv, err error) int {
	kind, msg := apiFaultKind(err)
	return vimFault(env, kind, msg)
}

// vimGetAllVMs prints the table as vim-cmd does (compare real-formats/vimcmd): every column as
// wide as its widest cell, cells left-aligned and padded (so a row ends in blanks when its
// annotation is shorter than the widest), three blanks between columns, and each title centred
// over its column (left padding rounded down).
func vimGetAllVMs(env *esxEnv) int {
	hdr := []string{"Vmid", "Name", "File", "Guest OS", "Version", "Annotation"}
	vms := env.api.VMs()
	rows := make([][]string, 0, len(vms))
	width := make([]int, len(hdr))
	for i, h := range hdr {
		width[i] = len(h)
	}
	for _, v := range vms {
		r := []string{strconv.Itoa(v.ID), v.Name, v.File, v.GuestID, v.Version, v.Annotation}
		for i := range r {
			if w := utf8.RuneCountInString(r[i]); w > width[i] {
				width[i] = w
			}
		}
		rows = append(rows, r)
	}
	var b strings.Builder
	for i, h := range hdr {
		left := (width[i] - len(h)) / 2
		b.WriteString(strings.Repeat(" ", left) + h + strings.Repeat(" ", width[i]-len(h)-left))
		if i < len(hdr)-1 {
			b.WriteString("   ")
		}
	}
	env.out("%s\n", strings.TrimRight(b.String(), " "))
	for _, r := range rows {
		b.Reset()
		for i, c := range r {
			b.WriteString(c + strings.Repeat(" ", width[i]-utf8.RuneCountInString(c)))
			if i < len(r)-1 {
				b.WriteString("   ")
			}
		}
		env.out("%s\n", b.String())
	}
	return 0
}

package main

import (
	"strings"
	"testing"
)

// A host with a vCLS agent lists it as ESXi 8/9 do, "[] /var/run/crx/infra/...", with a readable
// .vmx at that path and a power state; vCenter does not list it.
func TestEsxVCLS(t *testing.T) {
	tMu.Lock()
	defer tMu.Unlock()
	var h HostAPI
	for _, x := range tLab.Hosts() {
		if x.HostName() == "esx-p01.lab.invalid" {
			h = x
		}
	}
	spec := tLab.hosts["esx-p01.lab.invalid"].spec
	was := spec.VCLS
	spec.VCLS = true
	defer func() { spec.VCLS = was }()
	out, _, st := esxRun(t, h, "vim-cmd vmsvc/getallvms")
	lines := strings.Split(strings.TrimRight(out, "\n"), "\n")
	checkGetAllVMsShape(t, h, lines)
	last := lines[len(lines)-1]
	name := "vCLS-" + stableUUID("vcls:esx-p01.lab.invalid")
	path := "/var/run/crx/infra/" + name + "/" + name + ".vmx"
	if st != 0 || !strings.HasPrefix(last, "1698   "+name) || !strings.Contains(last, "   [] "+path+"   crxSys1Guest") {
		t.Fatalf("vCLS row %q", last)
	}
	vmx, _, st := esxRun(t, h, "cat "+path)
	if st != 0 || !strings.Contains(vmx, "displayName = \""+name+"\"\n") || !strings.Contains(vmx, "virtualHW.version = \"20\"\n") {
		t.Errorf("vCLS .vmx %q %d", vmx, st)
	}
	if out, _, st := esxRun(t, h, "vim-cmd vmsvc/power.getstate 1698"); st != 0 || out != "Retrieved runtime info\nPowered on\n" {
		t.Errorf("getstate %q", out)
	}
	if out, _, st := esxRun(t, h, "vim-cmd vmsvc/power.on 1698"); st != 1 || !strings.Contains(out, "Power on failed: (vim.fault.InvalidPowerState) {") {
		t.Errorf("power.on %q", out)
	}
	if out, _, st := esxRun(t, h, "vim-cmd vmsvc/power.off 1698"); st != 0 || out != "Powering off VM:\n" {
		t.Errorf("power.off %q", out)
	}
	esxRun(t, h, "vim-cmd vmsvc/power.on 1698")
	for _, vm := range tLab.vms {
		if strings.HasPrefix(vm.name, "vCLS-") {
			t.Errorf("vCenter lists %s", vm.name)
		}
	}
}

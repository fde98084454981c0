package main

// The vCLS agent VM of an ESXi 8/9 host (HostSpec.VCLS). Since 8.0 U3 these run from the host's
// own ramdisk: vim-cmd vmsvc/getallvms lists them with an empty datastore and an absolute path,
//   1698   vCLS-6b723342-...   [] /var/run/crx/infra/vCLS-6b723342-.../vCLS-6b723342-....vmx   crxSys1Guest   vmx-21
// (captured from an ESXi 9.0 host), and vCenter's inventory does not show them.

import (
	"fmt"
	"strings"
)

// vclsVMID is above every lab VM's id (vim-cmd ids are not dense on real hosts either).
const vclsVMID = 1698

func (a *labHostAPI) vcls() (VM, bool) {
	if a.h.spec == nil || !a.h.spec.VCLS {
		return VM{}, false
	}
	name := "vCLS-" + stableUUID("vcls:"+a.h.name)
	version := "vmx-20"
	if !strings.HasPrefix(a.h.spec.Version, "8.") {
		version = "vmx-21"
	}
	a.lab.mu.Lock()
	off := a.lab.vclsOff[a.h.name]
	a.lab.mu.Unlock()
	return VM{ID: vclsVMID, Name: name, File: fmt.Sprintf("[] /var/run/crx/infra/%s/%s.vmx", name, name),
		GuestID: "crxSys1Guest", Version: version, PoweredOn: !off}, true
}

// vclsVMX is the agent's .vmx when p is its path.
func (a *labHostAPI) vclsVMX(p string) ([]byte, bool) {
	vm, ok := a.vcls()
	if !ok || "[] "+p != vm.File {
		return nil, false
	}
	uuid := strings.ReplaceAll(stableUUID("vcls-bios:"+a.h.name), "-", "")
	var bios []string
	for i := 0; i < 32; i += 2 {
		bios = append(bios, uuid[i:i+2])
	}
	return []byte(fmt.Sprintf(".encoding = \"UTF-8\"\nconfig.version = \"8\"\nvirtualHW.version = \"%s\"\n"+
		"displayName = \"%s\"\nguestOS = \"crxSys1\"\nnumvcpus = \"1\"\nmemSize = \"128\"\n"+
		"uuid.bios = \"%s-%s\"\n", strings.TrimPrefix(vm.Version, "vmx-"), vm.Name,
		strings.Join(bios[:8], " "), strings.Join(bios[8:], " "))), true
}

package main

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25/methods"
	"github.com/vmware/govmomi/vim25/soap"
	"github.com/vmware/govmomi/vim25/types"
)

// extVM enforces the real rules for nestedHVEnabled in ReconfigVM_Task and emits the change
// so WaitForUpdatesEx filters see it. Embeds the stock VM by VALUE.
type extVM struct {
	simulator.VirtualMachine
	lab  *Lab
	name string
}

func hwVersion(v string) int {
	n, err := strconv.Atoi(strings.TrimPrefix(v, "vmx-"))
	if err != nil {
		return 0
	}
	return n
}

func (l *Lab) vmPoweredOn(v *labVM) bool {
	return v.obj.Runtime.PowerState == types.VirtualMachinePowerStatePoweredOn
}

// checkNestedHV validates a nestedHVEnabled change; nil if allowed. Caller holds the VM lock.
func checkNestedHV(vm *simulator.VirtualMachine, want bool) (types.BaseMethodFault, string) {
	cur := vm.Config.NestedHVEnabled != nil && *vm.Config.NestedHVEnabled
	if cur == want {
		return nil, ""
	}
	if vm.Runtime.PowerState != types.VirtualMachinePowerStatePoweredOff {
		return &types.InvalidPowerState{RequestedState: types.VirtualMachinePowerStatePoweredOff, ExistingState: vm.Runtime.PowerState},
			"The attempted operation cannot be performed in the current state (Powered on)."
	}
	if want && hwVersion(vm.Config.Version) < 9 {
		return &types.NotSupported{}, fmt.Sprintf("Nested hardware virtualization requires virtual hardware version vmx-09 or later; virtual machine '%s' is %s.", vm.Name, vm.Config.Version)
	}
	return nil, ""
}

func (vm *extVM) ReconfigVMTask(ctx *simulator.Context, req *types.ReconfigVM_Task) soap.HasFault {
	if req.Spec.NestedHVEnabled != nil {
		if f, msg := checkNestedHV(&vm.VirtualMachine, *req.Spec.NestedHVEnabled); f != nil {
			task := simulator.CreateTask(vm, "reconfigVm", func(*simulator.Task) (types.AnyType, types.BaseMethodFault) {
				return nil, f
			})
			ref := task.Run()
			// Give the task error a readable localizedMessage.
			if t, ok := simulator.Map.Get(ref).(*simulator.Task); ok && t.Info.Error != nil {
				t.Info.Error.LocalizedMessage = msg
			}
			return &methods.ReconfigVM_TaskBody{Res: &types.ReconfigVM_TaskResponse{Returnval: ref}}
		}
	}
	oldVersion := vm.Config.Version
	res := vm.VirtualMachine.ReconfigVMTask(ctx, req)
	var changes []types.PropertyChange
	if req.Spec.NestedHVEnabled != nil {
		changes = append(changes, types.PropertyChange{Name: "config.nestedHVEnabled", Val: *vm.Config.NestedHVEnabled})
	}
	if vm.Config.Version != oldVersion {
		changes = append(changes, types.PropertyChange{Name: "config.version", Val: vm.Config.Version})
	}
	if len(changes) > 0 {
		simulator.Map.Update(&vm.VirtualMachine, changes)
		vm.lab.dropVMXOverride(vm.name)
	}
	return res
}

// vmxPath is the .vmx path as seen from an ESXi shell.
func (l *Lab) vmxPath(v *labVM) string {
	return fmt.Sprintf("/vmfs/volumes/datastore1/%s/%s.vmx", v.name, v.name)
}

func vmxQuote(s string) string {
	s = strings.ReplaceAll(s, "|", "|7C")
	s = strings.ReplaceAll(s, "\"", "|22")
	return s
}

// generateVMX renders the VM's .vmx from its current config. Caller holds the VM lock.
func (l *Lab) generateVMX(v *labVM) []byte {
	vm := &v.obj.VirtualMachine
	var b strings.Builder
	kv := func(k, val string) { fmt.Fprintf(&b, "%s = \"%s\"\n", k, vmxQuote(val)) }
	kv(".encoding", "UTF-8")
	kv("config.version", "8")
	kv("virtualHW.version", strconv.Itoa(hwVersion(vm.Config.Version)))
	kv("displayName", vm.Name)
	kv("guestOS", guestOSKey(vm.Config.GuestId))
	kv("numvcpus", strconv.Itoa(int(vm.Config.Hardware.NumCPU)))
	kv("memSize", strconv.Itoa(int(vm.Config.Hardware.MemoryMB)))
	kv("uuid.bios", vm.Config.Uuid)
	if vm.Config.NestedHVEnabled != nil && *vm.Config.NestedHVEnabled {
		kv("vhv.enable", "TRUE")
	}
	for i, nic := range v.spec.NICs {
		kv(fmt.Sprintf("ethernet%d.present", i), "TRUE")
		kv(fmt.Sprintf("ethernet%d.virtualDev", i), "vmxnet3")
		kv(fmt.Sprintf("ethernet%d.networkName", i), nic.Network)
	}
	if vm.Config.Annotation != "" {
		kv("annotation", vm.Config.Annotation)
	}
	return []byte(b.String())
}

// guestOSKey maps a vSphere guest id to the .vmx guestOS value (vmkernel65Guest -> vmkernel65).
func guestOSKey(id string) string {
	s := strings.TrimSuffix(id, "Guest")
	switch s {
	case "ubuntu64":
		return "ubuntu-64"
	case "otherLinux64":
		return "other3xlinux-64"
	case "vmwarePhoton64":
		return "vmware-photon-64"
	}
	return strings.ToLower(s)
}

func parseVMX(data []byte) map[string]string {
	out := map[string]string{}
	for _, line := range strings.Split(string(data), "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		i := strings.Index(line, "=")
		if i < 0 {
			continue
		}
		k := strings.ToLower(strings.TrimSpace(line[:i]))
		v := strings.TrimSpace(line[i+1:])
		v = strings.TrimPrefix(v, "\"")
		v = strings.TrimSuffix(v, "\"")
		out[k] = v
	}
	return out
}

func (l *Lab) dropVMXOverride(vm string) {
	v := l.vms[vm]
	if v == nil {
		return
	}
	l.mu.Lock()
	delete(l.files, v.host+"\x00"+l.vmxPath(v))
	l.mu.Unlock()
}

package main

import (
	"fmt"
	"os"
	"path"
	"sort"
	"strings"

	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25/types"
)

// labHostAPI implements HostAPI on vcsim's objects; setters share the SOAP extensions' code.
type labHostAPI struct {
	lab *Lab
	h   *labHost
}

func (l *Lab) Hosts() []HostAPI {
	var out []HostAPI
	for _, name := range l.hostOrder {
		out = append(out, &labHostAPI{lab: l, h: l.hosts[name]})
	}
	return out
}

func (l *Lab) Up(name string) bool {
	if l.hosts[name] == nil {
		return false
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	return !l.down[name]
}

// Hung reports whether commands on the host hang (they answer nothing until the client gives
// up): the SSH side checks it through an optional interface, HostDirectory stays as it is.
func (l *Lab) Hung(name string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.hung[name]
}

func (l *Lab) setHung(name string, hung bool) error {
	if l.hosts[name] == nil {
		return fmt.Errorf("unknown host %q", name)
	}
	l.mu.Lock()
	l.hung[name] = hung
	l.mu.Unlock()
	return nil
}

func (l *Lab) setDown(name string, down bool) error {
	if l.hosts[name] == nil {
		return fmt.Errorf("unknown host %q", name)
	}
	l.mu.Lock()
	l.down[name] = down
	l.mu.Unlock()
	return nil
}

func apiErr(f types.BaseMethodFault, msg string) error {
	if f == nil {
		return nil
	}
	kind := fmt.Sprintf("%T", f)
	kind = kind[strings.LastIndex(kind, ".")+1:]
	return &APIError{Kind: kind, Msg: msg}
}

func (a *labHostAPI) HostName() string { return a.h.name }

func (a *labHostAPI) Version() (string, string, string, int, int) {
	var p types.AboutInfo
	simulator.Map.WithLock(a.h.obj, func() {
		if a.h.obj.Summary.Config.Product != nil {
			p = *a.h.obj.Summary.Config.Product
		}
	})
	update := 0
	if strings.HasPrefix(p.Version, "8.0.3") {
		update = 3
	}
	return p.Name, p.Version, "Releasebuild-" + p.Build, update, 0
}

func (a *labHostAPI) CPU() (int, int, int, int) {
	var ci types.HostCpuInfo
	simulator.Map.WithLock(a.h.obj, func() { ci = a.h.obj.Hardware.CpuInfo })
	hv := 3
	if bv := a.h.backingVM; bv != "" {
		v := a.lab.vms[bv]
		simulator.Map.WithLock(v.obj, func() {
			if v.obj.Config.NestedHVEnabled == nil || !*v.obj.Config.NestedHVEnabled {
				hv = 1 // not supported: the outer VM exposes no VT-x
			}
		})
	}
	return int(ci.NumCpuPackages), int(ci.NumCpuCores), int(ci.NumCpuThreads), hv
}

func secOf(s *types.HostNetworkSecurityPolicy) Security {
	if s == nil {
		return Security{}
	}
	cp := copySec(s)
	return Security{AllowPromiscuous: cp.AllowPromiscuous, ForgedTransmits: cp.ForgedTransmits, MacChanges: cp.MacChanges}
}

func (a *labHostAPI) VSwitches() []VSwitch {
	var out []VSwitch
	hm := a.lab.ComputeHostModel(a.h.name)
	simulator.Map.WithLock(a.h.obj, func() {
		n := a.h.obj.Config.Network
		for _, sw := range n.Vswitch {
			vs := VSwitch{Name: sw.Name, NumPorts: int(sw.NumPorts), ConfiguredPorts: int(sw.Spec.NumPorts), MTU: int(sw.Mtu), CDPStatus: "listen"}
			if b, ok := sw.Spec.Bridge.(*types.HostVirtualSwitchBondBridge); ok {
				vs.Uplinks = append(vs.Uplinks, b.NicDevice...)
				if b.LinkDiscoveryProtocolConfig != nil {
					vs.CDPStatus = b.LinkDiscoveryProtocolConfig.Operation
				}
			}
			for _, pg := range n.Portgroup {
				if pg.Spec.VswitchName == sw.Name {
					vs.Portgroups = append(vs.Portgroups, pg.Spec.Name)
				}
			}
			if sw.Spec.Policy != nil {
				vs.Security = secOf(sw.Spec.Policy.Security)
			}
			// used ports: uplinks + vmk0 + powered-on VM ports + 1 (ESXi counts the switch itself)
			used := 1 + len(vs.Uplinks)
			if sw.Name == "vSwitch0" {
				used++
			}
			for _, pt := range hm.Ports {
				if pt.VSwitch == sw.Name {
					used++
				}
			}
			vs.UsedPorts = used
			out = append(out, vs)
		}
	})
	return out
}

func (a *labHostAPI) SetVSwitchSecurity(vswitch string, s Security) error {
	var f types.BaseMethodFault
	simulator.Map.WithLock(a.h.hns, func() {
		var spec types.HostVirtualSwitchSpec
		found := false
		simulator.Map.WithLock(a.h.obj, func() {
			n := a.h.obj.Config.Network
			if i := findVS(n, vswitch); i >= 0 {
				spec = n.Vswitch[i].Spec
				found = true
			}
		})
		if !found {
			f = &types.NotFound{}
			return
		}
		pol := types.HostNetworkPolicy{}
		if spec.Policy != nil {
			pol = *spec.Policy
		}
		pol.Security = &types.HostNetworkSecurityPolicy{AllowPromiscuous: s.AllowPromiscuous, ForgedTransmits: s.ForgedTransmits, MacChanges: s.MacChanges}
		spec.Policy = &pol
		f = a.lab.doUpdateVirtualSwitch(a.h, vswitch, spec)
	})
	return apiErr(f, fmt.Sprintf("Unable to find vswitch %s", vswitch))
}

func (a *labHostAPI) PortGroups() []PortGroup {
	var out []PortGroup
	hm := a.lab.ComputeHostModel(a.h.name)
	simulator.Map.WithLock(a.h.obj, func() {
		for _, pg := range a.h.obj.Config.Network.Portgroup {
			p := PortGroup{Name: pg.Spec.Name, VSwitch: pg.Spec.VswitchName, VLAN: int(pg.Spec.VlanId), Override: secOf(pg.Spec.Policy.Security)}
			for _, pt := range hm.Ports {
				if pt.PortGroup == pg.Spec.Name {
					p.ActiveClients++
				}
			}
			if pg.Spec.Name == "Management Network" {
				p.ActiveClients++ // vmk0
			}
			out = append(out, p)
		}
	})
	return out
}

func (a *labHostAPI) AddPortGroup(name, vswitch string) error {
	var f types.BaseMethodFault
	simulator.Map.WithLock(a.h.hns, func() {
		f = a.lab.doAddPortGroup(a.lab.ictx(), a.h, types.HostPortGroupSpec{Name: name, VswitchName: vswitch,
			Policy: types.HostNetworkPolicy{Security: &types.HostNetworkSecurityPolicy{}}})
	})
	switch f.(type) {
	case *types.AlreadyExists:
		return apiErr(f, fmt.Sprintf("A portgroup with the name %s already exists", name))
	case *types.NotFound:
		return apiErr(f, fmt.Sprintf("Unable to find vswitch %s", vswitch))
	}
	return apiErr(f, fmt.Sprintf("Invalid portgroup name %q", name))
}

func (a *labHostAPI) RemovePortGroup(name, vswitch string) error {
	var f types.BaseMethodFault
	simulator.Map.WithLock(a.h.hns, func() {
		ok := true
		simulator.Map.WithLock(a.h.obj, func() {
			n := a.h.obj.Config.Network
			if findVS(n, vswitch) < 0 {
				ok = false
				f = &types.NotFound{}
				return
			}
			if i := findPG(n, name); i >= 0 && n.Portgroup[i].Spec.VswitchName != vswitch {
				ok = false
				f = &types.NotFound{}
			}
		})
		if ok {
			f = a.lab.doRemovePortGroup(a.h, name)
		}
	})
	switch f.(type) {
	case *types.ResourceInUse:
		return apiErr(f, fmt.Sprintf("Unable to remove portgroup %s: port group is in use", name))
	}
	return apiErr(f, fmt.Sprintf("Unable to find portgroup %s on vswitch %s", name, vswitch))
}

func (a *labHostAPI) pgSpec(name string) (types.HostPortGroupSpec, bool) {
	var spec types.HostPortGroupSpec
	found := false
	simulator.Map.WithLock(a.h.obj, func() {
		n := a.h.obj.Config.Network
		if i := findPG(n, name); i >= 0 {
			spec = n.Portgroup[i].Spec
			spec.Policy.Security = copySec(spec.Policy.Security)
			found = true
		}
	})
	return spec, found
}

func (a *labHostAPI) SetPortGroupVLAN(name string, vlan int) error {
	if vlan < 0 || vlan > 4095 {
		return &APIError{Kind: "InvalidArgument", Msg: fmt.Sprintf("Invalid VLAN ID %d: must be between 0 and 4095", vlan)}
	}
	var f types.BaseMethodFault
	simulator.Map.WithLock(a.h.hns, func() {
		spec, ok := a.pgSpec(name)
		if !ok {
			f = &types.NotFound{}
			return
		}
		spec.VlanId = int32(vlan)
		f = a.lab.doUpdatePortGroup(a.h, name, spec)
	})
	return apiErr(f, fmt.Sprintf("Unable to find portgroup %s", name))
}

func (a *labHostAPI) SetPortGroupSecurity(name string, s Security, useVSwitch bool) error {
	var f types.BaseMethodFault
	simulator.Map.WithLock(a.h.hns, func() {
		spec, ok := a.pgSpec(name)
		if !ok {
			f = &types.NotFound{}
			return
		}
		sec := spec.Policy.Security
		if sec == nil || useVSwitch {
			sec = &types.HostNetworkSecurityPolicy{}
		}
		if s.AllowPromiscuous != nil {
			sec.AllowPromiscuous = types.NewBool(*s.AllowPromiscuous)
		}
		if s.ForgedTransmits != nil {
			sec.ForgedTransmits = types.NewBool(*s.ForgedTransmits)
		}
		if s.MacChanges != nil {
			sec.MacChanges = types.NewBool(*s.MacChanges)
		}
		spec.Policy.Security = sec
		f = a.lab.doUpdatePortGroup(a.h, name, spec)
	})
	return apiErr(f, fmt.Sprintf("Unable to find portgroup %s", name))
}

func (a *labHostAPI) VMs() []VM {
	var out []VM
	for _, vn := range a.h.vms {
		v := a.lab.vms[vn]
		simulator.Map.WithLock(v.obj, func() {
			vm := &v.obj.VirtualMachine
			out = append(out, VM{ID: v.id, Name: vm.Name, File: fmt.Sprintf("[datastore1] %s/%s.vmx", v.name, v.name),
				GuestID: vm.Config.GuestId, Version: vm.Config.Version,
				PoweredOn: vm.Runtime.PowerState == types.VirtualMachinePowerStatePoweredOn, Annotation: vm.Config.Annotation})
		})
	}
	if vcls, ok := a.vcls(); ok {
		out = append(out, vcls)
	}
	return out
}

func (a *labHostAPI) vmByID(id int) *labVM {
	if id < 1 || id > len(a.h.vms) {
		return nil
	}
	return a.lab.vms[a.h.vms[id-1]]
}

func (a *labHostAPI) SetPower(vmid int, on bool) error {
	if vcls, ok := a.vcls(); ok && vcls.ID == vmid {
		a.lab.mu.Lock()
		a.lab.vclsOff[a.h.name] = !on
		a.lab.mu.Unlock()
		return nil
	}
	v := a.vmByID(vmid)
	if v == nil {
		return &APIError{Kind: "NotFound", Msg: fmt.Sprintf("Unable to find a VM corresponding to \"%d\"", vmid)}
	}
	return a.lab.setPower(v, on)
}

func (l *Lab) setPower(v *labVM, on bool) error {
	var err error
	ctx := l.ictx()
	simulator.Map.WithLock(v.obj, func() {
		cur := v.obj.Runtime.PowerState
		want := types.VirtualMachinePowerStatePoweredOff
		if on {
			want = types.VirtualMachinePowerStatePoweredOn
		}
		if cur == want {
			err = &APIError{Kind: "InvalidPowerState", Msg: fmt.Sprintf("The attempted operation cannot be performed in the current state (%s).", powerWord(cur))}
			return
		}
		c := *ctx
		c.Caller = &v.ref
		if on {
			v.obj.PowerOnVMTask(&c, &types.PowerOnVM_Task{This: v.ref})
		} else {
			v.obj.PowerOffVMTask(&c, &types.PowerOffVM_Task{This: v.ref})
		}
	})
	return err
}

func powerWord(s types.VirtualMachinePowerState) string {
	switch s {
	case types.VirtualMachinePowerStatePoweredOn:
		return "Powered on"
	case types.VirtualMachinePowerStateSuspended:
		return "Suspended"
	}
	return "Powered off"
}

func (a *labHostAPI) vmForPath(p string) *labVM {
	for _, vn := range a.h.vms {
		v := a.lab.vms[vn]
		if a.lab.vmxPath(v) == p {
			return v
		}
	}
	return nil
}

func (a *labHostAPI) ReadFile(p string) ([]byte, error) {
	p = path.Clean(p)
	a.lab.mu.Lock()
	data, ok := a.lab.files[a.h.name+"\x00"+p]
	a.lab.mu.Unlock()
	if ok {
		return append([]byte(nil), data...), nil
	}
	if v := a.vmForPath(p); v != nil {
		var out []byte
		simulator.Map.WithLock(v.obj, func() { out = a.lab.generateVMX(v) })
		return out, nil
	}
	if data, ok := a.vclsVMX(p); ok {
		return data, nil
	}
	return nil, &os.PathError{Op: "open", Path: p, Err: os.ErrNotExist}
}

func (a *labHostAPI) WriteFile(p string, data []byte) error {
	p = path.Clean(p)
	if !strings.HasPrefix(p, "/vmfs/volumes/datastore1/") && !strings.HasPrefix(p, "/tmp/") {
		return &os.PathError{Op: "open", Path: p, Err: os.ErrPermission}
	}
	a.lab.mu.Lock()
	a.lab.files[a.h.name+"\x00"+p] = append([]byte(nil), data...)
	a.lab.mu.Unlock()
	return nil
}

func (a *labHostAPI) ReloadVM(vmid int) error {
	if vcls, ok := a.vcls(); ok && vcls.ID == vmid {
		return nil
	}
	v := a.vmByID(vmid)
	if v == nil {
		return &APIError{Kind: "NotFound", Msg: fmt.Sprintf("Unable to find a VM corresponding to \"%d\"", vmid)}
	}
	data, err := a.ReadFile(a.lab.vmxPath(v))
	if err != nil {
		return &APIError{Kind: "NotFound", Msg: err.Error()}
	}
	kv := parseVMX(data)
	nested := strings.EqualFold(kv["vhv.enable"], "TRUE")
	version := v.spec.Version
	if hv := kv["virtualhw.version"]; hv != "" {
		n := hwVersion(hv)
		if n <= 0 {
			return &APIError{Kind: "InvalidArgument", Msg: fmt.Sprintf("Invalid virtualHW.version %q in %s", hv, a.lab.vmxPath(v))}
		}
		version = fmt.Sprintf("vmx-%02d", n)
	} else {
		simulator.Map.WithLock(v.obj, func() { version = v.obj.Config.Version })
	}
	simulator.Map.WithLock(v.obj, func() {
		vm := &v.obj.VirtualMachine
		var ch []types.PropertyChange
		if cur := vm.Config.NestedHVEnabled != nil && *vm.Config.NestedHVEnabled; cur != nested {
			ch = append(ch, types.PropertyChange{Name: "config.nestedHVEnabled", Val: nested})
		}
		if vm.Config.Version != version {
			ch = append(ch, types.PropertyChange{Name: "config.version", Val: version},
				types.PropertyChange{Name: "summary.config.hwVersion", Val: version})
		}
		if name := kv["displayname"]; name != "" && name != vm.Name {
			// display name edits are ignored by the lab (names are stable)
		}
		vm.Config.NestedHVEnabled = types.NewBool(nested)
		vm.Config.Version = version
		vm.Summary.Config.HwVersion = version
		if len(ch) > 0 {
			simulator.Map.Update(vm, ch)
		}
	})
	return nil
}

func (a *labHostAPI) Esxtop() EsxtopSample { return a.lab.esxtop(a.h.name) }

func sortedKeys(m map[string]int) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// VMKernelNICs lists the host's VMkernel NICs from config.network.vnic, the copy vCenter reports.
func (a *labHostAPI) VMKernelNICs() []VMKernelNIC {
	var out []VMKernelNIC
	simulator.Map.WithLock(a.h.obj, func() {
		for i, v := range a.h.obj.Config.Network.Vnic {
			n := VMKernelNIC{Name: v.Device, MAC: v.Spec.Mac, Portgroup: v.Portgroup, MTU: int(v.Spec.Mtu),
				Netstack: v.Spec.NetStackInstanceKey, Enabled: true, PortID: 33554436 + i}
			for _, pg := range a.h.obj.Config.Network.Portgroup {
				if pg.Spec.Name == v.Portgroup {
					n.Portset = pg.Spec.VswitchName
				}
			}
			out = append(out, n)
		}
	})
	return out
}

// PlatformUUID is the host's BIOS UUID (hardware.systemInfo.uuid).
func (a *labHostAPI) PlatformUUID() (uuid, vendor, product string) {
	simulator.Map.WithLock(a.h.obj, func() {
		si := a.h.obj.Hardware.SystemInfo
		uuid, vendor, product = si.Uuid, si.Vendor, si.Model
	})
	return
}

package main

import (
	"fmt"

	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25/methods"
	"github.com/vmware/govmomi/vim25/mo"
	"github.com/vmware/govmomi/vim25/soap"
	"github.com/vmware/govmomi/vim25/types"
)

// extHostNetworkSystem adds UpdateVirtualSwitch/UpdatePortGroup and replaces Add/RemovePortGroup
// so HostNetworkSystem.networkInfo and HostSystem.config.network stay one state.
// It embeds the stock object by VALUE (vsphere.md §6.2 pitfall 4).
type extHostNetworkSystem struct {
	simulator.HostNetworkSystem
	lab  *Lab
	host string
}

const (
	vsKeyPrefix = "key-vim.host.VirtualSwitch-"
	pgKeyPrefix = "key-vim.host.PortGroup-"
)

func copySec(s *types.HostNetworkSecurityPolicy) *types.HostNetworkSecurityPolicy {
	if s == nil {
		return nil
	}
	out := &types.HostNetworkSecurityPolicy{}
	if s.AllowPromiscuous != nil {
		out.AllowPromiscuous = types.NewBool(*s.AllowPromiscuous)
	}
	if s.ForgedTransmits != nil {
		out.ForgedTransmits = types.NewBool(*s.ForgedTransmits)
	}
	if s.MacChanges != nil {
		out.MacChanges = types.NewBool(*s.MacChanges)
	}
	return out
}

func secFromSpec(s SecuritySpec) *types.HostNetworkSecurityPolicy {
	return copySec(&types.HostNetworkSecurityPolicy{AllowPromiscuous: s.Promiscuous, ForgedTransmits: s.ForgedTransmits, MacChanges: s.MacChanges})
}

// buildHostNetwork writes the spec's vSwitches/port groups into HostSystem.config.network
// (the canonical copy) and mirrors them into the HostNetworkSystem. Caller holds locks (or builds).
func (l *Lab) buildHostNetwork(h *labHost) {
	n := h.obj.Config.Network
	var tmpl types.HostVirtualSwitch
	if len(n.Vswitch) > 0 {
		tmpl = n.Vswitch[0]
	}
	var pgTmpl types.HostPortGroup
	if len(n.Portgroup) > 0 {
		pgTmpl = n.Portgroup[0]
	}
	n.Vswitch = nil
	n.Portgroup = nil
	for _, vs := range h.spec.VSwitches {
		sw := tmpl
		sw.Name = vs.Name
		sw.Key = vsKeyPrefix + vs.Name
		sw.NumPorts = 2560
		sw.NumPortsAvailable = 2560 - 8
		sw.Mtu = int32(vs.MTU)
		sw.Portgroup = nil
		sw.Pnic = nil
		for _, u := range vs.Uplinks {
			sw.Pnic = append(sw.Pnic, "key-vim.host.PhysicalNic-"+u)
		}
		pol := types.HostNetworkPolicy{}
		if tmpl.Spec.Policy != nil {
			pol = *tmpl.Spec.Policy
		}
		pol.Security = secFromSpec(vs.Security)
		sw.Spec = types.HostVirtualSwitchSpec{
			NumPorts: int32(vs.NumPorts),
			Bridge: &types.HostVirtualSwitchBondBridge{
				NicDevice:                   append([]string(nil), vs.Uplinks...),
				Beacon:                      &types.HostVirtualSwitchBeaconConfig{Interval: 1},
				LinkDiscoveryProtocolConfig: &types.LinkDiscoveryProtocolConfig{Protocol: "cdp", Operation: "listen"},
			},
			Policy: &pol,
			Mtu:    int32(vs.MTU),
		}
		n.Vswitch = append(n.Vswitch, sw)
		for _, pg := range vs.PortGroups {
			p := pgTmpl
			p.Port = nil
			p.Key = pgKeyPrefix + pg.Name
			p.Vswitch = sw.Key
			pp := types.HostNetworkPolicy{Security: secFromSpec(pg.Security)}
			if pp.Security == nil {
				pp.Security = &types.HostNetworkSecurityPolicy{}
			}
			p.Spec = types.HostPortGroupSpec{Name: pg.Name, VlanId: int32(pg.VLAN), VswitchName: vs.Name, Policy: pp}
			n.Portgroup = append(n.Portgroup, p)
		}
	}
	l.recompute(h)
}

// recompute derives vswitch.portgroup keys, port-group computed policies and ports, then
// mirrors config.network into HostNetworkSystem.networkInfo.
func (l *Lab) recompute(h *labHost) {
	n := h.obj.Config.Network
	for i := range n.Vswitch {
		n.Vswitch[i].Portgroup = nil
	}
	for i := range n.Portgroup {
		p := &n.Portgroup[i]
		var sw *types.HostVirtualSwitch
		for j := range n.Vswitch {
			if n.Vswitch[j].Name == p.Spec.VswitchName {
				sw = &n.Vswitch[j]
			}
		}
		if sw == nil {
			continue
		}
		p.Key = pgKeyPrefix + p.Spec.Name
		p.Vswitch = sw.Key
		sw.Portgroup = append(sw.Portgroup, p.Key)
		cp := types.HostNetworkPolicy{}
		if sw.Spec.Policy != nil {
			cp = *sw.Spec.Policy
		}
		sec := copySec(cp.Security)
		if sec == nil {
			sec = &types.HostNetworkSecurityPolicy{AllowPromiscuous: types.NewBool(false), ForgedTransmits: types.NewBool(true), MacChanges: types.NewBool(true)}
		}
		if o := p.Spec.Policy.Security; o != nil {
			if o.AllowPromiscuous != nil {
				sec.AllowPromiscuous = types.NewBool(*o.AllowPromiscuous)
			}
			if o.ForgedTransmits != nil {
				sec.ForgedTransmits = types.NewBool(*o.ForgedTransmits)
			}
			if o.MacChanges != nil {
				sec.MacChanges = types.NewBool(*o.MacChanges)
			}
		}
		cp.Security = sec
		p.ComputedPolicy = cp
	}
	// Mirror into the HostNetworkSystem copy (separate slices, same content).
	ni := h.hns.NetworkInfo
	if ni == nil {
		ni = &types.HostNetworkInfo{}
		h.hns.NetworkInfo = ni
	}
	ni.Vswitch = append([]types.HostVirtualSwitch(nil), n.Vswitch...)
	ni.Portgroup = append([]types.HostPortGroup(nil), n.Portgroup...)
}

// syncNetwork emits leaf-path changes for both copies. Caller holds the HNS and host locks.
func (l *Lab) syncNetwork(h *labHost, vswitch, portgroup bool) {
	n := h.obj.Config.Network
	var hc, nc []types.PropertyChange
	if vswitch {
		hc = append(hc, types.PropertyChange{Name: "config.network.vswitch", Val: append([]types.HostVirtualSwitch(nil), n.Vswitch...)})
		nc = append(nc, types.PropertyChange{Name: "networkInfo.vswitch", Val: append([]types.HostVirtualSwitch(nil), n.Vswitch...)})
	}
	if portgroup {
		hc = append(hc, types.PropertyChange{Name: "config.network.portgroup", Val: append([]types.HostPortGroup(nil), n.Portgroup...)})
		nc = append(nc, types.PropertyChange{Name: "networkInfo.portgroup", Val: append([]types.HostPortGroup(nil), n.Portgroup...)})
	}
	simulator.Map.Update(h.obj, hc)
	simulator.Map.Update(h.hns, nc)
}

// ensureNetwork makes sure a Network entity named name exists in the datacenter and links it
// with the host. Must be called WITHOUT the host's HNS lock held by this goroutine? No: the
// stock AddPortGroup only takes the network folder's lock, so holding HNS/host locks is fine.
func (l *Lab) ensureNetwork(ctx *simulator.Context, h *labHost, name, vswitch string) {
	folder := simulator.Map.Get(l.dcNetFolder).(*simulator.Folder)
	var found mo.Entity
	simulator.Map.WithLock(folder, func() { found = simulator.Map.FindByName(name, folder.ChildEntity) })
	if found == nil {
		// The stock method creates the Network entity; our recompute() overwrites networkInfo after.
		saved := h.hns.NetworkInfo
		h.hns.NetworkInfo = &types.HostNetworkInfo{Vswitch: []types.HostVirtualSwitch{{Name: vswitch}}}
		h.hns.HostNetworkSystem.AddPortGroup(ctx, &types.AddPortGroup{Portgrp: types.HostPortGroupSpec{Name: name, VswitchName: vswitch}})
		h.hns.NetworkInfo = saved
		simulator.Map.WithLock(folder, func() { found = simulator.Map.FindByName(name, folder.ChildEntity) })
		if found == nil {
			return
		}
	}
	ref := found.Reference()
	if net, ok := found.(*mo.Network); ok {
		simulator.Map.WithLock(net, func() {
			if simulator.FindReference(net.Host, h.ref) == nil {
				net.Host = append(net.Host, h.ref)
			}
		})
	}
	if simulator.FindReference(h.obj.Network, ref) == nil {
		h.obj.Network = append(h.obj.Network, ref)
	}
}

func findVS(n *types.HostNetworkInfo, name string) int {
	for i := range n.Vswitch {
		if n.Vswitch[i].Name == name {
			return i
		}
	}
	return -1
}

func findPG(n *types.HostNetworkInfo, name string) int {
	for i := range n.Portgroup {
		if n.Portgroup[i].Spec.Name == name {
			return i
		}
	}
	return -1
}

// netChange runs f on the host's canonical network config under the host lock, recomputes,
// and emits updates. The caller must hold the HNS lock (SOAP dispatch does; HostAPI takes it).
func (l *Lab) netChange(h *labHost, vswitch, portgroup bool, f func(n *types.HostNetworkInfo) types.BaseMethodFault) types.BaseMethodFault {
	var fault types.BaseMethodFault
	simulator.Map.WithLock(h.obj, func() {
		fault = f(h.obj.Config.Network)
		if fault != nil {
			return
		}
		l.recompute(h)
		l.syncNetwork(h, vswitch, portgroup)
	})
	return fault
}

func (l *Lab) doUpdateVirtualSwitch(h *labHost, name string, spec types.HostVirtualSwitchSpec) types.BaseMethodFault {
	return l.netChange(h, true, true, func(n *types.HostNetworkInfo) types.BaseMethodFault {
		i := findVS(n, name)
		if i < 0 {
			return &types.NotFound{}
		}
		if spec.Mtu != 0 && (spec.Mtu < 1280 || spec.Mtu > 9000) {
			return &types.InvalidArgument{InvalidProperty: "spec.mtu"}
		}
		if spec.NumPorts < 0 || spec.NumPorts > 4088 {
			return &types.InvalidArgument{InvalidProperty: "spec.numPorts"}
		}
		sw := &n.Vswitch[i]
		old := sw.Spec
		ns := old
		if spec.NumPorts != 0 {
			ns.NumPorts = spec.NumPorts
		}
		if spec.Mtu != 0 {
			ns.Mtu = spec.Mtu
			sw.Mtu = spec.Mtu
		}
		// bridge NULL unsets the uplinks (as the API documents).
		ns.Bridge = spec.Bridge
		sw.Pnic = nil
		if b, ok := spec.Bridge.(*types.HostVirtualSwitchBondBridge); ok {
			for _, nic := range b.NicDevice {
				sw.Pnic = append(sw.Pnic, "key-vim.host.PhysicalNic-"+nic)
			}
		}
		if spec.Policy != nil {
			p := *spec.Policy
			if old.Policy != nil {
				// Unset members keep their current values.
				if p.NicTeaming == nil {
					p.NicTeaming = old.Policy.NicTeaming
				}
				if p.OffloadPolicy == nil {
					p.OffloadPolicy = old.Policy.OffloadPolicy
				}
				if p.ShapingPolicy == nil {
					p.ShapingPolicy = old.Policy.ShapingPolicy
				}
				sec := copySec(p.Security)
				if sec == nil {
					sec = copySec(old.Policy.Security)
				} else if os := old.Policy.Security; os != nil {
					if sec.AllowPromiscuous == nil {
						sec.AllowPromiscuous = os.AllowPromiscuous
					}
					if sec.ForgedTransmits == nil {
						sec.ForgedTransmits = os.ForgedTransmits
					}
					if sec.MacChanges == nil {
						sec.MacChanges = os.MacChanges
					}
				}
				p.Security = sec
			}
			ns.Policy = &p
		}
		sw.Spec = ns
		return nil
	})
}

func validVLAN(v int32) bool { return v >= 0 && v <= 4095 }

func (l *Lab) doAddPortGroup(ctx *simulator.Context, h *labHost, pg types.HostPortGroupSpec) types.BaseMethodFault {
	if pg.Name == "" {
		return &types.InvalidArgument{InvalidProperty: "portgrp.name"}
	}
	if !validVLAN(pg.VlanId) {
		return &types.InvalidArgument{InvalidProperty: "portgrp.vlanId"}
	}
	var fault types.BaseMethodFault
	simulator.Map.WithLock(h.obj, func() {
		n := h.obj.Config.Network
		if findVS(n, pg.VswitchName) < 0 {
			fault = &types.NotFound{}
			return
		}
		if findPG(n, pg.Name) >= 0 {
			fault = &types.AlreadyExists{Name: pg.Name}
		}
	})
	if fault != nil {
		return fault
	}
	l.ensureNetwork(ctx, h, pg.Name, pg.VswitchName)
	return l.netChange(h, true, true, func(n *types.HostNetworkInfo) types.BaseMethodFault {
		if findPG(n, pg.Name) >= 0 {
			return &types.AlreadyExists{Name: pg.Name}
		}
		p := types.HostPortGroup{Spec: pg}
		if p.Spec.Policy.Security == nil {
			p.Spec.Policy.Security = &types.HostNetworkSecurityPolicy{}
		}
		n.Portgroup = append(n.Portgroup, p)
		return nil
	})
}

func (l *Lab) doRemovePortGroup(h *labHost, name string) types.BaseMethodFault {
	return l.netChange(h, true, true, func(n *types.HostNetworkInfo) types.BaseMethodFault {
		i := findPG(n, name)
		if i < 0 {
			return &types.NotFound{}
		}
		if l.pgInUse(h, name) {
			return &types.ResourceInUse{Name: name}
		}
		n.Portgroup = append(n.Portgroup[:i:i], n.Portgroup[i+1:]...)
		return nil
	})
}

func (l *Lab) doUpdatePortGroup(h *labHost, name string, pg types.HostPortGroupSpec) types.BaseMethodFault {
	if !validVLAN(pg.VlanId) {
		return &types.InvalidArgument{InvalidProperty: "portgrp.vlanId"}
	}
	return l.netChange(h, true, true, func(n *types.HostNetworkInfo) types.BaseMethodFault {
		i := findPG(n, name)
		if i < 0 {
			return &types.NotFound{}
		}
		if pg.VswitchName != "" && findVS(n, pg.VswitchName) < 0 {
			return &types.NotFound{}
		}
		if pg.Name != "" && pg.Name != name && findPG(n, pg.Name) >= 0 {
			return &types.AlreadyExists{Name: pg.Name}
		}
		p := &n.Portgroup[i]
		ns := pg
		if ns.Name == "" {
			ns.Name = name
		}
		if ns.VswitchName == "" {
			ns.VswitchName = p.Spec.VswitchName
		}
		if ns.Policy.Security == nil {
			ns.Policy.Security = &types.HostNetworkSecurityPolicy{}
		} else {
			ns.Policy.Security = copySec(ns.Policy.Security)
		}
		p.Spec = ns
		return nil
	})
}

// pgInUse: a powered-on VM of this host has a NIC on it. Caller holds the host lock only.
func (l *Lab) pgInUse(h *labHost, pg string) bool {
	for _, vn := range h.vms {
		for _, nic := range l.vms[vn].spec.NICs {
			if nic.Network == pg && l.vmPoweredOn(l.vms[vn]) {
				return true
			}
		}
	}
	return false
}

func (s *extHostNetworkSystem) labHost() *labHost { return s.lab.hosts[s.host] }

func soapFault(f types.BaseMethodFault, format string, args ...interface{}) *soap.Fault {
	return simulator.Fault(fmt.Sprintf(format, args...), f)
}

func (s *extHostNetworkSystem) UpdateVirtualSwitch(ctx *simulator.Context, req *types.UpdateVirtualSwitch) soap.HasFault {
	body := &methods.UpdateVirtualSwitchBody{}
	if f := s.lab.doUpdateVirtualSwitch(s.labHost(), req.VswitchName, req.Spec); f != nil {
		body.Fault_ = soapFault(f, "%s", faultMessage(f, req.VswitchName))
		return body
	}
	body.Res = &types.UpdateVirtualSwitchResponse{}
	return body
}

func (s *extHostNetworkSystem) UpdatePortGroup(ctx *simulator.Context, req *types.UpdatePortGroup) soap.HasFault {
	body := &methods.UpdatePortGroupBody{}
	if f := s.lab.doUpdatePortGroup(s.labHost(), req.PgName, req.Portgrp); f != nil {
		body.Fault_ = soapFault(f, "%s", faultMessage(f, req.PgName))
		return body
	}
	body.Res = &types.UpdatePortGroupResponse{}
	return body
}

func (s *extHostNetworkSystem) AddPortGroup(ctx *simulator.Context, req *types.AddPortGroup) soap.HasFault {
	body := &methods.AddPortGroupBody{}
	if f := s.lab.doAddPortGroup(ctx, s.labHost(), req.Portgrp); f != nil {
		body.Fault_ = soapFault(f, "%s", faultMessage(f, req.Portgrp.Name))
		return body
	}
	body.Res = &types.AddPortGroupResponse{}
	return body
}

func (s *extHostNetworkSystem) RemovePortGroup(ctx *simulator.Context, req *types.RemovePortGroup) soap.HasFault {
	body := &methods.RemovePortGroupBody{}
	if f := s.lab.doRemovePortGroup(s.labHost(), req.PgName); f != nil {
		body.Fault_ = soapFault(f, "%s", faultMessage(f, req.PgName))
		return body
	}
	body.Res = &types.RemovePortGroupResponse{}
	return body
}

func faultMessage(f types.BaseMethodFault, name string) string {
	switch x := f.(type) {
	case *types.NotFound:
		return fmt.Sprintf("The object or item referred to could not be found: %q.", name)
	case *types.AlreadyExists:
		return fmt.Sprintf("The specified key, name, or identifier '%s' already exists.", name)
	case *types.InvalidArgument:
		return fmt.Sprintf("A specified parameter was not correct: %s", x.InvalidProperty)
	case *types.ResourceInUse:
		return fmt.Sprintf("The resource '%s' is in use.", name)
	}
	return ""
}

package main

import (
	"reflect"
	"unsafe"

	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25/types"
)

func clearSessions(sm *simulator.SessionManager) {
	f := reflect.ValueOf(sm).Elem().FieldByName("sessions")
	if !f.IsValid() {
		return
	}
	f = reflect.NewAt(f.Type(), unsafe.Pointer(f.UnsafeAddr())).Elem()
	f.Set(reflect.MakeMap(f.Type()))
}

type SecurityState struct {
	Promiscuous     *bool `json:"promiscuous"`
	ForgedTransmits *bool `json:"forged_transmits"`
	MacChanges      *bool `json:"mac_changes"`
}

func secState(s *types.HostNetworkSecurityPolicy) SecurityState {
	if s == nil {
		return SecurityState{}
	}
	c := copySec(s)
	return SecurityState{c.AllowPromiscuous, c.ForgedTransmits, c.MacChanges}
}

type PortGroupState struct {
	Name      string        `json:"name"`
	VSwitch   string        `json:"vswitch"`
	VLAN      int32         `json:"vlan"`
	Override  SecurityState `json:"override"`
	Effective SecurityState `json:"effective"`
}

type VSwitchState struct {
	Name       string        `json:"name"`
	Uplinks    []string      `json:"uplinks"`
	MTU        int32         `json:"mtu"`
	NumPorts   int32         `json:"num_ports"`
	Security   SecurityState `json:"security"`
	PortGroups []string      `json:"portgroups"`
}

type HostState struct {
	Name       string           `json:"name"`
	Moref      string           `json:"moref"`
	Cluster    string           `json:"cluster"`
	BackingVM  string           `json:"backing_vm,omitempty"`
	UUID       string           `json:"uuid"`
	Vmk0MAC    string           `json:"vmk0_mac"`
	Connection string           `json:"connection_state"`
	SSHUp      bool             `json:"ssh_up"`
	VSwitches  []VSwitchState   `json:"vswitches"`
	PortGroups []PortGroupState `json:"portgroups"`
	CPUPercent float64          `json:"cpu_percent"`
	Model      *HostModel       `json:"model"`
}

type VMState struct {
	Name     string    `json:"name"`
	Moref    string    `json:"moref"`
	Host     string    `json:"host"`
	VMID     int       `json:"vmid"`
	Power    string    `json:"power"`
	Version  string    `json:"version"`
	NestedHV bool      `json:"nested_hv"`
	UUID     string    `json:"uuid"`
	GuestID  string    `json:"guest_id"`
	Tools    string    `json:"tools"`
	VMX      string    `json:"vmx"`
	PPS      []float64 `json:"pps"`
	Networks []string  `json:"networks"`
}

type LabState struct {
	VCenter    string       `json:"vcenter"`
	VCenterUp  bool         `json:"vcenter_up"`
	Datacenter string       `json:"datacenter"`
	LatencyMS  int64        `json:"latency_ms"`
	Faults     []faultRule  `json:"faults"`
	Model      *ModelParams `json:"model_params"`
	Hosts      []HostState  `json:"hosts"`
	VMs        []VMState    `json:"vms"`
}

// State is the ground truth of the whole lab (GET /state).
func (l *Lab) State(vcUp bool) *LabState {
	st := &LabState{VCenter: l.spec.VCenter, VCenterUp: vcUp, Datacenter: l.spec.Datacenter, Model: l.spec.Model}
	l.mu.Lock()
	st.LatencyMS = l.latency.Milliseconds()
	for _, f := range l.faults {
		st.Faults = append(st.Faults, *f)
	}
	l.mu.Unlock()
	for _, name := range l.hostOrder {
		h := l.hosts[name]
		hs := HostState{Name: name, Moref: h.ref.Value, Cluster: h.cluster, BackingVM: h.backingVM, SSHUp: l.Up(name)}
		simulator.Map.WithLock(h.obj, func() {
			hs.UUID = h.obj.Hardware.SystemInfo.Uuid
			for _, v := range h.obj.Config.Network.Vnic {
				if v.Device == "vmk0" {
					hs.Vmk0MAC = v.Spec.Mac
				}
			}
			hs.Connection = string(h.obj.Runtime.ConnectionState)
			n := h.obj.Config.Network
			for _, sw := range n.Vswitch {
				vs := VSwitchState{Name: sw.Name, MTU: sw.Mtu, NumPorts: sw.Spec.NumPorts}
				if b, ok := sw.Spec.Bridge.(*types.HostVirtualSwitchBondBridge); ok {
					vs.Uplinks = append(vs.Uplinks, b.NicDevice...)
				}
				if sw.Spec.Policy != nil {
					vs.Security = secState(sw.Spec.Policy.Security)
				}
				for _, pg := range n.Portgroup {
					if pg.Spec.VswitchName == sw.Name {
						vs.PortGroups = append(vs.PortGroups, pg.Spec.Name)
					}
				}
				hs.VSwitches = append(hs.VSwitches, vs)
			}
			for _, pg := range n.Portgroup {
				hs.PortGroups = append(hs.PortGroups, PortGroupState{Name: pg.Spec.Name, VSwitch: pg.Spec.VswitchName, VLAN: pg.Spec.VlanId,
					Override: secState(pg.Spec.Policy.Security), Effective: secState(pg.ComputedPolicy.Security)})
			}
		})
		hs.Model = l.ComputeHostModel(name)
		hs.CPUPercent = hs.Model.CPUPercent
		st.Hosts = append(st.Hosts, hs)
	}
	l.mu.Lock()
	pps := map[string][]float64{}
	for k, v := range l.pps {
		pps[k] = append([]float64(nil), v...)
	}
	l.mu.Unlock()
	for _, name := range l.vmOrder {
		v := l.vms[name]
		vs := VMState{Name: name, Moref: v.ref.Value, Host: v.host, VMID: v.id, VMX: l.vmxPath(v), PPS: pps[name]}
		for _, n := range v.spec.NICs {
			vs.Networks = append(vs.Networks, n.Network)
		}
		simulator.Map.WithLock(v.obj, func() {
			vm := &v.obj.VirtualMachine
			vs.Power = string(vm.Runtime.PowerState)
			vs.Version = vm.Config.Version
			vs.NestedHV = vm.Config.NestedHVEnabled != nil && *vm.Config.NestedHVEnabled
			vs.UUID = vm.Config.Uuid
			vs.GuestID = vm.Config.GuestId
			if vm.Guest != nil {
				vs.Tools = vm.Guest.ToolsRunningStatus
			}
		})
		st.VMs = append(st.VMs, vs)
	}
	return st
}

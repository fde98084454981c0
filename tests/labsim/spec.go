package main

import (
	"crypto/md5"
	"encoding/json"
	"fmt"
	"io/ioutil"
	"net"
	"regexp"
	"strconv"
	"strings"
)

// LabSpec is the lab description read from --lab FILE (see README.md).
type LabSpec struct {
	VCenter    string        `json:"vcenter"`    // "vc-lab"
	Datacenter string        `json:"datacenter"` // "Lab"
	Clusters   []ClusterSpec `json:"clusters"`
	VMs        []VMSpec      `json:"vms"`
	Model      *ModelParams  `json:"model,omitempty"`
	// Standalone: every host standalone in the datacenter (a ComputeResource each), no
	// clusters; the esx-host personality sets it (a hostd has no clusters).
	Standalone bool `json:"standalone,omitempty"`
}

type ClusterSpec struct {
	Name  string     `json:"name"`
	Hosts []HostSpec `json:"hosts"`
}

type CPUSpec struct {
	Packages int `json:"packages"`
	Cores    int `json:"cores"`
	Threads  int `json:"threads"`
	MHz      int `json:"mhz"`
}

type HostSpec struct {
	Name       string        `json:"name"`
	BackingVM  string        `json:"backing_vm,omitempty"` // nested host: the VM whose config.uuid is our BIOS UUID
	CPU        *CPUSpec      `json:"cpu,omitempty"`
	MemoryMB   int64         `json:"memory_mb,omitempty"`
	BaseCPU    float64       `json:"base_cpu"`             // % of host CPU used with no VM load
	Connection string        `json:"connection,omitempty"` // connected (default) | notResponding | disconnected
	SSH        *bool         `json:"ssh,omitempty"`        // SSH answering at start (default true)
	Version    string        `json:"version,omitempty"`    // "8.0.3"
	Build      string        `json:"build,omitempty"`      // "24677879"
	VSwitches  []VSwitchSpec `json:"vswitches,omitempty"`  // default: vSwitch0/vmnic0 with Management Network + VM Network
	Vmk0MAC    string        `json:"vmk0_mac,omitempty"`   // MAC of VMkernel NIC vmk0; default: stable per host name
	VCLS       bool          `json:"vcls,omitempty"`       // runs a vCLS agent VM (ESXi 8/9): listed by getallvms with "[] /var/run/crx/..." only, not in vCenter
}

type SecuritySpec struct {
	Promiscuous     *bool `json:"promiscuous,omitempty"`
	ForgedTransmits *bool `json:"forged_transmits,omitempty"`
	MacChanges      *bool `json:"mac_changes,omitempty"`
}

type VSwitchSpec struct {
	Name       string          `json:"name"`
	Uplinks    []string        `json:"uplinks"`
	MTU        int             `json:"mtu,omitempty"`
	NumPorts   int             `json:"num_ports,omitempty"`
	Security   SecuritySpec    `json:"security"`
	PortGroups []PortGroupSpec `json:"portgroups"`
}

type PortGroupSpec struct {
	Name     string       `json:"name"`
	VLAN     int          `json:"vlan"`
	Security SecuritySpec `json:"security"` // overrides; absent = inherit
}

type NICSpec struct {
	Network string  `json:"network"` // port group name on the VM's host
	PPS     float64 `json:"pps"`     // frames per second the NIC sends
}

type VMSpec struct {
	Name       string    `json:"name"`
	Host       string    `json:"host"`
	Guest      string    `json:"guest"`
	CPUs       int       `json:"cpus"`
	MemoryMB   int64     `json:"memory_mb"`
	Version    string    `json:"version"` // "vmx-10"
	PowerOn    bool      `json:"power_on"`
	NestedHV   bool      `json:"nested_hv"`
	Tools      string    `json:"tools,omitempty"` // "running" | "" (not running)
	CPULoad    float64   `json:"cpu_load"`        // % of its host's CPU the VM uses when powered on
	NICs       []NICSpec `json:"nics"`
	Annotation string    `json:"annotation,omitempty"`
	UUID       string    `json:"uuid,omitempty"` // BIOS UUID (config.uuid, uuid.bios); default: stable per name. Clones may share one.
}

func boolp(b bool) *bool { return &b }

func loadSpec(path string) (*LabSpec, error) {
	data, err := ioutil.ReadFile(path)
	if err != nil {
		return nil, err
	}
	s := LabSpec{Model: defaultModelParams()}
	if err := json.Unmarshal(data, &s); err != nil {
		return nil, fmt.Errorf("%s: %v", path, err)
	}
	return &s, s.normalize()
}

// normalize fills defaults and validates references.
func (s *LabSpec) normalize() error {
	if s.VCenter == "" {
		s.VCenter = "vc-lab"
	}
	if s.Datacenter == "" {
		s.Datacenter = "Lab"
	}
	if s.Model == nil {
		s.Model = defaultModelParams()
	}
	hosts := map[string]*HostSpec{}
	for ci := range s.Clusters {
		for hi := range s.Clusters[ci].Hosts {
			h := &s.Clusters[ci].Hosts[hi]
			if h.Name == "" {
				return fmt.Errorf("cluster %q: host without a name", s.Clusters[ci].Name)
			}
			if hosts[h.Name] != nil {
				return fmt.Errorf("host %q listed twice", h.Name)
			}
			hosts[h.Name] = h
			if h.CPU == nil {
				if h.BackingVM != "" {
					h.CPU = &CPUSpec{Packages: 1, Cores: 2, Threads: 2, MHz: 2600}
				} else {
					h.CPU = &CPUSpec{Packages: 2, Cores: 16, Threads: 32, MHz: 2600}
				}
			}
			if h.MemoryMB == 0 {
				h.MemoryMB = 131072
			}
			if h.Connection == "" {
				h.Connection = "connected"
			}
			if h.SSH == nil {
				h.SSH = boolp(true)
			}
			if h.Version == "" {
				h.Version = "8.0.3"
			}
			if h.Build == "" {
				h.Build = "24677879"
			}
			if h.Vmk0MAC == "" {
				h.Vmk0MAC = stableMAC(h.Name, h.BackingVM != "")
			} else if hw, err := net.ParseMAC(h.Vmk0MAC); err != nil || len(hw) != 6 {
				return fmt.Errorf("host %q: bad vmk0_mac %q", h.Name, h.Vmk0MAC)
			} else {
				h.Vmk0MAC = hw.String()
			}
			if len(h.VSwitches) == 0 {
				h.VSwitches = []VSwitchSpec{defaultVSwitch()}
			}
			for vi := range h.VSwitches {
				v := &h.VSwitches[vi]
				if v.MTU == 0 {
					v.MTU = 1500
				}
				if v.NumPorts == 0 {
					v.NumPorts = 128
				}
				if v.Security.Promiscuous == nil {
					v.Security.Promiscuous = boolp(false)
				}
				if v.Security.ForgedTransmits == nil {
					v.Security.ForgedTransmits = boolp(true)
				}
				if v.Security.MacChanges == nil {
					v.Security.MacChanges = boolp(true)
				}
			}
		}
	}
	vms := map[string]bool{}
	for i := range s.VMs {
		v := &s.VMs[i]
		if vms[v.Name] {
			return fmt.Errorf("VM %q listed twice", v.Name)
		}
		vms[v.Name] = true
		if hosts[v.Host] == nil {
			return fmt.Errorf("VM %q: unknown host %q", v.Name, v.Host)
		}
		if v.CPUs == 0 {
			v.CPUs = 1
		}
		if v.MemoryMB == 0 {
			v.MemoryMB = 1024
		}
		if v.Version == "" {
			v.Version = "vmx-10"
		}
		if v.UUID != "" && !uuidRE.MatchString(v.UUID) {
			return fmt.Errorf("VM %q: bad uuid %q (want 8-4-4-4-12 hex digits)", v.Name, v.UUID)
		}
		if v.Guest == "" {
			v.Guest = "otherLinux64Guest"
		}
		if _, err := strconv.Atoi(strings.TrimPrefix(v.Version, "vmx-")); err != nil || !strings.HasPrefix(v.Version, "vmx-") {
			return fmt.Errorf("VM %q: bad version %q (want vmx-NN)", v.Name, v.Version)
		}
	}
	for _, h := range hosts {
		if h.BackingVM != "" && !vms[h.BackingVM] {
			return fmt.Errorf("host %q: unknown backing VM %q", h.Name, h.BackingVM)
		}
	}
	return nil
}

var uuidRE = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)

// stableMAC is a host's default vmk0 MAC: VMware's 00:50:56 for a nested host (a VM's NIC), a
// NIC vendor's prefix for a physical one, the rest from the host name.
func stableMAC(name string, nested bool) string {
	h := md5.Sum([]byte("labsim-mac:" + name))
	prefix := "24:6e:96" // a physical NIC (Dell/Broadcom)
	if nested {
		prefix = "00:50:56"
	}
	return fmt.Sprintf("%s:%02x:%02x:%02x", prefix, h[0]&0x3f, h[1], h[2])
}

func defaultVSwitch() VSwitchSpec {
	return VSwitchSpec{
		Name: "vSwitch0", Uplinks: []string{"vmnic0"}, MTU: 1500, NumPorts: 128,
		Security:   SecuritySpec{Promiscuous: boolp(false), ForgedTransmits: boolp(true), MacChanges: boolp(true)},
		PortGroups: []PortGroupSpec{{Name: "Management Network"}, {Name: "VM Network"}},
	}
}

// scaleSpec generates a lab of n physical hosts and m VMs: every 10th VM is a nested-ESXi VM
// (vmx-10, nested HV, powered on) backing one nested host; nested hosts form clusters of up
// to 8 hosts ("Nested-1", ...); physical hosts form clusters of up to 32 ("Physical-1", ...).
// The remaining VMs are spread round-robin over physical hosts (9 of 10) and nested hosts.
func scaleSpec(n, m int) *LabSpec {
	s := &LabSpec{VCenter: "vc-scale", Datacenter: "Lab"}
	var phys []string
	for i := 0; i < n; i++ {
		if i%32 == 0 {
			s.Clusters = append(s.Clusters, ClusterSpec{Name: fmt.Sprintf("Physical-%d", i/32+1)})
		}
		name := fmt.Sprintf("esx-p%04d.lab.invalid", i+1)
		c := &s.Clusters[len(s.Clusters)-1]
		c.Hosts = append(c.Hosts, HostSpec{Name: name, BaseCPU: 5})
		phys = append(phys, name)
	}
	nNested := m / 10
	var nested []string
	for i := 0; i < nNested; i++ {
		vm := fmt.Sprintf("n-esx%04d", i+1)
		s.VMs = append(s.VMs, VMSpec{Name: vm, Host: phys[i%n], Guest: "vmkernel65Guest", CPUs: 2, MemoryMB: 6144,
			Version: "vmx-10", PowerOn: true, NestedHV: true, Tools: "running", CPULoad: 2,
			NICs: []NICSpec{{Network: "VM Network", PPS: 500}}})
	}
	nestedClusterStart := len(s.Clusters)
	for i := 0; i < nNested; i++ {
		if i%8 == 0 {
			s.Clusters = append(s.Clusters, ClusterSpec{Name: fmt.Sprintf("Nested-%d", i/8+1)})
		}
		name := fmt.Sprintf("esx-n%04d.lab.invalid", i+1)
		c := &s.Clusters[len(s.Clusters)-1]
		c.Hosts = append(c.Hosts, HostSpec{Name: name, BackingVM: fmt.Sprintf("n-esx%04d", i+1), BaseCPU: 3})
		nested = append(nested, name)
	}
	_ = nestedClusterStart
	for i := 0; len(s.VMs) < m; i++ {
		host := phys[i%n]
		if len(nested) > 0 && i%10 == 9 {
			host = nested[(i/10)%len(nested)]
		}
		s.VMs = append(s.VMs, VMSpec{Name: fmt.Sprintf("vm%05d", i+1), Host: host, Guest: "ubuntu64Guest", CPUs: 1,
			MemoryMB: 1024, Version: "vmx-13", PowerOn: i%3 != 0, CPULoad: 0.5,
			NICs: []NICSpec{{Network: "VM Network", PPS: 100}}})
	}
	_ = s.normalize()
	return s
}

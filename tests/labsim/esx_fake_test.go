package main

// An in-memory HostAPI/HostDirectory for the SSH side's tests (test-only).

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

type fakeHost struct {
	mu     sync.Mutex
	name   string
	vsw    []VSwitch
	pgs    []PortGroup
	vms    []VM
	files  map[string][]byte
	nested map[int]bool // vmid -> nestedHVEnabled after reload
	hwver  map[int]string
	cpu    float64
}

func bp(b bool) *bool { return &b }

func newFakeHost(name string) *fakeHost {
	h := &fakeHost{
		name: name,
		vsw: []VSwitch{{Name: "vSwitch0", NumPorts: 2560, UsedPorts: 5, ConfiguredPorts: 128, MTU: 1500,
			CDPStatus: "listen", Uplinks: []string{"vmnic0"}, Portgroups: []string{"VM Network", "Management Network"},
			Security: Security{AllowPromiscuous: bp(false), ForgedTransmits: bp(true), MacChanges: bp(true)}}},
		pgs: []PortGroup{
			{Name: "Management Network", VSwitch: "vSwitch0", ActiveClients: 1},
			{Name: "VM Network", VSwitch: "vSwitch0"},
		},
		vms: []VM{
			{ID: 1, Name: "vcsa", File: "[datastore1] vcsa/vcsa.vmx", GuestID: "vmwarePhoton64Guest", Version: "vmx-10", PoweredOn: true},
			{ID: 4, Name: "n-esx04", File: "[datastore1] n-esx04/n-esx04.vmx", GuestID: "vmkernel65Guest", Version: "vmx-08"},
			{ID: 5, Name: "web 01 \"x\"", File: "[datastore1] web 01/web 01.vmx", GuestID: "otherLinux64Guest", Version: "vmx-10", PoweredOn: true, Annotation: "a note"},
		},
		files:  map[string][]byte{},
		nested: map[int]bool{},
		hwver:  map[int]string{},
		cpu:    12.5,
	}
	for _, vm := range h.vms {
		h.files[vmxPath(vm.File)] = []byte(fmt.Sprintf(".encoding = \"UTF-8\"\ndisplayName = \"%s\"\nvirtualHW.version = \"%s\"\nguestOS = \"%s\"\n",
			vm.Name, strings.TrimLeft(strings.TrimPrefix(vm.Version, "vmx-"), "0"), vm.GuestID))
	}
	return h
}

func (h *fakeHost) HostName() string { return h.name }
func (h *fakeHost) Version() (string, string, string, int, int) {
	return "VMware ESXi", "8.0.3", "Releasebuild-24677879", 3, 70
}
func (h *fakeHost) CPU() (int, int, int, int) { return 2, 16, 32, 3 }

func (h *fakeHost) VSwitches() []VSwitch {
	h.mu.Lock()
	defer h.mu.Unlock()
	out := make([]VSwitch, len(h.vsw))
	for i, v := range h.vsw {
		v.Uplinks = append([]string(nil), v.Uplinks...)
		v.Portgroups = nil
		for j := len(h.pgs) - 1; j >= 0; j-- { // newest first, like ESXi
			if h.pgs[j].VSwitch == v.Name {
				v.Portgroups = append(v.Portgroups, h.pgs[j].Name)
			}
		}
		out[i] = v
	}
	return out
}

func (h *fakeHost) SetVSwitchSecurity(name string, s Security) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	for i := range h.vsw {
		if h.vsw[i].Name == name {
			if s.AllowPromiscuous != nil {
				h.vsw[i].Security.AllowPromiscuous = bp(*s.AllowPromiscuous)
			}
			if s.ForgedTransmits != nil {
				h.vsw[i].Security.ForgedTransmits = bp(*s.ForgedTransmits)
			}
			if s.MacChanges != nil {
				h.vsw[i].Security.MacChanges = bp(*s.MacChanges)
			}
			return nil
		}
	}
	return &APIError{Kind: "NotFound", Msg: "vswitch not found"}
}

func (h *fakeHost) PortGroups() []PortGroup {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]PortGroup(nil), h.pgs...)
}

func (h *fakeHost) AddPortGroup(name, vswitch string) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, p := range h.pgs {
		if p.Name == name {
			return &APIError{Kind: "AlreadyExists", Msg: "exists"}
		}
	}
	h.pgs = append(h.pgs, PortGroup{Name: name, VSwitch: vswitch})
	return nil
}

func (h *fakeHost) RemovePortGroup(name, vswitch string) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	for i, p := range h.pgs {
		if p.Name == name && p.VSwitch == vswitch {
			if p.ActiveClients > 0 {
				return &APIError{Kind: "ResourceInUse", Msg: "in use"}
			}
			h.pgs = append(h.pgs[:i], h.pgs[i+1:]...)
			return nil
		}
	}
	return &APIError{Kind: "NotFound", Msg: "not found"}
}

func (h *fakeHost) SetPortGroupVLAN(name string, vlan int) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	if vlan < 0 || vlan > 4095 {
		return &APIError{Kind: "InvalidArgument", Msg: "vlan"}
	}
	for i := range h.pgs {
		if h.pgs[i].Name == name {
			h.pgs[i].VLAN = vlan
			return nil
		}
	}
	return &APIError{Kind: "NotFound", Msg: "not found"}
}

func (h *fakeHost) SetPortGroupSecurity(name string, s Security, useVSwitch bool) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	for i := range h.pgs {
		if h.pgs[i].Name == name {
			if useVSwitch {
				h.pgs[i].Override = Security{}
			}
			if s.AllowPromiscuous != nil {
				h.pgs[i].Override.AllowPromiscuous = bp(*s.AllowPromiscuous)
			}
			if s.ForgedTransmits != nil {
				h.pgs[i].Override.ForgedTransmits = bp(*s.ForgedTransmits)
			}
			if s.MacChanges != nil {
				h.pgs[i].Override.MacChanges = bp(*s.MacChanges)
			}
			return nil
		}
	}
	return &APIError{Kind: "NotFound", Msg: "not found"}
}

func (h *fakeHost) VMs() []VM {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]VM(nil), h.vms...)
}

func (h *fakeHost) SetPower(vmid int, on bool) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	for i := range h.vms {
		if h.vms[i].ID == vmid {
			if h.vms[i].PoweredOn == on {
				return &APIError{Kind: "InvalidPowerState", Msg: "already"}
			}
			h.vms[i].PoweredOn = on
			return nil
		}
	}
	return &APIError{Kind: "NotFound", Msg: "no vm"}
}

func (h *fakeHost) ReadFile(p string) ([]byte, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	d, ok := h.files[p]
	if !ok {
		return nil, os.ErrNotExist
	}
	return append([]byte(nil), d...), nil
}

func (h *fakeHost) WriteFile(p string, data []byte) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.files[p] = append([]byte(nil), data...)
	return nil
}

var vmxLine = regexp.MustCompile(`(?m)^\s*([A-Za-z0-9_.:]+)\s*=\s*"([^"]*)"`)

func (h *fakeHost) ReloadVM(vmid int) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	for i := range h.vms {
		if h.vms[i].ID == vmid {
			data := h.files[vmxPath(h.vms[i].File)]
			h.nested[vmid] = false
			for _, m := range vmxLine.FindAllStringSubmatch(string(data), -1) {
				switch strings.ToLower(m[1]) {
				case "vhv.enable":
					h.nested[vmid] = strings.EqualFold(m[2], "true")
				case "virtualhw.version":
					h.hwver[vmid] = "vmx-" + m[2]
				}
			}
			return nil
		}
	}
	return &APIError{Kind: "NotFound", Msg: "no vm"}
}

func (h *fakeHost) Esxtop() EsxtopSample {
	h.mu.Lock()
	defer h.mu.Unlock()
	return EsxtopSample{CPUUtilPercent: h.cpu, Ports: []EsxtopPort{
		{VSwitch: "vSwitch0", PortID: 33554433, Client: "vmnic0", PktsRxPerSec: 1000, PktsTxPerSec: 900, MbitsRxSec: 8.5, MbitsTxSec: 7.25},
		{VSwitch: "vSwitch0", PortID: 33554434, Client: "Management", PktsRxPerSec: 10, PktsTxPerSec: 5, MbitsRxSec: 0.1, MbitsTxSec: 0.05},
		{VSwitch: "vSwitch0", PortID: 33554435, Client: "web 01 \"x\"", PktsRxPerSec: 500, PktsTxPerSec: 400, MbitsRxSec: 4, MbitsTxSec: 3},
	}}
}

type fakeDir struct {
	mu    sync.Mutex
	hosts []*fakeHost
	down  map[string]bool
}

func newFakeDir(names ...string) *fakeDir {
	d := &fakeDir{down: map[string]bool{}}
	for _, n := range names {
		d.hosts = append(d.hosts, newFakeHost(n))
	}
	return d
}

func (d *fakeDir) Hosts() []HostAPI {
	out := make([]HostAPI, len(d.hosts))
	for i, h := range d.hosts {
		out[i] = h
	}
	return out
}

func (d *fakeDir) Up(name string) bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	return !d.down[name]
}

func (d *fakeDir) setUp(name string, up bool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.down[name] = !up
}

// run executes a command line against h and returns stdout, stderr and the exit status.
func esxRun(t *testing.T, h HostAPI, line string) (string, string, int) {
	t.Helper()
	var out, errb bytes.Buffer
	env := &esxEnv{ctx: context.Background(), api: h, stdout: &out, stderr: &errb,
		sleep: func(ctx context.Context, d time.Duration) bool { return true }}
	st := runESXiCommandLine(env, line)
	return out.String(), errb.String(), st
}

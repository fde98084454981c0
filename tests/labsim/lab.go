package main

import (
	"context"
	"crypto/md5"
	"fmt"
	"net"
	"reflect"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/vmware/govmomi/object"
	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/simulator/esx"
	"github.com/vmware/govmomi/vim25"
	"github.com/vmware/govmomi/vim25/mo"
	"github.com/vmware/govmomi/vim25/types"
)

// Lab is the whole simulated lab: vcsim's inventory plus what vcsim does not model
// (traffic, SSH up/down, per-host files). vcsim's objects are the single source of truth
// for everything vCenter reports; Lab only keeps references to them.
type Lab struct {
	spec     *LabSpec
	stateDir string
	dsDir    string
	model    *simulator.Model
	svc      *simulator.Service
	client   *vim25.Client
	isession *simulator.Session

	dc          types.ManagedObjectReference
	dcNetFolder types.ManagedObjectReference

	hosts     map[string]*labHost
	hostOrder []string
	vms       map[string]*labVM
	vmOrder   []string
	byRef     map[types.ManagedObjectReference]string // host or VM name by moref
	counters  perfCounterIDs

	mu      sync.Mutex // guards the fields below (never held while taking a vcsim lock)
	down    map[string]bool
	hung    map[string]bool      // commands on these hosts never finish (control API /host/X/hang)
	pps     map[string][]float64 // VM name -> pps per NIC
	files   map[string][]byte    // host + "\x00" + path -> content written over SSH
	vclsOff map[string]bool      // hosts whose vCLS agent VM was powered off over SSH
	latency time.Duration
	faults  map[string]*faultRule
	calls   map[string]int
	persona Personality // the shapes the SDK answers in (personality.go)
	// stopAfter: once a call of this method has come, the SDK call after it stops vCenter
	// unanswered (control API POST /vcenter/stop {"after":"M"}); stopNow is then set.
	stopAfter string
	stopNow   bool
	stopSDK   func()
}

type labHost struct {
	name      string
	spec      *HostSpec
	cluster   string
	ref       types.ManagedObjectReference
	obj       *simulator.HostSystem
	hnsRef    types.ManagedObjectReference
	hns       *extHostNetworkSystem
	backingVM string
	vms       []string // VM names, in spec order
}

type labVM struct {
	name string
	spec *VMSpec
	host string
	ref  types.ManagedObjectReference
	obj  *extVM
	id   int
}

func stableUUID(s string) string {
	h := md5.Sum([]byte("labsim:" + s))
	h[6] = (h[6] & 0x0f) | 0x30
	h[8] = (h[8] & 0x3f) | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", h[0:4], h[4:6], h[6:8], h[8:10], h[10:16])
}

// vmUUID is a VM's BIOS UUID: the spec's (clones share one) or a stable one per name.
func vmUUID(vs *VMSpec) string {
	if vs.UUID != "" {
		return strings.ToLower(vs.UUID)
	}
	return stableUUID("vm:" + vs.Name)
}

// scrubIPs rewrites every IPv4 address outside 127.0.0.0/8 found in string fields
// (masks and 0.0.0.0 excepted) to 127.0.0.1, so no client ever sees a routable address.
func scrubIPs(v reflect.Value, depth int) {
	if depth > 40 {
		return
	}
	switch v.Kind() {
	case reflect.Ptr, reflect.Interface:
		if !v.IsNil() {
			scrubIPs(v.Elem(), depth+1)
		}
	case reflect.Struct:
		for i := 0; i < v.NumField(); i++ {
			if v.Type().Field(i).PkgPath != "" {
				continue
			}
			scrubIPs(v.Field(i), depth+1)
		}
	case reflect.Slice, reflect.Array:
		for i := 0; i < v.Len(); i++ {
			scrubIPs(v.Index(i), depth+1)
		}
	case reflect.String:
		s := v.String()
		if ip := net.ParseIP(s); ip != nil && ip.To4() != nil && v.CanSet() {
			b := ip.To4()
			if b[0] != 127 && b[0] != 0 && b[0] != 255 {
				v.SetString("127.0.0.1")
			}
		}
	}
}

func newLab(spec *LabSpec, stateDir, dsDir string) (*Lab, error) {
	l := &Lab{spec: spec, stateDir: stateDir, dsDir: dsDir,
		hosts: map[string]*labHost{}, vms: map[string]*labVM{}, byRef: map[types.ManagedObjectReference]string{},
		down: map[string]bool{}, hung: map[string]bool{}, pps: map[string][]float64{}, files: map[string][]byte{},
		faults: map[string]*faultRule{}, calls: map[string]int{}}

	// Templates first: no address outside 127.0.0.0/8 anywhere.
	scrubIPs(reflect.ValueOf(esx.HostConfigInfo), 0)
	scrubIPs(reflect.ValueOf(esx.HostHardwareInfo), 0)
	scrubIPs(reflect.ValueOf(&esx.HostSystem), 0)

	m := simulator.VPX()
	m.Datacenter, m.Portgroup, m.Host, m.Cluster, m.ClusterHost, m.Datastore, m.Machine = 0, 0, 0, 0, 0, 0, 0
	m.Autostart = false
	if err := m.Create(); err != nil {
		return nil, err
	}
	l.model = m
	l.svc = m.Service
	l.isession = &simulator.Session{UserSession: types.UserSession{Key: "labsim", UserName: "root"}, Registry: simulator.NewRegistry()}
	var err error
	l.client, err = vim25.NewClient(context.Background(), l.svc)
	if err != nil {
		return nil, err
	}
	if err := l.build(); err != nil {
		return nil, err
	}
	return l, nil
}

func (l *Lab) ictx() *simulator.Context {
	return &simulator.Context{Context: context.Background(), Map: simulator.Map, Session: l.isession}
}

func (l *Lab) build() error {
	ctx := context.Background()
	c := l.client
	spec := l.spec
	root := object.NewRootFolder(c)
	dc, err := root.CreateDatacenter(ctx, spec.Datacenter)
	if err != nil {
		return err
	}
	folders, err := dc.Folders(ctx)
	if err != nil {
		return err
	}
	l.dc = dc.Reference()
	l.dcNetFolder = folders.NetworkFolder.Reference()

	// About: name the vCenter.
	sc := simulator.Map.Get(vim25.ServiceInstance).(*simulator.ServiceInstance)
	sc.Content.About.InstanceUuid = stableUUID(spec.VCenter)
	if set := simulator.Map.OptionManager(); set != nil {
		for _, s := range set.Setting {
			if o := s.GetOptionValue(); o.Key == "VirtualCenter.InstanceName" {
				o.Value = spec.VCenter
			}
		}
	}

	pools := map[string]*object.ResourcePool{}
	var hostObjs []*object.HostSystem
	for ci := range spec.Clusters {
		cs := &spec.Clusters[ci]
		var cl *object.ClusterComputeResource
		var pool *object.ResourcePool
		if !spec.Standalone {
			if cl, err = folders.HostFolder.CreateCluster(ctx, cs.Name, types.ClusterConfigSpecEx{}); err != nil {
				return err
			}
			if pool, err = cl.ResourcePool(ctx); err != nil {
				return err
			}
		}
		for hi := range cs.Hosts {
			hs := &cs.Hosts[hi]
			connect := types.HostConnectSpec{HostName: hs.Name}
			var task *object.Task
			if spec.Standalone {
				task, err = folders.HostFolder.AddStandaloneHost(ctx, connect, true, nil, nil)
			} else {
				task, err = cl.AddHost(ctx, connect, true, nil, nil)
			}
			if err != nil {
				return err
			}
			info, err := task.WaitForResult(ctx, nil)
			if err != nil {
				return fmt.Errorf("add host %s: %v", hs.Name, err)
			}
			ref := info.Result.(types.ManagedObjectReference)
			h := &labHost{name: hs.Name, spec: hs, cluster: cs.Name, ref: ref, backingVM: hs.BackingVM}
			h.obj = simulator.Map.Get(ref).(*simulator.HostSystem)
			if spec.Standalone {
				h.cluster = ""
				if pool, err = object.NewComputeResource(c, *h.obj.Parent).ResourcePool(ctx); err != nil {
					return err
				}
			}
			l.hosts[hs.Name] = h
			l.byRef[ref] = hs.Name
			l.hostOrder = append(l.hostOrder, hs.Name)
			pools[hs.Name] = pool
			hostObjs = append(hostObjs, object.NewHostSystem(c, ref))
		}
	}

	// One datastore "datastore1" (a directory in the state dir) shared by all hosts.
	for _, ho := range hostObjs {
		dss, err := ho.ConfigManager().DatastoreSystem(ctx)
		if err != nil {
			return err
		}
		if _, err := dss.CreateLocalDatastore(ctx, "datastore1", l.dsDir); err != nil {
			return err
		}
	}

	// Host hardware, product, network; wrap each HostNetworkSystem.
	for _, name := range l.hostOrder {
		h := l.hosts[name]
		l.setupHost(h)
	}

	// Network entities for every port group name used anywhere.
	for _, name := range l.hostOrder {
		h := l.hosts[name]
		for _, vs := range h.spec.VSwitches {
			for _, pg := range vs.PortGroups {
				l.ensureNetwork(l.ictx(), h, pg.Name, vs.Name)
			}
		}
	}

	// VMs.
	for i := range spec.VMs {
		vs := &spec.VMs[i]
		h := l.hosts[vs.Host]
		var devices object.VirtualDeviceList
		for ni, nic := range vs.NICs {
			card := &types.VirtualVmxnet3{}
			card.Key = int32(4000 + ni)
			card.Backing = &types.VirtualEthernetCardNetworkBackingInfo{
				VirtualDeviceDeviceBackingInfo: types.VirtualDeviceDeviceBackingInfo{DeviceName: nic.Network}}
			card.Connectable = &types.VirtualDeviceConnectInfo{StartConnected: true, Connected: vs.PowerOn}
			card.AddressType = string(types.VirtualEthernetCardMacTypeGenerated)
			devices = append(devices, card)
		}
		dspec, _ := devices.ConfigSpec(types.VirtualDeviceConfigSpecOperationAdd)
		cfg := types.VirtualMachineConfigSpec{
			Name: vs.Name, GuestId: vs.Guest, NumCPUs: int32(vs.CPUs), NumCoresPerSocket: 1,
			MemoryMB: vs.MemoryMB, Version: vs.Version, Uuid: vmUUID(vs),
			NestedHVEnabled: types.NewBool(vs.NestedHV), Annotation: vs.Annotation,
			Files:        &types.VirtualMachineFileInfo{VmPathName: "[datastore1]"},
			DeviceChange: dspec,
		}
		task, err := folders.VmFolder.CreateVM(ctx, cfg, pools[vs.Host], object.NewHostSystem(c, h.ref))
		if err != nil {
			return err
		}
		info, err := task.WaitForResult(ctx, nil)
		if err != nil {
			return fmt.Errorf("create VM %s: %v", vs.Name, err)
		}
		ref := info.Result.(types.ManagedObjectReference)
		stock := simulator.Map.Get(ref).(*simulator.VirtualMachine)
		w := &extVM{VirtualMachine: *stock, lab: l, name: vs.Name}
		simulator.Map.Put(w)
		v := &labVM{name: vs.Name, spec: vs, host: vs.Host, ref: ref, obj: w}
		h.vms = append(h.vms, vs.Name)
		v.id = len(h.vms)
		l.vms[vs.Name] = v
		l.byRef[ref] = vs.Name
		l.vmOrder = append(l.vmOrder, vs.Name)
	}

	// Nested hosts: BIOS UUID = backing VM's config.uuid.
	for _, name := range l.hostOrder {
		h := l.hosts[name]
		if h.backingVM == "" {
			continue
		}
		u := l.vms[h.backingVM].obj.Config.Uuid
		h.obj.Hardware.SystemInfo.Uuid = u
		h.obj.Summary.Hardware.Uuid = u
	}

	l.wrapPropertyCollector()
	l.wrapPerformanceManager()
	l.counters = lookupCounters()
	l.applyInitialState(false)
	return nil
}

func (l *Lab) setupHost(h *labHost) {
	hs := h.spec
	o := h.obj
	cpu := hs.CPU
	o.Hardware.CpuInfo = types.HostCpuInfo{NumCpuPackages: int16(cpu.Packages), NumCpuCores: int16(cpu.Cores),
		NumCpuThreads: int16(cpu.Threads), Hz: int64(cpu.MHz) * 1000000}
	o.Hardware.MemorySize = hs.MemoryMB * 1024 * 1024
	o.Hardware.SystemInfo.Vendor = "VMware, Inc."
	o.Hardware.SystemInfo.Model = "VMware Virtual Platform"
	if h.backingVM == "" {
		o.Hardware.SystemInfo.Vendor = "Dell Inc."
		o.Hardware.SystemInfo.Model = "PowerEdge R640"
	}
	sh := o.Summary.Hardware
	sh.NumCpuPkgs = int16(cpu.Packages)
	sh.NumCpuCores = int16(cpu.Cores)
	sh.NumCpuThreads = int16(cpu.Threads)
	sh.CpuMhz = int32(cpu.MHz)
	sh.MemorySize = o.Hardware.MemorySize
	sh.Vendor = o.Hardware.SystemInfo.Vendor
	sh.Model = o.Hardware.SystemInfo.Model
	prod := types.AboutInfo{}
	if o.Config != nil && o.Config.Product.Name != "" {
		prod = o.Config.Product
	}
	prod.Name = "VMware ESXi"
	prod.Version = hs.Version
	prod.Build = hs.Build
	prod.FullName = fmt.Sprintf("VMware ESXi %s build-%s", hs.Version, hs.Build)
	prod.ApiType = "HostAgent"
	if o.Config != nil {
		o.Config.Product = prod
	}
	o.Summary.Config.Product = &prod
	o.Summary.ManagementServerIp = "127.0.0.1"
	o.Summary.Config.Port = 443
	scrubIPs(reflect.ValueOf(&o.HostSystem), 0)
	// vcsim gives every host the template's vmk0 MAC; each gets its own (or the spec's) here, in a
	// slice of its own so no two hosts share the template's backing array.
	if o.Config != nil {
		vnic := append([]types.HostVirtualNic(nil), o.Config.Network.Vnic...)
		for i := range vnic {
			if vnic[i].Device == "vmk0" {
				vnic[i].Spec.Mac = hs.Vmk0MAC
			}
		}
		o.Config.Network.Vnic = vnic
	}

	// Replace the stock HostNetworkSystem by our wrapper (embedded by VALUE, see vsphere.md §6.2).
	h.hnsRef = *o.ConfigManager.NetworkSystem
	stock := simulator.Map.Get(h.hnsRef).(*simulator.HostNetworkSystem)
	w := &extHostNetworkSystem{HostNetworkSystem: *stock, lab: l, host: h.name}
	w.Host = &o.HostSystem
	simulator.Map.Put(w)
	h.hns = w
	l.buildHostNetwork(h)
}

// applyInitialState puts every mutable thing back to the spec (startup and POST /reset).
func (l *Lab) applyInitialState(emit bool) {
	l.mu.Lock()
	l.down = map[string]bool{}
	l.hung = map[string]bool{}
	l.files = map[string][]byte{}
	l.vclsOff = map[string]bool{}
	l.pps = map[string][]float64{}
	for _, name := range l.hostOrder {
		if !*l.hosts[name].spec.SSH {
			l.down[name] = true
		}
	}
	for _, name := range l.vmOrder {
		v := l.vms[name]
		for _, n := range v.spec.NICs {
			l.pps[name] = append(l.pps[name], n.PPS)
		}
	}
	l.latency = 0
	l.faults = map[string]*faultRule{}
	l.stopAfter, l.stopNow = "", false
	l.mu.Unlock()

	for _, name := range l.hostOrder {
		h := l.hosts[name]
		simulator.Map.WithLock(h.hns, func() {
			simulator.Map.WithLock(h.obj, func() {
				if emit {
					l.buildHostNetwork(h)
					l.syncNetwork(h, true, true)
				}
				cs := types.HostSystemConnectionState(h.spec.Connection)
				h.obj.Runtime.ConnectionState = cs
				if emit {
					simulator.Map.Update(h.obj, []types.PropertyChange{{Name: "runtime.connectionState", Val: cs}})
				}
			})
		})
	}
	for _, name := range l.vmOrder {
		v := l.vms[name]
		simulator.Map.WithLock(v.obj, func() {
			vm := &v.obj.VirtualMachine
			state := types.VirtualMachinePowerStatePoweredOff
			if v.spec.PowerOn {
				state = types.VirtualMachinePowerStatePoweredOn
			}
			tools := string(types.VirtualMachineToolsRunningStatusGuestToolsNotRunning)
			toolsStatus := types.VirtualMachineToolsStatusToolsNotRunning
			if v.spec.Tools == "running" && v.spec.PowerOn {
				tools = string(types.VirtualMachineToolsRunningStatusGuestToolsRunning)
				toolsStatus = types.VirtualMachineToolsStatusToolsOk
			}
			changes := []types.PropertyChange{
				{Name: "runtime.powerState", Val: state},
				{Name: "summary.runtime.powerState", Val: state},
				{Name: "config.version", Val: v.spec.Version},
				{Name: "summary.config.hwVersion", Val: v.spec.Version},
				{Name: "config.nestedHVEnabled", Val: v.spec.NestedHV},
				{Name: "guest.toolsRunningStatus", Val: tools},
				{Name: "guest.toolsStatus", Val: toolsStatus},
				{Name: "summary.guest.toolsRunningStatus", Val: tools},
				{Name: "summary.guest.toolsStatus", Val: toolsStatus},
			}
			vm.Runtime.PowerState = state
			vm.Summary.Runtime.PowerState = state
			if state == types.VirtualMachinePowerStatePoweredOn && vm.Runtime.BootTime == nil {
				now := time.Now().Add(-time.Hour)
				vm.Runtime.BootTime = &now
				vm.Summary.Runtime.BootTime = &now
			}
			vm.Config.Version = v.spec.Version
			vm.Summary.Config.HwVersion = v.spec.Version
			vm.Config.NestedHVEnabled = types.NewBool(v.spec.NestedHV)
			if vm.Guest == nil {
				vm.Guest = &types.GuestInfo{}
			}
			vm.Guest.ToolsRunningStatus = tools
			vm.Guest.ToolsStatus = toolsStatus
			if vm.Summary.Guest == nil {
				vm.Summary.Guest = &types.VirtualMachineGuestSummary{}
			}
			vm.Summary.Guest.ToolsRunningStatus = tools
			vm.Summary.Guest.ToolsStatus = toolsStatus
			vm.Summary.Guest.GuestId = vm.Config.GuestId
			vm.Guest.GuestId = vm.Config.GuestId
			vm.Guest.HostName = ""
			vm.Guest.IpAddress = ""
			vm.Summary.Guest.IpAddress = ""
			if emit {
				simulator.Map.Update(vm, changes)
			}
		})
	}
}

func (l *Lab) hostByName(name string) *labHost { return l.hosts[name] }

func (l *Lab) sortedHostNames() []string {
	out := append([]string(nil), l.hostOrder...)
	sort.Strings(out)
	return out
}

func lowerFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToLower(s[:1]) + s[1:]
}

var _ = mo.HostSystem{}

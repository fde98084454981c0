package main

import (
	"hash/fnv"
	"math"
	"time"

	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25/types"
)

// ModelParams are the flooding model's constants (spec "model"; README "Flooding model").
type ModelParams struct {
	CostPerFrame      float64 `json:"cost_per_frame"`     // host CPU percentage points per delivered frame/s
	Noise             float64 `json:"noise"`              // CPU noise bound, +- percentage points
	PacketNoise       float64 `json:"packet_noise"`       // relative noise bound on packet counters (0.01 = 1%)
	BroadcastFraction float64 `json:"broadcast_fraction"` // broadcastRx = fraction x packetsRx
	FrameBytes        float64 `json:"frame_bytes"`        // average frame size for KBps / Mbit/s
	UplinkFraction    float64 `json:"uplink_fraction"`    // share of a vSwitch's frames that cross its uplinks
}

func defaultModelParams() *ModelParams {
	return &ModelParams{CostPerFrame: 0.001, Noise: 0.5, PacketNoise: 0.01, BroadcastFraction: 0.02, FrameBytes: 512, UplinkFraction: 0.5}
}

// PortModel is one VM NIC port on a host's vSwitch.
type PortModel struct {
	VSwitch     string  `json:"vswitch"`
	PortGroup   string  `json:"portgroup"`
	VM          string  `json:"vm"`
	NIC         int     `json:"nic"`
	DeviceKey   int     `json:"device_key"`
	PortID      int64   `json:"port_id"`
	TxPPS       float64 `json:"tx_pps"`
	RxPPS       float64 `json:"rx_pps"`
	Promiscuous bool    `json:"promiscuous"`
}

type VSwitchModel struct {
	Name         string   `json:"name"`
	Uplinks      []string `json:"uplinks"`
	FramesPerSec float64  `json:"frames_per_sec"` // F: sum of tx pps of powered-on ports
	PromiscPorts int      `json:"promiscuous_ports"`
	Delivered    float64  `json:"delivered_per_sec"` // sum of rx pps of its ports
	Flooded      float64  `json:"flooded_per_sec"`   // the extra part caused by promiscuous ports
	UplinkPPS    float64  `json:"uplink_pps"`
}

type VMModel struct {
	Name       string  `json:"name"`
	CPULoad    float64 `json:"cpu_load"` // spec, % of host
	RxPPS      float64 `json:"rx_pps"`
	TxPPS      float64 `json:"tx_pps"`
	HostShare  float64 `json:"host_cpu_share"` // cpu_load + cost*rx, % of host
	CPUPercent float64 `json:"cpu_percent"`    // of the VM's own vCPUs
	UsageMHz   float64 `json:"usage_mhz"`
	PoweredOn  bool    `json:"powered_on"`
}

// HostModel is the model's output for one host (noise-free).
type HostModel struct {
	Host        string         `json:"host"`
	BaseCPU     float64        `json:"base_cpu"`
	VMLoad      float64        `json:"vm_load"`           // sum of cpu_load of powered-on VMs
	Delivered   float64        `json:"delivered_per_sec"` // frames delivered to VM ports per second
	Flooded     float64        `json:"flooded_per_sec"`
	FrameCost   float64        `json:"frame_cost"`  // CostPerFrame x Delivered
	CPUPercent  float64        `json:"cpu_percent"` // base + VMLoad + FrameCost, clamped to 0..100
	CapacityMHz float64        `json:"capacity_mhz"`
	VSwitches   []VSwitchModel `json:"vswitches"`
	Ports       []PortModel    `json:"ports"`
	VMs         []VMModel      `json:"vms"`
}

// ComputeHostModel evaluates the flooding model for one host from the live lab state:
//
//	F(s)        = sum of tx pps of powered-on VM NICs on vSwitch s
//	rx(port)    = F(s) if the port's port group allows promiscuous (effective policy), else its own tx pps
//	delivered   = sum of rx(port) over all ports of the host
//	hostCPU%    = base_cpu + sum(cpu_load of powered-on VMs) + cost_per_frame * delivered
func (l *Lab) ComputeHostModel(name string) *HostModel {
	h := l.hosts[name]
	if h == nil {
		return nil
	}
	p := l.spec.Model
	hm := &HostModel{Host: name, BaseCPU: h.spec.BaseCPU}
	// Snapshot the network under the host lock.
	type pginfo struct {
		vswitch string
		promisc bool
	}
	pgs := map[string]pginfo{}
	var vsw []VSwitchModel
	var cores int16
	var mhz int32
	simulator.Map.WithLock(h.obj, func() {
		n := h.obj.Config.Network
		for _, sw := range n.Vswitch {
			var up []string
			if b, ok := sw.Spec.Bridge.(*types.HostVirtualSwitchBondBridge); ok {
				up = append(up, b.NicDevice...)
			}
			vsw = append(vsw, VSwitchModel{Name: sw.Name, Uplinks: up})
		}
		for _, pg := range n.Portgroup {
			pr := false
			if s := pg.ComputedPolicy.Security; s != nil && s.AllowPromiscuous != nil {
				pr = *s.AllowPromiscuous
			}
			pgs[pg.Spec.Name] = pginfo{vswitch: pg.Spec.VswitchName, promisc: pr}
		}
		cores = h.obj.Hardware.CpuInfo.NumCpuCores
		mhz = h.obj.Summary.Hardware.CpuMhz
	})
	hm.CapacityMHz = float64(cores) * float64(mhz)
	l.mu.Lock()
	pps := map[string][]float64{}
	for _, vn := range h.vms {
		pps[vn] = append([]float64(nil), l.pps[vn]...)
	}
	l.mu.Unlock()

	vsIndex := map[string]int{}
	for i := range vsw {
		vsIndex[vsw[i].Name] = i
	}
	portID := int64(50331650)
	for _, vn := range h.vms {
		v := l.vms[vn]
		on := false
		var vcpus int32
		simulator.Map.WithLock(v.obj, func() {
			on = v.obj.Runtime.PowerState == types.VirtualMachinePowerStatePoweredOn
			vcpus = v.obj.Config.Hardware.NumCPU
		})
		vm := VMModel{Name: vn, CPULoad: v.spec.CPULoad, PoweredOn: on}
		if on {
			hm.VMLoad += v.spec.CPULoad
			for i, nic := range v.spec.NICs {
				pg, ok := pgs[nic.Network]
				if !ok {
					continue
				}
				si, ok := vsIndex[pg.vswitch]
				if !ok {
					continue
				}
				rate := 0.0
				if i < len(pps[vn]) {
					rate = pps[vn][i]
				}
				portID++
				hm.Ports = append(hm.Ports, PortModel{VSwitch: pg.vswitch, PortGroup: nic.Network, VM: vn, NIC: i,
					DeviceKey: 4000 + i, PortID: portID, TxPPS: rate, Promiscuous: pg.promisc})
				vsw[si].FramesPerSec += rate
			}
		}
		_ = vcpus
		hm.VMs = append(hm.VMs, vm)
	}
	for i := range hm.Ports {
		pt := &hm.Ports[i]
		sw := &vsw[vsIndex[pt.VSwitch]]
		pt.RxPPS = pt.TxPPS
		if pt.Promiscuous {
			sw.PromiscPorts++
			pt.RxPPS = sw.FramesPerSec
			sw.Flooded += sw.FramesPerSec - pt.TxPPS
		}
		sw.Delivered += pt.RxPPS
	}
	for i := range vsw {
		vsw[i].UplinkPPS = vsw[i].FramesPerSec * p.UplinkFraction
		hm.Delivered += vsw[i].Delivered
		hm.Flooded += vsw[i].Flooded
	}
	hm.VSwitches = vsw
	hm.FrameCost = p.CostPerFrame * hm.Delivered
	hm.CPUPercent = clamp(hm.BaseCPU+hm.VMLoad+hm.FrameCost, 0, 100)
	for i := range hm.VMs {
		vm := &hm.VMs[i]
		for _, pt := range hm.Ports {
			if pt.VM == vm.Name {
				vm.RxPPS += pt.RxPPS
				vm.TxPPS += pt.TxPPS
			}
		}
		if vm.PoweredOn {
			vm.HostShare = vm.CPULoad + p.CostPerFrame*vm.RxPPS
			vm.UsageMHz = vm.HostShare / 100 * hm.CapacityMHz
			v := l.vms[vm.Name]
			cap := float64(v.spec.CPUs) * float64(mhz)
			if cap > 0 {
				vm.CPUPercent = clamp(100*vm.UsageMHz/cap, 0, 100)
			}
		}
	}
	return hm
}

func clamp(x, lo, hi float64) float64 { return math.Max(lo, math.Min(hi, x)) }

// noise returns a deterministic value in [-1, 1] for (key, t) so a sample never changes
// between queries.
func noise(key string, t time.Time) float64 {
	h := fnv.New64a()
	h.Write([]byte(key))
	var b [8]byte
	u := uint64(t.Unix())
	for i := 0; i < 8; i++ {
		b[i] = byte(u >> (8 * i))
	}
	h.Write(b[:])
	return float64(h.Sum64()%2000001)/1000000.0 - 1.0
}

// HostCPUSample is the model's CPU % with noise at time t (what QueryPerf/esxtop report).
func (l *Lab) HostCPUSample(hm *HostModel, key string, t time.Time) float64 {
	return clamp(hm.CPUPercent+l.spec.Model.Noise*noise(key, t), 0, 100)
}

func (l *Lab) packetSample(v float64, key string, t time.Time) float64 {
	return math.Max(0, v*(1+l.spec.Model.PacketNoise*noise(key, t)))
}

// Esxtop implements HostAPI.Esxtop from the same model.
func (l *Lab) esxtop(name string) EsxtopSample {
	hm := l.ComputeHostModel(name)
	now := time.Now()
	mbit := l.spec.Model.FrameBytes * 8 / 1e6
	s := EsxtopSample{CPUUtilPercent: l.HostCPUSample(hm, name+"/esxtop", now)}
	id := int64(33554433)
	for _, sw := range hm.VSwitches {
		s.Ports = append(s.Ports, EsxtopPort{VSwitch: sw.Name, PortID: id, Client: "Management"})
		id++
		for _, u := range sw.Uplinks {
			rx := l.packetSample(sw.UplinkPPS, name+"/"+u+"/rx", now)
			tx := l.packetSample(sw.UplinkPPS, name+"/"+u+"/tx", now)
			s.Ports = append(s.Ports, EsxtopPort{VSwitch: sw.Name, PortID: id, Client: u, PktsRxPerSec: rx, PktsTxPerSec: tx,
				MbitsRxSec: rx * mbit, MbitsTxSec: tx * mbit})
			id++
		}
		for _, pt := range hm.Ports {
			if pt.VSwitch != sw.Name {
				continue
			}
			rx := l.packetSample(pt.RxPPS, name+"/"+pt.VM+"/rx", now)
			tx := l.packetSample(pt.TxPPS, name+"/"+pt.VM+"/tx", now)
			s.Ports = append(s.Ports, EsxtopPort{VSwitch: sw.Name, PortID: pt.PortID, Client: pt.VM, PktsRxPerSec: rx,
				PktsTxPerSec: tx, MbitsRxSec: rx * mbit, MbitsTxSec: tx * mbit})
		}
	}
	return s
}

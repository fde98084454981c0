package main

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25"
	"github.com/vmware/govmomi/vim25/methods"
	"github.com/vmware/govmomi/vim25/soap"
	"github.com/vmware/govmomi/vim25/types"
)

// perfCounterIDs are vcsim's own counter ids (looked up by name, never invented).
type perfCounterIDs struct {
	CPUUsage, CPUUsageMHz, PacketsRx, BroadcastRx, Received int32
	byID                                                    map[int32]string
}

func perfMgr() *simulator.PerformanceManager {
	si := simulator.Map.Get(vim25.ServiceInstance).(*simulator.ServiceInstance)
	switch pm := simulator.Map.Get(*si.Content.PerfManager).(type) {
	case *simulator.PerformanceManager:
		return pm
	case *extPerformanceManager:
		return &pm.PerformanceManager
	}
	return nil
}

func lookupCounters() perfCounterIDs {
	ids := perfCounterIDs{byID: map[int32]string{}}
	for _, c := range perfMgr().PerfCounter {
		name := c.GroupInfo.GetElementDescription().Key + "." + c.NameInfo.GetElementDescription().Key + "." + string(c.RollupType)
		switch name {
		case "cpu.usage.average":
			ids.CPUUsage = c.Key
		case "cpu.usagemhz.average":
			ids.CPUUsageMHz = c.Key
		case "net.packetsRx.summation":
			ids.PacketsRx = c.Key
		case "net.broadcastRx.summation":
			ids.BroadcastRx = c.Key
		case "net.received.average":
			ids.Received = c.Key
		default:
			continue
		}
		ids.byID[c.Key] = name
	}
	return ids
}

// extPerformanceManager answers QueryPerf from the flooding model. Embeds the stock object by VALUE.
type extPerformanceManager struct {
	simulator.PerformanceManager
	lab *Lab
}

func (l *Lab) wrapPerformanceManager() {
	pm := perfMgr()
	simulator.Map.Put(&extPerformanceManager{PerformanceManager: *pm, lab: l})
}

const perfInterval = 20

// sampleTimes returns the sample timestamps for a spec, oldest first.
func sampleTimes(qs *types.PerfQuerySpec, now time.Time) []time.Time {
	newest := time.Unix(now.Unix()/perfInterval*perfInterval, 0).UTC()
	oldestAllowed := newest.Add(-time.Hour) // real-time data: one hour
	end := newest
	if qs.EndTime != nil && qs.EndTime.Before(end) {
		end = time.Unix(qs.EndTime.Unix()/perfInterval*perfInterval, 0).UTC()
	}
	var out []time.Time
	for t := end; !t.Before(oldestAllowed); t = t.Add(-perfInterval * time.Second) {
		if qs.StartTime != nil && !t.After(*qs.StartTime) {
			break
		}
		out = append(out, t)
		if qs.MaxSample > 0 && int32(len(out)) >= qs.MaxSample {
			break
		}
	}
	// reverse: oldest first
	for i, j := 0, len(out)-1; i < j; i, j = i+1, j-1 {
		out[i], out[j] = out[j], out[i]
	}
	return out
}

type series struct {
	id     types.PerfMetricId
	values []int64
}

func (p *extPerformanceManager) QueryPerf(ctx *simulator.Context, req *types.QueryPerf) soap.HasFault {
	body := &methods.QueryPerfBody{Res: &types.QueryPerfResponse{}}
	l := p.lab
	now := time.Now()
	for i := range req.QuerySpec {
		qs := &req.QuerySpec[i]
		if qs.IntervalId != 0 && qs.IntervalId != perfInterval && qs.IntervalId != -1 {
			// Only real-time statistics exist in the lab.
			body.Res = nil
			body.Fault_ = simulator.Fault(fmt.Sprintf("A specified parameter was not correct: querySpec.interval (%d)", qs.IntervalId),
				&types.InvalidArgument{InvalidProperty: "querySpec.interval"})
			return body
		}
		times := sampleTimes(qs, now)
		ss, ok := l.perfSeries(qs, times)
		if !ok {
			body.Res = nil
			body.Fault_ = simulator.Fault("The object has already been deleted or has not been completely created",
				&types.ManagedObjectNotFound{Obj: qs.Entity})
			return body
		}
		if len(times) == 0 {
			continue
		}
		if qs.Format == string(types.PerfFormatCsv) {
			m := &types.PerfEntityMetricCSV{}
			m.Entity = qs.Entity
			var info []string
			for _, t := range times {
				info = append(info, strconv.Itoa(perfInterval), t.Format(time.RFC3339))
			}
			m.SampleInfoCSV = strings.Join(info, ",")
			for _, s := range ss {
				var vals []string
				for _, v := range s.values {
					vals = append(vals, strconv.FormatInt(v, 10))
				}
				m.Value = append(m.Value, types.PerfMetricSeriesCSV{PerfMetricSeries: types.PerfMetricSeries{Id: s.id}, Value: strings.Join(vals, ",")})
			}
			body.Res.Returnval = append(body.Res.Returnval, m)
		} else {
			m := &types.PerfEntityMetric{}
			m.Entity = qs.Entity
			for _, t := range times {
				m.SampleInfo = append(m.SampleInfo, types.PerfSampleInfo{Timestamp: t, Interval: perfInterval})
			}
			for _, s := range ss {
				m.Value = append(m.Value, &types.PerfMetricIntSeries{PerfMetricSeries: types.PerfMetricSeries{Id: s.id}, Value: s.values})
			}
			body.Res.Returnval = append(body.Res.Returnval, m)
		}
	}
	return body
}

// instances lists the instances of a counter for an entity ("" aggregate first).
func (l *Lab) instances(counter string, kind string, hm *HostModel, vm string, vcpus int) []string {
	out := []string{""}
	switch {
	case strings.HasPrefix(counter, "cpu.") && kind == "HostSystem":
		h := l.hosts[hm.Host]
		for i := 0; i < h.spec.CPU.Threads; i++ {
			out = append(out, strconv.Itoa(i))
		}
	case strings.HasPrefix(counter, "cpu.") && kind == "VirtualMachine":
		for i := 0; i < vcpus; i++ {
			out = append(out, strconv.Itoa(i))
		}
	case strings.HasPrefix(counter, "net.") && kind == "HostSystem":
		seen := map[string]bool{}
		for _, sw := range hm.VSwitches {
			for _, u := range sw.Uplinks {
				if !seen[u] {
					seen[u] = true
					out = append(out, u)
				}
			}
		}
		sort.Strings(out[1:])
	case strings.HasPrefix(counter, "net.") && kind == "VirtualMachine":
		for i := range l.vms[vm].spec.NICs {
			out = append(out, strconv.Itoa(4000+i))
		}
	}
	return out
}

// perfSeries evaluates the requested metrics for one entity. ok=false: unknown entity.
func (l *Lab) perfSeries(qs *types.PerfQuerySpec, times []time.Time) ([]series, bool) {
	var hm *HostModel
	var vmName string
	var vmm *VMModel
	kind := qs.Entity.Type
	switch kind {
	case "HostSystem":
		if name, ok := l.byRef[qs.Entity]; ok && l.hosts[name] != nil {
			hm = l.ComputeHostModel(name)
		}
	case "VirtualMachine":
		if name, ok := l.byRef[qs.Entity]; ok && l.vms[name] != nil {
			vmName = name
			hm = l.ComputeHostModel(l.vms[name].host)
		}
		if hm != nil {
			for i := range hm.VMs {
				if hm.VMs[i].Name == vmName {
					vmm = &hm.VMs[i]
				}
			}
		}
	default:
		if simulator.Map.Get(qs.Entity) == nil {
			return nil, false
		}
		return nil, true // no model for other entity types: no series
	}
	if hm == nil {
		return nil, false
	}
	vcpus := 0
	if vmName != "" {
		vcpus = l.vms[vmName].spec.CPUs
	}
	ids := qs.MetricId
	if len(ids) == 0 {
		for _, c := range []int32{l.counters.CPUUsage, l.counters.CPUUsageMHz, l.counters.PacketsRx, l.counters.BroadcastRx, l.counters.Received} {
			ids = append(ids, types.PerfMetricId{CounterId: c})
		}
	}
	var out []series
	for _, mid := range ids {
		name, ok := l.counters.byID[mid.CounterId]
		if !ok {
			continue // counter without data for this entity
		}
		insts := []string{mid.Instance}
		if mid.Instance == "*" {
			insts = l.instances(name, kind, hm, vmName, vcpus)
		} else if mid.Instance != "" {
			found := false
			for _, x := range l.instances(name, kind, hm, vmName, vcpus) {
				found = found || x == mid.Instance
			}
			if !found {
				continue
			}
		}
		for _, inst := range insts {
			s := series{id: types.PerfMetricId{CounterId: mid.CounterId, Instance: inst}}
			for _, t := range times {
				s.values = append(s.values, l.metricValue(name, kind, hm, vmm, inst, t))
			}
			out = append(out, s)
		}
	}
	return out, true
}

func (l *Lab) metricValue(counter, kind string, hm *HostModel, vm *VMModel, inst string, t time.Time) int64 {
	p := l.spec.Model
	key := hm.Host
	if vm != nil {
		key = vm.Name
	}
	key += "/" + counter + "/" + inst
	var pct, rx, mhzCap float64
	if kind == "HostSystem" {
		pct = hm.CPUPercent
		mhzCap = hm.CapacityMHz
		rx = hm.Delivered
		if inst != "" && strings.HasPrefix(counter, "net.") {
			rx = 0
			for _, sw := range hm.VSwitches {
				for _, u := range sw.Uplinks {
					if u == inst {
						rx += sw.UplinkPPS
					}
				}
			}
		}
	} else {
		if vm == nil || !vm.PoweredOn {
			return 0
		}
		pct = vm.CPUPercent
		mhzCap = vm.UsageMHz / maxf(vm.CPUPercent/100, 1e-9)
		rx = vm.RxPPS
		if inst != "" && strings.HasPrefix(counter, "net.") {
			rx = 0
			for _, pt := range hm.Ports {
				if pt.VM == vm.Name && strconv.Itoa(pt.DeviceKey) == inst {
					rx = pt.RxPPS
				}
			}
		}
	}
	cpu := clamp(pct+p.Noise*noise(key, t), 0, 100)
	rxn := l.packetSample(rx, key, t)
	switch counter {
	case "cpu.usage.average":
		return int64(cpu*100 + 0.5)
	case "cpu.usagemhz.average":
		return int64(cpu/100*mhzCap + 0.5)
	case "net.packetsRx.summation":
		return int64(rxn*perfInterval + 0.5)
	case "net.broadcastRx.summation":
		return int64(rxn*perfInterval*p.BroadcastFraction + 0.5)
	case "net.received.average":
		return int64(rxn*p.FrameBytes/1024 + 0.5)
	}
	return 0
}

func maxf(a, b float64) float64 {
	if a > b {
		return a
	}
	return b
}

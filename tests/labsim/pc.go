package main

import (
	"crypto/rand"
	"encoding/hex"
	"strconv"
	"sync"

	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25"
	"github.com/vmware/govmomi/vim25/methods"
	"github.com/vmware/govmomi/vim25/soap"
	"github.com/vmware/govmomi/vim25/types"
)

// extPropertyCollector adds maxObjects paging with a token and ContinueRetrievePropertiesEx /
// CancelRetrievePropertiesEx. Embeds the stock collector by VALUE.
type extPropertyCollector struct {
	simulator.PropertyCollector
}

// pcLab is the lab whose personality the collectors follow. A package variable because vcsim
// clones the collector per session by reflection (a zero value), and its registry is global too.
var pcLab *Lab

type pendingPage struct {
	rest []types.ObjectContent
	size int32
}

var pages = struct {
	sync.Mutex
	m    map[string]pendingPage
	next int
}{m: map[string]pendingPage{}}

// newToken: random hex, or under legacy-ns a counter from "0" as vCenter 5.5 gives
// (real-formats/soap/miq_vc550sim_RetrievePropertiesExResponse_with_token.xml: <token>0</token>).
func newToken(p Personality) string {
	if p.LegacyNS {
		pages.Lock()
		defer pages.Unlock()
		pages.next++
		return strconv.Itoa(pages.next - 1)
	}
	b := make([]byte, 12)
	rand.Read(b)
	return hex.EncodeToString(b)
}

func (pc *extPropertyCollector) persona() Personality {
	if pcLab == nil {
		return Personality{}
	}
	pcLab.mu.Lock()
	defer pcLab.mu.Unlock()
	return pcLab.persona
}

// page cuts objs to max and stores the rest under a new token; under no-paging (like stock
// vcsim) max is ignored and everything goes in one reply.
func page(objs []types.ObjectContent, max int32, p Personality) ([]types.ObjectContent, string) {
	if max <= 0 || int(max) >= len(objs) || p.NoPaging {
		return objs, ""
	}
	tok := newToken(p)
	rest := append([]types.ObjectContent(nil), objs[max:]...)
	pages.Lock()
	pages.m[tok] = pendingPage{rest: rest, size: max}
	pages.Unlock()
	return objs[:max], tok
}

func (pc *extPropertyCollector) RetrievePropertiesEx(ctx *simulator.Context, r *types.RetrievePropertiesEx) soap.HasFault {
	res := pc.PropertyCollector.RetrievePropertiesEx(ctx, r)
	body, ok := res.(*methods.RetrievePropertiesExBody)
	if !ok || body.Fault_ != nil || body.Res == nil || body.Res.Returnval == nil {
		return res
	}
	if len(body.Res.Returnval.Objects) == 0 {
		// A real server answers an empty result with no returnval.
		body.Res.Returnval = nil
		return res
	}
	body.Res.Returnval.Objects, body.Res.Returnval.Token = page(body.Res.Returnval.Objects, r.Options.MaxObjects, pc.persona())
	return res
}

func (pc *extPropertyCollector) ContinueRetrievePropertiesEx(ctx *simulator.Context, r *types.ContinueRetrievePropertiesEx) soap.HasFault {
	body := &methods.ContinueRetrievePropertiesExBody{}
	pages.Lock()
	p, ok := pages.m[r.Token]
	delete(pages.m, r.Token)
	pages.Unlock()
	if !ok {
		body.Fault_ = simulator.Fault("A specified parameter was not correct: token", &types.InvalidArgument{InvalidProperty: "token"})
		return body
	}
	objs, tok := page(p.rest, p.size, pc.persona())
	body.Res = &types.ContinueRetrievePropertiesExResponse{Returnval: types.RetrieveResult{Objects: objs, Token: tok}}
	return body
}

func (pc *extPropertyCollector) CancelRetrievePropertiesEx(ctx *simulator.Context, r *types.CancelRetrievePropertiesEx) soap.HasFault {
	body := &methods.CancelRetrievePropertiesExBody{}
	pages.Lock()
	_, ok := pages.m[r.Token]
	delete(pages.m, r.Token)
	pages.Unlock()
	if !ok {
		body.Fault_ = simulator.Fault("A specified parameter was not correct: token", &types.InvalidArgument{InvalidProperty: "token"})
		return body
	}
	body.Res = &types.CancelRetrievePropertiesExResponse{}
	return body
}

func (pc *extPropertyCollector) CreatePropertyCollector(ctx *simulator.Context, c *types.CreatePropertyCollector) soap.HasFault {
	body := &methods.CreatePropertyCollectorBody{}
	cpc := &extPropertyCollector{}
	cpc.Self.Type = "PropertyCollector"
	body.Res = &types.CreatePropertyCollectorResponse{Returnval: ctx.Session.Put(cpc).Reference()}
	return body
}

func (l *Lab) wrapPropertyCollector() {
	si := simulator.Map.Get(vim25.ServiceInstance).(*simulator.ServiceInstance)
	stock := simulator.Map.Get(si.Content.PropertyCollector).(*simulator.PropertyCollector)
	w := &extPropertyCollector{PropertyCollector: *stock}
	pcLab = l
	simulator.Map.Put(w)
}

// Under the truncated personality WaitForUpdatesEx hands out at most truncatedMax object updates
// per reply (fewer if maxObjectUpdates says so), as a real vCenter may (vCenter 5.5's initial
// update came back as version "0_1" with <truncated>true</truncated>: real-formats/soap/
// miq_vc550sim_WaitForUpdatesExResponse_initial_version_0_1.xml): versions "V_1", "V_2", … carry
// the rest, the last piece carries the new version, and each continuation answers at once.
const truncatedMax = 3

type pendingUpdate struct {
	rest    []types.PropertyFilterUpdate
	base    string // the version the client asked from
	version string // the version of the whole update set
	piece   int
}

var pendingUpdates = struct {
	sync.Mutex
	m map[string]pendingUpdate // session + collector moref + continuation version
}{m: map[string]pendingUpdate{}}

func (pc *extPropertyCollector) WaitForUpdatesEx(ctx *simulator.Context, r *types.WaitForUpdatesEx) soap.HasFault {
	if !pc.persona().Truncated {
		return pc.PropertyCollector.WaitForUpdatesEx(ctx, r)
	}
	max := truncatedMax
	if r.Options != nil && r.Options.MaxObjectUpdates > 0 && int(r.Options.MaxObjectUpdates) < max {
		max = int(r.Options.MaxObjectUpdates)
	}
	owner := pc.Self.Value
	if ctx.Session != nil {
		owner = ctx.Session.Key + "\x00" + owner // the root collector is cloned per session
	}
	key := owner + "\x00" + r.Version
	pendingUpdates.Lock()
	p, ok := pendingUpdates.m[key]
	delete(pendingUpdates.m, key)
	pendingUpdates.Unlock()
	if !ok {
		res := pc.PropertyCollector.WaitForUpdatesEx(ctx, r)
		body, isBody := res.(*methods.WaitForUpdatesExBody)
		if !isBody || body.Fault_ != nil || body.Res == nil || body.Res.Returnval == nil {
			return res
		}
		base := r.Version
		if base == "" {
			base = "0"
		}
		p = pendingUpdate{rest: body.Res.Returnval.FilterSet, base: base, version: body.Res.Returnval.Version}
	}
	out, rest := cutUpdates(p.rest, max)
	set := &types.UpdateSet{FilterSet: out, Version: p.version}
	if len(rest) > 0 {
		p.piece++
		p.rest = rest
		set.Version = p.base + "_" + strconv.Itoa(p.piece)
		set.Truncated = types.NewBool(true)
		pendingUpdates.Lock()
		pendingUpdates.m[owner+"\x00"+set.Version] = p
		pendingUpdates.Unlock()
	}
	return &methods.WaitForUpdatesExBody{Res: &types.WaitForUpdatesExResponse{Returnval: set}}
}

// cutUpdates takes at most max object updates off the front of fs (a filter's missing set goes
// with its first piece).
func cutUpdates(fs []types.PropertyFilterUpdate, max int) (out, rest []types.PropertyFilterUpdate) {
	n := 0
	for i, f := range fs {
		if n >= max {
			return out, append(rest, fs[i:]...)
		}
		take := len(f.ObjectSet)
		if n+take > max {
			take = max - n
		}
		head := f
		head.ObjectSet = f.ObjectSet[:take]
		out = append(out, head)
		n += take
		if take < len(f.ObjectSet) {
			tail := types.PropertyFilterUpdate{Filter: f.Filter, ObjectSet: f.ObjectSet[take:]}
			return out, append(append(rest, tail), fs[i+1:]...)
		}
	}
	return out, rest
}

package main

// Integration tests of the vCenter side, over the wire: raw SOAP envelopes over HTTPS with a
// cookie jar (no govmomi client), plus the control API over HTTP.

import (
	"bytes"
	"crypto/tls"
	"encoding/json"
	"fmt"
	"io/ioutil"
	"log"
	"math"
	"net"
	"net/http"
	"net/http/cookiejar"
	"os"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

var (
	tLab    *Lab
	tSDK    *sdkServer
	tSDKURL string
	tCtl    string
	tMu     sync.Mutex // tests share one lab; run them one at a time
)

func TestMain(m *testing.M) {
	log.SetOutput(ioutil.Discard)
	spec, err := loadSpec("labs/default.json")
	if err != nil {
		panic(err)
	}
	dir, _ := ioutil.TempDir("", "labsim-test-")
	defer os.RemoveAll(dir)
	cert, _, err := loadOrCreateCert(dir)
	if err != nil {
		panic(err)
	}
	os.MkdirAll(dir+"/datastore1", 0700)
	t0 := time.Now()
	tLab, err = newLab(spec, dir, dir+"/datastore1")
	if err != nil {
		panic(err)
	}
	fmt.Printf("default lab built in %v\n", time.Since(t0))
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	tSDK = newSDKServer(tLab, cert, vcUser, "VMware1!", ln)
	tSDK.start(ln)
	tSDKURL = "https://" + tSDK.addr + "/sdk"
	cl, _ := net.Listen("tcp", "127.0.0.1:0")
	(&controlServer{lab: tLab, sdk: tSDK}).serve(cl)
	tCtl = "http://" + cl.Addr().String()
	os.Exit(m.Run())
}

type soapClient struct {
	t  *testing.T
	hc *http.Client
}

func newClient(t *testing.T) *soapClient {
	jar, _ := cookiejar.New(nil)
	return &soapClient{t: t, hc: &http.Client{Jar: jar, Timeout: 30 * time.Second,
		Transport: &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}}}}
}

func (c *soapClient) call(body string) (int, string) {
	env := `<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:xsd="http://www.w3.org/2001/XMLSchema"><soapenv:Body>` + body + `</soapenv:Body></soapenv:Envelope>`
	req, _ := http.NewRequest("POST", tSDKURL, strings.NewReader(env))
	req.Header.Set("Content-Type", "text/xml; charset=utf-8")
	res, err := c.hc.Do(req)
	if err != nil {
		c.t.Fatalf("SOAP call: %v", err)
	}
	defer res.Body.Close()
	b, _ := ioutil.ReadAll(res.Body)
	return res.StatusCode, string(b)
}

func (c *soapClient) ok(body string) string {
	c.t.Helper()
	code, out := c.call(body)
	if code != 200 {
		c.t.Fatalf("want 200, got %d: %s", code, out)
	}
	return out
}

func (c *soapClient) fault(body, kind string) string {
	c.t.Helper()
	code, out := c.call(body)
	if code != 500 || !strings.Contains(out, `xsi:type="`+kind+`"`) || !strings.Contains(out, "<"+kind+"Fault") {
		c.t.Fatalf("want HTTP 500 fault %s, got %d: %s", kind, code, out)
	}
	return out
}

func (c *soapClient) login() {
	c.ok(`<Login xmlns="urn:vim25"><_this type="SessionManager">SessionManager</_this><userName>administrator@vsphere.local</userName><password>VMware1!</password></Login>`)
}

func ctl(t *testing.T, method, path, body string) map[string]interface{} {
	t.Helper()
	req, _ := http.NewRequest(method, tCtl+path, strings.NewReader(body))
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("control %s: %v", path, err)
	}
	defer res.Body.Close()
	var out map[string]interface{}
	b, _ := ioutil.ReadAll(res.Body)
	json.Unmarshal(b, &out)
	if res.StatusCode != 200 {
		t.Fatalf("control %s: %d %s", path, res.StatusCode, b)
	}
	return out
}

func reset(t *testing.T) {
	ctl(t, "POST", "/reset", "")
}

func hostRef(name string) string { return tLab.hosts[name].ref.Value }
func hnsRef(name string) string  { return tLab.hosts[name].hnsRef.Value }
func vmRef(name string) string   { return tLab.vms[name].ref.Value }

func retrieveOne(c *soapClient, typ, moid string, paths ...string) string {
	var ps string
	for _, p := range paths {
		ps += "<pathSet>" + p + "</pathSet>"
	}
	return c.ok(`<RetrievePropertiesEx xmlns="urn:vim25"><_this type="PropertyCollector">propertyCollector</_this><specSet><propSet><type>` + typ + `</type>` + ps + `</propSet><objectSet><obj type="` + typ + `">` + moid + `</obj></objectSet></specSet><options/></RetrievePropertiesEx>`)
}

func vswitchSpec(promisc bool) string {
	return `<spec><numPorts>128</numPorts><bridge xsi:type="HostVirtualSwitchBondBridge"><nicDevice>vmnic0</nicDevice><beacon><interval>1</interval></beacon><linkDiscoveryProtocolConfig><protocol>cdp</protocol><operation>listen</operation></linkDiscoveryProtocolConfig></bridge><policy><security><allowPromiscuous>` + strconv.FormatBool(promisc) + `</allowPromiscuous><macChanges>true</macChanges><forgedTransmits>true</forgedTransmits></security></policy><mtu>1500</mtu></spec>`
}

func TestVCLoginRequiresPassword(t *testing.T) {
	tMu.Lock()
	defer tMu.Unlock()
	c := newClient(t)
	c.fault(`<Login xmlns="urn:vim25"><_this type="SessionManager">SessionManager</_this><userName>administrator@vsphere.local</userName><password>nope</password></Login>`, "InvalidLogin")
	c.fault(`<CreateContainerView xmlns="urn:vim25"><_this type="ViewManager">ViewManager</_this><container type="Folder">group-d1</container><type>HostSystem</type><recursive>true</recursive></CreateContainerView>`, "NotAuthenticated")
	c.login()
	c.ok(`<CreateContainerView xmlns="urn:vim25"><_this type="ViewManager">ViewManager</_this><container type="Folder">group-d1</container><type>HostSystem</type><recursive>true</recursive></CreateContainerView>`)
}

func TestVCNestedUUIDLink(t *testing.T) {
	tMu.Lock()
	defer tMu.Unlock()
	c := newClient(t)
	c.login()
	for i := 1; i <= 4; i++ {
		h := retrieveOne(c, "HostSystem", hostRef(fmt.Sprintf("esx-n0%d.lab.invalid", i)), "hardware.systemInfo.uuid")
		v := retrieveOne(c, "VirtualMachine", vmRef(fmt.Sprintf("n-esx0%d", i)), "config.uuid")
		hu := regexp.MustCompile(`<val[^>]*>([^<]+)</val>`).FindStringSubmatch(h)
		vu := regexp.MustCompile(`<val[^>]*>([^<]+)</val>`).FindStringSubmatch(v)
		if hu == nil || vu == nil || hu[1] != vu[1] {
			t.Fatalf("nested host %d: host uuid %v vm uuid %v", i, hu, vu)
		}
	}
	h := retrieveOne(c, "HostSystem", hostRef("esx-n04.lab.invalid"), "runtime.connectionState")
	if !strings.Contains(h, "notResponding") {
		t.Fatalf("esx-n04 should be notResponding: %s", h)
	}
}

func TestVCNoRoutableAddresses(t *testing.T) {
	tMu.Lock()
	defer tMu.Unlock()
	c := newClient(t)
	c.login()
	re := regexp.MustCompile(`>(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})<`)
	for _, name := range tLab.hostOrder {
		out := retrieveOne(c, "HostSystem", hostRef(name), "config", "summary", "hardware")
		for _, m := range re.FindAllStringSubmatch(out, -1) {
			if m[1] != "127" && m[1] != "0" && m[1] != "255" {
				t.Fatalf("host %s exposes %s", name, m[0])
			}
		}
	}
}

func TestVCUpdateVirtualSwitchBothCopies(t *testing.T) {
	tMu.Lock()
	defer tMu.Unlock()
	reset(t)
	c := newClient(t)
	c.login()
	h := "esx-p01.lab.invalid"
	c.ok(`<UpdateVirtualSwitch xmlns="urn:vim25"><_this type="HostNetworkSystem">` + hnsRef(h) + `</_this><vswitchName>vSwitch0</vswitchName>` + vswitchSpec(true) + `</UpdateVirtualSwitch>`)
	a := retrieveOne(c, "HostSystem", hostRef(h), "config.network.vswitch")
	b := retrieveOne(c, "HostNetworkSystem", hnsRef(h), "networkInfo.vswitch")
	for _, out := range []string{a, b} {
		if !strings.Contains(out, "<allowPromiscuous>true</allowPromiscuous>") {
			t.Fatalf("promiscuous not set: %s", out)
		}
	}
	pg := retrieveOne(c, "HostSystem", hostRef(h), "config.network.portgroup")
	if !strings.Contains(pg, "<computedPolicy>") || strings.Count(pg, "<allowPromiscuous>true</allowPromiscuous>") < 2 {
		t.Fatalf("computed policy of port groups not updated: %s", pg)
	}
	other := retrieveOne(c, "HostSystem", hostRef("esx-p02.lab.invalid"), "config.network.vswitch")
	if strings.Contains(other, "<allowPromiscuous>true</allowPromiscuous>") {
		t.Fatalf("other host changed too")
	}
	c.fault(`<UpdateVirtualSwitch xmlns="urn:vim25"><_this type="HostNetworkSystem">`+hnsRef(h)+`</_this><vswitchName>vSwitch9</vswitchName>`+vswitchSpec(true)+`</UpdateVirtualSwitch>`, "NotFound")
	// the SSH side sees the same state
	for _, api := range tLab.Hosts() {
		if api.HostName() == h {
			vs := api.VSwitches()
			if !*vs[0].Security.AllowPromiscuous {
				t.Fatalf("HostAPI does not see the change")
			}
		}
	}
}

func TestVCPortGroupFaults(t *testing.T) {
	tMu.Lock()
	defer tMu.Unlock()
	reset(t)
	c := newClient(t)
	c.login()
	h := "esx-p02.lab.invalid"
	add := `<AddPortGroup xmlns="urn:vim25"><_this type="HostNetworkSystem">` + hnsRef(h) + `</_this><portgrp><name>Nested-Trunk</name><vlanId>4095</vlanId><vswitchName>vSwitch0</vswitchName><policy/></portgrp></AddPortGroup>`
	c.ok(add)
	c.fault(add, "AlreadyExists")
	// same name on another host is fine
	c.ok(strings.Replace(add, hnsRef(h), hnsRef("esx-p01.lab.invalid"), 1))
	out := retrieveOne(c, "HostSystem", hostRef(h), "config.network.portgroup")
	if !strings.Contains(out, "<name>Nested-Trunk</name>") || !strings.Contains(out, "<vlanId>4095</vlanId>") {
		t.Fatalf("trunk port group missing in config.network: %s", out)
	}
	upd := func(pg string, vlan int) string {
		return `<UpdatePortGroup xmlns="urn:vim25"><_this type="HostNetworkSystem">` + hnsRef(h) + `</_this><pgName>` + pg + `</pgName><portgrp><name>` + pg + `</name><vlanId>` + strconv.Itoa(vlan) + `</vlanId><vswitchName>vSwitch0</vswitchName><policy><security><allowPromiscuous>true</allowPromiscuous></security></policy></portgrp></UpdatePortGroup>`
	}
	c.fault(upd("Nested-Trunk", 5000), "InvalidArgument")
	c.fault(upd("No-Such-PG", 10), "NotFound")
	c.ok(upd("Nested-Trunk", 4095))
	out = retrieveOne(c, "HostNetworkSystem", hnsRef(h), "networkInfo.portgroup")
	if !strings.Contains(out, "<allowPromiscuous>true</allowPromiscuous>") {
		t.Fatalf("override not in networkInfo: %s", out)
	}
	c.ok(`<RemovePortGroup xmlns="urn:vim25"><_this type="HostNetworkSystem">` + hnsRef(h) + `</_this><pgName>Nested-Trunk</pgName></RemovePortGroup>`)
	c.fault(`<RemovePortGroup xmlns="urn:vim25"><_this type="HostNetworkSystem">`+hnsRef(h)+`</_this><pgName>Nested-Trunk</pgName></RemovePortGroup>`, "NotFound")
}

func taskState(c *soapClient, task string) string {
	return retrieveOne(c, "Task", task, "info.state", "info.error")
}

func reconfig(c *soapClient, vm string, on bool) string {
	out := c.ok(`<ReconfigVM_Task xmlns="urn:vim25"><_this type="VirtualMachine">` + vmRef(vm) + `</_this><spec><nestedHVEnabled>` + strconv.FormatBool(on) + `</nestedHVEnabled></spec></ReconfigVM_Task>`)
	m := regexp.MustCompile(`<returnval type="Task">([^<]+)</returnval>`).FindStringSubmatch(out)
	if m == nil {
		c.t.Fatalf("no task: %s", out)
	}
	return taskState(c, m[1])
}

func TestVCReconfigNestedHV(t *testing.T) {
	tMu.Lock()
	defer tMu.Unlock()
	reset(t)
	c := newClient(t)
	c.login()
	out := reconfig(c, "n-esx01", false) // powered on
	if !strings.Contains(out, ">error<") || !strings.Contains(out, `:type="InvalidPowerState"`) {
		t.Fatalf("powered-on VM: want InvalidPowerState task error: %s", out)
	}
	out = reconfig(c, "n-esx04", true) // vmx-08, off
	if !strings.Contains(out, ">error<") || !strings.Contains(out, `:type="NotSupported"`) || !strings.Contains(out, "vmx-09") {
		t.Fatalf("vmx-08 VM: want NotSupported task error: %s", out)
	}
	out = reconfig(c, "kvm04", true) // vmx-13, off
	if !strings.Contains(out, ">success<") {
		t.Fatalf("kvm04: want success: %s", out)
	}
	v := retrieveOne(c, "VirtualMachine", vmRef("kvm04"), "config.nestedHVEnabled")
	if !strings.Contains(v, ">true<") {
		t.Fatalf("kvm04 nestedHVEnabled not true: %s", v)
	}
	// the ESXi side sees it in the .vmx
	for _, api := range tLab.Hosts() {
		if api.HostName() == "esx-p02.lab.invalid" {
			data, err := api.ReadFile("/vmfs/volumes/datastore1/kvm04/kvm04.vmx")
			if err != nil || !strings.Contains(string(data), `vhv.enable = "TRUE"`) {
				t.Fatalf("vmx: %v %s", err, data)
			}
		}
	}
}

func TestVCPaging(t *testing.T) {
	tMu.Lock()
	defer tMu.Unlock()
	c := newClient(t)
	c.login()
	view := c.ok(`<CreateContainerView xmlns="urn:vim25"><_this type="ViewManager">ViewManager</_this><container type="Folder">group-d1</container><type>VirtualMachine</type><recursive>true</recursive></CreateContainerView>`)
	vr := regexp.MustCompile(`<returnval type="ContainerView">([^<]+)</returnval>`).FindStringSubmatch(view)[1]
	req := func(max int) string {
		return `<RetrievePropertiesEx xmlns="urn:vim25"><_this type="PropertyCollector">propertyCollector</_this><specSet><propSet><type>VirtualMachine</type><pathSet>name</pathSet></propSet><objectSet><obj type="ContainerView">` + vr + `</obj><skip>true</skip><selectSet xsi:type="TraversalSpec"><name>v</name><type>ContainerView</type><path>view</path><skip>false</skip></selectSet></objectSet></specSet><options><maxObjects>` + strconv.Itoa(max) + `</maxObjects></options></RetrievePropertiesEx>`
	}
	tokRe := regexp.MustCompile(`<token>([^<]+)</token>`)
	out := c.ok(req(5))
	names := strings.Count(out, "<objects>")
	tok := tokRe.FindStringSubmatch(out)
	if names != 5 || tok == nil {
		t.Fatalf("first page: %d objects, token %v", names, tok)
	}
	pages := 1
	for tok != nil {
		out = c.ok(`<ContinueRetrievePropertiesEx xmlns="urn:vim25"><_this type="PropertyCollector">propertyCollector</_this><token>` + tok[1] + `</token></ContinueRetrievePropertiesEx>`)
		names += strings.Count(out, "<objects>")
		tok = tokRe.FindStringSubmatch(out)
		pages++
	}
	if names != len(tLab.vmOrder) || pages != 3 {
		t.Fatalf("paging: %d objects in %d pages, want %d in 3", names, pages, len(tLab.vmOrder))
	}
	c.fault(`<ContinueRetrievePropertiesEx xmlns="urn:vim25"><_this type="PropertyCollector">propertyCollector</_this><token>bogus</token></ContinueRetrievePropertiesEx>`, "InvalidArgument")
	out = c.ok(req(0))
	if strings.Count(out, "<objects>") != len(tLab.vmOrder) || strings.Contains(out, "<token>") {
		t.Fatalf("no maxObjects: want all objects and no token")
	}
}

func perfQuery(c *soapClient, entityType, moid string, counter int32, inst string, maxSample int, format string) string {
	return c.ok(`<QueryPerf xmlns="urn:vim25"><_this type="PerformanceManager">PerfMgr</_this><querySpec><entity type="` + entityType + `">` + moid + `</entity><maxSample>` + strconv.Itoa(maxSample) + `</maxSample><metricId><counterId>` + strconv.Itoa(int(counter)) + `</counterId><instance>` + inst + `</instance></metricId><intervalId>20</intervalId><format>` + format + `</format></querySpec></QueryPerf>`)
}

func TestVCQueryPerf(t *testing.T) {
	tMu.Lock()
	defer tMu.Unlock()
	reset(t)
	c := newClient(t)
	c.login()
	ids := tLab.counters
	if ids.CPUUsage != 2 || ids.PacketsRx != 146 || ids.BroadcastRx != 464 || ids.CPUUsageMHz != 6 || ids.Received != 148 {
		t.Fatalf("counter ids differ from vcsim's: %+v", ids)
	}
	h := hostRef("esx-p01.lab.invalid")
	out := perfQuery(c, "HostSystem", h, ids.CPUUsage, "", 3, "normal")
	ts := regexp.MustCompile(`<timestamp>([^<]+)</timestamp>`).FindAllStringSubmatch(out, -1)
	if len(ts) != 3 {
		t.Fatalf("maxSample 3: %d samples: %s", len(ts), out)
	}
	var prev time.Time
	for _, m := range ts {
		tt, _ := time.Parse(time.RFC3339, m[1])
		if !prev.IsZero() && !tt.After(prev) {
			t.Fatalf("samples not oldest-first: %v", ts)
		}
		prev = tt
	}
	// CSV
	out = perfQuery(c, "HostSystem", h, ids.CPUUsage, "", 4, "csv")
	si := regexp.MustCompile(`<sampleInfoCSV>([^<]+)</sampleInfoCSV>`).FindStringSubmatch(out)
	if !strings.Contains(out, `:type="PerfEntityMetricCSV"`) || si == nil || len(strings.Split(si[1], ",")) != 8 || !strings.HasPrefix(si[1], "20,") {
		t.Fatalf("csv: %s", out)
	}
	vals := regexp.MustCompile(`<value><id><counterId>2</counterId><instance></instance></id><value>([^<]+)</value></value>`).FindStringSubmatch(out)
	if vals == nil || len(strings.Split(vals[1], ",")) != 4 {
		t.Fatalf("csv values: %s", out)
	}
	// instance expansion
	out = perfQuery(c, "HostSystem", h, ids.CPUUsage, "*", 1, "csv")
	if n := strings.Count(out, "<counterId>2</counterId>"); n != 33 {
		t.Fatalf("cpu * on 32 threads: %d series", n)
	}
	out = perfQuery(c, "HostSystem", h, ids.PacketsRx, "*", 1, "normal")
	if !strings.Contains(out, "<instance>vmnic0</instance>") || !strings.Contains(out, "<instance></instance>") {
		t.Fatalf("net * should list aggregate and vmnic0: %s", out)
	}
	// several querySpecs in one call
	two := `<QueryPerf xmlns="urn:vim25"><_this type="PerformanceManager">PerfMgr</_this>`
	for _, e := range []string{`<entity type="HostSystem">` + h + `</entity>`, `<entity type="VirtualMachine">` + vmRef("n-esx01") + `</entity>`} {
		two += `<querySpec>` + e + `<maxSample>2</maxSample><metricId><counterId>2</counterId><instance></instance></metricId><intervalId>20</intervalId><format>csv</format></querySpec>`
	}
	out = c.ok(two + `</QueryPerf>`)
	if strings.Count(out, `:type="PerfEntityMetricCSV"`) != 2 {
		t.Fatalf("two specs: %s", out)
	}
}

// lastCSV returns the newest value of a single-series CSV QueryPerf answer.
func lastCSV(t *testing.T, out string) float64 {
	m := regexp.MustCompile(`<value><id>.*?</id><value>([^<]+)</value></value>`).FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("no csv value: %s", out)
	}
	parts := strings.Split(m[1], ",")
	v, _ := strconv.ParseFloat(parts[len(parts)-1], 64)
	return v
}

func TestVCFloodingRaisesCPU(t *testing.T) {
	tMu.Lock()
	defer tMu.Unlock()
	reset(t)
	c := newClient(t)
	c.login()
	p1, p2 := "esx-p01.lab.invalid", "esx-p02.lab.invalid"
	before1 := tLab.ComputeHostModel(p1)
	before2 := tLab.ComputeHostModel(p2)
	cpu1 := lastCSV(t, perfQuery(c, "HostSystem", hostRef(p1), tLab.counters.CPUUsage, "", 1, "csv")) / 100
	if math.Abs(cpu1-before1.CPUPercent) > tLab.spec.Model.Noise+0.01 {
		t.Fatalf("QueryPerf cpu %.2f vs model %.2f", cpu1, before1.CPUPercent)
	}
	c.ok(`<UpdateVirtualSwitch xmlns="urn:vim25"><_this type="HostNetworkSystem">` + hnsRef(p1) + `</_this><vswitchName>vSwitch0</vswitchName>` + vswitchSpec(true) + `</UpdateVirtualSwitch>`)
	after1 := tLab.ComputeHostModel(p1)
	after2 := tLab.ComputeHostModel(p2)
	// formula: every powered-on VM port on vSwitch0 now receives F (all frames on the switch)
	F := 0.0
	n := 0
	for _, vn := range tLab.hosts[p1].vms {
		v := tLab.vms[vn]
		if v.spec.PowerOn {
			F += v.spec.NICs[0].PPS
			n++
		}
	}
	wantDelivered := float64(n) * F
	if math.Abs(after1.Delivered-wantDelivered) > 1e-6 {
		t.Fatalf("delivered %.1f, want n*F = %d*%.0f", after1.Delivered, n, F)
	}
	wantCPU := after1.BaseCPU + after1.VMLoad + tLab.spec.Model.CostPerFrame*wantDelivered
	if math.Abs(after1.CPUPercent-wantCPU) > 1e-6 || after1.CPUPercent-before1.CPUPercent < 5 {
		t.Fatalf("cpu before %.2f after %.2f want %.2f", before1.CPUPercent, after1.CPUPercent, wantCPU)
	}
	if after2.CPUPercent != before2.CPUPercent {
		t.Fatalf("other host changed: %.2f -> %.2f", before2.CPUPercent, after2.CPUPercent)
	}
	cpu1b := lastCSV(t, perfQuery(c, "HostSystem", hostRef(p1), tLab.counters.CPUUsage, "", 1, "csv")) / 100
	if math.Abs(cpu1b-after1.CPUPercent) > tLab.spec.Model.Noise+0.01 {
		t.Fatalf("QueryPerf after: %.2f vs model %.2f", cpu1b, after1.CPUPercent)
	}
	pk := lastCSV(t, perfQuery(c, "HostSystem", hostRef(p1), tLab.counters.PacketsRx, "", 1, "csv"))
	if math.Abs(pk-wantDelivered*20) > wantDelivered*20*tLab.spec.Model.PacketNoise+1 {
		t.Fatalf("packetsRx %.0f want about %.0f", pk, wantDelivered*20)
	}
	// traffic control scales it
	ctl(t, "POST", "/traffic", `{"host":"`+p1+`","pps":0}`)
	if m := tLab.ComputeHostModel(p1); m.Delivered != 0 {
		t.Fatalf("traffic 0: delivered %.1f", m.Delivered)
	}
	e := tLab.esxtop(p1)
	if e.CPUUtilPercent <= 0 || len(e.Ports) == 0 {
		t.Fatalf("esxtop sample: %+v", e)
	}
}

func TestVCWaitForUpdates(t *testing.T) {
	tMu.Lock()
	defer tMu.Unlock()
	reset(t)
	c := newClient(t)
	c.login()
	pc := c.ok(`<CreatePropertyCollector xmlns="urn:vim25"><_this type="PropertyCollector">propertyCollector</_this></CreatePropertyCollector>`)
	m := regexp.MustCompile(`<returnval type="PropertyCollector">([^<]+)</returnval>`).FindStringSubmatch(pc)
	if m == nil {
		t.Fatalf("CreatePropertyCollector: %s", pc)
	}
	pcRef := m[1]
	h := "esx-p02.lab.invalid"
	c.ok(`<CreateFilter xmlns="urn:vim25"><_this type="PropertyCollector">` + pcRef + `</_this><spec><propSet><type>HostSystem</type><pathSet>config.network.portgroup</pathSet></propSet><propSet><type>VirtualMachine</type><pathSet>config.nestedHVEnabled</pathSet></propSet><objectSet><obj type="HostSystem">` + hostRef(h) + `</obj></objectSet><objectSet><obj type="VirtualMachine">` + vmRef("kvm04") + `</obj></objectSet></spec><partialUpdates>false</partialUpdates></CreateFilter>`)
	wait := func(version string) string {
		return c.ok(`<WaitForUpdatesEx xmlns="urn:vim25"><_this type="PropertyCollector">` + pcRef + `</_this><version>` + version + `</version><options><maxWaitSeconds>5</maxWaitSeconds></options></WaitForUpdatesEx>`)
	}
	first := wait("")
	if !strings.Contains(first, "enter") {
		t.Fatalf("initial update: %s", first)
	}
	c2 := newClient(t)
	c2.login()
	go func() {
		time.Sleep(300 * time.Millisecond)
		c2.call(`<AddPortGroup xmlns="urn:vim25"><_this type="HostNetworkSystem">` + hnsRef(h) + `</_this><portgrp><name>Trunk-W</name><vlanId>4095</vlanId><vswitchName>vSwitch0</vswitchName><policy/></portgrp></AddPortGroup>`)
	}()
	out := wait("1")
	if !strings.Contains(out, "<name>config.network.portgroup</name>") || !strings.Contains(out, "Trunk-W") {
		t.Fatalf("portgroup change not delivered: %s", out)
	}
	go func() {
		time.Sleep(300 * time.Millisecond)
		reconfig(c2, "kvm04", true)
	}()
	out = wait("2")
	if !strings.Contains(out, "<name>config.nestedHVEnabled</name>") {
		t.Fatalf("nestedHVEnabled change not delivered: %s", out)
	}
}

func TestVCControlAPI(t *testing.T) {
	tMu.Lock()
	defer tMu.Unlock()
	reset(t)
	c := newClient(t)
	c.login()
	// fault injection: next call fails with a properly shaped fault, then normal again
	ctl(t, "POST", "/fault", `{"method":"UpdateVirtualSwitch","fault":"NotFound","count":1,"message":"injected"}`)
	upd := `<UpdateVirtualSwitch xmlns="urn:vim25"><_this type="HostNetworkSystem">` + hnsRef("esx-p01.lab.invalid") + `</_this><vswitchName>vSwitch0</vswitchName>` + vswitchSpec(false) + `</UpdateVirtualSwitch>`
	out := c.fault(upd, "NotFound")
	if !strings.Contains(out, "<faultstring>injected</faultstring>") {
		t.Fatalf("fault message: %s", out)
	}
	c.ok(upd)
	// call counting
	ctl(t, "POST", "/calls/reset", "")
	c.ok(upd)
	c.ok(upd)
	calls := ctl(t, "GET", "/calls", "")
	if calls["methods"].(map[string]interface{})["UpdateVirtualSwitch"].(float64) != 2 {
		t.Fatalf("calls: %v", calls)
	}
	// latency
	ctl(t, "POST", "/latency", `{"ms":200}`)
	t0 := time.Now()
	c.ok(upd)
	if d := time.Since(t0); d < 200*time.Millisecond {
		t.Fatalf("latency not applied: %v", d)
	}
	ctl(t, "POST", "/latency", `{"ms":0}`)
	// vCenter stop: connections refused on the same port; start: same port, sessions dropped
	ctl(t, "POST", "/vcenter/stop", "")
	if conn, err := net.DialTimeout("tcp", tSDK.addr, time.Second); err == nil {
		conn.Close()
		t.Fatalf("SDK port still accepts connections while stopped")
	}
	if !tLab.Up("esx-p01.lab.invalid") {
		t.Fatalf("SSH side should stay up")
	}
	ctl(t, "POST", "/vcenter/start", "")
	c.hc.Transport.(*http.Transport).CloseIdleConnections()
	c.fault(upd, "NotAuthenticated")
	c.login()
	c.ok(upd)
	// host down/up
	ctl(t, "POST", "/host/esx-n01.lab.invalid/down", "")
	if tLab.Up("esx-n01.lab.invalid") {
		t.Fatalf("host still up")
	}
	ctl(t, "POST", "/host/esx-n01.lab.invalid/up", "")
	if tLab.Up("esx-n04.lab.invalid") {
		t.Fatalf("esx-n04 starts down")
	}
	// reset restores the spec
	c.ok(`<UpdateVirtualSwitch xmlns="urn:vim25"><_this type="HostNetworkSystem">` + hnsRef("esx-p01.lab.invalid") + `</_this><vswitchName>vSwitch0</vswitchName>` + vswitchSpec(true) + `</UpdateVirtualSwitch>`)
	reset(t)
	st := ctl(t, "GET", "/state", "")
	b, _ := json.Marshal(st)
	if bytes.Contains(b, []byte(`"promiscuous":true`)) {
		t.Fatalf("reset did not restore promiscuous reject")
	}
}

package main

import (
	"encoding/xml"
	"strings"
	"testing"
)

const ns = "network vswitch standard "
const vsl = "esxcli " + ns

func TestEsxcliVSwitchListHuman(t *testing.T) {
	h := newFakeHost("esx-p01.lab.invalid")
	out, errs, st := esxRun(t, h, vsl+"list")
	want := `vSwitch0
   Name: vSwitch0
   Class: cswitch
   Num Ports: 2560
   Used Ports: 5
   Configured Ports: 128
   MTU: 1500
   CDP Status: listen
   Beacon Enabled: false
   Beacon Interval: 1
   Beacon Threshold: 3
   Beacon Required By:
   Uplinks: vmnic0
   Portgroups: VM Network, Management Network

`
	if out != want || errs != "" || st != 0 {
		t.Errorf("got %q %q %d", out, errs, st)
	}
	_, errs, st = esxRun(t, h, vsl+"list -v vSwitch9")
	if errs != "Error: Unable to find vswitch vSwitch9\n" || st != 1 {
		t.Errorf("got %q %d", errs, st)
	}
	out2, _, _ := esxRun(t, h, vsl+"list --vswitch-name=vSwitch0")
	if out2 != want {
		t.Errorf("filter: %q", out2)
	}
}

// esxcliXML is what a namespace-aware client reads.
type esxcliXML struct {
	XMLName xml.Name `xml:"http://www.vmware.com/Products/ESX/5.0/esxcli output"`
	Root    struct {
		List struct {
			Type       string      `xml:"type,attr"`
			Structures []xmlStruct `xml:"structure"`
		} `xml:"list"`
		Structure *xmlStruct `xml:"structure"`
	} `xml:"root"`
}

type xmlStruct struct {
	TypeName string `xml:"typeName,attr"`
	Fields   []struct {
		Name    string   `xml:"name,attr"`
		String  *string  `xml:"string"`
		Integer *string  `xml:"integer"`
		Boolean *string  `xml:"boolean"`
		List    []string `xml:"list>string"`
	} `xml:"field"`
}

func (s xmlStruct) get(name string) string {
	for _, f := range s.Fields {
		if f.Name == name {
			switch {
			case f.String != nil:
				return "s:" + *f.String
			case f.Integer != nil:
				return "i:" + *f.Integer
			case f.Boolean != nil:
				return "b:" + *f.Boolean
			}
			return "l:" + strings.Join(f.List, "|")
		}
	}
	return "?"
}

func parseEsxcliXML(t *testing.T, out string) esxcliXML {
	t.Helper()
	if !strings.HasPrefix(out, `<?xml version="1.0" encoding="utf-8"?>`) {
		t.Fatalf("no xml declaration: %q", out)
	}
	var x esxcliXML
	if err := xml.Unmarshal([]byte(out), &x); err != nil {
		t.Fatalf("xml: %v\n%s", err, out)
	}
	return x
}

func TestEsxcliVSwitchListXML(t *testing.T) {
	h := newFakeHost("esx-p01.lab.invalid")
	out, _, st := esxRun(t, h, "esxcli --formatter=xml "+ns+"list")
	x := parseEsxcliXML(t, out)
	if st != 0 || x.Root.List.Type != "structure" || len(x.Root.List.Structures) != 1 {
		t.Fatalf("got %+v", x)
	}
	s := x.Root.List.Structures[0]
	checks := map[string]string{"Name": "s:vSwitch0", "NumPorts": "i:2560", "MTU": "i:1500",
		"Uplinks": "l:vmnic0", "Portgroups": "l:VM Network|Management Network", "BeaconEnabled": "b:false",
		"CDPStatus": "s:listen", "ConfiguredPorts": "i:128"}
	if s.TypeName != "VirtualSwitch" {
		t.Errorf("typeName %q", s.TypeName)
	}
	for k, v := range checks {
		if s.get(k) != v {
			t.Errorf("%s = %q, want %q", k, s.get(k), v)
		}
	}
	out2, _, _ := esxRun(t, h, "esxcli --formatter xml "+ns+"list")
	if out2 != out {
		t.Errorf("--formatter xml differs from --formatter=xml")
	}
}

func TestEsxcliPortGroupHostileXMLRoundTrip(t *testing.T) {
	for _, name := range hostileNames {
		if name == "" || name == "-v" {
			continue
		}
		h := newFakeHost("esx-p01.lab.invalid")
		_, errs, st := esxRun(t, h, vsl+"portgroup add --portgroup-name="+shellQuote(name)+" --vswitch-name=vSwitch0")
		if st != 0 || errs != "" {
			t.Errorf("add %q: %q %d", name, errs, st)
			continue
		}
		out, _, _ := esxRun(t, h, "esxcli --formatter=xml "+ns+"portgroup list")
		x := parseEsxcliXML(t, out)
		found := false
		for _, s := range x.Root.List.Structures {
			if s.get("Name") == "s:"+name && s.get("VirtualSwitch") == "s:vSwitch0" && s.get("VLANID") == "i:0" {
				found = true
			}
		}
		// encoding/xml normalises \r, and XML cannot carry some control characters; none here.
		if !found {
			t.Errorf("%q not found in %s", name, out)
		}
	}
	h := newFakeHost("esx-p01.lab.invalid")
	esxRun(t, h, vsl+"portgroup add -p '-v' -v vSwitch0")
	if _, ok := findPortGroup(h, "-v"); !ok {
		t.Errorf("a port group named -v was not added")
	}
}

func TestEsxcliPortGroupListHumanAndCSV(t *testing.T) {
	h := newFakeHost("esx-p01.lab.invalid")
	out, _, _ := esxRun(t, h, vsl+"portgroup list")
	want := `Name                Virtual Switch  Active Clients  VLAN ID
------------------  --------------  --------------  -------
Management Network  vSwitch0                     1        0
VM Network          vSwitch0                     0        0
`
	if out != want {
		t.Errorf("got\n%s\nwant\n%s", out, want)
	}
	esxRun(t, h, vsl+"portgroup add -p 'a,b \"c\"' -v vSwitch0")
	out, _, _ = esxRun(t, h, "esxcli --formatter=csv "+ns+"portgroup list")
	want = "ActiveClients,Name,VLANID,VirtualSwitch,\n1,Management Network,0,vSwitch0,\n0,VM Network,0,vSwitch0,\n0,\"a,b \"\"c\"\"\",0,vSwitch0,\n"
	if out != want {
		t.Errorf("csv got %q want %q", out, want)
	}
	out, _, _ = esxRun(t, h, "esxcli --formatter=keyvalue system version get")
	if !strings.Contains(out, "VersionGet.Product.string=VMware ESXi\n") {
		t.Errorf("keyvalue: %q", out)
	}
}

func TestEsxcliPortGroupAddSetRemove(t *testing.T) {
	h := newFakeHost("esx-p01.lab.invalid")
	if _, e, st := esxRun(t, h, vsl+"portgroup add -p Nested-Trunk -v vSwitch0"); st != 0 || e != "" {
		t.Fatalf("add: %q %d", e, st)
	}
	if _, e, st := esxRun(t, h, vsl+"portgroup add -p Nested-Trunk -v vSwitch0"); st != 1 || !strings.HasPrefix(e, "Error: A portgroup with the name Nested-Trunk already exists") {
		t.Errorf("dup add: %q %d", e, st)
	}
	if _, e, st := esxRun(t, h, vsl+"portgroup add -p X -v vSwitch9"); st != 1 || e != "Error: Unable to find vswitch vSwitch9\n" {
		t.Errorf("add to missing vswitch: %q %d", e, st)
	}
	if _, e, st := esxRun(t, h, vsl+"portgroup set -p Nested-Trunk -v 4095"); st != 0 || e != "" {
		t.Errorf("set -v: %q %d", e, st)
	}
	if p, _ := findPortGroup(h, "Nested-Trunk"); p.VLAN != 4095 {
		t.Errorf("vlan %d", p.VLAN)
	}
	if _, e, st := esxRun(t, h, vsl+"portgroup set -p Nested-Trunk --vlan-id 12"); st != 0 || e != "" {
		t.Errorf("set --vlan-id: %q %d", e, st)
	}
	for _, bad := range []string{"4096", "-1", "x"} {
		_, e, st := esxRun(t, h, vsl+"portgroup set -p Nested-Trunk --vlan-id="+bad)
		if st != 1 || !strings.HasPrefix(e, "Error: Invalid data constraint for parameter 'vlan-id'") || !strings.Contains(e, "Usage: esxcli network vswitch standard portgroup set") {
			t.Errorf("vlan %s: %q %d", bad, e, st)
		}
	}
	if p, _ := findPortGroup(h, "Nested-Trunk"); p.VLAN != 12 {
		t.Errorf("vlan %d", p.VLAN)
	}
	if _, e, st := esxRun(t, h, vsl+"portgroup set -p Nope --vlan-id 1"); st != 1 || e != "Error: Unable to find portgroup Nope\n" {
		t.Errorf("set missing: %q %d", e, st)
	}
	if _, e, st := esxRun(t, h, vsl+"portgroup remove -p 'Management Network' -v vSwitch0"); st != 1 || !strings.Contains(e, "Busy") {
		t.Errorf("remove busy: %q %d", e, st)
	}
	if _, e, st := esxRun(t, h, vsl+"portgroup remove -p Nested-Trunk -v vSwitch0"); st != 0 || e != "" {
		t.Errorf("remove: %q %d", e, st)
	}
	if _, e, st := esxRun(t, h, vsl+"portgroup remove -p Nested-Trunk -v vSwitch0"); st != 1 || e != "Error: Unable to find portgroup Nested-Trunk\n" {
		t.Errorf("remove again: %q %d", e, st)
	}
}

func TestEsxcliUsageErrors(t *testing.T) {
	h := newFakeHost("esx-p01.lab.invalid")
	cases := map[string]string{
		vsl + "portgroup add -p X":                                        "Error: Missing required parameter -v|--vswitch-name\n\nUsage: esxcli network vswitch standard portgroup add [cmd options]",
		vsl + "portgroup add -p X -v vSwitch0 --bogus":                    "Error: Invalid option --bogus\n",
		vsl + "policy security get":                                       "Error: Missing required parameter -v|--vswitch-name\n",
		vsl + "policy security set -v vSwitch0 --allow-promiscuous=maybe": "Error: Invalid data constraint for parameter 'allow-promiscuous'",
		vsl + "portgroup add -p":                                          "Error: Missing value for option -p\n",
		"esxcli network vswitch foo":                                      "Error: Unknown command or namespace network vswitch foo\n",
		"esxcli --formatter=json " + vsl + "list":                         "Error: Invalid formatter: json",
	}
	for line, want := range cases {
		out, e, st := esxRun(t, h, line)
		if st != 1 || out != "" || !strings.HasPrefix(e, want) {
			t.Errorf("%s: got %q %q %d, want prefix %q", line, out, e, st, want)
		}
	}
	_, e, st := esxRun(t, h, "esxcli network vswitch standard")
	if st != 1 || !strings.Contains(e, "portgroup") {
		t.Errorf("namespace listing: %q %d", e, st)
	}
}

func TestEsxcliVSwitchSecurity(t *testing.T) {
	h := newFakeHost("esx-p01.lab.invalid")
	out, _, _ := esxRun(t, h, vsl+"policy security get -v vSwitch0")
	want := "   Allow Promiscuous: false\n   Allow MAC Address Change: true\n   Allow Forged Transmits: true\n"
	if out != want {
		t.Errorf("got %q", out)
	}
	for _, line := range []string{
		vsl + "policy security set -v vSwitch0 --allow-promiscuous=true --allow-forged-transmits=1 --allow-mac-change=yes",
		vsl + "policy security set --vswitch-name vSwitch0 --allow-promiscuous true -f true -m TRUE",
	} {
		if o, e, st := esxRun(t, h, line); o != "" || e != "" || st != 0 {
			t.Errorf("%s: %q %q %d", line, o, e, st)
		}
		v, _ := findVSwitch(h, "vSwitch0")
		if !*v.Security.AllowPromiscuous || !*v.Security.ForgedTransmits || !*v.Security.MacChanges {
			t.Errorf("%s: not applied %+v", line, v.Security)
		}
		esxRun(t, h, vsl+"policy security set -v vSwitch0 --allow-promiscuous=no -f 0 --allow-mac-change false")
		v, _ = findVSwitch(h, "vSwitch0")
		if *v.Security.AllowPromiscuous || *v.Security.ForgedTransmits || *v.Security.MacChanges {
			t.Errorf("reset not applied %+v", v.Security)
		}
	}
	// Only the given fields change.
	esxRun(t, h, vsl+"policy security set -v vSwitch0 --allow-forged-transmits=true")
	v, _ := findVSwitch(h, "vSwitch0")
	if *v.Security.AllowPromiscuous || !*v.Security.ForgedTransmits || *v.Security.MacChanges {
		t.Errorf("partial set: %+v", v.Security)
	}
	out, _, _ = esxRun(t, h, "esxcli --formatter=xml "+ns+"policy security get -v vSwitch0")
	x := parseEsxcliXML(t, out)
	if x.Root.Structure == nil || x.Root.Structure.get("AllowForgedTransmits") != "b:true" || x.Root.Structure.get("AllowPromiscuous") != "b:false" {
		t.Errorf("xml: %s", out)
	}
	if _, e, st := esxRun(t, h, vsl+"policy security set -v vSwitch9 --allow-promiscuous=true"); st != 1 || e != "Error: Unable to find vswitch vSwitch9\n" {
		t.Errorf("missing: %q %d", e, st)
	}
	if _, e, st := esxRun(t, h, vsl+"policy security get -v vSwitch9"); st != 1 || e != "Error: Unable to find vswitch vSwitch9\n" {
		t.Errorf("missing: %q %d", e, st)
	}
}

func TestEsxcliPortGroupSecurity(t *testing.T) {
	h := newFakeHost("esx-p01.lab.invalid")
	esxRun(t, h, vsl+"portgroup add -p 'Nested Trunk' -v vSwitch0")
	out, _, _ := esxRun(t, h, vsl+"portgroup policy security get -p 'Nested Trunk'")
	want := "   Allow Promiscuous: false\n   Allow MAC Address Change: true\n   Allow Forged Transmits: true\n" +
		"   Override Vswitch Allow Promiscuous: false\n   Override Vswitch Allow MAC Address Change: false\n   Override Vswitch Allow Forged Transmits: false\n"
	if out != want {
		t.Errorf("got %q", out)
	}
	if _, e, st := esxRun(t, h, vsl+"portgroup policy security set -p 'Nested Trunk' --allow-promiscuous=true --allow-forged-transmits=false"); st != 0 || e != "" {
		t.Errorf("set: %q %d", e, st)
	}
	out, _, _ = esxRun(t, h, "esxcli --formatter=xml "+ns+"portgroup policy security get -p 'Nested Trunk'")
	s := parseEsxcliXML(t, out).Root.Structure
	if s == nil || s.get("AllowPromiscuous") != "b:true" || s.get("OverrideVswitchAllowPromiscuous") != "b:true" ||
		s.get("AllowForgedTransmits") != "b:false" || s.get("OverrideVswitchAllowForgedTransmits") != "b:true" ||
		s.get("AllowMACAddressChange") != "b:true" || s.get("OverrideVswitchAllowMACAddressChange") != "b:false" {
		t.Errorf("after set: %s", out)
	}
	esxRun(t, h, vsl+"portgroup policy security set -p 'Nested Trunk' --use-vswitch")
	p, _ := findPortGroup(h, "Nested Trunk")
	if p.Override.AllowPromiscuous != nil || p.Override.ForgedTransmits != nil || p.Override.MacChanges != nil {
		t.Errorf("use-vswitch kept overrides: %+v", p.Override)
	}
	if _, e, st := esxRun(t, h, vsl+"portgroup policy security get -p Nope"); st != 1 || e != "Error: Unable to find portgroup Nope\n" {
		t.Errorf("missing: %q %d", e, st)
	}
}

func TestEsxcliSystemAndCPU(t *testing.T) {
	h := newFakeHost("esx-p01.lab.invalid")
	out, _, st := esxRun(t, h, "esxcli system version get")
	want := "   Product: VMware ESXi\n   Version: 8.0.3\n   Build: Releasebuild-24677879\n   Update: 3\n   Patch: 70\n"
	if out != want || st != 0 {
		t.Errorf("got %q", out)
	}
	out, _, _ = esxRun(t, h, "esxcli hardware cpu global get")
	if !strings.Contains(out, "   CPU Packages: 2\n   CPU Cores: 16\n   CPU Threads: 32\n") || !strings.Contains(out, "   HV Support: 3\n") {
		t.Errorf("got %q", out)
	}
	out, _, _ = esxRun(t, h, "esxcli --formatter=xml hardware cpu global get")
	if s := parseEsxcliXML(t, out).Root.Structure; s == nil || s.get("HVSupport") != "i:3" {
		t.Errorf("xml: %s", out)
	}
	out, _, _ = esxRun(t, h, "localcli --formatter=xml system version get")
	if s := parseEsxcliXML(t, out).Root.Structure; s == nil || s.TypeName != "VersionGet" || s.get("Version") != "s:8.0.3" {
		t.Errorf("xml: %s", out)
	}
}

package main

// The personalities' transformations over the wire (personality.go): each reply shape keeps
// the data of the plain reply, and each shape is the one it claims.

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/xml"
	"io"
	"io/ioutil"
	"net"
	"net/http"
	"net/http/cookiejar"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vmware/govmomi/vim25/types"
)

// withPersona runs f with the shared lab answering in personality p.
func withPersona(t *testing.T, p Personality, f func()) {
	tMu.Lock()
	defer tMu.Unlock()
	tLab.mu.Lock()
	tLab.persona = p
	tLab.mu.Unlock()
	defer func() {
		tLab.mu.Lock()
		tLab.persona = Personality{}
		tLab.mu.Unlock()
	}()
	f()
}

// canonical is a reply as data: elements with namespace-resolved names, attributes other than
// namespace declarations, and text; whitespace between elements dropped. dropItemTypes also
// drops xsi:type on the items of an array (legacy-ns adds them; a client takes the element name).
func canonical(t *testing.T, reply string, dropItemTypes bool) string {
	t.Helper()
	d := xml.NewDecoder(strings.NewReader(reply))
	var b strings.Builder
	var inArray, hasChildren []bool
	pendingText := ""
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("reply is not XML: %v\n%s", err, reply)
		}
		switch x := tok.(type) {
		case xml.StartElement:
			pendingText = ""
			if len(hasChildren) > 0 {
				hasChildren[len(hasChildren)-1] = true
			}
			hasChildren = append(hasChildren, false)
			b.WriteString("<" + x.Name.Space + " " + x.Name.Local)
			array := false
			for _, a := range x.Attr {
				if a.Name.Space == "xmlns" || (a.Name.Space == "" && a.Name.Local == "xmlns") {
					continue
				}
				if a.Name.Space == xsiNS && a.Name.Local == "type" {
					array = strings.HasPrefix(a.Value, "ArrayOf")
					if dropItemTypes && len(inArray) > 0 && inArray[len(inArray)-1] {
						continue
					}
				}
				b.WriteString(" " + a.Name.Space + ":" + a.Name.Local + "=" + strconv.Quote(a.Value))
			}
			b.WriteString(">")
			inArray = append(inArray, array)
		case xml.CharData:
			pendingText += string(x)
		case xml.EndElement:
			if hasChildren[len(hasChildren)-1] && strings.TrimSpace(pendingText) == "" {
				pendingText = "" // whitespace between elements is not data
			}
			hasChildren = hasChildren[:len(hasChildren)-1]
			b.WriteString(strconv.Quote(pendingText) + "</>")
			pendingText = ""
			inArray = inArray[:len(inArray)-1]
		}
	}
	return b.String()
}

// firstDiff shows where two canonical replies part.
func firstDiff(a, b string) string {
	i := 0
	for i < len(a) && i < len(b) && a[i] == b[i] {
		i++
	}
	from := i - 200
	if from < 0 {
		from = 0
	}
	end := func(s string) int {
		if i+200 < len(s) {
			return i + 200
		}
		return len(s)
	}
	return "at byte " + strconv.Itoa(i) + ":\nplain: …" + a[from:end(a)] + "\nother: …" + b[from:end(b)]
}

// hostReply is a reply with nested structures, arrays (of objects, strings and morefs), an empty
// array, booleans and hostile text, which does not change between two calls.
func hostReply(c *soapClient) string {
	return retrieveOne(c, "HostSystem", hostRef("esx-p01.lab.invalid"), "name", "config.network.vswitch",
		"config.network.portgroup", "config.network.consoleVnic", "vm", "summary.config.product",
		"hardware.cpuInfo", "runtime.connectionState")
}

func TestVCPersonalityPretty(t *testing.T) {
	var plain, pretty, prettyFault string
	withPersona(t, Personality{}, func() {
		c := newClient(t)
		c.login()
		plain = hostReply(c)
	})
	withPersona(t, Personality{Pretty: true}, func() {
		c := newClient(t)
		c.login()
		pretty = hostReply(c)
		prettyFault = c.fault(`<RemovePortGroup xmlns="urn:vim25"><_this type="HostNetworkSystem">`+hnsRef("esx-p01.lab.invalid")+`</_this><pgName>no &lt;such&gt; "pg"</pgName></RemovePortGroup>`, "NotFound")
	})
	if strings.Count(pretty, "\n") < 40 || !strings.Contains(pretty, "\n  <soapenv:Body>\n    <RetrievePropertiesExResponse") || !strings.Contains(pretty, "<objects>\n") {
		t.Fatalf("pretty reply is not indented:\n%s", pretty)
	}
	if !strings.Contains(pretty, "<val xmlns:XMLSchema-instance=\"http://www.w3.org/2001/XMLSchema-instance\" XMLSchema-instance:type=\"ArrayOfHostVirtualNic\"></val>") {
		t.Fatalf("an empty array must stay an open/close pair with nothing between:\n%s", pretty)
	}
	if a, b := canonical(t, plain, false), canonical(t, pretty, false); a != b {
		t.Fatalf("pretty changed the data: %s", firstDiff(a, b))
	}
	if !strings.Contains(prettyFault, "\n    <soapenv:Fault>\n") {
		t.Fatalf("faults are indented too:\n%s", prettyFault)
	}
}

// realFormats is ../shared/real-formats from the project root (NL_REAL_FORMATS overrides).
func realFormats(t *testing.T) string {
	if d := os.Getenv("NL_REAL_FORMATS"); d != "" {
		return d
	}
	wd, _ := os.Getwd()
	here, err := filepath.EvalSymlinks(wd)
	if err != nil {
		t.Fatal(err)
	}
	return filepath.Join(here, "..", "..", "..", "shared", "real-formats")
}

func TestVCPersonalityLegacyNS(t *testing.T) {
	real, err := ioutil.ReadFile(filepath.Join(realFormats(t), "soap", "miq_vc550sim_ContinueRetrievePropertiesExResponse.xml"))
	if err != nil {
		t.Fatalf("the vCenter 5.5 reply to imitate: %v", err)
	}
	envelope := string(real[:bytes.Index(real, []byte("<soapenv:Body>\n"))+len("<soapenv:Body>\n")])
	var plain, legacy, page1, page2 string
	withPersona(t, Personality{}, func() {
		c := newClient(t)
		c.login()
		plain = hostReply(c)
	})
	withPersona(t, Personality{LegacyNS: true}, func() {
		c := newClient(t)
		c.login()
		legacy = hostReply(c)
		req := `<RetrievePropertiesEx xmlns="urn:vim25"><_this type="PropertyCollector">propertyCollector</_this><specSet><propSet><type>HostSystem</type><pathSet>name</pathSet></propSet>` +
			`<objectSet><obj type="HostSystem">` + hostRef("esx-p01.lab.invalid") + `</obj></objectSet><objectSet><obj type="HostSystem">` + hostRef("esx-p02.lab.invalid") + `</obj></objectSet></specSet><options><maxObjects>1</maxObjects></options></RetrievePropertiesEx>`
		page1 = c.ok(req)
		tok := regexp.MustCompile(`<token>([0-9]+)</token>`).FindStringSubmatch(page1)
		if tok == nil {
			t.Fatalf("legacy-ns: a token counting from 0 expected:\n%s", page1)
		}
		page2 = c.ok(`<ContinueRetrievePropertiesEx xmlns="urn:vim25"><_this type="PropertyCollector">propertyCollector</_this><token>` + tok[1] + `</token></ContinueRetrievePropertiesEx>`)
	})
	if !strings.HasPrefix(legacy, envelope) {
		t.Fatalf("legacy-ns envelope differs from vCenter 5.5's:\nwant prefix:\n%s\ngot:\n%.600s", envelope, legacy)
	}
	if !strings.HasSuffix(legacy, "</RetrievePropertiesExResponse>\n</soapenv:Body>\n</soapenv:Envelope>") {
		t.Fatalf("legacy-ns: the Body's end on its own line expected:\n%s", legacy[len(legacy)-200:])
	}
	for _, want := range []string{
		`<val xsi:type="ArrayOfHostVirtualNic"></val>`, // empty array: an open/close pair
		`<val xsi:type="xsd:string">esx-p01.lab.invalid</val>`,
		`<ManagedObjectReference type="VirtualMachine" xsi:type="ManagedObjectReference">`,
		`<HostVirtualSwitch xsi:type="HostVirtualSwitch">`,
	} {
		if !strings.Contains(legacy, want) {
			t.Errorf("legacy-ns reply lacks %s", want)
		}
	}
	if strings.Contains(legacy, "XMLSchema-instance:") || strings.Count(legacy, "xmlns:xsi=") != 1 {
		t.Errorf("legacy-ns: xsi declared once, on the envelope:\n%.2000s", legacy)
	}
	if a, b := canonical(t, plain, true), canonical(t, legacy, true); a != b {
		t.Fatalf("legacy-ns changed the data: %s", firstDiff(a, b))
	}
	if strings.Count(page1+page2, "<objects>") != 2 || strings.Contains(page2, "<token>") {
		t.Fatalf("legacy-ns paging: one object per page, no token on the last:\n%s\n%s", page1, page2)
	}
}

// countingConn counts the reads that returned data on the client's side of the connection.
type countingConn struct {
	net.Conn
	mu    *sync.Mutex
	reads *int
}

func (c countingConn) Read(b []byte) (int, error) {
	n, err := c.Conn.Read(b)
	if n > 0 {
		c.mu.Lock()
		*c.reads++
		c.mu.Unlock()
	}
	return n, err
}

func TestVCPersonalityTrickle(t *testing.T) {
	var plain, trickled string
	var mu sync.Mutex
	reads := 0
	var took time.Duration
	withPersona(t, Personality{}, func() {
		c := newClient(t)
		c.login()
		plain = hostReply(c)
	})
	withPersona(t, Personality{Trickle: true}, func() {
		c := newClient(t)
		tr := &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true},
			DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
				conn, err := (&net.Dialer{}).DialContext(ctx, network, addr)
				if err != nil {
					return nil, err
				}
				return countingConn{Conn: conn, mu: &mu, reads: &reads}, nil
			}}
		jar, _ := cookiejar.New(nil)
		c.hc = &http.Client{Jar: jar, Timeout: 30 * time.Second, Transport: tr}
		c.login()
		mu.Lock()
		reads = 0
		mu.Unlock()
		t0 := time.Now()
		trickled = hostReply(c)
		took = time.Since(t0)
	})
	if canonical(t, plain, false) != canonical(t, trickled, false) || plain != trickled {
		t.Fatalf("trickle changed the bytes:\nplain:    %.1000s\ntrickled: %.1000s", plain, trickled)
	}
	mu.Lock()
	n := reads
	mu.Unlock()
	if n < 12 {
		t.Fatalf("a %d-byte reply arrived in %d reads; trickle should split it into many", len(plain), n)
	}
	if took > 2*time.Second {
		t.Fatalf("trickle took %v for one reply; the pauses must stay short", took)
	}
	t.Logf("%d bytes in %d reads, %v", len(plain), n, took)
}

func TestVCPersonalityNoPaging(t *testing.T) {
	objs := make([]types.ObjectContent, 10000)
	for i := range objs {
		objs[i].Obj = types.ManagedObjectReference{Type: "VirtualMachine", Value: "vm-" + strconv.Itoa(i)}
	}
	got, tok := page(objs, 1000, Personality{NoPaging: true})
	if len(got) != 10000 || tok != "" {
		t.Fatalf("no-paging: %d of 10,000 objects and token %q; want all and none", len(got), tok)
	}
	if got, tok = page(objs, 1000, Personality{}); len(got) != 1000 || tok == "" {
		t.Fatalf("paging: %d objects, token %q", len(got), tok)
	}
	withPersona(t, Personality{NoPaging: true}, func() {
		c := newClient(t)
		c.login()
		view := c.ok(`<CreateContainerView xmlns="urn:vim25"><_this type="ViewManager">ViewManager</_this><container type="Folder">group-d1</container><type>VirtualMachine</type><recursive>true</recursive></CreateContainerView>`)
		vr := regexp.MustCompile(`<returnval type="ContainerView">([^<]+)</returnval>`).FindStringSubmatch(view)[1]
		out := c.ok(`<RetrievePropertiesEx xmlns="urn:vim25"><_this type="PropertyCollector">propertyCollector</_this><specSet><propSet><type>VirtualMachine</type><pathSet>name</pathSet></propSet><objectSet><obj type="ContainerView">` + vr + `</obj><skip>true</skip><selectSet xsi:type="TraversalSpec"><name>v</name><type>ContainerView</type><path>view</path><skip>false</skip></selectSet></objectSet></specSet><options><maxObjects>2</maxObjects></options></RetrievePropertiesEx>`)
		if strings.Count(out, "<objects>") != len(tLab.vmOrder) || strings.Contains(out, "<token>") {
			t.Fatalf("no-paging over the wire: want all %d VMs and no token:\n%s", len(tLab.vmOrder), out)
		}
	})
}

func TestVCPersonalityESXHost(t *testing.T) {
	tMu.Lock()
	defer tMu.Unlock()
	reset(t)
	p01, p02 := tLab.hosts["esx-p01.lab.invalid"], tLab.hosts["esx-p02.lab.invalid"]
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	srv := &http.Server{Handler: tLab.middleware(&hostdView{lab: tLab, host: p01, next: tSDK.mux})}
	go srv.Serve(tls.NewListener(ln, tSDK.tlsConf))
	defer srv.Close()
	saved := tSDKURL
	tSDKURL = "https://" + ln.Addr().String() + "/sdk"
	defer func() { tSDKURL = saved }()

	c := newClient(t)
	sc := c.ok(`<RetrieveServiceContent xmlns="urn:vim25"><_this type="ServiceInstance">ServiceInstance</_this></RetrieveServiceContent>`)
	for _, want := range []string{`<rootFolder type="Folder">ha-folder-root</rootFolder>`,
		`<propertyCollector type="PropertyCollector">ha-property-collector</propertyCollector>`,
		`<sessionManager type="SessionManager">ha-sessionmgr</sessionManager>`,
		`<perfManager type="PerformanceManager">ha-perfmgr</perfManager>`,
		`<apiType>HostAgent</apiType>`, `<productLineId>embeddedEsx</productLineId>`, `<name>VMware ESXi</name>`} {
		if !strings.Contains(sc, want) {
			t.Errorf("hostd ServiceContent lacks %s", want)
		}
	}
	c.fault(`<Login xmlns="urn:vim25"><_this type="SessionManager">ha-sessionmgr</_this><userName>root</userName><password>wrong</password></Login>`, "InvalidLogin")
	login := c.ok(`<Login xmlns="urn:vim25"><_this type="SessionManager">ha-sessionmgr</_this><userName>root</userName><password>VMware1!</password></Login>`)
	if !strings.Contains(login, "<userName>root</userName>") {
		t.Fatalf("hostd login is root's: %s", login)
	}
	view := c.ok(`<CreateContainerView xmlns="urn:vim25"><_this type="ViewManager">ViewManager</_this><container type="Folder">ha-folder-root</container><type>Datacenter</type><type>HostSystem</type><type>VirtualMachine</type><recursive>true</recursive></CreateContainerView>`)
	vr := regexp.MustCompile(`<returnval type="ContainerView">([^<]+)</returnval>`).FindStringSubmatch(view)[1]
	inv := c.ok(`<RetrievePropertiesEx xmlns="urn:vim25"><_this type="PropertyCollector">ha-property-collector</_this><specSet><propSet><type>Datacenter</type><pathSet>name</pathSet></propSet><propSet><type>HostSystem</type><pathSet>name</pathSet><pathSet>vm</pathSet><pathSet>configManager.networkSystem</pathSet></propSet><propSet><type>VirtualMachine</type><pathSet>name</pathSet><pathSet>runtime.host</pathSet></propSet><objectSet><obj type="ContainerView">` + vr + `</obj><skip>true</skip><selectSet xsi:type="TraversalSpec"><name>v</name><type>ContainerView</type><path>view</path><skip>false</skip></selectSet></objectSet></specSet><options/></RetrievePropertiesEx>`)
	if n := strings.Count(inv, `<obj type="HostSystem">`); n != 1 || !strings.Contains(inv, `<obj type="HostSystem">ha-host</obj>`) {
		t.Errorf("hostd: one host, ha-host; got %d:\n%s", n, inv)
	}
	if !strings.Contains(inv, `<obj type="Datacenter">ha-datacenter</obj>`) || !strings.Contains(inv, `>ha-datacenter</val>`) {
		t.Errorf("hostd: the datacenter is ha-datacenter:\n%s", inv)
	}
	if n := strings.Count(inv, `<obj type="VirtualMachine">`); n != len(p01.vms) {
		t.Errorf("hostd: %d VMs, want the host's %d:\n%s", n, len(p01.vms), inv)
	}
	for _, vn := range p01.vms {
		if !strings.Contains(inv, `<obj type="VirtualMachine">`+strconv.Itoa(tLab.vms[vn].id)+`</obj>`) {
			t.Errorf("hostd: VM %s is its vmid %d", vn, tLab.vms[vn].id)
		}
	}
	for _, other := range []string{p02.ref.Value, vmRef("n-esx02"), p01.ref.Value} {
		if strings.Contains(inv, ">"+other+"<") {
			t.Errorf("hostd reply names the vCenter moref %s:\n%s", other, inv)
		}
	}
	if !strings.Contains(inv, `<val type="HostNetworkSystem" xmlns:XMLSchema-instance="http://www.w3.org/2001/XMLSchema-instance" XMLSchema-instance:type="ManagedObjectReference">networkSystem</val>`) &&
		!strings.Contains(inv, `>networkSystem</val>`) {
		t.Errorf("hostd: the network system is networkSystem:\n%s", inv)
	}
	// A change through hostd's morefs reaches the lab.
	c.ok(`<AddPortGroup xmlns="urn:vim25"><_this type="HostNetworkSystem">networkSystem</_this><portgrp><name>Trunk-H</name><vlanId>4095</vlanId><vswitchName>vSwitch0</vswitchName><policy/></portgrp></AddPortGroup>`)
	if !strings.Contains(retrieveOne(c, "HostSystem", "ha-host", "config.network.portgroup"), "Trunk-H") {
		t.Errorf("hostd: AddPortGroup on networkSystem did not reach ha-host")
	}
	found := false
	for _, pg := range tLab.State(true).Hosts[0].PortGroups {
		found = found || pg.Name == "Trunk-H"
	}
	if tLab.State(true).Hosts[0].Name != p01.name || !found {
		t.Errorf("labsim's state lacks Trunk-H on %s", p01.name)
	}
	reset(t)
}

func TestVCStopAfter(t *testing.T) {
	tMu.Lock()
	defer tMu.Unlock()
	c := newClient(t)
	rsc := `<RetrieveServiceContent xmlns="urn:vim25"><_this type="ServiceInstance">ServiceInstance</_this></RetrieveServiceContent>`
	ctl(t, "POST", "/vcenter/stop", `{"after":"RetrieveServiceContent"}`)
	c.ok(rsc)
	req, _ := http.NewRequest("POST", tSDKURL, strings.NewReader(rsc))
	if res, err := c.hc.Do(req); err == nil {
		res.Body.Close()
		t.Fatalf("the call after the named one was answered (%d); vCenter should have stopped", res.StatusCode)
	}
	if tSDK.isUp() {
		t.Fatalf("vCenter still up")
	}
	ctl(t, "POST", "/vcenter/start", `{"keep_sessions":true}`)
	c.ok(rsc)
}

func TestVCPersonalityTruncated(t *testing.T) {
	withPersona(t, Personality{Truncated: true}, func() {
		reset(t)
		c := newClient(t)
		c.login()
		pc := c.ok(`<CreatePropertyCollector xmlns="urn:vim25"><_this type="PropertyCollector">propertyCollector</_this></CreatePropertyCollector>`)
		pcRef := regexp.MustCompile(`<returnval type="PropertyCollector">([^<]+)</returnval>`).FindStringSubmatch(pc)[1]
		spec := `<propSet><type>HostSystem</type><pathSet>name</pathSet></propSet>`
		for _, h := range tLab.hostOrder {
			spec += `<objectSet><obj type="HostSystem">` + hostRef(h) + `</obj></objectSet>`
		}
		c.ok(`<CreateFilter xmlns="urn:vim25"><_this type="PropertyCollector">` + pcRef + `</_this><spec>` + spec + `</spec><partialUpdates>false</partialUpdates></CreateFilter>`)
		wait := func(version string) string {
			return c.ok(`<WaitForUpdatesEx xmlns="urn:vim25"><_this type="PropertyCollector">` + pcRef + `</_this><version>` + version + `</version><options><maxWaitSeconds>5</maxWaitSeconds><maxObjectUpdates>100</maxObjectUpdates></options></WaitForUpdatesEx>`)
		}
		verRe := regexp.MustCompile(`<version>([^<]*)</version>`)
		version, seen, pieces := "", 0, 0
		for {
			out := wait(version)
			pieces++
			n := strings.Count(out, "<kind>enter</kind>")
			truncated := strings.Contains(out, "<truncated>true</truncated>")
			version = verRe.FindStringSubmatch(out)[1]
			seen += n
			if truncated && (n != truncatedMax || version != "0_"+strconv.Itoa(pieces)) {
				t.Fatalf("piece %d: %d updates, version %q:\n%s", pieces, n, version, out)
			}
			if !truncated {
				break
			}
			if pieces > 10 {
				t.Fatalf("no end to the pieces")
			}
		}
		if seen != len(tLab.hostOrder) || pieces != (len(tLab.hostOrder)+truncatedMax-1)/truncatedMax {
			t.Fatalf("%d of %d hosts in %d pieces", seen, len(tLab.hostOrder), pieces)
		}
		reset(t)
	})
}

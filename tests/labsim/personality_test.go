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

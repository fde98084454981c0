package main

// Server personalities (`--personality NAME`, repeatable): the same lab answered in the shapes
// other servers use, so that the client is proven against more than this simulator's habits.
// The reply shapes (pretty, legacy-ns, trickle) are transformations of vcsim's finished reply
// in the SDK middleware; no-paging and legacy-ns's numeric tokens are options of the
// PropertyCollector (pc.go), and so is truncated; esx-host is a hostd view of one host (hostd.go).

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strings"
	"time"
)

// Personality is the set of personalities a lab answers with.
type Personality struct {
	Pretty    bool // every reply indented: whitespace text between elements
	NoPaging  bool // maxObjects ignored: the whole result in one reply, never a token
	Trickle   bool // replies written in small flushed pieces with short pauses
	LegacyNS  bool // vCenter 5.5's shape: namespaces on their own lines, xsi:type on array items, tokens "0", "1", …
	ESXHost   bool // a host's own SDK (hostd) answers instead of vCenter
	Truncated bool // WaitForUpdatesEx: a few object updates per reply, truncated, versions V_1, V_2, …
}

var personalityNames = []struct {
	name string
	flag func(*Personality) *bool
	what string
}{
	{"pretty", func(p *Personality) *bool { return &p.Pretty }, "indented replies (whitespace text between elements)"},
	{"no-paging", func(p *Personality) *bool { return &p.NoPaging }, "ignores maxObjects: one reply, no token (like stock vcsim)"},
	{"trickle", func(p *Personality) *bool { return &p.Trickle }, "replies in small flushed pieces with short pauses"},
	{"legacy-ns", func(p *Personality) *bool { return &p.LegacyNS }, "vCenter 5.5's reply shape (real-formats/soap/miq_vc550sim_*)"},
	{"esx-host", func(p *Personality) *bool { return &p.ESXHost }, "each host's own SDK (hostd: ha-* morefs, no clusters)"},
	{"truncated", func(p *Personality) *bool { return &p.Truncated }, "WaitForUpdatesEx in pieces of <= 3 object updates (truncated, versions V_1, V_2, ...)"},
}

func personalityUsage() string {
	var s []string
	for _, k := range personalityNames {
		s = append(s, k.name+" ("+k.what+")")
	}
	return strings.Join(s, "; ")
}

// personalityFlag collects repeated --personality values (a value may also be a comma list).
type personalityFlag []string

func (f *personalityFlag) String() string { return strings.Join(*f, ",") }
func (f *personalityFlag) Set(v string) error {
	for _, n := range strings.Split(v, ",") {
		if n = strings.TrimSpace(n); n != "" {
			*f = append(*f, n)
		}
	}
	return nil
}

func parsePersonality(names []string) (Personality, error) {
	var p Personality
	for _, n := range names {
		found := false
		for _, k := range personalityNames {
			if k.name == n {
				*k.flag(&p) = true
				found = true
			}
		}
		if !found {
			var all []string
			for _, k := range personalityNames {
				all = append(all, k.name)
			}
			return p, fmt.Errorf("unknown personality %q (known: %s)", n, strings.Join(all, ", "))
		}
	}
	return p, nil
}

// Names lists the personalities that are on, in a stable order.
func (p Personality) Names() []string {
	out := []string{}
	for _, k := range personalityNames {
		if *k.flag(&p) {
			out = append(out, k.name)
		}
	}
	sort.Strings(out)
	return out
}

// reshapes says whether a reply must be buffered and rewritten before it is sent.
func (p Personality) reshapes() bool { return p.Pretty || p.LegacyNS || p.Trickle }

// replyRecorder keeps vcsim's reply so that it can be reshaped; headers go to the real writer.
type replyRecorder struct {
	w      http.ResponseWriter
	status int
	body   bytes.Buffer
}

func (r *replyRecorder) Header() http.Header         { return r.w.Header() }
func (r *replyRecorder) Write(b []byte) (int, error) { return r.body.Write(b) }
func (r *replyRecorder) WriteHeader(code int) {
	if r.status == 0 {
		r.status = code
	}
}

// serveShaped runs next and sends its reply in the personality's shape.
func (p Personality) serveShaped(w http.ResponseWriter, r *http.Request, next http.Handler) {
	rec := &replyRecorder{w: w}
	next.ServeHTTP(rec, r)
	if rec.status == 0 {
		rec.status = http.StatusOK
	}
	out := rec.body.Bytes()
	if p.Pretty || p.LegacyNS {
		if shaped, err := reshapeXML(out, p.Pretty, p.LegacyNS); err == nil {
			out = shaped
		}
	}
	w.Header().Del("Content-Length")
	if p.Trickle {
		trickle(w, rec.status, out)
		return
	}
	w.WriteHeader(rec.status)
	w.Write(out)
}

// Trickle pieces: sizes cycle through these (1 and 7 bytes split names, tags and entities;
// the larger ones keep a 22 MB reply to ~10^4 writes). A pause after each piece makes it
// arrive on its own; the pauses stop after trickleMaxPause so that a test's total delay stays small.
var trickleSizes = []int{1, 7, 3, 61, 1, 509, 13, 4093, 2}

const (
	tricklePause    = time.Millisecond
	trickleMaxPause = 40 * time.Millisecond
)

func trickle(w http.ResponseWriter, status int, out []byte) {
	fl, _ := w.(http.Flusher)
	w.WriteHeader(status)
	paused := time.Duration(0)
	for i := 0; len(out) > 0; i++ {
		n := trickleSizes[i%len(trickleSizes)]
		if len(out) > 64<<10 {
			n *= 16 // a big reply: the same rhythm in larger pieces
		}
		if n > len(out) {
			n = len(out)
		}
		if _, err := w.Write(out[:n]); err != nil {
			return
		}
		out = out[n:]
		if fl != nil {
			fl.Flush()
		}
		if paused < trickleMaxPause {
			time.Sleep(tricklePause)
			paused += tricklePause
		}
	}
}

// xsdPrimitive: array items of these types carry xsi:type="xsd:NAME" in a real server's reply.
var xsdPrimitive = map[string]bool{"string": true, "int": true, "long": true, "short": true, "byte": true,
	"boolean": true, "dateTime": true, "float": true, "double": true, "anyURI": true, "base64Binary": true}

const xsiNS = "http://www.w3.org/2001/XMLSchema-instance"

// reshapeXML rewrites a SOAP reply token by token. The data stays the same: text and attribute
// values are re-escaped, not changed; only whitespace between elements and the way namespaces
// are declared differ.
//
// pretty: an element that holds elements gets a newline and two spaces per level before each
// child and before its end tag; an element that holds text (or nothing) stays on one line, so
// no value gains whitespace.
//
// legacy: vCenter 5.5's envelope (each namespace declaration on its own line, the Body's start
// and end tags on lines of their own), `xsi:type` with the envelope's prefix instead of vcsim's
// per-element `xmlns:XMLSchema-instance` declarations, and `xsi:type` on every array item
// (`<PhysicalNic xsi:type="PhysicalNic">`, `<string xsi:type="xsd:string">`).
func reshapeXML(in []byte, pretty, legacy bool) ([]byte, error) {
	d := xml.NewDecoder(bytes.NewReader(in))
	var out bytes.Buffer
	out.Grow(len(in) + len(in)/4)
	type frame struct {
		name     xml.Name
		array    bool // xsi:type="ArrayOf…": its items get an xsi:type (legacy)
		children bool
	}
	var stack []frame
	indent := func(depth int) {
		out.WriteByte('\n')
		for i := 0; i < depth; i++ {
			out.WriteString("  ")
		}
	}
	for {
		tok, err := d.RawToken()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		switch t := tok.(type) {
		case xml.ProcInst:
			out.WriteString("<?" + t.Target + " " + string(t.Inst) + "?>\n")
		case xml.StartElement:
			isEnvelope := len(stack) == 0
			isBody := len(stack) == 1 && t.Name.Local == "Body"
			if len(stack) > 0 {
				stack[len(stack)-1].children = true
			}
			if pretty && len(stack) > 0 {
				indent(len(stack))
			} else if legacy && isBody {
				out.WriteByte('\n')
			}
			f := frame{name: t.Name}
			out.WriteString("<" + qname(t.Name))
			hasType := false
			for i, a := range t.Attr {
				if legacy && a.Name.Space == "xmlns" && a.Value == xsiNS && a.Name.Local != "xsi" {
					continue // the envelope declares xsi
				}
				if a.Name.Local == "type" && (a.Name.Space == "xsi" || a.Name.Space == "XMLSchema-instance") {
					hasType = true
					f.array = strings.HasPrefix(a.Value, "ArrayOf")
					if legacy {
						a.Name.Space = "xsi"
					}
				}
				if legacy && isEnvelope && i > 0 {
					out.WriteString("\n")
				}
				out.WriteString(" " + qname(a.Name) + `="`)
				escapeAttr(&out, a.Value)
				out.WriteByte('"')
			}
			if legacy && !hasType && len(stack) > 0 && stack[len(stack)-1].array {
				typ := t.Name.Local
				if xsdPrimitive[typ] {
					typ = "xsd:" + typ
				}
				out.WriteString(` xsi:type="` + typ + `"`)
			}
			out.WriteByte('>')
			if legacy && isBody && !pretty {
				out.WriteByte('\n')
			}
			stack = append(stack, f)
		case xml.EndElement:
			if len(stack) == 0 {
				return nil, fmt.Errorf("unbalanced </%s>", t.Name.Local)
			}
			f := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			if pretty && f.children {
				indent(len(stack))
			} else if legacy && !pretty && len(stack) <= 1 && f.children {
				out.WriteByte('\n') // </soapenv:Body> and </soapenv:Envelope> on their own lines
			}
			out.WriteString("</" + qname(t.Name) + ">")
		case xml.CharData:
			if (len(stack) == 0 || stack[len(stack)-1].children) && len(bytes.TrimSpace(t)) == 0 {
				continue // whitespace between elements: the shape decides it
			}
			escapeText(&out, t)
		case xml.Comment:
			out.WriteString("<!--" + string(t) + "-->")
		case xml.Directive:
			return nil, fmt.Errorf("a SOAP reply has no <!%s>", t)
		}
	}
	if len(stack) != 0 {
		return nil, fmt.Errorf("unterminated <%s>", stack[len(stack)-1].name.Local)
	}
	return out.Bytes(), nil
}

func qname(n xml.Name) string {
	if n.Space == "" {
		return n.Local
	}
	return n.Space + ":" + n.Local
}

func escapeText(out *bytes.Buffer, s []byte) {
	for _, c := range s {
		switch c {
		case '&':
			out.WriteString("&amp;")
		case '<':
			out.WriteString("&lt;")
		case '>':
			out.WriteString("&gt;")
		case '\r':
			out.WriteString("&#xD;")
		default:
			out.WriteByte(c)
		}
	}
}

func escapeAttr(out *bytes.Buffer, s string) {
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '&':
			out.WriteString("&amp;")
		case '<':
			out.WriteString("&lt;")
		case '"':
			out.WriteString("&quot;")
		case '\t':
			out.WriteString("&#x9;")
		case '\n':
			out.WriteString("&#xA;")
		case '\r':
			out.WriteString("&#xD;")
		default:
			out.WriteByte(c)
		}
	}
}

package main

// The esx-host personality: a host's own SDK (hostd) answering from the shared lab. One view per
// host, so that every simulated ESXi host can answer its own SDK on its own port while vCenter
// and SSH see the same state. The view translates vCenter's morefs into hostd's in both
// directions (ha-folder-root, ha-datacenter, ha-host, ha-compute-res, ha-root-pool,
// ha-property-collector, ha-sessionmgr, ha-perfmgr, networkSystem, HaNetwork-NAME, and a VM's
// vmid as vim-cmd prints it), leaves every object of the other hosts out of its replies, names
// the datacenter "ha-datacenter", gives the host's product in ServiceContent's about (apiType
// HostAgent) and takes root as the account (reference/vsphere.md §1.3). The lab is built with
// standalone hosts under this personality (LabSpec.Standalone): a hostd has no clusters.

import (
	"bytes"
	"crypto/tls"
	"encoding/xml"
	"fmt"
	"io"
	"io/ioutil"
	"net"
	"net/http"
	"strconv"
	"time"

	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25"
	"github.com/vmware/govmomi/vim25/mo"
)

const hostdUser = "root"

type hostdView struct {
	lab  *Lab
	host *labHost
	next http.Handler
}

// hostdNames: vCenter moref value -> hostd's, and the values that belong to other hosts.
func (v *hostdView) names() (map[string]string, map[string]bool) {
	l := v.lab
	to := map[string]string{}
	foreign := map[string]bool{}
	sc := simulator.Map.Get(vim25.ServiceInstance).(*simulator.ServiceInstance).Content
	to[sc.RootFolder.Value] = "ha-folder-root"
	to[sc.PropertyCollector.Value] = "ha-property-collector"
	to[sc.SessionManager.Value] = "ha-sessionmgr"
	if sc.PerfManager != nil {
		to[sc.PerfManager.Value] = "ha-perfmgr"
	}
	if dc, ok := simulator.Map.Get(l.dc).(*simulator.Datacenter); ok {
		to[dc.Self.Value] = "ha-datacenter"
		to[dc.VmFolder.Value] = "ha-folder-vm"
		to[dc.HostFolder.Value] = "ha-folder-host"
		to[dc.NetworkFolder.Value] = "ha-folder-network"
		to[dc.DatastoreFolder.Value] = "ha-folder-datastore"
	}
	for _, o := range simulator.Map.All("Network") {
		if n, ok := o.(*mo.Network); ok {
			to[n.Self.Value] = "HaNetwork-" + n.Name
		}
	}
	for _, name := range l.hostOrder {
		h := l.hosts[name]
		own := h == v.host
		refs := map[string]string{h.ref.Value: "ha-host", h.hnsRef.Value: "networkSystem"}
		if p := h.obj.Parent; p != nil {
			refs[p.Value] = "ha-compute-res"
			if cr, ok := simulator.Map.Get(*p).(*mo.ComputeResource); ok && cr.ResourcePool != nil {
				refs[cr.ResourcePool.Value] = "ha-root-pool"
			}
		}
		for _, vn := range h.vms {
			vm := l.vms[vn]
			refs[vm.ref.Value] = strconv.Itoa(vm.id)
		}
		for vc, hd := range refs {
			if own {
				to[vc] = hd
			} else {
				foreign[vc] = true
			}
		}
	}
	return to, foreign
}

// startHostd gives every host its own hostd SDK on its own 127.0.0.1 port (name -> URL). The
// first host's is also the SDK under test (sdkServer), which the control API stops and starts.
func startHostd(l *Lab, sdk *sdkServer) (map[string]string, error) {
	urls := map[string]string{}
	for i, name := range l.hostOrder {
		if i == 0 {
			urls[name] = "https://" + sdk.addr + "/sdk"
			continue
		}
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, err
		}
		v := &hostdView{lab: l, host: l.hosts[name], next: sdk.mux}
		srv := &http.Server{Handler: l.middleware(v), TLSConfig: sdk.tlsConf, ReadHeaderTimeout: 30 * time.Second}
		go srv.Serve(tls.NewListener(ln, sdk.tlsConf))
		urls[name] = "https://" + ln.Addr().String() + "/sdk"
	}
	return urls, nil
}

func (v *hostdView) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		v.next.ServeHTTP(w, r)
		return
	}
	to, foreign := v.names()
	from := map[string]string{}
	for vc, hd := range to {
		from[hd] = vc
	}
	body, err := ioutil.ReadAll(r.Body)
	if err != nil {
		w.WriteHeader(http.StatusBadRequest)
		return
	}
	if doc, err := parseXML(body); err == nil {
		v.translate(doc, from, nil, true)
		body = doc.bytes()
	}
	r.Body = ioutil.NopCloser(bytes.NewReader(body))
	r.ContentLength = int64(len(body))
	rec := &replyRecorder{w: w}
	v.next.ServeHTTP(rec, r)
	if rec.status == 0 {
		rec.status = http.StatusOK
	}
	out := rec.body.Bytes()
	if doc, err := parseXML(out); err == nil {
		v.translate(doc, to, foreign, false)
		out = doc.bytes()
	}
	w.Header().Del("Content-Length")
	w.WriteHeader(rec.status)
	w.Write(out)
}

// translate renames morefs by m and drops what refers to a foreign object: the moref itself in
// a list, or the whole object/property that it is (obj, val). It returns false when n must go.
func (v *hostdView) translate(n *xnode, m map[string]string, foreign map[string]bool, request bool) bool {
	if n.isMoref() {
		val := n.text()
		if foreign[val] {
			return false
		}
		if hd, ok := m[val]; ok {
			n.setText(hd)
		}
		return true
	}
	switch n.name.Local {
	case "userName", "fullName":
		if request && n.text() == hostdUser {
			n.setText(vcUser)
		} else if !request && n.text() == vcUser {
			n.setText(hostdUser)
		}
	case "about":
		v.about(n)
	}
	kids := n.kids[:0]
	for _, k := range n.kids {
		if k.isText || v.translate(k, m, foreign, request) {
			kids = append(kids, k)
		} else if k.name.Local == "obj" || k.name.Local == "val" {
			return false
		}
	}
	n.kids = kids
	if !request && (n.name.Local == "objects" || n.name.Local == "objectSet") {
		if obj := n.child("obj"); obj != nil && obj.text() == "ha-datacenter" {
			for _, ps := range n.kids {
				if nm := ps.child("name"); nm != nil && nm.text() == "name" {
					if val := ps.child("val"); val != nil {
						val.setText("ha-datacenter") // hostd's datacenter is called that
					}
				}
			}
		}
	}
	return true
}

// about: the host's product, as its hostd reports it.
func (v *hostdView) about(n *xnode) {
	prod := &v.host.obj.HostSystem
	if prod.Config == nil {
		return
	}
	p := prod.Config.Product
	set := map[string]string{"name": p.Name, "fullName": p.FullName, "version": p.Version, "build": p.Build,
		"osType": "vmnix-x86", "productLineId": "embeddedEsx", "apiType": "HostAgent",
		"licenseProductName": "VMware ESX Server", "instanceUuid": ""}
	for _, k := range n.kids {
		if val, ok := set[k.name.Local]; ok && !k.isText {
			k.setText(val)
		}
	}
}

// xnode is a small XML tree that keeps prefixes as written (RawToken), enough to rewrite a
// SOAP message and write it back.
type xnode struct {
	name   xml.Name
	attr   []xml.Attr
	kids   []*xnode
	isText bool
	data   []byte
	head   []byte // the XML declaration, on the root
}

func parseXML(in []byte) (*xnode, error) {
	d := xml.NewDecoder(bytes.NewReader(in))
	root := &xnode{}
	stack := []*xnode{root}
	for {
		tok, err := d.RawToken()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		top := stack[len(stack)-1]
		switch t := tok.(type) {
		case xml.ProcInst:
			root.head = []byte("<?" + t.Target + " " + string(t.Inst) + "?>\n")
		case xml.StartElement:
			n := &xnode{name: t.Name, attr: append([]xml.Attr(nil), t.Attr...)}
			top.kids = append(top.kids, n)
			stack = append(stack, n)
		case xml.EndElement:
			if len(stack) < 2 {
				return nil, fmt.Errorf("unbalanced </%s>", t.Name.Local)
			}
			stack = stack[:len(stack)-1]
		case xml.CharData:
			if len(stack) > 1 {
				top.kids = append(top.kids, &xnode{isText: true, data: append([]byte(nil), t...)})
			}
		}
	}
	if len(stack) != 1 {
		return nil, fmt.Errorf("unterminated element")
	}
	return root, nil
}

func (n *xnode) isMoref() bool {
	for _, a := range n.attr {
		if a.Name.Space == "" && a.Name.Local == "type" {
			return len(n.kids) <= 1 && (len(n.kids) == 0 || n.kids[0].isText)
		}
	}
	return false
}

func (n *xnode) text() string {
	var b []byte
	for _, k := range n.kids {
		if k.isText {
			b = append(b, k.data...)
		}
	}
	return string(b)
}

func (n *xnode) setText(s string) { n.kids = []*xnode{{isText: true, data: []byte(s)}} }

func (n *xnode) child(local string) *xnode {
	for _, k := range n.kids {
		if !k.isText && k.name.Local == local {
			return k
		}
	}
	return nil
}

func (n *xnode) bytes() []byte {
	var out bytes.Buffer
	out.Write(n.head)
	for _, k := range n.kids {
		k.write(&out)
	}
	return out.Bytes()
}

func (n *xnode) write(out *bytes.Buffer) {
	if n.isText {
		escapeText(out, n.data)
		return
	}
	out.WriteString("<" + qname(n.name))
	for _, a := range n.attr {
		out.WriteString(" " + qname(a.Name) + `="`)
		escapeAttr(out, a.Value)
		out.WriteByte('"')
	}
	out.WriteByte('>')
	for _, k := range n.kids {
		k.write(out)
	}
	out.WriteString("</" + qname(n.name) + ">")
}

package main

import (
	"encoding/json"
	"fmt"
	"io/ioutil"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25/types"
)

// Control API on 127.0.0.1 (README "Control API").
type controlServer struct {
	lab *Lab
	sdk *sdkServer
}

func writeJSON(w http.ResponseWriter, code int, v interface{}) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	enc := json.NewEncoder(w)
	enc.SetIndent("", " ")
	enc.Encode(v)
}

func jsonErr(w http.ResponseWriter, code int, format string, args ...interface{}) {
	writeJSON(w, code, map[string]string{"error": fmt.Sprintf(format, args...)})
}

func (c *controlServer) serve(ln net.Listener) {
	mux := http.NewServeMux()
	post := func(path string, f func(w http.ResponseWriter, r *http.Request, body []byte)) {
		mux.HandleFunc(path, func(w http.ResponseWriter, r *http.Request) {
			if r.Method != http.MethodPost {
				jsonErr(w, http.StatusMethodNotAllowed, "use POST")
				return
			}
			body, _ := ioutil.ReadAll(http.MaxBytesReader(w, r.Body, 1<<20))
			f(w, r, body)
		})
	}
	mux.HandleFunc("/state", func(w http.ResponseWriter, r *http.Request) { writeJSON(w, 200, c.lab.State(c.sdk.isUp())) })
	mux.HandleFunc("/calls", func(w http.ResponseWriter, r *http.Request) {
		c.lab.mu.Lock()
		out := map[string]int{}
		total := 0
		for k, v := range c.lab.calls {
			out[k] = v
			total += v
		}
		c.lab.mu.Unlock()
		writeJSON(w, 200, map[string]interface{}{"total": total, "methods": out})
	})
	post("/calls/reset", func(w http.ResponseWriter, r *http.Request, body []byte) {
		c.lab.mu.Lock()
		c.lab.calls = map[string]int{}
		c.lab.mu.Unlock()
		writeJSON(w, 200, map[string]bool{"ok": true})
	})
	post("/vcenter/stop", func(w http.ResponseWriter, r *http.Request, body []byte) {
		var req struct {
			After string `json:"after"`
		}
		_ = json.Unmarshal(body, &req)
		if req.After != "" {
			// Deterministic "vCenter goes away mid-apply": the next call of that method is
			// answered, the SDK call after it finds vCenter stopped.
			c.lab.mu.Lock()
			c.lab.stopAfter, c.lab.stopNow = req.After, false
			c.lab.mu.Unlock()
			writeJSON(w, 200, map[string]interface{}{"ok": true, "vcenter": "stops after " + req.After})
			return
		}
		c.sdk.stop()
		writeJSON(w, 200, map[string]interface{}{"ok": true, "vcenter": "stopped"})
	})
	post("/vcenter/start", func(w http.ResponseWriter, r *http.Request, body []byte) {
		var req struct {
			KeepSessions bool `json:"keep_sessions"`
		}
		_ = json.Unmarshal(body, &req)
		if !c.sdk.isUp() && !req.KeepSessions {
			dropSessions()
		}
		if err := c.sdk.start(nil); err != nil {
			jsonErr(w, 500, "cannot reopen %s: %v", c.sdk.addr, err)
			return
		}
		writeJSON(w, 200, map[string]interface{}{"ok": true, "vcenter": "running"})
	})
	mux.HandleFunc("/host/", func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost {
			jsonErr(w, http.StatusMethodNotAllowed, "use POST")
			return
		}
		parts := strings.Split(strings.TrimPrefix(r.URL.Path, "/host/"), "/")
		if len(parts) == 2 && parts[1] == "hostkey" {
			c.rekey(w, r, parts[0])
			return
		}
		if len(parts) == 2 && (parts[1] == "hang" || parts[1] == "unhang") {
			if err := c.lab.setHung(parts[0], parts[1] == "hang"); err != nil {
				jsonErr(w, 404, "%v", err)
				return
			}
			writeJSON(w, 200, map[string]interface{}{"ok": true, "host": parts[0], "hung": parts[1] == "hang"})
			return
		}
		if len(parts) != 2 || (parts[1] != "down" && parts[1] != "up") {
			jsonErr(w, 404, "use /host/{name}/down, /up, /hang or /unhang")
			return
		}
		if err := c.lab.setDown(parts[0], parts[1] == "down"); err != nil {
			jsonErr(w, 404, "%v", err)
			return
		}
		writeJSON(w, 200, map[string]interface{}{"ok": true, "host": parts[0], "up": parts[1] == "up"})
	})
	post("/latency", func(w http.ResponseWriter, r *http.Request, body []byte) {
		var req struct {
			MS *int `json:"ms"`
		}
		if err := json.Unmarshal(body, &req); err != nil || req.MS == nil || *req.MS < 0 {
			jsonErr(w, 400, `body must be {"ms": N} with N >= 0`)
			return
		}
		c.lab.mu.Lock()
		c.lab.latency = time.Duration(*req.MS) * time.Millisecond
		c.lab.mu.Unlock()
		writeJSON(w, 200, map[string]interface{}{"ok": true, "ms": *req.MS})
	})
	post("/fault", func(w http.ResponseWriter, r *http.Request, body []byte) {
		var req faultRule
		if err := json.Unmarshal(body, &req); err != nil || req.Method == "" || req.Fault == "" {
			jsonErr(w, 400, `body must be {"method":"M","fault":"NotFound","count":1,"message":"..."}`)
			return
		}
		if _, ok := types.TypeFunc()(req.Fault); !ok {
			jsonErr(w, 400, "unknown fault type %q", req.Fault)
			return
		}
		if req.Count == 0 {
			req.Count = 1
		}
		c.lab.mu.Lock()
		if req.Count < 0 {
			delete(c.lab.faults, req.Method)
		} else {
			c.lab.faults[req.Method] = &req
		}
		c.lab.mu.Unlock()
		writeJSON(w, 200, map[string]interface{}{"ok": true, "fault": req})
	})
	post("/traffic", func(w http.ResponseWriter, r *http.Request, body []byte) {
		var req struct {
			VM   string   `json:"vm"`
			Host string   `json:"host"`
			All  bool     `json:"all"`
			NIC  *int     `json:"nic"`
			PPS  *float64 `json:"pps"`
		}
		if err := json.Unmarshal(body, &req); err != nil || req.PPS == nil || *req.PPS < 0 {
			jsonErr(w, 400, `body must be {"vm":"n-esx01"|"host":"esx-p01.lab.invalid"|"all":true, "pps":N [, "nic":0]}`)
			return
		}
		var vms []string
		switch {
		case req.VM != "":
			if c.lab.vms[req.VM] == nil {
				jsonErr(w, 404, "unknown VM %q", req.VM)
				return
			}
			vms = []string{req.VM}
		case req.Host != "":
			h := c.lab.hosts[req.Host]
			if h == nil {
				jsonErr(w, 404, "unknown host %q", req.Host)
				return
			}
			vms = h.vms
		case req.All:
			vms = c.lab.vmOrder
		default:
			jsonErr(w, 400, "give vm, host or all")
			return
		}
		c.lab.mu.Lock()
		for _, vn := range vms {
			for i := range c.lab.pps[vn] {
				if req.NIC == nil || *req.NIC == i {
					c.lab.pps[vn][i] = *req.PPS
				}
			}
		}
		c.lab.mu.Unlock()
		writeJSON(w, 200, map[string]interface{}{"ok": true, "vms": vms, "pps": *req.PPS})
	})
	post("/reset", func(w http.ResponseWriter, r *http.Request, body []byte) {
		c.lab.applyInitialState(true)
		writeJSON(w, 200, map[string]bool{"ok": true})
	})
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go srv.Serve(ln)
}

// rekey answers POST /host/{name}/hostkey {"type":"ed25519"}: a new host key of that type.
func (c *controlServer) rekey(w http.ResponseWriter, r *http.Request, host string) {
	var req struct {
		Type string `json:"type"`
	}
	body, _ := ioutil.ReadAll(http.MaxBytesReader(w, r.Body, 1<<16))
	if err := json.Unmarshal(body, &req); err != nil || req.Type == "" {
		jsonErr(w, 400, `body must be {"type":"ecdsa-p256"|"ecdsa-p384"|"ecdsa-p521"|"ed25519"|"rsa"}`)
		return
	}
	if rekeySSH == nil {
		jsonErr(w, 501, "this labsim has no SSH hosts")
		return
	}
	line, err := rekeySSH(host, req.Type)
	if err != nil {
		jsonErr(w, 400, "%v", err)
		return
	}
	writeJSON(w, 200, map[string]interface{}{"ok": true, "host": host, "type": req.Type, "known_hosts": line})
}

// dropSessions forgets every vCenter session, as a restarted vCenter would.
func dropSessions() {
	sm := simulator.Map.SessionManager()
	simulator.Map.WithLock(sm, func() { clearSessions(sm) })
}

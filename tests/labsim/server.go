package main

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"encoding/xml"
	"fmt"
	"html"
	"io/ioutil"
	"math/big"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25"
)

// loadOrCreateCert keeps the vCenter certificate in the state dir so restarts keep the thumbprint.
func loadOrCreateCert(dir string) (tls.Certificate, string, error) {
	certFile := filepath.Join(dir, "vcenter.crt")
	keyFile := filepath.Join(dir, "vcenter.key")
	if c, err := tls.LoadX509KeyPair(certFile, keyFile); err == nil {
		return c, thumbprint(c.Certificate[0]), nil
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return tls.Certificate{}, "", err
	}
	serial, _ := rand.Int(rand.Reader, big.NewInt(1<<62))
	tmpl := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               pkix.Name{CommonName: "vc-lab.lab.invalid", Organization: []string{"nestlab labsim"}},
		NotBefore:             time.Now().Add(-24 * time.Hour),
		NotAfter:              time.Now().Add(10 * 365 * 24 * time.Hour),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		DNSNames:              []string{"vc-lab.lab.invalid", "localhost"},
		IPAddresses:           []net.IP{net.ParseIP("127.0.0.1")},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return tls.Certificate{}, "", err
	}
	kb, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		return tls.Certificate{}, "", err
	}
	if err := ioutil.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kb}), 0600); err != nil {
		return tls.Certificate{}, "", err
	}
	if err := ioutil.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0644); err != nil {
		return tls.Certificate{}, "", err
	}
	c, err := tls.LoadX509KeyPair(certFile, keyFile)
	if err != nil {
		return tls.Certificate{}, "", err
	}
	return c, thumbprint(der), nil
}

func thumbprint(der []byte) string {
	sum := sha256.Sum256(der)
	parts := make([]string, len(sum))
	for i, b := range sum {
		parts[i] = fmt.Sprintf("%02X", b)
	}
	return strings.Join(parts, ":")
}

// sdkServer serves vcsim's mux on a fixed 127.0.0.1 port and can be stopped and restarted.
type sdkServer struct {
	lab     *Lab
	addr    string // 127.0.0.1:PORT, fixed for the lab's life
	tlsConf *tls.Config
	handler http.Handler
	mux     http.Handler // vcsim's, for the per-host hostd views

	mu  sync.Mutex
	srv *http.Server
	up  bool
}

func newSDKServer(l *Lab, cert tls.Certificate, user, password string, ln net.Listener) *sdkServer {
	s := l.svc
	s.Listen = &url.URL{Scheme: "https", Host: ln.Addr().String(), Path: "/sdk", User: url.UserPassword(user, password)}
	s.RegisterSDK(simulator.Map)
	mux := s.ServeMux
	mux.HandleFunc(vim25.Path+"/vimServiceVersions.xml", s.ServiceVersions)
	mux.HandleFunc("/folder/", s.ServeDatastore)
	mux.HandleFunc("/about", s.About)
	simulator.Map.SessionManager().ServiceHostName = ln.Addr().String()
	simulator.Map.SessionManager().TLSCert = func() string { return "" }
	tc := &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
	var h http.Handler = mux
	if l.persona.ESXHost {
		// The SDK under test is the first host's own (hostd.go); the others listen in startHostd.
		h = &hostdView{lab: l, host: l.hosts[l.hostOrder[0]], next: mux}
	}
	sdk := &sdkServer{lab: l, addr: ln.Addr().String(), tlsConf: tc, handler: l.middleware(h), mux: mux}
	l.stopSDK = sdk.stop
	return sdk
}

func (s *sdkServer) start(ln net.Listener) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.up {
		return nil
	}
	var err error
	if ln == nil {
		for i := 0; i < 50; i++ {
			ln, err = net.Listen("tcp", s.addr)
			if err == nil {
				break
			}
			time.Sleep(100 * time.Millisecond)
		}
		if err != nil {
			return err
		}
	}
	srv := &http.Server{Handler: s.handler, TLSConfig: s.tlsConf, ErrorLog: nil,
		ReadHeaderTimeout: 30 * time.Second}
	srv.SetKeepAlivesEnabled(true)
	s.srv = srv
	s.up = true
	go srv.Serve(tls.NewListener(ln, s.tlsConf))
	return nil
}

func (s *sdkServer) stop() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.up {
		return
	}
	s.srv.Close() // closes the listener and every open connection
	s.up = false
}

func (s *sdkServer) isUp() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.up
}

type faultRule struct {
	Method  string `json:"method"`
	Fault   string `json:"fault"`
	Count   int    `json:"count"`
	Message string `json:"message"`
}

// soapMethod returns the local name of the first element inside soap Body.
func soapMethod(body []byte) string {
	d := xml.NewDecoder(bytes.NewReader(body))
	inBody := false
	for {
		tok, err := d.Token()
		if err != nil {
			return ""
		}
		if se, ok := tok.(xml.StartElement); ok {
			if inBody {
				return se.Name.Local
			}
			if se.Name.Local == "Body" {
				inBody = true
			}
		}
	}
}

func faultXML(kind, msg string) []byte {
	if msg == "" {
		msg = "Fault injected by labsim: " + kind
	}
	return []byte(`<?xml version="1.0" encoding="UTF-8"?>` + "\n" +
		`<soapenv:Envelope xmlns:soapenc="http://schemas.xmlsoap.org/soap/encoding/" xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">` +
		`<soapenv:Body><soapenv:Fault><faultcode>ServerFaultCode</faultcode><faultstring>` + html.EscapeString(msg) + `</faultstring>` +
		`<detail><` + kind + `Fault xmlns="urn:vim25" xsi:type="` + kind + `"></` + kind + `Fault></detail></soapenv:Fault></soapenv:Body></soapenv:Envelope>`)
}

// middleware counts SOAP calls per method, applies latency and injected faults.
func (l *Lab) middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost || !strings.HasPrefix(r.URL.Path, "/sdk") {
			next.ServeHTTP(w, r)
			return
		}
		body, err := ioutil.ReadAll(http.MaxBytesReader(w, r.Body, 64<<20))
		if err != nil {
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		if r.URL.Path == "/sdk/vimService" {
			r.URL.Path = "/sdk"
		}
		method := soapMethod(body)
		l.mu.Lock()
		if l.stopNow && l.stopSDK != nil {
			// The call after the one the test named: vCenter goes away before answering it.
			l.stopNow = false
			l.mu.Unlock()
			l.stopSDK()
			return
		}
		if l.stopAfter != "" && l.stopAfter == method {
			l.stopAfter, l.stopNow = "", true
		}
		l.calls[method]++
		delay := l.latency
		var inject *faultRule
		if f := l.faults[method]; f != nil && f.Count > 0 {
			f.Count--
			inject = &faultRule{Method: f.Method, Fault: f.Fault, Message: f.Message}
			if f.Count == 0 {
				delete(l.faults, method)
			}
		}
		persona := l.persona
		l.mu.Unlock()
		if delay > 0 {
			time.Sleep(delay)
			if r.Context().Err() != nil {
				// vCenter was stopped (its connections closed) during the delay: like a stopped
				// server, it does nothing more with this call.
				return
			}
		}
		w.Header().Set("Content-Type", "text/xml; charset=utf-8")
		reply := next
		if inject != nil {
			reply = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.WriteHeader(http.StatusInternalServerError)
				w.Write(faultXML(inject.Fault, inject.Message))
			})
		}
		r.Body = ioutil.NopCloser(bytes.NewReader(body))
		r.ContentLength = int64(len(body))
		if persona.reshapes() {
			persona.serveShaped(w, r, reply)
			return
		}
		reply.ServeHTTP(w, r)
	})
}

var _ = os.Stderr

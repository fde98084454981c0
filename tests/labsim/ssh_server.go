package main

// One SSH server per simulated ESXi host, on 127.0.0.1 and a port of its own.
//
// Like an ESXi host's sshd: user root, the password through keyboard-interactive only (one
// prompt "Password: ", echo off, then — after a right password — a round with zero prompts, as
// sshd's PAM conversation sends; "publickey" is offered and always fails, so the method list a
// client sees is "publickey,keyboard-interactive"); the plain "password" method only when
// allowPassword. Exec requests only (no shell, no pty). Each host has a persistent host key in
// stateDir/hostkeys/<host>.key, ECDSA P-256 unless replaced through the control API
// (rekeySSHHost: a reinstalled host, or one whose sshd now offers another key type).
//
// While HostDirectory.Up(host) is false the port really refuses connections: the listener is
// closed (and open connections dropped) and it listens again on the same port when the host is
// up. Up is polled every sshUpPollInterval.
//
// Bounds: sshMaxConnsPerHost connections per host, sshMaxSessionsPerConn concurrent sessions per
// connection, sshMaxCommandBytes per exec command, sshMaxOutputBytes per output stream,
// sshHandshakeTimeout for key exchange + authentication, esxCommandTimeout per command (then
// exit status 124 and the channel is closed).

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/subtle"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/knownhosts"
)

const (
	sshUpPollInterval     = 100 * time.Millisecond
	sshMaxConnsPerHost    = 32
	sshMaxSessionsPerConn = 10
	sshMaxCommandBytes    = 64 * 1024
	sshMaxOutputBytes     = 16 << 20
	sshHandshakeTimeout   = 10 * time.Second
	sshServerVersion      = "SSH-2.0-OpenSSH_9.3"
)

// esxCommandTimeout bounds one exec request (a variable so tests can shorten it).
var esxCommandTimeout = 30 * time.Second

func init() {
	startSSH = StartSSHHosts
	rekeySSH = rekeySSHHost
}

// sshServers finds a running host's server by name, for rekeySSHHost.
var sshServers = struct {
	sync.Mutex
	byName map[string]*sshHostServer
}{byName: map[string]*sshHostServer{}}

type sshHostServer struct {
	name          string
	dir           HostDirectory
	api           HostAPI // as found at start; refreshed from dir per command
	keyPath       string
	password      string
	allowPassword bool
	port          int

	mu      sync.Mutex
	config  *ssh.ServerConfig // replaced by rekeySSHHost
	ln      net.Listener
	conns   map[net.Conn]struct{}
	stopped bool
	warned  bool
	wg      sync.WaitGroup
}

// hostKeyFileName keeps host names safe as file names.
func hostKeyFileName(host string) string {
	return strings.Map(func(r rune) rune {
		if (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z') || (r >= '0' && r <= '9') || r == '.' || r == '-' || r == '_' {
			return r
		}
		return '_'
	}, host) + ".key"
}

// loadOrCreateHostKey returns the host's persistent key, an ECDSA P-256 one when there is none.
func loadOrCreateHostKey(path string) (ssh.Signer, error) {
	if data, err := os.ReadFile(path); err == nil {
		s, err := ssh.ParsePrivateKey(data)
		if err != nil {
			return nil, fmt.Errorf("host key %s: %v", path, err)
		}
		return s, nil
	} else if !os.IsNotExist(err) {
		return nil, err
	}
	return createHostKey(path, "ecdsa-p256")
}

// createHostKey makes a new host key of keyType (ecdsa-p256, ecdsa-p384, ecdsa-p521, ed25519,
// rsa) and stores it at path (PKCS#8 PEM, replacing what was there).
func createHostKey(path, keyType string) (ssh.Signer, error) {
	var key crypto.Signer
	var err error
	switch keyType {
	case "ecdsa", "ecdsa-p256":
		key, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	case "ecdsa-p384":
		key, err = ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	case "ecdsa-p521":
		key, err = ecdsa.GenerateKey(elliptic.P521(), rand.Reader)
	case "ed25519":
		_, key, err = ed25519.GenerateKey(rand.Reader)
	case "rsa":
		key, err = rsa.GenerateKey(rand.Reader, 2048)
	default:
		return nil, fmt.Errorf("unknown host key type %q (ecdsa-p256, ecdsa-p384, ecdsa-p521, ed25519, rsa)", keyType)
	}
	if err != nil {
		return nil, err
	}
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return nil, err
	}
	data := pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, data, 0600); err != nil {
		return nil, err
	}
	if err := os.Rename(tmp, path); err != nil {
		return nil, err
	}
	return ssh.NewSignerFromKey(key)
}

// rekeySSHHost gives a running host a new host key of keyType, as a reinstalled host or an sshd
// offering another key type would have: open connections are dropped, new ones see the new key.
// It returns the key's known_hosts line.
func rekeySSHHost(name, keyType string) (string, error) {
	sshServers.Lock()
	h := sshServers.byName[name]
	sshServers.Unlock()
	if h == nil {
		return "", fmt.Errorf("unknown host %q", name)
	}
	signer, err := createHostKey(h.keyPath, keyType)
	if err != nil {
		return "", err
	}
	cfg := newSSHServerConfig(signer, h.password, h.allowPassword)
	h.mu.Lock()
	h.config = cfg
	for c := range h.conns {
		c.Close()
	}
	h.mu.Unlock()
	return knownHostsLine(h.port, signer), nil
}

func knownHostsLine(port int, signer ssh.Signer) string {
	return knownhosts.Line([]string{knownhosts.Normalize(fmt.Sprintf("127.0.0.1:%d", port))}, signer.PublicKey())
}

var errSSHAuth = errors.New("permission denied")

func newSSHServerConfig(signer ssh.Signer, password string, allowPassword bool) *ssh.ServerConfig {
	check := func(user string, answer []byte) error {
		ok := subtle.ConstantTimeCompare(answer, []byte(password)) == 1
		if user != "root" || !ok {
			return errSSHAuth
		}
		return nil
	}
	cfg := &ssh.ServerConfig{
		ServerVersion: sshServerVersion,
		MaxAuthTries:  6,
		PublicKeyCallback: func(ssh.ConnMetadata, ssh.PublicKey) (*ssh.Permissions, error) {
			return nil, errSSHAuth // offered like ESXi's sshd, never accepted here
		},
		KeyboardInteractiveCallback: func(c ssh.ConnMetadata, chal ssh.KeyboardInteractiveChallenge) (*ssh.Permissions, error) {
			answers, err := chal("", "", []string{"Password: "}, []bool{false})
			if err != nil {
				return nil, err
			}
			if len(answers) != 1 {
				return nil, errSSHAuth
			}
			if err := check(c.User(), []byte(answers[0])); err != nil {
				return nil, err
			}
			// OpenSSH's sshd with PAM (ESXi) ends a successful conversation with an
			// info request holding zero prompts; clients must answer it.
			if _, err := chal("", "", nil, nil); err != nil {
				return nil, err
			}
			return &ssh.Permissions{}, nil
		},
	}
	if allowPassword {
		cfg.PasswordCallback = func(c ssh.ConnMetadata, pw []byte) (*ssh.Permissions, error) {
			if err := check(c.User(), pw); err != nil {
				return nil, err
			}
			return &ssh.Permissions{}, nil
		}
	}
	cfg.AddHostKey(signer)
	return cfg
}

// StartSSHHosts starts one SSH server per host of dir. It returns each host's port and
// known_hosts line (by host name), and a stop function. (main writes stateDir/known_hosts.)
func StartSSHHosts(dir HostDirectory, stateDir string, password string, allowPassword bool) (map[string]int, map[string]string, func(), error) {
	keyDir := filepath.Join(stateDir, "hostkeys")
	if err := os.MkdirAll(keyDir, 0700); err != nil {
		return nil, nil, nil, err
	}
	var servers []*sshHostServer
	closeAll := func() {
		for _, h := range servers {
			h.shutdown()
		}
	}
	ports := map[string]int{}
	known := map[string]string{}
	for _, api := range dir.Hosts() {
		name := api.HostName()
		if _, dup := ports[name]; dup {
			closeAll()
			return nil, nil, nil, fmt.Errorf("ssh: duplicate host name %q", name)
		}
		signer, err := loadOrCreateHostKey(filepath.Join(keyDir, hostKeyFileName(name)))
		if err != nil {
			closeAll()
			return nil, nil, nil, err
		}
		// Take a port now, whether the host is up or not, so its port is known and stable.
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			closeAll()
			return nil, nil, nil, err
		}
		h := &sshHostServer{name: name, dir: dir, api: api, port: ln.Addr().(*net.TCPAddr).Port,
			keyPath: filepath.Join(keyDir, hostKeyFileName(name)), password: password, allowPassword: allowPassword,
			config: newSSHServerConfig(signer, password, allowPassword), conns: map[net.Conn]struct{}{}}
		servers = append(servers, h)
		sshServers.Lock()
		sshServers.byName[name] = h
		sshServers.Unlock()
		h.mu.Lock()
		h.ln = ln
		h.wg.Add(1)
		go h.acceptLoop(ln)
		h.mu.Unlock()
		ports[name] = h.port
		known[name] = knownHostsLine(h.port, signer)
	}
	for _, h := range servers {
		h.sync(dir.Up(h.name))
	}
	done := make(chan struct{})
	pollDone := make(chan struct{})
	go func() {
		defer close(pollDone)
		t := time.NewTicker(sshUpPollInterval)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				for _, h := range servers {
					h.sync(dir.Up(h.name))
				}
			}
		}
	}()
	var once sync.Once
	stop := func() {
		once.Do(func() {
			close(done)
			<-pollDone
			closeAll()
		})
	}
	return ports, known, stop, nil
}

// sync makes the listener follow the host's up/down state.
func (h *sshHostServer) sync(up bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.stopped {
		return
	}
	if up && h.ln == nil {
		ln, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", h.port))
		if err != nil {
			if !h.warned {
				log.Printf("labsim ssh: %s: cannot listen again on port %d (will retry): %v", h.name, h.port, err)
				h.warned = true
			}
			return
		}
		h.warned = false
		h.ln = ln
		h.wg.Add(1)
		go h.acceptLoop(ln)
	} else if !up && h.ln != nil {
		h.ln.Close()
		h.ln = nil
		for c := range h.conns {
			c.Close()
		}
	}
}

func (h *sshHostServer) shutdown() {
	h.mu.Lock()
	h.stopped = true
	if h.ln != nil {
		h.ln.Close()
		h.ln = nil
	}
	for c := range h.conns {
		c.Close()
	}
	h.mu.Unlock()
	waited := make(chan struct{})
	go func() { h.wg.Wait(); close(waited) }()
	select {
	case <-waited:
	case <-time.After(5 * time.Second):
		log.Printf("labsim ssh: %s: connections still closing after 5 s", h.name)
	}
}

func (h *sshHostServer) acceptLoop(ln net.Listener) {
	defer h.wg.Done()
	for {
		c, err := ln.Accept()
		if err != nil {
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				time.Sleep(10 * time.Millisecond)
				continue
			}
			return
		}
		h.mu.Lock()
		ok := !h.stopped && h.ln == ln && len(h.conns) < sshMaxConnsPerHost
		if ok {
			h.conns[c] = struct{}{}
			h.wg.Add(1)
		}
		h.mu.Unlock()
		if !ok {
			c.Close()
			continue
		}
		go h.serveConn(c)
	}
}

// currentAPI finds the host's HostAPI in the directory (it may have been replaced by a reset).
func (h *sshHostServer) currentAPI() HostAPI {
	for _, a := range h.dir.Hosts() {
		if a.HostName() == h.name {
			return a
		}
	}
	return h.api
}

func (h *sshHostServer) serveConn(c net.Conn) {
	defer h.wg.Done()
	defer func() {
		h.mu.Lock()
		delete(h.conns, c)
		h.mu.Unlock()
		c.Close()
	}()
	_ = c.SetDeadline(time.Now().Add(sshHandshakeTimeout))
	h.mu.Lock()
	config := h.config
	h.mu.Unlock()
	sconn, chans, reqs, err := ssh.NewServerConn(c, config)
	if err != nil {
		return
	}
	_ = c.SetDeadline(time.Time{})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() { _ = sconn.Wait(); cancel() }()
	go ssh.DiscardRequests(reqs)
	sessions := make(chan struct{}, sshMaxSessionsPerConn)
	var swg sync.WaitGroup
	for nc := range chans {
		if nc.ChannelType() != "session" {
			_ = nc.Reject(ssh.UnknownChannelType, "only session channels are supported")
			continue
		}
		select {
		case sessions <- struct{}{}:
		default:
			_ = nc.Reject(ssh.ResourceShortage, "too many sessions")
			continue
		}
		ch, creqs, err := nc.Accept()
		if err != nil {
			<-sessions
			continue
		}
		swg.Add(1)
		go func() {
			defer swg.Done()
			defer func() { <-sessions }()
			h.serveSession(ctx, ch, creqs)
		}()
	}
	cancel()
	swg.Wait()
}

func (h *sshHostServer) serveSession(ctx context.Context, ch ssh.Channel, reqs <-chan *ssh.Request) {
	defer ch.Close()
	started := false
	finished := make(chan struct{})
	for {
		select {
		case <-ctx.Done():
			return
		case <-finished:
			return
		case req, ok := <-reqs:
			if !ok {
				return
			}
			switch req.Type {
			case "exec":
				var p struct{ Command string }
				if started || ssh.Unmarshal(req.Payload, &p) != nil || len(p.Command) > sshMaxCommandBytes {
					_ = req.Reply(false, nil)
					continue
				}
				started = true
				_ = req.Reply(true, nil)
				go func() {
					defer close(finished)
					h.runExec(ctx, ch, p.Command)
				}()
			default: // env, pty-req, shell, subsystem, x11-req, ...: not on this host
				if req.WantReply {
					_ = req.Reply(false, nil)
				}
			}
		}
	}
}

// outFence serialises a command's output writes and lets runExec stop them: x/crypto's
// channel.CloseWrite must not run concurrently with a Write.
type outFence struct {
	mu     sync.Mutex
	closed bool
}

// cappedWriter passes at most left bytes on, then silently drops the rest.
type cappedWriter struct {
	f    *outFence
	w    io.Writer
	left int
}

func (c *cappedWriter) Write(p []byte) (int, error) {
	c.f.mu.Lock()
	defer c.f.mu.Unlock()
	n := len(p)
	if c.f.closed || c.left <= 0 {
		return n, nil
	}
	if len(p) > c.left {
		p = p[:c.left]
	}
	c.left -= len(p)
	if _, err := c.w.Write(p); err != nil {
		return 0, err
	}
	return n, nil
}

func (h *sshHostServer) runExec(ctx context.Context, ch ssh.Channel, command string) {
	cctx, cancel := context.WithTimeout(ctx, esxCommandTimeout)
	defer cancel()
	fence := &outFence{}
	env := &esxEnv{
		ctx:    cctx,
		api:    h.currentAPI(),
		stdout: &cappedWriter{f: fence, w: ch, left: sshMaxOutputBytes},
		stderr: &cappedWriter{f: fence, w: ch.Stderr(), left: sshMaxOutputBytes},
	}
	done := make(chan int, 1)
	if hd, ok := h.dir.(interface{ Hung(string) bool }); ok && hd.Hung(h.name) {
		// A hung host (control API /host/X/hang): the command never answers; the client's own
		// timeout has to give up, and the server's esxCommandTimeout is the backstop.
		<-cctx.Done()
		return
	}
	go func() { done <- runESXiCommandLine(env, command) }()
	var status int
	select {
	case status = <-done:
		_ = ch.CloseWrite()
	case <-cctx.Done():
		if ctx.Err() != nil {
			return // the client went away
		}
		status = 124 // like timeout(1); the command's goroutine ends on its own (ctx, fence)
		fenced := make(chan struct{})
		go func() {
			fence.mu.Lock()
			fence.closed = true
			fence.mu.Unlock()
			close(fenced)
		}()
		select {
		case <-fenced:
			_ = ch.CloseWrite()
		case <-time.After(200 * time.Millisecond):
			// A write is stuck on flow control; skip EOF, exit-status and close still go out.
		}
	}
	_, _ = ch.SendRequest("exit-status", false, ssh.Marshal(struct{ Status uint32 }{uint32(status)}))
	_ = ch.Close()
}

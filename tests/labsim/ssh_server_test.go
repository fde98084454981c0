package main

import (
	"bytes"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/knownhosts"
)

const testPassword = "VMware1!"

func startTestSSH(t *testing.T, allowPassword bool, names ...string) (*fakeDir, map[string]int, map[string]string, string, func()) {
	t.Helper()
	dir := newFakeDir(names...)
	state := t.TempDir()
	ports, known, stop, err := StartSSHHosts(dir, state, testPassword, allowPassword)
	if err != nil {
		t.Fatal(err)
	}
	writeKnownHosts(t, state, known)
	t.Cleanup(stop)
	return dir, ports, known, state, stop
}

func writeKnownHosts(t *testing.T, state string, known map[string]string) {
	var kh strings.Builder
	for _, l := range known {
		kh.WriteString(l + "\n")
	}
	if err := os.WriteFile(filepath.Join(state, "known_hosts"), []byte(kh.String()), 0600); err != nil {
		t.Fatal(err)
	}
}

// kiRounds counts keyboard-interactive rounds by their number of prompts, e.g. "1,0".
var kiRounds = struct {
	sync.Mutex
	last []int
}{}

func kiAuth(pw string) ssh.AuthMethod {
	kiRounds.Lock()
	kiRounds.last = nil
	kiRounds.Unlock()
	return ssh.KeyboardInteractive(func(user, instr string, qs []string, echos []bool) ([]string, error) {
		kiRounds.Lock()
		kiRounds.last = append(kiRounds.last, len(qs))
		kiRounds.Unlock()
		if len(qs) == 1 && (qs[0] != "Password: " || echos[0]) {
			return nil, fmt.Errorf("unexpected prompt %q echo=%v", qs[0], echos[0])
		}
		a := make([]string, len(qs))
		for i := range qs {
			a[i] = pw
		}
		return a, nil
	})
}

func dialHost(t *testing.T, port int, state, user string, auth ...ssh.AuthMethod) (*ssh.Client, error) {
	t.Helper()
	cb, err := knownhosts.New(filepath.Join(state, "known_hosts"))
	if err != nil {
		t.Fatal(err)
	}
	cfg := &ssh.ClientConfig{User: user, Auth: auth, HostKeyCallback: cb, Timeout: 5 * time.Second,
		HostKeyAlgorithms: []string{ssh.KeyAlgoECDSA256}}
	return ssh.Dial("tcp", fmt.Sprintf("127.0.0.1:%d", port), cfg)
}

func sshRun(t *testing.T, c *ssh.Client, cmd string) (string, string, int) {
	t.Helper()
	s, err := c.NewSession()
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var out, errb bytes.Buffer
	s.Stdout, s.Stderr = &out, &errb
	err = s.Run(cmd)
	st := 0
	if err != nil {
		ee, ok := err.(*ssh.ExitError)
		if !ok {
			t.Fatalf("%s: %v", cmd, err)
		}
		st = ee.ExitStatus()
	}
	return out.String(), errb.String(), st
}

func TestSSHAuthAndExec(t *testing.T) {
	_, ports, known, state, _ := startTestSSH(t, false, "esx-p01.lab.invalid", "esx-p02.lab.invalid")
	port := ports["esx-p01.lab.invalid"]
	if !strings.HasPrefix(known["esx-p01.lab.invalid"], fmt.Sprintf("[127.0.0.1]:%d ecdsa-sha2-nistp256 AAAA", port)) {
		t.Errorf("known_hosts line %q", known["esx-p01.lab.invalid"])
	}
	if _, err := os.Stat(filepath.Join(state, "hostkeys", "esx-p01.lab.invalid.key")); err != nil {
		t.Error(err)
	}
	// Password method is not offered by default.
	if c, err := dialHost(t, port, state, "root", ssh.Password(testPassword)); err == nil {
		c.Close()
		t.Error("password auth accepted while allowPassword=false")
	} else if !strings.Contains(err.Error(), "unable to authenticate") {
		t.Errorf("unexpected error %v", err)
	}
	if c, err := dialHost(t, port, state, "root", kiAuth("wrong")); err == nil {
		c.Close()
		t.Error("wrong password accepted")
	}
	if c, err := dialHost(t, port, state, "admin", kiAuth(testPassword)); err == nil {
		c.Close()
		t.Error("user admin accepted")
	}
	c, err := dialHost(t, port, state, "root", kiAuth(testPassword))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	kiRounds.Lock()
	if fmt.Sprint(kiRounds.last) != "[1 0]" {
		t.Errorf("keyboard-interactive rounds %v, want one prompt then zero", kiRounds.last)
	}
	kiRounds.Unlock()
	out, errs, st := sshRun(t, c, "esxcli network vswitch standard portgroup add -p 'a'\\''b \"c\" $(rm -rf /); d' -v vSwitch0 && esxcli --formatter=csv network vswitch standard portgroup list")
	if st != 0 || errs != "" || !strings.Contains(out, "\"a'b \"\"c\"\" $(rm -rf /); d\"") {
		t.Errorf("got %q %q %d", out, errs, st)
	}
	_, errs, st = sshRun(t, c, "foo")
	if errs != "sh: foo: not found\n" || st != 127 {
		t.Errorf("got %q %d", errs, st)
	}
	// Sessions in parallel on one connection.
	done := make(chan string, 5)
	for i := 0; i < 5; i++ {
		go func(i int) {
			s, err := c.NewSession()
			if err != nil {
				done <- err.Error()
				return
			}
			defer s.Close()
			b, err := s.Output(fmt.Sprintf("echo %d", i))
			if err != nil {
				done <- err.Error()
				return
			}
			done <- strings.TrimSpace(string(b))
		}(i)
	}
	for i := 0; i < 5; i++ {
		if r := <-done; len(r) != 1 {
			t.Errorf("parallel session: %q", r)
		}
	}
	// Shell and pty are refused.
	s, _ := c.NewSession()
	if err := s.Shell(); err == nil {
		t.Error("shell accepted")
	}
	s.Close()
}

func TestSSHPasswordOption(t *testing.T) {
	_, ports, _, state, _ := startTestSSH(t, true, "esx-p01.lab.invalid")
	c, err := dialHost(t, ports["esx-p01.lab.invalid"], state, "root", ssh.Password(testPassword))
	if err != nil {
		t.Fatal(err)
	}
	out, _, st := sshRun(t, c, "hostname")
	if out != "esx-p01\n" || st != 0 {
		t.Errorf("got %q %d", out, st)
	}
	c.Close()
	if c, err := dialHost(t, ports["esx-p01.lab.invalid"], state, "root", ssh.Password("nope")); err == nil {
		c.Close()
		t.Error("wrong password accepted")
	}
}

func TestSSHHostKeyPersists(t *testing.T) {
	dir := newFakeDir("esx-p01.lab.invalid")
	state := t.TempDir()
	_, k1, stop1, err := StartSSHHosts(dir, state, testPassword, false)
	if err != nil {
		t.Fatal(err)
	}
	stop1()
	_, k2, stop2, err := StartSSHHosts(dir, state, testPassword, false)
	if err != nil {
		t.Fatal(err)
	}
	defer stop2()
	key := func(l string) string { return l[strings.Index(l, " ")+1:] }
	if key(k1["esx-p01.lab.invalid"]) != key(k2["esx-p01.lab.invalid"]) {
		t.Errorf("host key changed across restarts")
	}
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(3 * time.Second)
	for time.Now().Before(deadline) {
		if cond() {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("timed out waiting for %s", what)
}

func TestSSHHostDownRefuses(t *testing.T) {
	dir, ports, _, state, _ := startTestSSH(t, false, "esx-p01.lab.invalid", "esx-n01.lab.invalid")
	port := ports["esx-n01.lab.invalid"]
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	c, err := dialHost(t, port, state, "root", kiAuth(testPassword))
	if err != nil {
		t.Fatal(err)
	}
	dir.setUp("esx-n01.lab.invalid", false)
	waitFor(t, "refused", func() bool {
		conn, err := net.DialTimeout("tcp", addr, time.Second)
		if err != nil {
			return strings.Contains(err.Error(), "refused")
		}
		conn.Close()
		return false
	})
	// The open connection was dropped too.
	if s, err := c.NewSession(); err == nil {
		if err := s.Run("true"); err == nil {
			t.Error("a session ran on a host that is down")
		}
	}
	// The other host is unaffected.
	if c2, err := dialHost(t, ports["esx-p01.lab.invalid"], state, "root", kiAuth(testPassword)); err != nil {
		t.Errorf("other host: %v", err)
	} else {
		c2.Close()
	}
	dir.setUp("esx-n01.lab.invalid", true)
	waitFor(t, "listening again", func() bool {
		conn, err := net.DialTimeout("tcp", addr, time.Second)
		if err == nil {
			conn.Close()
			return true
		}
		return false
	})
	c3, err := dialHost(t, port, state, "root", kiAuth(testPassword))
	if err != nil {
		t.Fatal(err)
	}
	out, _, _ := sshRun(t, c3, "hostname -f")
	if out != "esx-n01.lab.invalid\n" {
		t.Errorf("got %q", out)
	}
	c3.Close()
}

func TestSSHClientDisconnectMidCommand(t *testing.T) {
	_, ports, _, state, _ := startTestSSH(t, false, "esx-p01.lab.invalid")
	port := ports["esx-p01.lab.invalid"]
	c, err := dialHost(t, port, state, "root", kiAuth(testPassword))
	if err != nil {
		t.Fatal(err)
	}
	s, _ := c.NewSession()
	if err := s.Start("esxtop -b -d 1 -n 3"); err != nil {
		t.Fatal(err)
	}
	time.Sleep(50 * time.Millisecond)
	c.Close()
	// The server still serves.
	c2, err := dialHost(t, port, state, "root", kiAuth(testPassword))
	if err != nil {
		t.Fatal(err)
	}
	defer c2.Close()
	out, _, st := sshRun(t, c2, "esxtop -b -d 1 -n 2")
	if st != 0 || len(strings.Split(strings.TrimSpace(out), "\n")) != 3 {
		t.Errorf("esxtop: %d %q", st, out)
	}
}

func TestSSHBoundedConnections(t *testing.T) {
	_, ports, _, state, _ := startTestSSH(t, false, "esx-p01.lab.invalid")
	addr := fmt.Sprintf("127.0.0.1:%d", ports["esx-p01.lab.invalid"])
	var conns []net.Conn
	for i := 0; i < sshMaxConnsPerHost; i++ {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		conns = append(conns, c)
	}
	time.Sleep(100 * time.Millisecond)
	// One more is accepted and closed at once.
	extra, err := net.Dial("tcp", addr)
	if err == nil {
		extra.SetReadDeadline(time.Now().Add(2 * time.Second))
		buf := make([]byte, 64)
		if n, err := extra.Read(buf); err == nil && n > 0 {
			t.Errorf("over-limit connection got a banner %q", buf[:n])
		}
		extra.Close()
	}
	for _, c := range conns {
		c.Close()
	}
	waitFor(t, "a connection slot", func() bool {
		c, err := dialHost(t, ports["esx-p01.lab.invalid"], state, "root", kiAuth(testPassword))
		if err != nil {
			return false
		}
		c.Close()
		return true
	})
}

func TestSSHCommandTimeout(t *testing.T) {
	old := esxCommandTimeout
	esxCommandTimeout = 300 * time.Millisecond
	defer func() { esxCommandTimeout = old }()
	_, ports, _, state, _ := startTestSSH(t, false, "esx-p01.lab.invalid")
	c, err := dialHost(t, ports["esx-p01.lab.invalid"], state, "root", kiAuth(testPassword))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	t0 := time.Now()
	_, _, st := sshRun(t, c, "esxtop -b -d 1 -n 10")
	if st != 124 || time.Since(t0) > 2*time.Second {
		t.Errorf("status %d after %v", st, time.Since(t0))
	}
	// The connection still works.
	if out, _, st := sshRun(t, c, "echo ok"); out != "ok\n" || st != 0 {
		t.Errorf("after timeout: %q %d", out, st)
	}
}

package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io/ioutil"
	"log"
	"net"
	"os"
	"os/signal"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// startSSH (func(HostDirectory, stateDir, password string, allowPassword bool) (ports, known_hosts
// lines, stop, error)) is declared by the SSH side (ssh_shim_decl.go) and set by ssh_server.go's
// init() to StartSSHHosts; nil means the SSH side is not built in and "ssh" is "unavailable".

const vcUser = "administrator@vsphere.local"

type sshHostCfg struct {
	Address string `json:"address"`
	Port    int    `json:"port"`
}

func main() {
	labFile := flag.String("lab", "", "lab spec JSON file (tests/labsim/labs/default.json)")
	stateDir := flag.String("state-dir", "", "state directory (certificate, host keys, config.json, known_hosts)")
	password := flag.String("password", "VMware1!", "password for vCenter and every ESXi root account")
	scale := flag.String("scale", "", "generate a scale lab HOSTSxVMS (e.g. 500x10000) instead of --lab")
	allowPw := flag.Bool("allow-password-auth", false, "SSH: also accept plain password auth (default keyboard-interactive only)")
	quiet := flag.Bool("quiet", true, "discard vcsim's log output")
	var personas personalityFlag
	flag.Var(&personas, "personality", "answer like another server (repeatable): "+personalityUsage())
	flag.Parse()
	if *stateDir == "" || (*labFile == "" && *scale == "") {
		fmt.Fprintln(os.Stderr, "usage: labsim --lab FILE --state-dir DIR [--password P] [--scale HOSTSxVMS] [--allow-password-auth] [--personality NAME]...")
		os.Exit(2)
	}
	persona, err := parsePersonality(personas)
	if err != nil {
		fmt.Fprintf(os.Stderr, "labsim: %v\n", err)
		os.Exit(2)
	}
	if *quiet {
		log.SetOutput(ioutil.Discard)
	}
	t0 := time.Now()
	if err := run(*labFile, *stateDir, *password, *scale, *allowPw, persona, t0); err != nil {
		fmt.Fprintf(os.Stderr, "labsim: %v\n", err)
		os.Exit(1)
	}
}

func run(labFile, stateDir, password, scale string, allowPw bool, persona Personality, t0 time.Time) error {
	var spec *LabSpec
	var err error
	if scale != "" {
		parts := strings.Split(strings.ToLower(scale), "x")
		if len(parts) != 2 {
			return fmt.Errorf("--scale wants HOSTSxVMS, got %q", scale)
		}
		n, err1 := strconv.Atoi(parts[0])
		m, err2 := strconv.Atoi(parts[1])
		if err1 != nil || err2 != nil || n < 1 || m < 0 {
			return fmt.Errorf("--scale wants HOSTSxVMS, got %q", scale)
		}
		spec = scaleSpec(n, m)
	} else if spec, err = loadSpec(labFile); err != nil {
		return err
	}
	spec.Standalone = spec.Standalone || persona.ESXHost
	if err := os.MkdirAll(stateDir, 0700); err != nil {
		return err
	}
	stateDir, _ = filepath.Abs(stateDir)
	dsDir := filepath.Join(stateDir, "datastore1")
	os.RemoveAll(dsDir)
	if err := os.MkdirAll(dsDir, 0700); err != nil {
		return err
	}
	cert, thumb, err := loadOrCreateCert(stateDir)
	if err != nil {
		return fmt.Errorf("certificate: %v", err)
	}

	lab, err := newLab(spec, stateDir, dsDir)
	if err != nil {
		return fmt.Errorf("building the lab: %v", err)
	}
	lab.persona = persona
	buildTime := time.Since(t0)

	sdkLn, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	sdk := newSDKServer(lab, cert, vcUser, password, sdkLn)
	if err := sdk.start(sdkLn); err != nil {
		return err
	}
	ctlLn, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	ctl := &controlServer{lab: lab, sdk: sdk}
	ctl.serve(ctlLn)
	user, endpointHosts := vcUser, lab.hostOrder
	var hostd map[string]string
	if persona.ESXHost {
		if hostd, err = startHostd(lab, sdk); err != nil {
			return err
		}
		// The endpoint is the first host's hostd: its account is root, its SSH that host's.
		user, endpointHosts = hostdUser, lab.hostOrder[:1]
	}

	var sshPorts map[string]int
	var khLines map[string]string
	stopSSH := func() {}
	var sshOut interface{} = "unavailable"
	if startSSH != nil {
		sshPorts, khLines, stopSSH, err = startSSH(lab, stateDir, password, allowPw)
		if err != nil {
			return fmt.Errorf("ssh: %v", err)
		}
		sshOut = sshPorts
	}

	vcURL := "https://" + sdk.addr + "/sdk"
	// known_hosts
	khPath := filepath.Join(stateDir, "known_hosts")
	var kh []string
	for _, name := range sortedKeys(sshPorts) {
		if line := khLines[name]; line != "" {
			kh = append(kh, strings.TrimRight(line, "\n"))
		}
	}
	if err := writeFileAtomic(khPath, []byte(strings.Join(kh, "\n")+nlIf(len(kh) > 0)), 0600); err != nil {
		return err
	}
	// config.json for nestlab
	hosts := map[string]sshHostCfg{}
	for _, name := range endpointHosts {
		if port, ok := sshPorts[name]; ok {
			hosts[name] = sshHostCfg{Address: "127.0.0.1", Port: port}
		}
	}
	cfg := map[string]interface{}{
		"endpoints": []interface{}{map[string]interface{}{
			"name": spec.VCenter, "url": vcURL, "user": user, "thumbprint": thumb, "password_env": "NESTLAB_PASSWORD",
			"ssh": map[string]interface{}{"user": "root", "password_env": "NESTLAB_SSH_PASSWORD", "known_hosts": khPath, "hosts": hosts},
		}},
	}
	cfgPath := filepath.Join(stateDir, "config.json")
	cb, _ := json.MarshalIndent(cfg, "", "  ")
	if err := writeFileAtomic(cfgPath, append(cb, '\n'), 0600); err != nil {
		return err
	}
	ready := map[string]interface{}{
		"vcenter":     map[string]string{"url": vcURL, "thumbprint": thumb, "user": user, "password": password},
		"control":     "http://" + ctlLn.Addr().String(),
		"config":      cfgPath,
		"known_hosts": khPath,
		"ssh":         sshOut,
		"hosts":       len(spec.hostNames()),
		"vms":         len(spec.VMs),
		"startup_ms":  time.Since(t0).Milliseconds(),
		"build_ms":    buildTime.Milliseconds(),
		"personality": persona.Names(),
		"hostd":       hostd,
	}
	rb, _ := json.Marshal(ready)
	os.Stdout.Write(append(rb, '\n'))

	sig := make(chan os.Signal, 2)
	signal.Notify(sig, syscall.SIGINT, syscall.SIGTERM)
	<-sig
	sdk.stop()
	stopSSH()
	lab.model.Remove()
	return nil
}

func nlIf(b bool) string {
	if b {
		return "\n"
	}
	return ""
}

func writeFileAtomic(path string, data []byte, mode os.FileMode) error {
	tmp := path + ".tmp"
	if err := ioutil.WriteFile(tmp, data, mode); err != nil {
		return err
	}
	os.Chmod(tmp, mode)
	return os.Rename(tmp, path)
}

func (s *LabSpec) hostNames() []string {
	var out []string
	for _, c := range s.Clusters {
		for _, h := range c.Hosts {
			out = append(out, h.Name)
		}
	}
	sort.Strings(out)
	return out
}

package main

// The ESXi host's command set as seen through an SSH exec request: the line is split by
// esx_shell.go (never evaluated), then each simple command runs here against HostAPI.

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"
)

// esxEnv is what a command sees: the host, its output streams and a context that ends when the
// client goes away or the per-command timeout expires.
type esxEnv struct {
	ctx    context.Context
	api    HostAPI
	stdout io.Writer
	stderr io.Writer
	// sleep waits d (or until ctx ends); it returns false when ctx ended. Tests may replace it.
	sleep func(ctx context.Context, d time.Duration) bool
}

func (e *esxEnv) out(format string, a ...interface{}) { fmt.Fprintf(e.stdout, format, a...) }
func (e *esxEnv) errf(format string, a ...interface{}) {
	fmt.Fprintf(e.stderr, format, a...)
}

func realSleep(ctx context.Context, d time.Duration) bool {
	if d <= 0 {
		return ctx.Err() == nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}

type esxCommandFunc func(env *esxEnv, argv []string) int

var esxCommands map[string]esxCommandFunc

func init() {
	esxCommands = map[string]esxCommandFunc{
		"esxcli":   cmdEsxcli,
		"localcli": cmdEsxcli,
		"vim-cmd":  cmdVimCmd,
		"cat":      cmdCat,
		"grep":     cmdGrep,
		"egrep":    cmdGrep,
		"sed":      cmdSed,
		"ls":       cmdLs,
		"test":     cmdTest,
		"[":        cmdTest,
		"esxtop":   cmdEsxtop,
		"uname":    cmdUname,
		"hostname": cmdHostname,
		"echo":     cmdEcho,
		"true":     func(*esxEnv, []string) int { return 0 },
		"false":    func(*esxEnv, []string) int { return 1 },
		":":        func(*esxEnv, []string) int { return 0 },
	}
}

// commandPathDirs are where ESXi keeps its tools; "/bin/esxcli" runs esxcli.
var commandPathDirs = []string{"/bin/", "/sbin/", "/usr/bin/", "/usr/sbin/", "/usr/lib/vmware/bin/"}

func lookupCommand(name string) esxCommandFunc {
	if f, ok := esxCommands[name]; ok {
		return f
	}
	for _, d := range commandPathDirs {
		if strings.HasPrefix(name, d) {
			if f, ok := esxCommands[name[len(d):]]; ok && !strings.Contains(name[len(d):], "/") {
				return f
			}
		}
	}
	return nil
}

// runESXiCommandLine parses and runs one exec request and returns its exit status.
func runESXiCommandLine(env *esxEnv, line string) int {
	if env.sleep == nil {
		env.sleep = realSleep
	}
	if env.ctx == nil {
		env.ctx = context.Background()
	}
	cmds, err := parseShellLine(line)
	if err != nil {
		env.errf("sh: %s\n", err.Error())
		return 2
	}
	status := 0
	for i, c := range cmds {
		if i > 0 {
			if c.Op == "&&" && status != 0 {
				continue
			}
			if c.Op == "||" && status == 0 {
				continue
			}
		}
		if env.ctx.Err() != nil {
			return 130
		}
		status = runESXiCommand(env, c.Argv)
	}
	return status
}

func runESXiCommand(env *esxEnv, argv []string) (status int) {
	if argv[0] == "exit" {
		if len(argv) > 1 {
			var n int
			if _, err := fmt.Sscanf(argv[1], "%d", &n); err != nil {
				env.errf("sh: exit: Illegal number: %s\n", argv[1])
				return 2
			}
			return n & 0xff
		}
		return 0
	}
	f := lookupCommand(argv[0])
	if f == nil {
		env.errf("sh: %s: not found\n", argv[0])
		return 127
	}
	defer func() {
		if r := recover(); r != nil {
			env.errf("%s: internal error in labsim: %v\n", argv[0], r)
			status = 1
		}
	}()
	return f(env, argv)
}

func cmdEcho(env *esxEnv, argv []string) int {
	args := argv[1:]
	newline := true
	if len(args) > 0 && args[0] == "-n" {
		newline = false
		args = args[1:]
	}
	env.out("%s", strings.Join(args, " "))
	if newline {
		env.out("\n")
	}
	return 0
}

func shortHostName(api HostAPI) string {
	name := api.HostName()
	if i := strings.IndexByte(name, '.'); i > 0 {
		return name[:i]
	}
	return name
}

func cmdHostname(env *esxEnv, argv []string) int {
	if len(argv) > 1 && (argv[1] == "-f" || argv[1] == "--fqdn") {
		env.out("%s\n", env.api.HostName())
		return 0
	}
	if len(argv) > 1 {
		env.errf("hostname: labsim only supports 'hostname' and 'hostname -f'\n")
		return 1
	}
	env.out("%s\n", shortHostName(env.api))
	return 0
}

func cmdUname(env *esxEnv, argv []string) int {
	_, version, build, _, _ := env.api.Version()
	buildNo := build
	if i := strings.LastIndex(build, "-"); i >= 0 {
		buildNo = build[i+1:]
	}
	node := shortHostName(env.api)
	if len(argv) == 1 || argv[1] == "-s" {
		env.out("VMkernel\n")
		return 0
	}
	switch argv[1] {
	case "-a":
		env.out("VMkernel %s %s #1 SMP Release build-%s Jun 25 2024 07:50:30 x86_64 x86_64 x86_64 ESXi\n",
			node, version, buildNo)
	case "-n":
		env.out("%s\n", node)
	case "-r":
		env.out("%s\n", version)
	case "-m", "-p", "-i":
		env.out("x86_64\n")
	default:
		env.errf("uname: invalid option -- '%s'\n", strings.TrimLeft(argv[1], "-"))
		return 1
	}
	return 0
}

package main

// esxtop -b -d DELAY -n ITERATIONS: PDH-CSV batch output (reference/esxi.md §6), one header row
// and ITERATIONS data rows, values from HostAPI.Esxtop() (the flooding model).
//
// Timing: a real esxtop sleeps DELAY seconds before each row. The simulator sleeps
// min(DELAY, 1 s) between rows and never more than esxtopMaxTotalSleep in all, so tests stay
// fast; rates come from the model, not from deltas, so the values do not depend on the wait.
// Without -n a real esxtop runs forever; here it prints one row. -n is capped at 1000.

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

const esxtopMaxTotalSleep = 3 * time.Second

func pdhQuote(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }

func cmdEsxtop(env *esxEnv, argv []string) int {
	batch := false
	delay := 5.0
	iterations := 1
	args := argv[1:]
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch a {
		case "-b":
			batch = true
		case "-a":
		case "-d", "-n":
			if i+1 >= len(args) {
				env.errf("esxtop: option requires an argument -- '%s'\n", a[1:])
				return 1
			}
			i++
			if a == "-d" {
				v, err := strconv.ParseFloat(args[i], 64)
				if err != nil || v < 0 {
					env.errf("esxtop: invalid delay '%s'\n", args[i])
					return 1
				}
				delay = v
			} else {
				v, err := strconv.Atoi(args[i])
				if err != nil || v < 1 {
					env.errf("esxtop: invalid iteration count '%s'\n", args[i])
					return 1
				}
				iterations = v
			}
		default:
			env.errf("esxtop: labsim supports only -b, -a, -d DELAY and -n ITERATIONS (got '%s')\n", a)
			return 1
		}
	}
	if !batch {
		env.errf("esxtop: labsim only simulates batch mode (-b); interactive mode needs a terminal\n")
		return 1
	}
	if iterations > 1000 {
		iterations = 1000
	}
	host := shortHostName(env.api)
	_, _, threads, _ := env.api.CPU()
	if threads < 1 {
		threads = 1
	}
	first := env.api.Esxtop()
	type portKey struct {
		vs     string
		id     int64
		client string
	}
	var keys []portKey
	for _, p := range first.Ports {
		keys = append(keys, portKey{p.VSwitch, p.PortID, p.Client})
	}
	portCounters := []string{"Packets Transmitted/sec", "MBits Transmitted/sec", "Packets Received/sec",
		"MBits Received/sec", "% Outbound Packets Dropped", "% Received Packets Dropped"}

	hdr := []string{"(PDH-CSV 4.0) (UTC)(0)",
		`\\` + host + `\Memory\Memory Overcommit (1 Minute Avg)`,
		`\\` + host + `\Physical Cpu(_Total)\% Util Time`,
		`\\` + host + `\Physical Cpu(_Total)\% Core Util Time`,
		`\\` + host + `\Physical Cpu(_Total)\% Processor Time`,
	}
	for c := 0; c < threads; c++ {
		hdr = append(hdr, fmt.Sprintf(`\\%s\Physical Cpu(%d)\%% Processor Time`, host, c))
	}
	for _, k := range keys {
		for _, c := range portCounters {
			hdr = append(hdr, fmt.Sprintf(`\\%s\Network Port(%s:%d:%s)\%s`, host, k.vs, k.id, k.client, c))
		}
	}
	writeRow := func(cells []string) {
		q := make([]string, len(cells))
		for i, c := range cells {
			q[i] = pdhQuote(c)
		}
		env.out("%s\n", strings.Join(q, ","))
	}
	writeRow(hdr)

	interval := time.Duration(delay * float64(time.Second))
	if interval > time.Second {
		interval = time.Second
	}
	if iterations > 1 {
		if per := esxtopMaxTotalSleep / time.Duration(iterations-1); interval > per {
			interval = per
		}
	}
	f := func(v float64) string { return strconv.FormatFloat(v, 'f', 2, 64) }
	sample := first
	for n := 0; n < iterations; n++ {
		if n > 0 {
			if !env.sleep(env.ctx, interval) {
				return 130
			}
			sample = env.api.Esxtop()
		}
		byKey := map[portKey]EsxtopPort{}
		for _, p := range sample.Ports {
			byKey[portKey{p.VSwitch, p.PortID, p.Client}] = p
		}
		cpu := sample.CPUUtilPercent
		row := []string{time.Now().UTC().Format("01/02/2006 15:04:05"), "0.00", f(cpu), f(cpu), f(cpu)}
		for c := 0; c < threads; c++ {
			row = append(row, f(cpu))
		}
		for _, k := range keys {
			p := byKey[k]
			row = append(row, f(p.PktsTxPerSec), f(p.MbitsTxSec), f(p.PktsRxPerSec), f(p.MbitsRxSec), "0.00", "0.00")
		}
		writeRow(row)
	}
	return 0
}

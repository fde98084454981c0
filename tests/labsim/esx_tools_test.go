package main

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

func TestEsxVimCmd(t *testing.T) {
	h := newFakeHost("esx-p01.lab.invalid")
	out, _, st := esxRun(t, h, "vim-cmd vmsvc/getallvms")
	lines := strings.Split(strings.TrimRight(out, "\n"), "\n")
	if st != 0 || len(lines) != 4 {
		t.Fatalf("got %q", out)
	}
	checkGetAllVMsShape(t, h, lines)
	if !strings.HasPrefix(lines[1], "1      vcsa") || !strings.Contains(lines[1], "[datastore1] vcsa/vcsa.vmx") {
		t.Errorf("row %q", lines[1])
	}
	if !strings.Contains(lines[3], "web 01 \"x\"   [datastore1] web 01/web 01.vmx") || !strings.Contains(lines[3], "   a note") {
		t.Errorf("row %q", lines[3])
	}
	out, _, st = esxRun(t, h, "vim-cmd vmsvc/power.getstate 4")
	if out != "Retrieved runtime info\nPowered off\n" || st != 0 {
		t.Errorf("getstate: %q %d", out, st)
	}
	out, _, st = esxRun(t, h, "vim-cmd vmsvc/power.on 4")
	if out != "Powering on VM:\n" || st != 0 {
		t.Errorf("power.on: %q %d", out, st)
	}
	out, _, st = esxRun(t, h, "vim-cmd vmsvc/power.on 4")
	if st != 1 || !strings.HasPrefix(out, "Powering on VM:\nPower on failed: (vim.fault.InvalidPowerState) {\n") ||
		!strings.Contains(out, "   requestedState = \"poweredOn\", \n   existingState = \"poweredOn\"\n   msg = ") {
		t.Errorf("power.on again: %q %d", out, st)
	}
	out, _, st = esxRun(t, h, "vim-cmd vmsvc/power.off 4")
	if out != "Powering off VM:\n" || st != 0 {
		t.Errorf("power.off: %q %d", out, st)
	}
	out, _, st = esxRun(t, h, "vim-cmd vmsvc/power.getstate 99")
	want := "(vim.fault.NotFound) {\n   faultCause = (vmodl.MethodFault) null, \n   faultMessage = <unset>\n   msg = \"Unable to find a VM corresponding to \"99\"\"\n}\n"
	if out != want || st != 1 {
		t.Errorf("notfound: %q %d", out, st)
	}
	if _, e, st := esxRun(t, h, "vim-cmd vmsvc/power.on"); st != 1 || !strings.Contains(e, "Insufficient arguments") {
		t.Errorf("no vmid: %q %d", e, st)
	}
	if _, e, st := esxRun(t, h, "vim-cmd vmsvc/bogus 1"); st != 1 || e == "" {
		t.Errorf("bogus: %q %d", e, st)
	}
}

// checkGetAllVMsShape checks the table against the shape captured from real hosts
// (real-formats/vimcmd): every column as wide as its widest cell or title, cells left-aligned
// and padded (rows end in blanks), three blanks between columns, titles centred (left padding
// rounded down), the header without trailing blanks.
func checkGetAllVMsShape(t *testing.T, h HostAPI, lines []string) {
	t.Helper()
	titles := []string{"Vmid", "Name", "File", "Guest OS", "Version", "Annotation"}
	var rows [][]string
	width := make([]int, len(titles))
	for i, title := range titles {
		width[i] = len(title)
	}
	for _, v := range h.VMs() {
		r := []string{strconv.Itoa(v.ID), v.Name, v.File, v.GuestID, v.Version, v.Annotation}
		for i, c := range r {
			if n := utf8.RuneCountInString(c); n > width[i] {
				width[i] = n
			}
		}
		rows = append(rows, r)
	}
	pad := func(s string, n int) string { return s + strings.Repeat(" ", n-utf8.RuneCountInString(s)) }
	var hdr []string
	for i, title := range titles {
		hdr = append(hdr, pad(strings.Repeat(" ", (width[i]-len(title))/2)+title, width[i]))
	}
	want := []string{strings.TrimRight(strings.Join(hdr, "   "), " ")}
	for _, r := range rows {
		var cells []string
		for i, c := range r {
			cells = append(cells, pad(c, width[i]))
		}
		want = append(want, strings.Join(cells, "   "))
	}
	if strings.Join(lines, "\n") != strings.Join(want, "\n") {
		t.Errorf("getallvms:\n%s\nwant:\n%s", strings.Join(lines, "\n"), strings.Join(want, "\n"))
	}
}

// The nestlab recipe for nested HV without vCenter.
func TestEsxVmxEditAndReload(t *testing.T) {
	h := newFakeHost("esx-p01.lab.invalid")
	vmx := "/vmfs/volumes/datastore1/n-esx04/n-esx04.vmx"
	orig := mustRead(h, vmx)
	// sed semantics as on a real host: "d" ends the cycle, so a "$a" after "/re/d" never runs
	// when the last line matches; nestlab's recipe must be robust to that.
	h.WriteFile(vmx, append(append([]byte(nil), orig...), []byte("vhv.enable = \"FALSE\"\nvhv.enable=\"FALSE\"\n")...))
	esxRun(t, h, `sed -i -e '/^vhv\.enable *=/d' -e '$a vhv.enable = "TRUE"' `+shellQuote(vmx))
	if got := string(mustRead(h, vmx)); got != string(orig) {
		t.Errorf("d-then-$a on a last vhv line: %q", got)
	}
	// "$a" first: the append is queued before "d" ends the cycle, so it survives.
	h.WriteFile(vmx, append(append([]byte(nil), orig...), []byte("vhv.enable = \"FALSE\"\nvhv.enable=\"FALSE\"\n")...))
	line := `'sed' '-i' '-e' '$a vhv.enable = "TRUE"' '-e' '/^vhv\.enable *=/d' ` + shellQuote(vmx) + ` && vim-cmd vmsvc/reload 4`
	out, errs, st := esxRun(t, h, line)
	if out != "" || errs != "" || st != 0 {
		t.Fatalf("got %q %q %d", out, errs, st)
	}
	data := string(mustRead(h, vmx))
	if data != string(orig)+"vhv.enable = \"TRUE\"\n" {
		t.Errorf("vmx now %q", data)
	}
	// The recipe in reference/esxi.md works when vhv.enable is not the last line.
	h.WriteFile(vmx, append([]byte("vhv.enable = \"FALSE\"\n"), orig...))
	esxRun(t, h, `sed -i -e '/^vhv\.enable *=/d' -e '$a vhv.enable = "TRUE"' `+shellQuote(vmx))
	if got := string(mustRead(h, vmx)); got != data {
		t.Errorf("recipe: %q", got)
	}
	if !h.nested[4] {
		t.Errorf("reload did not pick up vhv.enable")
	}
	out, _, _ = esxRun(t, h, "cat "+shellQuote(vmx))
	if out != data {
		t.Errorf("cat: %q", out)
	}
	out, _, st = esxRun(t, h, "grep -E '^vhv\\.enable *= *\"(TRUE|true)\"' "+vmx)
	if out != "vhv.enable = \"TRUE\"\n" || st != 0 {
		t.Errorf("grep -E: %q %d", out, st)
	}
	out, _, st = esxRun(t, h, "grep -c 'vhv' "+vmx)
	if out != "1\n" || st != 0 {
		t.Errorf("grep -c: %q %d", out, st)
	}
	if _, _, st = esxRun(t, h, "grep -q nothing-here "+vmx); st != 1 {
		t.Errorf("grep no match: %d", st)
	}
	if out, _, _ = esxRun(t, h, `sed -e 's/\(virtualHW\.version\) = "8"/\1 = "10"/' `+vmx); !strings.Contains(out, "virtualHW.version = \"10\"\n") {
		t.Errorf("sed s: %q", out)
	}
	if out, _, _ = esxRun(t, h, `sed 's/e/E/g;/^guestOS/d' `+vmx); strings.Contains(out, "guestOS") || !strings.Contains(out, "displayNamE = \"n-Esx04\"") {
		t.Errorf("sed s///g;d: %q", out)
	}
	_, errs, st = esxRun(t, h, "cat /vmfs/volumes/datastore1/nope.vmx")
	if errs != "cat: can't open '/vmfs/volumes/datastore1/nope.vmx': No such file or directory\n" || st != 1 {
		t.Errorf("cat missing: %q %d", errs, st)
	}
	if _, errs, st = esxRun(t, h, "sed -i -e '$a x' /nope"); st != 1 || !strings.Contains(errs, "No such file or directory") {
		t.Errorf("sed missing: %q %d", errs, st)
	}
	if _, _, st = esxRun(t, h, "test -f "+vmx); st != 0 {
		t.Errorf("test -f: %d", st)
	}
	if _, _, st = esxRun(t, h, "[ -f /vmfs/volumes/datastore1/nope ]"); st != 1 {
		t.Errorf("[ -f missing ]: %d", st)
	}
	if _, _, st = esxRun(t, h, "test -d /vmfs/volumes/datastore1"); st != 0 {
		t.Errorf("test -d: %d", st)
	}
	if out, _, _ = esxRun(t, h, "ls /vmfs/volumes/datastore1"); out != "n-esx04\nvcsa\nweb 01\n" {
		t.Errorf("ls: %q", out)
	}
	if out, _, _ = esxRun(t, h, "ls '/vmfs/volumes/datastore1/web 01'"); out != "web 01.vmx\n" {
		t.Errorf("ls: %q", out)
	}
	if _, errs, st = esxRun(t, h, "ls /nope"); st != 1 || errs != "ls: /nope: No such file or directory\n" {
		t.Errorf("ls missing: %q %d", errs, st)
	}
}

func mustRead(h HostAPI, p string) []byte {
	d, err := h.ReadFile(p)
	if err != nil {
		panic(err)
	}
	return d
}

func TestEsxBreToGo(t *testing.T) {
	cases := map[string]string{
		`^vhv\.enable *=`:    `^vhv\.enable *=`,
		`a\(b\)\{2\}c+d?`:    `a(b){2}c\+d\?`,
		`(x)|{y}`:            `\(x\)\|\{y\}`,
		`[a-z\]`:             `[a-z\\]`,
		`[[:space:]]*x`:      `[[:space:]]*x`,
		`*star`:              `\*star`,
		`\<word\>`:           `\bword\b`,
		`a\/b`:               `a/b`,
		`unterminated[`:      `unterminated\[`,
		`x\|y`:               `x|y`,
		`[]abc]`:             `[]abc]`,
		`"quoted" = "TRUE"$`: `"quoted" = "TRUE"$`,
	}
	for in, want := range cases {
		if got := breToGo(in); got != want {
			t.Errorf("breToGo(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestEsxtopBatch(t *testing.T) {
	h := newFakeHost("esx-p01.lab.invalid")
	out, errs, st := esxRun(t, h, "esxtop -b -d 2 -n 3")
	if st != 0 || errs != "" {
		t.Fatalf("%q %d", errs, st)
	}
	lines := strings.Split(strings.TrimRight(out, "\n"), "\n")
	if len(lines) != 4 {
		t.Fatalf("%d lines", len(lines))
	}
	hdr := strings.Split(strings.Trim(lines[0], `"`), `","`)
	if hdr[0] != "(PDH-CSV 4.0) (UTC)(0)" {
		t.Errorf("cell 0 %q", hdr[0])
	}
	want := []string{
		`\\esx-p01\Physical Cpu(_Total)\% Util Time`,
		`\\esx-p01\Network Port(vSwitch0:33554433:vmnic0)\Packets Received/sec`,
		`\\esx-p01\Network Port(vSwitch0:33554433:vmnic0)\Packets Transmitted/sec`,
		`\\esx-p01\Network Port(vSwitch0:33554433:vmnic0)\MBits Received/sec`,
		`\\esx-p01\Network Port(vSwitch0:33554433:vmnic0)\MBits Transmitted/sec`,
		`\\esx-p01\Network Port(vSwitch0:33554434:Management)\Packets Received/sec`,
		`\\esx-p01\Network Port(vSwitch0:33554435:web 01 ""x"")\Packets Received/sec`,
	}
	idx := map[string]int{}
	for i, c := range hdr {
		idx[c] = i
	}
	for _, w := range want {
		if _, ok := idx[w]; !ok {
			t.Errorf("missing column %q in %q", w, lines[0])
		}
	}
	for _, l := range lines[1:] {
		if !strings.HasPrefix(l, `"`) || !strings.HasSuffix(l, `"`) {
			t.Errorf("row not quoted: %q", l)
		}
		cells := strings.Split(strings.Trim(l, `"`), `","`)
		if len(cells) != len(hdr) {
			t.Errorf("row has %d cells, header %d", len(cells), len(hdr))
			continue
		}
		if _, err := time.Parse("01/02/2006 15:04:05", cells[0]); err != nil {
			t.Errorf("timestamp %q", cells[0])
		}
		if cells[idx[want[0]]] != "12.50" || cells[idx[want[1]]] != "1000.00" || cells[idx[want[4]]] != "7.25" {
			t.Errorf("values %q", l)
		}
	}
	// Real sleeping is capped: 5 rows of -d 10 take well under the cap.
	var out2 strings.Builder
	env := &esxEnv{ctx: context.Background(), api: h, stdout: &out2, stderr: &out2}
	t0 := time.Now()
	if st := runESXiCommandLine(env, "esxtop -b -d 10 -n 5"); st != 0 {
		t.Errorf("status %d", st)
	}
	if el := time.Since(t0); el > esxtopMaxTotalSleep+time.Second {
		t.Errorf("took %v", el)
	}
	if _, e, st := esxRun(t, h, "esxtop -n 1"); st != 1 || e == "" {
		t.Errorf("non-batch: %q %d", e, st)
	}
}

func TestEsxMisc(t *testing.T) {
	h := newFakeHost("esx-p01.lab.invalid")
	if out, _, _ := esxRun(t, h, "uname -a"); !strings.HasPrefix(out, "VMkernel esx-p01 8.0.3 #1 SMP Release build-24677879 ") || !strings.HasSuffix(out, " x86_64 x86_64 x86_64 ESXi\n") {
		t.Errorf("uname -a: %q", out)
	}
	if out, _, _ := esxRun(t, h, "hostname"); out != "esx-p01\n" {
		t.Errorf("hostname: %q", out)
	}
	if out, _, _ := esxRun(t, h, "uname"); out != "VMkernel\n" {
		t.Errorf("uname: %q", out)
	}
}

package main

import (
	"reflect"
	"strings"
	"testing"
)

func TestShellSplitSimple(t *testing.T) {
	cases := []struct {
		in   string
		want [][]string
		ops  []string
	}{
		{"esxcli network vswitch standard list", [][]string{{"esxcli", "network", "vswitch", "standard", "list"}}, []string{""}},
		{"  a\tb   c  ", [][]string{{"a", "b", "c"}}, []string{""}},
		{`a 'b c' "d e"`, [][]string{{"a", "b c", "d e"}}, []string{""}},
		{`a 'a'\''b'`, [][]string{{"a", "a'b"}}, []string{""}},
		{`a "x\"y\\z\$w\` + "`" + `v\q"`, [][]string{{"a", "x\"y\\z$w`v\\q"}}, []string{""}},
		{`a b\ c \'d \$e \\`, [][]string{{"a", "b c", "'d", "$e", `\`}}, []string{""}},
		{`a '' ""`, [][]string{{"a", "", ""}}, []string{""}},
		{`a x''y "p"'q'r`, [][]string{{"a", "xy", "pqr"}}, []string{""}},
		{"a; b && c || d", [][]string{{"a"}, {"b"}, {"c"}, {"d"}}, []string{"", ";", "&&", "||"}},
		{"a\nb", [][]string{{"a"}, {"b"}}, []string{"", ";"}},
		{"a &&\n b", [][]string{{"a"}, {"b"}}, []string{"", "&&"}},
		{"a;", [][]string{{"a"}}, []string{""}},
		{"a # comment; rm", [][]string{{"a"}}, []string{""}},
		{"a b#c", [][]string{{"a", "b#c"}}, []string{""}},
		{"echo a$ $", [][]string{{"echo", "a$", "$"}}, []string{""}},
		{`echo "a$" "$ b"`, [][]string{{"echo", "a$", "$ b"}}, []string{""}},
		{"ls /vmfs/*", [][]string{{"ls", "/vmfs/*"}}, []string{""}},
		{"a --x=y z=1", [][]string{{"a", "--x=y", "z=1"}}, []string{""}},
		{"a \\\nb", [][]string{{"a", "b"}}, []string{""}},
		{"", nil, nil},
	}
	for _, c := range cases {
		got, err := parseShellLine(c.in)
		if err != nil {
			t.Errorf("%q: %v", c.in, err)
			continue
		}
		var argv [][]string
		var ops []string
		for _, g := range got {
			argv = append(argv, g.Argv)
			ops = append(ops, g.Op)
		}
		if !reflect.DeepEqual(argv, c.want) || !reflect.DeepEqual(ops, c.ops) {
			t.Errorf("%q: got %q ops %q, want %q ops %q", c.in, argv, ops, c.want, c.ops)
		}
	}
}

var hostileNames = []string{
	`a'b "c" $(rm -rf /); d`,
	"é, <>&",
	"`reboot`",
	`$HOME ${x} $1 $? $$`,
	`back\slash\\ and \"`,
	"tab\there",
	"semi;colon && pipe | amp & gt > lt <",
	"new\nline",
	"  lead and trail  ",
	"'",
	`"`,
	"#hash",
	"*?[glob]",
	"日本語 🙂",
	"-v",
	"",
}

// shellQuote'd hostile strings must come back byte-exact and never evaluate anything.
func TestShellHostileRoundTrip(t *testing.T) {
	for _, s := range hostileNames {
		line := "esxcli network vswitch standard portgroup add -p " + shellQuote(s) + " -v vSwitch0"
		cmds, err := parseShellLine(line)
		if err != nil {
			t.Errorf("%q: %v", s, err)
			continue
		}
		if len(cmds) != 1 || len(cmds[0].Argv) != 10 || cmds[0].Argv[7] != s {
			t.Errorf("%q: got %q", s, cmds)
		}
		// Double-quoted with the escapes ash honours.
		dq := `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`, `$`, `\$`, "`", "\\`").Replace(s) + `"`
		cmds, err = parseShellLine("echo " + dq)
		if err != nil || len(cmds) != 1 || len(cmds[0].Argv) != 2 || cmds[0].Argv[1] != s {
			t.Errorf("double-quoted %q: got %q, %v", s, cmds, err)
		}
	}
}

func TestShellRefusesEvaluation(t *testing.T) {
	h := newFakeHost("esx-p01.lab.invalid")
	bad := []string{
		`esxcli network vswitch standard portgroup add -p a'b "c" $(rm -rf /); d -v vSwitch0`,
		"echo $(id)",
		"echo `id`",
		`echo "$(id)"`,
		"echo \"`id`\"",
		"echo $HOME",
		`echo "${HOME}"`,
		"echo $1",
		"echo $?",
		"echo $'x'",
		"cat /etc/passwd | grep root",
		"echo x > /tmp/f",
		"echo x >> /tmp/f",
		"cat < /tmp/f",
		"sleep 1 &",
		"(echo x)",
		"FOO=bar echo x",
		"if true; then echo x; fi",
		"for i in 1; do echo; done",
		"echo ok; echo $(id)", // nothing runs, not even the first command
		"echo 'unterminated",
		`echo "unterminated`,
		"; echo",
		"echo &&",
		"echo ;; echo",
		"&& echo",
	}
	for _, line := range bad {
		out, errs, st := esxRun(t, h, line)
		if st != 2 || out != "" || !strings.HasPrefix(errs, "sh: ") {
			t.Errorf("%q: status %d stdout %q stderr %q", line, st, out, errs)
		}
	}
	if len(h.PortGroups()) != 2 {
		t.Errorf("a refused line changed the host: %v", h.PortGroups())
	}
}

func TestShellSequencing(t *testing.T) {
	h := newFakeHost("esx-p01.lab.invalid")
	out, _, st := esxRun(t, h, "echo a; false && echo b; echo c || echo d; false || echo e")
	if out != "a\nc\ne\n" || st != 0 {
		t.Errorf("got %q %d", out, st)
	}
	_, _, st = esxRun(t, h, "true; false")
	if st != 1 {
		t.Errorf("status %d", st)
	}
	_, errs, st := esxRun(t, h, "foo")
	if errs != "sh: foo: not found\n" || st != 127 {
		t.Errorf("got %q %d", errs, st)
	}
	out, _, st = esxRun(t, h, "/bin/echo hi; exit 3")
	if out != "hi\n" || st != 3 {
		t.Errorf("got %q %d", out, st)
	}
}

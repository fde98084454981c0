package main

// A tiny BusyBox-like file toolset over HostAPI's simulated file system: cat, grep, sed, ls, test.
// Enough to edit a VM's .vmx the way nestlab does without vCenter:
//   sed -i -e '/^vhv\.enable *=/d' -e '$a vhv.enable = "TRUE"' '/vmfs/volumes/ds/vm/vm.vmx'
// Regular expressions are POSIX BREs (EREs with grep -E / sed -E|-r), translated to Go's RE2.
// ls only knows the directories implied by the VMs' .vmx paths (HostAPI has no directory listing).

import (
	"fmt"
	"path"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

func resolvePath(p string) string {
	if !strings.HasPrefix(p, "/") {
		p = "/" + p // the ESXi shell of an exec request starts in /
	}
	return path.Clean(p)
}

func readHostFile(env *esxEnv, p string) ([]byte, bool) {
	data, err := env.api.ReadFile(resolvePath(p))
	return data, err == nil
}

func cmdCat(env *esxEnv, argv []string) int {
	status := 0
	for _, f := range argv[1:] {
		if f == "-" || (strings.HasPrefix(f, "-") && len(f) > 1) {
			continue // stdin and options are not supported; ignore like -u
		}
		data, ok := readHostFile(env, f)
		if !ok {
			env.errf("cat: can't open '%s': No such file or directory\n", f)
			status = 1
			continue
		}
		_, _ = env.stdout.Write(data)
	}
	return status
}

// breToGo translates a POSIX basic regular expression (with the GNU extensions BusyBox accepts)
// to Go syntax.
func breToGo(re string) string {
	var b strings.Builder
	for i := 0; i < len(re); i++ {
		c := re[i]
		switch {
		case c == '\\' && i+1 < len(re):
			i++
			d := re[i]
			switch d {
			case '(', ')', '{', '}', '|', '+', '?':
				b.WriteByte(d)
			case '<', '>':
				b.WriteString(`\b`)
			case 'n':
				b.WriteString(`\n`)
			case 't':
				b.WriteString(`\t`)
			case 'w', 'W', 's', 'S', 'b', 'B':
				b.WriteByte('\\')
				b.WriteByte(d)
			default:
				b.WriteString(regexp.QuoteMeta(string(d)))
			}
		case c == '(' || c == ')' || c == '{' || c == '}' || c == '|' || c == '+' || c == '?':
			b.WriteByte('\\')
			b.WriteByte(c)
		case c == '*' && (i == 0 || (i == 1 && re[0] == '^')):
			b.WriteString(`\*`)
		case c == '[':
			j := i + 1
			if j < len(re) && re[j] == '^' {
				j++
			}
			if j < len(re) && re[j] == ']' {
				j++
			}
			for j < len(re) && re[j] != ']' {
				if re[j] == '[' && j+1 < len(re) && (re[j+1] == ':' || re[j+1] == '.' || re[j+1] == '=') {
					if k := strings.Index(re[j+2:], string(re[j+1])+"]"); k >= 0 {
						j += k + 4
						continue
					}
				}
				j++
			}
			if j >= len(re) {
				b.WriteString(`\[`)
				continue
			}
			b.WriteString(strings.ReplaceAll(re[i:j+1], `\`, `\\`))
			i = j
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

func compileRE(re string, extended, icase bool) (*regexp.Regexp, error) {
	if !extended {
		re = breToGo(re)
	} else {
		re = strings.NewReplacer(`\<`, `\b`, `\>`, `\b`).Replace(re)
	}
	if icase {
		re = "(?i)" + re
	}
	return regexp.Compile(re)
}

func splitLines(data []byte) []string {
	s := string(data)
	if s == "" {
		return nil
	}
	s = strings.TrimSuffix(s, "\n")
	return strings.Split(s, "\n")
}

func cmdGrep(env *esxEnv, argv []string) int {
	extended := argv[0] == "egrep"
	var fixed, icase, invert, quiet, count, number, listFiles bool
	var patterns []string
	var files []string
	args := argv[1:]
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			files = append(files, args[i+1:]...)
			break
		}
		if strings.HasPrefix(a, "-") && len(a) > 1 {
			for k := 1; k < len(a); k++ {
				switch a[k] {
				case 'E':
					extended = true
				case 'F':
					fixed = true
				case 'i':
					icase = true
				case 'v':
					invert = true
				case 'q', 's':
					quiet = quiet || a[k] == 'q'
				case 'c':
					count = true
				case 'n':
					number = true
				case 'l':
					listFiles = true
				case 'e':
					if k+1 < len(a) {
						patterns = append(patterns, a[k+1:])
					} else if i+1 < len(args) {
						i++
						patterns = append(patterns, args[i])
					} else {
						env.errf("grep: option requires an argument -- 'e'\n")
						return 2
					}
					k = len(a)
				default:
					env.errf("grep: unrecognized option: %c\n", a[k])
					return 2
				}
			}
			continue
		}
		files = append(files, a)
	}
	if len(patterns) == 0 {
		if len(files) == 0 {
			env.errf("Usage: grep [-EFivqcnl] [-e PATTERN]... PATTERN FILE...\n")
			return 2
		}
		patterns = []string{files[0]}
		files = files[1:]
	}
	if len(files) == 0 {
		env.errf("grep: labsim: reading standard input is not supported\n")
		return 2
	}
	var res []*regexp.Regexp
	for _, p := range patterns {
		if fixed {
			p = regexp.QuoteMeta(p)
			if icase {
				p = "(?i)" + p
			}
			res = append(res, regexp.MustCompile(p))
			continue
		}
		re, err := compileRE(p, extended, icase)
		if err != nil {
			env.errf("grep: bad regex '%s': %v\n", p, err)
			return 2
		}
		res = append(res, re)
	}
	matched, failed := false, false
	for _, f := range files {
		data, ok := readHostFile(env, f)
		if !ok {
			env.errf("grep: %s: No such file or directory\n", f)
			failed = true
			continue
		}
		n := 0
		for ln, line := range splitLines(data) {
			hit := false
			for _, re := range res {
				if re.MatchString(line) {
					hit = true
					break
				}
			}
			if hit == invert {
				continue
			}
			matched = true
			n++
			if quiet {
				return 0
			}
			if count || listFiles {
				continue
			}
			prefix := ""
			if len(files) > 1 {
				prefix = f + ":"
			}
			if number {
				prefix += strconv.Itoa(ln+1) + ":"
			}
			env.out("%s%s\n", prefix, line)
		}
		if count {
			if len(files) > 1 {
				env.out("%s:%d\n", f, n)
			} else {
				env.out("%d\n", n)
			}
		} else if listFiles && n > 0 {
			env.out("%s\n", f)
		}
	}
	switch {
	case failed && !(quiet && matched):
		return 2
	case matched:
		return 0
	}
	return 1
}

// ---- sed ---------------------------------------------------------------------------------

type sedAddr struct {
	kind string // "", "line", "last", "re"
	line int
	re   *regexp.Regexp
}

type sedCmd struct {
	addr   sedAddr
	negate bool
	cmd    byte // d p a i c s q
	text   string
	re     *regexp.Regexp
	repl   string
	global bool
	nth    int
	print  bool
}

// readDelimited reads up to an unescaped delim starting at s[i]; "\delim" becomes delim.
func readDelimited(s string, i int, delim byte) (string, int, bool) {
	var b strings.Builder
	for i < len(s) {
		c := s[i]
		if c == '\\' && i+1 < len(s) {
			if s[i+1] == delim {
				b.WriteByte(delim)
			} else if s[i+1] == 'n' {
				b.WriteString(`\n`)
			} else {
				b.WriteByte('\\')
				b.WriteByte(s[i+1])
			}
			i += 2
			continue
		}
		if c == delim {
			return b.String(), i + 1, true
		}
		if c == '\n' {
			return "", i, false
		}
		b.WriteByte(c)
		i++
	}
	return "", i, false
}

func parseSedScript(script string, extended bool) ([]sedCmd, error) {
	var cmds []sedCmd
	i := 0
	skipSpace := func() {
		for i < len(script) && (script[i] == ' ' || script[i] == '\t') {
			i++
		}
	}
	for {
		for i < len(script) && (script[i] == ' ' || script[i] == '\t' || script[i] == '\n' || script[i] == ';') {
			i++
		}
		if i >= len(script) {
			return cmds, nil
		}
		var c sedCmd
		switch ch := script[i]; {
		case ch == '$':
			c.addr.kind = "last"
			i++
		case ch >= '0' && ch <= '9':
			j := i
			for j < len(script) && script[j] >= '0' && script[j] <= '9' {
				j++
			}
			c.addr.kind = "line"
			c.addr.line, _ = strconv.Atoi(script[i:j])
			i = j
		case ch == '/':
			re, next, ok := readDelimited(script, i+1, '/')
			if !ok {
				return nil, fmt.Errorf("unterminated address regex")
			}
			rx, err := compileRE(re, extended, false)
			if err != nil {
				return nil, fmt.Errorf("bad regex '%s': %v", re, err)
			}
			c.addr.kind, c.addr.re = "re", rx
			i = next
		}
		skipSpace()
		if i < len(script) && script[i] == '!' {
			c.negate = true
			i++
			skipSpace()
		}
		if i >= len(script) {
			return nil, fmt.Errorf("missing command")
		}
		c.cmd = script[i]
		i++
		switch c.cmd {
		case 'd', 'p', 'q', '=':
		case 'a', 'i', 'c':
			skipSpace()
			if i < len(script) && script[i] == '\\' {
				i++
				if i < len(script) && script[i] == '\n' {
					i++
				}
			}
			j := strings.IndexByte(script[i:], '\n')
			if j < 0 {
				j = len(script) - i
			}
			c.text = script[i : i+j]
			i += j
		case 's':
			if i >= len(script) {
				return nil, fmt.Errorf("unterminated `s' command")
			}
			delim := script[i]
			re, next, ok := readDelimited(script, i+1, delim)
			if !ok {
				return nil, fmt.Errorf("unterminated `s' command")
			}
			repl, next2, ok := readDelimited(script, next, delim)
			if !ok {
				return nil, fmt.Errorf("unterminated `s' command")
			}
			i = next2
			icase := false
			for i < len(script) && script[i] != ';' && script[i] != '\n' && script[i] != '}' {
				switch f := script[i]; {
				case f == 'g':
					c.global = true
				case f == 'p':
					c.print = true
				case f == 'I' || f == 'i':
					icase = true
				case f >= '0' && f <= '9':
					c.nth = c.nth*10 + int(f-'0')
				case f == ' ' || f == '\t':
				default:
					return nil, fmt.Errorf("unknown option to `s'")
				}
				i++
			}
			rx, err := compileRE(re, extended, icase)
			if err != nil {
				return nil, fmt.Errorf("bad regex '%s': %v", re, err)
			}
			c.re, c.repl = rx, repl
		default:
			return nil, fmt.Errorf("unsupported command %c", c.cmd)
		}
		cmds = append(cmds, c)
	}
}

func sedExpand(repl, line string, m []int) string {
	var b strings.Builder
	for i := 0; i < len(repl); i++ {
		c := repl[i]
		switch {
		case c == '&':
			b.WriteString(line[m[0]:m[1]])
		case c == '\\' && i+1 < len(repl):
			i++
			d := repl[i]
			switch {
			case d >= '0' && d <= '9':
				g := int(d - '0')
				if 2*g+1 < len(m) && m[2*g] >= 0 {
					b.WriteString(line[m[2*g]:m[2*g+1]])
				}
			case d == 'n':
				b.WriteByte('\n')
			case d == 't':
				b.WriteByte('\t')
			default:
				b.WriteByte(d)
			}
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

func sedSubst(c *sedCmd, line string) (string, bool) {
	var b strings.Builder
	last, changed := 0, false
	for k, m := range c.re.FindAllStringSubmatchIndex(line, -1) {
		want := c.global || k == 0
		if c.nth > 0 {
			want = k+1 == c.nth || (c.global && k+1 > c.nth)
		}
		if !want {
			continue
		}
		b.WriteString(line[last:m[0]])
		b.WriteString(sedExpand(c.repl, line, m))
		last, changed = m[1], true
	}
	if !changed {
		return line, false
	}
	b.WriteString(line[last:])
	return b.String(), true
}

func runSed(cmds []sedCmd, lines []string, quiet bool) (string, bool) {
	var out strings.Builder
	quit := false
	for n, line := range lines {
		if quit {
			break
		}
		isLast := n == len(lines)-1
		var after []string
		deleted := false
		for k := range cmds {
			c := &cmds[k]
			hit := true
			switch c.addr.kind {
			case "line":
				hit = n+1 == c.addr.line
			case "last":
				hit = isLast
			case "re":
				hit = c.addr.re.MatchString(line)
			}
			if hit == c.negate {
				continue
			}
			switch c.cmd {
			case 'd':
				deleted = true
			case 'p':
				out.WriteString(line + "\n")
			case '=':
				out.WriteString(strconv.Itoa(n+1) + "\n")
			case 'a':
				after = append(after, c.text)
			case 'i':
				out.WriteString(c.text + "\n")
			case 'c':
				out.WriteString(c.text + "\n")
				deleted = true
			case 'q':
				quit = true
			case 's':
				if nl, ok := sedSubst(c, line); ok {
					line = nl
					if c.print {
						out.WriteString(line + "\n")
					}
				}
			}
			if deleted || quit {
				break
			}
		}
		if !deleted && !quiet {
			out.WriteString(line + "\n")
		}
		for _, t := range after {
			out.WriteString(t + "\n")
		}
	}
	return out.String(), true
}

func cmdSed(env *esxEnv, argv []string) int {
	var scripts, files []string
	inPlace, quiet, extended := false, false, false
	args := argv[1:]
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "-e" || a == "--expression":
			if i+1 >= len(args) {
				env.errf("sed: option requires an argument -- 'e'\n")
				return 1
			}
			i++
			scripts = append(scripts, args[i])
		case strings.HasPrefix(a, "--expression="):
			scripts = append(scripts, a[len("--expression="):])
		case a == "-i" || a == "--in-place":
			inPlace = true
		case a == "-n" || a == "--quiet" || a == "--silent":
			quiet = true
		case a == "-E" || a == "-r" || a == "--regexp-extended":
			extended = true
		case strings.HasPrefix(a, "-") && len(a) > 1:
			ok := true
			for _, f := range a[1:] {
				switch f {
				case 'i':
					inPlace = true
				case 'n':
					quiet = true
				case 'E', 'r':
					extended = true
				default:
					ok = false
				}
			}
			if !ok {
				env.errf("sed: unrecognized option '%s'\n", a)
				return 1
			}
		default:
			files = append(files, a)
		}
	}
	if len(scripts) == 0 {
		if len(files) == 0 {
			env.errf("Usage: sed [-inrE] [-e CMD]... [CMD] [FILE]...\n")
			return 1
		}
		scripts = []string{files[0]}
		files = files[1:]
	}
	cmds, err := parseSedScript(strings.Join(scripts, "\n"), extended)
	if err != nil {
		env.errf("sed: %v\n", err)
		return 1
	}
	if len(files) == 0 {
		env.errf("sed: labsim: reading standard input is not supported\n")
		return 1
	}
	status := 0
	for _, f := range files {
		data, ok := readHostFile(env, f)
		if !ok {
			env.errf("sed: %s: No such file or directory\n", f)
			status = 1
			continue
		}
		out, _ := runSed(cmds, splitLines(data), quiet)
		if inPlace {
			if err := env.api.WriteFile(resolvePath(f), []byte(out)); err != nil {
				env.errf("sed: can't create '%s': %v\n", f, err)
				status = 1
			}
			continue
		}
		env.out("%s", out)
	}
	return status
}

// ---- ls / test ---------------------------------------------------------------------------

// vmxPath turns "[ds] dir/name.vmx" into "/vmfs/volumes/ds/dir/name.vmx".
func vmxPath(file string) string {
	if strings.HasPrefix(file, "[") {
		if j := strings.Index(file, "]"); j > 0 {
			return path.Clean("/vmfs/volumes/" + file[1:j] + "/" + strings.TrimSpace(file[j+1:]))
		}
	}
	return file
}

// knownTree returns the directories and files implied by the VMs' .vmx paths.
func knownTree(api HostAPI) (dirs map[string]map[string]bool, files map[string]bool) {
	dirs = map[string]map[string]bool{"/": {"vmfs": true}, "/vmfs": {"volumes": true}, "/vmfs/volumes": {}}
	files = map[string]bool{}
	for _, vm := range api.VMs() {
		p := vmxPath(vm.File)
		if !strings.HasPrefix(p, "/vmfs/volumes/") {
			continue
		}
		files[p] = true
		child := p
		for child != "/" {
			parent := path.Dir(child)
			if dirs[parent] == nil {
				dirs[parent] = map[string]bool{}
			}
			dirs[parent][path.Base(child)] = true
			child = parent
		}
	}
	return dirs, files
}

func cmdLs(env *esxEnv, argv []string) int {
	var targets []string
	for _, a := range argv[1:] {
		if strings.HasPrefix(a, "-") && len(a) > 1 {
			continue // -1, -a, ...: one name per line is what a non-tty ls prints anyway
		}
		targets = append(targets, a)
	}
	if len(targets) == 0 {
		targets = []string{"/"}
	}
	dirs, files := knownTree(env.api)
	status := 0
	for n, t := range targets {
		p := resolvePath(t)
		if kids, ok := dirs[p]; ok {
			if len(targets) > 1 {
				if n > 0 {
					env.out("\n")
				}
				env.out("%s:\n", t)
			}
			names := make([]string, 0, len(kids))
			for k := range kids {
				names = append(names, k)
			}
			sort.Strings(names)
			for _, k := range names {
				env.out("%s\n", k)
			}
			continue
		}
		if files[p] {
			env.out("%s\n", t)
			continue
		}
		if _, err := env.api.ReadFile(p); err == nil {
			env.out("%s\n", t)
			continue
		}
		env.errf("ls: %s: No such file or directory\n", t)
		status = 1
	}
	return status
}

func cmdTest(env *esxEnv, argv []string) int {
	name := argv[0]
	args := argv[1:]
	if name == "[" {
		if len(args) == 0 || args[len(args)-1] != "]" {
			env.errf("sh: [: missing ]\n")
			return 2
		}
		args = args[:len(args)-1]
	}
	negate := false
	for len(args) > 0 && args[0] == "!" {
		negate = !negate
		args = args[1:]
	}
	res, ok := evalTest(env, args)
	if !ok {
		env.errf("sh: %s: syntax error: %s\n", name, strings.Join(args, " "))
		return 2
	}
	if res != negate {
		return 0
	}
	return 1
}

func evalTest(env *esxEnv, args []string) (bool, bool) {
	switch len(args) {
	case 0:
		return false, true
	case 1:
		return args[0] != "", true
	case 2:
		p := resolvePath(args[1])
		switch args[0] {
		case "-n":
			return args[1] != "", true
		case "-z":
			return args[1] == "", true
		case "-f", "-e", "-r", "-s":
			dirs, _ := knownTree(env.api)
			if _, isDir := dirs[p]; isDir {
				return args[0] == "-e" || args[0] == "-r" || args[0] == "-s", true
			}
			data, err := env.api.ReadFile(p)
			if err != nil {
				return false, true
			}
			if args[0] == "-s" {
				return len(data) > 0, true
			}
			return true, true
		case "-d":
			dirs, _ := knownTree(env.api)
			_, isDir := dirs[p]
			return isDir, true
		}
	case 3:
		a, op, b := args[0], args[1], args[2]
		switch op {
		case "=", "==":
			return a == b, true
		case "!=":
			return a != b, true
		case "-eq", "-ne", "-lt", "-le", "-gt", "-ge":
			x, e1 := strconv.ParseInt(a, 10, 64)
			y, e2 := strconv.ParseInt(b, 10, 64)
			if e1 != nil || e2 != nil {
				return false, false
			}
			return map[string]bool{"-eq": x == y, "-ne": x != y, "-lt": x < y, "-le": x <= y,
				"-gt": x > y, "-ge": x >= y}[op], true
		}
	}
	return false, false
}

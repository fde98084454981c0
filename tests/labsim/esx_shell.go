package main

// A tiny, deliberately incomplete imitation of BusyBox ash (the ESXi shell) for exec requests.
//
// What it does, the way ash does it: split a command line into words honouring single quotes,
// double quotes (where only \$ \` \" \\ and \<newline> are escapes), backslash escapes outside
// quotes, whitespace separation and concatenation of adjacent quoted parts ('a'\''b' -> a'b);
// "#" at the start of a word starts a comment; lists of simple commands joined by ";", newline,
// "&&" and "||" (equal precedence, left to right, like ash).
//
// What it refuses: everything that would evaluate something — pipes, redirections, background
// jobs, sub-shells, command substitution ($(...) and backticks), parameter expansion ($VAR,
// ${...}, $1, $?...), $'...', assignments before a command, reserved words (if, for, ...).
// The whole line is parsed before anything runs, so a refused construct anywhere means nothing
// at all is executed: the shell prints an ash-like message on stderr and exits 2. Glob characters
// (* ? [) stay literal, which is what ash does when nothing matches.

import (
	"fmt"
	"strings"
)

// shellSyntaxError is a parse failure; its message is printed after "sh: ".
type shellSyntaxError struct{ msg string }

func (e *shellSyntaxError) Error() string { return e.msg }

// shellCommand is one simple command and how it is joined to the previous one
// ("" for the first, ";", "&&" or "||").
type shellCommand struct {
	Op   string
	Argv []string
}

func isNameStart(c byte) bool {
	return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
}

func isNameChar(c byte) bool { return isNameStart(c) || (c >= '0' && c <= '9') }

// dollarExpands reports whether "$" followed by c starts an expansion ash would perform.
func dollarExpands(c byte, inDouble bool) bool {
	if isNameStart(c) || (c >= '0' && c <= '9') {
		return true
	}
	switch c {
	case '{', '(', '?', '#', '@', '*', '$', '!', '-':
		return true
	case '\'':
		return !inDouble // $'...' (bash-compat quoting in BusyBox ash)
	}
	return false
}

var shellReserved = map[string]bool{
	"if": true, "then": true, "else": true, "elif": true, "fi": true, "do": true, "done": true,
	"case": true, "esac": true, "while": true, "until": true, "for": true, "in": true,
	"{": true, "}": true, "!": true, "function": true, "select": true, "[[": true, "]]": true,
}

func unsupported(what string) error {
	return &shellSyntaxError{msg: "labsim: " + what + " is not supported by this simulated ESXi shell"}
}

// parseShellLine splits line into simple commands. It never evaluates anything.
func parseShellLine(line string) ([]shellCommand, error) {
	var cmds []shellCommand
	var argv []string
	var word strings.Builder
	inWord := false     // a word has started (possibly empty, e.g. '')
	firstUnquoted := "" // the unquoted prefix of the current word, for assignment detection
	quotedSeen := false
	pendingOp := ""

	endWord := func() {
		if inWord {
			argv = append(argv, word.String())
		}
		word.Reset()
		inWord = false
		firstUnquoted = ""
		quotedSeen = false
	}
	endCommand := func(op string) error {
		endWord()
		if len(argv) == 0 {
			return &shellSyntaxError{msg: fmt.Sprintf("syntax error: unexpected \"%s\"", op)}
		}
		if shellReserved[argv[0]] {
			return unsupported(fmt.Sprintf("reserved word \"%s\"", argv[0]))
		}
		cmds = append(cmds, shellCommand{Op: pendingOp, Argv: argv})
		argv = nil
		pendingOp = op
		return nil
	}
	// Detect VAR=value in command position (an assignment, not an argument).
	checkAssignment := func() error {
		if len(argv) == 0 && strings.Contains(firstUnquoted, "=") {
			name := firstUnquoted[:strings.Index(firstUnquoted, "=")]
			if name != "" && isNameStart(name[0]) {
				ok := true
				for i := 0; i < len(name); i++ {
					if !isNameChar(name[i]) {
						ok = false
					}
				}
				if ok {
					return unsupported("variable assignment")
				}
			}
		}
		return nil
	}

	i := 0
	n := len(line)
	for i < n {
		c := line[i]
		switch {
		case c == ' ' || c == '\t':
			if err := checkAssignment(); err != nil {
				return nil, err
			}
			endWord()
			i++
		case c == '\n':
			if err := checkAssignment(); err != nil {
				return nil, err
			}
			endWord()
			if len(argv) > 0 {
				if err := endCommand(";"); err != nil {
					return nil, err
				}
			}
			i++
		case c == '#' && !inWord:
			for i < n && line[i] != '\n' {
				i++
			}
		case c == '\\':
			if i+1 >= n {
				// A trailing backslash: ash keeps it literally.
				word.WriteByte('\\')
				inWord = true
				i++
				break
			}
			if line[i+1] == '\n' { // line continuation
				i += 2
				break
			}
			word.WriteByte(line[i+1])
			inWord = true
			quotedSeen = true
			i += 2
		case c == '\'':
			j := strings.IndexByte(line[i+1:], '\'')
			if j < 0 {
				return nil, &shellSyntaxError{msg: "syntax error: unterminated quoted string"}
			}
			word.WriteString(line[i+1 : i+1+j])
			inWord = true
			quotedSeen = true
			i += j + 2
		case c == '"':
			inWord = true
			quotedSeen = true
			i++
			closed := false
			for i < n {
				d := line[i]
				if d == '"' {
					closed = true
					i++
					break
				}
				if d == '\\' && i+1 < n {
					e := line[i+1]
					switch e {
					case '$', '`', '"', '\\':
						word.WriteByte(e)
						i += 2
						continue
					case '\n':
						i += 2
						continue
					}
					word.WriteByte('\\')
					i++
					continue
				}
				if d == '`' {
					return nil, unsupported("command substitution (`...`)")
				}
				if d == '$' && i+1 < n && dollarExpands(line[i+1], true) {
					if line[i+1] == '(' {
						return nil, unsupported("command substitution ($(...))")
					}
					return nil, unsupported("parameter expansion ($...)")
				}
				word.WriteByte(d)
				i++
			}
			if !closed {
				return nil, &shellSyntaxError{msg: "syntax error: unterminated quoted string"}
			}
		case c == '`':
			return nil, unsupported("command substitution (`...`)")
		case c == '$':
			if i+1 < n && dollarExpands(line[i+1], false) {
				switch line[i+1] {
				case '(':
					return nil, unsupported("command substitution ($(...))")
				case '\'':
					return nil, unsupported("$'...' quoting")
				}
				return nil, unsupported("parameter expansion ($...)")
			}
			if i+1 < n && line[i+1] == '"' {
				return nil, unsupported("$\"...\" quoting")
			}
			word.WriteByte('$')
			if !quotedSeen {
				firstUnquoted += "$"
			}
			inWord = true
			i++
		case c == ';':
			if err := checkAssignment(); err != nil {
				return nil, err
			}
			if i+1 < n && line[i+1] == ';' {
				return nil, &shellSyntaxError{msg: "syntax error: unexpected \";;\""}
			}
			endWord()
			if len(argv) == 0 {
				return nil, &shellSyntaxError{msg: "syntax error: unexpected \";\""}
			}
			if err := endCommand(";"); err != nil {
				return nil, err
			}
			i++
		case c == '&' || c == '|':
			if err := checkAssignment(); err != nil {
				return nil, err
			}
			double := i+1 < n && line[i+1] == c
			if !double {
				if c == '&' {
					return nil, unsupported("background execution (&)")
				}
				return nil, unsupported("pipeline (|)")
			}
			op := string([]byte{c, c})
			endWord()
			if len(argv) == 0 {
				return nil, &shellSyntaxError{msg: fmt.Sprintf("syntax error: unexpected \"%s\"", op)}
			}
			if err := endCommand(op); err != nil {
				return nil, err
			}
			i += 2
		case c == '>' || c == '<':
			return nil, unsupported("redirection (" + string(c) + ")")
		case c == '(' || c == ')':
			return nil, unsupported("subshell (" + string(c) + ")")
		default:
			word.WriteByte(c)
			if !quotedSeen {
				firstUnquoted += string(c)
			}
			inWord = true
			i++
		}
	}
	if err := checkAssignment(); err != nil {
		return nil, err
	}
	endWord()
	if len(argv) == 0 {
		if pendingOp == "&&" || pendingOp == "||" {
			return nil, &shellSyntaxError{msg: "syntax error: unexpected end of file"}
		}
		return cmds, nil
	}
	if err := endCommand(""); err != nil {
		return nil, err
	}
	return cmds, nil
}

// shellQuote quotes s the way nestlab is expected to: single quotes, with ' as '\”.
// Used by tests and by the command implementations when echoing arguments back.
func shellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

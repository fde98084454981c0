package main

// esxcli: the network vswitch standard namespace, system version get and hardware cpu global get,
// with the human, xml, csv and keyvalue formatters (reference/esxi.md §2–4).
//
// Formatter notes: xml and csv list a structure's fields sorted by key (byte order), as the csv
// captured from real hosts does (ActiveClients,Name,VLANID,VirtualSwitch,). csv quotes a field
// that holds a comma, quote or newline (quotes doubled) and joins list values with ",". keyvalue
// prints Type.Key.type=value, list elements as Type.Key.string[]=value, structures separated by a
// blank line (list encoding unverified against a real host).

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"
)

// ---- result model ------------------------------------------------------------------------

type ecValue struct {
	kind string // "string", "integer", "boolean", "list"
	s    string
	i    int64
	b    bool
	list []string
}

type ecField struct {
	key   string // "VLANID"
	human string // "VLAN ID"
	val   ecValue
}

type ecStruct struct {
	typeName string
	fields   []ecField
}

func ecStr(key, human, s string) ecField { return ecField{key, human, ecValue{kind: "string", s: s}} }
func ecInt(key, human string, i int) ecField {
	return ecField{key, human, ecValue{kind: "integer", i: int64(i)}}
}
func ecBool(key, human string, b bool) ecField {
	return ecField{key, human, ecValue{kind: "boolean", b: b}}
}
func ecList(key, human string, l []string) ecField {
	return ecField{key, human, ecValue{kind: "list", list: l}}
}

func (v ecValue) text(listSep string) string {
	switch v.kind {
	case "integer":
		return strconv.FormatInt(v.i, 10)
	case "boolean":
		return strconv.FormatBool(v.b)
	case "list":
		return strings.Join(v.list, listSep)
	}
	return v.s
}

func sortedFields(s ecStruct) []ecField {
	f := append([]ecField(nil), s.fields...)
	sort.SliceStable(f, func(i, j int) bool { return f[i].key < f[j].key })
	return f
}

func xmlEscape(s string) string {
	var b bytes.Buffer
	_ = xml.EscapeText(&b, []byte(s))
	return b.String()
}

func writeXMLStruct(b *bytes.Buffer, s ecStruct, indent string) {
	fmt.Fprintf(b, "%s<structure typeName=\"%s\">\n", indent, xmlEscape(s.typeName))
	for _, f := range sortedFields(s) {
		fmt.Fprintf(b, "%s   <field name=\"%s\">\n", indent, xmlEscape(f.key))
		in := indent + "      "
		switch f.val.kind {
		case "list":
			fmt.Fprintf(b, "%s<list type=\"string\">\n", in)
			for _, e := range f.val.list {
				fmt.Fprintf(b, "%s   <string>%s</string>\n", in, xmlEscape(e))
			}
			fmt.Fprintf(b, "%s</list>\n", in)
		default:
			fmt.Fprintf(b, "%s<%s>%s</%s>\n", in, f.val.kind, xmlEscape(f.val.text("")), f.val.kind)
		}
		fmt.Fprintf(b, "%s   </field>\n", indent)
	}
	fmt.Fprintf(b, "%s</structure>\n", indent)
}

const esxcliXMLHead = "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n" +
	"<output xmlns=\"http://www.vmware.com/Products/ESX/5.0/esxcli\">\n<root>\n"
const esxcliXMLTail = "</root>\n</output>\n"

// formatXML renders a list of structures (single=false) or one structure (single=true).
func formatXML(items []ecStruct, single bool, typeName string) string {
	var b bytes.Buffer
	b.WriteString(esxcliXMLHead)
	if single {
		writeXMLStruct(&b, items[0], "   ")
	} else {
		b.WriteString("   <list type=\"structure\">\n")
		for _, s := range items {
			writeXMLStruct(&b, s, "      ")
		}
		b.WriteString("   </list>\n")
	}
	b.WriteString(esxcliXMLTail)
	return b.String()
}

func csvField(s string) string {
	if strings.ContainsAny(s, ",\"\n\r") {
		return `"` + strings.ReplaceAll(s, `"`, `""`) + `"`
	}
	return s
}

func formatCSV(items []ecStruct, proto ecStruct) string {
	var b bytes.Buffer
	for _, f := range sortedFields(proto) {
		b.WriteString(csvField(f.key))
		b.WriteByte(',')
	}
	b.WriteByte('\n')
	for _, s := range items {
		for _, f := range sortedFields(s) {
			b.WriteString(csvField(f.val.text(",")))
			b.WriteByte(',')
		}
		b.WriteByte('\n')
	}
	return b.String()
}

func formatKeyValue(items []ecStruct) string {
	var b bytes.Buffer
	for n, s := range items {
		if n > 0 {
			b.WriteByte('\n')
		}
		for _, f := range sortedFields(s) {
			if f.val.kind == "list" {
				if len(f.val.list) == 0 {
					fmt.Fprintf(&b, "%s.%s.string[]=\n", s.typeName, f.key)
				}
				for _, e := range f.val.list {
					fmt.Fprintf(&b, "%s.%s.string[]=%s\n", s.typeName, f.key, e)
				}
				continue
			}
			fmt.Fprintf(&b, "%s.%s.%s=%s\n", s.typeName, f.key, f.val.kind, f.val.text(""))
		}
	}
	return b.String()
}

// humanStruct renders "   Key: value" lines.
func humanStruct(s ecStruct) string {
	var b bytes.Buffer
	for _, f := range s.fields {
		line := fmt.Sprintf("   %s: %s", f.human, f.val.text(", "))
		b.WriteString(strings.TrimRight(line, " "))
		b.WriteByte('\n')
	}
	return b.String()
}

// humanTable renders esxcli's table layout: two spaces between columns, dashes under the
// headers, integers right-aligned.
func humanTable(items []ecStruct, proto ecStruct) string {
	n := len(proto.fields)
	width := make([]int, n)
	cells := make([][]string, len(items))
	for c, f := range proto.fields {
		width[c] = utf8.RuneCountInString(f.human)
	}
	for r, s := range items {
		cells[r] = make([]string, n)
		for c, f := range s.fields {
			cells[r][c] = f.val.text(", ")
			if w := utf8.RuneCountInString(cells[r][c]); w > width[c] {
				width[c] = w
			}
		}
	}
	pad := func(s string, w int, right bool) string {
		p := strings.Repeat(" ", w-utf8.RuneCountInString(s))
		if right {
			return p + s
		}
		return s + p
	}
	var b bytes.Buffer
	row := func(vals []string, right func(c int) bool) {
		parts := make([]string, n)
		for c := range vals {
			parts[c] = pad(vals[c], width[c], right(c))
		}
		b.WriteString(strings.TrimRight(strings.Join(parts, "  "), " "))
		b.WriteByte('\n')
	}
	hdr := make([]string, n)
	dash := make([]string, n)
	for c, f := range proto.fields {
		hdr[c] = f.human
		dash[c] = strings.Repeat("-", width[c])
	}
	row(hdr, func(int) bool { return false })
	row(dash, func(int) bool { return false })
	for _, r := range cells {
		row(r, func(c int) bool { return proto.fields[c].val.kind == "integer" })
	}
	return b.String()
}

// ---- command table and option parsing ----------------------------------------------------

type ecOpt struct {
	short, long string
	typ         string // "str", "long", "bool", "flag"
	required    bool
	help        string
}

type ecOpts map[string]string // long name -> raw value ("true" for flags)

type ecCmd struct {
	path string // "network vswitch standard list"
	desc string
	opts []ecOpt
	run  func(env *esxEnv, formatter string, o ecOpts) int
}

func (c *ecCmd) usage() string {
	var b bytes.Buffer
	name := c.path[strings.LastIndexByte(c.path, ' ')+1:]
	fmt.Fprintf(&b, "Usage: esxcli %s [cmd options]\n\nDescription: \n  %-22s%s\n\n", c.path, name, c.desc)
	if len(c.opts) > 0 {
		b.WriteString("Cmd options:\n")
		for _, o := range c.opts {
			spec := "  "
			if o.short != "" {
				spec += "-" + o.short + "|"
			}
			spec += "--" + o.long
			if o.typ != "flag" {
				spec += "=<" + map[string]string{"str": "str", "long": "long", "bool": "bool"}[o.typ] + ">"
			}
			help := o.help
			if o.required {
				help += " (required)"
			}
			if len(spec) > 23 {
				fmt.Fprintf(&b, "%s\n%24s%s\n", spec, "", help)
			} else {
				fmt.Fprintf(&b, "%-24s%s\n", spec, help)
			}
		}
	}
	return b.String()
}

func (c *ecCmd) usageError(env *esxEnv, msg string) int {
	env.errf("Error: %s\n\n%s", msg, c.usage())
	return 1
}

func parseEsxBool(s string) (bool, bool) {
	switch strings.ToLower(s) {
	case "true", "1", "yes", "y", "on":
		return true, true
	case "false", "0", "no", "n", "off":
		return false, true
	}
	return false, false
}

// parse reads the command's options. It returns the options or prints the error and usage.
func (c *ecCmd) parse(env *esxEnv, args []string) (ecOpts, bool) {
	o := ecOpts{}
	for i := 0; i < len(args); i++ {
		a := args[i]
		var opt *ecOpt
		val, hasVal := "", false
		switch {
		case strings.HasPrefix(a, "--") && len(a) > 2:
			name := a[2:]
			if eq := strings.IndexByte(name, '='); eq >= 0 {
				name, val, hasVal = name[:eq], name[eq+1:], true
			}
			for k := range c.opts {
				if c.opts[k].long == name {
					opt = &c.opts[k]
				}
			}
		case strings.HasPrefix(a, "-") && len(a) == 2:
			for k := range c.opts {
				if c.opts[k].short == a[1:] {
					opt = &c.opts[k]
				}
			}
		}
		if opt == nil {
			if strings.HasPrefix(a, "-") {
				c.usageError(env, fmt.Sprintf("Invalid option %s", a))
			} else {
				c.usageError(env, fmt.Sprintf("Unknown argument %s", a))
			}
			return nil, false
		}
		if !hasVal {
			if opt.typ == "flag" {
				val = "true"
			} else {
				if i+1 >= len(args) {
					c.usageError(env, fmt.Sprintf("Missing value for option %s", a))
					return nil, false
				}
				i++
				val = args[i]
			}
		}
		switch opt.typ {
		case "bool", "flag":
			if _, ok := parseEsxBool(val); !ok {
				c.usageError(env, fmt.Sprintf("Invalid data constraint for parameter '%s'. Expected a boolean value: true, false, 1, 0, yes or no; got '%s'", opt.long, val))
				return nil, false
			}
		case "long":
			if _, err := strconv.ParseInt(val, 10, 64); err != nil {
				c.usageError(env, fmt.Sprintf("Invalid data constraint for parameter '%s'. Expected an integer; got '%s'", opt.long, val))
				return nil, false
			}
		}
		o[opt.long] = val
	}
	for _, opt := range c.opts {
		if _, ok := o[opt.long]; opt.required && !ok {
			spec := "--" + opt.long
			if opt.short != "" {
				spec = "-" + opt.short + "|" + spec
			}
			c.usageError(env, "Missing required parameter "+spec)
			return nil, false
		}
	}
	return o, true
}

func (o ecOpts) boolPtr(name string) *bool {
	v, ok := o[name]
	if !ok {
		return nil
	}
	b, _ := parseEsxBool(v)
	return &b
}

var esxcliCmds []*ecCmd

func init() {
	vsw := ecOpt{"v", "vswitch-name", "str", true, "The name of the virtual switch to use."}
	sec := []ecOpt{
		{"f", "allow-forged-transmits", "bool", false, "Allow forged transmits."},
		{"m", "allow-mac-change", "bool", false, "Allow MAC address change."},
	}
	esxcliCmds = []*ecCmd{
		{path: "network vswitch standard list", desc: "List the virtual switches current on the ESX host.",
			opts: []ecOpt{{"v", "vswitch-name", "str", false, "Limit the output of this command to only virtual switches with the name specified."}},
			run:  ecVSwitchList},
		{path: "network vswitch standard policy security get",
			desc: "Provide information about the security policy of a given virtual switch.",
			opts: []ecOpt{vsw}, run: ecVSwitchSecurityGet},
		{path: "network vswitch standard policy security set",
			desc: "Set the security policy for a given virtual switch",
			opts: append(append([]ecOpt{}, sec...),
				ecOpt{"p", "allow-promiscuous", "bool", false, "Allow promiscuous mode."}, vsw),
			run: ecVSwitchSecuritySet},
		{path: "network vswitch standard portgroup list", desc: "List all of the port groups currently on the system.",
			run: ecPortGroupList},
		{path: "network vswitch standard portgroup add", desc: "Allows the addition of a standard port group to a virtual switch.",
			opts: []ecOpt{{"p", "portgroup-name", "str", true, "The name of the port group to add"},
				{"v", "vswitch-name", "str", true, "The virtual switch to add the port group to."}},
			run: ecPortGroupAdd},
		{path: "network vswitch standard portgroup remove", desc: "Remove a port group from the given virtual switch",
			opts: []ecOpt{{"p", "portgroup-name", "str", true, "The name of the port group to remove"},
				{"v", "vswitch-name", "str", true, "The virtual switch to remove the port group from."}},
			run: ecPortGroupRemove},
		{path: "network vswitch standard portgroup set", desc: "Set the vlan id for the given port group",
			opts: []ecOpt{{"p", "portgroup-name", "str", true, "The name of the port group to set vlan id for."},
				{"v", "vlan-id", "long", false, "The vlan id for this port group. This value is in the range (0 - 4095)"}},
			run: ecPortGroupSet},
		{path: "network vswitch standard portgroup policy security get",
			desc: "Get the security policy for a given port group.",
			opts: []ecOpt{{"p", "portgroup-name", "str", true, "The name of the port group"}},
			run:  ecPortGroupSecurityGet},
		{path: "network vswitch standard portgroup policy security set",
			desc: "Set the security policy for a given port group",
			opts: append(append([]ecOpt{}, sec...),
				ecOpt{"o", "allow-promiscuous", "bool", false, "Allow promiscuous mode."},
				ecOpt{"p", "portgroup-name", "str", true, "The name of the port group"},
				ecOpt{"u", "use-vswitch", "flag", false, "Reset all values for this policy to use parent virtual switch's settings instead of overriding the settings for the port group."}),
			run: ecPortGroupSecuritySet},
		{path: "system version get", desc: "Display the product name, version and build information.",
			run: ecVersionGet},
		{path: "hardware cpu global get", desc: "Get properties that are global to all CPUs.",
			run: ecCPUGlobalGet},
	}
}

func cmdEsxcli(env *esxEnv, argv []string) int {
	args := argv[1:]
	formatter := ""
	for len(args) > 0 && strings.HasPrefix(args[0], "-") {
		a := args[0]
		switch {
		case strings.HasPrefix(a, "--formatter="):
			formatter = a[len("--formatter="):]
			args = args[1:]
		case a == "--formatter" && len(args) > 1:
			formatter = args[1]
			args = args[2:]
		case a == "--debug":
			args = args[1:]
		default:
			env.errf("Error: Invalid option %s\n", a)
			return 1
		}
	}
	switch formatter {
	case "", "xml", "csv", "keyvalue":
	default:
		env.errf("Error: Invalid formatter: %s. Valid formatters are: xml, csv, keyvalue\n", formatter)
		return 1
	}
	if len(args) == 0 {
		env.errf("Usage: esxcli [options] {namespace}+ {cmd} [cmd options]\n\nAvailable Namespaces:\n  hardware\n  network\n  system\n")
		return 1
	}
	// Longest command path that prefixes the words.
	for _, c := range esxcliCmds {
		p := strings.Fields(c.path)
		if len(args) >= len(p) && strings.Join(args[:len(p)], " ") == c.path {
			o, ok := c.parse(env, args[len(p):])
			if !ok {
				return 1
			}
			return c.run(env, formatter, o)
		}
	}
	// A namespace prefix: list what it holds.
	var words []string
	for _, a := range args {
		if strings.HasPrefix(a, "-") {
			break
		}
		words = append(words, a)
	}
	prefix := strings.Join(words, " ")
	var subs []string
	seen := map[string]bool{}
	for _, c := range esxcliCmds {
		if strings.HasPrefix(c.path, prefix+" ") {
			next := strings.Fields(c.path[len(prefix)+1:])[0]
			if !seen[next] {
				seen[next] = true
				subs = append(subs, next)
			}
		}
	}
	if len(subs) > 0 && len(words) == len(args) {
		env.errf("Usage: esxcli %s {cmd} [cmd options]\n\nAvailable Namespaces/Commands:\n", prefix)
		for _, s := range subs {
			env.errf("  %s\n", s)
		}
		return 1
	}
	env.errf("Error: Unknown command or namespace %s\n", prefix)
	return 1
}

// emit prints items in the requested format; human renders the default format.
func emit(env *esxEnv, formatter string, items []ecStruct, single bool, proto ecStruct, human func() string) int {
	switch formatter {
	case "xml":
		env.out("%s", formatXML(items, single, proto.typeName))
	case "csv":
		env.out("%s", formatCSV(items, proto))
	case "keyvalue":
		env.out("%s", formatKeyValue(items))
	default:
		env.out("%s", human())
	}
	return 0
}

func esxcliFail(env *esxEnv, err error) int {
	env.errf("Error: %s\n", err.Error())
	return 1
}

func findVSwitch(api HostAPI, name string) (VSwitch, bool) {
	for _, v := range api.VSwitches() {
		if v.Name == name {
			return v, true
		}
	}
	return VSwitch{}, false
}

func findPortGroup(api HostAPI, name string) (PortGroup, bool) {
	for _, p := range api.PortGroups() {
		if p.Name == name {
			return p, true
		}
	}
	return PortGroup{}, false
}

func notFoundVSwitch(env *esxEnv, name string) int {
	env.errf("Error: Unable to find vswitch %s\n", name)
	return 1
}

func notFoundPortGroup(env *esxEnv, name string) int {
	env.errf("Error: Unable to find portgroup %s\n", name)
	return 1
}

// ---- network vswitch standard ------------------------------------------------------------

func vswitchStruct(v VSwitch) ecStruct {
	nz := func(l []string) []string {
		if l == nil {
			return []string{}
		}
		return l
	}
	return ecStruct{"VirtualSwitch", []ecField{
		ecStr("Name", "Name", v.Name),
		ecStr("Class", "Class", "cswitch"),
		ecInt("NumPorts", "Num Ports", v.NumPorts),
		ecInt("UsedPorts", "Used Ports", v.UsedPorts),
		ecInt("ConfiguredPorts", "Configured Ports", v.ConfiguredPorts),
		ecInt("MTU", "MTU", v.MTU),
		ecStr("CDPStatus", "CDP Status", v.CDPStatus),
		ecBool("BeaconEnabled", "Beacon Enabled", false),
		ecInt("BeaconInterval", "Beacon Interval", 1),
		ecInt("BeaconThreshold", "Beacon Threshold", 3),
		ecList("BeaconRequiredBy", "Beacon Required By", []string{}),
		ecList("Uplinks", "Uplinks", nz(v.Uplinks)),
		ecList("Portgroups", "Portgroups", nz(v.Portgroups)),
	}}
}

func ecVSwitchList(env *esxEnv, formatter string, o ecOpts) int {
	var items []ecStruct
	name, filter := o["vswitch-name"]
	for _, v := range env.api.VSwitches() {
		if filter && v.Name != name {
			continue
		}
		items = append(items, vswitchStruct(v))
	}
	if filter && len(items) == 0 {
		return notFoundVSwitch(env, name)
	}
	return emit(env, formatter, items, false, vswitchStruct(VSwitch{}), func() string {
		var b strings.Builder
		for _, s := range items {
			b.WriteString(s.fields[0].val.s + "\n")
			b.WriteString(humanStruct(s))
			b.WriteString("\n")
		}
		return b.String()
	})
}

func bv(p *bool) bool { return p != nil && *p }

func securityStruct(typeName string, s Security) ecStruct {
	return ecStruct{typeName, []ecField{
		ecBool("AllowPromiscuous", "Allow Promiscuous", bv(s.AllowPromiscuous)),
		ecBool("AllowMACAddressChange", "Allow MAC Address Change", bv(s.MacChanges)),
		ecBool("AllowForgedTransmits", "Allow Forged Transmits", bv(s.ForgedTransmits)),
	}}
}

func ecVSwitchSecurityGet(env *esxEnv, formatter string, o ecOpts) int {
	v, ok := findVSwitch(env.api, o["vswitch-name"])
	if !ok {
		return notFoundVSwitch(env, o["vswitch-name"])
	}
	s := securityStruct("SecurityPolicy", v.Security)
	return emit(env, formatter, []ecStruct{s}, true, s, func() string { return humanStruct(s) })
}

func ecVSwitchSecuritySet(env *esxEnv, formatter string, o ecOpts) int {
	name := o["vswitch-name"]
	if _, ok := findVSwitch(env.api, name); !ok {
		return notFoundVSwitch(env, name)
	}
	s := Security{AllowPromiscuous: o.boolPtr("allow-promiscuous"),
		ForgedTransmits: o.boolPtr("allow-forged-transmits"), MacChanges: o.boolPtr("allow-mac-change")}
	if err := env.api.SetVSwitchSecurity(name, s); err != nil {
		return esxcliFail(env, err)
	}
	return 0
}

func portGroupStruct(p PortGroup) ecStruct {
	return ecStruct{"PortGroup", []ecField{
		ecStr("Name", "Name", p.Name),
		ecStr("VirtualSwitch", "Virtual Switch", p.VSwitch),
		ecInt("ActiveClients", "Active Clients", p.ActiveClients),
		ecInt("VLANID", "VLAN ID", p.VLAN),
	}}
}

func ecPortGroupList(env *esxEnv, formatter string, o ecOpts) int {
	var items []ecStruct
	for _, p := range env.api.PortGroups() {
		items = append(items, portGroupStruct(p))
	}
	proto := portGroupStruct(PortGroup{})
	return emit(env, formatter, items, false, proto, func() string { return humanTable(items, proto) })
}

func ecPortGroupAdd(env *esxEnv, formatter string, o ecOpts) int {
	name, vs := o["portgroup-name"], o["vswitch-name"]
	if _, ok := findVSwitch(env.api, vs); !ok {
		return notFoundVSwitch(env, vs)
	}
	if _, ok := findPortGroup(env.api, name); ok {
		env.errf("Error: A portgroup with the name %s already exists\n", name)
		return 1
	}
	if err := env.api.AddPortGroup(name, vs); err != nil {
		return esxcliFail(env, err)
	}
	return 0
}

func ecPortGroupRemove(env *esxEnv, formatter string, o ecOpts) int {
	name, vs := o["portgroup-name"], o["vswitch-name"]
	if _, ok := findVSwitch(env.api, vs); !ok {
		return notFoundVSwitch(env, vs)
	}
	p, ok := findPortGroup(env.api, name)
	if !ok || p.VSwitch != vs {
		return notFoundPortGroup(env, name)
	}
	if err := env.api.RemovePortGroup(name, vs); err != nil {
		if ae, ok := err.(*APIError); ok && ae.Kind == "ResourceInUse" {
			env.errf("Error: Unable to remove port group %s: Sysinfo error: Busy\nSee VMkernel log for details.\n", name)
			return 1
		}
		return esxcliFail(env, err)
	}
	return 0
}

func ecPortGroupSet(env *esxEnv, formatter string, o ecOpts) int {
	name := o["portgroup-name"]
	if _, ok := findPortGroup(env.api, name); !ok {
		return notFoundPortGroup(env, name)
	}
	raw, ok := o["vlan-id"]
	if !ok {
		return 0 // nothing to set, as esxcli
	}
	vlan, _ := strconv.ParseInt(raw, 10, 64)
	if vlan < 0 || vlan > 4095 {
		c := esxcliCmdByPath("network vswitch standard portgroup set")
		return c.usageError(env, fmt.Sprintf("Invalid data constraint for parameter 'vlan-id'. Value %d is not in the range (0 - 4095)", vlan))
	}
	if err := env.api.SetPortGroupVLAN(name, int(vlan)); err != nil {
		return esxcliFail(env, err)
	}
	return 0
}

func esxcliCmdByPath(path string) *ecCmd {
	for _, c := range esxcliCmds {
		if c.path == path {
			return c
		}
	}
	return nil
}

func ecPortGroupSecurityGet(env *esxEnv, formatter string, o ecOpts) int {
	name := o["portgroup-name"]
	p, ok := findPortGroup(env.api, name)
	if !ok {
		return notFoundPortGroup(env, name)
	}
	v, _ := findVSwitch(env.api, p.VSwitch)
	eff := func(over, base *bool) bool {
		if over != nil {
			return *over
		}
		return bv(base)
	}
	s := ecStruct{"PortgroupSecurityPolicy", []ecField{
		ecBool("AllowPromiscuous", "Allow Promiscuous", eff(p.Override.AllowPromiscuous, v.Security.AllowPromiscuous)),
		ecBool("AllowMACAddressChange", "Allow MAC Address Change", eff(p.Override.MacChanges, v.Security.MacChanges)),
		ecBool("AllowForgedTransmits", "Allow Forged Transmits", eff(p.Override.ForgedTransmits, v.Security.ForgedTransmits)),
		ecBool("OverrideVswitchAllowPromiscuous", "Override Vswitch Allow Promiscuous", p.Override.AllowPromiscuous != nil),
		ecBool("OverrideVswitchAllowMACAddressChange", "Override Vswitch Allow MAC Address Change", p.Override.MacChanges != nil),
		ecBool("OverrideVswitchAllowForgedTransmits", "Override Vswitch Allow Forged Transmits", p.Override.ForgedTransmits != nil),
	}}
	return emit(env, formatter, []ecStruct{s}, true, s, func() string { return humanStruct(s) })
}

func ecPortGroupSecuritySet(env *esxEnv, formatter string, o ecOpts) int {
	name := o["portgroup-name"]
	if _, ok := findPortGroup(env.api, name); !ok {
		return notFoundPortGroup(env, name)
	}
	s := Security{AllowPromiscuous: o.boolPtr("allow-promiscuous"),
		ForgedTransmits: o.boolPtr("allow-forged-transmits"), MacChanges: o.boolPtr("allow-mac-change")}
	if err := env.api.SetPortGroupSecurity(name, s, bv(o.boolPtr("use-vswitch"))); err != nil {
		return esxcliFail(env, err)
	}
	return 0
}

// ---- system / hardware -------------------------------------------------------------------

func ecVersionGet(env *esxEnv, formatter string, o ecOpts) int {
	product, version, build, update, patch := env.api.Version()
	s := ecStruct{"VersionGet", []ecField{
		ecStr("Product", "Product", product),
		ecStr("Version", "Version", version),
		ecStr("Build", "Build", build),
		ecStr("Update", "Update", strconv.Itoa(update)),
		ecStr("Patch", "Patch", strconv.Itoa(patch)),
	}}
	return emit(env, formatter, []ecStruct{s}, true, s, func() string { return humanStruct(s) })
}

func ecCPUGlobalGet(env *esxEnv, formatter string, o ecOpts) int {
	packages, cores, threads, hv := env.api.CPU()
	ht := threads > cores
	s := ecStruct{"CPUGlobalGet", []ecField{
		ecInt("CPUPackages", "CPU Packages", packages),
		ecInt("CPUCores", "CPU Cores", cores),
		ecInt("CPUThreads", "CPU Threads", threads),
		ecBool("HyperthreadingActive", "Hyperthreading Active", ht),
		ecBool("HyperthreadingSupported", "Hyperthreading Supported", ht),
		ecBool("HyperthreadingEnabled", "Hyperthreading Enabled", ht),
		ecInt("HVSupport", "HV Support", hv),
		ecInt("HVReplaySupport", "HV Replay Support", 1),
		ecInt("HVReplayCapable", "HV Replay Capable", 1),
	}}
	return emit(env, formatter, []ecStruct{s}, true, s, func() string { return humanStruct(s) })
}

package main

// esxcli network ip interface list and hardware platform get: the VMkernel NICs (vmk0's MAC
// address) and the BIOS UUID. They are an optional part of HostAPI (vmkLister, platformReader),
// so a HostAPI without them answers like an esxcli that lacks the command.
//
// Field names are the human labels without blanks, as in the captured `network nic list`
// ("MAC Address" -> MACAddress); the human layout follows public captures of
// `esxcli network ip interface list` (ESXi 6.7-8.0). The structures' typeName and the XML of
// `hardware platform get` are not verified against a real host. The UUID is printed the way
// ESXi prints it: "0x56 0x4d ... 0x5c", bytes in SMBIOS order.

import (
	"fmt"
	"strings"
)

// VMKernelNIC is one VMkernel network interface.
type VMKernelNIC struct {
	Name, MAC, Portset, Portgroup, Netstack string
	MTU, PortID                             int
	Enabled                                 bool
}

type vmkLister interface{ VMKernelNICs() []VMKernelNIC }
type platformReader interface {
	PlatformUUID() (uuid, vendor, product string)
}

// Runs after esx_esxcli.go's init, which sets the table (files initialise in name order).
func init() {
	esxcliCmds = append(esxcliCmds,
		&ecCmd{path: "network ip interface list", desc: "List the VMkernel network interfaces currently known to the system.",
			opts: []ecOpt{{"n", "netstack", "str", false, "The network stack instance; if unspecified, use all netstack instances."}},
			run:  ecIPInterfaceList},
		&ecCmd{path: "hardware platform get", desc: "Get information about the platform.", run: ecPlatformGet})
}

func vmkStruct(n VMKernelNIC) ecStruct {
	return ecStruct{"IPInterface", []ecField{
		ecStr("Name", "Name", n.Name),
		ecStr("MACAddress", "MAC Address", n.MAC),
		ecBool("Enabled", "Enabled", n.Enabled),
		ecStr("Portset", "Portset", n.Portset),
		ecStr("Portgroup", "Portgroup", n.Portgroup),
		ecStr("NetstackInstance", "Netstack Instance", n.Netstack),
		ecStr("VDSName", "VDS Name", "N/A"),
		ecStr("VDSUUID", "VDS UUID", "N/A"),
		ecStr("VDSPort", "VDS Port", "N/A"),
		ecInt("VDSConnection", "VDS Connection", -1),
		ecStr("OpaqueNetworkID", "Opaque Network ID", "N/A"),
		ecStr("OpaqueNetworkType", "Opaque Network Type", "N/A"),
		ecStr("ExternalID", "External ID", "N/A"),
		ecInt("MTU", "MTU", n.MTU),
		ecInt("TSOMSS", "TSO MSS", 65535),
		ecInt("RXDispQueueSize", "RXDispQueue Size", 1),
		ecInt("PortID", "Port ID", n.PortID),
	}}
}

func ecIPInterfaceList(env *esxEnv, formatter string, o ecOpts) int {
	l, ok := env.api.(vmkLister)
	if !ok {
		env.errf("Error: Unknown command or namespace network ip interface list\n")
		return 1
	}
	var items []ecStruct
	for _, n := range l.VMKernelNICs() {
		if ns, set := o["netstack"]; set && ns != n.Netstack {
			continue
		}
		items = append(items, vmkStruct(n))
	}
	return emit(env, formatter, items, false, vmkStruct(VMKernelNIC{}), func() string {
		var b strings.Builder
		for _, s := range items {
			b.WriteString(s.fields[0].val.s + "\n")
			b.WriteString(humanStruct(s))
			b.WriteString("\n")
		}
		return b.String()
	})
}

// esxUUID spells a UUID as esxcli hardware platform get does: "0x56 0x4d ...".
func esxUUID(u string) string {
	hex := strings.ReplaceAll(u, "-", "")
	var parts []string
	for i := 0; i+2 <= len(hex); i += 2 {
		parts = append(parts, "0x"+strings.ToLower(hex[i:i+2]))
	}
	return strings.Join(parts, " ")
}

// vmwareSerial is a VM's SMBIOS serial number: "VMware-56 4d 9b 2a 3a 7c 1f 22-a5 1f ...".
func vmwareSerial(u string) string {
	b := strings.Fields(strings.ReplaceAll(esxUUID(u), "0x", ""))
	if len(b) != 16 {
		return "None"
	}
	return fmt.Sprintf("VMware-%s-%s", strings.Join(b[:8], " "), strings.Join(b[8:], " "))
}

func ecPlatformGet(env *esxEnv, formatter string, o ecOpts) int {
	p, ok := env.api.(platformReader)
	if !ok {
		env.errf("Error: Unknown command or namespace hardware platform get\n")
		return 1
	}
	uuid, vendor, product := p.PlatformUUID()
	s := ecStruct{"PlatformGet", []ecField{
		ecStr("UUID", "UUID", esxUUID(uuid)),
		ecStr("ProductName", "Product Name", product),
		ecStr("VendorName", "Vendor Name", vendor),
		ecStr("SerialNumber", "Serial Number", vmwareSerial(uuid)),
		ecStr("EnclosureSerialNumber", "Enclosure Serial Number", "None"),
		ecStr("BIOSAssetTag", "BIOS Asset Tag", "No Asset Tag"),
		ecBool("IPMISupported", "IPMI Supported", false),
	}}
	return emit(env, formatter, []ecStruct{s}, true, s, func() string { return "Platform Information\n" + humanStruct(s) })
}

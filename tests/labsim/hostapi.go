package main

// HostAPI is one simulated ESXi host as its own shell sees it. The SSH side (ssh_*.go, esx_*.go)
// only talks to the lab through this interface; the vCenter side (vcsim extensions) implements it
// on vcsim's own objects, so a change made over SSH is exactly what vCenter reports, and the
// other way round. Every method is safe for concurrent use (the implementation locks).

// Security is a security policy. In a vSwitch policy all three are set; in a port-group
// override a nil field means "inherit from the vSwitch".
type Security struct {
	AllowPromiscuous *bool
	ForgedTransmits  *bool
	MacChanges       *bool
}

type VSwitch struct {
	Name            string
	NumPorts        int // "Num Ports" (runtime ports, e.g. 2560)
	UsedPorts       int
	ConfiguredPorts int // spec.numPorts
	MTU             int
	CDPStatus       string // "listen"
	Uplinks         []string
	Portgroups      []string
	Security        Security // all three set
}

type PortGroup struct {
	Name          string
	VSwitch       string
	VLAN          int
	ActiveClients int
	Override      Security // nil fields = inherited
}

type VM struct {
	ID         int    // vmid as vim-cmd prints it (1, 2, ...), stable for the lab's life
	Name       string // may hold spaces, quotes, UTF-8
	File       string // "[datastore1] n-esx01/n-esx01.vmx"
	GuestID    string // "vmkernel65Guest"
	Version    string // "vmx-10"
	PoweredOn  bool
	Annotation string
}

// EsxtopSample is one esxtop batch row, taken from the flooding model.
type EsxtopSample struct {
	CPUUtilPercent float64 // Physical Cpu(_Total) % Util Time
	Ports          []EsxtopPort
}

type EsxtopPort struct {
	VSwitch      string
	PortID       int64
	Client       string // "Management", "vmnic0", or the VM's name
	PktsRxPerSec float64
	PktsTxPerSec float64
	MbitsRxSec   float64
	MbitsTxSec   float64
}

// APIError carries an esxcli/vim-cmd style failure. Kind is the vim fault name
// ("NotFound", "AlreadyExists", "InvalidArgument", "InvalidPowerState", "ResourceInUse").
type APIError struct {
	Kind string
	Msg  string
}

func (e *APIError) Error() string { return e.Msg }

type HostAPI interface {
	HostName() string // "esx-p01.lab.invalid"
	// Version returns product ("VMware ESXi"), version ("8.0.3"), build ("Releasebuild-24677879"), update, patch.
	Version() (product, version, build string, update, patch int)
	// CPU returns packages, cores, threads and HV Support (0..3, 3 = usable).
	CPU() (packages, cores, threads, hvSupport int)

	VSwitches() []VSwitch
	SetVSwitchSecurity(vswitch string, s Security) error // nil fields left unchanged

	PortGroups() []PortGroup
	AddPortGroup(name, vswitch string) error // VLAN 0, no overrides
	RemovePortGroup(name, vswitch string) error
	SetPortGroupVLAN(name string, vlan int) error // InvalidArgument outside 0..4095
	// SetPortGroupSecurity sets the given override fields; useVSwitch clears all overrides first.
	SetPortGroupSecurity(name string, s Security, useVSwitch bool) error

	VMs() []VM
	SetPower(vmid int, on bool) error // InvalidPowerState if already in that state
	// ReadFile/WriteFile see the host's simulated file system; a VM's .vmx lives at
	// /vmfs/volumes/<datastore>/<dir>/<name>.vmx and holds at least displayName,
	// virtualHW.version, guestOS and (when set) vhv.enable.
	ReadFile(path string) ([]byte, error)
	WriteFile(path string, data []byte) error
	// ReloadVM re-reads the .vmx: vhv.enable and virtualHW.version become the VM's
	// config.nestedHVEnabled / config.version as vCenter reports them.
	ReloadVM(vmid int) error

	Esxtop() EsxtopSample
}

// HostDirectory finds hosts for the SSH servers; Up reports whether a host answers (control API).
type HostDirectory interface {
	Hosts() []HostAPI
	Up(hostName string) bool
}

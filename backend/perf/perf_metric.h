/* Metric names used as series keys in backend/perf. vSphere counters keep their full counter
 * name; values are normalised when parsed: percent counters in percent (vSphere sends hundredths),
 * delta counters (summation) per second (divided by the sample interval). esxtop series carry an
 * "esxtop." prefix because they come from another source at another resolution.
 *
 * esxtop network definitions (per vSwitch, instance = vSwitch name; instance "" = all vSwitches):
 *   an uplink port is a port whose client is a physical NIC ("vmnic<N>");
 *   ingress   = sum over uplink ports of Packets Received/sec
 *             + sum over other ports (VM NICs, vmkernel) of Packets Transmitted/sec
 *               i.e. frames entering the switch, each addressed to someone;
 *   delivered = sum over uplink ports of Packets Transmitted/sec
 *             + sum over other ports of Packets Received/sec
 *               i.e. frames the switch handed out of its ports.
 * A switch that delivers each frame once (learned unicast) has delivered/ingress = 1; flooding
 * to promiscuous ports (and broadcast) raises it. That ratio is the amplification figure. */
#ifndef PERF_METRIC_H
#define PERF_METRIC_H

/* vSphere counters (QueryPerf). */
#define PERF_CPU_USAGE "cpu.usage.average"            /* percent of host (VM: of its vCPUs) */
#define PERF_CPU_MHZ "cpu.usagemhz.average"           /* MHz */
#define PERF_NET_PKTS_RX "net.packetsRx.summation"    /* packets/s */
#define PERF_NET_BCAST_RX "net.broadcastRx.summation" /* packets/s */
#define PERF_NET_RX_KBPS "net.received.average"       /* KB/s */

/* esxtop (SSH). */
#define PERF_ESXTOP_CPU "esxtop.cpu.util"             /* Physical Cpu(_Total) % Util Time */
#define PERF_ESXTOP_PORT_PKTS_RX "esxtop.port.pktsRx" /* instance "vSwitch0:134217729:client" */
#define PERF_ESXTOP_PORT_PKTS_TX "esxtop.port.pktsTx"
#define PERF_ESXTOP_PORT_MBITS_RX "esxtop.port.mbitsRx"
#define PERF_ESXTOP_PORT_MBITS_TX "esxtop.port.mbitsTx"
#define PERF_ESXTOP_INGRESS "esxtop.net.ingress"     /* packets/s, see above */
#define PERF_ESXTOP_DELIVERED "esxtop.net.delivered" /* packets/s, see above */

/* The real-time interval vCenter and ESXi sample at, and esxtop's delay nestlab uses. */
#define PERF_REALTIME_INTERVAL 20
#define PERF_ESXTOP_INTERVAL 2

#endif

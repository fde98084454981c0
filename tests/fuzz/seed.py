#!/usr/bin/env python3
"""Writes the seed inputs of every fuzz target into OUTDIR/TARGET/: the project's own fixtures
(tests/fixtures), small excerpts of them (one object of each kind, so the fuzzer mutates inputs of
a few KB, not 70 KB), re-shaped variants (indented, namespaces on their own lines, empty arrays as
open/close pairs, as real servers write them) and hand-written hostile inputs. The real formats in
../shared/real-formats are not copied: the replay test reads them in place.

scripts/fuzz --seed merges these into tests/fuzz/corpus (libFuzzer -merge=1 keeps only inputs that
add coverage)."""
import os
import re
import struct
import sys

TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
FIX = os.path.join(TOP, "tests", "fixtures")


def fixture(*path):
    with open(os.path.join(FIX, *path), "rb") as f:
        return f.read()


def header(chunk, flags=0):
    """The streamed targets' header (tests/fuzz/fuzz.h): chunk size LE16, flags."""
    return struct.pack("<HB", chunk, flags)


def first_of_each(xml, element):
    """Keeps the first <element> of each obj type in a reply; drops the rest."""
    seen = set()

    def keep(m):
        t = re.search(rb'<obj type="([^"]*)"', m.group(0))
        key = t.group(1) if t else b""
        if key in seen:
            return b""
        seen.add(key)
        return m.group(0)

    return re.sub(rb"<" + element + rb">.*?</" + element + rb">", keep, xml, flags=re.S)


def indented(xml):
    """Every element on its own line, indented (a 'pretty' server)."""
    out, depth = [], 0
    for tok in re.findall(rb"<[^>]+>|[^<]+", xml):
        if tok.startswith(b"</"):
            depth -= 1
            out.append(b"\n" + b"  " * depth + tok)
        elif tok.startswith(b"<?") or tok.startswith(b"<!"):
            out.append(tok)
        elif tok.startswith(b"<"):
            out.append(b"\n" + b"  " * depth + tok)
            if not tok.endswith(b"/>"):
                depth += 1
        else:
            out.append(tok)
    return b"".join(out)


def legacy_ns(xml):
    """Namespaces declared on separate lines, xsi:type prefixed, empty arrays open/close pairs."""
    xml = xml.replace(b' xmlns:', b'\n    xmlns:')
    xml = xml.replace(b'xmlns:XMLSchema-instance="http://www.w3.org/2001/XMLSchema-instance" '
                      b'XMLSchema-instance:type=', b'xsi:type=')
    return re.sub(rb"<(\w+)/>", rb"<\1></\1>", xml)


def write(outdir, target, name, data):
    d = os.path.join(outdir, target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


def soap(outdir):
    inv1 = first_of_each(fixture("vsphere", "inventory_page1.xml"), b"objects")
    inv2 = first_of_each(fixture("vsphere", "inventory_page2.xml"), b"objects")
    unk = first_of_each(fixture("vsphere", "derived_unknown_enums.xml"), b"objects")
    upd = first_of_each(fixture("vsphere", "updates_initial.xml"), b"objectSet")
    mod = fixture("vsphere", "updates_modify.xml")
    empty = fixture("vsphere", "updates_empty.xml")
    miss = fixture("vsphere", "missingset_notauth.xml")
    for name, body in [("page1", inv1), ("page2", inv2), ("unknown_enums", unk),
                       ("missingset", miss)]:
        write(outdir, "soap_inventory", name, header(0) + body)
        write(outdir, "soap_inventory", name + "_pretty_7", header(7) + indented(body))
        write(outdir, "soap_inventory", name + "_legacy_1", header(1, 1) + legacy_ns(body))
    write(outdir, "soap_inventory", "truncated", header(64) + inv1[: len(inv1) // 2])
    write(outdir, "soap_inventory", "fault_500", header(0, 2) + fixture("vsphere", "fault_notauth.xml"))
    write(outdir, "soap_inventory", "doctype", header(0) + b'<?xml version="1.0"?>\n'
          b'<!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]>\n' + inv1[39:])
    write(outdir, "soap_update", "initial", header(0) + upd)
    write(outdir, "soap_update", "initial_pretty_3", header(3) + indented(upd))
    write(outdir, "soap_update", "sequence", header(4096) + upd + b"\f" + mod + b"\f" + empty)
    leave = mod.replace(b"<kind>modify</kind>", b"<kind>leave</kind>")
    write(outdir, "soap_update", "enter_leave", header(1) + legacy_ns(upd) + b"\f" + leave)
    write(outdir, "soap_update", "truncated", header(0) + mod.replace(
        b"</filterSet>", b"</filterSet><truncated>true</truncated>"))
    for f in ["fault_invalid_login.xml", "fault_notauth.xml", "fault_not_found.xml",
              "derived_fault_prefixed_type.xml", "derived_fault_xmlschema_instance.xml",
              "derived_not_xml.html"]:
        write(outdir, "soap_fault", f, header(0) + fixture("vsphere", f))
    write(outdir, "soap_fault", "task_error", header(5, 5) + fixture("vsphere", "task_error.xml"))
    write(outdir, "soap_fault", "missingset", header(0, 4 | 1) + miss)
    write(outdir, "soap_fault", "service_content_pretty", header(2, 1) +
          indented(fixture("vsphere", "service_content.xml")))
    write(outdir, "soap_fault", "capped", header(0, 16 | 4 | 1) + inv1)
    write(outdir, "soap_fault", "refused", header(0, 8 | 4 | 1) + inv2)


def perf(outdir):
    q = fixture("perf", "queryperf_csv.xml")
    write(outdir, "perf_query", "csv", q)
    write(outdir, "perf_query", "csv_pretty", indented(q))
    write(outdir, "perf_query", "normal", fixture("perf", "queryperf_vcsim_normal.xml"))
    for f in ["perfcounter_vcsim_vpx.xml", "perfcounter_vcsim_esx.xml"]:
        # The first few counters: enough of every shape, small enough to mutate quickly.
        body = fixture("perf", f)
        infos = re.findall(rb"<PerfCounterInfo>.*?</PerfCounterInfo>", body, re.S)
        if not infos:
            infos = re.findall(rb"<returnval>.*?</returnval>", body, re.S)
        start = body.find(infos[0]) if infos else 0
        end = body.find(infos[min(len(infos), 12) - 1]) + len(infos[min(len(infos), 12) - 1])
        tail = body[body.rfind(infos[-1]) + len(infos[-1]):]
        write(outdir, "perf_counter", f, body[:end] + tail)
    esxtop = fixture("perf", "esxtop_host.csv").split(b"\n")
    write(outdir, "perf_esxtop", "host_3rows.csv", b"\n".join(esxtop[:4]) + b"\n")
    for f in ["esxtop.csv", "esxtop_noheader.csv", "esxtop_truncated.csv"]:
        write(outdir, "perf_esxtop", f, fixture("esxi", f))
        write(outdir, "esx_esxtop", f, fixture("esxi", f))


def esxi(outdir):
    for f in os.listdir(os.path.join(FIX, "esxi")):
        if f.endswith(".xml"):
            write(outdir, "esx_xml", f, fixture("esxi", f))
        elif f.endswith(".vmx"):
            write(outdir, "esx_vmx", f, fixture("esxi", f))
        elif f.endswith(".txt"):
            write(outdir, "esx_vimcmd", f, fixture("esxi", f))
    write(outdir, "esx_xml", "trailing_slash_ns.xml",
          fixture("esxi", "vswitch_list.xml").replace(b"esxcli\"", b"esxcli/\""))
    V = "esx_vimcmd"
    write(outdir, V, "power_off", b"Retrieved runtime info\nPowered off\n")
    write(outdir, V, "power_crlf", b"Retrieved runtime info\r\nSuspended\r\n")
    write(outdir, V, "fault_prefixed", b"Power on failed: (vim.fault.InvalidPowerState) {\n"
          b"   faultCause = (vmodl.MethodFault) null,\n"
          b'   msg = "The attempted operation cannot be performed in the current state."\n}\n')
    write(outdir, V, "vcls", b"Vmid   Name   File   Guest OS   Version   Annotation\n"
          b"7      vCLS-1   [] /var/run/crx/infra/vCLS-1/vCLS-1.vmx   otherGuest   vmx-14    "
          b"vSphere Cluster Service VM\n8   a   [ds] ../../etc/x.vmx   g   vmx-x\n")
    write(outdir, "esx_vmx", "hand.vmx", b'.encoding = "UTF-8"\nvirtualHW.version = "19"\n'
          b'displayName = "a |22q|22 |7c b"\nvhv.enable = "TRUE"\n'
          b'uuid.bios = "56 4d 12 34 56 78 9a bc-de f0 12 34 56 78 9a bc"\n'
          b'ethernet0.present = "TRUE"\nethernet0.networkName = "VM Network"\nnumvcpus = "4"\n'
          b'memsize = "8192"\nguestOS = "vmkernel7"\n# comment\n\nDISPLAYNAME = "later wins"\n')
    Q = "shell_quote"
    write(outdir, Q, "cmd", b"esxcli\0--formatter=xml\0network\0vswitch\0standard\0portgroup\0"
          b"add\0-p\0pg '$(rm -rf /)'; `x` \"y\" <>&|\0-v\0vSwitch0")
    write(outdir, Q, "hostile", "sed\0-i\0/^vhv\\.enable/d\0/vmfs/volumes/ds 1/Grüße “VM”/x.vmx\0"
          "\0*\0~root\0$HOME\0a\nb\0\t".encode())
    write(outdir, Q, "quotes", b"it's\0''\0\\\0!\0#x\0{a,b}\0[ab]\0'lead\0trail'")
    K = "known_hosts"
    ed = b"AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl"
    write(outdir, K, "mixed", b"127.0.0.1 ssh-ed25519 " + ed + b"\n"
          b"[esx01.lab.invalid]:2222 ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQC7\n"
          b"|1|F1E1KeoE/eEWhi10WpGv4OdiO6Y=|3988QV0VE8wmZL7suNrYQLITLCg= ecdsa-sha2-nistp256 "
          b"AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAIbmlzdHAyNTYAAABBBHk=\n"
          b"@cert-authority *.lab.invalid ssh-ed25519 " + ed + b"\n# comment\n"
          b"host1,host2,[h3]:22 ssh-dss AAAAB3NzaC1kc3MAAACBAP\n")
    write(outdir, K, "one", b"[127.0.0.1]:2222 ssh-ed25519 " + ed + b" comment here\n")


def json_docs(outdir):
    write(outdir, "lab_cache", "default-lab.cache.json", fixture("model", "default-lab.cache.json"))
    write(outdir, "lab_cache", "default-lab.json", fixture("model", "default-lab.json"))
    write(outdir, "journal", "journal_torn.jsonl", fixture("ops", "journal_torn.jsonl"))
    C = "config"
    write(outdir, C, "full.json", """{
  "endpoints": [{
    "name": "vc-lab", "url": "https://vc.lab.invalid/sdk", "user": "administrator@vsphere.local",
    "thumbprint": "AB:CD:EF", "insecure": false, "password_env": "NESTLAB_PASSWORD",
    "ssh_only": false,
    "ssh": {
      "user": "root", "password_env": "NESTLAB_SSH_PASSWORD", "key_file": "~/.ssh/id_ed25519",
      "known_hosts": "/tmp/known_hosts", "timeout_s": 10, "command_timeout_s": 60, "parallel": 16,
      "hosts": {"esx01.lab.invalid": {"address": "127.0.0.1", "port": 2222},
                "esx02.lab.invalid": {}}
    }
  }, {"name": "direct \\"é\\" $(x)", "ssh_only": true}],
  "theme": "default",
  "log_level": "info"
}
""".encode())
    write(outdir, C, "bad_port.json", b'{"endpoints":[{"name":"a","url":"u","ssh":{"port":1,'
          b'"hosts":{"h":{"port":70000}}}}],"theme":"a"}')
    write(outdir, C, "password.json", b'{"endpoints":[{"name":"a","url":"u","password":"x"}]}')


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: seed.py OUTDIR")
    for f in (soap, perf, esxi, json_docs):
        f(sys.argv[1])


if __name__ == "__main__":
    main()

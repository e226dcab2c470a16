#!/usr/bin/python3
"""The private baresip declarations (adapters/baresip/baresip_abi.h) against
the installed baresip (suite `adapters`).

- the installed baresip is a version the header was written for (1.0.x);
- every function the header declares is exported by the baresip binary;
- every symbol phonesec.so leaves undefined is exported by the baresip
  binary, the libre it links, libphonesec (versioned PHONESEC_1.x) or libc;
- the libre headers the module was compiled with (libre-dev) are the version
  of the libre the baresip binary runs on.
Skips (77) without baresip or nm.
usage: abi_check.py SRCDIR/adapters/baresip/baresip_abi.h BUILD/adapters/baresip/phonesec.so
"""
import os, re, shutil, subprocess, sys

HEADER, MODULE = sys.argv[1], sys.argv[2]
BARESIP = shutil.which("baresip")
if BARESIP is None or shutil.which("nm") is None:
    print("SKIP: baresip or nm missing"); sys.exit(77)
FAIL = []


def check(what, ok, detail=""):
    print(("PASS: " if ok else "FAIL: ") + what + (("  [" + detail + "]") if detail else ""), flush=True)
    if not ok:
        FAIL.append(what)


def nm(path, defined):
    out = subprocess.run(["nm", "-D", "--defined-only" if defined else "--undefined-only", path],
                         capture_output=True, text=True, check=True).stdout
    names = set()
    for line in out.splitlines():
        f = line.split()
        if f:
            names.add(f[-1])
    return names


def strip_ver(n):
    return n.split("@")[0]


# 1. version
out = subprocess.run([BARESIP, "-h"], capture_output=True, text=True, timeout=10)
m = re.search(r"baresip v(\d+\.\d+\.\d+)", out.stdout + out.stderr)
if not m:
    with open(BARESIP, "rb") as f:
        m = re.search(rb"baresip v(\d+\.\d+\.\d+)", f.read())
ver = m.group(1).decode() if m and isinstance(m.group(1), bytes) else (m.group(1) if m else "?")
check("installed baresip is 1.0.x, the version baresip_abi.h describes", ver.startswith("1.0."), "baresip " + ver)

# 2. declared functions exported by the binary
hdr = open(HEADER).read()
hdr = re.sub(r"/\*.*?\*/", "", hdr, flags=re.S)
hdr = re.sub(r"(?m)^\s*#.*$", "", hdr)
hdr = re.sub(r"\{[^{}]*\}", "{}", hdr)  # struct and enum bodies
declared = set()
for stmt in hdr.split(";"):
    s = " ".join(stmt.split())
    if s.startswith(("typedef", "enum")) or "{" in s or "(" not in s:
        continue
    mm = re.search(r"(\w+)\s*\(", s)
    if mm:
        declared.add(mm.group(1))
exported = nm(BARESIP, True)
check("baresip_abi.h declares functions", len(declared) >= 5, " ".join(sorted(declared)))
missing = sorted(declared - exported)
check("every function baresip_abi.h declares is exported by %s" % BARESIP, not missing, "missing: %s" % missing)

# 3. every undefined symbol of the module is provided
ldd = subprocess.run(["ldd", BARESIP], capture_output=True, text=True).stdout
libre = re.search(r"libre\.so\.\d+ => (\S+)", ldd)
check("baresip links libre", libre is not None)
provided = {"baresip": exported}
if libre:
    provided["libre"] = nm(libre.group(1), True)
mod_undef = nm(MODULE, False)
weak_ok = {"_ITM_deregisterTMCloneTable", "_ITM_registerTMCloneTable", "__gmon_start__", "__cxa_finalize"}
unresolved, where = [], {}
for sym in sorted(mod_undef):
    base = strip_ver(sym)
    if base in weak_ok:
        continue
    if "@PHONESEC_1." in sym:
        where[base] = "libphonesec"
        continue
    if "@GLIBC_" in sym:
        where[base] = "libc"
        continue
    src = [k for k, v in provided.items() if base in v]
    if src:
        where[base] = src[0]
    else:
        unresolved.append(base)
check("every symbol phonesec.so needs is exported by baresip, libre, libphonesec or libc", not unresolved,
      "unresolved: %s" % unresolved)
from_baresip = sorted(k for k, v in where.items() if v == "baresip")
check("what phonesec.so takes from the baresip binary is what baresip_abi.h declares",
      set(from_baresip) <= declared, "from baresip: %s" % from_baresip)
print("  from baresip: " + " ".join(from_baresip))
print("  from libre:   " + " ".join(sorted(k for k, v in where.items() if v == "libre")))
print("  from libphonesec: " + " ".join(sorted(k for k, v in where.items() if v == "libphonesec")))

# 4. libre headers vs runtime
pc = subprocess.run(["pkg-config", "--modversion", "libre"], capture_output=True, text=True)
dq = subprocess.run(["dpkg-query", "-W", "-f", "${Version}", "libre0"], capture_output=True, text=True)
if pc.returncode == 0 and dq.returncode == 0 and dq.stdout:
    check("libre-dev headers match the libre baresip runs on", dq.stdout.startswith(pc.stdout.strip()),
          "libre-dev %s, libre0 %s" % (pc.stdout.strip(), dq.stdout))
else:
    print("  (libre versions not comparable here: no pkg-config or dpkg)")

if FAIL:
    print("%d check(s) failed" % len(FAIL)); sys.exit(1)
print("baresip ABI check passed")

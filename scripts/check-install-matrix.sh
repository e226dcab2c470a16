#!/bin/sh
# The install check (scripts/check-install.sh) for every meson option that
# changes the installed files: the default build is checked by test.sh itself;
# here -Dlegacy_rc4=false and the smallest useful module set (what a phone
# that only needs SIP-TLS and SDES-SRTP builds). Library, headers, pkg-config
# file and tool only (-Dtests=false). Last, a build without the tls module
# (-Dmodules=ciphers,mediasec) with its tests: the tests, the tool and the
# fuzz targets follow the selection, and its unit suite passes.
# usage: check-install-matrix.sh OUTDIR
set -eu
cd "$(dirname "$0")/.."
out=$1
status=0
mkdir -p "$out"
for combo in "no-rc4:-Dlegacy_rc4=false" "minimal:-Dmodules=tls,sdes"; do
  name=${combo%%:*} opts=${combo#*:}
  b="$out/install-$name"
  rm -rf "$b"
  echo "check-install-matrix: $name ($opts)"
  if meson setup "$b" -Dtests=false -Dbenchmarks=false -Dwerror=true $opts >"$b.log" 2>&1 &&
     ninja -C "$b" >>"$b.log" 2>&1 && sh scripts/check-install.sh "$b" "$b-stage" >>"$b.log" 2>&1; then
    echo "  OK: $(sed -n 's/^\/\* The modules this build has (meson -Dmodules): //p' "$b/include/phonesec.h" | sed 's/ \*\///')"
  else
    echo "  FAILED ($b.log):"; tail -20 "$b.log"; status=1
  fi
done
b="$out/no-tls"
rm -rf "$b"
echo "check-install-matrix: no-tls (-Dmodules=ciphers,mediasec, with its unit tests)"
if meson setup "$b" -Dbenchmarks=false -Dwerror=true -Dmodules=ciphers,mediasec >"$b.log" 2>&1 &&
   ninja -C "$b" >>"$b.log" 2>&1 && meson test -C "$b" --suite unit --num-processes 2 >>"$b.log" 2>&1 &&
   sh scripts/check-install.sh "$b" "$b-stage" >>"$b.log" 2>&1; then
  echo "  OK: unit suite and install of a build without tls"
else
  echo "  FAILED ($b.log):"; tail -20 "$b.log"; status=1
fi
exit $status

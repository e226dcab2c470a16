#!/bin/sh
# The Doxygen reference of the public headers builds without a single
# warning (every function, parameter, return code, macro and field
# documented). usage: check-doxygen.sh DOXYFILE
# Exit 77 (skip) without doxygen.
set -eu
command -v doxygen > /dev/null || { echo "skip: no doxygen"; exit 77; }
w=$(mktemp -d)
trap 'rm -rf "$w"' EXIT
# the project's Doxyfile, written to a scratch directory, warnings to a file
{ cat "$1"; printf 'OUTPUT_DIRECTORY = %s\nQUIET = YES\nWARN_LOGFILE = %s/warnings\nGENERATE_HTML = YES\n' "$w" "$w"; } \
  > "$w/Doxyfile"
doxygen "$w/Doxyfile" > "$w/out" 2>&1 || { cat "$w/out"; echo "doxygen failed"; exit 1; }
[ -f "$w/html/index.html" ] || { echo "doxygen wrote no html/index.html"; exit 1; }
n=$(grep -c 'warning:' "$w/warnings" || true)
if [ "$n" -ne 0 ]; then
  cat "$w/warnings"
  echo "doxygen: $n warnings"
  exit 1
fi
echo "doxygen: 0 warnings ($(find "$w/html" -name '*.html' | wc -l) pages)"

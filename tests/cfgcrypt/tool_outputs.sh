#!/bin/sh
# phonesec config: what it writes and what it refuses (issue 10, findings
# 14-18; issue 14, secrets from descriptors and standard input).
# - work an unauthenticated header asks for is bounded, the message names
#   the option that raises the limit;
# - no file the run reads or writes is overwritten under another name;
# - devices, FIFOs, /dev/std*, /dev/fd/N are written in place, a symlinked
#   OUT is refused;
# - standard output or input redirected to IN/OUT is refused;
# - no temporary file survives SIGINT, SIGTERM, SIGHUP or a file size limit.
# Every check runs the real tool; none needs a timing assertion (timeouts
# only stop the old tool when it loops or runs a huge KDF).
set -u
TOOL=${PHONESEC_TOOL:?}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fails=0
n=0
ok() { n=$((n + 1)); }
bad() { echo "FAIL: $*"; fails=$((fails + 1)); }
has() { grep -q -- "$2" "$1" || { echo "  (stderr: $(cat "$1"))"; return 1; }; }
cd "$T" || exit 1

printf 'right password\n' > pw
printf 'configuration line 1\nsecret = 42\n' > plain
printf 'yqdlZ-tYemfogSmv7Ws5PQ\n' > ikm
mkdir w

# patch FILE OFFSET BYTE...: overwrite bytes at OFFSET (decimal values)
patch() {
    f=$1 off=$2
    shift 2
    for b in "$@"; do
        printf "\\$(printf '%03o' "$b")" | dd of="$f" bs=1 seek="$off" conv=notrunc 2>/dev/null
        off=$((off + 1))
    done
}

# ---- finding 14: work and memory chosen by an unauthenticated header ----
"$TOOL" config encrypt --format psec --password-file pw --iter 2000 plain p.psec || bad "psec encrypt"
cp p.psec big-iter.psec
patch big-iter.psec 27 0 76 75 64   # 5,000,000 iterations (main ran them, then "wrong key")
timeout 120 "$TOOL" config decrypt --format psec --password-file pw big-iter.psec w/out 2> err
rc=$?
if [ $rc -eq 1 ] && has err "max_kdf_iter" && has err "\-\-max-kdf-iter" && [ ! -e w/out ]; then ok
else bad "psec header asking for 5,000,000 PBKDF2 iterations (rc $rc)"; fi
"$TOOL" config decrypt --format psec --password-file pw --max-kdf-iter 1999 p.psec w/out 2> err
rc=$?
if [ $rc -eq 1 ] && has err "max_kdf_iter = 1999"; then ok; else bad "--max-kdf-iter 1999 (rc $rc)"; fi
if "$TOOL" config decrypt --format psec --password-file pw --max-kdf-iter 2000 p.psec w/out && cmp -s w/out plain; then ok
else bad "--max-kdf-iter 2000 reads a 2000-iteration file"; fi
rm -f w/out
"$TOOL" config encrypt --format psec --password-file pw --scrypt plain s.psec 2> err || bad "psec scrypt encrypt: $(cat err)"
cp s.psec big-mem.psec
patch big-mem.psec 27 18 8 1        # N = 2^18, r = 8: 256 MiB (main allocated and ran it)
timeout 120 "$TOOL" config decrypt --format psec --password-file pw big-mem.psec w/out 2> err
rc=$?
if [ $rc -eq 1 ] && has err "max_kdf_mem" && has err "\-\-max-kdf-mem"; then ok; else bad "scrypt 256 MiB header (rc $rc)"; fi
cp s.psec r16.psec
patch r16.psec 27 10 16 1           # r = 16: inside the old documented range, wolfCrypt refuses it
"$TOOL" config decrypt --format psec --password-file pw r16.psec w/out 2> err
rc=$?
if [ $rc -eq 1 ] && has err "above 8" && ! grep -q "key derivation failed" err; then ok
else bad "scrypt r 16 header is not a backend error (rc $rc)"; fi
cp s.psec r1.psec
patch r1.psec 27 16 1 1             # N = 2^16 with r = 1: RFC 7914 needs N < 2^(16 r)
"$TOOL" config decrypt --format psec --password-file pw r1.psec w/out 2> err
rc=$?
if [ $rc -eq 1 ] && has err "RFC 7914"; then ok; else bad "scrypt N >= 2^(16 r) header (rc $rc)"; fi
if "$TOOL" config decrypt --format psec --password-file pw --max-kdf-mem 16M s.psec w/out 2> err; then
    bad "--max-kdf-mem 16M accepted a 32 MiB scrypt"; else has err "max_kdf_mem" && ok || bad "--max-kdf-mem 16M message"; fi
if "$TOOL" config decrypt --format psec --password-file pw --max-kdf-mem 32M s.psec w/out && cmp -s w/out plain; then ok
else bad "--max-kdf-mem 32M"; fi
rm -f w/out
# rfc8188 record size (memory per record)
if "$TOOL" config encrypt --format rfc8188 --ikm-file ikm --record-size 100000 plain big-rs.enc 2> err; then
    bad "encrypt with records above the default limit"; else has err "\-\-max-record-size" && ok || bad "record size limit message"; fi
"$TOOL" config encrypt --format rfc8188 --ikm-file ikm --record-size 100000 --max-record-size 100000 plain big-rs.enc ||
    bad "encrypt with --max-record-size"
"$TOOL" config decrypt --format rfc8188 --ikm-file ikm big-rs.enc w/out 2> err
rc=$?
if [ $rc -eq 1 ] && has err "max_record_size" && has err "\-\-max-record-size"; then ok; else bad "rs 100000 header (rc $rc)"; fi
if "$TOOL" config decrypt --format rfc8188 --ikm-file ikm --max-record-size 100K big-rs.enc w/out && cmp -s w/out plain; then ok
else bad "--max-record-size 100K"; fi
rm -f w/out
# openssl -iter: the same limit
"$TOOL" config decrypt --format openssl --pbkdf2 --iter 2000000 --password-file pw p.psec w/out 2> err
rc=$?
if [ $rc -eq 1 ] && has err "\-\-max-kdf-iter"; then ok; else bad "openssl --iter 2000000 (rc $rc)"; fi

# ---- finding 15: a file written over another one the run uses ----
printf 'ljB7jiDIQQ7XD888' > yk
head -c 16 /dev/urandom > common
printf 'yealink config, 32 bytes long!!\n' > yplain   # no padding: decrypts to itself
for dup in ./y.enc sub/../y.enc "$T/y.enc"; do
    mkdir -p sub
    rm -f y.enc
    "$TOOL" config encrypt --format yealink --key-file yk --security-enc "$dup" --common-key-file common plain y.enc 2> err
    rc=$?
    if [ $rc -eq 2 ] && has err "same file" && [ ! -e y.enc ]; then ok
    else bad "OUT y.enc with --security-enc $dup (rc $rc, y.enc $(wc -c < y.enc 2>/dev/null) bytes)"; fi
done
cp pw pw.keep
"$TOOL" config encrypt --format openssl --password-file pw plain ./pw 2> err
rc=$?
if [ $rc -eq 2 ] && cmp -s pw pw.keep; then ok; else bad "OUT is the password file (rc $rc)"; fi
cp pw.keep pw
"$TOOL" config encrypt --format rfc8188 --ikm-file ikm plain sub/../ikm 2> err
rc=$?
if [ $rc -eq 2 ] && [ "$(cat ikm)" = "yqdlZ-tYemfogSmv7Ws5PQ" ]; then ok; else bad "OUT is the ikm file (rc $rc)"; fi
printf 'yqdlZ-tYemfogSmv7Ws5PQ\n' > ikm
# the wrapped key appears only with its configuration: a failed run leaves neither
rm -f y.enc y_Security.enc
printf 'tooshortkey' > badyk
"$TOOL" config encrypt --format yealink --key-file badyk --security-enc y_Security.enc --common-key-file common plain y.enc 2>/dev/null
if [ ! -e y.enc ] && [ ! -e y_Security.enc ] && [ -z "$(ls -A | grep tmp)" ]; then ok; else bad "failed yealink run left files"; fi
if "$TOOL" config encrypt --format yealink --key-file yk --security-enc y_Security.enc --common-key-file common yplain y.enc &&
    [ "$(wc -c < y_Security.enc)" -eq 16 ] &&
    "$TOOL" config decrypt --format yealink --security-enc y_Security.enc --common-key-file common y.enc - | cmp -s - yplain; then ok
else bad "yealink with its key file"; fi

# ---- finding 16: what OUT is ----
printf 'old' > w/target
ln -s target w/link
"$TOOL" config encrypt --format psec --password-file pw --iter 1000 plain w/link 2> err
rc=$?
if [ $rc -eq 1 ] && has err "symbolic link" && [ -L w/link ] && [ "$(cat w/target)" = "old" ]; then ok
else bad "symlinked OUT (rc $rc)"; fi
rm -f w/link w/target
mkfifo w/fifo
timeout 20 cat w/fifo > fifo.out &   # the old tool never opened the FIFO
reader=$!
"$TOOL" config encrypt --format psec --password-file pw --iter 1000 plain w/fifo 2> err
rc=$?
wait $reader
if [ $rc -eq 0 ] && [ -p w/fifo ] && "$TOOL" config decrypt --format psec --password-file pw fifo.out - | cmp -s - plain; then ok
else bad "FIFO OUT written in place (rc $rc, fifo: $(ls -l w/fifo))"; fi
rm -f w/fifo
if "$TOOL" config encrypt --format psec --password-file pw --iter 1000 plain /dev/fd/1 > fd.out && [ -s fd.out ]; then ok
else bad "/dev/fd/1"; fi
if [ "$(id -u)" -eq 0 ]; then
    mknod w/null c 1 3
    "$TOOL" config encrypt --format psec --password-file pw --iter 1000 plain w/null
    if [ -c w/null ]; then ok; else bad "character device OUT replaced by a file"; fi
    rm -f w/null
    # /dev/stdout as root, in a private /dev (main replaced the node with the plaintext)
    if unshare -m true 2>/dev/null; then
        unshare -m sh -c '
            mount -t tmpfs none /dev && mknod /dev/null c 1 3 && ln -s /proc/self/fd /dev/fd &&
            ln -s /proc/self/fd/1 /dev/stdout || exit 3
            "$0" config decrypt --format psec --password-file pw p.psec /dev/stdout > devout.txt
            [ -L /dev/stdout ] && exit 0
            echo "/dev/stdout is now: $(ls -l /dev/stdout)"; exit 1' "$TOOL" 2> err
        rc=$?
        if [ $rc -eq 0 ] && cmp -s devout.txt plain; then ok
        elif [ $rc -eq 3 ]; then echo "skip: no private /dev"
        else bad "/dev/stdout as root (rc $rc): $(cat err)"; fi
    else
        echo "skip: unshare -m not available"
    fi
else
    echo "skip: not root (character device and /dev/stdout checks)"
fi

# ---- finding 17: standard output or input is the other file ----
cp p.psec w/in
sum=$(cksum < w/in)
timeout 20 "$TOOL" config decrypt --format psec --password-file pw w/in - 1<> w/in 2> err
rc=$?
if [ $rc -eq 1 ] && has err "same file" && [ "$(cksum < w/in)" = "$sum" ]; then ok; else bad "OUT - with 1<>IN (rc $rc)"; fi
cp plain w/in
sum=$(cksum < w/in)
timeout 20 "$TOOL" config encrypt --format psec --password-file pw --iter 1000 w/in - >> w/in 2> err
rc=$?
if [ $rc -eq 1 ] && has err "same file" && [ "$(cksum < w/in)" = "$sum" ]; then ok; else bad "OUT - with >> IN (rc $rc, IN now $(wc -c < w/in) bytes)"; fi
cp plain w/in
# (safe with an old tool too: it saw /dev/stdout as IN through stat() and refused)
timeout 20 "$TOOL" config encrypt --format psec --password-file pw --iter 1000 w/in /dev/stdout >> w/in 2> err
rc=$?
if [ $rc -eq 1 ] && [ "$(cksum < w/in)" = "$sum" ]; then ok; else bad "OUT /dev/stdout with >> IN (rc $rc)"; fi
cp p.psec w/out
sum=$(cksum < w/out)
timeout 20 "$TOOL" config decrypt --format psec --password-file pw - w/out < w/out 2> err
rc=$?
if [ $rc -eq 1 ] && has err "same file" && [ "$(cksum < w/out)" = "$sum" ]; then ok; else bad "IN - with < OUT (rc $rc)"; fi
rm -f w/in w/out

# ---- finding 18: no temporary file after a signal or a file size limit ----
head -c 200000 /dev/urandom > chunk
for sig in INT TERM HUP; do
    rm -rf s && mkdir s && mkfifo s/in
    # the shell starts background jobs with SIGINT ignored: give it back
    env --default-signal=INT,TERM,HUP "$TOOL" config encrypt --format psec --password-file pw --iter 1000 s/in s/out 2>/dev/null &
    pid=$!
    exec 3> s/in
    cat chunk >&3
    i=0   # wait for a named temporary file if there is one (there is none with O_TMPFILE)
    while [ $i -lt 20 ] && ! ls -A s | grep -q tmp; do sleep 0.1; i=$((i + 1)); done
    kill -s "$sig" $pid
    wait $pid
    rc=$?
    exec 3>&-
    left=$(ls -A s | grep -v '^in$')
    if [ $rc -gt 128 ] && [ -z "$left" ]; then ok; else bad "SIG$sig: rc $rc, left: $left"; fi
done
rm -rf s && mkdir s
head -c 3000000 /dev/urandom > s/in
(ulimit -f 200; exec "$TOOL" config encrypt --format psec --password-file pw --iter 1000 s/in s/out) 2> err
rc=$?
left=$(ls -A s | grep -v '^in$')
if [ $rc -eq 1 ] && has err "file size limit" && [ -z "$left" ]; then ok; else bad "SIGXFSZ: rc $rc, left: $left"; fi

# ---- issue 14: secrets from a descriptor or standard input ----
if "$TOOL" config decrypt --format psec --password-fd 3 p.psec - 3< pw | cmp -s - plain; then ok; else bad "--password-fd"; fi
if "$TOOL" config decrypt --format psec --password-file - p.psec - < pw | cmp -s - plain; then ok; else bad "--password-file -"; fi
# the descriptor is read to the end of the first line only, as openssl -pass fd: does
if { cat pw; printf 'rest\n'; } | "$TOOL" config decrypt --format psec --password-fd 0 p.psec - | cmp -s - plain; then ok
else bad "--password-fd 0 with more lines"; fi
"$TOOL" config decrypt --format psec --password-file - - w/out < pw 2> err
rc=$?
if [ $rc -eq 2 ] && has err "standard input"; then ok; else bad "IN and the password both on standard input (rc $rc)"; fi
"$TOOL" config decrypt --format psec --password-fd 9 p.psec w/out 2> err
rc=$?
if [ $rc -eq 1 ] && has err "descriptor 9"; then ok; else bad "closed descriptor (rc $rc)"; fi
"$TOOL" config encrypt --format rfc8188 --ikm-fd 4 plain r.enc 4< ikm || bad "--ikm-fd"
if "$TOOL" config decrypt --format rfc8188 --ikm-file - r.enc - < ikm | cmp -s - plain; then ok; else bad "--ikm-file -"; fi
if "$TOOL" config encrypt --format yealink --key-fd 5 --security-enc y2_Security.enc --common-key-fd 6 yplain y2.enc 5< yk 6< common &&
    "$TOOL" config decrypt --format yealink --security-enc y2_Security.enc --common-key-file - y2.enc - < common | cmp -s - yplain; then ok
else bad "--key-fd / --common-key-fd"; fi
rm -f w/out

echo "$n checks passed, $fails failed"
[ "$fails" -eq 0 ]

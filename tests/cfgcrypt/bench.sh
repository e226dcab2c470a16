#!/bin/sh
# cfgcrypt benchmark: encrypt and decrypt a 64 MB file with `phonesec config`
# and with `openssl enc` for the same format, in one run. Prints MB/s of both,
# the ratio (ours / openssl), and peak RSS of both (/usr/bin/time maxRSS),
# with the RSS of the same command on an empty file as the baseline.
set -eu
TOOL=${PHONESEC_TOOL:?}
TIME=/usr/bin/time
[ -x $TIME ] || { echo "needs /usr/bin/time"; exit 77; }
MB=${CFG_BENCH_MB:-64}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
head -c $((MB * 1024 * 1024)) /dev/urandom > "$T/plain"
: > "$T/empty"
printf 'benchmark password\n' > "$T/pw"
printf 'ljB7jiDIQQ7XD888' > "$T/yk"
printf 'yqdlZ-tYemfogSmv7Ws5PQ' > "$T/ikm"
YHEX=$(printf 'ljB7jiDIQQ7XD888' | od -An -tx1 | tr -d ' \n')

# run LABEL CMD... : best wall time of 3 runs (s) and max RSS (kB) -> "$secs $rss"
run() {
    best="" rss=0
    for i in 1 2 3; do
        rm -f "$T/out"
        $TIME -f "%e %M" -o "$T/tm" "$@" > /dev/null 2> "$T/err" || { cat "$T/err"; echo "FAILED: $*"; exit 1; }
        set -- "$@"
        s=$(cut -d' ' -f1 < "$T/tm") m=$(cut -d' ' -f2 < "$T/tm")
        [ "$m" -gt "$rss" ] && rss=$m
        if [ -z "$best" ] || [ "$(echo "$s < $best" | bc)" -eq 1 ]; then best=$s; fi
    done
    echo "$best $rss"
}
mbps() { echo "scale=1; $MB / ($1 + 0.005)" | bc; }

printf '%-34s %9s %9s %7s %10s %10s %10s %10s\n' "$MB MB file" "ours MB/s" "openssl" "ratio" "ours RSS" "(empty)" "ossl RSS" "(empty)"
line() { # LABEL OURS_IN OURS_ARGS... -- OSSL_ARGS...
    label=$1
    shift
    ours="" ossl=""
    while [ "$1" != "--" ]; do ours="$ours $1"; shift; done
    shift
    ossl="$*"
    # shellcheck disable=SC2086
    r1=$(run $TOOL config $ours "$T/out")
    # shellcheck disable=SC2086
    r0=$(run $TOOL config $(echo $ours | sed "s#$T/in[a-z.]*#$T/empty_in#") "$T/out")
    if [ -n "$ossl" ]; then
        # shellcheck disable=SC2086
        r2=$(run openssl $ossl -out "$T/out")
        # shellcheck disable=SC2086
        r3=$(run openssl $(echo $ossl | sed "s#$T/in[a-z.]*#$T/empty_in#") -out "$T/out")
    else
        r2="0 0" r3="0 0"
    fi
    s1=${r1% *} m1=${r1#* } s2=${r2% *} m2=${r2#* } m0=${r0#* } m3=${r3#* }
    o=$(mbps "$s1")
    if [ -n "$ossl" ]; then t=$(mbps "$s2"); ratio=$(echo "scale=2; $o / $t" | bc); else t="-" ratio="-"; fi
    printf '%-34s %9s %9s %7s %8skB %8skB %8skB %8skB\n' "$label" "$o" "$t" "$ratio" "$m1" "$m0" "$m2" "$m3"
}

cp "$T/plain" "$T/in"
# encryption inputs: plaintext; the empty-file baseline uses an empty plaintext
cp "$T/empty" "$T/empty_in"
line "openssl enc (sha256) encrypt" encrypt --format openssl --password-file "$T/pw" "$T/in" -- \
    enc -aes-256-cbc -md sha256 -pass "file:$T/pw" -in "$T/in"
line "yealink (AES-128-ECB) encrypt" encrypt --format yealink --key-file "$T/yk" "$T/in" -- \
    enc -aes-128-ecb -K "$YHEX" -in "$T/in"
line "rfc8188 (rs 4096) encrypt" encrypt --format rfc8188 --ikm-file "$T/ikm" "$T/in" --
line "psec (rs 65536) encrypt" encrypt --format psec --password-file "$T/pw" --iter 1000 --record-size 65536 "$T/in" --

# decryption inputs made by openssl (the same file for both sides)
openssl enc -aes-256-cbc -md sha256 -pass "file:$T/pw" -in "$T/plain" -out "$T/in.ossl"
openssl enc -aes-256-cbc -md sha256 -pass "file:$T/pw" -in "$T/empty" -out "$T/empty_in"
cp "$T/in.ossl" "$T/in"
line "openssl enc (sha256) decrypt" decrypt --format openssl --password-file "$T/pw" "$T/in" -- \
    enc -d -aes-256-cbc -md sha256 -pass "file:$T/pw" -in "$T/in"
openssl enc -aes-128-ecb -K "$YHEX" -in "$T/plain" -out "$T/in"
openssl enc -aes-128-ecb -K "$YHEX" -in "$T/empty" -out "$T/empty_in"
line "yealink (AES-128-ECB) decrypt" decrypt --format yealink --key-file "$T/yk" "$T/in" -- \
    enc -d -aes-128-ecb -K "$YHEX" -in "$T/in"
$TOOL config encrypt --format rfc8188 --ikm-file "$T/ikm" "$T/plain" "$T/in"
$TOOL config encrypt --format rfc8188 --ikm-file "$T/ikm" "$T/empty" "$T/empty_in"
line "rfc8188 (rs 4096) decrypt" decrypt --format rfc8188 --ikm-file "$T/ikm" "$T/in" --
echo "ratio = ours/openssl MB/s (best of 3 wall-clock runs, including process start and file I/O)."
echo "RSS: peak resident set of the 64 MB run, then of the same command on an empty file (baseline)."
echo "openssl enc has no AEAD/aes128gcm mode: rfc8188 and psec have no openssl anchor."
echo "Our OUT is a temporary file that is fsync'ed and renamed; openssl writes OUT directly."

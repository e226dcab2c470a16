#!/bin/sh
# Known answers from an independent implementation, made here by the openssl
# CLI: openssl encrypts / phonesec decrypts, and phonesec encrypts / openssl
# decrypts, for every key derivation, with and without base64 armour, sizes
# 0, 1, 15, 16, 17 bytes and 3 MB. Also Yealink ECB against openssl -K.
set -eu
TOOL=${PHONESEC_TOOL:?}
command -v openssl >/dev/null || { echo "openssl CLI missing"; exit 77; }
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fails=0
n=0
ok() { n=$((n + 1)); }
bad() { echo "FAIL: $*"; fails=$((fails + 1)); }

printf 'pass phrase with spaces\nsecond line is ignored\n' > "$T/pw"
for s in 0 1 15 16 17; do head -c $s /dev/urandom > "$T/p$s"; done
head -c 3145728 /dev/urandom > "$T/p3M"

for kdf in md5 sha256 pbkdf2 pbkdf2-iter; do
    case $kdf in
        md5) o="-md md5"; t="--md md5" ;;
        sha256) o="-md sha256"; t="--md sha256" ;;
        pbkdf2) o="-pbkdf2"; t="--pbkdf2" ;;
        pbkdf2-iter) o="-pbkdf2 -iter 2345"; t="--pbkdf2 --iter 2345" ;;
    esac
    for a in "" "-a"; do
        ta=""; [ -n "$a" ] && ta="--base64"
        for s in 0 1 15 16 17 3M; do
            tag="$kdf $a size $s"
            rm -f "$T/c" "$T/d" "$T/c2" "$T/d2"
            # shellcheck disable=SC2086
            openssl enc -aes-256-cbc $o $a -pass "file:$T/pw" -in "$T/p$s" -out "$T/c" 2>/dev/null
            # shellcheck disable=SC2086
            if "$TOOL" config decrypt --format openssl $t $ta --password-file "$T/pw" "$T/c" "$T/d" &&
                cmp -s "$T/p$s" "$T/d"; then ok; else bad "openssl->phonesec $tag"; fi
            # shellcheck disable=SC2086
            if "$TOOL" config encrypt --format openssl $t $ta --password-file "$T/pw" "$T/p$s" "$T/c2" &&
                openssl enc -d -aes-256-cbc $o $a -pass "file:$T/pw" -in "$T/c2" -out "$T/d2" 2>/dev/null &&
                cmp -s "$T/p$s" "$T/d2"; then ok; else bad "phonesec->openssl $tag"; fi
            # the header is always written, the armour is line-for-line what openssl writes
            if [ -n "$a" ]; then
                if awk 'length($0) > 64 { exit 1 }' "$T/c2" && [ "$(head -c 10 "$T/c2")" = "U2FsdGVkX1" ]; then ok
                else bad "armour layout $tag"; fi
            elif [ "$(head -c 8 "$T/c2")" = "Salted__" ]; then ok; else bad "header $tag"; fi
        done
    done
done
# Same salt, same bytes: our output is "Salted__" + salt + what openssl -S
# gives (OpenSSL 3 leaves the header out with -S), and our armour is exactly
# how openssl base64 lays those bytes out (64-character lines).
"$TOOL" config encrypt --format openssl --base64 --password-file "$T/pw" "$T/p3M" "$T/ours.b64"
openssl base64 -d -in "$T/ours.b64" -out "$T/ours.bin"
salt=$(head -c 16 "$T/ours.bin" | tail -c 8 | od -An -tx1 | tr -d ' \n')
openssl enc -aes-256-cbc -md sha256 -S "$salt" -pass "file:$T/pw" -in "$T/p3M" -out "$T/theirs.bin"
if tail -c +17 "$T/ours.bin" | cmp -s - "$T/theirs.bin"; then ok; else bad "ciphertext differs from openssl -S"; fi
openssl base64 -in "$T/ours.bin" -out "$T/relaid.b64"
if cmp -s "$T/ours.b64" "$T/relaid.b64"; then ok; else bad "base64 armour layout differs from openssl"; fi

# Yealink: AES-ECB under the key's ASCII bytes (openssl -K takes them in hex)
for key in ljB7jiDIQQ7XD888 0123456789abcdefghijklmnopqrstuv; do
    hex=$(printf %s "$key" | od -An -tx1 | tr -d ' \n')
    bits=$(( ${#key} * 8 ))
    printf %s "$key" > "$T/yk"
    for s in 0 1 15 16 17 3M; do
        rm -f "$T/c" "$T/d" "$T/c2" "$T/d2"
        # openssl pads PKCS#7: phonesec removes it
        openssl enc -aes-$bits-ecb -K "$hex" -in "$T/p$s" -out "$T/c"
        if "$TOOL" config decrypt --format yealink --key-file "$T/yk" "$T/c" "$T/d" && cmp -s "$T/p$s" "$T/d"; then ok
        else bad "yealink openssl->phonesec $bits size $s"; fi
        # phonesec pads with spaces like the vendor tool: openssl -nopad shows them
        "$TOOL" config encrypt --format yealink --key-file "$T/yk" "$T/p$s" "$T/c2"
        openssl enc -d -aes-$bits-ecb -nopad -K "$hex" -in "$T/c2" -out "$T/d2"
        len=$(wc -c < "$T/p$s")
        pad=$(( (16 - len % 16) % 16 ))
        if cmp -s "$T/p$s" "$T/d2" 2>/dev/null || { head -c "$len" "$T/d2" | cmp -s - "$T/p$s" &&
            [ "$(tail -c "$pad" "$T/d2" | tr -d ' ' | wc -c)" -eq 0 ] && [ "$(wc -c < "$T/d2")" -eq $((len + pad)) ]; }; then ok
        else bad "yealink phonesec->openssl $bits size $s"; fi
    done
done

# Password files read byte for byte as `openssl enc -pass file:` reads them
# (issue 14): the first line without its '\n' only, so a CRLF file's '\r' is
# part of the password (with a warning from us); at most 1023 bytes; up to a
# NUL byte. Both directions, against the openssl CLI.
printf 'crlf password\r\nsecond\r\n' > "$T/pw-crlf"
printf 'no newline at all' > "$T/pw-nonl"
printf 'nul\000after\n' > "$T/pw-nul"
awk 'BEGIN { for (i = 0; i < 1500; i++) printf "a"; printf "\n" }' > "$T/pw-long"
for f in pw-crlf pw-nonl pw-nul pw-long; do
    rm -f "$T/c" "$T/d" "$T/c2" "$T/d2"
    openssl enc -aes-256-cbc -pbkdf2 -pass "file:$T/$f" -in "$T/p17" -out "$T/c" 2>/dev/null
    if "$TOOL" config decrypt --format openssl --pbkdf2 --password-file "$T/$f" "$T/c" "$T/d" 2> "$T/err" &&
        cmp -s "$T/p17" "$T/d"; then ok; else bad "password file $f: openssl->phonesec: $(cat "$T/err")"; fi
    if "$TOOL" config encrypt --format openssl --pbkdf2 --password-file "$T/$f" "$T/p17" "$T/c2" 2>/dev/null &&
        openssl enc -d -aes-256-cbc -pbkdf2 -pass "file:$T/$f" -in "$T/c2" -out "$T/d2" 2>/dev/null &&
        cmp -s "$T/p17" "$T/d2"; then ok; else bad "password file $f: phonesec->openssl"; fi
    case $f in
        pw-crlf) grep -q "carriage return" "$T/err" && ok || bad "no warning on a trailing CR" ;;
        pw-long) grep -q "longer than 1023" "$T/err" && ok || bad "no warning on a long line" ;;
        pw-nul) grep -q "NUL" "$T/err" && ok || bad "no warning on a NUL byte" ;;
    esac
done
# the same through a descriptor (openssl -pass fd:N)
openssl enc -aes-256-cbc -pbkdf2 -pass fd:3 -in "$T/p17" -out "$T/c" 3< "$T/pw-crlf" 2>/dev/null
if "$TOOL" config decrypt --format openssl --pbkdf2 --password-fd 3 "$T/c" - 3< "$T/pw-crlf" 2>/dev/null |
    cmp -s - "$T/p17"; then ok; else bad "password descriptor: openssl -pass fd: -> phonesec --password-fd"; fi
# an empty file is refused, as openssl refuses it
: > "$T/pw-empty"
if "$TOOL" config encrypt --format openssl --password-file "$T/pw-empty" "$T/p17" "$T/c2" 2>/dev/null; then
    bad "empty password file accepted"; else ok; fi
echo "$n checks passed, $fails failed"
[ "$fails" -eq 0 ]

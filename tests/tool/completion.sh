#!/bin/bash
# The bash completion (completion/phonesec, issue 14) against the real tool:
# commands, subcommands, each subcommand's options, option values. Runs in a
# plain non-interactive bash (no bash-completion package needed).
set -u
SRC=${PHONESEC_SRCDIR:?}
T=${PHONESEC_TOOL:?}
# shellcheck disable=SC1091
source "$SRC/completion/phonesec" || { echo "cannot source the completion"; exit 1; }
fails=0; n=0
comp() { # expected-words... -- words of the command line (the last is completed)
    local want=() got
    while [ "$1" != "--" ]; do want+=("$1"); shift; done; shift
    COMP_WORDS=("$T" "$@"); COMP_CWORD=$(( ${#COMP_WORDS[@]} - 1 ))
    _phonesec
    got=$(printf '%s\n' "${COMPREPLY[@]}" | sort | tr '\n' ' ')
    n=$((n + 1))
    local w
    for w in "${want[@]}"; do
        if ! printf '%s\n' "${COMPREPLY[@]}" | grep -qx -- "$w"; then
            echo "FAIL: '$*' does not offer '$w' (got: $got)"; fails=$((fails + 1)); return
        fi
    done
}
none() { # words... : the completion offers nothing of the given prefix kind
    COMP_WORDS=("$T" "$@"); COMP_CWORD=$(( ${#COMP_WORDS[@]} - 1 )); _phonesec; n=$((n + 1))
    [ ${#COMPREPLY[@]} -eq 0 ] || { echo "FAIL: '$*' offers ${COMPREPLY[*]}"; fails=$((fails + 1)); }
}
comp tls -- t
comp ciphers config -- c
comp version ciphers tls sdes srtp mediasec -- ""
comp probe serve check-name -- tls ""
comp check-name -- tls ch
comp --ca= --cert= --json --insecure --wait= -- tls probe --
comp --json -- tls check-name --js
comp --require-client-cert --request-client-cert -- tls serve --re
comp --line-file= --line-fd= --json -- sdes check --
comp --policy= --3ge2ae -- sdes answer --
comp --rtcp --roc= --verbose -- srtp protect --
comp --password-file= --format= -- config encrypt --
comp --available --legacy --preset= --json -V -- ciphers -
comp sip https -- tls probe --mode ""
comp 1.2 1.3 -- tls serve --tls-max ""
comp per-mech -- mediasec verify --style p
comp disabled optional mandatory -- sdes answer --policy ""
comp openssl yealink rfc8188 psec -- config decrypt --format ""
comp --json -- version --
none tls probe --nonexistent
# config: the options that only exist to be refused are not offered
COMP_WORDS=("$T" config encrypt --pass); COMP_CWORD=3; _phonesec; n=$((n + 1))
printf '%s\n' "${COMPREPLY[@]}" | grep -qx -e --password= -e --pass= && { echo "FAIL: config offers --password=/--pass="; fails=$((fails + 1)); }
# every option of every table is offered (the tool is the source)
for c in $("$T" --list-options | grep -v '^-'); do
    subs=$("$T" "$c" --list-options | grep -v '^-')
    for s in ${subs:-""}; do
        # shellcheck disable=SC2086
        mapfile -t opts < <("$T" $c $s --list-options | grep -e '^--' | grep -vx -e --password= -e --pass= -e --ikm= \
                            $([ "$c" = config ] && printf "%s" "-e --key="))
        # shellcheck disable=SC2086
        comp "${opts[@]}" -- $c $s --
        mapfile -t opts < <("$T" $c $s --list-options | grep -x -e '-[A-Za-z]')
        # shellcheck disable=SC2086
        [ ${#opts[@]} -gt 0 ] && comp "${opts[@]}" -- $c $s -
    done
done
echo "$n completions checked, $fails failed"
[ $fails -eq 0 ]

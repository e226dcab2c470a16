#!/bin/sh
# Fresh Debian 12 machine -> every test suite, in one command:
#  1. install the Debian packages needed (scripts/install-deps.sh);
#  2. gcc build with -Werror: unit, vectors, headers, abi, fuzz-corpus,
#     interop, oom (the out-of-memory sweep of every module, tests/oom) and
#     threads suites; then install it to a staging directory and build a
#     program against the installed headers, pkg-config file and libraries;
#  3. clang build with -Werror: the unit, vectors and fuzz-corpus suites again
#     under ASan+UBSan;
#  4. the threads suite under ThreadSanitizer (clang; only its two test
#     programs are built);
#  5. the unit suites under valgrind;
#  6. cross builds for armhf and s390x, unit and vector suites under qemu.
#  7. the unit, vectors, tool and interop suites again against the phone
#     wolfSSL profile built from Debian's source (scripts/test-profile.sh,
#     doc/backends.md; its wolfSSL is cached under build/wolfssl-profile;
#     PHONESEC_TEST_PROFILE=0 leaves this step out).
# Prints 'summary: N passed, N failed' last; exit status 0 only if all passed.
set -u
cd "$(dirname "$0")/.."
sh scripts/install-deps.sh || exit 1
top=$(pwd)
out=${PHONESEC_TEST_BUILDDIR:-$top/build-test}
rm -rf "$out"; mkdir -p "$out"
status=0
run() { echo "+ $*"; "$@" || status=1; }

run meson setup "$out/gcc" -Dwerror=true --buildtype=debugoptimized >/dev/null
run ninja -C "$out/gcc"
run meson test -C "$out/gcc" --print-errorlogs --num-processes 2
run sh scripts/check-install.sh "$out/gcc" "$out/stage"
# the same install check for the options that change installed files
run sh scripts/check-install-matrix.sh "$out/matrix"

CC=clang run meson setup "$out/san" -Dwerror=true -Db_sanitize=address,undefined -Db_lundef=false \
    -Dc_args=-fno-sanitize-recover=all -Dc_link_args=-fno-sanitize-recover=all >/dev/null
run ninja -C "$out/san"
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    run meson test -C "$out/san" --print-errorlogs --suite unit --suite vectors --suite fuzz --num-processes 2

# ThreadSanitizer: shared contexts with 2, 8 and 32 threads, configuration
# swaps during handshakes (tests/tls/test_tls_threads.c), one SRTP session per
# thread, threads ending (tests/threads). A race makes the test fail (exit 66).
CC=clang run meson setup "$out/tsan" -Db_sanitize=thread -Db_lundef=false >/dev/null
run ninja -C "$out/tsan" tests/threads/test_threads tests/threads/test_thread_memory tests/tls/test_tls_threads
TSAN_OPTIONS=halt_on_error=0:second_deadlock_stack=1 \
    run meson test -C "$out/tsan" --no-rebuild --print-errorlogs --suite threads --num-processes 2

run meson test -C "$out/gcc" --print-errorlogs --setup valgrind --suite unit --num-processes 2

# Cross builds under qemu-user (scripts/cross-test.sh): armhf (32-bit ARM,
# the phones' CPU class) and s390x (big-endian), unit and vector suites with
# UBSan in trap mode, and the target's size report. Sysroots are kept under
# build/cross between runs.
for arch in armhf s390x; do
  run sh scripts/cross-test.sh $arch "$top/build/cross"
  cp "$top/build/cross/$arch/build/meson-logs/testlog.json" "$out/cross-$arch-testlog.json" 2>/dev/null || true
done

if [ "${PHONESEC_TEST_PROFILE:-1}" = 1 ]; then
  run sh scripts/test-profile.sh "$out/profile"
fi

python3 - "$out" <<'PY' || status=1
import json, sys, glob, os
passed = failed = skipped = 0
logs = glob.glob(os.path.join(sys.argv[1], '*', 'meson-logs', 'testlog*.json'))
logs += glob.glob(os.path.join(sys.argv[1], 'cross-*-testlog.json'))
for log in sorted(logs):
    for line in open(log):
        r = json.loads(line).get('result')
        if r in ('OK', 'EXPECTEDFAIL'): passed += 1
        elif r == 'SKIP': skipped += 1
        else: failed += 1
print(f'summary: {passed} passed, {failed} failed, {skipped} skipped')
sys.exit(1 if failed or passed == 0 else 0)
PY
exit $status

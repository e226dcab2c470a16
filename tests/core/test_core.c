#include <dlfcn.h>
#include <stddef.h>
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>
#include <stdlib.h>
#include <string.h>

#include "support.h"

#include "core/internal.h"

#include <wolfssl/options.h>
#include <wolfssl/ssl.h>

static void version_matches_header(void **state)
{
    (void)state;
    assert_string_equal(phonesec_version(), PHONESEC_VERSION_STRING);
    assert_int_equal(phonesec_version_number(), PHONESEC_VERSION_NUMBER);
    char expect[32];
    snprintf(expect, sizeof expect, "%d.%d.%d", PHONESEC_VERSION_MAJOR, PHONESEC_VERSION_MINOR,
             PHONESEC_VERSION_PATCH);
    assert_string_equal(expect, PHONESEC_VERSION_STRING);
}

static void build_report(void **state)
{
    char buf[2048], small[8];
    size_t n = 0, n2 = 0;
    (void)state;
    assert_int_equal(phonesec_build_report(buf, sizeof buf, &n), PHONESEC_OK);
    assert_int_equal(strlen(buf), n);
    assert_non_null(strstr(buf, "libphonesec " PHONESEC_VERSION_STRING));
    assert_non_null(strstr(buf, phonesec_backend_version(PHONESEC_BACKEND_WOLFSSL, 1)));
    assert_non_null(strstr(buf, phonesec_backend_version(PHONESEC_BACKEND_LIBSRTP, 1)));
    assert_non_null(strstr(buf, "hooks: allocator host"));
    memset(small, 'x', sizeof small);
    assert_int_equal(phonesec_build_report(small, sizeof small, &n2), PHONESEC_E_BUFFER_SMALL);
    assert_int_equal(n2, n);
    assert_int_equal(small[0], 'x');
    assert_int_equal(phonesec_build_report(NULL, 4, &n2), PHONESEC_E_INVAL);
    assert_null(phonesec_backend_version(99, 1));
    assert_true(phonesec_features() != 0 || 1);
}

/* The capabilities phonesec_version_info() reports (from the wolfSSL
 * headers the library was compiled with) agree with what the linked
 * wolfSSL actually has, probed independently: its suite-name table and its
 * exported symbols. Run against Debian's wolfSSL and the phone profile
 * (scripts/test-profile.sh), which differ in most of these bits. */
static int wolf_has_suite(unsigned code)
{
    const char *n = wolfSSL_get_cipher_name_from_suite((unsigned char)(code >> 8), (unsigned char)(code & 0xff));
    return n != NULL && n[0] != '\0' && strcmp(n, "None") != 0;
}

static int wolf_exports(const char *sym)
{
    return dlsym(RTLD_DEFAULT, sym) != NULL;
}

static void version_info(void **state)
{
    phonesec_build_info vi;
    struct {
        phonesec_build_info vi;
        unsigned char pad[16];
    } big;
    unsigned v;
    (void)state;
    assert_int_equal(phonesec_version_info(NULL), PHONESEC_E_INVAL);
    memset(&vi, 0, sizeof vi);
    assert_int_equal(phonesec_version_info(&vi), PHONESEC_E_INVAL); /* version 0 */
    vi.version = PHONESEC_BUILD_INFO_VERSION;
    assert_int_equal(phonesec_version_info(&vi), PHONESEC_OK);
    assert_int_equal(vi.version, PHONESEC_BUILD_INFO_VERSION);
    assert_string_equal(vi.library_version, phonesec_version());
    assert_int_equal(vi.modules, phonesec_features());
    assert_string_equal(vi.backend_name, "wolfSSL");
    assert_string_equal(vi.backend_version, wolfSSL_lib_version());
    assert_string_equal(vi.backend_compiled, LIBWOLFSSL_VERSION_STRING);
    assert_non_null(vi.backend_assembly);
    assert_non_null(vi.srtp_engine);
    assert_non_null(vi.srtp_version);
    print_message("backend caps 0x%x, assembly %s\n", vi.backend_caps, vi.backend_assembly);
    /* suites: TLS_AES_128_GCM_SHA256, AES128-GCM-SHA256 (static RSA),
     * ECDHE-RSA-DES-CBC3-SHA, ECDHE-ECDSA-NULL-SHA, ADH-AES256-GCM-SHA384 */
    assert_int_equal(!!(vi.backend_caps & PHONESEC_CAP_TLS13), wolf_has_suite(0x1301));
    assert_int_equal(!!(vi.backend_caps & PHONESEC_CAP_STATIC_RSA), wolf_has_suite(0x009C));
    assert_int_equal(!!(vi.backend_caps & PHONESEC_CAP_3DES), wolf_has_suite(0xC012));
    assert_int_equal(!!(vi.backend_caps & PHONESEC_CAP_NULL_CIPHER), wolf_has_suite(0xC006));
    assert_int_equal(!!(vi.backend_caps & PHONESEC_CAP_ANON), wolf_has_suite(0x00A7));
    /* functions that exist only with the feature */
    assert_int_equal(!!(vi.backend_caps & PHONESEC_CAP_USE_SRTP), wolf_exports("wolfSSL_CTX_set_tlsext_use_srtp"));
    assert_int_equal(!!(vi.backend_caps & PHONESEC_CAP_RC4), wolf_exports("wc_Arc4SetKey"));
    assert_int_equal(!!(vi.backend_caps & PHONESEC_CAP_KEYING_MATERIAL),
                     wolf_exports("wolfSSL_export_keying_material"));
    assert_int_equal(!!(vi.backend_caps & PHONESEC_CAP_OPENSSL_ALL), wolf_exports("wolfSSL_get_ciphers_compat"));
#if defined(__x86_64__)
    assert_int_equal(!!(vi.backend_caps & PHONESEC_CAP_ASSEMBLY), wolf_exports("AES_GCM_encrypt"));
#endif
    /* a caller from a newer header gets this library's fields, version lowered */
    memset(&big, 0xA5, sizeof big);
    big.vi.version = PHONESEC_BUILD_INFO_VERSION + 1;
    assert_int_equal(phonesec_version_info(&big.vi), PHONESEC_OK);
    assert_int_equal(big.vi.version, PHONESEC_BUILD_INFO_VERSION);
    for (v = 0; v < sizeof big.pad; v++)
        assert_int_equal(big.pad[v], 0xA5); /* never past the struct this library knows */
}

static void strerror_covers_every_code(void **state)
{
    int e;
    (void)state;
    for (e = PHONESEC_E_HANDSHAKE; e <= 0; e++) {
        const char *s = phonesec_strerror(e);
        assert_non_null(s);
        assert_string_not_equal(s, "unknown error");
    }
    assert_string_equal(phonesec_strerror(PHONESEC_E_HANDSHAKE - 1), "unknown error");
    assert_string_equal(phonesec_strerror(1), "unknown error");
}

static void error_detail(void **state)
{
    phonesec__err e;
    char buf[64];
    (void)state;
    phonesec__err_clear(&e);
    assert_int_equal(phonesec__err_copy(&e, buf, sizeof buf), 0);
    assert_string_equal(buf, "");
    assert_int_equal(phonesec__fail(&e, PHONESEC_E_PARSE, "bad %s at %d", "tag", 7), PHONESEC_E_PARSE);
    assert_int_equal(phonesec__err_copy(&e, buf, sizeof buf), 0);
    assert_string_equal(buf, "malformed input: bad tag at 7");
    assert_int_equal(phonesec__err_copy(&e, buf, 0), PHONESEC_E_INVAL);
}

static void init_is_once(void **state)
{
    (void)state;
    /* The group setup already initialised. */
    assert_int_equal(phonesec_init(NULL), PHONESEC_E_ALREADY);
}

static void init_validates(void **state)
{
    phonesec_platform p;
    (void)state;
    phonesec_shutdown();
    phonesec_platform_init(&p);
    p.version = 99;
    assert_int_equal(phonesec_init(&p), PHONESEC_E_INVAL);
    phonesec_platform_init(&p);
    p.malloc_fn = test_malloc_hook; /* only one of the triple */
    assert_int_equal(phonesec_init(&p), PHONESEC_E_INVAL);
    phonesec_platform_init(&p);
    p.log_level = 9;
    assert_int_equal(phonesec_init(&p), PHONESEC_E_INVAL);
    assert_int_equal(phonesec_init(NULL), PHONESEC_OK);
    phonesec_shutdown();
    assert_int_equal(test_platform_setup(NULL), 0);
}

static void clock_hook(void **state)
{
    (void)state;
    test_clock_now = 424242;
    assert_int_equal(phonesec_now_ms(), 424242);
    test_clock_now += 5000;
    assert_int_equal(phonesec_now_ms(), 429242);
}

static int failing_rng(void *ud, uint8_t *buf, size_t len)
{
    (void)ud;
    memset(buf, 0xAA, len);
    return -1;
}

static void random_default_and_failure(void **state)
{
    uint8_t a[32], b[32], z[32] = {0};
    phonesec_platform p;
    (void)state;
    assert_int_equal(phonesec_random(a, sizeof a), PHONESEC_OK);
    assert_int_equal(phonesec_random(b, sizeof b), PHONESEC_OK);
    assert_memory_not_equal(a, b, sizeof a);
    assert_memory_not_equal(a, z, sizeof a);
    assert_int_equal(phonesec_random(NULL, 1), PHONESEC_E_INVAL);
    assert_int_equal(phonesec_random(NULL, 0), PHONESEC_OK);

    phonesec_shutdown();
    phonesec_platform_init(&p);
    p.random_fn = failing_rng;
    assert_int_equal(phonesec_init(&p), PHONESEC_OK);
    assert_int_equal(phonesec_random(a, sizeof a), PHONESEC_E_RANDOM);
    /* A failed source leaves no half-random bytes behind. */
    assert_memory_equal(a, z, sizeof a);
    phonesec_shutdown();
    assert_int_equal(test_platform_setup(NULL), 0);
}

/* After fork() parent and child must not draw the same bytes from the
 * default DRBG (it is re-instantiated when the process id changes). */
static void random_differs_after_fork(void **state)
{
    uint8_t warm[8], mine[32], theirs[32];
    int fds[2], status;
    pid_t pid;
    (void)state;
    assert_int_equal(phonesec_random(warm, sizeof warm), PHONESEC_OK); /* DRBG instantiated */
    assert_int_equal(pipe(fds), 0);
    pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        uint8_t b[32];
        ssize_t w;
        close(fds[0]);
        if (phonesec_random(b, sizeof b) != PHONESEC_OK)
            _exit(2);
        w = write(fds[1], b, sizeof b);
        _exit(w == (ssize_t)sizeof b ? 0 : 3);
    }
    close(fds[1]);
    assert_int_equal(phonesec_random(mine, sizeof mine), PHONESEC_OK);
    assert_int_equal(read(fds[0], theirs, sizeof theirs), (ssize_t)sizeof theirs);
    close(fds[0]);
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    assert_memory_not_equal(mine, theirs, sizeof mine);
}

static void log_hook_levels(void **state)
{
    (void)state;
    test_log_text[0] = '\0';
    phonesec__log(PHONESEC_LOG_INFO, "core", "hello %d", 5);
    assert_string_equal(test_log_text, "3 core: hello 5\n");
    phonesec_shutdown();
    assert_int_equal(phonesec_init(NULL), PHONESEC_OK); /* default: log off */
    test_log_text[0] = '\0';
    phonesec__log(PHONESEC_LOG_ERROR, "core", "dropped");
    assert_string_equal(test_log_text, "");
    phonesec_shutdown();
    assert_int_equal(test_platform_setup(NULL), 0);
}

static void allocator_hook_and_failure(void **state)
{
    long live = test_alloc_live;
    char *s;
    (void)state;
    s = phonesec__strdup("abc");
    assert_non_null(s);
    assert_int_equal(test_alloc_live, live + 1);
    phonesec__free(s);
    assert_int_equal(test_alloc_live, live);
    test_alloc_fail_at = test_alloc_calls + 1;
    assert_null(phonesec__strdup("abc"));
    test_alloc_fail_at = 0;
    assert_null(phonesec__calloc(SIZE_MAX / 2, 4));
}

static void memzero_and_ct(void **state)
{
    unsigned char a[40], b[40];
    size_t i;
    (void)state;
    memset(a, 0x5c, sizeof a);
    phonesec_memzero(a, sizeof a);
    for (i = 0; i < sizeof a; i++)
        assert_int_equal(a[i], 0);
    phonesec_memzero(NULL, 0);
    for (i = 0; i < sizeof a; i++)
        a[i] = b[i] = (unsigned char)i;
    assert_int_equal(phonesec_ct_memcmp(a, b, sizeof a), 0);
    for (i = 0; i < sizeof a; i++) {
        b[i] ^= 0x80;
        assert_int_equal(phonesec_ct_memcmp(a, b, sizeof a), -1);
        b[i] ^= 0x80;
        b[i] ^= 0x01;
        assert_int_equal(phonesec_ct_memcmp(a, b, sizeof a), -1);
        b[i] ^= 0x01;
    }
    assert_int_equal(phonesec_ct_memcmp(a, b, 0), 0);
    assert_int_equal(phonesec_ct_memcmp(NULL, b, 3), -1);
}

static void base64_rfc4648_vectors(void **state)
{
    size_t len;
    char *text = test_read_vector("base64-rfc4648.txt", &len);
    char *line, *save = NULL;
    int n = 0;
    (void)state;
    assert_non_null(text);
    for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        char *tab, enc[64];
        uint8_t dec[64];
        size_t el, dl;
        if (line[0] == '#')
            continue;
        tab = strchr(line, '\t');
        assert_non_null(tab);
        *tab = '\0';
        assert_int_equal(phonesec_base64_encode((const uint8_t *)line, strlen(line), PHONESEC_BASE64_STD, enc,
                                                sizeof enc, &el),
                         0);
        assert_string_equal(enc, tab + 1);
        assert_int_equal(phonesec_base64_decode(tab + 1, strlen(tab + 1), PHONESEC_BASE64_STD, dec, sizeof dec,
                                                &dl, NULL),
                         0);
        assert_int_equal(dl, strlen(line));
        assert_memory_equal(dec, line, dl);
        n++;
    }
    assert_int_equal(n, 7);
    free(text);
}

static int dec(const char *s, int variant, size_t *pos)
{
    uint8_t out[64];
    size_t ol;
    return phonesec_base64_decode(s, strlen(s), variant, out, sizeof out, &ol, pos);
}

static void base64_strictness(void **state)
{
    size_t pos = 999, n;
    uint8_t out[4];
    (void)state;
    /* Padding rules per variant. */
    assert_int_equal(dec("Zg", PHONESEC_BASE64_STD, &pos), PHONESEC_E_PARSE);
    assert_int_equal(pos, 2);
    assert_int_equal(dec("Zg", PHONESEC_BASE64_STD_NOPAD_OK, NULL), 0);
    assert_int_equal(dec("Zg==", PHONESEC_BASE64_STD_NOPAD_OK, NULL), 0);
    assert_int_equal(dec("Zg=", PHONESEC_BASE64_STD_NOPAD_OK, &pos), PHONESEC_E_PARSE);
    assert_int_equal(pos, 2);
    assert_int_equal(dec("Zm8==", PHONESEC_BASE64_STD, &pos), PHONESEC_E_PARSE);
    assert_int_equal(dec("Zg==", PHONESEC_BASE64_URL, &pos), PHONESEC_E_PARSE);
    assert_int_equal(pos, 2);
    /* Bad characters, reported at their offset. */
    assert_int_equal(dec("Zm 9v", PHONESEC_BASE64_STD_NOPAD_OK, &pos), PHONESEC_E_PARSE);
    assert_int_equal(pos, 2);
    assert_int_equal(dec("Zm9v\n", PHONESEC_BASE64_STD, &pos), PHONESEC_E_PARSE);
    assert_int_equal(pos, 4);
    assert_int_equal(dec("Z=9v", PHONESEC_BASE64_STD, &pos), PHONESEC_E_PARSE);
    assert_int_equal(pos, 1);
    assert_int_equal(dec("-_8", PHONESEC_BASE64_STD_NOPAD_OK, &pos), PHONESEC_E_PARSE);
    assert_int_equal(pos, 0);
    assert_int_equal(dec("+/8", PHONESEC_BASE64_URL, &pos), PHONESEC_E_PARSE);
    assert_int_equal(dec("-_8", PHONESEC_BASE64_URL, NULL), 0);
    /* Impossible length and non-zero leftover bits. */
    assert_int_equal(dec("Zm9vY", PHONESEC_BASE64_STD_NOPAD_OK, &pos), PHONESEC_E_PARSE);
    assert_int_equal(pos, 4);
    assert_int_equal(dec("Zh==", PHONESEC_BASE64_STD, &pos), PHONESEC_E_PARSE);
    assert_int_equal(pos, 1);
    assert_int_equal(dec("Zm9=", PHONESEC_BASE64_STD, &pos), PHONESEC_E_PARSE);
    assert_int_equal(pos, 2);
    /* Empty input is fine and gives nothing. */
    assert_int_equal(phonesec_base64_decode("", 0, PHONESEC_BASE64_STD, NULL, 0, &n, NULL), 0);
    assert_int_equal(n, 0);
    /* Too small: untouched, size needed reported. */
    memset(out, 0x77, sizeof out);
    assert_int_equal(phonesec_base64_decode("Zm9vYmFy", 8, PHONESEC_BASE64_STD, out, 4, &n, NULL),
                     PHONESEC_E_BUFFER_SMALL);
    assert_int_equal(n, 6);
    assert_int_equal(out[0], 0x77);
    assert_int_equal(phonesec_base64_decode("Zg==", 4, 77, out, 4, &n, NULL), PHONESEC_E_INVAL);
}

static void base64_roundtrip_all_lengths(void **state)
{
    uint8_t in[70], out[70];
    char enc[100];
    size_t i, el, dl;
    int v;
    (void)state;
    for (i = 0; i < sizeof in; i++)
        in[i] = (uint8_t)(i * 37 + 11);
    for (v = 0; v < 3; v++) {
        int ev = v == 0 ? PHONESEC_BASE64_STD : v == 1 ? PHONESEC_BASE64_STD_NOPAD : PHONESEC_BASE64_URL;
        int dv = v == 0 ? PHONESEC_BASE64_STD : v == 1 ? PHONESEC_BASE64_STD_NOPAD_OK : PHONESEC_BASE64_URL;
        for (i = 0; i <= sizeof in; i++) {
            assert_int_equal(phonesec_base64_encode(in, i, ev, enc, sizeof enc, &el), 0);
            assert_int_equal(strlen(enc), el);
            assert_int_equal(phonesec_base64_decode(enc, el, dv, out, sizeof out, &dl, NULL), 0);
            assert_int_equal(dl, i);
            assert_memory_equal(in, out, i);
        }
    }
    assert_int_equal(phonesec_base64_encode(in, 3, PHONESEC_BASE64_STD, enc, 4, &el), PHONESEC_E_BUFFER_SMALL);
    assert_int_equal(el, 4);
}

/* Versioned structs (doc/abi.md): a library that knows versions 1 and 2 of a
 * struct takes a version-1 caller's shorter struct (the field it lacks reads
 * as zero, nothing past its end is read), refuses version 0 and a version it
 * does not know, and fills a version-1 caller's out-struct without writing
 * past its end. */
typedef struct v1_struct {
    unsigned version;
    int a;
} v1_struct;
typedef struct v2_struct {
    unsigned version;
    int a;
    int b; /* added in version 2 */
} v2_struct;

static void versioned_structs(void **state)
{
    static const size_t sizes[] = {offsetof(v1_struct, a) + sizeof(int), offsetof(v2_struct, b) + sizeof(int)};
    struct {
        v1_struct s;
        int guard;
    } old = {{1, 7}, 0x5a5a5a5a};
    v2_struct in, full = {2, 11, 12}, v3 = {3, 0, 0};
    (void)state;
    memset(&in, 0xff, sizeof in);
    assert_int_equal(phonesec__struct_in(&in, sizeof in, &old.s, sizes, 2), PHONESEC_OK);
    assert_int_equal(in.version, 1);
    assert_int_equal(in.a, 7);
    assert_int_equal(in.b, 0); /* zero-filled, not the guard behind the old struct */
    old.s.version = 0;
    assert_int_equal(phonesec__struct_in(&in, sizeof in, &old.s, sizes, 2), PHONESEC_E_INVAL);
    assert_int_equal(phonesec__struct_in(&in, sizeof in, &v3, sizes, 2), PHONESEC_E_INVAL);
    /* Out: a version-1 caller gets a and nothing past its struct. */
    old.s.version = 1;
    old.s.a = 0;
    assert_int_equal(phonesec__struct_out(&old.s, &full, sizes, 2), PHONESEC_OK);
    assert_int_equal(old.s.version, 1);
    assert_int_equal(old.s.a, 11);
    assert_int_equal(old.guard, 0x5a5a5a5a);
    /* A newer caller gets what this library has, and learns its version. */
    assert_int_equal(phonesec__struct_out(&v3, &full, sizes, 2), PHONESEC_OK);
    assert_int_equal(v3.version, 2);
    assert_int_equal(v3.b, 12);
    old.s.version = 0;
    assert_int_equal(phonesec__struct_out(&old.s, &full, sizes, 2), PHONESEC_E_INVAL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(version_matches_header),
        cmocka_unit_test(build_report),
        cmocka_unit_test(version_info),
        cmocka_unit_test(strerror_covers_every_code),
        cmocka_unit_test(error_detail),
        cmocka_unit_test(init_is_once),
        cmocka_unit_test(init_validates),
        cmocka_unit_test(clock_hook),
        cmocka_unit_test(random_default_and_failure),
        cmocka_unit_test(random_differs_after_fork),
        cmocka_unit_test(log_hook_levels),
        cmocka_unit_test(allocator_hook_and_failure),
        cmocka_unit_test(memzero_and_ct),
        cmocka_unit_test(versioned_structs),
        cmocka_unit_test(base64_rfc4648_vectors),
        cmocka_unit_test(base64_strictness),
        cmocka_unit_test(base64_roundtrip_all_lengths),
    };
    return cmocka_run_group_tests_name("core", tests, test_platform_setup, test_platform_teardown);
}

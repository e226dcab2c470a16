/*
 * A caller compiled against the frozen 1.0 headers (tests/abi/frozen-1.0,
 * copied once at the 1.0 freeze and never edited) and linked against the
 * current library. Every versioned struct the caller passes in or gets filled
 * is placed so that it ends exactly where an inaccessible page begins: a
 * library that reads or writes past the caller's (1.0-sized) struct dies with
 * SIGSEGV instead of passing. doc/abi.md states the promise this checks.
 * SPDX-License-Identifier: MIT
 */
#define _DEFAULT_SOURCE /* MAP_ANONYMOUS */
#include <phonesec.h> /* the frozen copy: see meson.build */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

static int failures;

#define CHECK(cond)                                                                  \
    do {                                                                             \
        if (!(cond)) {                                                               \
            fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
            failures++;                                                              \
        }                                                                            \
    } while (0)

/* n bytes ending at a PROT_NONE page. */
static void *at_page_end(size_t n)
{
    long pg = sysconf(_SC_PAGESIZE);
    size_t span = ((n + (size_t)pg - 1) / (size_t)pg + 1) * (size_t)pg;
    unsigned char *m = mmap(NULL, span, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (m == MAP_FAILED) {
        perror("mmap");
        exit(1);
    }
    if (mprotect(m + span - (size_t)pg, (size_t)pg, PROT_NONE) != 0) {
        perror("mprotect");
        exit(1);
    }
    return m + span - (size_t)pg - n;
}

#define PLACE(type, init) place_copy(&(type)init, sizeof(type))
static void *place_copy(const void *src, size_t n)
{
    void *p = at_page_end(n);
    memcpy(p, src, n);
    return p;
}

static void tls_and_flow(void)
{
    phonesec_tls_config *cfg = PLACE(phonesec_tls_config, PHONESEC_TLS_CONFIG_INIT);
    phonesec_tls_conn_config *cc = PLACE(phonesec_tls_conn_config, PHONESEC_TLS_CONN_CONFIG_INIT);
    phonesec_tls_info *info = at_page_end(sizeof *info);
    phonesec_flow_tls_config *fc = PLACE(phonesec_flow_tls_config, PHONESEC_FLOW_TLS_CONFIG_INIT);
    phonesec_flow_config *flc = PLACE(phonesec_flow_config, PHONESEC_FLOW_CONFIG_INIT);
    phonesec_flow_stats *st = PLACE(phonesec_flow_stats, PHONESEC_FLOW_STATS_INIT);
    phonesec_tls_ctx *ctx = NULL;
    phonesec_tls_conn *conn = NULL;
    phonesec_flow_tls *ft = NULL;
    phonesec_flow *flow = NULL;

    cfg->role = PHONESEC_TLS_CLIENT;
    cfg->only_trusted = 0; /* an empty trust list: no handshake is made here */
    CHECK(phonesec_tls_ctx_new(cfg, &ctx) == PHONESEC_OK);
    if (ctx == NULL)
        return;
    cc->reference_name = "sip.example.com";
    CHECK(phonesec_tls_conn_new(ctx, cc, &conn) == PHONESEC_OK);
    memset(info, 0, sizeof *info);
    info->version = PHONESEC_TLS_INFO_VERSION;
    CHECK(phonesec_tls_conn_info(conn, info) == PHONESEC_OK);
    CHECK(info->version == PHONESEC_TLS_INFO_VERSION && info->established == 0);

    fc->ctx = ctx;
    fc->servers[0].host = "127.0.0.1";
    fc->servers[0].port = 5061;
    CHECK(phonesec_flow_tls_new(fc, &ft) == PHONESEC_OK);
    flc->transport = phonesec_flow_tls_transport();
    flc->transport_user = ft;
    CHECK(phonesec_flow_new(flc, &flow) == PHONESEC_OK);
    CHECK(phonesec_flow_get_stats(flow, st) == PHONESEC_OK);
    CHECK(st->version == PHONESEC_FLOW_STATS_VERSION && st->connections == 0);

    phonesec_flow_free(flow);
    phonesec_flow_tls_free(ft);
    phonesec_tls_conn_free(conn);
    phonesec_tls_ctx_free(ctx);
}

static void sdes_and_srtp(void)
{
    static const char line[] = "1 AES_CM_128_HMAC_SHA1_80 inline:WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVz|2^20|1:4";
    phonesec_sdes_policy *pol = PLACE(phonesec_sdes_policy, PHONESEC_SDES_POLICY_INIT);
    phonesec_sdes_crypto *cr = at_page_end(sizeof *cr);
    phonesec_srtp_params *sp = at_page_end(sizeof *sp);
    phonesec_srtp_info *si = at_page_end(sizeof *si);
    phonesec_sdes *sdes = NULL;
    phonesec_srtp *srtp = NULL;
    char why[128];

    CHECK(phonesec_sdes_new(pol, &sdes) == PHONESEC_OK);
    phonesec_sdes_free(sdes);
    CHECK(phonesec_sdes_crypto_parse(line, strlen(line), cr, why, sizeof why) == PHONESEC_OK);
    CHECK(phonesec_sdes_crypto_to_params(cr, 0, sp) == PHONESEC_OK);
    CHECK(phonesec_srtp_new(sp, PHONESEC_SRTP_DIR_OUTBOUND, 0, &srtp) == PHONESEC_OK);
    memset(si, 0, sizeof *si);
    si->version = PHONESEC_SRTP_INFO_VERSION;
    CHECK(phonesec_srtp_get_info(srtp, si) == PHONESEC_OK);
    CHECK(si->suite == PHONESEC_SRTP_AES_CM_128_HMAC_SHA1_80);
    phonesec_srtp_free(srtp);
    phonesec_srtp_params_wipe(sp);
    phonesec_sdes_crypto_wipe(cr);
}

static void others(void)
{
    static const uint8_t pw[] = "frozen";
    phonesec_mediasec_config *mc = PLACE(phonesec_mediasec_config, PHONESEC_MEDIASEC_CONFIG_INIT);
    phonesec_ciphers_options *co = PLACE(phonesec_ciphers_options, PHONESEC_CIPHERS_OPTIONS_INIT);
    phonesec_ciphers_report *rep = at_page_end(sizeof *rep);
    phonesec_cfgcrypt_params *cp = PLACE(phonesec_cfgcrypt_params, PHONESEC_CFGCRYPT_PARAMS_INIT);
    phonesec_mediasec *ms = NULL;
    phonesec_cfgcrypt_ctx *cx = NULL;
    uint16_t codes[256];
    size_t n = 0;

    CHECK(phonesec_mediasec_new(mc, &ms) == PHONESEC_OK);
    phonesec_mediasec_free(ms);

    memset(rep, 0, sizeof *rep);
    rep->version = PHONESEC_CIPHERS_REPORT_VERSION;
    CHECK(phonesec_ciphers_select_ex("HIGH:!aNULL", co, codes, 256, &n, rep) == PHONESEC_OK);
    CHECK(n > 0 && rep->version == PHONESEC_CIPHERS_REPORT_VERSION);
    CHECK(phonesec_ciphers_select_ex("FOO", co, codes, 256, &n, rep) != PHONESEC_OK);
    CHECK(rep->message[0] != '\0');

    cp->format = PHONESEC_CFGCRYPT_OPENSSL;
    cp->password = pw;
    cp->password_len = sizeof pw - 1;
    CHECK(phonesec_cfgcrypt_encrypt_new(cp, &cx) == PHONESEC_OK);
    phonesec_cfgcrypt_free(cx);
}

int main(void)
{
    phonesec_platform *pf = PLACE(phonesec_platform, PHONESEC_PLATFORM_INIT);
    CHECK(phonesec_init(pf) == PHONESEC_OK);
    tls_and_flow();
    sdes_and_srtp();
    others();
    phonesec_shutdown();
    if (failures) {
        fprintf(stderr, "frozen_caller: %d check(s) failed\n", failures);
        return 1;
    }
    printf("frozen_caller: every versioned struct of the 1.0 headers accepted, nothing read or written past it\n");
    return 0;
}

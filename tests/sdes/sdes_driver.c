/* Interop driver: libphonesec's SDES offerer/answerer on stdin/stdout, for
 * tests/sdes/interop_baresip.py. Prints the negotiated keys in hex (a test
 * program: real code never prints keys).
 *   sdes_driver answer LOCAL.sdp SUITES   < offer      > answer SDP, then "RESULT ..." on stderr
 *   sdes_driver offer LOCAL.sdp SUITES    > offer SDP, "END", then < answer, "RESULT ..." on stdout */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <phonesec.h>

static char *slurp(FILE *f, size_t *len)
{
    size_t cap = 1 << 16, n = 0, r;
    char *b = malloc(cap);
    while (b && (r = fread(b + n, 1, cap - 1 - n, f)) > 0)
        n += r;
    if (b)
        b[n] = '\0';
    *len = n;
    return b;
}

static void hex(FILE *f, const uint8_t *p, size_t n)
{
    while (n--)
        fprintf(f, "%02x", *p++);
}

static int result(phonesec_sdes *s, FILE *f)
{
    phonesec_sdes_section_info info;
    phonesec_srtp_params in, out;
    if (phonesec_sdes_section(s, 0, &info) != PHONESEC_OK || info.state != PHONESEC_SDES_SEC_SECURED ||
        phonesec_sdes_params(s, 0, PHONESEC_SDES_INBOUND, &in) != PHONESEC_OK ||
        phonesec_sdes_params(s, 0, PHONESEC_SDES_OUTBOUND, &out) != PHONESEC_OK) {
        fprintf(f, "RESULT none\n");
        return 1;
    }
    fprintf(f, "RESULT %u %s ", (unsigned)info.tag, phonesec_sdes_suite_name(info.suite));
    hex(f, in.keys[0].key, in.keys[0].key_len);
    hex(f, in.keys[0].salt, in.keys[0].salt_len);
    fprintf(f, " ");
    hex(f, out.keys[0].key, out.keys[0].key_len);
    hex(f, out.keys[0].salt, out.keys[0].salt_len);
    fprintf(f, "\n");
    fflush(f);
    return 0;
}

int main(int argc, char **argv)
{
    phonesec_sdes_policy pol;
    phonesec_sdes *s;
    FILE *lf;
    char *local, *in, err[512];
    static char out[65536];
    size_t llen, ilen, n;
    int rc;

    if (argc != 4 || phonesec_init(NULL) != PHONESEC_OK)
        return 2;
    lf = fopen(argv[2], "rb");
    if (lf == NULL)
        return 2;
    local = slurp(lf, &llen);
    fclose(lf);
    phonesec_sdes_policy_init(&pol);
    pol.mode = PHONESEC_SDES_MANDATORY;
    if (phonesec_sdes_policy_set_suites(&pol, argv[3]) != PHONESEC_OK || phonesec_sdes_new(&pol, &s) != PHONESEC_OK)
        return 2;
    (void)phonesec_sdes_set_signalling_tls(s, 1);
    if (strcmp(argv[1], "answer") == 0) {
        in = slurp(stdin, &ilen);
        rc = phonesec_sdes_answer(s, in, ilen);
        if (rc == PHONESEC_OK)
            rc = phonesec_sdes_answer_sdp(s, local, llen, out, sizeof out, &n);
        if (rc != PHONESEC_OK) {
            (void)phonesec_sdes_last_error(s, err, sizeof err);
            fprintf(stderr, "answer failed: %s\n", err);
            return 1;
        }
        fwrite(out, 1, n, stdout);
        fflush(stdout);
        rc = result(s, stderr);
    } else {
        rc = phonesec_sdes_offer(s, local, llen, out, sizeof out, &n);
        if (rc != PHONESEC_OK)
            return 1;
        fwrite(out, 1, n, stdout);
        printf("END\n");
        fflush(stdout);
        in = slurp(stdin, &ilen);
        rc = phonesec_sdes_accept_answer(s, in, ilen);
        if (rc != PHONESEC_OK) {
            (void)phonesec_sdes_last_error(s, err, sizeof err);
            printf("RESULT refused %s\n", err);
            return 1;
        }
        rc = result(s, stdout);
    }
    free(in);
    free(local);
    phonesec_sdes_free(s);
    phonesec_shutdown();
    return rc;
}

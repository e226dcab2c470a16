/* Fuzz target: RFC 3329 header lists and raw SIP message helpers.
 * Checks: print(parse(x)) reparses to an equal list that prints the same;
 * message edits keep their promises (insert adds one header, remove leaves
 * none, add_tag makes the tag present, edits never change the body); the
 * negotiation object survives any response or request text. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <phonesec.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_list(const char *s, size_t n)
{
    phonesec_mediasec_list *a = NULL, *b = NULL;
    static char p1[200000], p2[200000];
    size_t l1, l2;
    if (phonesec_mediasec_list_new(&a) != 0)
        return;
    if (phonesec_mediasec_list_parse(a, s, n) == 0) {
        if (phonesec_mediasec_list_count(a) == 0)
            abort();
        if (phonesec_mediasec_list_print(a, NULL, PHONESEC_MEDIASEC_STYLE_VALUE, p1, sizeof p1, &l1) != 0)
            abort();
        if (phonesec_mediasec_list_new(&b) != 0)
            goto out;
        if (phonesec_mediasec_list_parse(b, p1, l1) != 0)
            abort();
        if (phonesec_mediasec_list_equal(a, b) != 0)
            abort();
        if (phonesec_mediasec_list_print(b, NULL, PHONESEC_MEDIASEC_STYLE_VALUE, p2, sizeof p2, &l2) != 0)
            abort();
        if (l1 != l2 || memcmp(p1, p2, l1) != 0)
            abort();
        /* per-mechanism headers of a message reparse to the same list too */
        if (phonesec_mediasec_list_print(a, "Security-Verify", PHONESEC_MEDIASEC_STYLE_PER_MECH, p2, sizeof p2,
                                         &l2) == 0) {
            static char m[200100];
            size_t ml = 0;
            phonesec_mediasec_list *c = NULL;
            memcpy(m, "OPTIONS sip:x SIP/2.0\r\n", 23);
            ml = 23;
            memcpy(m + ml, p2, l2);
            ml += l2;
            memcpy(m + ml, "\r\n", 2);
            ml += 2;
            if (phonesec_mediasec_list_new(&c) == 0) {
                if (phonesec_mediasec_list_from_msg(c, m, ml, "security-verify") != 0)
                    abort();
                if (phonesec_mediasec_list_equal(a, c) != 0)
                    abort();
                phonesec_mediasec_list_free(c);
            }
        }
    }
out:
    phonesec_mediasec_list_free(a);
    phonesec_mediasec_list_free(b);
}

static size_t body_off(const char *m, size_t n)
{
    size_t i;
    for (i = 0; i + 1 < n; i++) {
        if (m[i] == '\n' && m[i + 1] == '\n')
            return i + 2;
        if (i + 2 < n && m[i] == '\n' && m[i + 1] == '\r' && m[i + 2] == '\n')
            return i + 3;
    }
    return n;
}

static void check_msg(const char *s, size_t n)
{
    static char o1[70000], o2[70000];
    size_t c0, c1, l1, l2, vo, vl, rem;
    int changed;
    if (phonesec_mediasec_msg_count(s, n, "Require", &c0) != 0)
        return;
    if (phonesec_mediasec_msg_find(s, n, "Require", 0, &vo, &vl) == 0 && (vo > n || vl > n - vo))
        abort();
    if (phonesec_mediasec_msg_insert(s, n, "Require", "x-fz", o1, sizeof o1, &l1) == 0) {
        if (phonesec_mediasec_msg_count(o1, l1, "Require", &c1) != 0 || c1 != c0 + 1)
            abort();
        if (l1 - body_off(o1, l1) != n - body_off(s, n))
            abort();
        if (phonesec_mediasec_msg_has_tag(o1, l1, "Require", "x-fz") != 1)
            abort();
    }
    if (phonesec_mediasec_msg_remove(s, n, "Require", o1, sizeof o1, &l1, &rem) == 0) {
        if (rem != c0 || phonesec_mediasec_msg_count(o1, l1, "Require", &c1) != 0 || c1 != 0)
            abort();
    }
    if (phonesec_mediasec_msg_replace(s, n, "require", "a, b", o1, sizeof o1, &l1) == 0) {
        if (phonesec_mediasec_msg_count(o1, l1, "Require", &c1) != 0 || c1 != 1)
            abort();
    }
    if (phonesec_mediasec_msg_add_tag(s, n, "Require", "sec-agree", o1, sizeof o1, &l1, &changed) == 0) {
        if (phonesec_mediasec_msg_has_tag(o1, l1, "Require", "sec-agree") != 1)
            abort();
        if (phonesec_mediasec_msg_add_tag(o1, l1, "Require", "sec-agree", o2, sizeof o2, &l2, &changed) != 0 ||
            changed != 0 || l2 != l1 || memcmp(o1, o2, l1) != 0)
            abort();
    }
    if (phonesec_mediasec_msg_remove_tag(s, n, "Require", "sec-agree", o1, sizeof o1, &l1, &changed) == 0) {
        if (phonesec_mediasec_msg_has_tag(o1, l1, "Require", "sec-agree") != 0)
            abort();
        if (l1 - body_off(o1, l1) != n - body_off(s, n))
            abort();
    }
    {
        phonesec_mediasec_list *l = NULL;
        if (phonesec_mediasec_list_new(&l) == 0) {
            if (phonesec_mediasec_list_from_msg(l, s, n, "Security-Server") == 0 && phonesec_mediasec_list_count(l) == 0)
                abort();
            phonesec_mediasec_list_free(l);
        }
    }
    {
        phonesec_mediasec_config c = PHONESEC_MEDIASEC_CONFIG_INIT;
        phonesec_mediasec *ms = NULL;
        c.client_initiated = 1;
        if (phonesec_mediasec_new(&c, &ms) == 0) {
            (void)phonesec_mediasec_reset(ms, 1);
            if (phonesec_mediasec_on_response(ms, s, n) == 0 && phonesec_mediasec_state(ms) < 0)
                abort();
            if (phonesec_mediasec_prepare_request(ms, s, n, o1, sizeof o1, &l1) == 0) {
                size_t k;
                char meth[32];
                if (phonesec_mediasec_msg_method(s, n, meth, sizeof meth) != 0)
                    abort();
                if (phonesec_mediasec_msg_count(o1, l1, "Security-Client", &k) != 0 ||
                    k != (strcmp(meth, "REGISTER") == 0 ? 1u : 0u))
                    abort();
                if (l1 - body_off(o1, l1) != n - body_off(s, n))
                    abort();
            }
            phonesec_mediasec_free(ms);
        }
    }
}

/* The old multi-step way of decorating a request, written with the public
 * message helpers: prepare_request must give exactly the same bytes. */
static int reference(const phonesec_mediasec *ms, const char *s, size_t n, int is_register, char *out, size_t cap,
                     size_t *olen)
{
    static char a[70000], b[70000], lines[70000];
    static const char *const tags[] = {"sec-agree", "mediasec"};
    static const char *const th[] = {"Require", "Proxy-Require"};
    char *cur = a, *oth = b, *t;
    size_t cl = n, nl, ll, k;
    int which;
    if (n >= sizeof a)
        return -1;
    memcpy(a, s, n);
    if (!is_register) {
        if (phonesec_mediasec_msg_remove(cur, cl, "Security-Client", oth, sizeof b, &nl, NULL) != 0)
            return -1;
        t = cur, cur = oth, oth = t, cl = nl;
    }
    for (which = 0; which < 2; which++) {
        const char *hdr = which ? "Security-Verify" : "Security-Client";
        char *line, *e;
        size_t i = 0;
        if (which == 0 && !is_register)
            continue;
        if (which == 0) {
            if (phonesec_mediasec_request_headers((phonesec_mediasec *)ms, "REGISTER",
                                                  PHONESEC_MEDIASEC_STYLE_PER_MECH, lines, sizeof lines, &ll) != 0)
                return -1;
        } else if (phonesec_mediasec_list_print(phonesec_mediasec_server_list(ms), hdr,
                                                PHONESEC_MEDIASEC_STYLE_PER_MECH, lines, sizeof lines, &ll) != 0) {
            return -1;
        }
        for (line = lines; (e = strstr(line, "\r\n")) != NULL; line = e + 2) {
            *e = '\0';
            if (strncmp(line, hdr, strlen(hdr)) != 0)
                continue; /* the other header's lines */
            if ((i++ == 0 ? phonesec_mediasec_msg_replace(cur, cl, hdr, line + strlen(hdr) + 2, oth, sizeof b, &nl)
                          : phonesec_mediasec_msg_insert(cur, cl, hdr, line + strlen(hdr) + 2, oth, sizeof b, &nl)) !=
                0)
                return -1;
            t = cur, cur = oth, oth = t, cl = nl;
        }
    }
    for (k = 0; k < 4; k++) {
        if (phonesec_mediasec_msg_add_tag(cur, cl, th[k / 2], tags[k % 2], oth, sizeof b, &nl, NULL) != 0)
            return -1;
        t = cur, cur = oth, oth = t, cl = nl;
    }
    if (cl + 1 > cap)
        return -1;
    memcpy(out, cur, cl);
    *olen = cl;
    return 0;
}

static const char R401[] = "SIP/2.0 401 Unauthorized\r\nCSeq: 1 REGISTER\r\n"
                           "Security-Server: sdes-srtp;q=0.5;mediasec, tls;q=0.2\r\n"
                           "Security-Server: x-v;y=\"z\"\r\nContent-Length: 0\r\n\r\n";

static void check_prepare(const char *s, size_t n)
{
    static char o1[70000], o2[70000];
    size_t l1, l2;
    char meth[32];
    phonesec_mediasec_config c = PHONESEC_MEDIASEC_CONFIG_INIT;
    phonesec_mediasec *ms = NULL;
    c.client_initiated = 1;
    if (phonesec_mediasec_new(&c, &ms) != 0)
        return;
    if (phonesec_mediasec_reset(ms, 1) != 0 || phonesec_mediasec_on_response(ms, R401, sizeof R401 - 1) != 0)
        abort();
    if (phonesec_mediasec_prepare_request(ms, s, n, o1, sizeof o1, &l1) == 0) {
        if (phonesec_mediasec_msg_method(s, n, meth, sizeof meth) != 0)
            abort();
        if (reference(ms, s, n, strcmp(meth, "REGISTER") == 0, o2, sizeof o2, &l2) != 0)
            abort();
        if (l1 != l2 || memcmp(o1, o2, l1) != 0)
            abort();
    }
    phonesec_mediasec_free(ms);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int inited;
    if (!inited) {
        if (phonesec_init(NULL) != 0)
            return 0;
        inited = 1;
    }
    if (size > 60000)
        return 0;
    check_list((const char *)data, size);
    check_msg((const char *)data, size);
    check_prepare((const char *)data, size);
    return 0;
}

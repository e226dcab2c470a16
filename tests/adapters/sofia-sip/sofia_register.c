/*
 * NUA test client for the sofia-sip adapter: registers to a registrar with
 * the RFC 3329 MediaSec flow, every Security-* / Require header made by the
 * adapter (phonesec_sofia_request_tags), every response read through it
 * (phonesec_sofia_on_response). Signalling: sofia's own TLS (OpenSSL).
 *
 *   sofia_register CERTDIR REGISTRAR_PORT USER [SECONDS]
 *     CERTDIR holds agent.pem (our certificate and key) and cafile.pem;
 *     the registrar is sip.test at 127.0.0.1:REGISTRAR_PORT over TLS.
 * Prints "REGISTERED mediasec=AGREED ..." and exits 0 on a 200 with
 * MediaSec agreed; 1 otherwise.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sofia-sip/nua.h>
#include <sofia-sip/nua_tag.h>
#include <sofia-sip/sip_status.h>
#include <sofia-sip/su_tag_io.h>
#include <sofia-sip/tport_tag.h>

#include <phonesec.h>

#include "phonesec_sofia.h"

static su_root_t *root;
static nua_handle_t *nh;
static phonesec_mediasec *ms;
static su_home_t home[1] = {SU_HOME_INIT(home)};
static char registrar[128];
static int result = 1, registers;

static void do_register(void)
{
    tagi_t *tags = NULL;
    int rc = phonesec_sofia_request_tags(ms, home, "REGISTER", &tags);
    if (rc != PHONESEC_OK) {
        printf("REGISTER not sent: %s\n", phonesec_strerror(rc));
        su_root_break(root);
        return;
    }
    registers++;
    printf("-> REGISTER %d (%s)\n", registers,
           phonesec_mediasec_state(ms) == PHONESEC_MEDIASEC_ST_AGREED ? "Security-Verify" : "Security-Client");
    fflush(stdout);
    nua_register(nh, NUTAG_REGISTRAR(URL_STRING_MAKE(registrar)), NUTAG_OUTBOUND("no-options-keepalive"),
                 TAG_NEXT(tags));
}

static void on_event(nua_event_t event, int status, char const *phrase, nua_t *nua, nua_magic_t *magic,
                     nua_handle_t *h, nua_hmagic_t *hmagic, sip_t const *sip, tagi_t tags[])
{
    nua_saved_event_t saved[1];
    nua_event_data_t const *data;
    int rc;
    (void)magic;
    (void)h;
    (void)hmagic;
    (void)tags;
    if (event == nua_r_shutdown) {
        if (status >= 200)
            su_root_break(root);
        return;
    }
    if (event != nua_r_register && event != nua_r_unregister)
        return;
    printf("<- %d %s\n", status, phrase);
    if (status < 200 || event == nua_r_unregister || sip == NULL) {
        if (status >= 200 && event == nua_r_register) /* internal error, no response */
            nua_shutdown(nua);
        return;
    }
    /* The response message itself, for the adapter. */
    if (nua_save_event(nua, saved) == 0 || (data = nua_event_data(saved)) == NULL || data->e_msg == NULL) {
        printf("no saved event\n");
        nua_shutdown(nua);
        return;
    }
    rc = phonesec_sofia_on_response(ms, data->e_msg);
    nua_destroy_event(saved);
    printf("   mediasec: %s, state %d\n", phonesec_strerror(rc), phonesec_mediasec_state(ms));
    if (rc == PHONESEC_OK && (status == 494 || status == 401 || status == 407) &&
        phonesec_mediasec_state(ms) == PHONESEC_MEDIASEC_ST_AGREED && registers < 5) {
        do_register();
    } else if (rc == PHONESEC_OK && status >= 200 && status < 300) {
        unsigned pol = phonesec_mediasec_media_policy(ms);
        printf("REGISTERED mediasec=%s sdes=%s\n",
               phonesec_mediasec_state(ms) == PHONESEC_MEDIASEC_ST_AGREED ? "AGREED" : "OFF",
               (pol & PHONESEC_MEDIASEC_MEDIA_SDES_REQUIRED) ? "required" : "not-required");
        result = phonesec_mediasec_state(ms) == PHONESEC_MEDIASEC_ST_AGREED ? 0 : 1;
        nua_shutdown(nua);
    } else {
        printf("registration failed\n");
        nua_shutdown(nua);
    }
    fflush(stdout);
}

static void on_timeout(su_root_magic_t *m, su_timer_t *t, su_timer_arg_t *arg)
{
    (void)m;
    (void)t;
    (void)arg;
    printf("timeout\n");
    su_root_break(root);
}

int main(int argc, char **argv)
{
    phonesec_mediasec_config c = PHONESEC_MEDIASEC_CONFIG_INIT;
    char from[128], sips[128];
    su_timer_t *timer;
    nua_t *nua;

    if (argc < 4) {
        fprintf(stderr, "usage: %s CERTDIR REGISTRAR_PORT USER [SECONDS]\n", argv[0]);
        return 2;
    }
    if (phonesec_init(NULL) != PHONESEC_OK)
        return 1;
    c.client_initiated = 1;
    c.tls_only = 1;
    c.policy = PHONESEC_MEDIASEC_MANDATORY;
    c.client_mechanisms = "sdes-srtp;mediasec";
    if (phonesec_mediasec_new(&c, &ms) != PHONESEC_OK || phonesec_mediasec_reset(ms, 1) != PHONESEC_OK)
        return 1;
    snprintf(registrar, sizeof registrar, "sip:127.0.0.1:%s;transport=tls", argv[2]);
    snprintf(from, sizeof from, "<sip:%s@sip.test>", argv[3]);
    snprintf(sips, sizeof sips, "sips:127.0.0.1:*");

    su_init();
    root = su_root_create(NULL);
    nua = nua_create(root, on_event, NULL, NUTAG_URL("sip:127.0.0.1:*;transport=tcp"), NUTAG_SIPS_URL(sips),
                     TPTAG_CERTIFICATE(argv[1]), TPTAG_TLS_VERIFY_POLICY(TPTLS_VERIFY_OUT), TAG_END());
    if (nua == NULL) {
        fprintf(stderr, "sofia_register: nua_create failed (certificate directory?)\n");
        return 1;
    }
    nh = nua_handle(nua, NULL, SIPTAG_FROM_STR(from), SIPTAG_TO_STR(from), TAG_END());
    timer = su_timer_create(su_root_task(root), 0);
    su_timer_set_interval(timer, on_timeout, NULL, (su_duration_t)(argc > 4 ? atoi(argv[4]) : 10) * 1000);
    do_register();
    su_root_run(root);
    su_timer_destroy(timer);
    nua_handle_destroy(nh);
    nua_destroy(nua);
    su_root_destroy(root);
    su_deinit();
    su_home_deinit(home);
    phonesec_mediasec_free(ms);
    phonesec_shutdown();
    return result;
}

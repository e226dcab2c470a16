/*
 * End-to-end demo of libphonesec: what a phone does at boot.
 * Grows with each module: build report, cipher policy, TLS, SDES, SRTP.
 */
#include <stdio.h>
#include <string.h>

#include <phonesec.h>

int main(void)
{
    char report[1024];
    size_t n;
    int rc;

    rc = phonesec_init(NULL);
    if (rc != PHONESEC_OK) {
        fprintf(stderr, "demo: phonesec_init: %s\n", phonesec_strerror(rc));
        return 1;
    }
    printf("== 1. boot: library and backends ==\n");
    rc = phonesec_build_report(report, sizeof report, &n);
    if (rc != PHONESEC_OK) {
        fprintf(stderr, "demo: build report: %s\n", phonesec_strerror(rc));
        return 1;
    }
    fputs(report, stdout);
    phonesec_shutdown();
    printf("demo: OK\n");
    return 0;
}

/* A program of a firmware project that uses libphonesec: built by the CMake
 * and meson-subproject consumer tests against an installed or embedded tree. */
#include <phonesec.h>
#include <stdio.h>
#include <string.h>

int main(void)
{
    uint16_t codes[128];
    size_t n = 0;
    if (phonesec_init(NULL) != PHONESEC_OK)
        return 1;
    if (strcmp(phonesec_version(), PHONESEC_VERSION_STRING) != 0)
        return 2;
    if (phonesec_ciphers_select("ECDHE+AESGCM", codes, 128, &n) != PHONESEC_OK || n != 4)
        return 3;
    phonesec_shutdown();
    puts("consumer: OK");
    return 0;
}

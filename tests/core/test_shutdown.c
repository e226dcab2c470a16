/*
 * phonesec_shutdown() with the host's allocator hook and wolfSSL's memory
 * routed through it (phonesec_tls_route_backend_memory): the library's DRBG
 * and wolfCrypt's caches were allocated through the hook and must be freed
 * through it, before the hooks are reset. The old order (reset, then free)
 * handed hook memory to libc's free(): "free(): invalid pointer".
 * Its own executable: routing wolfSSL's allocator is process-wide.
 * SPDX-License-Identifier: MIT
 */
#include "support.h"

static void shutdown_frees_backend_state_through_the_hook(void **state)
{
    phonesec_platform p;
    uint8_t buf[32];
    (void)state;
    phonesec_platform_init(&p);
    p.malloc_fn = test_malloc_hook;
    p.realloc_fn = test_realloc_hook;
    p.free_fn = test_free_hook;
    assert_int_equal(phonesec_init(&p), PHONESEC_OK);
    assert_int_equal(phonesec_tls_route_backend_memory(), PHONESEC_OK);
    assert_int_equal(phonesec_random(buf, sizeof buf), PHONESEC_OK); /* DRBG made through the hook */
    assert_true(test_alloc_live > 0);
    phonesec_shutdown();
    /* everything the library and wolfCrypt's DRBG held went back through the hook */
    assert_int_equal(test_alloc_live, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(shutdown_frees_backend_state_through_the_hook),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

/* phonesec sigenc: LEGACY RC4 signal encoding of one datagram (stdin -> stdout).
 * Obfuscation only, not security. Uses the public API only. */
#include <stdio.h>
#include <string.h>

#include <phonesec.h>

#include "tool.h"

static void sigenc_log(void *ud, int level, const char *module, const char *msg)
{
    (void)level;
    (void)ud;
    fprintf(stderr, "phonesec sigenc: %s: %s\n", module, msg);
}

static void sigenc_usage(FILE *f)
{
    fprintf(f, "usage: phonesec sigenc encode|decode --profile raw --key-file F|--key-fd N < in > out\n"
               "  LEGACY RC4 signal encoding of one datagram: obfuscation, NOT security\n"
               "  (the keystream is the same for every datagram). Profiles:");
    for (size_t i = 0; phonesec_legacy_rc4_profile(i) != NULL; i++)
        fprintf(f, " %s", phonesec_legacy_rc4_profile(i));
    fprintf(f, "\n");
}

int phonesec_tool_sigenc(int argc, char **argv)
{
    static uint8_t in[65536 + 1], out[65536 * 2];
    char key[300];
    const char *profile = "raw";
    tool_secret_src key_src = {NULL, -1};
    int key_given = 0;
    long kl;
    size_t in_len, key_len, out_len;
    phonesec_legacy_rc4 *s = NULL;
    phonesec_platform plat;
    int encode, rc, ret = TOOL_FAIL;

    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        sigenc_usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? TOOL_USAGE : TOOL_OK;
    }
    if (strcmp(argv[1], "encode") == 0)
        encode = 1;
    else if (strcmp(argv[1], "decode") == 0)
        encode = 0;
    else if (strcmp(argv[1], "--version") == 0) {
        printf("phonesec sigenc %s\n", phonesec_version());
        return TOOL_OK;
    } else if (strcmp(argv[1], "--list-options") == 0) {
        printf("encode\ndecode\n--help\n--version\n");
        return TOOL_OK;
    } else
        return tool_usage_error("phonesec sigenc", "unknown subcommand '%s' (encode or decode)", argv[1]);
    {
        enum { OPT_PROFILE = 0x1100, OPT_KEY_FILE, OPT_KEY_FD };
        static const struct option sigenc_opts[] = {
            {"profile", required_argument, NULL, OPT_PROFILE},
            {"key-file", required_argument, NULL, OPT_KEY_FILE},
            {"key-fd", required_argument, NULL, OPT_KEY_FD},
            TOOL_OPTS_COMMON,
            {NULL, 0, NULL, 0}};
        const char *prog = encode ? "phonesec sigenc encode" : "phonesec sigenc decode";
        int o, st;
        for (optind = 0; (o = tool_getopt(argc - 1, argv + 1, prog, "", sigenc_opts, sigenc_usage, &st)) != -1;) {
            switch (o) {
            case TOOL_GETOPT_EXIT: return st;
            case OPT_PROFILE: profile = optarg; break;
            case OPT_KEY_FILE:
            case OPT_KEY_FD:
                if (key_given)
                    return tool_usage_error(prog, "the key comes from --key-file or --key-fd, once");
                key_given = 1;
                if (o == OPT_KEY_FILE)
                    key_src.path = optarg;
                else if (tool_parse_fd(optarg, &key_src.fd) != 0)
                    return tool_usage_error(prog, "--key-fd needs a descriptor number, not '%s'", optarg);
                break;
            default: return TOOL_USAGE;
            }
        }
        if (tool_operands(argc - 1, argv + 1, 0, 0, prog) != 0)
            return TOOL_USAGE;
    }
    if (!key_given) {
        fprintf(stderr, "phonesec sigenc: --key-file F or --key-fd N is required\n");
        return TOOL_USAGE;
    }
    if ((key_src.path != NULL && strcmp(key_src.path, "-") == 0) || (key_src.path == NULL && key_src.fd == 0)) {
        fprintf(stderr, "phonesec sigenc: standard input carries the datagram: give the key in a file or another "
                        "descriptor\n");
        return TOOL_USAGE;
    }
    kl = tool_read_secret("phonesec sigenc", &key_src, key, sizeof key);
    if (kl < 0)
        return TOOL_FAIL;
    key_len = (size_t)kl;
    while (key_len > 0 && (key[key_len - 1] == '\n' || key[key_len - 1] == '\r'))
        key_len--;
    if (key_len == 0 || key_len > 256) {
        fprintf(stderr, "phonesec sigenc: the key must be 1..256 bytes\n");
        phonesec_memzero(key, sizeof key);
        return TOOL_FAIL;
    }
    in_len = fread(in, 1, sizeof in, stdin);
    if (ferror(stdin) || in_len > 65535) {
        fprintf(stderr, "phonesec sigenc: cannot read the datagram (at most 65535 bytes)\n");
        phonesec_memzero(key, sizeof key);
        return TOOL_FAIL;
    }

    phonesec_platform_init(&plat);
    plat.log_fn = sigenc_log;
    if (phonesec_init(&plat) != PHONESEC_OK) {
        fprintf(stderr, "phonesec sigenc: cannot initialise the library\n");
        phonesec_memzero(key, sizeof key);
        return TOOL_FAIL;
    }
    if (phonesec_legacy_rc4_enable(1) != PHONESEC_OK)
        goto done;
    rc = phonesec_legacy_rc4_new(profile, (const uint8_t *)key, key_len, &s);
    if (rc != 0) {
        fprintf(stderr, "phonesec sigenc: %s\n",
                rc == PHONESEC_E_NOT_FOUND ? "unknown profile (see --help)" : phonesec_strerror(rc));
        goto done;
    }
    rc = encode ? phonesec_legacy_rc4_encode(s, in, in_len, out, sizeof out, &out_len)
                : phonesec_legacy_rc4_decode(s, in, in_len, out, sizeof out, &out_len);
    if (rc != 0) {
        char e[300];
        (void)phonesec_legacy_rc4_last_error(s, e, sizeof e);
        fprintf(stderr, "phonesec sigenc: %s\n", e[0] ? e : phonesec_strerror(rc));
        goto done;
    }
    if (fwrite(out, 1, out_len, stdout) != out_len || fflush(stdout) != 0) {
        fprintf(stderr, "phonesec sigenc: cannot write the output\n");
        goto done;
    }
    ret = TOOL_OK;
done:
    phonesec_legacy_rc4_free(s);
    phonesec_memzero(key, sizeof key);
    phonesec_shutdown();
    return ret;
}

/*
 * libphonesec - cfgcrypt: file helpers with atomic output.
 * SPDX-License-Identifier: MIT
 */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/internal.h"
#include "phonesec/cfgcrypt.h"

#define CHUNK (64u * 1024u)

struct job {
    char *err;
    size_t err_cap;
    int in_fd, out_fd;
    char *tmp; /* temporary path, or NULL */
};

#ifndef EDQUOT
#define EDQUOT ENOSPC
#endif

static int say(struct job *j, int code, const char *what, const char *path, int errnum)
{
    if (j->err != NULL && j->err_cap > 0) {
        char es[128] = "";
        if (errnum != 0 && strerror_r(errnum, es, sizeof es) != 0)
            snprintf(es, sizeof es, "errno %d", errnum);
        if (errnum == ENOSPC || errnum == EFBIG || errnum == EDQUOT)
            snprintf(j->err, j->err_cap, "%s %s: %s (disk full or file size limit)", what, path ? path : "", es);
        else if (errnum != 0)
            snprintf(j->err, j->err_cap, "%s %s: %s", what, path ? path : "", es);
        else
            snprintf(j->err, j->err_cap, "%s%s%s", what, path ? " " : "", path ? path : "");
    }
    return code;
}

static int write_all(int fd, const uint8_t *p, size_t n)
{
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        if (w == 0) {
            errno = ENOSPC;
            return -1;
        }
        p += (size_t)w, n -= (size_t)w;
    }
    return 0;
}

/* Directory part of path (".", or up to the last '/'); caller frees. */
static char *dir_of(const char *path)
{
    const char *slash = strrchr(path, '/');
    if (slash == NULL)
        return phonesec__strdup(".");
    if (slash == path)
        return phonesec__strdup("/");
    return phonesec__strndup(path, (size_t)(slash - path));
}

static int make_temp(struct job *j, const char *out_path)
{
    const char *slash = strrchr(out_path, '/');
    const char *base = slash ? slash + 1 : out_path;
    size_t dlen = slash ? (size_t)(slash - out_path) + 1 : 0;
    size_t n = dlen + 1 + strlen(base) + sizeof ".tmp.XXXXXX";
    j->tmp = phonesec__malloc(n);
    if (j->tmp == NULL)
        return say(j, PHONESEC_E_NOMEM, "out of memory", NULL, 0);
    memcpy(j->tmp, out_path, dlen);
    snprintf(j->tmp + dlen, n - dlen, ".%s.tmp.XXXXXX", base);
    j->out_fd = mkstemp(j->tmp); /* mode 0600 */
    if (j->out_fd < 0) {
        int e = errno;
        phonesec__free(j->tmp);
        j->tmp = NULL;
        return say(j, PHONESEC_E_IO, "cannot create a temporary file next to", out_path, e);
    }
    return PHONESEC_OK;
}

static int commit(struct job *j, const char *out_path)
{
    char *dir;
    int dfd;
    if (fsync(j->out_fd) != 0)
        return say(j, PHONESEC_E_IO, "cannot flush", j->tmp, errno);
    if (close(j->out_fd) != 0) {
        j->out_fd = -1;
        return say(j, PHONESEC_E_IO, "cannot close", j->tmp, errno);
    }
    j->out_fd = -1;
    if (rename(j->tmp, out_path) != 0)
        return say(j, PHONESEC_E_IO, "cannot rename the temporary file to", out_path, errno);
    phonesec__free(j->tmp);
    j->tmp = NULL;
    /* make the rename itself durable */
    dir = dir_of(out_path);
    if (dir != NULL) {
        dfd = open(dir, O_RDONLY);
        if (dfd >= 0) {
            (void)fsync(dfd);
            close(dfd);
        }
        phonesec__free(dir);
    }
    return PHONESEC_OK;
}

/* The output bound depends on what the context holds: grow the buffer when
 * needed (it stays below CHUNK + one record + a few blocks). */
static int grow(struct job *j, phonesec_cfgcrypt_ctx *ctx, size_t in_len, uint8_t **buf, size_t *cap)
{
    size_t need = phonesec_cfgcrypt_bound(ctx, in_len);
    uint8_t *nb;
    if (need <= *cap)
        return PHONESEC_OK;
    nb = phonesec__malloc(need);
    if (nb == NULL)
        return say(j, PHONESEC_E_NOMEM, "out of memory", NULL, 0);
    phonesec__free_secret(*buf, *cap);
    *buf = nb;
    *cap = need;
    return PHONESEC_OK;
}

int phonesec_cfgcrypt_file(const phonesec_cfgcrypt_params *p, int encrypt, const char *in_path, const char *out_path,
                      phonesec_cfgcrypt_progress_fn progress, void *user, char *err, size_t err_cap)
{
    struct job j;
    phonesec_cfgcrypt_ctx *ctx = NULL;
    uint8_t *ibuf = NULL, *obuf = NULL;
    size_t ocap = 0, olen;
    uint64_t done = 0, total = 0;
    struct stat ist, ost;
    int rc, to_stdout;

    memset(&j, 0, sizeof j);
    j.err = err;
    j.err_cap = err_cap;
    j.in_fd = j.out_fd = -1;
    if (err != NULL && err_cap > 0)
        err[0] = '\0';
    if (p == NULL || in_path == NULL || out_path == NULL || (err == NULL && err_cap > 0))
        return say(&j, PHONESEC_E_INVAL, "invalid argument", NULL, 0);
    to_stdout = strcmp(out_path, "-") == 0;
    if (strcmp(in_path, "-") != 0 && strcmp(in_path, out_path) == 0)
        return say(&j, PHONESEC_E_INVAL, "input and output are the same file:", in_path, 0);

    if (strcmp(in_path, "-") == 0) {
        j.in_fd = STDIN_FILENO;
    } else {
        j.in_fd = open(in_path, O_RDONLY);
        if (j.in_fd < 0)
            return say(&j, PHONESEC_E_IO, "cannot open input", in_path, errno);
    }
    if (fstat(j.in_fd, &ist) == 0 && S_ISREG(ist.st_mode))
        total = (uint64_t)ist.st_size;
    if (!to_stdout && stat(out_path, &ost) == 0 && fstat(j.in_fd, &ist) == 0 && ost.st_dev == ist.st_dev &&
        ost.st_ino == ist.st_ino) {
        rc = say(&j, PHONESEC_E_INVAL, "input and output are the same file:", out_path, 0);
        goto out;
    }

    rc = encrypt ? phonesec_cfgcrypt_encrypt_new(p, &ctx) : phonesec_cfgcrypt_decrypt_new(p, &ctx);
    if (rc != 0) {
        say(&j, rc, encrypt ? "cannot start encryption (check key, password and options)"
                            : "cannot start decryption (check key, password and options)", NULL, 0);
        goto out;
    }
    ibuf = phonesec__malloc(CHUNK);
    ocap = phonesec_cfgcrypt_bound(ctx, CHUNK);
    obuf = phonesec__malloc(ocap);
    if (ibuf == NULL || obuf == NULL) {
        rc = say(&j, PHONESEC_E_NOMEM, "out of memory", NULL, 0);
        goto out;
    }
    if (to_stdout)
        j.out_fd = STDOUT_FILENO;
    else if ((rc = make_temp(&j, out_path)) != 0)
        goto out;

    for (;;) {
        ssize_t r = read(j.in_fd, ibuf, CHUNK);
        if (r < 0) {
            if (errno == EINTR)
                continue;
            rc = say(&j, PHONESEC_E_IO, "cannot read", in_path, errno);
            goto out;
        }
        if (r == 0)
            break;
        if ((rc = grow(&j, ctx, (size_t)r, &obuf, &ocap)) != 0)
            goto out;
        rc = phonesec_cfgcrypt_update(ctx, ibuf, (size_t)r, obuf, ocap, &olen);
        if (rc != 0)
            goto ctx_err;
        if (write_all(j.out_fd, obuf, olen) != 0) {
            rc = say(&j, PHONESEC_E_IO, "cannot write", to_stdout ? "standard output" : j.tmp, errno);
            goto out;
        }
        done += (uint64_t)r;
        if (progress != NULL)
            progress(user, done, total);
    }
    if ((rc = grow(&j, ctx, 0, &obuf, &ocap)) != 0)
        goto out;
    rc = phonesec_cfgcrypt_final(ctx, obuf, ocap, &olen);
    if (rc != 0)
        goto ctx_err;
    if (write_all(j.out_fd, obuf, olen) != 0) {
        rc = say(&j, PHONESEC_E_IO, "cannot write", to_stdout ? "standard output" : j.tmp, errno);
        goto out;
    }
    if (!to_stdout)
        rc = commit(&j, out_path);
    goto out;

ctx_err:
    if (err != NULL && err_cap > 0)
        (void)phonesec_cfgcrypt_last_error(ctx, err, err_cap);
out:
    if (obuf != NULL)
        phonesec__free_secret(obuf, ocap);
    if (ibuf != NULL)
        phonesec__free_secret(ibuf, CHUNK);
    phonesec_cfgcrypt_free(ctx);
    if (j.in_fd >= 0 && j.in_fd != STDIN_FILENO)
        close(j.in_fd);
    if (!to_stdout && j.out_fd >= 0)
        close(j.out_fd);
    if (j.tmp != NULL) {
        unlink(j.tmp);
        phonesec__free(j.tmp);
    }
    return rc;
}

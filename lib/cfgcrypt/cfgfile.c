/*
 * libphonesec - cfgcrypt: file helper. Output rules:
 * - a regular OUT (or one that does not exist yet) is written atomically: an
 *   unnamed O_TMPFILE (Linux) or a named temporary file in OUT's directory,
 *   fsync, rename, fsync of the directory; nothing is left on failure;
 * - "-", /dev/stdout, /dev/stderr, /dev/stdin, /dev/fd/N and /proc/self/fd/N
 *   write to that descriptor in place; an OUT that is a character device or a
 *   FIFO (also through a symbolic link) is opened and written in place;
 * - an OUT that is a symbolic link to anything else, a directory, a block
 *   device or a socket is refused;
 * - IN and OUT (and standard input/output behind them) that are one file
 *   are refused.
 * SPDX-License-Identifier: MIT
 */
#if defined(__linux__) && !defined(_GNU_SOURCE)
#define _GNU_SOURCE /* O_TMPFILE */
#endif
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cfgcrypt/cfgcrypt_int.h"
#include "core/internal.h"
#include "phonesec/cfgcrypt.h"

#define CHUNK (64u * 1024u)

#ifndef O_CLOEXEC
#define O_CLOEXEC 0
#endif
#ifndef O_NOCTTY
#define O_NOCTTY 0
#endif
#ifndef EDQUOT
#define EDQUOT ENOSPC
#endif

int phonesec__cfgfile_no_tmpfile;

/* ---- temporary files named on disk, for a host's signal handler ---------
 * A slot holds the path of a named temporary file while it exists. The
 * handler only reads slots and calls unlink(); an owner clears its slot and
 * waits until no handler is scanning before it frees the path, so a handler
 * never reads freed memory. Lock-free atomics and unlink() are
 * async-signal-safe. */
#define TMP_SLOTS 8
static _Atomic(char *) tmp_slot[TMP_SLOTS];
static atomic_int tmp_scanning;

static int tmp_register(char *path)
{
    int i;
    for (i = 0; i < TMP_SLOTS; i++) {
        char *expect = NULL;
        if (atomic_compare_exchange_strong(&tmp_slot[i], &expect, path))
            return i;
    }
    return -1; /* more than TMP_SLOTS calls at once: that one is not covered */
}

static void tmp_unregister(int slot)
{
    if (slot < 0)
        return;
    atomic_store(&tmp_slot[slot], NULL);
    while (atomic_load(&tmp_scanning) > 0)
        ; /* a handler in another thread is reading the slots: it is short */
}

void phonesec_cfgcrypt_signal_cleanup(void)
{
    int i, saved = errno;
    atomic_fetch_add(&tmp_scanning, 1);
    for (i = 0; i < TMP_SLOTS; i++) {
        char *p = atomic_load(&tmp_slot[i]);
        if (p != NULL)
            (void)unlink(p);
    }
    atomic_fetch_sub(&tmp_scanning, 1);
    errno = saved;
}

/* ---- the job ----------------------------------------------------------- */

enum { OUT_ATOMIC, OUT_IN_PLACE };

struct job {
    char *err;
    size_t err_cap;
    int in_fd, out_fd, dir_fd;
    int out_kind, out_owned;
    char *dir;      /* OUT's directory (atomic output) */
    const char *base;   /* OUT's last component */
    char *tmp;      /* named temporary file: path (dir + name), or NULL */
    size_t tmp_dlen;    /* where its name starts in tmp */
    int tmp_named;  /* the name exists on disk and is ours */
    int tmp_slot;
    int unnamed;    /* out_fd is an O_TMPFILE */
};

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

/* 1 when both name one file that reading and writing at once would damage
 * (a regular file, a FIFO, a block device; a terminal or /dev/null is fine). */
static int same_file(const struct stat *a, const struct stat *b)
{
    return a->st_dev == b->st_dev && a->st_ino == b->st_ino && !S_ISCHR(a->st_mode);
}

/* "/dev/stdout", "/dev/fd/3", "/proc/self/fd/3"...: the descriptor, or -1. */
static int special_fd(const char *path)
{
    const char *num = NULL;
    char *end;
    long v;
    if (strcmp(path, "-") == 0 || strcmp(path, "/dev/stdout") == 0)
        return STDOUT_FILENO;
    if (strcmp(path, "/dev/stderr") == 0)
        return STDERR_FILENO;
    if (strcmp(path, "/dev/stdin") == 0)
        return STDIN_FILENO;
    if (strncmp(path, "/dev/fd/", 8) == 0)
        num = path + 8;
    else if (strncmp(path, "/proc/self/fd/", 14) == 0)
        num = path + 14;
    if (num == NULL || *num < '0' || *num > '9')
        return -1;
    errno = 0;
    v = strtol(num, &end, 10);
    if (errno != 0 || *end != '\0' || v > 65535)
        return -1;
    return (int)v;
}

/* Decide how OUT is written; opens it when written in place. */
static int open_out(struct job *j, const char *out_path)
{
    struct stat lst, st;
    int fd = special_fd(out_path);
    const char *slash;

    if (fd >= 0) {
        if (fcntl(fd, F_GETFD) < 0)
            return say(j, PHONESEC_E_IO, "output descriptor is not open:", out_path, 0);
        j->out_kind = OUT_IN_PLACE;
        j->out_fd = fd;
        j->out_owned = 0;
        return PHONESEC_OK;
    }
    if (lstat(out_path, &lst) == 0) {
        if (S_ISLNK(lst.st_mode)) {
            if (stat(out_path, &st) != 0 || !(S_ISCHR(st.st_mode) || S_ISFIFO(st.st_mode)))
                return say(j, PHONESEC_E_INVAL,
                           "output is a symbolic link (refused: name the file it points to):", out_path, 0);
        } else {
            st = lst;
        }
        if (S_ISDIR(st.st_mode))
            return say(j, PHONESEC_E_INVAL, "output is a directory:", out_path, 0);
        if (S_ISCHR(st.st_mode) || S_ISFIFO(st.st_mode)) {
            j->out_fd = open(out_path, O_WRONLY | O_NOCTTY | O_CLOEXEC);
            if (j->out_fd < 0)
                return say(j, PHONESEC_E_IO, "cannot open output", out_path, errno);
            j->out_kind = OUT_IN_PLACE;
            j->out_owned = 1;
            if (fstat(j->out_fd, &st) != 0 || !(S_ISCHR(st.st_mode) || S_ISFIFO(st.st_mode)))
                return say(j, PHONESEC_E_INVAL, "output changed while it was opened:", out_path, 0);
            return PHONESEC_OK;
        }
        if (!S_ISREG(st.st_mode))
            return say(j, PHONESEC_E_INVAL, "output is a block device or a socket (refused):", out_path, 0);
    } else if (errno != ENOENT) {
        return say(j, PHONESEC_E_IO, "cannot examine output", out_path, errno);
    }
    /* A regular file, or a new one: atomic. Everything the commit needs is
     * allocated and opened now, so nothing can fail half-way later. */
    j->out_kind = OUT_ATOMIC;
    slash = strrchr(out_path, '/');
    j->base = slash ? slash + 1 : out_path;
    if (j->base[0] == '\0' || strcmp(j->base, ".") == 0 || strcmp(j->base, "..") == 0)
        return say(j, PHONESEC_E_INVAL, "output names a directory:", out_path, 0);
    if (slash == NULL)
        j->dir = phonesec__strdup(".");
    else if (slash == out_path)
        j->dir = phonesec__strdup("/");
    else
        j->dir = phonesec__strndup(out_path, (size_t)(slash - out_path));
    /* the temporary file's path: <dir>/.<base>.tmp.XXXXXX */
    j->tmp_dlen = slash ? (size_t)(slash - out_path) + 1 : 0;
    {
        size_t n = j->tmp_dlen + 1 + strlen(j->base) + sizeof ".tmp.XXXXXX";
        j->tmp = phonesec__malloc(n);
        if (j->tmp != NULL) {
            memcpy(j->tmp, out_path, j->tmp_dlen);
            snprintf(j->tmp + j->tmp_dlen, n - j->tmp_dlen, ".%s.tmp.XXXXXX", j->base);
        }
    }
    if (j->dir == NULL || j->tmp == NULL)
        return say(j, PHONESEC_E_NOMEM, "out of memory", NULL, 0);
    j->dir_fd = open(j->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (j->dir_fd < 0)
        return say(j, PHONESEC_E_IO, "cannot open the directory of", out_path, errno);
    return PHONESEC_OK;
}

/* Fill the XXXXXX of j->tmp with fresh characters. */
static int fresh_name(struct job *j)
{
    static const char cs[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    uint8_t r[6];
    size_t n = strlen(j->tmp), i;
    if (phonesec_random(r, sizeof r) != 0)
        return -1;
    for (i = 0; i < 6; i++)
        j->tmp[n - 6 + i] = cs[r[i] % (sizeof cs - 1)];
    return 0;
}

static int make_temp(struct job *j, const char *out_path)
{
#ifdef O_TMPFILE
    /* Unnamed until the commit: nothing to clean up after any signal, even
     * SIGKILL. linkat() through /proc/self/fd needs /proc. */
    if (!phonesec__cfgfile_no_tmpfile && access("/proc/self/fd", X_OK) == 0) {
        j->out_fd = openat(j->dir_fd, ".", O_TMPFILE | O_WRONLY | O_CLOEXEC, 0600);
        if (j->out_fd >= 0) {
            j->unnamed = 1;
            j->out_owned = 1;
            return PHONESEC_OK;
        }
        /* not supported by this file system: the portable way */
    }
#endif
    j->tmp_slot = tmp_register(j->tmp);
    j->out_fd = mkstemp(j->tmp); /* mode 0600 */
    if (j->out_fd < 0) {
        int e = errno;
        tmp_unregister(j->tmp_slot);
        j->tmp_slot = -1;
        return say(j, PHONESEC_E_IO, "cannot create a temporary file next to", out_path, e);
    }
    (void)fcntl(j->out_fd, F_SETFD, FD_CLOEXEC);
    j->tmp_named = 1;
    j->out_owned = 1;
    return PHONESEC_OK;
}

static int commit(struct job *j, const char *out_path)
{
    int rc;
    if (fsync(j->out_fd) != 0)
        return say(j, PHONESEC_E_IO, "cannot flush the output for", out_path, errno);
#ifdef O_TMPFILE
    if (j->unnamed) {
        char proc[64];
        int tries;
        snprintf(proc, sizeof proc, "/proc/self/fd/%d", j->out_fd);
        j->tmp_slot = tmp_register(j->tmp);
        for (tries = 0;; tries++) {
            if (fresh_name(j) != 0) {
                return say(j, PHONESEC_E_RANDOM, "the random source failed", NULL, 0);
            }
            if (linkat(AT_FDCWD, proc, j->dir_fd, j->tmp + j->tmp_dlen, AT_SYMLINK_FOLLOW) == 0)
                break;
            if (errno != EEXIST || tries == 20)
                return say(j, PHONESEC_E_IO, "cannot give the output a name next to", out_path, errno);
        }
        j->tmp_named = 1;
    }
#endif
    if (close(j->out_fd) != 0) {
        j->out_fd = -1;
        return say(j, PHONESEC_E_IO, "cannot close the output for", out_path, errno);
    }
    j->out_fd = -1;
    if (renameat(j->dir_fd, j->tmp + j->tmp_dlen, j->dir_fd, j->base) != 0)
        return say(j, PHONESEC_E_IO, "cannot rename the temporary file to", out_path, errno);
    j->tmp_named = 0;
    /* Make the rename itself durable. A file system that cannot sync a
     * directory says EINVAL; any other failure is reported. */
    rc = fsync(j->dir_fd);
    if (rc != 0 && errno != EINVAL && errno != ENOTSUP)
        return say(j, PHONESEC_E_IO, "output renamed, but its directory could not be flushed:", out_path, errno);
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
    int rc, in_std;
    const char *out_name;

    memset(&j, 0, sizeof j);
    j.err = err;
    j.err_cap = err_cap;
    j.in_fd = j.out_fd = j.dir_fd = -1;
    j.tmp_slot = -1;
    if (err != NULL && err_cap > 0)
        err[0] = '\0';
    if (p == NULL || in_path == NULL || out_path == NULL || (err == NULL && err_cap > 0))
        return say(&j, PHONESEC_E_INVAL, "invalid argument", NULL, 0);
    in_std = strcmp(in_path, "-") == 0;
    if (!in_std && strcmp(in_path, out_path) == 0)
        return say(&j, PHONESEC_E_INVAL, "input and output are the same file:", in_path, 0);

    if (in_std) {
        j.in_fd = STDIN_FILENO;
    } else {
        j.in_fd = open(in_path, O_RDONLY | O_NOCTTY | O_CLOEXEC);
        if (j.in_fd < 0)
            return say(&j, PHONESEC_E_IO, "cannot open input", in_path, errno);
    }
    if (fstat(j.in_fd, &ist) != 0) {
        rc = say(&j, PHONESEC_E_IO, "cannot examine input", in_std ? "(standard input)" : in_path, errno);
        goto out;
    }
    if (S_ISREG(ist.st_mode))
        total = (uint64_t)ist.st_size;
    if ((rc = open_out(&j, out_path)) != 0)
        goto out;
    out_name = strcmp(out_path, "-") == 0 ? "standard output" : out_path;
    /* IN and OUT one file: through a link, or through standard input or
     * output (`1<>IN`, `>> IN`, `< OUT`). */
    if (j.out_kind == OUT_IN_PLACE) {
        if (fstat(j.out_fd, &ost) == 0 && same_file(&ist, &ost)) {
            rc = say(&j, PHONESEC_E_INVAL, "input and output are the same file:", out_name, 0);
            goto out;
        }
    } else if (stat(out_path, &ost) == 0 && same_file(&ist, &ost)) {
        rc = say(&j, PHONESEC_E_INVAL, "input and output are the same file:", out_path, 0);
        goto out;
    }

    rc = phonesec__cfgcrypt_new(p, encrypt, &ctx, err, err_cap);
    if (rc != 0)
        goto out;
    ibuf = phonesec__malloc(CHUNK);
    ocap = phonesec_cfgcrypt_bound(ctx, CHUNK);
    obuf = phonesec__malloc(ocap);
    if (ibuf == NULL || obuf == NULL) {
        rc = say(&j, PHONESEC_E_NOMEM, "out of memory", NULL, 0);
        goto out;
    }
    if (j.out_kind == OUT_ATOMIC && (rc = make_temp(&j, out_path)) != 0)
        goto out;

    for (;;) {
        ssize_t r = read(j.in_fd, ibuf, CHUNK);
        if (r < 0) {
            if (errno == EINTR)
                continue;
            rc = say(&j, PHONESEC_E_IO, "cannot read", in_std ? "standard input" : in_path, errno);
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
            rc = say(&j, PHONESEC_E_IO, "cannot write", out_name, errno);
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
        rc = say(&j, PHONESEC_E_IO, "cannot write", out_name, errno);
        goto out;
    }
    if (j.out_kind == OUT_ATOMIC)
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
    if (j.in_fd >= 0 && !in_std)
        close(j.in_fd);
    if (j.out_owned && j.out_fd >= 0)
        close(j.out_fd); /* an unnamed temporary file vanishes here */
    if (j.tmp_named)
        (void)unlinkat(j.dir_fd, j.tmp + j.tmp_dlen, 0);
    tmp_unregister(j.tmp_slot);
    if (j.dir_fd >= 0)
        close(j.dir_fd);
    phonesec__free(j.tmp);
    phonesec__free(j.dir);
    return rc;
}

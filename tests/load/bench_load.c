/* Load benchmark (issue 17, `meson test --benchmark --suite load`): a TLS
 * server on plain sockets on 127.0.0.1 holding N (default 1,000) concurrent
 * connections, built two ways in the same run:
 *   - "ours": libphonesec's public API (callback mode, phonesec_tls_io_socket);
 *   - "bare": wolfSSL directly (the anchor), same certificate, same TLS 1.3
 *     suite, same non-blocking accept loop.
 * The clients are the same in both runs (bare wolfSSL, verifying the chain),
 * in a separate process, so the server's memory is measured alone; each
 * server runs in a fresh process so its RSS starts from the same point.
 * Reported, as ratios against bare wolfSSL:
 *   - RSS per held connection: (RSS with N established connections - RSS
 *     before the first accept) / N;
 *   - handshakes per second: N / (time from the first accept until the N-th
 *     handshake completed), everything concurrent.
 * RLIMIT_NOFILE is raised to what N needs. Env: PHONESEC_LOAD_CONNS (N),
 * PHONESEC_LOAD_ROUNDS (rounds per server kind; the best counts). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <wolfssl/options.h>
#include <wolfssl/ssl.h>

#include <phonesec.h>

#include "thread_util.h" /* tu_rss_kib(); it includes tls_test_util.h */

#define SUITE13 "TLS_AES_128_GCM_SHA256"
#define WOLF13 "TLS13-AES128-GCM-SHA256"

static int g_n = 1000;

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void die(const char *what)
{
    fprintf(stderr, "bench_load: %s failed (%s)\n", what, strerror(errno));
    exit(1);
}

static void nonblock(int fd)
{
    int fl = fcntl(fd, F_GETFL);
    if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) != 0)
        die("fcntl");
}

static void write_all(int fd, const void *p, size_t n)
{
    if (write(fd, p, n) != (ssize_t)n)
        die("write to pipe");
}

static void read_all(int fd, void *p, size_t n)
{
    size_t got = 0;
    while (got < n) {
        ssize_t r = read(fd, (char *)p + got, n - got);
        if (r <= 0)
            die("read from pipe");
        got += (size_t)r;
    }
}

/* ------------------------------------------------------------ clients (bare wolfSSL) */

static void run_clients(unsigned port, int ready_fd, int go_fd)
{
    WOLFSSL_CTX *ctx;
    WOLFSSL **ssl = calloc((size_t)g_n, sizeof *ssl);
    int *fd = calloc((size_t)g_n, sizeof *fd), *done = calloc((size_t)g_n, sizeof *done);
    struct pollfd *pf = calloc((size_t)g_n, sizeof *pf);
    struct sockaddr_in a;
    int i, ndone = 0, failed = 0;
    char c;

    wolfSSL_Init();
    ctx = wolfSSL_CTX_new(wolfTLSv1_3_client_method());
    if (ctx == NULL || ssl == NULL || fd == NULL || done == NULL || pf == NULL ||
        wolfSSL_CTX_load_verify_locations(ctx, cert_path("ca.crt"), NULL) != 1 ||
        wolfSSL_CTX_set_cipher_list(ctx, WOLF13) != 1)
        die("client set-up");
    wolfSSL_CTX_set_verify(ctx, WOLFSSL_VERIFY_PEER, NULL);
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = htons((uint16_t)port);
    for (i = 0; i < g_n; i++) {
        fd[i] = socket(AF_INET, SOCK_STREAM, 0);
        if (fd[i] < 0)
            die("client socket");
        nonblock(fd[i]);
        if (connect(fd[i], (struct sockaddr *)&a, sizeof a) != 0 && errno != EINPROGRESS)
            die("connect");
        ssl[i] = wolfSSL_new(ctx);
        if (ssl[i] == NULL || wolfSSL_set_fd(ssl[i], fd[i]) != 1)
            die("client wolfSSL_new");
        wolfSSL_UseSNI(ssl[i], WOLFSSL_SNI_HOST_NAME, "sip.example.com", 15);
        pf[i].fd = fd[i];
        pf[i].events = POLLOUT;
    }
    while (ndone + failed < g_n) {
        if (poll(pf, (nfds_t)g_n, 10000) <= 0)
            die("client poll (stalled)");
        for (i = 0; i < g_n; i++) {
            int r, e;
            if (done[i] || pf[i].revents == 0)
                continue;
            r = wolfSSL_connect(ssl[i]);
            if (r == WOLFSSL_SUCCESS) {
                done[i] = 1;
                ndone++;
                pf[i].fd = -1;
                continue;
            }
            e = wolfSSL_get_error(ssl[i], r);
            if (e == WOLFSSL_ERROR_WANT_READ)
                pf[i].events = POLLIN;
            else if (e == WOLFSSL_ERROR_WANT_WRITE)
                pf[i].events = POLLOUT;
            else {
                done[i] = 1;
                failed++;
                pf[i].fd = -1;
            }
        }
    }
    write_all(ready_fd, &failed, sizeof failed);
    read_all(go_fd, &c, 1); /* hold every connection until the server measured */
    for (i = 0; i < g_n; i++) {
        wolfSSL_free(ssl[i]);
        close(fd[i]);
    }
    wolfSSL_CTX_free(ctx);
    wolfSSL_Cleanup();
    exit(failed ? 1 : 0);
}

/* ------------------------------------------------------------ servers */

typedef struct {
    int fd;
    int done;
    phonesec_tls_io io;
    phonesec_tls_conn *conn; /* ours */
    WOLFSSL *ssl;            /* bare */
} sconn;

typedef struct {
    long rss_before, rss_held;
    double seconds;
    int established, failed;
} result;

static phonesec_tls_ctx *g_ours;
static WOLFSSL_CTX *g_bare;

static void server_setup(int bare)
{
    if (bare) {
        wolfSSL_Init();
        g_bare = wolfSSL_CTX_new(wolfTLSv1_3_server_method());
        if (g_bare == NULL ||
            wolfSSL_CTX_use_certificate_file(g_bare, cert_path("server.crt"), WOLFSSL_FILETYPE_PEM) != 1 ||
            wolfSSL_CTX_use_PrivateKey_file(g_bare, cert_path("server.key"), WOLFSSL_FILETYPE_PEM) != 1 ||
            wolfSSL_CTX_set_cipher_list(g_bare, WOLF13) != 1)
            die("bare server set-up");
        wolfSSL_CTX_set_verify(g_bare, WOLFSSL_VERIFY_NONE, NULL);
    } else {
        phonesec_tls_config cfg;
        phonesec_tls_config_init(&cfg);
        cfg.role = PHONESEC_TLS_SERVER;
        cfg.tls13_ciphers = SUITE13;
        if (phonesec_tls_ctx_new(&cfg, &g_ours) != 0 ||
            phonesec_tls_ctx_set_certificate_file(g_ours, cert_path("server.crt"), cert_path("server.key")) != 0)
            die("libphonesec server set-up");
    }
}

/* One step of the handshake: 1 done, 0 wants more (events set), -1 failed. */
static int server_step(int bare, sconn *s, short *events)
{
    if (bare) {
        int r = wolfSSL_accept(s->ssl), e;
        if (r == WOLFSSL_SUCCESS)
            return 1;
        e = wolfSSL_get_error(s->ssl, r);
        if (e == WOLFSSL_ERROR_WANT_READ || e == WOLFSSL_ERROR_WANT_WRITE) {
            *events = e == WOLFSSL_ERROR_WANT_READ ? POLLIN : POLLOUT;
            return 0;
        }
        return -1;
    } else {
        int r = phonesec_tls_conn_handshake(s->conn);
        unsigned w;
        if (r == PHONESEC_OK)
            return 1;
        if (r != PHONESEC_E_WOULD_BLOCK)
            return -1;
        w = phonesec_tls_conn_wants(s->conn);
        *events = (short)(((w & PHONESEC_TLS_WANT_WRITE) ? POLLOUT : 0) | ((w & PHONESEC_TLS_WANT_READ) ? POLLIN : 0));
        if (*events == 0)
            *events = POLLIN;
        return 0;
    }
}

static int server_new(int bare, sconn *s)
{
    if (bare) {
        s->ssl = wolfSSL_new(g_bare);
        return s->ssl != NULL && wolfSSL_set_fd(s->ssl, s->fd) == 1 ? 0 : -1;
    }
    if (phonesec_tls_io_socket(&s->io, &s->fd) != 0)
        return -1;
    {
        phonesec_tls_conn_config cc;
        phonesec_tls_conn_config_init(&cc);
        cc.io = s->io;
        return phonesec_tls_conn_new(g_ours, &cc, &s->conn) == 0 ? 0 : -1;
    }
}

/* Serve until N handshakes completed; report; hold them until told. */
static void run_server(int bare, int lfd, int res_fd, int go_fd, int warm_port_unused)
{
    sconn *sc = calloc((size_t)g_n, sizeof *sc);
    struct pollfd *pf = calloc((size_t)g_n + 1, sizeof *pf);
    int nconn = 0, i;
    result r;
    double t0 = 0;
    char c;
    (void)warm_port_unused;

    memset(&r, 0, sizeof r);
    if (sc == NULL || pf == NULL)
        die("calloc");
    server_setup(bare);
    r.rss_before = tu_rss_kib();
    pf[0].fd = lfd;
    pf[0].events = POLLIN;
    while (r.established + r.failed < g_n) {
        if (poll(pf, (nfds_t)nconn + 1, 10000) <= 0)
            die("server poll (stalled)");
        if (pf[0].revents & POLLIN) {
            for (;;) {
                int fd = accept(lfd, NULL, NULL);
                if (fd < 0)
                    break;
                if (nconn == g_n)
                    die("more connections than expected");
                if (t0 == 0)
                    t0 = now_s();
                nonblock(fd);
                sc[nconn].fd = fd;
                if (server_new(bare, &sc[nconn]) != 0)
                    die("server connection");
                pf[nconn + 1].fd = fd;
                pf[nconn + 1].events = POLLIN;
                pf[nconn + 1].revents = POLLIN;
                nconn++;
            }
        }
        for (i = 0; i < nconn; i++) {
            short ev = POLLIN;
            int st;
            if (sc[i].done || pf[i + 1].revents == 0)
                continue;
            st = server_step(bare, &sc[i], &ev);
            if (st == 0) {
                pf[i + 1].events = ev;
                continue;
            }
            sc[i].done = 1;
            pf[i + 1].fd = -1;
            if (st > 0)
                r.established++;
            else
                r.failed++;
        }
    }
    r.seconds = now_s() - t0;
    r.rss_held = tu_rss_kib();
    write_all(res_fd, &r, sizeof r);
    read_all(go_fd, &c, 1);
    for (i = 0; i < nconn; i++) {
        if (bare)
            wolfSSL_free(sc[i].ssl);
        else
            phonesec_tls_conn_free(sc[i].conn);
        close(sc[i].fd);
    }
    exit(0);
}

/* One round: a fresh server process and a fresh client process. */
static int round_once(int bare, result *out)
{
    int lfd, p_res[2], p_sgo[2], p_ready[2], p_cgo[2], failed = 0, st;
    struct sockaddr_in a;
    socklen_t al = sizeof a;
    pid_t srv, cli;
    char go = 'g';

    lfd = socket(AF_INET, SOCK_STREAM, 0);
    if (lfd < 0)
        die("socket");
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (bind(lfd, (struct sockaddr *)&a, sizeof a) != 0 || listen(lfd, 4096) != 0 ||
        getsockname(lfd, (struct sockaddr *)&a, &al) != 0)
        die("listen");
    nonblock(lfd);
    if (pipe(p_res) != 0 || pipe(p_sgo) != 0 || pipe(p_ready) != 0 || pipe(p_cgo) != 0)
        die("pipe");
    fflush(NULL); /* nothing buffered may be printed twice by the children */
    srv = fork();
    if (srv == 0)
        run_server(bare, lfd, p_res[1], p_sgo[0], 0);
    close(lfd);
    cli = fork();
    if (cli == 0)
        run_clients(ntohs(a.sin_port), p_ready[1], p_cgo[0]);
    read_all(p_res[0], out, sizeof *out);
    read_all(p_ready[0], &failed, sizeof failed);
    write_all(p_sgo[1], &go, 1);
    write_all(p_cgo[1], &go, 1);
    if (waitpid(srv, &st, 0) != srv || !WIFEXITED(st) || WEXITSTATUS(st) != 0)
        return -1;
    if (waitpid(cli, &st, 0) != cli || !WIFEXITED(st) || WEXITSTATUS(st) != 0)
        return -1;
    close(p_res[0]); close(p_res[1]); close(p_sgo[0]); close(p_sgo[1]);
    close(p_ready[0]); close(p_ready[1]); close(p_cgo[0]); close(p_cgo[1]);
    return out->established == g_n && failed == 0 ? 0 : -1;
}

int main(void)
{
    struct rlimit rl;
    int rounds = getenv("PHONESEC_LOAD_ROUNDS") ? atoi(getenv("PHONESEC_LOAD_ROUNDS")) : 3, r, k;
    double best_hs[2] = {0, 0}, best_rss[2] = {1e30, 1e30};
    static const char *const name[2] = {"libphonesec", "bare wolfSSL"};

    if (getenv("PHONESEC_LOAD_CONNS"))
        g_n = atoi(getenv("PHONESEC_LOAD_CONNS"));
    if (g_n < 1 || g_n > 20000)
        return 2;
    /* both server and client processes need one descriptor per connection */
    if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
        die("getrlimit");
    if (rl.rlim_cur < (rlim_t)g_n + 64) {
        rl.rlim_cur = (rlim_t)g_n + 64;
        if (rl.rlim_max < rl.rlim_cur || setrlimit(RLIMIT_NOFILE, &rl) != 0) {
            fprintf(stderr, "bench_load: cannot raise RLIMIT_NOFILE to %d\n", g_n + 64);
            return 77;
        }
    }
    signal(SIGPIPE, SIG_IGN);
    if (make_certs() != 0)
        return 1;
    /* interleaved rounds; the best of each counts (the machine is shared) */
    for (r = 0; r < rounds; r++)
        for (k = 1; k >= 0; k--) {
            result res;
            double hs, per;
            if (round_once(k, &res) != 0) {
                fprintf(stderr, "bench_load: %s round failed (%d of %d established)\n", name[k], res.established,
                        g_n);
                remove_certs();
                return 1;
            }
            hs = g_n / res.seconds;
            per = (double)(res.rss_held - res.rss_before) * 1024.0 / g_n;
            printf("round %d %-12s: %d connections held, %.0f handshakes/s, RSS %ld -> %ld KiB (%.1f KiB per "
                   "connection)\n", r + 1, name[k], res.established, hs, res.rss_before, res.rss_held, per / 1024.0);
            if (hs > best_hs[k])
                best_hs[k] = hs;
            if (per < best_rss[k])
                best_rss[k] = per;
        }
    remove_certs();
    printf("connections held: %d (both servers)\n", g_n);
    printf("RSS per held connection: libphonesec %.1f KiB, bare wolfSSL %.1f KiB: ratio %.2f\n", best_rss[0] / 1024,
           best_rss[1] / 1024, best_rss[0] / best_rss[1]);
    printf("handshakes/s (%d concurrent): libphonesec %.0f, bare wolfSSL %.0f: ratio %.2f\n", g_n, best_hs[0],
           best_hs[1], best_hs[0] / best_hs[1]);
    return 0;
}

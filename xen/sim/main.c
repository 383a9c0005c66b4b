/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * xensimd: options, start-up (a lock so only one daemon serves a socket,
 * the socket appearing only once it is ready), signals, the event loop.
 * The state it serves and one round of the loop are in state.c.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <libgen.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/file.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "sim.h"

struct options {
    const char *socket;
    const char *pidfile;
    bool foreground;
};

static void usage(FILE *f)
{
    fprintf(f,
"Usage: xensimd [--socket PATH] [--pidfile FILE] [--foreground]\n"
"\n"
"The simulated Xen hypervisor: serves Xen's device-model, foreign-memory,\n"
"event-channel and domain-control calls on a UNIX socket.\n"
"\n"
"  --socket PATH   the socket to serve (default $%s, else %s)\n"
"  --pidfile FILE  write the daemon's pid to FILE once it is ready\n"
"  --foreground    do not detach (the log goes to stderr either way)\n"
"  -h, --help      this help\n",
            XENSIM_SOCKET_ENV, XENSIM_DEFAULT_SOCKET);
}

static int parse_options(int argc, char **argv, struct options *o)
{
    static const struct option longopts[] = {
        { "socket", required_argument, NULL, 's' },
        { "pidfile", required_argument, NULL, 'p' },
        { "foreground", no_argument, NULL, 'f' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    int opt;

    o->socket = getenv(XENSIM_SOCKET_ENV);
    if (!o->socket || !*o->socket)
        o->socket = XENSIM_DEFAULT_SOCKET;
    while ((opt = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        switch (opt) {
        case 's':
            o->socket = optarg;
            break;
        case 'p':
            o->pidfile = optarg;
            break;
        case 'f':
            o->foreground = true;
            break;
        case 'h':
            usage(stdout);
            exit(0);
        default:
            usage(stderr);
            return -1;
        }
    }
    if (optind != argc) {
        fprintf(stderr, "xensimd: unexpected argument '%s'\n", argv[optind]);
        usage(stderr);
        return -1;
    }
    if (strlen(o->socket) + 16 > sizeof(((struct sockaddr_un *)0)->sun_path)) {
        fprintf(stderr, "xensimd: socket path '%s' is too long\n", o->socket);
        return -1;
    }
    return 0;
}

/* Detached start: the parent waits until the child serves or fails. */
static int detach(int *ready_fd)
{
    int fds[2], fd;
    pid_t pid;
    char status = 1;

    if (pipe(fds) < 0)
        return -1;
    pid = fork();
    if (pid < 0)
        return -1;
    if (pid > 0) {
        close(fds[1]);
        if (read(fds[0], &status, 1) != 1)
            status = 1;
        _exit(status);
    }
    close(fds[0]);
    setsid();
    /* Keep stderr for the log; let go of the caller's terminal or pipe. */
    fd = open("/dev/null", O_RDWR | O_CLOEXEC);
    if (fd >= 0) {
        dup2(fd, STDIN_FILENO);
        dup2(fd, STDOUT_FILENO);
        close(fd);
    }
    *ready_fd = fds[1];
    return 0;
}

static void tell_parent(int *ready_fd, char status)
{
    if (*ready_fd < 0)
        return;
    if (write(*ready_fd, &status, 1) != 1) {
        /* The parent is gone; nothing to tell. */
    }
    close(*ready_fd);
    *ready_fd = -1;
}

static int make_parent_dir(const char *path)
{
    char *copy = strdup(path);
    char *dir;
    int r = 0;

    if (!copy)
        return -1;
    dir = dirname(copy);
    if (mkdir(dir, 0700) < 0 && errno != EEXIST)
        r = -1;
    free(copy);
    return r;
}

/* Only one daemon per socket: a lock held for the daemon's lifetime. */
static int take_lock(const char *socket_path, char *lock_path, size_t size)
{
    char pid[32];
    int fd, n;

    snprintf(lock_path, size, "%s.lock", socket_path);
    fd = open(lock_path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0) {
        fprintf(stderr, "xensimd: cannot open %s: %s\n", lock_path,
                strerror(errno));
        return -1;
    }
    if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
        n = pread(fd, pid, sizeof(pid) - 1, 0);
        pid[n > 0 ? n : 0] = '\0';
        pid[strcspn(pid, "\n")] = '\0';
        fprintf(stderr, "xensimd: another xensimd%s%s%s is already serving "
                "%s\n", *pid ? " (pid " : "", pid, *pid ? ")" : "",
                socket_path);
        close(fd);
        return -1;
    }
    if (ftruncate(fd, 0) == 0) {
        n = snprintf(pid, sizeof(pid), "%d\n", (int)getpid());
        if (pwrite(fd, pid, n, 0) != n) {
            /* The pid in the lock file is only informative. */
        }
    }
    return fd;
}

/* Bind under a temporary name and rename: the socket appears ready. */
static int open_socket(const char *path)
{
    struct sockaddr_un addr = { .sun_family = AF_UNIX };
    mode_t old_umask;
    int fd, r;

    snprintf(addr.sun_path, sizeof(addr.sun_path), "%s.%d", path,
             (int)getpid());
    unlink(addr.sun_path);
    fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0)
        return -1;
    old_umask = umask(0077);
    r = bind(fd, (struct sockaddr *)&addr, sizeof(addr));
    umask(old_umask);
    if (r < 0 || chmod(addr.sun_path, 0600) < 0 || listen(fd, 64) < 0 ||
        rename(addr.sun_path, path) < 0) {
        r = errno;
        unlink(addr.sun_path);
        close(fd);
        errno = r;
        return -1;
    }
    return fd;
}

static int write_pidfile(const char *path)
{
    FILE *f = fopen(path, "w");

    if (!f)
        return -1;
    fprintf(f, "%d\n", (int)getpid());
    return fclose(f);
}

static int watch_fd(struct xensim *sim, int fd, struct watch *w)
{
    struct epoll_event ev = { .events = EPOLLIN, .data.ptr = w };

    return epoll_ctl(sim->epfd, EPOLL_CTL_ADD, fd, &ev);
}

/* The daemon's state, and the signals that stop it. */
static int sim_init(struct xensim *sim)
{
    sigset_t mask;
    int rc;

    rc = sim_state_init(sim);
    if (rc)
        return rc;

    sigemptyset(&mask);
    sigaddset(&mask, SIGTERM);
    sigaddset(&mask, SIGINT);
    sigprocmask(SIG_BLOCK, &mask, NULL);
    signal(SIGPIPE, SIG_IGN);
    sim->signal_fd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
    if (sim->signal_fd < 0)
        return -errno;
    sim->signal_watch.kind = WATCH_SIGNAL;
    if (watch_fd(sim, sim->signal_fd, &sim->signal_watch))
        return -errno;
    return 0;
}

static void event_loop(struct xensim *sim)
{
    while (!sim->quit && sim_poll(sim, sim->runq_len ? 0 : -1) >= 0)
        ;
}

int main(int argc, char **argv)
{
    static struct xensim sim;
    struct options opts = { 0 };
    char lock_path[sizeof(((struct sockaddr_un *)0)->sun_path) + 8];
    int ready_fd = -1, lock_fd, rc;

    if (parse_options(argc, argv, &opts))
        return 2;
    if (!opts.foreground && detach(&ready_fd) < 0) {
        fprintf(stderr, "xensimd: cannot detach: %s\n", strerror(errno));
        return 1;
    }
    if (make_parent_dir(opts.socket) < 0) {
        fprintf(stderr, "xensimd: cannot create the directory of %s: %s\n",
                opts.socket, strerror(errno));
        tell_parent(&ready_fd, 1);
        return 1;
    }
    lock_fd = take_lock(opts.socket, lock_path, sizeof(lock_path));
    if (lock_fd < 0) {
        tell_parent(&ready_fd, 1);
        return 1;
    }
    rc = sim_init(&sim);
    if (rc) {
        fprintf(stderr, "xensimd: cannot start: %s\n", strerror(-rc));
        tell_parent(&ready_fd, 1);
        return 1;
    }
    /* The pidfile first: once the socket appears, everything is ready. */
    if (opts.pidfile && write_pidfile(opts.pidfile) < 0) {
        fprintf(stderr, "xensimd: cannot write %s: %s\n", opts.pidfile,
                strerror(errno));
        tell_parent(&ready_fd, 1);
        return 1;
    }
    unlink(opts.socket);        /* a stale socket: the lock is ours */
    sim.listen_fd = open_socket(opts.socket);
    if (sim.listen_fd < 0) {
        fprintf(stderr, "xensimd: cannot serve %s: %s\n", opts.socket,
                strerror(errno));
        if (opts.pidfile)
            unlink(opts.pidfile);
        tell_parent(&ready_fd, 1);
        return 1;
    }
    sim.listen_watch.kind = WATCH_LISTEN;
    watch_fd(&sim, sim.listen_fd, &sim.listen_watch);
    sim_log("serving %s", opts.socket);
    tell_parent(&ready_fd, 0);

    event_loop(&sim);

    unlink(opts.socket);
    sim_state_teardown(&sim);
    if (opts.pidfile)
        unlink(opts.pidfile);
    unlink(lock_path);
    close(lock_fd);
    sim_log("stopped");
    return 0;
}

/* SPDX-License-Identifier: LGPL-2.1-only */
/*
 * The device model libxl starts for a domain: run as
 * `device_model --domain DOMID extra...` in a session of its own, output
 * to a log file, waited for until it claims HVMMEM_ioreq_server, and
 * stopped with the domain.  Its pid and start time are recorded with the
 * domain, so that a later `xl destroy` stops it and never another process
 * that reused the pid.
 */
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "libxl_internal.h"

#define DM_RECORD       "device-model"
#define POLL_NS         10000000L       /* 10 ms */
#define STOP_TIMEOUT_MS 5000

/*
 * From /proc/PID/stat: field 3, the state ('Z' for a zombie), and field
 * 22, when the process started (clock ticks).  0 if it is not there.
 */
static unsigned long long start_time(int pid, char *state)
{
    char path[64], buf[1024];
    unsigned long long t = 0;
    ssize_t n;
    char *p;
    int fd, field;

    *state = '?';
    snprintf(path, sizeof(path), "/proc/%d/stat", pid);
    fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return 0;
    n = read(fd, buf, sizeof(buf) - 1);
    close(fd);
    if (n <= 0)
        return 0;
    buf[n] = '\0';
    /* The command name may hold spaces: count fields after its ')'. */
    p = strrchr(buf, ')');
    if (p && p[1] == ' ')
        *state = p[2];
    for (field = 2; p && field < 22; field++)
        p = strchr(p + 1, ' ');
    if (p)
        t = strtoull(p + 1, NULL, 10);
    return t;
}

static void sleep_ns(long ns)
{
    struct timespec ts = { .tv_sec = 0, .tv_nsec = ns };

    nanosleep(&ts, NULL);
}

/*
 * The environment of the device model: ours, and where to say ready (the
 * string var, which the caller frees with the array).
 */
/*
 * In the child: the device model outlives xl, so it must not hold the
 * caller's descriptors (a pipe a script reads xl's output through would
 * stay open until the guest is destroyed).  Keeps 0-2 and a, b.
 */
static void close_inherited(int a, int b)
{
    unsigned int lo = a < b ? a : b, hi = a < b ? b : a, fd;
    long max;

    if ((lo == 3 || close_range(3, lo - 1, 0) == 0) &&
        (hi == lo + 1 || close_range(lo + 1, hi - 1, 0) == 0) &&
        close_range(hi + 1, ~0U, 0) == 0)
        return;
    /* Without close_range (Linux < 5.9), one at a time. */
    max = sysconf(_SC_OPEN_MAX);
    for (fd = 3; fd < (max > 0 ? max : 1024); fd++)
        if (fd != lo && fd != hi)
            close(fd);
}

static char **dm_environment(int ready_fd, char **var)
{
    extern char **environ;
    size_t n = 0, i, j = 0;
    char **envp;

    while (environ[n])
        n++;
    envp = libxl__zalloc((n + 2) * sizeof(*envp));
    for (i = 0; i < n; i++)
        if (strncmp(environ[i], LIBXL_DM_READY_ENV "=",
                    strlen(LIBXL_DM_READY_ENV) + 1))
            envp[j++] = environ[i];
    *var = libxl__sprintf(LIBXL_DM_READY_ENV "=%d", ready_fd);
    envp[j] = *var;
    return envp;
}

int libxl__dm_spawn(libxl_ctx *ctx, uint32_t domid,
                    const libxl_domain_build_info *b_info, int *pid_out,
                    int *ready_out)
{
    int nextra = libxl_string_list_length(&b_info->extra), i, rc;
    char **argv = libxl__zalloc((nextra + 4) * sizeof(*argv));
    char **envp = NULL, *ready_var = NULL;
    char *domid_str = libxl__sprintf("%u", domid);
    char *log = libxl__dm_log_path(ctx, domid);
    char *record = NULL;
    int status_pipe[2] = { -1, -1 }, ready[2] = { -1, -1 };
    int logfd = -1, err = 0;
    char state;
    pid_t pid;
    ssize_t n;

    argv[0] = b_info->device_model;
    argv[1] = "--domain";
    argv[2] = domid_str;
    for (i = 0; i < nextra; i++)
        argv[3 + i] = b_info->extra[i];
    /* The write end is the child's: not close-on-exec, not ours. */
    if (pipe2(ready, O_CLOEXEC) < 0) {
        LOGED(ERROR, domid, "cannot start the device model");
        rc = ERROR_FAIL;
        goto out;
    }
    envp = dm_environment(ready[1], &ready_var);

    logfd = open(log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (logfd < 0) {
        LOGED(ERROR, domid, "cannot open the device model's log %s", log);
        rc = ERROR_FAIL;
        goto out;
    }
    /* Tells the parent whether exec worked (EOF) or why not (errno). */
    if (pipe2(status_pipe, O_CLOEXEC) < 0) {
        LOGED(ERROR, domid, "cannot start the device model");
        rc = ERROR_FAIL;
        goto out;
    }

    pid = fork();
    if (pid < 0) {
        LOGED(ERROR, domid, "cannot start the device model");
        rc = ERROR_FAIL;
        goto out;
    }
    if (pid == 0) {
        int null = open("/dev/null", O_RDONLY);

        setsid();
        dup2(null, STDIN_FILENO);
        dup2(logfd, STDOUT_FILENO);
        dup2(logfd, STDERR_FILENO);
        close_inherited(ready[1], status_pipe[1]);
        fcntl(ready[1], F_SETFD, 0);
        execvpe(argv[0], argv, envp);
        err = errno;
        if (write(status_pipe[1], &err, sizeof(err)) != sizeof(err)) {
            /* The parent sees an early exit instead. */
        }
        _exit(127);
    }

    close(status_pipe[1]);
    status_pipe[1] = -1;
    do {
        n = read(status_pipe[0], &err, sizeof(err));
    } while (n < 0 && errno == EINTR);
    if (n == sizeof(err)) {
        waitpid(pid, NULL, 0);
        LOGEVD(ERROR, err, domid, "cannot run the device model %s",
               argv[0]);
        rc = ERROR_FAIL;
        goto out;
    }

    record = libxl__sprintf("%d %llu %s", (int)pid,
                            start_time(pid, &state), argv[0]);
    rc = libxl__record_set(ctx, domid, DM_RECORD, record, false);
    if (rc) {
        kill(pid, SIGKILL);
        waitpid(pid, NULL, 0);
        goto out;
    }
    LOGD(DEBUG, domid, "device model %s started, pid %d, output in %s",
         argv[0], (int)pid, log);
    *pid_out = pid;
    *ready_out = ready[0];
    ready[0] = -1;
    rc = 0;

 out:
    if (ready[0] >= 0)
        close(ready[0]);
    if (ready[1] >= 0)
        close(ready[1]);
    free(ready_var);
    free(envp);
    if (status_pipe[0] >= 0)
        close(status_pipe[0]);
    if (status_pipe[1] >= 0)
        close(status_pipe[1]);
    if (logfd >= 0)
        close(logfd);
    free(record);
    free(log);
    free(domid_str);
    free(argv);
    return rc;
}

/* Whether the device model said it is ready (a line on ready_fd). */
static bool said_ready(int *ready_fd, int timeout_ms)
{
    struct pollfd pfd = { .fd = *ready_fd, .events = POLLIN };
    char buf[64];
    ssize_t n;

    if (*ready_fd < 0) {
        sleep_ns((long)timeout_ms * 1000000L);
        return false;
    }
    if (poll(&pfd, 1, timeout_ms) <= 0)
        return false;
    n = read(*ready_fd, buf, sizeof(buf));
    if (n > 0)
        return true;
    /* It closed its end without a word: watch the claim and the exit. */
    close(*ready_fd);
    *ready_fd = -1;
    return false;
}

int libxl__dm_wait_claim(libxl_ctx *ctx, uint32_t domid, int pid,
                         int ready_fd, uint32_t timeout_ms)
{
    long waited_ns = 0;
    char *log = libxl__dm_log_path(ctx, domid);
    int rc;

    for (;;) {
        libxl_ioreq_claim claim;
        uint64_t count;
        bool claimed;
        int status;

        if (said_ready(&ready_fd, 0)) {
            LOGD(DEBUG, domid, "the device model says it is ready");
            rc = 0;
            goto out;
        }
        /* Where the claim can be read (the simulator), it tells too. */
        rc = libxl__ioreq_claim(ctx, domid, &claimed, &claim, &count);
        if (rc && rc != ERROR_NI)
            goto out;
        if (!rc && claimed) {
            LOGD(DEBUG, domid, "ioreq server %u claimed HVMMEM_ioreq_server",
                 claim.server);
            rc = 0;
            goto out;
        }
        if (waitpid(pid, &status, WNOHANG) == pid) {
            if (WIFEXITED(status))
                LOGD(ERROR, domid, "the device model exited with status %d "
                     "before claiming HVMMEM_ioreq_server; see %s",
                     WEXITSTATUS(status), log);
            else
                LOGD(ERROR, domid, "the device model was killed by signal "
                     "%d before claiming HVMMEM_ioreq_server; see %s",
                     WTERMSIG(status), log);
            rc = ERROR_FAIL;
            goto out;
        }
        if (waited_ns / 1000000 >= timeout_ms) {
            LOGD(ERROR, domid, "the device model did not claim "
                 "HVMMEM_ioreq_server within %u ms; see %s", timeout_ms,
                 log);
            rc = ERROR_TIMEDOUT;
            goto out;
        }
        /* Wait a little, waking at once if it says ready. */
        if (said_ready(&ready_fd, POLL_NS / 1000000)) {
            LOGD(DEBUG, domid, "the device model says it is ready");
            rc = 0;
            goto out;
        }
        waited_ns += POLL_NS;
    }

 out:
    if (ready_fd >= 0)
        close(ready_fd);
    free(log);
    return rc;
}

/* Whether pid is still the live process that started at start. */
static bool same_process(int pid, unsigned long long start)
{
    char state;

    return start_time(pid, &state) == start && state != 'Z';
}

static bool gone(int pid, unsigned long long start)
{
    /* Our own child must be reaped to be gone. */
    if (waitpid(pid, NULL, WNOHANG) == pid)
        return true;
    return !same_process(pid, start);
}

/* Wait until pid has gone, at most timeout_ms. */
static bool wait_gone(int pid, unsigned long long start, int timeout_ms)
{
    int waited_ms = 0;

    while (!gone(pid, start)) {
        if (waited_ms >= timeout_ms)
            return false;
        sleep_ns(POLL_NS);
        waited_ms += POLL_NS / 1000000;
    }
    return true;
}

void libxl__dm_stop(libxl_ctx *ctx, uint32_t domid)
{
    unsigned long long start;
    char *record = NULL;
    int pid;

    if (libxl__record_get(ctx, domid, DM_RECORD, &record))
        return;
    if (sscanf(record, "%d %llu", &pid, &start) != 2 || pid <= 0 ||
        !same_process(pid, start))
        goto out;

    /* Asked nicely, a device model releases its claim and its server. */
    kill(pid, SIGTERM);
    if (wait_gone(pid, start, STOP_TIMEOUT_MS))
        goto out;
    LOGD(WARN, domid, "the device model (pid %d) did not stop within %d ms; "
         "killing it", pid, STOP_TIMEOUT_MS);
    kill(pid, SIGKILL);
    if (!wait_gone(pid, start, STOP_TIMEOUT_MS))
        LOGD(ERROR, domid, "the device model (pid %d) survived SIGKILL",
             pid);

 out:
    free(record);
}

// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * svcmgr: the part of a service manager rprocd's re-adoption needs, for the vm-shim guest
 * (tests/integration/harness.py plays it on the host): a NOTIFY_SOCKET that counts READY=1
 * and keeps the FDSTORE=1 file descriptors (one copy per open file, FDSTOREREMOVE honoured),
 * and starts the service with them as LISTEN_FDS / LISTEN_FDNAMES / LISTEN_PID.
 *
 *   svcmgr --notify SOCKET --control FIFO --status FILE -- COMMAND [ARGS...]
 *
 * Lines written to FIFO: "start" (with the stored fds), "kill" (SIGKILL, as a crash),
 * "term" (SIGTERM), "drop" (close the stored fds, as systemd does once the unit has stopped:
 * "systemctl stop", rprocd(8) "Restarts of the daemon"), "quit" (close the stored fds and
 * exit).  FILE is rewritten after each
 * event: "pid N", "ready N" (READY=1 messages so far), "fds N" (stored), "exit S" (the last
 * exit status, -1 before any, 128+N for a signal), "starts N".
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <linux/kcmp.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#define MAX_FDS 128

static struct {
	char name[256];
	int fd;
} store[MAX_FDS];
static int n_store;
static pid_t child = -1;
static int ready, last_exit = -1, starts;
static const char *notify_path, *status_path;
static char **command;

static void write_status(void)
{
	char tmp[4096];
	FILE *f;

	snprintf(tmp, sizeof(tmp), "%s.tmp", status_path);
	f = fopen(tmp, "we");
	if (!f)
		return;
	fprintf(f, "pid %d\nready %d\nfds %d\nexit %d\nstarts %d\n", (int)child, ready, n_store,
		last_exit, starts);
	fclose(f);
	rename(tmp, status_path);
}

/*
 * The same open file, as systemd decides it (kcmp): not the same inode, which every
 * /dev/vfio/vfio container and every anonymous-inode fd (VFIO devices, eventfds) shares.
 * Without kcmp nothing is taken for a duplicate.
 */
static bool same_file(int a, int b)
{
	pid_t self = getpid();

	return syscall(SYS_kcmp, self, self, KCMP_FILE, a, b) == 0;
}

static void store_fd(const char *name, int fd)
{
	for (int i = 0; i < n_store; i++)
		if (same_file(store[i].fd, fd)) {
			close(fd);
			return;
		}
	if (n_store == MAX_FDS) {
		close(fd);
		return;
	}
	snprintf(store[n_store].name, sizeof(store[n_store].name), "%s", name);
	store[n_store++].fd = fd;
}

static void remove_fds(const char *name)
{
	int j = 0;

	for (int i = 0; i < n_store; i++) {
		if (!strcmp(store[i].name, name))
			close(store[i].fd);
		else
			store[j++] = store[i];
	}
	n_store = j;
}

static void on_notify(int sock)
{
	char buf[4096], ctl[CMSG_SPACE(MAX_FDS * sizeof(int))], name[256] = "stored";
	struct iovec iov = { .iov_base = buf, .iov_len = sizeof(buf) - 1 };
	struct msghdr mh = {
		.msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl, .msg_controllen = sizeof(ctl),
	};
	int fds[MAX_FDS], nfds = 0;
	bool fdstore = false, remove = false;
	ssize_t n = recvmsg(sock, &mh, MSG_CMSG_CLOEXEC | MSG_DONTWAIT);

	if (n < 0)
		return;
	buf[n] = '\0';
	for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c))
		if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS) {
			int k = (int)((c->cmsg_len - CMSG_LEN(0)) / sizeof(int));

			for (int i = 0; i < k && nfds < MAX_FDS; i++)
				memcpy(&fds[nfds++], CMSG_DATA(c) + i * sizeof(int), sizeof(int));
		}
	for (char *save = NULL, *l = strtok_r(buf, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		if (!strcmp(l, "READY=1"))
			ready++;
		else if (!strcmp(l, "FDSTORE=1"))
			fdstore = true;
		else if (!strcmp(l, "FDSTOREREMOVE=1"))
			remove = true;
		else if (!strncmp(l, "FDNAME=", 7))
			snprintf(name, sizeof(name), "%s", l + 7);
	}
	if (remove)
		remove_fds(name);
	for (int i = 0; i < nfds; i++) {
		if (fdstore)
			store_fd(name, fds[i]);
		else
			close(fds[i]);
	}
	write_status();
}

static void start(void)
{
	static char names[MAX_FDS * sizeof(store[0].name)];
	pid_t pid;

	if (child > 0)
		return;
	names[0] = '\0';
	for (int i = 0; i < n_store; i++)
		snprintf(names + strlen(names), sizeof(names) - strlen(names), "%s%s",
			 i ? ":" : "", store[i].name);
	pid = fork();
	if (pid < 0)
		return;
	if (pid == 0) {
		char v[32];
		int high[MAX_FDS];
		sigset_t none;

		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		/* The stored fds go to 3, 4, ...: out of the way first. */
		for (int i = 0; i < n_store; i++)
			high[i] = fcntl(store[i].fd, F_DUPFD_CLOEXEC, 3 + MAX_FDS + 16);
		for (int i = 0; i < n_store; i++)
			dup2(high[i], 3 + i);
		setenv("NOTIFY_SOCKET", notify_path, 1);
		if (n_store) {
			snprintf(v, sizeof(v), "%d", n_store);
			setenv("LISTEN_FDS", v, 1);
			setenv("LISTEN_FDNAMES", names, 1);
			snprintf(v, sizeof(v), "%d", (int)getpid());
			setenv("LISTEN_PID", v, 1);
		} else {
			unsetenv("LISTEN_FDS");
			unsetenv("LISTEN_FDNAMES");
			unsetenv("LISTEN_PID");
		}
		execvp(command[0], command);
		_exit(127);
	}
	child = pid;
	starts++;
	write_status();
}

static void reap(void)
{
	int st;
	pid_t p;

	while ((p = waitpid(-1, &st, WNOHANG)) > 0)
		if (p == child) {
			last_exit = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
			child = -1;
			write_status();
		}
}

static void drop_store(void)
{
	for (int i = 0; i < n_store; i++)
		close(store[i].fd);
	n_store = 0;
	write_status();
}

static bool on_command(char *line)
{
	line[strcspn(line, "\r\n")] = '\0';
	if (!strcmp(line, "start"))
		start();
	else if (!strcmp(line, "kill") && child > 0)
		kill(child, SIGKILL);
	else if (!strcmp(line, "term") && child > 0)
		kill(child, SIGTERM);
	else if (!strcmp(line, "drop"))
		drop_store();
	else if (!strcmp(line, "quit"))
		return false;
	return true;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "notify", required_argument, NULL, 'n' },
		{ "control", required_argument, NULL, 'c' },
		{ "status", required_argument, NULL, 's' },
		{}
	};
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	const char *control = NULL;
	struct pollfd p[3];
	sigset_t mask;
	int c, sock, ctl, sfd;
	bool run = true;
	char line[256];

	while ((c = getopt_long(argc, argv, "+", opts, NULL)) != -1) {
		switch (c) {
		case 'n': notify_path = optarg; break;
		case 'c': control = optarg; break;
		case 's': status_path = optarg; break;
		default: return 2;
		}
	}
	if (!notify_path || !control || !status_path || optind >= argc) {
		fprintf(stderr, "usage: svcmgr --notify SOCKET --control FIFO --status FILE -- "
			"COMMAND...\n");
		return 2;
	}
	command = argv + optind;
	sigemptyset(&mask);
	sigaddset(&mask, SIGCHLD);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	sfd = signalfd(-1, &mask, SFD_CLOEXEC);
	sock = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", notify_path);
	unlink(notify_path);
	if (sfd < 0 || sock < 0 || bind(sock, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		perror("svcmgr: notify socket");
		return 1;
	}
	unlink(control);
	/* Opened read-write: the FIFO never reports EOF between writers. */
	if (mkfifo(control, 0600) < 0 || (ctl = open(control, O_RDWR | O_CLOEXEC)) < 0) {
		perror("svcmgr: control FIFO");
		return 1;
	}
	write_status();
	while (run) {
		p[0] = (struct pollfd){ .fd = sock, .events = POLLIN };
		p[1] = (struct pollfd){ .fd = ctl, .events = POLLIN };
		p[2] = (struct pollfd){ .fd = sfd, .events = POLLIN };
		if (poll(p, 3, -1) < 0 && errno != EINTR)
			break;
		if (p[0].revents & POLLIN)
			on_notify(sock);
		if (p[2].revents & POLLIN) {
			struct signalfd_siginfo si;

			if (read(sfd, &si, sizeof(si)) < 0)
				break;
			reap();
		}
		if (p[1].revents & POLLIN) {
			ssize_t n = read(ctl, line, sizeof(line) - 1);

			if (n <= 0)
				continue;
			line[n] = '\0';
			for (char *save = NULL, *l = strtok_r(line, "\n", &save); l && run;
			     l = strtok_r(NULL, "\n", &save))
				run = on_command(l);
		}
	}
	drop_store();
	unlink(control);
	unlink(notify_path);
	return 0;
}

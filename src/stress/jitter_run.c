// SPDX-License-Identifier: GPL-2.0-only
/* The jitter thread: follows the schedule, kicks vCPUs, asks them to hold. */
#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <string.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include "minivmm/log.h"
#include "minivmm/stress/jitter.h"
#include "minivmm/vcpu.h"

static uint64_t mono_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static void *jitter_thread(void *arg)
{
	struct jitter *j = arg;
	uint64_t start = mono_us();

	for (;;) {
		struct jitter_event ev;
		struct pollfd p = { .fd = j->stop_fd, .events = POLLIN };
		uint64_t now;

		jitter_next(&j->sched, &ev);
		now = mono_us();
		/* Wait for the event's time, or for the stop. */
		if (start + ev.at_us > now &&
		    poll(&p, 1, (int)((start + ev.at_us - now + 999) / 1000)) != 0)
			break;
		if (j->nfirst < JITTER_FIRST)
			j->first[j->nfirst++] = ev;
		vcpu_hold(&j->vcpus[ev.vcpu], ev.hold_us, j->sched.p.spin);
		j->events++;
		j->held_us += ev.hold_us;
	}
	return NULL;
}

int jitter_start(struct jitter *j, uint64_t seed, const struct jitter_params *p, struct vcpu *vcpus,
		 unsigned int ncpus)
{
	int ret;

	memset(j, 0, sizeof(*j));
	j->stop_fd = -1;
	if (!p->rate)
		return 0;
	jitter_sched_init(&j->sched, seed, p, ncpus);
	j->vcpus = vcpus;
	j->stop_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (j->stop_fd < 0)
		return -errno;
	ret = pthread_create(&j->thread, NULL, jitter_thread, j);
	if (ret) {
		pr_err("cannot start the jitter thread: %s", strerror(ret));
		return -ret;
	}
	j->started = true;
	return 0;
}

void jitter_stop(struct jitter *j)
{
	uint64_t one = 1;

	if (j->started) {
		if (write(j->stop_fd, &one, sizeof(one)) < 0)
			pr_warn("cannot stop the jitter thread: %s", strerror(errno));
		pthread_join(j->thread, NULL);
		j->started = false;
	}
	if (j->stop_fd >= 0)
		close(j->stop_fd);
	j->stop_fd = -1;
}

void jitter_print_stats(const struct jitter *j, FILE *f)
{
	fprintf(f, "\"jitter\": {\"rate\": %u, \"max_us\": %u, \"hold\": \"%s\", \"events\": %" PRIu64
		   ", \"held_us\": %" PRIu64 ", \"first\": [",
		j->sched.p.rate, j->sched.p.max_us, j->sched.p.spin ? "spin" : "sleep", j->events, j->held_us);
	for (unsigned int i = 0; i < j->nfirst; i++)
		fprintf(f, "%s[%" PRIu64 ", %u, %u]", i ? ", " : "", j->first[i].at_us, j->first[i].vcpu,
			j->first[i].hold_us);
	fprintf(f, "]}");
}

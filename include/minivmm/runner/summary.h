/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The machine-readable summary of one guest run (--json FILE): what ran
 * (kernel, cmdline, vCPUs, RAM, seed), how it ended (status, what it
 * means, why), how long it took, the guest's test results, the guest
 * kernel's bug reports with their lines, each assigned function with its
 * interrupt modes and the faults injected into it, the run's events and
 * the stress figures. One JSON object; main.c appends one
 * line per run (one per kernel with --kernel-package), so a farm can index
 * runs. Pure: the caller gathers the figures, this only writes them.
 */
#ifndef MINIVMM_RUNNER_SUMMARY_H
#define MINIVMM_RUNNER_SUMMARY_H

#include <stdbool.h>
#include <stdint.h>

#include "minivmm/ctl/json.h"
#include "minivmm/ctl/vm_view.h"

struct event_log;
struct klog_parser;
struct ktap_parser;

struct run_summary {
	const char *version;         /* minivmm's */
	const char *kernel;          /* the image booted */
	const char *kernel_release;  /* with --kernel-package: its version, else NULL */
	const char *packages;        /* ... and its package files */
	const char *cmdline;
	unsigned int cpus;
	uint64_t mem_bytes;
	uint64_t seed;
	long long started_unix_ms;   /* wall clock at the start, 0: unknown */
	double duration_s;           /* start to exit */
	int status;                  /* minivmm's exit status */
	const char *reason;          /* the exit message */
	const char *panic;           /* the guest panicked: its message, else NULL */
	const struct ktap_parser *ktap; /* the guest's KTAP/TAP, may be NULL */
	const struct klog_parser *klog; /* the guest kernel's bug reports, may be NULL */
	const struct vm_view_dev *devs;
	unsigned int ndevs;
	uint64_t exits;              /* VM exits, all vCPUs */
	struct event_log *events;    /* may be NULL */
	bool stressed;
	struct {
		uint64_t kicks, held_ms; /* --jitter */
		unsigned long cpu_offline, cpu_online, irq_moves; /* the guest's churn */
		uint64_t msi_route_updates;
	} stress;
};

/* What an exit status means: "passed", "command-failed", "timeout", ... */
const char *run_status_meaning(int status);
/* The summary as one JSON object into @o. */
void run_summary_write(const struct run_summary *s, struct json_out *o);

#endif

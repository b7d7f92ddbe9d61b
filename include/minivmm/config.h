/* SPDX-License-Identifier: GPL-2.0-only */
/* Command-line options -> struct config. Pure: no I/O, no exit. */
#ifndef MINIVMM_CONFIG_H
#define MINIVMM_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "minivmm/log.h"
#include "minivmm/pci_bdf.h"
#include "minivmm/trace.h"

#define CONFIG_MAX_ASSIGN 16
#define CONFIG_MAX_CPUS 4096 /* KVM_MAX_VCPU_IDS; the host KVM says how many it runs */
#define CONFIG_MIN_MEM (32ULL << 20)
#define CONFIG_DEFAULT_MEM (512ULL << 20)
#define CONFIG_DEFAULT_CMDLINE "console=ttyS0"
#define CONFIG_MAX_TIMEOUT (7 * 24 * 3600)
#define CONFIG_MAX_AT 32 /* --at; the control channel keeps as many */
#define CONFIG_MAX_KERNEL_PACKAGES 32 /* --kernel-package files, all options together */
#define CONFIG_MAX_KLOG_IGNORE 32 /* --klog-ignore; the kernel-log parser keeps as many */

/* Documented exit statuses (README, --help, man page). */
enum exit_status {
	EXIT_GUEST_OK = 0,
	/* 1..123: the status of the guest's command */
	EXIT_TIMEOUT = 124,
	EXIT_VMM_ERROR = 125,
	EXIT_GUEST_CRASH = 126,
};

/* --assign BDF,irq=MODE: the highest interrupt mode the guest is shown. */
enum config_irq { CONFIG_IRQ_AUTO, CONFIG_IRQ_INTX, CONFIG_IRQ_MSI, CONFIG_IRQ_MSIX };

struct config {
	const char *kernel;
	const char *initrd;
	const char *cmdline;
	const char *console;         /* file for the guest console, NULL: stdout */
	unsigned int cpus;
	uint64_t mem;                /* bytes */
	bool stats;
	bool help, version;
	int verbosity;               /* -v count */
	bool quiet;                  /* --quiet: errors only on stderr */
	struct pci_bdf assign[CONFIG_MAX_ASSIGN];
	enum config_irq assign_irq[CONFIG_MAX_ASSIGN]; /* per --assign */
	unsigned int nassign;
	bool no_rebind;
	/* Running a command in the guest (zero-config when no --kernel). */
	const char *run;             /* --run CMD, or "-- CMD ARGS..." joined */
	char *run_owned;             /* storage of a joined "-- CMD ARGS..." */
	const char *modules;         /* --modules DIR: the kernel's modules tree */
	const char *share;           /* --share DIR */
	const char *junit;           /* --junit FILE */
	const char *json;            /* --json FILE: the run summary, a JSON line per run */
	unsigned int timeout;        /* --timeout SECONDS, 0: none */
	bool cmdline_given;
	bool kaslr;                  /* --kaslr: the bzImage decompresses itself */
	bool hugepages;              /* --hugepages: RAM on hugetlbfs pages */
	/* SMP stress (all random choices from --seed). */
	uint64_t seed;
	bool seed_given;
	unsigned int jitter_rate;    /* --jitter: vCPU kicks per second, 0: off */
	unsigned int jitter_max_us;
	bool jitter_spin;
	unsigned int cpu_churn_ms;   /* --cpu-churn: guest CPU hotplug interval, 0: off */
	unsigned int irq_churn_ms;   /* --irq-churn: guest IRQ affinity interval, 0: off */
	struct trace_spec trace[TRACE_MAX_RANGES]; /* --trace */
	unsigned int ntrace;
	const char *trace_file;      /* --trace-file, default minivmm-trace.txt */
	/* Control channel (src/ctl). */
	const char *control;         /* --control PATH: Unix socket, NULL: none */
	const char *at[CONFIG_MAX_AT]; /* --at TIME:COMMAND, checked by the control channel */
	unsigned int nat;
	/* --kernel-package FILE[,FILE...]: the option values, commas kept. */
	const char *kernel_packages[CONFIG_MAX_KERNEL_PACKAGES];
	unsigned int nkernel_packages;
	/* --klog-ignore PATTERN: guest kernel bug reports that do not fail the run. */
	const char *klog_ignore[CONFIG_MAX_KLOG_IGNORE];
	unsigned int nklog_ignore;
};

/* Pure: the log level the options ask for (--quiet, -v, -vv). */
enum log_level config_log_level(const struct config *cfg);
/* Release what config_parse allocated. */
void config_free(struct config *cfg);
/* Pure: quote @argv for sh; returns malloc'd "'a' 'b c'" or NULL. */
char *config_shell_join(int argc, char *const argv[]);

/*
 * Parse argv into @cfg (defaults filled in). On error returns -EINVAL and
 * writes a one-line message naming the problem and the fix into @err.
 */
int config_parse(struct config *cfg, int argc, char *const argv[], char *err, size_t errlen);

/* "1500us", "20ms", "2s", "1m"; a bare number means ms. Result in microseconds. */
int config_parse_duration(const char *s, uint64_t *us);

/* "512M", "4G", "65536K", "1073741824B"; a bare number means MiB. */
int config_parse_size(const char *s, uint64_t *out);

/* The --help text. */
extern const char config_usage[];

#endif

// SPDX-License-Identifier: GPL-2.0-only
/* argv -> config; create, run, destroy. The only place that exits. */
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/signalfd.h>
#include <time.h>
#include <unistd.h>

#include "minivmm/arch.h"
#include "minivmm/config.h"
#include "minivmm/ctl/client.h"
#include "minivmm/ctl/commands.h"
#include "minivmm/ctl/server.h"
#include "minivmm/ctl/vm_view.h"
#include "minivmm/eventlog.h"
#include "minivmm/log.h"
#include "minivmm/runner/doctor.h"
#include "minivmm/runner/guest.h"
#include "minivmm/runner/kernels.h"
#include "minivmm/runner/ktap.h"
#include "minivmm/runner/restore_cmd.h"
#include "minivmm/runner/summary.h"
#include "minivmm/runner/watch.h"
#include "minivmm/supervisor.h"
#include "minivmm/vm.h"

#ifndef MINIVMM_VERSION
#define MINIVMM_VERSION "0.1"
#endif

/*
 * SIGINT/SIGTERM/SIGHUP are blocked from the very start and read from a
 * signalfd by the main loop, so that a signal during set-up still leads to
 * an orderly teardown (devices handed back to their drivers).
 */
static int signals_setup(void)
{
	sigset_t set;

	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	/* vCPU threads unblock the kick signal for themselves only. */
	sigaddset(&set, SIGUSR1);
	if (pthread_sigmask(SIG_BLOCK, &set, NULL))
		return -1;
	sigdelset(&set, SIGUSR1);
	return signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
}

/*
 * The JUnit file: the guest's cases and @kx (the kernel log's), with what
 * minivmm did to the run as properties: the seed, the stressors, every
 * fault and hotplug step with its time ("event.N"), so a CI failure says
 * what was injected when.
 */
static int junit_write_run(FILE *f, struct vm *vm, struct console_watch *w, const struct config *cfg, double secs,
			   const struct junit_extra *kx, size_t nkx)
{
	unsigned int n = eventlog_count(&vm->events), np = 0;
	char seed[24], cpus[16], (*text)[2][EVENTLOG_TEXT + 64] = calloc(n ? n : 1, sizeof(*text));
	const char **props = calloc(2 * n + 8, sizeof(*props));
	int ret = -ENOMEM;

	if (!text || !props)
		goto out;
	snprintf(seed, sizeof(seed), "%llu", (unsigned long long)cfg->seed);
	snprintf(cpus, sizeof(cpus), "%u", cfg->cpus);
	props[np++] = "seed";
	props[np++] = seed;
	props[np++] = "cpus";
	props[np++] = cpus;
	for (unsigned int i = 0; i < n && !eventlog_describe(&vm->events, i, text[i][1], sizeof(text[i][1])); i++) {
		snprintf(text[i][0], sizeof(text[i][0]), "event.%u", i + 1);
		props[np++] = text[i][0];
		props[np++] = text[i][1];
	}
	ret = junit_write_with(f, w->ktap, kx, nkx, "minivmm", secs, props);
out:
	free(props);
	free(text);
	return ret;
}

/*
 * Results the guest printed as KTAP/TAP: summary, JUnit (with @kx, the
 * kernel log's cases), and status 1 on failure.
 */
static int report_tests(struct vm *vm, struct console_watch *w, const struct config *cfg, int status,
			const struct junit_extra *kx, size_t nkx)
{
	const struct ktap_summary *sum;
	double secs = vm->started_ms ? (double)(now_ms() - vm->started_ms) / 1000 : 0;

	if (!w->ktap)
		return status;
	ktap_finish(w->ktap);
	sum = ktap_summary(w->ktap);
	if (cfg->junit) {
		FILE *f = fopen(cfg->junit, "we");
		int ret = f ? junit_write_run(f, vm, w, cfg, secs, kx, nkx) : -errno;

		if (!f || ret || fclose(f)) {
			pr_err("cannot write --junit %s: %s", cfg->junit, strerror(errno));
			return EXIT_VMM_ERROR;
		}
	}
	if (!sum->seen)
		return status;
	pr_notice("tests: %u passed, %u failed, %u skipped%s%s", sum->passed,
		sum->failed + sum->errors, sum->skipped, sum->todo ? ", some TODO" : "",
		sum->bail_out ? ", bailed out" : "");
	if (status == EXIT_GUEST_OK && (sum->failed || sum->errors || sum->bail_out))
		return 1;
	return status;
}

/* One line on what the stressors did, for the log of a stress run. */
static void report_stress(struct vm *vm, const struct console_watch *w, const struct config *cfg)
{
	if (!vm_stressed(cfg) || !log_shown(LOG_NOTICE))
		return;
	fprintf(stderr,
		"minivmm: stress: seed %llu; %llu vCPU kicks holding %llu ms; guest: %lu CPU offline, %lu online, %lu IRQ moves; %llu MSI route updates\n",
		(unsigned long long)cfg->seed, (unsigned long long)vm->jitter.events,
		(unsigned long long)vm->jitter.held_us / 1000, w->cpu_offline, w->cpu_online, w->irq_moves,
		(unsigned long long)vm->irq.msi_updates);
}

/* --stats members beyond the VM's own: the console watch's, the control channel's. */
struct more_stats {
	struct console_watch *watch;
	struct ctl_server *ctl;
};

static void print_more_stats(void *opaque, FILE *f)
{
	struct more_stats *m = opaque;

	console_watch_print_stats(m->watch, f);
	ctl_server_print_stats(m->ctl, f);
}

static void report_exit(struct vm *vm, int status)
{
	char tail[CONSOLE_TAIL_LINES][CONSOLE_LINE_MAX];
	bool failed = status == EXIT_GUEST_CRASH || status == EXIT_VMM_ERROR || status == EXIT_TIMEOUT || status > 128;
	unsigned int n;

	/* The guest's own end is no minivmm error: said as the guest's, at any --quiet. */
	if (status == EXIT_GUEST_CRASH)
		fprintf(stderr, "minivmm: guest crashed: %s\n",
			strncmp(vm->run.exit_msg, "guest ", 6) ? vm->run.exit_msg : vm->run.exit_msg + 6);
	else if (failed)
		pr_err("%s", vm->run.exit_msg);
	else
		pr_info("%s", vm->run.exit_msg);
	/* What was injected when: next to the outcome it may explain (with
	 * --quiet only beside an error). */
	if (failed || log_shown(LOG_NOTICE))
		eventlog_print_summary(&vm->events, stderr);
	/* A guest that hangs or crashes: its last words, where the user looks. */
	if (status == EXIT_TIMEOUT || (status == EXIT_GUEST_CRASH && vm->console.out_owned)) {
		n = console_tail(&vm->console, tail, 10);
		fprintf(stderr, "minivmm: last %u console lines:\n", n);
		for (unsigned int i = 0; i < n; i++)
			fprintf(stderr, "  | %s\n", tail[i]);
	}
	/* Stopped from outside (a hang?) or a crash that is not a panic: where each vCPU was. */
	if (status == EXIT_TIMEOUT || status == 128 + SIGTERM ||
	    (status == EXIT_GUEST_CRASH && !atomic_load(&vm->run.panic_seen))) {
		char line[512];

		for (unsigned int i = 0; i < vm->ncpus && vm->vcpus; i++)
			if (!vcpu_describe(&vm->vcpus[i], line, sizeof(line)))
				fprintf(stderr, "minivmm: %s\n", line);
	}
}

/* --json FILE: this run's summary, one line appended (main() emptied the file). */
static int write_summary(struct vm *vm, struct console_watch *w, const struct config *cfg, const struct guest_boot *gb,
			 const struct kernel_suite *ks, int status, const char *reason, long long started_unix_ms,
			 double secs)
{
	unsigned int ndevs = vm_view_ndevs(vm);
	struct vm_view_dev *devs = calloc(ndevs ? ndevs : 1, sizeof(*devs));
	struct run_summary s = {
		.version = MINIVMM_VERSION, .kernel = gb->kernel, .cmdline = gb->cmdline, .cpus = cfg->cpus,
		.mem_bytes = cfg->mem, .seed = cfg->seed, .started_unix_ms = started_unix_ms, .duration_s = secs,
		.status = status, .reason = reason, .ktap = w->ktap, .klog = w->klog, .devs = devs, .ndevs = ndevs,
		.events = &vm->events, .stressed = vm_stressed(cfg),
	};
	struct json_out o;
	const char *panic;
	struct vm_view_vcpu v;
	FILE *f;
	int ret = 0;

	if (!devs)
		return -ENOMEM;
	if (ks) {
		s.kernel_release = ks->kernel;
		s.packages = ks->files;
	}
	if (vm_view_panicked(vm, &panic))
		s.panic = panic;
	for (unsigned int i = 0; i < ndevs; i++)
		vm_view_dev(vm, i, &devs[i]);
	for (unsigned int i = 0; i < vm_view_ncpus(vm); i++) {
		vm_view_vcpu(vm, i, &v);
		s.exits += v.exits;
	}
	s.stress.kicks = vm->jitter.events;
	s.stress.held_ms = vm->jitter.held_us / 1000;
	s.stress.cpu_offline = w->cpu_offline;
	s.stress.cpu_online = w->cpu_online;
	s.stress.irq_moves = w->irq_moves;
	s.stress.msi_route_updates = vm->irq.msi_updates;
	json_out_init(&o, 1 << 22);
	run_summary_write(&s, &o);
	f = fopen(cfg->json, "ae");
	if (o.failed || !f || fprintf(f, "%s\n", json_out_text(&o)) < 0)
		ret = o.failed ? -ENOMEM : -errno;
	if (f && fclose(f) && !ret)
		ret = -errno;
	json_out_free(&o);
	free(devs);
	return ret;
}

/*
 * One guest from @cfg, signals from @sigfd. With @ks (a kernel of
 * --kernel-package, in a process of its own) the run's JUnit suite goes
 * to @ks->f and @res gets its outcome. Returns the exit status.
 */
static int run_guest(const struct config *cfg, int sigfd, const struct kernel_suite *ks,
		     struct kernel_result *res)
{
	static struct vm vm;
	struct console_watch watch = { 0 };
	struct arch_kernel *kernel = NULL;
	struct ctl_server *ctl = NULL;
	struct supervisor sup = { .pidfd = -1 };
	struct more_stats more = { &watch, NULL };
	struct guest_boot gb;
	long long started_unix_ms = (long long)time(NULL) * 1000;
	long t0 = now_ms();
	const char *sock = NULL;
	dev_t sock_dev = 0;
	ino_t sock_ino = 0;
	struct junit_extra *kx = NULL;
	size_t nkx = 0;
	bool klog_verdict = false;
	char err[CONSOLE_WATCH_VERDICT_MAX];
	int status, ret;

	/* The control socket and every --at are checked before anything else is done. */
	if ((cfg->control || cfg->nat) &&
	    ctl_server_create(&ctl, cfg->control, cfg->at, cfg->nat, ctl_vm_commands, &vm, err, sizeof(err)))
		goto refused;
	more.ctl = ctl;
	/* Refuse a bad kernel, or a guest we cannot build, before any VM exists. */
	if (guest_boot_prepare(cfg, &gb, err, sizeof(err)) || guest_boot_add_stress(cfg, &gb, err, sizeof(err)) ||
	    arch_kernel_open(&kernel, cfg, gb.kernel, err, sizeof(err)))
		goto refused;
	/* Before any device is touched: it gives them back (and removes the socket) if minivmm is killed. */
	if ((ctl_server_socket(ctl, &sock, &sock_dev, &sock_ino) || cfg->nassign) &&
	    supervisor_start(&sup, sock, sock_dev, sock_ino, err, sizeof(err)))
		goto refused;

	status = vm_create(&vm, cfg, kernel, gb.initrd[0] ? gb.initrd : NULL, gb.cmdline);
	vm.ctl = ctl; /* vm_create starts from a zeroed vm */
	if (ctl) {
		/* Faults and hotplug steps, as they happen, to every control client. */
		vm.events.sink = ctl_eventlog_sink;
		vm.events.sink_opaque = ctl;
	}
	if (status || console_watch_init(&watch, &vm.run, cfg)) {
		status = EXIT_VMM_ERROR;
		snprintf(err, sizeof(err), "the VM could not be created (the error is above)");
	} else {
		/* The image is in guest RAM now: its pages need not stay resident. */
		arch_kernel_close(kernel);
		kernel = NULL;
		vm.console.on_line = console_watch_line;
		vm.console.opaque = &watch;
		supervisor_watch(&sup, &vm.loop);
		status = vm_run(&vm, sigfd);
		report_exit(&vm, status);
		report_stress(&vm, &watch, cfg);
		/* The guest kernel's bug reports fail a run that passed. */
		klog_verdict = status == EXIT_GUEST_OK;
		status = console_watch_klog_verdict(&watch, status);
		klog_verdict = klog_verdict && status != EXIT_GUEST_OK;
		if (console_watch_junit_cases(&watch, &kx, &nkx))
			pr_err("out of memory for the kernel log's JUnit cases");
		status = report_tests(&vm, &watch, cfg, status, kx, nkx);
		/* A run the kernel log failed: that is why. */
		snprintf(err, sizeof(err), "%s", klog_verdict && status == 1 ? watch.klog_verdict : vm.run.exit_msg);
		ret = cfg->json ? write_summary(&vm, &watch, cfg, &gb, ks, status, err, started_unix_ms,
						(double)(now_ms() - t0) / 1000) : 0;
		if (ret) {
			pr_err("cannot write --json %s: %s", cfg->json, strerror(-ret));
			status = EXIT_VMM_ERROR;
		}
		/* Control clients hear the final status before the socket goes. */
		ctl_server_finish(ctl, status, err);
	}
	/* Console first: a terminal gets its mode back before our last words. */
	console_destroy(&vm.console);
	if (cfg->stats)
		vm_print_stats(&vm, stderr, print_more_stats, &more);
	if (ks) {
		res->status = status;
		res->klog_verdict = klog_verdict && status == 1;
		snprintf(res->msg, sizeof(res->msg), "%s", err);
		kreport_write_suite(ks->f, watch.ktap, kx, nkx, ks->kernel, ks->files,
				    vm.started_ms ? (double)(now_ms() - vm.started_ms) / 1000 : 0, res);
	}
	console_watch_junit_cases_free(kx, nkx);
	vm_destroy(&vm);
	supervisor_destroy(&sup);
	ctl_server_destroy(ctl);
	console_watch_destroy(&watch);
	arch_kernel_close(kernel);
	return status;

refused:
	pr_err("%s", err);
	if (ks) {
		res->status = EXIT_VMM_ERROR;
		snprintf(res->msg, sizeof(res->msg), "%s", err);
		kreport_write_suite(ks->f, NULL, NULL, 0, ks->kernel, ks->files, 0, res);
	}
	ctl_server_destroy(ctl);
	arch_kernel_close(kernel);
	return EXIT_VMM_ERROR;
}

int main(int argc, char *argv[])
{
	struct config cfg;
	char err[768];
	int sigfd, status;

	if (argc > 1 && !strcmp(argv[1], "doctor"))
		return doctor_main(argc - 1, argv + 1);
	if (argc > 1 && !strcmp(argv[1], "ctl"))
		return ctl_client_main(argc - 1, argv + 1);
	if (argc > 1 && !strcmp(argv[1], "restore"))
		return restore_main(argc - 1, argv + 1);
	if (argc > 1 && !strcmp(argv[1], "supervise"))
		return supervisor_main(argc - 1, argv + 1);
	if (config_parse(&cfg, argc, argv, err, sizeof(err))) {
		pr_err("%s", err);
		return EXIT_VMM_ERROR;
	}
	if (cfg.help) {
		fputs(config_usage, stdout);
		return 0;
	}
	if (cfg.version) {
		printf("minivmm %s\n", MINIVMM_VERSION);
		return 0;
	}
	log_set_level(config_log_level(&cfg));

	sigfd = signals_setup();
	if (sigfd < 0) {
		pr_err("cannot set up signal handling: %s", strerror(errno));
		return EXIT_VMM_ERROR;
	}
	if (!cfg.seed_given && getrandom(&cfg.seed, sizeof(cfg.seed), 0) != sizeof(cfg.seed))
		cfg.seed = (uint64_t)time(NULL) ^ ((uint64_t)getpid() << 32);
	if (vm_stressed(&cfg))
		pr_notice("seed %llu (the same run again: --seed %llu)", (unsigned long long)cfg.seed,
			  (unsigned long long)cfg.seed);
	/* --json: emptied once here, each run appends its line. */
	if (cfg.json) {
		FILE *f = fopen(cfg.json, "we");

		if (!f || fclose(f)) {
			pr_err("cannot write --json %s: %s (give a writable path)", cfg.json, strerror(errno));
			close(sigfd);
			config_free(&cfg);
			return EXIT_VMM_ERROR;
		}
	}
	/* Several kernels: each runs as below, in a child process (kernels.h). */
	if (cfg.nkernel_packages)
		status = kernels_main(&cfg, sigfd, run_guest);
	else
		status = run_guest(&cfg, sigfd, NULL, NULL);
	close(sigfd);
	config_free(&cfg);
	return status;
}

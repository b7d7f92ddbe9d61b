// SPDX-License-Identifier: GPL-2.0-only
/* argv -> config; create, run, destroy. The only place that exits. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "minivmm/config.h"
#include "minivmm/log.h"
#include "minivmm/vm.h"
#include "minivmm/x86/boot.h"

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

int main(int argc, char *argv[])
{
	static struct vm vm;
	struct boot_image kernel = { .fd = -1 };
	struct config cfg;
	char err[512];
	int sigfd, status;

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
	log_set_level(cfg.verbosity >= 2 ? LOG_DEBUG : cfg.verbosity == 1 ? LOG_INFO : LOG_WARN);

	sigfd = signals_setup();
	if (sigfd < 0) {
		pr_err("cannot set up signal handling: %s", strerror(errno));
		return EXIT_VMM_ERROR;
	}
	/* Refuse a bad kernel before any VM exists. */
	if (boot_image_open(&kernel, cfg.kernel, err, sizeof(err))) {
		pr_err("%s", err);
		return EXIT_VMM_ERROR;
	}

	if (vm_create(&vm, &cfg, &kernel)) {
		status = EXIT_VMM_ERROR;
	} else {
		status = vm_run(&vm, sigfd);
		if (status == EXIT_GUEST_OK)
			pr_info("%s", vm.exit_msg);
		else if (status == EXIT_GUEST_CRASH || status == EXIT_VMM_ERROR || status > 128)
			pr_err("%s", vm.exit_msg);
		else
			pr_info("%s", vm.exit_msg);
	}
	/* Console first: a terminal gets its mode back before our last words. */
	console_destroy(&vm.console);
	if (cfg.stats)
		vm_print_stats(&vm, stderr);
	vm_destroy(&vm);
	boot_image_close(&kernel);
	close(sigfd);
	return status;
}

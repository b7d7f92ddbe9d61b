// SPDX-License-Identifier: GPL-2.0-only
/*
 * libFuzzer harness for the command-line parser (src/config.c) and the
 * PCI address parser it uses (src/pci/bdf.c): the input is split at NUL
 * bytes into argv, argv[0] included (a caller of execve chooses it too).
 * Every argument sits in an allocation of its own, so reading past one is
 * caught.
 *
 * Checked: an error is -EINVAL with a one-line message (a newline only
 * where it quotes an argument that has one); an accepted
 * command line has values in their documented ranges (vCPUs, RAM, timeout,
 * command line length), distinct devices, and a "-- CMD ARGS..." that a
 * shell splits back into exactly those arguments; parsing twice gives the
 * same result (the parser re-initialises getopt); a size or BDF that
 * parses has one meaning (sizes: number << suffix; BDFs: their canonical
 * text parses back to the same address).
 */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "minivmm/config.h"
#include "minivmm/x86/layout.h"
#include "minivmm/pci_bdf.h"

#define MAX_ARGS 64

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_quiet();
	return 0;
}

/* Split a shell-quoted "'a' 'b'\''c'" back into words; -1 when malformed. */
FUZZ_NOCOV static int sh_split(const char *s, char **words, int max)
{
	int n = 0;

	while (*s) {
		size_t len = 0;
		char *w;

		if (n == max || *s != '\'')
			return -1;
		w = malloc(strlen(s) + 1);
		FUZZ_CHECK(w);
		for (;;) {
			if (*s == '\'') {
				s++;
				while (*s && *s != '\'')
					w[len++] = *s++;
				if (*s++ != '\'') {
					free(w);
					return -1;
				}
			} else if (s[0] == '\\' && s[1] == '\'') {
				w[len++] = '\'';
				s += 2;
			} else {
				break;
			}
		}
		w[len] = 0;
		words[n++] = w;
		if (*s == ' ')
			s++;
		else if (*s)
			return -1;
	}
	return n;
}

FUZZ_NOCOV static void check_run(const struct config *cfg, int argc, char **argv)
{
	char *words[MAX_ARGS];
	int n = sh_split(cfg->run, words, MAX_ARGS);

	/* The last n arguments, after the "--" that ended the options. */
	FUZZ_CHECK(n >= 1 && n <= argc - 2 && !strcmp(argv[argc - n - 1], "--"));
	for (int i = 0; i < n; i++) {
		FUZZ_CHECK(!strcmp(words[i], argv[argc - n + i]));
		free(words[i]);
	}
}

/* A size's one meaning: decimal digits, an optional B/K/M/G (M without one),
 * an optional "i" after K/M/G. */
FUZZ_NOCOV static void check_size(const char *s)
{
	uint64_t got = 0, v = 0;
	unsigned int shift = 20;
	const char *p = s;
	bool ok = isdigit((unsigned char)*p);
	int ret = config_parse_size(s, &got);

	for (; isdigit((unsigned char)*p); p++) {
		if (v > (UINT64_MAX - (*p - '0')) / 10)
			ok = false;
		v = v * 10 + (*p - '0');
	}
	switch (*p) {
	case 'b': case 'B': shift = 0; p++; break;
	case 'k': case 'K': shift = 10; p++; break;
	case 'm': case 'M': shift = 20; p++; break;
	case 'g': case 'G': shift = 30; p++; break;
	}
	if (*p == 'i' && shift && p > s && isalpha((unsigned char)p[-1]))
		p++;
	ok = ok && !*p && v <= UINT64_MAX >> shift;
	FUZZ_CHECK(ok == !ret);
	if (ok)
		FUZZ_CHECK(got == v << shift);
}

FUZZ_NOCOV static void check_bdf(const char *s)
{
	struct pci_bdf a = { 0 }, b = { 0 };
	char text[PCI_BDF_STRLEN];
	size_t len = strlen(s);

	if (pci_bdf_parse(s, &a))
		return;
	FUZZ_CHECK(len == 7 || len == 12);
	FUZZ_CHECK(a.dev <= 31 && a.fn <= 7);
	pci_bdf_format(&a, text);
	FUZZ_CHECK(!pci_bdf_parse(text, &b) && !memcmp(&a, &b, sizeof(a)));
	for (size_t i = 0; i < len; i++)
		FUZZ_CHECK(tolower((unsigned char)s[i]) == text[i + 12 - len]);
}

FUZZ_NOCOV static void check_config(const struct config *cfg, int argc, char **argv)
{
	if (cfg->help || cfg->version)
		return;
	FUZZ_CHECK(cfg->cpus >= 1 && cfg->cpus <= CONFIG_MAX_CPUS);
	FUZZ_CHECK(cfg->mem >= CONFIG_MIN_MEM && cfg->mem <= LAYOUT_RAM_MAX && !(cfg->mem & 0xfff));
	FUZZ_CHECK(cfg->timeout <= CONFIG_MAX_TIMEOUT);
	FUZZ_CHECK(cfg->cmdline && strlen(cfg->cmdline) < LAYOUT_CMDLINE_MAX);
	FUZZ_CHECK(cfg->nassign <= CONFIG_MAX_ASSIGN);
	for (unsigned int i = 0; i < cfg->nassign; i++)
		for (unsigned int j = 0; j < i; j++)
			FUZZ_CHECK(memcmp(&cfg->assign[i], &cfg->assign[j], sizeof(cfg->assign[i])));
	FUZZ_CHECK(!cfg->modules || cfg->kernel);
	if (cfg->run_owned) {
		FUZZ_CHECK(cfg->run == cfg->run_owned);
		check_run(cfg, argc, argv);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *argv[MAX_ARGS + 1];
	char err[256], err2[256];
	struct config cfg, cfg2;
	int argc = 0, ret, ret2;
	size_t start = 0;

	/* NUL-separated arguments, each in its own allocation. */
	for (size_t i = 0; i <= size && argc < MAX_ARGS; i++) {
		if (i < size && data[i])
			continue;
		argv[argc] = malloc(i - start + 1);
		FUZZ_CHECK(argv[argc]);
		memcpy(argv[argc], data + start, i - start);
		argv[argc][i - start] = 0;
		argc++;
		start = i + 1;
	}
	argv[argc] = NULL;

	memset(err, 'x', sizeof(err));
	ret = config_parse(&cfg, argc, argv, err, sizeof(err));
	if (ret) {
		FUZZ_CHECK(ret == -EINVAL);
		/* One line, unless it quotes an argument that has a newline. */
		FUZZ_CHECK(memchr(err, 0, sizeof(err)) && err[0]);
		FUZZ_CHECK(!strchr(err, '\n') || memchr(data, '\n', size));
	} else {
		FUZZ_CHECK(!err[0]);
		check_config(&cfg, argc, argv);
	}
	ret2 = config_parse(&cfg2, argc, argv, err2, sizeof(err2));
	FUZZ_CHECK(ret2 == ret && !strcmp(err, err2));
	if (!ret) {
		FUZZ_CHECK(cfg.cpus == cfg2.cpus && cfg.mem == cfg2.mem && cfg.nassign == cfg2.nassign);
		FUZZ_CHECK(!cfg.run == !cfg2.run && (!cfg.run || !strcmp(cfg.run, cfg2.run)));
	}
	config_free(&cfg);
	config_free(&cfg2);
	FUZZ_CHECK(!cfg.run && !cfg.run_owned);

	for (int i = 0; i < argc; i++) {
		check_size(argv[i]);
		check_bdf(argv[i]);
		free(argv[i]);
	}
	return 0;
}

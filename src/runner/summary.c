// SPDX-License-Identifier: GPL-2.0-only
/* The run summary of --json FILE (summary.h). */
#include <stdio.h>

#include "minivmm/config.h"
#include "minivmm/eventlog.h"
#include "minivmm/runner/klog.h"
#include "minivmm/runner/ktap.h"
#include "minivmm/runner/summary.h"

const char *run_status_meaning(int status)
{
	if (status == EXIT_GUEST_OK)
		return "passed";
	if (status > 0 && status < EXIT_TIMEOUT)
		return "failed"; /* the guest command's status, or a test that failed */
	switch (status) {
	case EXIT_TIMEOUT: return "timeout";
	case EXIT_VMM_ERROR: return "minivmm-error";
	case EXIT_GUEST_CRASH: return "guest-crashed";
	}
	return status > 128 ? "signalled" : "unknown";
}

static const char *case_status(enum ktap_status st)
{
	static const char *const names[] = {
		[KTAP_PASS] = "pass", [KTAP_FAIL] = "fail", [KTAP_SKIP] = "skip",
		[KTAP_TODO] = "todo", [KTAP_ERROR] = "error",
	};

	return st <= KTAP_ERROR ? names[st] : "error";
}

static void write_tests(const struct ktap_parser *p, struct json_out *o)
{
	const struct ktap_summary *sum = ktap_summary(p);
	size_t n = ktap_ncases(p);

	json_key(o, "tests");
	json_begin_object(o);
	json_kv_uint(o, "passed", sum->passed);
	json_kv_uint(o, "failed", sum->failed);
	json_kv_uint(o, "errors", sum->errors);
	json_kv_uint(o, "skipped", sum->skipped);
	json_kv_uint(o, "todo", sum->todo);
	json_kv_bool(o, "bailed_out", sum->bail_out);
	json_key(o, "cases");
	json_begin_array(o);
	for (size_t i = 0; i < n; i++) {
		const struct ktap_case *c = ktap_case_at(p, i);

		json_begin_object(o);
		if (c->suite[0])
			json_kv_string(o, "suite", c->suite);
		json_kv_string(o, "name", c->name);
		json_kv_string(o, "status", case_status(c->status));
		if (c->reason[0])
			json_kv_string(o, "reason", c->reason);
		json_end_object(o);
	}
	json_end_array(o);
	json_end_object(o);
}

static void write_devices(const struct run_summary *s, struct json_out *o)
{
	json_key(o, "devices");
	json_begin_array(o);
	for (unsigned int i = 0; i < s->ndevs; i++) {
		const struct vm_view_dev *d = &s->devs[i];

		json_begin_object(o);
		json_kv_string(o, "bdf", d->bdf);
		json_kv_string(o, "guest_bdf", d->guest_bdf);
		json_kv_string(o, "hotplug", d->hotplug);
		json_kv_string(o, "irq_mode", d->irq_mode);
		json_key(o, "irq_modes_used");
		json_begin_array(o);
		for (unsigned int m = 0; m < d->nmodes_used; m++)
			json_string(o, d->modes_used[m]);
		json_end_array(o);
		json_kv_uint(o, "vectors", d->vectors);
		json_kv_uint(o, "interrupts", d->interrupts);
		json_kv_uint(o, "irq_mode_changes", d->mode_changes);
		json_kv_uint(o, "flrs", d->flrs);
		json_kv_uint(o, "d3_entries", d->d3_entries);
		json_kv_uint(o, "faults_dropped", d->faults_dropped);
		json_kv_uint(o, "faults_spurious", d->faults_spurious);
		json_end_object(o);
	}
	json_end_array(o);
}

static void write_events(struct event_log *l, struct json_out *o)
{
	char kind[32], what[EVENTLOG_TEXT];
	long t;

	json_key(o, "events");
	json_begin_array(o);
	for (unsigned int i = 0; l && !eventlog_entry(l, i, &t, kind, sizeof(kind), what, sizeof(what)); i++) {
		json_begin_object(o);
		json_kv_int(o, "time_ms", t);
		json_kv_string(o, "kind", kind);
		json_kv_string(o, "what", what);
		json_end_object(o);
	}
	json_end_array(o);
}

void run_summary_write(const struct run_summary *s, struct json_out *o)
{
	json_begin_object(o);
	json_kv_string(o, "minivmm", s->version);
	json_key(o, "kernel");
	json_begin_object(o);
	json_kv_string(o, "image", s->kernel);
	if (s->kernel_release)
		json_kv_string(o, "release", s->kernel_release);
	if (s->packages)
		json_kv_string(o, "packages", s->packages);
	json_end_object(o);
	json_kv_string(o, "cmdline", s->cmdline);
	json_kv_uint(o, "cpus", s->cpus);
	json_kv_uint(o, "mem_bytes", s->mem_bytes);
	json_kv_uint(o, "seed", s->seed);
	if (s->started_unix_ms)
		json_kv_int(o, "started_unix_ms", s->started_unix_ms);
	json_key(o, "duration_s");
	json_double(o, (double)(long long)(s->duration_s * 1000 + 0.5) / 1000);
	json_kv_int(o, "status", s->status);
	json_kv_string(o, "result", run_status_meaning(s->status));
	json_kv_string(o, "reason", s->reason);
	if (s->panic)
		json_kv_string(o, "panic", s->panic);
	if (s->ktap && ktap_summary(s->ktap)->seen)
		write_tests(s->ktap, o);
	if (s->klog) {
		json_key(o, "kernel_log");
		klog_write_json(s->klog, o, true);
	}
	write_devices(s, o);
	json_kv_uint(o, "vm_exits", s->exits);
	write_events(s->events, o);
	if (s->stressed) {
		json_key(o, "stress");
		json_begin_object(o);
		json_kv_uint(o, "jitter_kicks", s->stress.kicks);
		json_kv_uint(o, "jitter_held_ms", s->stress.held_ms);
		json_kv_uint(o, "cpu_offline", s->stress.cpu_offline);
		json_kv_uint(o, "cpu_online", s->stress.cpu_online);
		json_kv_uint(o, "irq_moves", s->stress.irq_moves);
		json_kv_uint(o, "msi_route_updates", s->stress.msi_route_updates);
		json_end_object(o);
	}
	json_end_object(o);
}

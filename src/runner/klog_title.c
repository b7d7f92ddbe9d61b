// SPDX-License-Identifier: GPL-2.0-only
/*
 * The one-line title of a kernel report, from its lines, in the style of
 * syzkaller's pkg/report: "WARNING in foo_probe", "BUG: soft lockup in
 * foo_init", "KASAN: slab-out-of-bounds Read in foo_read". The function
 * named is the first frame of the report's first stack (the RIP line, then
 * the call trace; questionable "? " entries left out) that is not generic
 * reporting, locking or library code. Stalls and lockups name the frame
 * just above the first dispatcher (syscall entry, workqueue, module init,
 * timer, ...) below the spinning code, hung tasks the first frame that is
 * not a sleep or lock primitive (or rtnl_lock / synchronize_rcu), as
 * syzkaller does, so that one bug gives one title wherever it spins.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "minivmm/runner/klog_format.h"

#define KT_FRAMES 48
#define KT_FUNC 64

struct frames {
	unsigned int n;
	char f[KT_FRAMES][KT_FUNC];
};

/*
 * Frames no title names. "^x": starts with x, "x$": ends with x, else x
 * anywhere in the name.
 */
static const char *const generic_skip[] = {
	"dump_stack", "show_stack", "show_regs", "show_trace", "__warn", "warn_slowpath",
	"report_bug", "handle_bug", "exc_invalid_op", "asm_exc_", "do_error_trap", "^do_trap",
	"fixup_bug", "panic", "printk", "print_report", "print_address_description",
	"kasan", "__asan", "ubsan", "kcsan", "kmsan", "kfence", "__sanitizer",
	"lockdep", "lock_acquire", "lock_release", "^_raw_spin", "^_raw_read", "^_raw_write",
	"spin_lock", "spin_unlock", "^mutex_", "^__mutex_", "^down$", "^down_read", "^down_write",
	"^up_read", "^up_write", "^refcount_", "^kref_", "^memcpy", "^memset", "^memmove", "^memcmp",
	"^__memcpy", "^__memset", "^strcmp", "^strncmp", "^strcpy", "^strncpy", "^strscpy",
	"^strlcpy", "^strlen", "^strnlen", "^strchr", "^strstr", "copy_to_user", "copy_from_user",
	"__might_sleep", "__might_resched", "might_fault", "nmi_cpu_backtrace",
	"nmi_trigger_cpumask_backtrace", "^dev_printk", "^_dev_", "^dev_warn", "^dev_err",
	"kobject_", "^__list_add", "^__list_del", "^list_add", "^list_del", "_indirect_thunk_",
	"_return_thunk", "^kfree$", "^kvfree$", "^kmalloc", "^kzalloc", "^kcalloc", "^kvmalloc",
	"^__kmalloc", "kmem_cache", "^slab_", "^__slab_",
	NULL,
};

/* More for stalls: the timer interrupt that reports them. */
static const char *const stall_skip[] = {
	"apic_timer_interrupt", "^sysvec_", "^__sysvec_", "rcu", "hrtimer", "^tick_",
	"update_process_times", "watchdog_timer_fn", NULL,
};

/* Where a stall's identity ends: the frame above the first of these. */
static const char *const stall_anchors[] = {
	"process_one_work", "worker_thread", "do_syscall_", "do_fast_syscall_", "^do_one_initcall$",
	"do_softirq", "call_timer_fn", "_run_timers", "run_timer_softirq", "hrtimer_run",
	"run_ksoftirqd", "smpboot_thread_fn", "^kthread$", "start_secondary", "cpu_startup_entry",
	"ret_from_fork", "^vfs_write$", "^vfs_read$", "^vfs_ioctl$", "^__x64_sys_ioctl$",
	"^do_vfs_ioctl$", "^__handle_irq_event_percpu$", "^handle_irq_event", "tasklet_action",
	"^net_rx_action$", "netif_receive_skb", "^__do_fault$", "task_work_run", NULL,
};

/* What hung tasks wait in: never their identity. */
static const char *const hang_skip[] = {
	"sched", "_lock", "_slowlock", "down", "rwsem", "completion", "kthread", "wait",
	"synchronize", "context_switch", "__switch_to", "cancel_delayed_work", "rcu_barrier", NULL,
};

/* Syscall wrappers: "__do_sys_finit_module" is titled "finit_module". */
static const char *const strip_prefixes[] = {
	"__x64_sys_", "__ia32_sys_", "__se_sys_", "__do_sys_", "__sys_", "ksys_", "sys_", NULL,
};

static bool pattern_match(const char *f, const char *pat)
{
	size_t fl = strlen(f), pl = strlen(pat);

	if (pat[0] == '^') {
		pat++;
		pl--;
		if (pl && pat[pl - 1] == '$')
			return pl - 1 == fl && !strncmp(f, pat, pl - 1);
		return !strncmp(f, pat, pl);
	}
	if (pl && pat[pl - 1] == '$')
		return fl >= pl - 1 && !strncmp(f + fl - (pl - 1), pat, pl - 1);
	return strstr(f, pat) != NULL;
}

static bool any_match(const char *f, const char *const *list)
{
	for (; list && *list; list++)
		if (pattern_match(f, *list))
			return true;
	return false;
}

/* Copy line @i (0: the header) of @text into @out; false past the end. */
static bool line_at(const char *text, unsigned int i, char *out, size_t outlen)
{
	const char *nl;
	size_t n;

	for (; i; i--) {
		nl = strchr(text, '\n');
		if (!nl)
			return false;
		text = nl + 1;
	}
	if (!*text)
		return false;
	nl = strchr(text, '\n');
	n = nl ? (size_t)(nl - text) : strlen(text);
	if (n >= outlen)
		n = outlen - 1;
	memcpy(out, text, n);
	out[n] = 0;
	return true;
}

static const char *skip_blanks(const char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	return s;
}

/* "RIP: 0010:func+0x1/0x2" (kernel code segment) or arm64's "pc : func+0x1/0x2". */
static bool rip_func(const char *line, char *out, size_t outlen)
{
	const char *p = skip_blanks(line);

	if (!strncmp(p, "RIP: ", 5)) {
		p += 5;
		if (!strncmp(p, "0033:", 5))
			return false; /* user space */
		if (!strncmp(p, "0010:", 5))
			p += 5;
	} else if (!strncmp(p, "pc : ", 5)) {
		p += 5;
	} else {
		return false;
	}
	if (!strncmp(p, "[<", 2) && strstr(p, "] "))
		p = strstr(p, "] ") + 2;
	return klog_func_at(p, out, outlen) != NULL;
}

/* A call-trace entry " func+0x1/0x2 [mod]" or " [<addr>] func+0x1/0x2"; not "? func". */
static bool frame_func(const char *line, char *out, size_t outlen)
{
	const char *p = skip_blanks(line);

	if (!strncmp(p, "[<", 2)) {
		const char *q = strstr(p, "] ");

		if (!q)
			return false;
		p = skip_blanks(q + 2);
	}
	if (!strncmp(p, "? ", 2))
		return false;
	return klog_func_at(p, out, outlen) != NULL;
}

static void add_frame(struct frames *fr, const char *f, const char *const *extra)
{
	if (fr->n == KT_FRAMES || any_match(f, generic_skip) || any_match(f, extra))
		return;
	snprintf(fr->f[fr->n++], KT_FUNC, "%s", f);
}

/*
 * The first stack of the report: RIP lines and call-trace entries, in
 * order, up to the "</TASK>" that closes it. With @from, only what comes
 * after the first line holding @from. @trace_at_start: entries follow the
 * header without a "Call Trace:" line (KMSAN).
 */
static void collect(const char *text, const char *from, bool trace_at_start, const char *const *extra,
		    struct frames *fr)
{
	char line[KLOG_LINE_MAX], f[KT_FUNC];
	bool started = !from, in_trace = trace_at_start;

	fr->n = 0;
	for (unsigned int i = 1; line_at(text, i, line, sizeof(line)); i++) {
		if (strstr(line, "Call Trace:") || strstr(line, "Call trace:")) {
			in_trace = true;
			continue;
		}
		if (!started) {
			started = strstr(line, from) != NULL;
			continue;
		}
		if (strstr(line, "</TASK>") && fr->n)
			break;
		if (rip_func(line, f, sizeof(f)) || (in_trace && frame_func(line, f, sizeof(f))))
			add_frame(fr, f, extra);
	}
}

static void strip_frame(const char *f, char *out, size_t outlen)
{
	const char *best = f;

	for (const char *const *p = strip_prefixes; *p; p++)
		if (!strncmp(f, *p, strlen(*p)) && f[strlen(*p)] && strlen(f + strlen(*p)) < strlen(best))
			best = f + strlen(*p);
	snprintf(out, outlen, "%s", best);
}

/* The first frame (after @extra skips), "" if none. */
static void first_frame(const char *text, const char *const *extra, char *out, size_t outlen)
{
	struct frames fr;

	collect(text, NULL, false, extra, &fr);
	if (fr.n)
		strip_frame(fr.f[0], out, outlen);
	else
		out[0] = 0;
}

static void stall_frame(const char *text, const char *from, char *out, size_t outlen)
{
	struct frames fr;
	unsigned int pick = 0;

	collect(text, from, false, stall_skip, &fr);
	if (!fr.n && from)
		collect(text, NULL, false, stall_skip, &fr);
	out[0] = 0;
	if (!fr.n)
		return;
	for (unsigned int i = 0; i < fr.n; i++) {
		if (any_match(fr.f[i], stall_anchors)) {
			pick = i ? i - 1 : 0;
			break;
		}
	}
	strip_frame(fr.f[pick], out, outlen);
}

static void hang_frame(const char *text, char *out, size_t outlen)
{
	struct frames fr;

	collect(text, NULL, false, NULL, &fr);
	out[0] = 0;
	for (unsigned int i = 0; i < fr.n; i++) {
		if (strstr(fr.f[i], "rtnl_lock")) {
			snprintf(out, outlen, "rtnl_lock");
			return;
		}
		if (strstr(fr.f[i], "synchronize_rcu") || strstr(fr.f[i], "synchronize_srcu") ||
		    strstr(fr.f[i], "synchronize_net") || strstr(fr.f[i], "synchronize_sched")) {
			snprintf(out, outlen, "synchronize_rcu");
			return;
		}
	}
	for (unsigned int i = 0; i < fr.n; i++) {
		if (!any_match(fr.f[i], hang_skip)) {
			strip_frame(fr.f[i], out, outlen);
			return;
		}
	}
}

/* lockdep names the culprit in "..., at: func+0x1/0x2" lines. */
static void at_frame(const char *text, char *out, size_t outlen)
{
	char line[KLOG_LINE_MAX];

	for (unsigned int i = 1; line_at(text, i, line, sizeof(line)); i++) {
		const char *p = strstr(line, "at: ");

		if (!p)
			continue;
		p = skip_blanks(p + 4);
		if (!strncmp(p, "[<", 2) && strstr(p, "] "))
			p = strstr(p, "] ") + 2;
		if (klog_func_at(p, out, outlen))
			return;
	}
	first_frame(text, NULL, out, outlen);
}

static void with_func(char *out, size_t outlen, const char *base, const char *func)
{
	if (func[0])
		snprintf(out, outlen, "%s in %s", base, func);
	else
		snprintf(out, outlen, "%s", base);
}

/* Text of @head after @after up to @stop (or the end), blanks trimmed. */
static void span(const char *head, const char *after, const char *stop, char *out, size_t outlen)
{
	const char *p = strstr(head, after), *e;
	size_t n;

	out[0] = 0;
	if (!p)
		return;
	p += strlen(after);
	e = stop ? strstr(p, stop) : NULL;
	n = e ? (size_t)(e - p) : strlen(p);
	while (n && (p[n - 1] == ' ' || p[n - 1] == '\t'))
		n--;
	if (n >= outlen)
		n = outlen - 1;
	memcpy(out, p, n);
	out[n] = 0;
}

/* "a [mod] / b [mod]" -> "a / b" */
static void drop_modules(char *s)
{
	char *o = s;

	for (const char *i = s; *i;) {
		if (i[0] == ' ' && i[1] == '[' && strchr(i, ']')) {
			i = strchr(i, ']') + 1;
			continue;
		}
		*o++ = *i++;
	}
	*o = 0;
}

/* The function named after " in " on the header (KASAN, KFENCE, KMSAN). */
static void header_func(const char *head, const char *tag, char *out, size_t outlen)
{
	const char *p = strstr(head, tag);

	out[0] = 0;
	if (p && (p = strstr(p, " in ")))
		klog_func_at(p + 4, out, outlen);
}

static void warn_title(const char *text, const char *head, char *out, size_t outlen)
{
	static const struct {
		const char *src, *base;
		const char *skip[4];
	} special[] = {
		{ "lib/refcount.c:", "WARNING: refcount bug", { "refcount", NULL } },
		{ "lib/kobject.c:", "WARNING: kobject bug", { "kobject_", NULL } },
		{ "lib/debugobjects.c:", "WARNING: ODEBUG bug", { "debug_", NULL } },
		{ "mm/usercopy.c:", "WARNING: bad usercopy", { "usercopy", "__check", NULL } },
		{ "kernel/locking/lockdep.c:", "WARNING: locking bug", { "lock_", NULL } },
	};
	char func[KT_FUNC] = "", src[KLOG_LINE_MAX] = "", f[KT_FUNC];
	const char *p = strstr(head, "WARNING: "), *q, *base = "WARNING";
	const char *const *extra = NULL;

	/* the header's own "at [file:line] func+0x..", or (newer) "file:line at func+0x.." */
	if (p) {
		p += 9;
		if (!strncmp(p, "CPU: ", 5)) {
			/* "CPU: N PID: N at ...": without " at " (a line a guest made up) nothing is named */
			const char *at = strstr(p, " at ");

			if (at) {
				q = klog_src_at(at + 4, src, sizeof(src));
				klog_func_at(q && *q == ' ' ? q + 1 : at + 4, func, sizeof(func));
			}
		} else if ((q = klog_src_at(p, src, sizeof(src))) && !strncmp(q, " at ", 4)) {
			klog_func_at(q + 4, func, sizeof(func));
		}
	}
	for (size_t i = 0; i < sizeof(special) / sizeof(special[0]); i++) {
		if (!strncmp(src, special[i].src, strlen(special[i].src))) {
			base = special[i].base;
			extra = special[i].skip;
		}
	}
	first_frame(text, extra, f, sizeof(f));
	if (f[0])
		snprintf(func, sizeof(func), "%s", f);
	if (!strcmp(base, "WARNING") && func[0])
		snprintf(out, outlen, "WARNING in %s", func);
	else
		with_func(out, outlen, base, func);
}

/* "NETDEV WATCHDOG: eth0 (e1000e): transmit queue 0 timed out", from whichever form the kernel printed. */
static void netdev_title(const char *text, char *out, size_t outlen)
{
	char line[KLOG_LINE_MAX], ifname[64], drv[64];
	unsigned int q;

	for (unsigned int i = 0; line_at(text, i, line, sizeof(line)); i++) {
		const char *p = strstr(line, "NETDEV WATCHDOG: ");

		if (!p)
			continue;
		/* 6.1: WARN_ONCE's "NETDEV WATCHDOG: %s (%s): transmit queue %u timed out" */
		if (sscanf(p, "NETDEV WATCHDOG: %63s (%63[^)]): transmit queue %u timed out", ifname, drv, &q) == 3) {
			snprintf(out, outlen, "NETDEV WATCHDOG: %s (%s): transmit queue %u timed out", ifname, drv, q);
			return;
		}
		/* 6.9+: netdev_crit's "DRIVER BDF IFNAME: NETDEV WATCHDOG: CPU: %d: transmit queue %u timed out" */
		{
			char bdf[64];
			unsigned int cpu;

			if (sscanf(line, "%63s %63s %63[^:]: NETDEV WATCHDOG: CPU: %u: transmit queue %u", drv, bdf,
				   ifname, &cpu, &q) == 5) {
				snprintf(out, outlen, "NETDEV WATCHDOG: %s (%s): transmit queue %u timed out", ifname,
					 drv, q);
				return;
			}
		}
	}
	snprintf(out, outlen, "NETDEV WATCHDOG: transmit queue timed out");
}

/* "irq 11: nobody cared (handler e1000_intr)": the first entry after "handlers:". */
static void nobody_cared_title(const char *text, const char *head, char *out, size_t outlen)
{
	char line[KLOG_LINE_MAX], func[KT_FUNC] = "";
	const char *p = strstr(head, "irq ");
	unsigned int irq = 0;
	bool handlers = false;

	if (p)
		sscanf(p, "irq %u", &irq);
	for (unsigned int i = 1; line_at(text, i, line, sizeof(line)); i++) {
		const char *q = skip_blanks(line);

		if (!strncmp(q, "handlers:", 9)) {
			handlers = true;
			continue;
		}
		if (handlers && !strncmp(q, "[<", 2) && (q = strstr(q, "] "))) {
			size_t n = 0;

			q += 2;
			while (isalnum((unsigned char)q[n]) || q[n] == '_')
				n++;
			if (n && n < sizeof(func)) {
				memcpy(func, q, n);
				func[n] = 0;
			}
			break;
		}
	}
	if (func[0])
		snprintf(out, outlen, "irq %u: nobody cared (handler %s)", irq, func);
	else
		snprintf(out, outlen, "irq %u: nobody cared", irq);
}

/* "KASAN: slab-out-of-bounds Read in foo_read" */
static void kasan_title(const char *text, const char *head, char *out, size_t outlen)
{
	char type[64], func[KT_FUNC], line[KLOG_LINE_MAX], base[160];
	const char *access = "";

	span(head, "BUG: KASAN: ", " in ", type, sizeof(type));
	header_func(head, "BUG: KASAN: ", func, sizeof(func));
	for (unsigned int i = 1; line_at(text, i, line, sizeof(line)); i++) {
		const char *p = skip_blanks(line);

		if (!strncmp(p, "Read of size", 12) || !strncmp(p, "Read at addr", 12)) {
			access = " Read";
			break;
		}
		if (!strncmp(p, "Write of size", 13) || !strncmp(p, "Write at addr", 13)) {
			access = " Write";
			break;
		}
	}
	if (!func[0] || any_match(func, generic_skip))
		first_frame(text, NULL, func, sizeof(func));
	if (!strcmp(type, "double-free") || strstr(type, "invalid-free"))
		snprintf(base, sizeof(base), "KASAN: invalid-free");
	else
		snprintf(base, sizeof(base), "KASAN: %s%s", type, access);
	with_func(out, outlen, base, func);
}

/* "KFENCE: out-of-bounds read in f", "KMSAN: uninit-value in f" */
static void tool_in_title(const char *text, const char *head, const char *tag, const char *name,
			  bool trace_at_start, char *out, size_t outlen)
{
	char what[96], func[KT_FUNC], base[160];
	struct frames fr;

	span(head, tag, " in ", what, sizeof(what));
	header_func(head, tag, func, sizeof(func));
	if (!func[0] || any_match(func, generic_skip) || trace_at_start) {
		collect(text, NULL, trace_at_start, NULL, &fr);
		if (fr.n)
			strip_frame(fr.f[0], func, sizeof(func));
	}
	snprintf(base, sizeof(base), "%s: %s", name, what);
	with_func(out, outlen, base, func);
}

void klog_title(enum klog_kind kind, const char *text, char *out, size_t outlen)
{
	static const char *const atomic_skip[] = { "schedule", "sleep", NULL };
	static const char *const preempt_skip[] = { "preempt", "processor_id", "this_cpu", "debug_", NULL };
	static const char *const spin_skip[] = { "spin_", "_lock", "_unlock", NULL };
	static const char *const skb_skip[] = { "^skb_", NULL };
	static const char *const ubsan_skip[] = { "ubsan", "overflow", NULL };
	static const char *const nonstatic_skip[] = { "register_lock_class", "lockdep_init", "__lock", NULL };
	char head[KLOG_LINE_MAX], f[KT_FUNC], a[KLOG_LINE_MAX], b[KLOG_LINE_MAX + 16];

	if (!outlen)
		return;
	if (!line_at(text, 0, head, sizeof(head)))
		head[0] = 0;
	f[0] = 0;
	switch (kind) {
	case KK_RCU_STALL:
		stall_frame(text, "apic_timer_interrupt", f, sizeof(f));
		with_func(out, outlen, "INFO: rcu detected stall", f);
		break;
	case KK_SOFT_LOCKUP:
		stall_frame(text, NULL, f, sizeof(f));
		with_func(out, outlen, "BUG: soft lockup", f);
		break;
	case KK_HARD_LOCKUP:
		stall_frame(text, NULL, f, sizeof(f));
		with_func(out, outlen, "Watchdog detected hard LOCKUP", f);
		break;
	case KK_HUNG_TASK:
		hang_frame(text, f, sizeof(f));
		with_func(out, outlen, "INFO: task hung", f);
		break;
	case KK_WARN:
		warn_title(text, head, out, outlen);
		break;
	case KK_WARN_NETDEV:
	case KK_NETDEV:
		netdev_title(text, out, outlen);
		break;
	case KK_DEADLOCK:
	case KK_INCONSISTENT:
		at_frame(text, f, sizeof(f));
		with_func(out, outlen, kind == KK_DEADLOCK ? "possible deadlock" : "inconsistent lock state", f);
		break;
	case KK_RCU_USAGE:
		for (unsigned int i = 1; line_at(text, i, a, sizeof(a)); i++)
			if (klog_src_at(skip_blanks(a), f, sizeof(f)))
				break;
		with_func(out, outlen, "WARNING: suspicious RCU usage", f);
		break;
	case KK_LOCK_MISUSE: {
		static const struct {
			const char *text, *base;
		} m[] = {
			{ "bad unlock balance", "WARNING: bad unlock balance" },
			{ "held lock freed", "WARNING: held lock freed" },
			{ "lock held when returning to user space", "WARNING: lock held when returning to user space" },
			{ "Nested lock was not taken", "WARNING: nested lock was not taken" },
			{ "still has locks held", "WARNING: still has locks held" },
		};
		const char *base = "WARNING: locking bug";

		for (size_t i = 0; i < sizeof(m) / sizeof(m[0]); i++)
			if (strstr(head, m[i].text)) {
				base = m[i].base;
				break;
			}
		at_frame(text, f, sizeof(f));
		with_func(out, outlen, base, f);
		break;
	}
	case KK_STACK_REGS:
		snprintf(out, outlen, "WARNING: kernel stack regs has bad value");
		break;
	case KK_STACK_FP:
		snprintf(out, outlen, "WARNING: kernel stack frame pointer has bad value");
		break;
	case KK_BUG_NULL:
		first_frame(text, NULL, f, sizeof(f));
		with_func(out, outlen, "BUG: unable to handle kernel NULL pointer dereference", f);
		break;
	case KK_BUG_PAGING:
		first_frame(text, NULL, f, sizeof(f));
		with_func(out, outlen, "BUG: unable to handle kernel paging request", f);
		break;
	case KK_BUG_ATOMIC:
		first_frame(text, atomic_skip, f, sizeof(f));
		with_func(out, outlen, "BUG: scheduling while atomic", f);
		break;
	case KK_BUG_SLEEP:
		first_frame(text, NULL, f, sizeof(f));
		with_func(out, outlen, "BUG: sleeping function called from invalid context", f);
		break;
	case KK_BUG_PREEMPT:
		span(head, "BUG: using ", "() in preemptible", a, sizeof(a));
		snprintf(b, sizeof(b), "BUG: using %.64s() in preemptible code", a);
		first_frame(text, preempt_skip, f, sizeof(f));
		with_func(out, outlen, b, f);
		break;
	case KK_BUG_SPINLOCK: {
		const char *p = strstr(head, "BUG: ");
		size_t n;

		p = p ? p + 5 : head;
		n = strcspn(p, ",");
		if (strstr(p, " on CPU") && (size_t)(strstr(p, " on CPU") - p) < n)
			n = strstr(p, " on CPU") - p;
		snprintf(b, sizeof(b), "BUG: %.*s", (int)n, p);
		first_frame(text, spin_skip, f, sizeof(f));
		with_func(out, outlen, b, f);
		break;
	}
	case KK_BUG_WQ_LOCKUP:
		snprintf(out, outlen, "BUG: workqueue lockup");
		break;
	case KK_BUG_BAD_PAGE:
		span(head, "BUG: Bad page ", NULL, a, sizeof(a));
		snprintf(out, outlen, "BUG: Bad page %.*s", (int)strcspn(a, " "), a);
		break;
	case KK_BUG_GUARD:
		stall_frame(text, NULL, f, sizeof(f));
		with_func(out, outlen, "BUG: stack guard page was hit", f);
		break;
	case KK_BUG_WAIT_CTX:
		first_frame(text, NULL, f, sizeof(f));
		with_func(out, outlen, "BUG: Invalid wait context", f);
		break;
	case KK_BUG_OTHER:
		span(head, "BUG:", NULL, a, sizeof(a));
		snprintf(out, outlen, "BUG:%s%s", a[0] == ' ' || !a[0] ? "" : " ", a);
		break;
	case KK_KASAN:
		kasan_title(text, head, out, outlen);
		break;
	case KK_KCSAN:
		span(head, "BUG: KCSAN: ", NULL, a, sizeof(a));
		drop_modules(a);
		snprintf(out, outlen, "KCSAN: %s", a);
		break;
	case KK_KMSAN:
		tool_in_title(text, head, "BUG: KMSAN: ", "KMSAN", true, out, outlen);
		break;
	case KK_KFENCE:
		tool_in_title(text, head, "BUG: KFENCE: ", "KFENCE", false, out, outlen);
		break;
	case KK_UBSAN:
		if (strstr(head, "UBSAN: Undefined behaviour in "))
			snprintf(a, sizeof(a), "undefined-behaviour");
		else
			span(head, "UBSAN: ", " in ", a, sizeof(a));
		snprintf(b, sizeof(b), "UBSAN: %.64s", a);
		first_frame(text, ubsan_skip, f, sizeof(f));
		with_func(out, outlen, b, f);
		break;
	case KK_GPF:
		first_frame(text, NULL, f, sizeof(f));
		with_func(out, outlen, "general protection fault", f);
		break;
	case KK_KERNEL_BUG:
		first_frame(text, skb_skip, f, sizeof(f));
		with_func(out, outlen, "kernel BUG", f);
		break;
	case KK_LIST_BUG:
	case KK_LIST_CORRUPT:
		first_frame(text, NULL, f, sizeof(f));
		with_func(out, outlen, "BUG: corrupted list", f);
		break;
	case KK_NETDEV_UNREGISTER:
		span(head, "unregister_netdevice: waiting for ", " to become free", a, sizeof(a));
		snprintf(out, outlen, "unregister_netdevice: waiting for %.16s to become free", a);
		break;
	case KK_NONSTATIC_KEY:
		first_frame(text, nonstatic_skip, f, sizeof(f));
		with_func(out, outlen, "INFO: trying to register non-static key", f);
		break;
	case KK_DIVIDE:
	case KK_INVALID_OPCODE:
	case KK_STACK_SEGMENT:
	case KK_INT3:
	case KK_DOUBLE_FAULT:
	case KK_ARM_INTERNAL: {
		static const char *const names[KK_NKINDS] = {
			[KK_DIVIDE] = "divide error", [KK_INVALID_OPCODE] = "invalid opcode",
			[KK_STACK_SEGMENT] = "stack segment fault", [KK_INT3] = "int3",
			[KK_DOUBLE_FAULT] = "PANIC: double fault", [KK_ARM_INTERNAL] = "Internal error",
		};

		first_frame(text, NULL, f, sizeof(f));
		with_func(out, outlen, names[kind], f);
		break;
	}
	case KK_ARM_UNABLE:
		span(head, "Unable to handle kernel ", NULL, a, sizeof(a));
		if (!strncmp(a, "NULL pointer dereference", 24))
			a[24] = 0;
		else if (!strncmp(a, "paging request", 14))
			a[14] = 0;
		else if (!strncmp(a, "access to user memory", 21))
			a[21] = 0;
		snprintf(b, sizeof(b), "BUG: unable to handle kernel %.64s", a);
		first_frame(text, NULL, f, sizeof(f));
		with_func(out, outlen, b, f);
		break;
	case KK_NOBODY_CARED:
		nobody_cared_title(text, head, out, outlen);
		break;
	case KK_NONE:
	case KK_NKINDS:
		snprintf(out, outlen, "%s", head);
		break;
	}
}

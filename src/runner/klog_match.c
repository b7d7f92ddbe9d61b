// SPDX-License-Identifier: GPL-2.0-only
/*
 * Which kernel report a console line opens. The headers are those of
 * syzkaller's pkg/report for Linux (a report starts at a line holding one
 * of them, anywhere in the line, unless a suppression matches), checked
 * against the kernel's printk formats of 6.1 and 6.12 so that a program
 * printing "WARNING: disk almost full" is no kernel WARNING: a "WARNING:"
 * counts only as WARN's own "WARNING: CPU: N PID: N at ..." (or the newer
 * "WARNING: file.c:N at func+0x..") or as one of lockdep's. Any other
 * "BUG:" line counts too, but only with the console prefix (klog.c).
 */
#include <ctype.h>
#include <string.h>

#include "minivmm/runner/klog_format.h"

const struct klog_kind_info klog_kinds[KK_NKINDS] = {
	[KK_NONE] = { KLOG_BUG, KE_STACK, false, false, false },
	[KK_RCU_STALL] = { KLOG_RCU_STALL, KE_STACK, false, false, false },
	[KK_SOFT_LOCKUP] = { KLOG_SOFT_LOCKUP, KE_STACK, false, false, false },
	[KK_HARD_LOCKUP] = { KLOG_HARD_LOCKUP, KE_STACK, true, false, false },
	[KK_HUNG_TASK] = { KLOG_HUNG_TASK, KE_STACK, false, false, false },
	[KK_WARN] = { KLOG_WARNING, KE_TRACE, false, false, false },
	[KK_WARN_NETDEV] = { KLOG_NETDEV_WATCHDOG, KE_TRACE, false, false, false },
	[KK_DEADLOCK] = { KLOG_LOCKDEP, KE_STACK, false, false, false },
	[KK_INCONSISTENT] = { KLOG_LOCKDEP, KE_STACK, false, false, false },
	[KK_RCU_USAGE] = { KLOG_LOCKDEP, KE_STACK, false, false, false },
	[KK_LOCK_MISUSE] = { KLOG_LOCKDEP, KE_STACK, false, false, false },
	[KK_STACK_REGS] = { KLOG_WARNING, KE_STACK, false, false, false },
	[KK_STACK_FP] = { KLOG_WARNING, KE_STACK, false, false, false },
	[KK_BUG_NULL] = { KLOG_BUG, KE_TRACE, false, false, false },
	[KK_BUG_PAGING] = { KLOG_BUG, KE_TRACE, false, false, false },
	[KK_BUG_ATOMIC] = { KLOG_BUG, KE_STACK, false, false, false },
	[KK_BUG_SLEEP] = { KLOG_BUG, KE_STACK, false, false, false },
	[KK_BUG_PREEMPT] = { KLOG_BUG, KE_STACK, false, false, false },
	[KK_BUG_SPINLOCK] = { KLOG_BUG, KE_STACK, false, false, false },
	[KK_BUG_WQ_LOCKUP] = { KLOG_BUG, KE_STACK, false, false, false },
	[KK_BUG_BAD_PAGE] = { KLOG_BUG, KE_STACK, false, false, false },
	[KK_BUG_GUARD] = { KLOG_BUG, KE_TRACE, false, false, false },
	[KK_BUG_WAIT_CTX] = { KLOG_BUG, KE_STACK, false, false, false },
	[KK_BUG_OTHER] = { KLOG_BUG, KE_STACK, false, false, true },
	[KK_KASAN] = { KLOG_KASAN, KE_BRACKET, false, false, false },
	[KK_KCSAN] = { KLOG_KCSAN, KE_BRACKET, false, false, false },
	[KK_KMSAN] = { KLOG_KMSAN, KE_BRACKET, false, false, false },
	[KK_KFENCE] = { KLOG_KFENCE, KE_BRACKET, false, false, false },
	[KK_UBSAN] = { KLOG_UBSAN, KE_BRACKET, false, false, false },
	[KK_GPF] = { KLOG_OOPS, KE_TRACE, false, false, false },
	[KK_KERNEL_BUG] = { KLOG_OOPS, KE_TRACE, false, false, false },
	[KK_LIST_BUG] = { KLOG_LIST_CORRUPTION, KE_TRACE, false, false, false },
	[KK_LIST_CORRUPT] = { KLOG_LIST_CORRUPTION, KE_TRACE, true, false, false },
	[KK_DIVIDE] = { KLOG_OOPS, KE_TRACE, false, false, false },
	[KK_INVALID_OPCODE] = { KLOG_OOPS, KE_TRACE, false, true, false },
	[KK_STACK_SEGMENT] = { KLOG_OOPS, KE_TRACE, false, false, false },
	[KK_INT3] = { KLOG_OOPS, KE_TRACE, false, false, false },
	[KK_DOUBLE_FAULT] = { KLOG_OOPS, KE_TRACE, false, true, false },
	[KK_ARM_UNABLE] = { KLOG_OOPS, KE_TRACE, false, false, false },
	[KK_ARM_INTERNAL] = { KLOG_OOPS, KE_TRACE, false, true, false },
	[KK_NETDEV] = { KLOG_NETDEV_WATCHDOG, KE_TRACE, true, false, false },
	[KK_NOBODY_CARED] = { KLOG_IRQ_NOBODY_CARED, KE_IRQ_DISABLED, false, false, false },
	[KK_NETDEV_UNREGISTER] = { KLOG_NETDEV_UNREGISTER, KE_LINE, false, false, false },
	[KK_NONSTATIC_KEY] = { KLOG_LOCKDEP, KE_STACK, false, false, false },
};

static bool is_ident(char c)
{
	return isalnum((unsigned char)c) || c == '_';
}

/* @w in @s where it does not continue a word ("DEBUG:" is no "BUG:"). */
static const char *word(const char *s, const char *w)
{
	const char *p = s;

	while ((p = strstr(p, w))) {
		if (p == s || !is_ident(p[-1]))
			return p;
		p++;
	}
	return NULL;
}

static bool starts(const char *s, const char *prefix)
{
	return !strncmp(s, prefix, strlen(prefix));
}

/* Decimal digits at @s: the text after them, NULL if none. */
static const char *digits(const char *s)
{
	if (!isdigit((unsigned char)*s))
		return NULL;
	while (isdigit((unsigned char)*s))
		s++;
	return s;
}

static const char *hex_digits(const char *s)
{
	if (!isxdigit((unsigned char)*s))
		return NULL;
	while (isxdigit((unsigned char)*s))
		s++;
	return s;
}

static void copy_span(char *out, size_t outlen, const char *s, size_t n)
{
	if (!outlen)
		return;
	if (n >= outlen)
		n = outlen - 1;
	memcpy(out, s, n);
	out[n] = 0;
}

const char *klog_func_at(const char *s, char *out, size_t outlen)
{
	const char *p = s, *name_end;

	if (!is_ident(*p) || isdigit((unsigned char)*p))
		return NULL;
	while (is_ident(*p))
		p++;
	name_end = p;
	/* compiler suffixes: .cold, .isra.0, .constprop.0, .part.0 */
	while (*p == '.' && is_ident(p[1]))
		for (p++; is_ident(*p); p++)
			;
	if (!starts(p, "+0x") || !(p = hex_digits(p + 3)))
		return NULL;
	if (starts(p, "/0x") && hex_digits(p + 3))
		p = hex_digits(p + 3);
	if (out)
		copy_span(out, outlen, s, name_end - s);
	return p;
}

const char *klog_src_at(const char *s, char *out, size_t outlen)
{
	size_t n = strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-/.+");
	const char *dot = NULL, *end;

	for (size_t i = 0; i < n; i++)
		if (s[i] == '.')
			dot = s + i;
	/* a file name: "name.ext" with a lower-case extension, then ":LINE" */
	if (!dot || dot == s || dot + 1 == s + n || s[n] != ':')
		return NULL;
	for (const char *e = dot + 1; e < s + n; e++)
		if (!islower((unsigned char)*e))
			return NULL;
	end = digits(s + n + 1);
	if (!end)
		return NULL;
	if (out)
		copy_span(out, outlen, s, end - s);
	return end;
}

bool klog_is_panic(const char *msg)
{
	return strstr(msg, "Kernel panic - not syncing") != NULL;
}

/* "rcu_NAME detected stall", "self-detected stall", "detected expedited stall" */
static bool rcu_stall(const char *msg)
{
	const char *p = word(msg, "INFO: rcu_");

	if (!p)
		return false;
	p += strlen("INFO: rcu_");
	if (!is_ident(*p))
		return false;
	while (is_ident(*p))
		p++;
	return starts(p, " self-detected stall") || starts(p, " detected stall") ||
	       starts(p, " detected expedited stall");
}

/* INFO: task COMM:PID blocked for more than N seconds. */
static bool hung_task(const char *msg)
{
	const char *p = word(msg, "INFO: task "), *q;
	static const char *const tails[] = { " blocked for more than ", " blocked in I/O wait for more than " };

	if (!p)
		return false;
	p += strlen("INFO: task ");
	for (size_t i = 0; i < sizeof(tails) / sizeof(tails[0]); i++) {
		q = strstr(p, tails[i]);
		/* COMM is at most 15 characters, PID a number: room to spare. */
		if (!q || q - p > 100)
			continue;
		q = digits(q + strlen(tails[i]));
		if (q && starts(q, " seconds"))
			return true;
	}
	return false;
}

static enum klog_kind bug_kind(const char *msg)
{
	const char *p = word(msg, "BUG:"), *q;
	static const char *const spin[] = {
		"spinlock ", "rwlock ",
	};
	static const char *const spin_what[] = {
		"lockup suspected", "already unlocked", "recursion", "cpu recursion",
		"bad magic", "wrong owner", "wrong CPU", "trylock failure on UP",
	};

	if (!p)
		return KK_NONE;
	p += 4;
	if (*p == ' ')
		p++;
	if (starts(p, "KASAN: "))
		return KK_KASAN;
	if (starts(p, "KCSAN: "))
		return KK_KCSAN;
	if (starts(p, "KMSAN: "))
		return KK_KMSAN;
	if (starts(p, "KFENCE: "))
		return KK_KFENCE;
	if (starts(p, "soft lockup"))
		return KK_SOFT_LOCKUP;
	if (starts(p, "kernel NULL pointer dereference") || starts(p, "Kernel NULL pointer dereference") ||
	    starts(p, "unable to handle kernel NULL pointer dereference"))
		return KK_BUG_NULL;
	if (starts(p, "unable to handle page fault for address") ||
	    starts(p, "unable to handle kernel paging request") ||
	    starts(p, "Unable to handle kernel data access"))
		return KK_BUG_PAGING;
	if (starts(p, "scheduling while atomic"))
		return KK_BUG_ATOMIC;
	if (starts(p, "sleeping function called from invalid context"))
		return KK_BUG_SLEEP;
	if (starts(p, "using ") && (q = strstr(p, "() in preemptible")) && q - p < 64)
		return KK_BUG_PREEMPT;
	for (size_t i = 0; i < sizeof(spin) / sizeof(spin[0]); i++) {
		if (!starts(p, spin[i]))
			continue;
		q = p + strlen(spin[i]);
		for (size_t j = 0; j < sizeof(spin_what) / sizeof(spin_what[0]); j++)
			if (starts(q, spin_what[j]))
				return KK_BUG_SPINLOCK;
	}
	if (starts(p, "workqueue lockup"))
		return KK_BUG_WQ_LOCKUP;
	if (starts(p, "Bad page state") || starts(p, "Bad page cache") || starts(p, "Bad page map"))
		return KK_BUG_BAD_PAGE;
	if (strstr(p, "stack guard page was hit at"))
		return KK_BUG_GUARD;
	if (starts(p, "Invalid wait context"))
		return KK_BUG_WAIT_CTX;
	/* syzkaller's own host tooling, not the kernel */
	if (starts(p, "no syscalls can create resource"))
		return KK_NONE;
	return KK_BUG_OTHER;
}

/* After "WARNING: CPU: N PID: N at ": "file.c:N func+0x.." or "func+0x..". */
static enum klog_kind warn_at(const char *p)
{
	char func[64];
	const char *q = klog_src_at(p, NULL, 0);

	if (q && *q == ' ')
		p = q + 1;
	if (!klog_func_at(p, func, sizeof(func)))
		return KK_NONE;
	return strcmp(func, "dev_watchdog") ? KK_WARN : KK_WARN_NETDEV;
}

static enum klog_kind warning_kind(const char *msg)
{
	const char *p = word(msg, "WARNING:"), *q;
	static const struct {
		const char *text;
		enum klog_kind kind;
	} phrases[] = {
		{ "possible circular locking dependency detected", KK_DEADLOCK },
		{ "possible recursive locking detected", KK_DEADLOCK },
		{ "possible irq lock inversion dependency detected", KK_DEADLOCK },
		{ "inconsistent lock state", KK_INCONSISTENT },
		{ "suspicious RCU usage", KK_RCU_USAGE },
		{ "bad unlock balance detected!", KK_LOCK_MISUSE },
		{ "held lock freed!", KK_LOCK_MISUSE },
		{ "lock held when returning to user space!", KK_LOCK_MISUSE },
		{ "Nested lock was not taken", KK_LOCK_MISUSE },
		{ "kernel stack regs at ", KK_STACK_REGS },
		{ "kernel stack frame pointer at ", KK_STACK_FP },
	};

	if (!p)
		return KK_NONE;
	p += strlen("WARNING:");
	if (*p == ' ')
		p++;
	/* WARN: "CPU: %d PID: %d at %s:%d %pS" or "... at %pS" (no file) */
	if (starts(p, "CPU: ") && (q = digits(p + 5)) && starts(q, " PID: ") && (q = digits(q + 6)) &&
	    starts(q, " at "))
		return warn_at(q + 4);
	/* WARN since late 2025: "%s:%d at %pS, CPU#%d: %s/%d" */
	if ((q = klog_src_at(p, NULL, 0)) && starts(q, " at "))
		return warn_at(q + 4);
	for (size_t i = 0; i < sizeof(phrases) / sizeof(phrases[0]); i++) {
		if (!starts(p, phrases[i].text))
			continue;
		if (phrases[i].kind == KK_STACK_REGS || phrases[i].kind == KK_STACK_FP)
			return strstr(p, " has bad ") ? phrases[i].kind : KK_NONE;
		return phrases[i].kind;
	}
	/* "WARNING: insmod/123 still has locks held!", "HARDIRQ-safe -> HARDIRQ-unsafe lock order detected" */
	if ((q = strstr(p, " still has locks held!")) && q - p < 40)
		return KK_LOCK_MISUSE;
	if ((q = strstr(p, "-safe -> ")) && q - p < 16 && strstr(q, "-unsafe lock order detected"))
		return KK_DEADLOCK;
	return KK_NONE;
}

static bool ubsan(const char *msg)
{
	const char *p = word(msg, "UBSAN: ");

	if (!p)
		return false;
	p += strlen("UBSAN: ");
	if (starts(p, "Undefined behaviour in "))
		return true;
	if (!islower((unsigned char)*p))
		return false;
	while (islower((unsigned char)*p) || *p == '-')
		p++;
	return starts(p, " in ");
}

static bool nobody_cared(const char *msg)
{
	const char *p = word(msg, "irq ");

	for (; p; p = word(p + 1, "irq ")) {
		const char *q = digits(p + 4);

		if (q && starts(q, ": nobody cared"))
			return true;
	}
	return false;
}

/* "general protection fault ..." of the kernel, not a program's "traps: ... error:0 in prog" */
static bool gpf(const char *msg)
{
	const char *p = word(msg, "general protection fault"), *q;

	if (!p)
		return false;
	p += strlen("general protection fault");
	for (q = strstr(p, " error:"); q; q = strstr(q + 1, " error:")) {
		const char *r = digits(q + 7);

		if (r && starts(r, " in "))
			return false;
	}
	return strchr(p, ':') != NULL;
}

/*
 * lib/list_debug.c's CHECK_DATA_CORRUPTION messages: "list_add corruption.
 * next->prev should be ...", "list_add double add: new=...", "list_del
 * corruption, ...->next is LIST_POISON1 ...", "list_del corruption.
 * prev->next should be ...".
 */
static bool list_corruption(const char *msg)
{
	const char *p = word(msg, "list_add "), *q;

	if (p && (starts(p + 9, "corruption. ") || starts(p + 9, "double add: ")))
		return true;
	q = word(msg, "list_del corruption");
	return q && (q[19] == '.' || q[19] == ',');
}

/* "unregister_netdevice: waiting for %s to become free. Usage count = %d" */
static bool netdev_unregister(const char *msg)
{
	const char *p = word(msg, "unregister_netdevice: waiting for "), *q;

	if (!p)
		return false;
	p += strlen("unregister_netdevice: waiting for ");
	q = strstr(p, " to become free. Usage count = ");
	/* IFNAMSIZ is 16: a name, not a sentence */
	return q && q > p && q - p < 16 && !memchr(p, ' ', q - p) && digits(q + 31);
}

static bool arm_unable(const char *msg)
{
	const char *p = word(msg, "Unable to handle kernel ");

	if (!p)
		return false;
	p += strlen("Unable to handle kernel ");
	return starts(p, "paging request") || starts(p, "NULL pointer dereference") ||
	       starts(p, "access to user memory");
}

enum klog_kind klog_match(const char *msg)
{
	enum klog_kind k;
	const char *p;

	if (rcu_stall(msg))
		return KK_RCU_STALL;
	if (hung_task(msg))
		return KK_HUNG_TASK;
	if (word(msg, "Watchdog detected hard LOCKUP on cpu "))
		return KK_HARD_LOCKUP;
	k = bug_kind(msg);
	if (k != KK_NONE)
		return k;
	k = warning_kind(msg);
	if (k != KK_NONE)
		return k;
	if (ubsan(msg))
		return KK_UBSAN;
	if (word(msg, "NETDEV WATCHDOG: "))
		return KK_NETDEV;
	if (nobody_cared(msg))
		return KK_NOBODY_CARED;
	if (gpf(msg))
		return KK_GPF;
	if ((p = word(msg, "kernel BUG at ")) && klog_src_at(p + strlen("kernel BUG at "), NULL, 0))
		return starts(p + strlen("kernel BUG at "), "lib/list_debug.c:") ? KK_LIST_BUG : KK_KERNEL_BUG;
	if (list_corruption(msg))
		return KK_LIST_CORRUPT;
	if (netdev_unregister(msg))
		return KK_NETDEV_UNREGISTER;
	if (word(msg, "INFO: trying to register non-static key."))
		return KK_NONSTATIC_KEY;
	if (word(msg, "divide error: ") || word(msg, "divide_error: "))
		return KK_DIVIDE;
	if (word(msg, "invalid opcode: "))
		return KK_INVALID_OPCODE;
	if (word(msg, "stack segment: "))
		return KK_STACK_SEGMENT;
	if (word(msg, "int3: "))
		return KK_INT3;
	if (word(msg, "PANIC: double fault"))
		return KK_DOUBLE_FAULT;
	if (arm_unable(msg))
		return KK_ARM_UNABLE;
	if (word(msg, "Internal error: "))
		return KK_ARM_INTERNAL;
	return KK_NONE;
}

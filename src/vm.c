// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "minivmm/arch.h"
#include "minivmm/ctl/server.h"
#include "minivmm/hostmem.h"
#include "minivmm/kvm.h"
#include "minivmm/log.h"
#include "minivmm/vfio/vfio.h"
#include "minivmm/vm.h"

#define KVM_DEVICE "/dev/kvm"
/* How long after "Kernel panic" the guest may take to print its last words. */
#define PANIC_GRACE_MS 2000

/* Capabilities minivmm cannot run without on any arch (arch_kvm_check adds its own). */
static const struct {
	int cap;
	const char *name;
} required_caps[] = {
	{ KVM_CAP_USER_MEMORY, "KVM_CAP_USER_MEMORY" },
	{ KVM_CAP_IRQCHIP, "KVM_CAP_IRQCHIP" },
	{ KVM_CAP_IRQ_ROUTING, "KVM_CAP_IRQ_ROUTING" },
	{ KVM_CAP_IRQFD, "KVM_CAP_IRQFD" },
	{ KVM_CAP_IRQFD_RESAMPLE, "KVM_CAP_IRQFD_RESAMPLE" },
	{ KVM_CAP_IMMEDIATE_EXIT, "KVM_CAP_IMMEDIATE_EXIT" },
};

static int vm_open_kvm(struct vm *vm)
{
	int ret;

	vm->kvm_fd = open(KVM_DEVICE, O_RDWR | O_CLOEXEC);
	if (vm->kvm_fd < 0) {
		ret = -errno;
		if (errno == ENOENT)
			pr_err("cannot open " KVM_DEVICE ": no such device; load kvm_intel or kvm_amd (modprobe kvm_amd) and enable virtualization in the firmware");
		else if (errno == EACCES)
			pr_err("cannot open " KVM_DEVICE ": permission denied; run as root or join the kvm group");
		else
			pr_err("cannot open " KVM_DEVICE ": %s", strerror(errno));
		return ret;
	}
	ret = quiet_ioctl(vm->kvm_fd, KVM_GET_API_VERSION, NULL);
	if (ret < 0) {
		pr_err("%s does not answer KVM's ioctls (%s): it is not KVM's device (character 10:232); reload KVM (modprobe -r kvm_amd kvm; modprobe kvm_amd, or kvm_intel)",
		       KVM_DEVICE, strerror(-ret));
		return -ENOTTY;
	}
	if (ret != KVM_API_VERSION) {
		pr_err("KVM API version %d, minivmm needs %d: use a newer host kernel", ret, KVM_API_VERSION);
		return -ENOTSUP;
	}
	for (size_t i = 0; i < sizeof(required_caps) / sizeof(required_caps[0]); i++) {
		if (quiet_ioctl(vm->kvm_fd, KVM_CHECK_EXTENSION, (void *)(long)required_caps[i].cap) <= 0) {
			pr_err("KVM lacks %s, which minivmm needs: use a newer host kernel",
			       required_caps[i].name);
			return -ENOTSUP;
		}
	}
	ret = arch_kvm_check(vm->kvm_fd);
	if (ret)
		return ret;
	ret = quiet_ioctl(vm->kvm_fd, KVM_CHECK_EXTENSION, (void *)(long)KVM_CAP_MAX_VCPUS);
	if (ret <= 0)
		ret = quiet_ioctl(vm->kvm_fd, KVM_CHECK_EXTENSION, (void *)(long)KVM_CAP_NR_VCPUS);
	if (ret > 0 && (unsigned int)ret < vm->ncpus) {
		pr_err("KVM allows at most %d vCPUs (KVM_CAP_MAX_VCPUS): use --cpus %d or fewer", ret, ret);
		return -ENOTSUP;
	}
	ret = quiet_ioctl(vm->kvm_fd, KVM_CHECK_EXTENSION, (void *)(long)KVM_CAP_MAX_VCPU_ID);
	if (ret > 0 && (unsigned int)ret < vm->ncpus) {
		pr_err("KVM numbers vCPUs below %d (KVM_CAP_MAX_VCPU_ID): use --cpus %d or fewer", ret, ret);
		return -ENOTSUP;
	}
	vm->run_size = kvm_ioctl(vm, KVM_GET_VCPU_MMAP_SIZE, 0);
	return vm->run_size < 0 ? vm->run_size : 0;
}

static int vm_create_machine(struct vm *vm)
{
	unsigned long type;
	int ret = arch_vm_type(vm->kvm_fd, &type);

	if (!ret)
		ret = kvm_ioctl(vm, KVM_CREATE_VM, type);

	if (ret < 0)
		return ret;
	vm->vm_fd = ret;
	ret = memslots_init(&vm->slots, vm->kvm_fd, vm->vm_fd);
	if (!ret)
		ret = arch_vm_create(vm);
	return ret;
}

static int vm_create_memory(struct vm *vm)
{
	char err[512];
	/* DMA pins guest RAM out of MemAvailable; hugetlbfs pages are a reserved pool of their own. */
	int ret = hostmem_check(vm->cfg->mem, vm->cfg->nassign > 0 && !vm->cfg->hugepages, err, sizeof(err));

	if (ret) {
		pr_err("%s", err);
		return ret;
	}
	ret = mem_alloc(&vm->mem, vm->cfg->mem, vm->cfg->hugepages);

	for (unsigned int i = 0; !ret && i < vm->mem.nregions; i++) {
		unsigned int slot;

		ret = memslot_add(&vm->slots, vm->mem.region[i].gpa, vm->mem.region[i].size,
				  vm->mem.region[i].hva, &slot);
		if (ret)
			pr_err("KVM_SET_USER_MEMORY_REGION for guest RAM at %#llx failed: %s",
			       (unsigned long long)vm->mem.region[i].gpa, strerror(-ret));
	}
	return ret;
}

/* The narrow interface every device gets. */
static void vm_init_ctx(struct vm *vm)
{
	vm->ctx = (struct devctx){
		.pio = &vm->pio,
		.mmio = &vm->mmio,
		.slots = &vm->slots,
		.irq = &vm->irq,
		.pci = &vm->pci,
		.stats = &vm->stats,
		.run = &vm->run,
		.console = &vm->console,
		.mem = &vm->mem,
		.loop = &vm->loop,
		.events = &vm->events,
		.trace = &vm->trace,
		.ncpus = vm->ncpus,
		.page_size = sysconf(_SC_PAGESIZE),
		.devices = &vm->devices,
	};
}

static int vm_create_devices(struct vm *vm)
{
	const struct config *cfg = vm->cfg;
	int ret;

	ret = console_init(&vm->console, cfg->console);
	if (!ret)
		ret = irq_router_init(&vm->irq, vm->vm_fd);
	if (!ret)
		ret = pci_bus_init(&vm->pci, &vm->mmio, &vm->stats);
	if (!ret)
		ret = pci_host_bridge_init(&vm->pci);
	if (!ret)
		ret = arch_platform_devices(vm);
	if (!ret)
		ret = vfio_mgr_create(&vm->ctx, cfg->assign, cfg->assign_irq, cfg->nassign, cfg->no_rebind, cfg->trace,
				      cfg->ntrace, &vm->vfio);
	return ret;
}

static int vm_create_vcpus(struct vm *vm)
{
	int ret;

	vm->vcpus = calloc(vm->ncpus, sizeof(*vm->vcpus));
	if (!vm->vcpus)
		return -ENOMEM;
	for (unsigned int i = 0; i < vm->ncpus; i++)
		vm->vcpus[i].fd = -1;
	for (unsigned int i = 0; i < vm->ncpus; i++) {
		ret = vcpu_create(vm, &vm->vcpus[i], i);
		if (!ret)
			ret = arch_vcpu_init(&vm->vcpus[i]);
		if (ret)
			return ret;
	}
	return arch_vcpus_created(vm);
}

int vm_create(struct vm *vm, const struct config *cfg, struct arch_kernel *kernel, const char *initrd,
	      const char *cmdline)
{
	const char *trace_path;
	int ret;

	memset(vm, 0, sizeof(*vm));
	vm->cfg = cfg;
	vm->ncpus = cfg->cpus;
	vm->kvm_fd = vm->vm_fd = -1;
	vm->console.out_fd = vm->console.in_fd = -1;
	vm->run.stop_fd = -1;
	vm->jitter.stop_fd = -1;
	vm_init_ctx(vm);
	eventlog_init(&vm->events);
	/* A --trace-file alone is opened too: ranges may come through the control socket. */
	trace_path = cfg->trace_file ? cfg->trace_file : cfg->ntrace ? "minivmm-trace.txt" : NULL;
	ret = trace_log_open(&vm->trace, trace_path);
	if (ret) {
		pr_err("cannot write the trace file %s: %s; give --trace-file in a writable place", trace_path,
		       strerror(-ret));
		return ret;
	}

	ret = runstate_init(&vm->run);
	if (!ret)
		ret = bus_init(&vm->pio, "pio");
	if (!ret)
		ret = bus_init(&vm->mmio, "mmio");
	if (!ret)
		ret = vm_open_kvm(vm);
	if (!ret)
		ret = vm_create_machine(vm);
	if (!ret)
		ret = vm_create_memory(vm);
	/* A kernel or initrd that cannot fit fails before any device is touched. */
	if (!ret)
		ret = arch_kernel_check(vm, kernel, cmdline, initrd);
	/* vCPUs before devices: arm64's GIC takes irqfds only once every vCPU exists. */
	if (!ret)
		ret = vm_create_vcpus(vm);
	if (!ret)
		ret = vm_create_devices(vm);
	if (!ret)
		ret = arch_firmware(vm);
	if (!ret)
		ret = arch_kernel_load(vm, kernel, cmdline, initrd);
	return ret;
}

static void vm_stop_vcpus(struct vm *vm)
{
	jitter_stop(&vm->jitter);
	atomic_store(&vm->run.stopping, true);
	for (unsigned int i = 0; vm->vcpus && i < vm->ncpus; i++)
		vcpu_kick(&vm->vcpus[i]);
	for (unsigned int i = 0; vm->vcpus && i < vm->ncpus; i++)
		vcpu_join(&vm->vcpus[i]);
}

static void vm_handle_stdin(struct vm *vm)
{
	unsigned char buf[64], out[64];
	ssize_t n = read(vm->console.in_fd, buf, sizeof(buf));
	size_t m = 0;

	if (n <= 0) {
		vm->console.in_fd = -1; /* EOF: stop polling */
		return;
	}
	for (ssize_t i = 0; i < n; i++) {
		switch (console_filter_key(&vm->console, &buf[i])) {
		case CONSOLE_KEY_SEND:
			out[m++] = buf[i];
			break;
		case CONSOLE_KEY_QUIT:
			runstate_stop(&vm->run, EXIT_GUEST_OK, "quit from the console (Ctrl-A x)");
			return;
		case CONSOLE_KEY_DROP:
			break;
		}
	}
	if (vm->console.input)
		vm->console.input(vm->console.input_opaque, out, m);
}

int vm_run(struct vm *vm, int signal_fd)
{
	struct runstate *run = &vm->run;
	int ret;

	for (unsigned int i = 0; i < vm->ncpus; i++) {
		ret = vcpu_start(&vm->vcpus[i]);
		if (ret) {
			runstate_stop(run, EXIT_VMM_ERROR, "cannot start vCPU threads");
			break;
		}
	}
	vm->started_ms = now_ms();
	vm->events.t0_ms = vm->started_ms;
	trace_log_start(&vm->trace);
	if (!runstate_stopping(run)) {
		struct jitter_params jp = {
			.rate = vm->cfg->jitter_rate, .max_us = vm->cfg->jitter_max_us, .spin = vm->cfg->jitter_spin,
		};

		if (jitter_start(&vm->jitter, vm->cfg->seed, &jp, vm->vcpus, vm->ncpus))
			runstate_stop(run, EXIT_VMM_ERROR, "cannot start the jitter thread");
	}
	while (!runstate_stopping(run)) {
		long left = vm->cfg->timeout ? vm->started_ms + vm->cfg->timeout * 1000L - now_ms() : -1;
		struct pollfd pfd[3 + LOOP_MAX_WATCHES + CTL_SERVER_POLLFDS] = {
			{ .fd = run->stop_fd, .events = POLLIN },
			{ .fd = signal_fd, .events = POLLIN },
			{ .fd = vm->console.in_fd, .events = POLLIN },
		};
		unsigned int nw = loop_pollfds(&vm->loop, pfd + 3, LOOP_MAX_WATCHES);
		bool panicked = atomic_load(&run->panic_seen);
		int timeout = panicked ? 100 : left < 0 ? -1 : (int)(left > 60000 ? 60000 : left);
		int nctl = ctl_server_pollfds(vm->ctl, pfd + 3 + nw, CTL_SERVER_POLLFDS);

		if (vm->cfg->timeout && left <= 0) {
			runstate_stop(run, EXIT_TIMEOUT, "timed out after %u s (--timeout)", vm->cfg->timeout);
			break;
		}

		if (poll(pfd, 3 + nw + nctl, timeout) < 0 && errno != EINTR) {
			runstate_stop(run, EXIT_VMM_ERROR, "poll failed: %s", strerror(errno));
			break;
		}
		if (pfd[0].revents & POLLIN) {
			uint64_t n;

			/* Only a wake-up: the state it announces is in vm->run. */
			if (read(run->stop_fd, &n, sizeof(n)) < 0 && errno != EAGAIN)
				pr_warn("reading the stop eventfd: %s", strerror(errno));
		}
		if (pfd[1].revents & POLLIN) {
			struct signalfd_siginfo si;

			if (read(signal_fd, &si, sizeof(si)) == sizeof(si))
				runstate_stop(run, 128 + si.ssi_signo, "stopped by signal %s", strsignal(si.ssi_signo));
		}
		if (pfd[2].revents & (POLLIN | POLLHUP))
			vm_handle_stdin(vm);
		loop_dispatch(&vm->loop, pfd + 3, nw);
		ctl_server_handle(vm->ctl, pfd + 3 + nw, nctl);
		if (atomic_load(&run->panic_seen) && now_ms() - run->panic_at_ms > PANIC_GRACE_MS)
			runstate_stop(run, EXIT_GUEST_CRASH, "%s", run->panic_msg);
	}
	vm_stop_vcpus(vm);
	return run->exit_status;
}

bool vm_stressed(const struct config *cfg)
{
	return cfg->jitter_rate || cfg->cpu_churn_ms || cfg->irq_churn_ms;
}

void vm_print_stats(struct vm *vm, FILE *f, void (*more)(void *opaque, FILE *f), void *opaque)
{
	uint64_t total[VCPU_EXIT_REASONS] = { 0 }, sum = 0;
	const char *sep = "";

	for (unsigned int i = 0; vm->vcpus && i < vm->ncpus; i++)
		for (unsigned int r = 0; r < VCPU_EXIT_REASONS; r++)
			total[r] += vm->vcpus[i].exits[r];
	fprintf(f, "{\"exits\": {");
	for (unsigned int r = 0; r < VCPU_EXIT_REASONS; r++) {
		if (!total[r])
			continue;
		if (vcpu_exit_name(r))
			fprintf(f, "%s\"%s\": %" PRIu64, sep, vcpu_exit_name(r), total[r]);
		else
			fprintf(f, "%s\"exit_%u\": %" PRIu64, sep, r, total[r]);
		sep = ", ";
		sum += total[r];
	}
	fprintf(f, "}, \"exits_total\": %" PRIu64 ", \"devices\": {", sum);
	sep = "";
	for (struct stat_counter *c = vm->stats.head; c; c = c->next) {
		fprintf(f, "%s\"%s\": %llu", sep, c->name, (unsigned long long)atomic_load(&c->count));
		sep = ", ";
	}
	fprintf(f, "}, \"unclaimed\": {\"pio\": %llu, \"mmio\": %llu}, \"gsi_routing_updates\": %llu, \"msi_route_updates\": %llu",
		(unsigned long long)atomic_load(&vm->pio.unclaimed),
		(unsigned long long)atomic_load(&vm->mmio.unclaimed), (unsigned long long)vm->irq.commits,
		(unsigned long long)vm->irq.msi_updates);
	for (struct device *d = vm->devices; d; d = d->next)
		if (d->print_stats)
			d->print_stats(d, f);
	if (vm_stressed(vm->cfg)) {
		fprintf(f, ", \"stress\": {\"seed\": %" PRIu64 ", ", vm->cfg->seed);
		jitter_print_stats(&vm->jitter, f);
		fprintf(f, ", \"cpu_churn_ms\": %u, \"irq_churn_ms\": %u, \"vcpu_holds\": [",
			vm->cfg->cpu_churn_ms, vm->cfg->irq_churn_ms);
		for (unsigned int i = 0; vm->vcpus && i < vm->ncpus; i++)
			fprintf(f, "%s%" PRIu64, i ? ", " : "", vm->vcpus[i].held);
		fprintf(f, "]}");
	}
	eventlog_print_stats(&vm->events, f);
	if (more)
		more(opaque, f);
	fprintf(f, "}\n");
}

void vm_destroy(struct vm *vm)
{
	vm_stop_vcpus(vm);
	for (unsigned int i = 0; vm->vcpus && i < vm->ncpus; i++)
		vcpu_destroy(&vm->vcpus[i]);
	free(vm->vcpus);
	vm->vcpus = NULL;
	/* Devices (assigned ones go back to the host) before the VM and its RAM disappear. */
	device_destroy_all(&vm->devices);
	irq_router_destroy(&vm->irq);
	pci_bus_destroy(&vm->pci);
	console_destroy(&vm->console);
	arch_vm_destroy(vm);
	if (vm->vm_fd >= 0)
		close(vm->vm_fd);
	if (vm->kvm_fd >= 0)
		close(vm->kvm_fd);
	vm->vm_fd = vm->kvm_fd = -1;
	memslots_destroy(&vm->slots);
	mem_free(&vm->mem);
	bus_destroy(&vm->mmio);
	bus_destroy(&vm->pio);
	runstate_destroy(&vm->run);
	eventlog_destroy(&vm->events);
	trace_log_close(&vm->trace);
}

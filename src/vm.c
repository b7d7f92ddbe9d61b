// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/signalfd.h>
#include <time.h>
#include <unistd.h>

#include "minivmm/kvm.h"
#include "minivmm/x86/layout.h"
#include "minivmm/log.h"
#include "minivmm/runner/ktap.h"
#include "minivmm/vm.h"
#include "minivmm/x86/cpu.h"
#include "minivmm/x86/platform.h"

#define KVM_DEVICE "/dev/kvm"
/* How long after "Kernel panic" the guest may take to print its last words. */
#define PANIC_GRACE_MS 2000

/* Capabilities minivmm cannot run without, with their names for errors. */
static const struct {
	int cap;
	const char *name;
} required_caps[] = {
	{ KVM_CAP_USER_MEMORY, "KVM_CAP_USER_MEMORY" },
	{ KVM_CAP_IRQCHIP, "KVM_CAP_IRQCHIP" },
	{ KVM_CAP_PIT2, "KVM_CAP_PIT2" },
	{ KVM_CAP_SET_TSS_ADDR, "KVM_CAP_SET_TSS_ADDR" },
	{ KVM_CAP_SET_IDENTITY_MAP_ADDR, "KVM_CAP_SET_IDENTITY_MAP_ADDR" },
	{ KVM_CAP_EXT_CPUID, "KVM_CAP_EXT_CPUID" },
	{ KVM_CAP_IRQ_ROUTING, "KVM_CAP_IRQ_ROUTING" },
	{ KVM_CAP_IRQFD, "KVM_CAP_IRQFD" },
	{ KVM_CAP_IRQFD_RESAMPLE, "KVM_CAP_IRQFD_RESAMPLE" },
	{ KVM_CAP_IMMEDIATE_EXIT, "KVM_CAP_IMMEDIATE_EXIT" },
};

void vm_add_counter(struct vm *vm, struct stat_counter *c, const char *name)
{
	if (name != c->name)
		snprintf(c->name, sizeof(c->name), "%s", name);
	atomic_init(&c->count, 0);
	c->next = vm->counters;
	vm->counters = c;
}

void vm_stop(struct vm *vm, int status, const char *fmt, ...)
{
	uint64_t one = 1;
	va_list ap;

	if (atomic_exchange(&vm->stopping, true))
		return;
	vm->exit_status = status;
	va_start(ap, fmt);
	vsnprintf(vm->exit_msg, sizeof(vm->exit_msg), fmt, ap);
	va_end(ap);
	if (vm->stop_fd >= 0 && write(vm->stop_fd, &one, sizeof(one)) < 0)
		pr_warn("cannot wake the main loop: %s", strerror(errno));
}

void vm_guest_reset(struct vm *vm, const char *how)
{
	if (vm->panic_seen)
		vm_stop(vm, EXIT_GUEST_CRASH, "%s", vm->panic_msg);
	else
		vm_stop(vm, EXIT_GUEST_OK, "guest rebooted (%s)", how);
}

int vm_irq_line(struct vm *vm, unsigned int gsi, int level)
{
	struct kvm_irq_level irq = { .irq = gsi, .level = level };

	return vm_ioctl(vm, KVM_IRQ_LINE, &irq);
}

int vm_add_memslot(struct vm *vm, uint64_t gpa, uint64_t size, void *hva, unsigned int *slot)
{
	struct kvm_userspace_memory_region r = {
		.guest_phys_addr = gpa, .memory_size = size, .userspace_addr = (uintptr_t)hva,
	};
	int ret = -ENOSPC;

	pthread_mutex_lock(&vm->slot_lock);
	for (unsigned int i = 0; i < 64 * sizeof(vm->slots_used) / 8; i++) {
		if (vm->slots_used[i / 64] & (1ULL << (i % 64)))
			continue;
		r.slot = i;
		ret = vm_ioctl(vm, KVM_SET_USER_MEMORY_REGION, &r);
		if (!ret) {
			vm->slots_used[i / 64] |= 1ULL << (i % 64);
			*slot = i;
		}
		break;
	}
	pthread_mutex_unlock(&vm->slot_lock);
	if (ret == -ENOSPC)
		pr_err("out of KVM memory slots");
	return ret;
}

int vm_del_memslot(struct vm *vm, unsigned int slot)
{
	struct kvm_userspace_memory_region r = { .slot = slot, .memory_size = 0 };
	int ret;

	pthread_mutex_lock(&vm->slot_lock);
	ret = vm_ioctl(vm, KVM_SET_USER_MEMORY_REGION, &r);
	if (!ret)
		vm->slots_used[slot / 64] &= ~(1ULL << (slot % 64));
	pthread_mutex_unlock(&vm->slot_lock);
	return ret;
}

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
	ret = kvm_ioctl(vm, KVM_GET_API_VERSION, 0);
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
	ret = quiet_ioctl(vm->kvm_fd, KVM_CHECK_EXTENSION, (void *)(long)KVM_CAP_MAX_VCPUS);
	if (ret <= 0)
		ret = quiet_ioctl(vm->kvm_fd, KVM_CHECK_EXTENSION, (void *)(long)KVM_CAP_NR_VCPUS);
	if (ret > 0 && (unsigned int)ret < vm->ncpus) {
		pr_err("KVM allows at most %d vCPUs (KVM_CAP_MAX_VCPUS): use --cpus %d or fewer", ret, ret);
		return -ENOTSUP;
	}
	vm->run_size = kvm_ioctl(vm, KVM_GET_VCPU_MMAP_SIZE, 0);
	return vm->run_size < 0 ? vm->run_size : 0;
}

static int vm_create_machine(struct vm *vm)
{
	struct kvm_pit_config pit = { .flags = 0 };
	uint64_t ident = LAYOUT_KVM_IDENTITY_MAP;
	int ret;

	ret = kvm_ioctl(vm, KVM_CREATE_VM, 0);
	if (ret < 0)
		return ret;
	vm->vm_fd = ret;
	ret = vm_ioctl(vm, KVM_SET_IDENTITY_MAP_ADDR, &ident);
	if (!ret)
		ret = vm_ioctl(vm, KVM_SET_TSS_ADDR, (unsigned long)LAYOUT_KVM_TSS);
	if (!ret)
		ret = vm_ioctl(vm, KVM_CREATE_IRQCHIP, 0);
	if (!ret)
		ret = vm_ioctl(vm, KVM_CREATE_PIT2, &pit);
	return ret;
}

static int vm_create_memory(struct vm *vm)
{
	int ret = mem_alloc(&vm->mem, vm->cfg->mem, vm->cfg->hugepages);

	for (unsigned int i = 0; !ret && i < vm->mem.nregions; i++) {
		unsigned int slot;

		ret = vm_add_memslot(vm, vm->mem.region[i].gpa, vm->mem.region[i].size,
				     vm->mem.region[i].hva, &slot);
	}
	return ret;
}

static void vm_serial_out(void *opaque, const void *buf, size_t n)
{
	struct vm *vm = opaque;

	console_output(&vm->console, buf, n);
}

static void vm_serial_irq(void *opaque, int level)
{
	vm_irq_line(opaque, LAYOUT_IRQ_COM1, level);
}

long vm_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void vm_guest_panicked(struct vm *vm, const char *msg)
{
	uint64_t one = 1;

	if (atomic_exchange(&vm->panic_claimed, true))
		return;
	snprintf(vm->panic_msg, sizeof(vm->panic_msg), "%s", msg);
	vm->panic_at_ms = vm_now_ms();
	atomic_store(&vm->panic_seen, true);
	/* The main loop times the grace period for the guest's last words. */
	if (write(vm->stop_fd, &one, sizeof(one)) < 0)
		pr_warn("cannot wake the main loop: %s", strerror(errno));
}

/* Watches every console line (vCPU thread, console lock held). */
static void vm_console_line(void *opaque, const char *line)
{
	struct vm *vm = opaque;
	const char *p = strstr(line, "Kernel panic - not syncing");

	/*
	 * vCPUs printing at once can split or merge console lines, so either
	 * line alone is enough: the panic line starts a grace period, the end
	 * line stops the guest at once.
	 */
	if (p) {
		char msg[CONSOLE_LINE_MAX + 8];

		snprintf(msg, sizeof(msg), "guest %s", p);
		vm_guest_panicked(vm, msg);
	}
	if (strstr(line, "---[ end Kernel panic"))
		vm_stop(vm, EXIT_GUEST_CRASH, "%s", atomic_load(&vm->panic_seen) ? vm->panic_msg : line);
	ktap_feed(vm->ktap, line);
}

static int vm_create_devices(struct vm *vm)
{
	int ret;

	ret = console_init(&vm->console, vm->cfg->console);
	if (ret)
		return ret;
	vm->console.on_line = vm_console_line;
	vm->console.opaque = vm;
	ret = serial_init(&vm->serial, vm_serial_out, vm_serial_irq, vm);
	if (ret)
		return ret;
	vm_add_counter(vm, &vm->serial.counter, "serial");
	ret = bus_register(&vm->pio, LAYOUT_PORT_COM1, SERIAL_PORTS, serial_io, &vm->serial,
			   &vm->serial.counter);
	if (!ret)
		ret = power_init(&vm->power, vm);
	if (!ret)
		ret = pvpanic_init(&vm->pvpanic, vm);
	if (!ret)
		ret = pci_bus_init(&vm->pci, vm);
	if (!ret)
		ret = pci_host_bridge_init(&vm->pci);
	return ret;
}

static int vm_create_vcpus(struct vm *vm, uint64_t entry)
{
	int ret = cpu_get_supported(vm);

	if (ret)
		return ret;
	vm->vcpus = calloc(vm->ncpus, sizeof(*vm->vcpus));
	if (!vm->vcpus)
		return -ENOMEM;
	for (unsigned int i = 0; i < vm->ncpus; i++)
		vm->vcpus[i].fd = -1;
	for (unsigned int i = 0; i < vm->ncpus; i++) {
		ret = vcpu_create(vm, &vm->vcpus[i], i);
		if (!ret)
			ret = cpu_setup(&vm->vcpus[i], entry, LAYOUT_ZERO_PAGE);
		if (ret)
			return ret;
	}
	return 0;
}

int vm_create(struct vm *vm, const struct config *cfg, const struct boot_image *kernel,
	      const char *initrd, const char *cmdline)
{
	uint64_t rsdp;
	int ret;

	memset(vm, 0, sizeof(*vm));
	vm->cfg = cfg;
	vm->ncpus = cfg->cpus;
	vm->kvm_fd = vm->vm_fd = vm->stop_fd = -1;
	vm->console.out_fd = vm->console.in_fd = -1;
	vm->vfio.fd = -1;
	pthread_mutex_init(&vm->slot_lock, NULL);
	pci_window_init(&vm->win_mmio32, LAYOUT_PCI_MMIO32_START, LAYOUT_PCI_MMIO32_SIZE);
	pci_window_init(&vm->win_mmio64, LAYOUT_PCI_MMIO64_START, LAYOUT_PCI_MMIO64_SIZE);
	pci_window_init(&vm->win_io, LAYOUT_PCI_IO_START, LAYOUT_PCI_IO_SIZE);

	vm->stop_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (vm->stop_fd < 0)
		return -errno;
	vm->ktap = ktap_new(NULL, NULL);
	if (!vm->ktap)
		return -ENOMEM;
	ret = bus_init(&vm->pio, "pio");
	if (!ret)
		ret = bus_init(&vm->mmio, "mmio");
	if (!ret)
		ret = vm_open_kvm(vm);
	if (!ret)
		ret = vm_create_machine(vm);
	if (!ret)
		ret = vm_create_memory(vm);
	if (!ret)
		ret = vm_create_devices(vm);
	if (!ret)
		ret = irq_router_init(&vm->irq, vm->vm_fd);
	if (!ret)
		ret = vfio_assign_all(vm);
	if (!ret)
		ret = vfio_map_dma(vm);
	if (!ret)
		ret = platform_write_acpi(vm, &rsdp);
	if (!ret)
		ret = boot_load(&vm->mem, kernel, cmdline, initrd, rsdp);
	if (!ret)
		ret = vm_create_vcpus(vm, boot_entry(kernel));
	return ret;
}

static void vm_stop_vcpus(struct vm *vm)
{
	atomic_store(&vm->stopping, true);
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
			vm_stop(vm, EXIT_GUEST_OK, "quit from the console (Ctrl-A x)");
			return;
		case CONSOLE_KEY_DROP:
			break;
		}
	}
	serial_receive(&vm->serial, out, m);
}

int vm_run(struct vm *vm, int signal_fd)
{
	int ret;

	for (unsigned int i = 0; i < vm->ncpus; i++) {
		ret = vcpu_start(&vm->vcpus[i]);
		if (ret) {
			vm_stop(vm, EXIT_VMM_ERROR, "cannot start vCPU threads");
			break;
		}
	}
	vm->started_ms = vm_now_ms();
	while (!atomic_load(&vm->stopping)) {
		long left = vm->cfg->timeout ? vm->started_ms + vm->cfg->timeout * 1000L - vm_now_ms() : -1;
		struct pollfd pfd[3] = {
			{ .fd = vm->stop_fd, .events = POLLIN },
			{ .fd = signal_fd, .events = POLLIN },
			{ .fd = vm->console.in_fd, .events = POLLIN },
		};
		int timeout = vm->panic_seen ? 100 : left < 0 ? -1 : (int)(left > 60000 ? 60000 : left);

		if (vm->cfg->timeout && left <= 0) {
			vm_stop(vm, EXIT_TIMEOUT, "timed out after %u s (--timeout)", vm->cfg->timeout);
			break;
		}

		if (poll(pfd, 3, timeout) < 0 && errno != EINTR) {
			vm_stop(vm, EXIT_VMM_ERROR, "poll failed: %s", strerror(errno));
			break;
		}
		if (pfd[0].revents & POLLIN) {
			uint64_t n;

			/* Only a wake-up: the state it announces is in vm. */
			if (read(vm->stop_fd, &n, sizeof(n)) < 0 && errno != EAGAIN)
				pr_warn("reading the stop eventfd: %s", strerror(errno));
		}
		if (pfd[1].revents & POLLIN) {
			struct signalfd_siginfo si;

			if (read(signal_fd, &si, sizeof(si)) == sizeof(si))
				vm_stop(vm, 128 + si.ssi_signo, "stopped by signal %s", strsignal(si.ssi_signo));
		}
		if (pfd[2].revents & (POLLIN | POLLHUP))
			vm_handle_stdin(vm);
		if (vm->panic_seen && vm_now_ms() - vm->panic_at_ms > PANIC_GRACE_MS)
			vm_stop(vm, EXIT_GUEST_CRASH, "%s", vm->panic_msg);
	}
	vm_stop_vcpus(vm);
	return vm->exit_status;
}

void vm_print_stats(struct vm *vm, FILE *f)
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
	for (struct stat_counter *c = vm->counters; c; c = c->next) {
		fprintf(f, "%s\"%s\": %llu", sep, c->name, (unsigned long long)atomic_load(&c->count));
		sep = ", ";
	}
	fprintf(f, "}, \"unclaimed\": {\"pio\": %llu, \"mmio\": %llu}, \"gsi_routing_updates\": %llu, \"msi_route_updates\": %llu",
		(unsigned long long)atomic_load(&vm->pio.unclaimed),
		(unsigned long long)atomic_load(&vm->mmio.unclaimed), (unsigned long long)vm->irq.commits,
		(unsigned long long)vm->irq.msi_updates);
	fprintf(f, ", \"interrupts\": {");
	for (unsigned int i = 0; vm->assigned && i < vm->nassigned; i++) {
		struct vfio_dev *d = &vm->assigned[i];

		fprintf(f, "%s\"%s\": {\"mode\": \"%s\", \"modes_used\": ", i ? ", " : "", d->name,
			vfio_intr_mode_name(d));
		vfio_intr_print_modes_used(d, f);
		fprintf(f, ", \"delivered\": %llu, \"userspace\": %llu, \"mode_changes\": %u}",
			(unsigned long long)(d->intr.host_count_retired + vfio_intr_host_count(d)),
			(unsigned long long)d->intr.delivered_userspace, d->intr.mode_changes);
	}
	fprintf(f, "}}\n");
}

void vm_destroy(struct vm *vm)
{
	vm_stop_vcpus(vm);
	for (unsigned int i = 0; vm->vcpus && i < vm->ncpus; i++)
		vcpu_destroy(&vm->vcpus[i]);
	free(vm->vcpus);
	vm->vcpus = NULL;
	free(vm->cpuid);
	vm->cpuid = NULL;
	/* Devices go back to the host before the VM and its RAM disappear. */
	vfio_release_all(vm);
	irq_router_destroy(&vm->irq);
	pci_bus_destroy(&vm->pci);
	serial_destroy(&vm->serial);
	console_destroy(&vm->console);
	if (vm->vm_fd >= 0)
		close(vm->vm_fd);
	if (vm->kvm_fd >= 0)
		close(vm->kvm_fd);
	vm->vm_fd = vm->kvm_fd = -1;
	mem_free(&vm->mem);
	bus_destroy(&vm->mmio);
	bus_destroy(&vm->pio);
	if (vm->stop_fd >= 0)
		close(vm->stop_fd);
	vm->stop_fd = -1;
	ktap_free(vm->ktap);
	vm->ktap = NULL;
	pthread_mutex_destroy(&vm->slot_lock);
}

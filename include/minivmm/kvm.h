/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * ioctl wrappers named after the fd they act on. Failures are logged with
 * the ioctl's name (not its number) and returned as -errno.
 */
#ifndef MINIVMM_KVM_H
#define MINIVMM_KVM_H

int named_ioctl(int fd, unsigned long req, void *arg, const char *name);
/* Same, without logging: for calls whose failure the caller handles. */
int quiet_ioctl(int fd, unsigned long req, void *arg);
/* One attempt, EINTR returned rather than retried (KVM_RUN must see kicks). */
int quiet_ioctl_once(int fd, unsigned long req);

#define kvm_ioctl(vm, req, arg) named_ioctl((vm)->kvm_fd, req, (void *)(arg), #req)
#define vm_ioctl(vm, req, arg) named_ioctl((vm)->vm_fd, req, (void *)(arg), #req)
/* On a bare VM fd, for objects that hold the fd rather than the VM. */
#define vmfd_ioctl(fd, req, arg) named_ioctl(fd, req, (void *)(arg), #req)
#define vcpu_ioctl(vcpu, req, arg) named_ioctl((vcpu)->fd, req, (void *)(arg), #req)

#endif

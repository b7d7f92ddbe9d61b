/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The arch's part of `minivmm doctor`: how the IOMMU and the isolation of
 * device interrupts show on this architecture (x86: IOMMU groups and
 * interrupt remapping, src/arch/x86/doctor.c; arm64: an SMMU, the GIC ITS
 * and KVM_CAP_MSI_DEVID, src/arch/arm64/doctor.c). doctor.c prints each
 * verdict, as text or JSON.
 */
#ifndef MINIVMM_RUNNER_DOCTOR_ARCH_H
#define MINIVMM_RUNNER_DOCTOR_ARCH_H

#include <stdbool.h>
#include <stddef.h>

struct doctor;

/* One check's verdict; @fix is shown when it failed (NULL: no fix to give). */
void doctor_verdict(struct doctor *d, bool ok, bool needed, const char *name, const char *fix, const char *fmt, ...)
	__attribute__((format(printf, 6, 7)));
/* The first line of @path without its newline; false when unreadable. */
bool doctor_read_line(const char *path, char *buf, size_t len);
/* Entries of directory @path (0 when it is missing). */
unsigned int doctor_count_dir(const char *path);

/* The arch's checks, after KVM's and before VFIO's. */
void doctor_arch_checks(struct doctor *d);

#endif

/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Who holds a card: what keeps its functions on their host drivers, so that unbinding them
 * would hang or fail ("modprobe: FATAL: Module amdgpu is in use" with no name to it).
 *  - processes with one of its device nodes open: DRM (/dev/dri/cardN, renderDN), sound
 *    (/dev/snd/controlCN, pcmCN..., hwCN...), framebuffer (/dev/fbN), NVIDIA's /dev/nvidiaN,
 *    and, while its BAR holds the firmware framebuffer, that framebuffer's nodes (efifb's
 *    /dev/fb0, simpledrm's /dev/dri/card0: its platform device's), each process with the
 *    systemd unit of its cgroup;
 *  - the virtual consoles: fbcon bound (/sys/class/vtconsole) while a framebuffer of the card
 *    is the console's;
 *  - a firmware framebuffer in one of its BARs (framebuffer.h);
 *  - the use count of its host driver's module.
 * Every path is under the root prefix (/sys, /proc, /dev names as the kernel gives them).
 */
#pragma once

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "device.h"
#include "framebuffer.h"

struct holder_process {
	pid_t pid;
	char comm[32];		  /* /proc/PID/comm */
	char unit[128];		  /* the systemd unit of its cgroup ("lactd.service"), "" if none */
	char node[NAME_MAX + 16]; /* the node it holds ("/dev/dri/card0") */
	char device[16];	  /* the function the node belongs to */
};

struct holders {
	struct holder_process *proc; /* one per process and node */
	size_t n_proc;
	char vtcon[64];	  /* "vtcon1": fbcon bound over one of the card's framebuffers */
	char fb_node[16]; /* that framebuffer ("fb0"), "" if the card has none */
	struct firmware_fbs firmware; /* firmware framebuffers in the card's BARs */
	char module[DRIVER_NAME_MAX]; /* the host driver of the console function, its use count: */
	int module_refs;	      /* -1 when unknown */
};

/* The holders of the card's functions devs->dev[lo..hi]. */
int holders_find(const struct device_list *devs, size_t lo, size_t hi, struct holders *ret);
void holders_free(struct holders *h);

/*
 * The processes that hold d through VFIO (a VM's QEMU): its IOMMU group's /dev/vfio/N (or
 * noiommu-N), and the /dev/vfio/devices/vfioN (iommufd) of d or of any device of its group:
 * while one of them is a guest's, no host driver may take another. Only ret->proc is filled.
 */
int holders_find_vfio(const struct device *d, struct holders *ret);

/* The processes, for a message: "lactd (pid 812, lactd.service) on /dev/dri/card1, ... and
 * 3 more (vfio-claim doctor lists them)". */
void holders_describe(const struct holders *h, char *buf, size_t size);

/* The processes only: whether any, and whether all of them run in one of the given units. */
bool holders_all_in_units(const struct holders *h, const char *const *units, size_t n_units);

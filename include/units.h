/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * systemd units as the hand-over sees them, read under the root prefix (systemctl is only
 * ever run to stop and start them):
 *  - the unit of a process: the deepest NAME.service or NAME.scope of its cgroup path
 *    (/proc/PID/cgroup: cgroup v2's "0::/path", or v1's name=systemd hierarchy);
 *  - the unit an alias names: display-manager.service is a symlink in a unit directory
 *    (/etc/systemd/system/display-manager.service -> /lib/systemd/system/sddm.service), while
 *    the cgroup of a process always carries the real name (sddm.service).
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "text.h"

/* The unit of process pid ("812", or "self": vfio-claim's own); "" when none can be read. */
void unit_of_process(const char *pid, char *unit, size_t size);

/* Whether pid's cgroup lies in unit (its own, or one above it such as user@1000.service):
 * stopping that unit ends the process. */
bool unit_holds_process(const char *unit, const char *pid);

/*
 * The unit name is an alias of, its symlinks in the unit directories followed (at most a few
 * hops); name itself when it is no alias, or when the link leads to no unit name (a masked
 * unit links to /dev/null).
 */
void unit_resolve(const char *name, char *ret, size_t size);

/* The units of listed and, for each alias among them, the unit it names (a holder's unit is
 * matched against these). -ENOMEM, ret untouched, when memory runs out. */
int unit_list_with_aliases(const struct strv *listed, struct strv *ret);

// Package procfs formats the files of /proc and /sys as Linux writes
// them (proc(5), Documentation/filesystems/proc.rst): the lines of
// /proc/PID/maps, stat, status, mounts and mountinfo, /proc/uptime,
// CPU lists, the link text of /proc/PID/fd entries. The kernel gathers
// the values from its own state and writes them with these functions;
// the layouts, which programs parse, are tested here against Linux's.
//
// Trap context: everything. Text writes into a buffer it is given and
// drops what does not fit, so nothing here allocates.
package procfs

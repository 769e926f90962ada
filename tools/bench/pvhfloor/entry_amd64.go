package main

// entry32 is the PVH entry point: 32-bit code, entered with paging off.
// It is only ever called by the hypervisor, never from Go.
//
// defined in entry_amd64.s
func entry32()

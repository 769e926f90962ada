package qemu

import (
	"strings"
	"syscall"
	"testing"
)

func TestClassify(t *testing.T) {
	const pvmWarning = "qemu-system-x86_64: warning: host doesn't support requested feature: CPUID.01H:ECX.vmx [bit 5]\n"
	tests := []struct {
		name       string
		exit       Exit
		stderr     string
		wantStatus int
		wantErr    string // substring; "" means no error
	}{
		{"guest status 0", Exit{Code: 1}, "", 0, ""},
		{"guest status 5", Exit{Code: 11}, "", 5, ""},
		{"guest status 127", Exit{Code: 255}, "", 127, ""},
		{"boot failure", Exit{Code: 241}, "", 120, ""},
		{"kernel fault", Exit{Code: 243}, "", 121, ""},
		{"guest status 0 despite warnings", Exit{Code: 1}, pvmWarning +
			"qemu-system-x86_64: -fw_cfg name=etc/sercon-port,string=0: warning: externally provided fw_cfg item names should be prefixed with \"opt/\"\n", 0, ""},
		{"guest status 3 and a QEMU complaint", Exit{Code: 7}, "qemu-system-x86_64: something odd\n", 3, ""},
		{"no PVH note", Exit{Code: 1}, "qemu-system-x86_64: Error loading uncompressed kernel without PVH ELF Note\n", 125,
			"qemu-system-x86_64 failed (exit status 1): Error loading uncompressed kernel without PVH ELF Note"},
		{"bad option", Exit{Code: 1}, "qemu-system-x86_64: -m abc: Parameter 'size' expects a non-negative number below 2^64\nOptional suffix k, M, G, T, P or E means kilo-, mega-, giga-, tera-, peta-\n", 125,
			"-m abc: Parameter 'size'"},
		{"loader message", Exit{Code: 1}, "qemu: could not open kernel file 'x.img': No such file or directory\n", 125,
			"could not open kernel file"},
		{"full path prefix", Exit{Code: 1}, "/usr/bin/qemu-system-x86_64: unsupported machine type\n", 125, "unsupported machine type"},
		{"failure after a warning", Exit{Code: 1}, pvmWarning + "qemu-system-x86_64: cannot set up guest memory 'microvm.ram': Cannot allocate memory\n", 125,
			"cannot set up guest memory"},
		{"CRLF", Exit{Code: 1}, "qemu-system-x86_64: failed to initialize kvm: Permission denied\r\n", 125, "kvm: Permission denied"},
		{"triple fault", Exit{Code: 0}, "", 124, "the guest stopped without reporting an exit status (CPU reset or triple fault)"},
		{"triple fault with warnings", Exit{Code: 0}, pvmWarning, 124, "without reporting an exit status"},
		{"SIGTERM", Exit{Code: 0}, "qemu-system-x86_64: terminating on signal 15 from pid 6897 (bash)\n", 125,
			"qemu-system-x86_64 was stopped by signal 15"},
		{"gdb kill", Exit{Code: 0}, "qemu-system-x86_64: QEMU: Terminated via GDBstub\n", 125, "the debugger attached to the gdb stub killed the guest"},
		{"SIGINT", Exit{Code: 0}, "qemu-system-x86_64: terminating on signal 2\n", 125, "stopped by signal 2"},
		{"killed", Exit{Code: -1, Signal: syscall.SIGKILL}, "", 125, "qemu-system-x86_64 was killed by signal 9 (killed)"},
		{"aborted", Exit{Code: -1, Signal: syscall.SIGABRT}, "qemu-system-x86_64: error: failed to set MSR 0x10a to 0x69\n", 125, "signal 6"},
		{"odd exit code from nowhere", Exit{Code: 2}, "", 125, "exited with status 2"},
		{"guest output is not on stderr, but a line mentioning qemu is no failure", Exit{Code: 1}, "hello from qemu: yes\n", 0, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Classify(tt.exit, tt.stderr)
			if got.Status != tt.wantStatus {
				t.Errorf("status %d, want %d (err %v)", got.Status, tt.wantStatus, got.Err)
			}
			switch {
			case tt.wantErr == "" && got.Err != nil:
				t.Errorf("unexpected error %v", got.Err)
			case tt.wantErr != "" && got.Err == nil:
				t.Errorf("no error, want one containing %q", tt.wantErr)
			case tt.wantErr != "" && !strings.Contains(got.Err.Error(), tt.wantErr):
				t.Errorf("error %q does not contain %q", got.Err, tt.wantErr)
			}
		})
	}
}

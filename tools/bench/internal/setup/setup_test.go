package setup

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/coracle-os/coracle/tools/bench/internal/hostinfo"
	"github.com/coracle-os/coracle/tools/qemu"
)

// fakeQEMU puts first on PATH a qemu-system-x86_64 that prints version,
// and points TMPDIR at a new directory. It returns both their paths.
func fakeQEMU(t *testing.T, version string) (qemuPath, tmpRoot string) {
	t.Helper()
	bin := t.TempDir()
	script := "#!/bin/sh\necho '" + version + "'\necho 'Copyright (c) 2003-2022 Fabrice Bellard'\n"
	qemuPath = filepath.Join(bin, qemu.Binary)
	if err := os.WriteFile(qemuPath, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", bin+string(os.PathListSeparator)+os.Getenv("PATH"))
	tmpRoot = t.TempDir()
	t.Setenv("TMPDIR", tmpRoot)
	return qemuPath, tmpRoot
}

func TestStart(t *testing.T) {
	qemuPath, root := fakeQEMU(t, "QEMU emulator version 9.9.9")
	var log []string
	logf := func(format string, a ...any) { log = append(log, fmt.Sprintf(format, a...)) }
	argv := []string{"bin/bench-smp", "-accel", "tcg", "-linux-cmdline", "console=ttyS0 quiet"}

	r, cleanup, err := Start(context.Background(), "smp", "tcg", qemu.MinMemoryMiB, argv, logf)
	if err != nil {
		t.Fatal(err)
	}
	if r.Accel != qemu.TCG || r.Path != qemuPath {
		t.Errorf("host = %+v, want TCG and %s", r.QEMUHost, qemuPath)
	}
	if len(log) != 1 || log[0] != r.Reason || r.Reason == "" {
		t.Errorf("log = %q, want the accelerator's reason %q alone", log, r.Reason)
	}
	if got, want := r.Header.QEMU, "QEMU emulator version 9.9.9"; got != want {
		t.Errorf("header QEMU = %q, want %q", got, want)
	}
	if got, want := r.Header.Command, hostinfo.ShellQuote(argv); got != want {
		t.Errorf("header command = %q, want %q", got, want)
	}
	if r.Header.Source == "" || r.Header.CPU == "" {
		t.Errorf("header without source or CPU: %+v", r.Header)
	}
	if filepath.Dir(r.Tmp) != root || !strings.HasPrefix(filepath.Base(r.Tmp), "coracle-bench-smp-") {
		t.Errorf("temporary directory %s, want %s/coracle-bench-smp-*", r.Tmp, root)
	}
	if fi, err := os.Stat(r.Tmp); err != nil || !fi.IsDir() {
		t.Fatalf("temporary directory: %v", err)
	}
	if err := os.WriteFile(filepath.Join(r.Tmp, "guest.img"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	cleanup()
	if _, err := os.Stat(r.Tmp); !os.IsNotExist(err) {
		t.Errorf("after cleanup, %s: %v, want it gone", r.Tmp, err)
	}
}

func TestStartBadFlags(t *testing.T) {
	_, root := fakeQEMU(t, "QEMU emulator version 9.9.9")
	logf := func(format string, a ...any) { t.Errorf("logged "+format, a...) }
	for _, c := range []struct {
		accel     string
		memoryMiB int
	}{
		{"hvf", qemu.MinMemoryMiB},
		{"tcg", qemu.MinMemoryMiB - 1},
	} {
		_, cleanup, err := Start(context.Background(), "boot", c.accel, c.memoryMiB, nil, logf)
		if err == nil || cleanup != nil {
			t.Errorf("Start(-accel %s -m %d) = %v, cleanup %v; want an error and no cleanup", c.accel, c.memoryMiB, err, cleanup != nil)
		}
	}
	if entries, _ := os.ReadDir(root); len(entries) != 0 {
		t.Errorf("a failed start left %d entries in TMPDIR", len(entries))
	}
}

func TestWithHost(t *testing.T) {
	qemuPath, root := fakeQEMU(t, "QEMU emulator version 1.2.3")
	host := hostinfo.QEMUHost{Path: qemuPath, Accel: qemu.KVM, Reason: "using KVM (--accel kvm)"}
	var log []string
	r, cleanup, err := WithHost(context.Background(), "http", host, []string{"bench-http"}, func(format string, a ...any) { log = append(log, fmt.Sprintf(format, a...)) })
	if err != nil {
		t.Fatal(err)
	}
	defer cleanup()
	if r.QEMUHost != host {
		t.Errorf("host = %+v, want %+v as given", r.QEMUHost, host)
	}
	if len(log) != 1 || log[0] != host.Reason {
		t.Errorf("log = %q, want %q", log, host.Reason)
	}
	if r.Header.QEMU != "QEMU emulator version 1.2.3" {
		t.Errorf("header QEMU = %q", r.Header.QEMU)
	}
	if filepath.Dir(r.Tmp) != root || !strings.HasPrefix(filepath.Base(r.Tmp), "coracle-bench-http-") {
		t.Errorf("temporary directory %s, want %s/coracle-bench-http-*", r.Tmp, root)
	}
}

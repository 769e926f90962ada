package integration

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// examples/kvstore, an HTTP key-value store over bbolt (which maps its
// database file MAP_SHARED, reads through the mapping, writes with pwrite
// and fdatasync, grows the file and remaps it, and holds an flock),
// answers one conversation of PUTs, GETs, DELETEs and prefix listings in
// coracle as it does natively on the host, request by request. In the
// guest the database is in /tmp, the root tmpfs.
func TestKVStore(t *testing.T) {
	native := filepath.Join(t.TempDir(), "kvstore")
	build := exec.Command("go", "build", "-o", native, "./examples/kvstore")
	build.Dir = repoRoot
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	hostPort := freePort(t)
	host := exec.Command(native, "-addr", fmt.Sprintf("127.0.0.1:%d", hostPort), "-db", filepath.Join(t.TempDir(), "kv.db"))
	var hostOut bytes.Buffer
	host.Stdout, host.Stderr = &hostOut, &hostOut
	if err := host.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { host.Process.Kill(); host.Wait() })

	guestPort := freePort(t)
	g := startGuest(t, 5*time.Minute, "run", "-m", "64", "-p", fmt.Sprintf("%d:8080", guestPort), "./examples/kvstore", "--", "-db", "/tmp/kv.db")
	g.waitFor(t, "kvstore: listening", 3*time.Minute)
	for deadline := time.Now().Add(10 * time.Second); !strings.Contains(hostOut.String(), "listening"); time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("the native kvstore did not start:\n%s", hostOut.String())
		}
	}

	type step struct{ method, path, body string }
	steps := []step{
		{"GET", "/kv/a", ""},
		{"PUT", "/kv/a", "1"},
		{"PUT", "/kv/b/c", "two"},
		{"PUT", "/kv/a%20b", "space"},
		{"GET", "/kv/a", ""},
		{"GET", "/kv/a%20b", ""},
		{"PUT", "/kv/big", strings.Repeat("0123456789abcdef", 1<<16)}, // 1 MiB: the file grows, bbolt remaps
		{"GET", "/kv/big", ""},
	}
	for i := range 300 {
		steps = append(steps, step{"PUT", fmt.Sprintf("/kv/k%03d", i), strings.Repeat(fmt.Sprint(i), 50)})
	}
	steps = append(steps,
		step{"GET", "/kv/k123", ""},
		step{"GET", "/kv/?prefix=k29", ""},
		step{"DELETE", "/kv/k290", ""},
		step{"DELETE", "/kv/k290", ""},
		step{"GET", "/kv/?prefix=k29", ""},
		step{"DELETE", "/kv/big", ""},
		step{"GET", "/kv/?prefix=a", ""},
		step{"PUT", "/kv/", "x"},
		step{"POST", "/kv/a", "x"},
		step{"PUT", "/kv/a%0Ab", "x"},
		step{"GET", "/other", ""},
	)
	for _, s := range steps {
		want := kvRequest(t, hostPort, s.method, s.path, s.body)
		got := kvRequest(t, guestPort, s.method, s.path, s.body)
		if got != want {
			t.Fatalf("%s %s: coracle answered\n%.300s\nthe host\n%.300s\n%s", s.method, s.path, got, want, g.tail())
		}
	}
}

// kvRequest sends one request to the kvstore on 127.0.0.1:port and
// returns its status line and body.
func kvRequest(t *testing.T, port int, method, path, body string) string {
	t.Helper()
	req, err := http.NewRequest(method, fmt.Sprintf("http://127.0.0.1:%d%s", port, path), strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s on port %d: %v", method, path, port, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.Status + "\n" + string(b)
}

// examples/kvstore with its database on a disk (bbolt's MAP_SHARED
// mapping and pwrite + fdatasync go through the kernel's page cache):
// PUTs, GETs, DELETEs and listings answer as natively; then QEMU is
// killed with SIGKILL, and a new guest on the same image finds every
// acknowledged PUT and none of the deleted keys. e2fsck finds the image
// clean once the journal is replayed.
func TestKVStoreDisk(t *testing.T) {
	native := filepath.Join(t.TempDir(), "kvstore")
	build := exec.Command("go", "build", "-o", native, "./examples/kvstore")
	build.Dir = repoRoot
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	img := filepath.Join(t.TempDir(), "kvstore.img")
	if res := coracle(t, "build", "--disks", "-o", img, "./examples/kvstore"); res.err != nil || res.status != 0 {
		t.Fatalf("build --disks: %s", res)
	}
	hostPort := freePort(t)
	host := exec.Command(native, "-addr", fmt.Sprintf("127.0.0.1:%d", hostPort), "-db", filepath.Join(t.TempDir(), "kv.db"))
	var hostOut bytes.Buffer
	host.Stdout, host.Stderr = &hostOut, &hostOut
	if err := host.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { host.Process.Kill(); host.Wait() })
	disk := makeDisk(t, t.TempDir(), "64M")

	guestPort := freePort(t)
	boot := func() (*exec.Cmd, *syncBuffer) {
		cmd := exec.Command(coracleBin, "run", "-m", "128", "-p", fmt.Sprintf("%d:8080", guestPort), "--disk", disk, img, "--", "-db", "/mnt/disk0/kv.db")
		cmd.Dir = repoRoot
		out := new(syncBuffer)
		cmd.Stdout, cmd.Stderr = out, out
		cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		for deadline := time.Now().Add(3 * time.Minute); !strings.Contains(out.String(), "kvstore: listening"); time.Sleep(50 * time.Millisecond) {
			if time.Now().After(deadline) {
				syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
				cmd.Wait()
				t.Fatalf("kvstore did not start:\n%s", out.String())
			}
		}
		return cmd, out
	}
	kill := func(cmd *exec.Cmd) {
		syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) // QEMU too: it is in the group
		cmd.Wait()
		for deadline := time.Now().Add(10 * time.Second); syscall.Kill(-cmd.Process.Pid, 0) == nil; time.Sleep(20 * time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatal("QEMU outlived SIGKILL")
			}
		}
	}
	cmd, out := boot()
	for deadline := time.Now().Add(10 * time.Second); !strings.Contains(hostOut.String(), "listening"); time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("the native kvstore did not start:\n%s", hostOut.String())
		}
	}
	type step struct{ method, path, body string }
	steps := []step{
		{"GET", "/kv/a", ""},
		{"PUT", "/kv/a", "1"},
		{"PUT", "/kv/b/c", "two"},
		{"PUT", "/kv/big", strings.Repeat("0123456789abcdef", 1<<16)}, // 1 MiB: the file grows, bbolt remaps
		{"GET", "/kv/big", ""},
	}
	for i := range 200 {
		steps = append(steps, step{"PUT", fmt.Sprintf("/kv/k%03d", i), strings.Repeat(fmt.Sprint(i), 50)})
	}
	steps = append(steps,
		step{"DELETE", "/kv/k150", ""},
		step{"DELETE", "/kv/big", ""},
		step{"GET", "/kv/?prefix=k15", ""},
		step{"GET", "/kv/a", ""},
	)
	for _, s := range steps {
		want := kvRequest(t, hostPort, s.method, s.path, s.body)
		got := kvRequest(t, guestPort, s.method, s.path, s.body)
		if got != want {
			kill(cmd)
			t.Fatalf("%s %s: coracle answered\n%.300s\nthe host\n%.300s\n%s", s.method, s.path, got, want, out.String())
		}
	}
	kill(cmd)

	cmd, _ = boot()
	for _, s := range []step{
		{"GET", "/kv/a", ""},
		{"GET", "/kv/b/c", ""},
		{"GET", "/kv/k000", ""},
		{"GET", "/kv/k199", ""},
		{"GET", "/kv/big", ""},
		{"GET", "/kv/?prefix=k1", ""},
	} {
		want := kvRequest(t, hostPort, s.method, s.path, s.body)
		if got := kvRequest(t, guestPort, s.method, s.path, s.body); got != want {
			t.Errorf("after SIGKILL and a new boot, %s %s: coracle answered\n%.300s\nthe host\n%.300s", s.method, s.path, got, want)
		}
	}
	kill(cmd)
	checkReplayed(t, disk)
}

package integration

import (
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
	hostPort := startNativeKVStore(t)
	guestPort := freePort(t)
	g := startGuest(t, 5*time.Minute, "run", "-m", "64", "-p", fmt.Sprintf("%d:8080", guestPort), "./examples/kvstore", "--", "-db", "/tmp/kv.db")
	g.waitFor(t, "kvstore: listening", 3*time.Minute)

	steps := []kvStep{
		{"GET", "/kv/a", ""},
		{"PUT", "/kv/a", "1"},
		{"PUT", "/kv/b/c", "two"},
		{"PUT", "/kv/a%20b", "space"},
		{"GET", "/kv/a", ""},
		{"GET", "/kv/a%20b", ""},
		{"PUT", "/kv/big", strings.Repeat("0123456789abcdef", 1<<16)}, // 1 MiB: the file grows, bbolt remaps
		{"GET", "/kv/big", ""},
	}
	steps = append(steps, kvPuts(300)...)
	steps = append(steps,
		kvStep{"GET", "/kv/k123", ""},
		kvStep{"GET", "/kv/?prefix=k29", ""},
		kvStep{"DELETE", "/kv/k290", ""},
		kvStep{"DELETE", "/kv/k290", ""},
		kvStep{"GET", "/kv/?prefix=k29", ""},
		kvStep{"DELETE", "/kv/big", ""},
		kvStep{"GET", "/kv/?prefix=a", ""},
		kvStep{"PUT", "/kv/", "x"},
		kvStep{"POST", "/kv/a", "x"},
		kvStep{"PUT", "/kv/a%0Ab", "x"},
		kvStep{"GET", "/other", ""},
	)
	if s, got, want, ok := kvCompare(t, steps, hostPort, guestPort); !ok {
		t.Fatalf("%s %s: coracle answered\n%.300s\nthe host\n%.300s\n%s", s.method, s.path, got, want, g.tail())
	}
}

// kvStep is one request of a conversation with the kvstore.
type kvStep struct{ method, path, body string }

// kvPuts returns n PUTs of keys k000, k001, ...
func kvPuts(n int) []kvStep {
	var steps []kvStep
	for i := range n {
		steps = append(steps, kvStep{"PUT", fmt.Sprintf("/kv/k%03d", i), strings.Repeat(fmt.Sprint(i), 50)})
	}
	return steps
}

// kvCompare sends each step to the native kvstore on hostPort, then to
// the guest's on guestPort, until the answers differ; it returns that
// step with both answers, or ok.
func kvCompare(t *testing.T, steps []kvStep, hostPort, guestPort int) (step kvStep, got, want string, ok bool) {
	t.Helper()
	for _, s := range steps {
		want := kvRequest(t, hostPort, s.method, s.path, s.body)
		if got := kvRequest(t, guestPort, s.method, s.path, s.body); got != want {
			return s, got, want, false
		}
	}
	return kvStep{}, "", "", true
}

// startNativeKVStore builds examples/kvstore for the host, starts it on
// a free port of 127.0.0.1 with its database in a temporary directory,
// and returns the port once it listens.
func startNativeKVStore(t *testing.T) int {
	t.Helper()
	native := filepath.Join(t.TempDir(), "kvstore")
	build := exec.Command("go", "build", "-o", native, "./examples/kvstore")
	build.Dir = repoRoot
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	port := freePort(t)
	host := exec.Command(native, "-addr", fmt.Sprintf("127.0.0.1:%d", port), "-db", filepath.Join(t.TempDir(), "kv.db"))
	var out syncBuffer
	host.Stdout, host.Stderr = &out, &out
	if err := host.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { host.Process.Kill(); host.Wait() })
	for deadline := time.Now().Add(10 * time.Second); !strings.Contains(out.String(), "listening"); time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("the native kvstore did not start:\n%s", out.String())
		}
	}
	return port
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
	img := filepath.Join(t.TempDir(), "kvstore.img")
	if res := coracle(t, "build", "--disks", "-o", img, "./examples/kvstore"); res.err != nil || res.status != 0 {
		t.Fatalf("build --disks: %s", res)
	}
	hostPort := startNativeKVStore(t)
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
	steps := []kvStep{
		{"GET", "/kv/a", ""},
		{"PUT", "/kv/a", "1"},
		{"PUT", "/kv/b/c", "two"},
		{"PUT", "/kv/big", strings.Repeat("0123456789abcdef", 1<<16)}, // 1 MiB: the file grows, bbolt remaps
		{"GET", "/kv/big", ""},
	}
	steps = append(steps, kvPuts(200)...)
	steps = append(steps,
		kvStep{"DELETE", "/kv/k150", ""},
		kvStep{"DELETE", "/kv/big", ""},
		kvStep{"GET", "/kv/?prefix=k15", ""},
		kvStep{"GET", "/kv/a", ""},
	)
	if s, got, want, ok := kvCompare(t, steps, hostPort, guestPort); !ok {
		kill(cmd)
		t.Fatalf("%s %s: coracle answered\n%.300s\nthe host\n%.300s\n%s", s.method, s.path, got, want, out.String())
	}
	kill(cmd)

	cmd, _ = boot()
	for _, s := range []kvStep{
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

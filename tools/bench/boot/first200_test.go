package main

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/coracle-os/coracle/tools/bench/internal/benchtest"
	"github.com/coracle-os/coracle/tools/bench/internal/figures"
	"github.com/coracle-os/coracle/tools/qemu"
)

func TestHTTPTargetArgs(t *testing.T) {
	h := &httpTarget{args: []string{"-M", "microvm", "-kernel", "x.img"}, machine: qemu.Microvm}
	got, err := h.argsFor("40123")
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"-M", "microvm", "-kernel", "x.img",
		"-netdev", "user,id=net0,net=192.0.2.0/24,host=192.0.2.1,hostfwd=tcp:127.0.0.1:40123-192.0.2.2:8080",
		"-device", "virtio-net-device,netdev=net0"}
	if !slices.Equal(got, want) {
		t.Errorf("args\n%q\nwant\n%q", got, want)
	}
	if len(h.args) != 4 {
		t.Errorf("argsFor changed the target's arguments: %q", h.args)
	}
	h.machine = qemu.Q35
	got, err = h.argsFor("1")
	if err != nil || !slices.Contains(got, "virtio-net-pci,netdev=net0,romfile=") {
		t.Errorf("q35: %q, %v", got, err)
	}
}

func TestHTTPCmdlines(t *testing.T) {
	if got, want := coracleHTTPCmdline(qemu.TCG, "coracle.tsc_khz=2596166"), "ip=192.0.2.2/24 gw=192.0.2.1 coracle.argv0=httpd coracle.tsc_khz=2596166"; got != want {
		t.Errorf("coracle TCG: %q, want %q", got, want)
	}
	if got := coracleHTTPCmdline(qemu.KVM, "coracle.tsc_khz=1"); strings.Contains(got, "tsc_khz") {
		t.Errorf("coracle KVM: %q", got)
	}
	got := linuxHTTPCmdline("console=ttyS0 quiet", 2596166, []string{"virtio", "virtio_net"})
	if want := "console=ttyS0 quiet tsc_early_khz=2596166 netinit.modules=virtio,virtio_net netinit.ip=192.0.2.2/24 netinit.exec=/httpd"; got != want {
		t.Errorf("Linux: %q, want %q", got, want)
	}
	if got := linuxHTTPCmdline("tsc_early_khz=5", 2596166, nil); strings.Count(got, "tsc_early_khz") != 1 {
		t.Errorf("Linux with its own TSC rate: %q", got)
	}
}

func first200Sample() report {
	ms := time.Millisecond
	r := sampleReport()
	r.rows = append(r.rows,
		row{system: "coracle httpd", line: first200Line, first200: true, times: figures.Summary{N: 3, Median: 80 * ms, Min: 75 * ms, Max: 99 * ms}},
		row{system: "Linux httpd", line: first200Line, first200: true, baseline: linuxHTTPBaseline, times: figures.Summary{N: 3, Median: 2000 * ms, Min: 1900 * ms, Max: 2100 * ms}},
	)
	return r
}

func TestFirst200Figures(t *testing.T) {
	rows := first200Sample().first200Rows()
	if len(rows) != 2 {
		t.Fatalf("%d rows, want 2", len(rows))
	}
	c, l := rows[0], rows[1]
	if !c.hasFloor || c.overFloor != 50*time.Millisecond || c.linuxOver != 25 {
		t.Errorf("coracle: over floor %v (%v), Linux/this %v; want 50ms, 25", c.overFloor, c.hasFloor, c.linuxOver)
	}
	if l.overFloor != 1970*time.Millisecond || l.linuxOver != 1 {
		t.Errorf("Linux: over floor %v, Linux/this %v", l.overFloor, l.linuxOver)
	}

	r := first200Sample()
	r.rows[0].missing = "failed"      // no floor
	r.rows[4].missing = "skipped (x)" // no Linux httpd
	rows = r.first200Rows()
	if rows[0].hasFloor || rows[0].linuxOver != 0 {
		t.Errorf("without baselines: %+v", rows[0])
	}
}

func TestFirst200Table(t *testing.T) {
	var b strings.Builder
	first200Sample().write(&b)
	out := b.String()
	benchtest.Contains(t, "report", out,
		"| system | median ms | min ms | max ms | median - floor ms | Linux / this |\n| --- | ---: | ---: | ---: | ---: | ---: |\n",
		"| coracle httpd | 80.0 | 75.0 | 99.0 | 50.0 | 25.00 |\n",
		"| Linux httpd | 2000.0 | 1900.0 | 2100.0 | 1970.0 | 1.00 |\n",
		"coracle httpd, targets (M10): at most floor + 60 ms: met; at least 20 times sooner than Linux: met.\n",
	)
	if strings.Contains(out, "| coracle httpd | `") {
		t.Errorf("a first-200 row in the boot table:\n%s", out)
	}

	r := first200Sample()
	r.rows[3].times.Median = 150 * time.Millisecond
	r.rows[4].missing = "skipped (-skip-linux)"
	b.Reset()
	r.write(&b)
	benchtest.Contains(t, "report", b.String(),
		"| coracle httpd | 150.0 | 75.0 | 99.0 | 120.0 | n/a |\n",
		"| Linux httpd | skipped (-skip-linux) | | | | |\n",
		"targets (M10): at most floor + 60 ms: missed; at least 20 times sooner than Linux: n/a.\n",
	)

	r = sampleReport() // -skip-http: no table
	b.Reset()
	r.write(&b)
	if strings.Contains(b.String(), "HTTP/1.1 200") {
		t.Errorf("a first-200 table without its rows:\n%s", b.String())
	}
}

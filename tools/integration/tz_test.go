package integration

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

const tzprobe = "./tools/integration/testdata/tzprobe"

// coracle build --tzdata links Go's zone database: time.LoadLocation in
// the guest, which has no /usr/share/zoneinfo, and time.Local from $TZ
// give the same times as the same program run natively with Go's own
// database.
func TestTimeZones(t *testing.T) {
	res := coracle(t, "run", "--accel", "tcg", "--net", "none", "--tzdata", "-e", "TZ=Asia/Kolkata", tzprobe)
	if res.err != nil || res.status != 0 {
		t.Fatalf("want exit status 0\n%s", res)
	}
	// The native run reads the database the guest has linked: the one in
	// GOROOT, not whatever version the host's system has.
	goroot, err := exec.Command("go", "env", "GOROOT").Output()
	if err != nil {
		t.Fatalf("go env GOROOT: %v", err)
	}
	zoneinfo := filepath.Join(strings.TrimSpace(string(goroot)), "lib", "time", "zoneinfo.zip")
	if _, err := os.Stat(zoneinfo); err != nil {
		t.Skipf("no zone database in GOROOT to compare with: %v", err)
	}
	t.Setenv("ZONEINFO", zoneinfo)
	t.Setenv("TZ", "Asia/Kolkata")
	native := runNative(t, "tzprobe")
	if strings.Contains(native, "error") {
		t.Fatalf("the native run failed:\n%s", native)
	}
	sameLines(t, "tzprobe:", res.stdout, native, 10)
}

// Without --tzdata (and without a zoneinfo tree from --files) a zone is
// Go's own error, which the program can handle, not a crash, and $TZ
// leaves time.Local UTC, as on Linux.
func TestTimeZonesMissing(t *testing.T) {
	res := coracle(t, "run", "--accel", "tcg", "--net", "none", "-e", "TZ=Asia/Kolkata", tzprobe)
	for _, want := range []string{
		"tzprobe: Europe/Paris: error: unknown time zone Europe/Paris\n",
		"tzprobe: America/New_York: error: unknown time zone America/New_York\n",
		"tzprobe: Local: 2026-01-15 12:00:00 +0000 UTC\n",
		"tzprobe: done\n",
	} {
		if !strings.Contains(res.stdout, want) {
			t.Errorf("console lacks %q\n%s", want, res)
		}
	}
	if res.err != nil || res.status != 0 {
		t.Errorf("want exit status 0\n%s", res)
	}
}
